//! The receipt's content and the QR payload, without looking at the PDF.

use crate::support::{self, repo};
use formdesk_engine::ItemKind;
use formdesk_receipt::{
    Delivery, DeviceKey, Entry, Issue, Municipality, Receipt, ReceiptError, Reference, mask, qr, verify,
};
use proptest::prelude::*;

fn field<'a>(receipt: &'a Receipt, label: &str) -> Option<&'a str> {
    receipt.entries().find_map(|e| match e {
        Entry::Field { label: l, value } if l.de == label => Some(value.de.as_str()),
        _ => None,
    })
}

#[test]
fn sensitive_fields_are_masked_and_omitted_ones_left_out() {
    let catalog = support::catalog();
    let form = support::form(&catalog, "hundeanmeldung");
    let (answers, _) =
        support::scenario(&repo().join("forms/hundeanmeldung/scenarios/02_zwei_hunde_ein_listenhund.json"));
    let receipt = support::receipt(&form, &answers, "de", Delivery::Pending);
    let iban = field(&receipt, "IBAN").expect("the IBAN is listed");
    assert!(iban.starts_with("DE") && iban.contains("**** ****"), "{iban}");
    assert_eq!(iban.chars().filter(char::is_ascii_digit).count(), 6, "first two and last four digits: {iban}");
    assert_eq!(field(&receipt, "Vorname(n)"), Some("Erika"));
    assert!(field(&receipt, "Telefon (für Rückfragen)").is_none(), "marked omit");
    assert!(field(&receipt, "E-Mail-Adresse").is_none(), "marked omit");
    assert!(receipt.second_lang.is_none());
    assert_eq!(receipt.fees.len(), 1);

    let form = support::form(&catalog, "wohnberechtigungsschein");
    let (answers, _) =
        support::scenario(&repo().join("forms/wohnberechtigungsschein/scenarios/02_unter_grenze_mit_kind.json"));
    let receipt = support::receipt(&form, &answers, "de", Delivery::Pending);
    let values: Vec<&str> = receipt
        .entries()
        .filter_map(|e| match e {
            Entry::Field { value, .. } => Some(value.de.as_str()),
            Entry::Heading(_) => None,
        })
        .collect();
    assert!(!values.iter().any(|v| v.contains("15.000")), "incomes are masked: {values:?}");
    assert!(values.contains(&"1 Datei"), "a sensitive attachment is counted, not named: {values:?}");
    assert!(!values.iter().any(|v| v.contains("lohnabrechnungen")), "{values:?}");
    assert!(values.contains(&"Mila Kovalenko"));
}

#[test]
fn nested_instances_print_under_the_instance_they_stand_in() {
    let catalog = support::catalog();
    let form = support::form(&catalog, "wohnberechtigungsschein");
    let (answers, _) = support::scenario(
        &repo().join("forms/wohnberechtigungsschein/scenarios/07_mehrere_einkommen_und_anschrift.json"),
    );
    let receipt = support::receipt(&form, &answers, "de", Delivery::Pending);
    let lines: Vec<String> = receipt
        .entries()
        .map(|e| match e {
            Entry::Heading(h) => format!("# {}", h.de),
            Entry::Field { label, value } => format!("{}: {}", label.de, value.de),
        })
        .collect();
    let from = lines.iter().position(|l| l == "# Haushaltsmitglied 1").expect("the first member");
    let to = lines.iter().position(|l| l == "Für das Kind wird Kindergeld bezogen: Ja").expect("the second member");
    assert_eq!(
        lines[from..=to],
        [
            "# Haushaltsmitglied 1",
            "Vor- und Familienname: Taras Kovalenko",
            "Geburtsdatum: 09.01.1986",
            "Verhältnis zu Ihnen: Ehegatte, Lebenspartnerin oder Lebenspartner",
            "Jahreseinkommen (brutto) in Euro: ****",
            "# Haushaltsmitglied 1 › Jetzige Wohnung",
            "Die Person wohnt zurzeit unter einer anderen Anschrift als Sie: Ja",
            "Jetzige Anschrift der Person: Bielefelder Straße 7, 32051 Herford",
            "# Haushaltsmitglied 1 › Einkommen 1",
            "Art des Einkommens: Lohn oder Gehalt",
            "Betrag in zwölf Monaten (brutto) in Euro: ****",
            "# Haushaltsmitglied 1 › Einkommen 2",
            "Art des Einkommens: andere Einkünfte",
            "Welche Einkünfte?: Mieteinnahmen Garage",
            "Betrag in zwölf Monaten (brutto) in Euro: ****",
            "# Haushaltsmitglied 2",
            "Vor- und Familienname: Mila Kovalenko",
            "Geburtsdatum: 02.03.2008",
            "Verhältnis zu Ihnen: Kind",
            "Für das Kind wird Kindergeld bezogen: Ja",
        ]
    );
    assert!(lines.contains(&"# Haushaltsmitglied 2 › Einkommen 1".to_owned()), "{lines:#?}");
}

#[test]
fn masks_keep_only_what_identifies_without_revealing() {
    assert_eq!(mask(ItemKind::Iban, "DE89 3704 0044 0532 0130 00"), "DE89 **** **** **** **30 00");
    assert_eq!(mask(ItemKind::Text, "12 345 678 901"), "** *** *** *01");
    assert_eq!(mask(ItemKind::Text, "kurz"), "****");
    assert_eq!(mask(ItemKind::Currency, "15.000,00 €"), "****");
    assert_eq!(mask(ItemKind::Date, "01.02.1990"), "****");
}

#[test]
fn an_incomplete_application_gets_no_receipt() {
    let catalog = support::catalog();
    let form = support::form(&catalog, "hundeanmeldung");
    let municipality = Municipality::example();
    let issue = Issue {
        municipality: &municipality,
        reference: Reference::from_random("HUND", [1; 8]).expect("valid prefix"),
        issued_at: support::at("2026-11-24T10:42:00+01:00"),
        clerk: "Petra Schmidt",
        citizen_lang: "de",
        delivery: Delivery::Pending,
    };
    let err = Receipt::build(&form, &serde_json::Map::new(), issue, &support::key()).expect_err("incomplete");
    match err {
        ReceiptError::Incomplete { errors, first } => {
            assert!(errors > 3, "{errors}");
            assert!(first.contains(": "), "{first}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_complete_scenario_fits_a_qr_code_of_version_8_at_level_m() {
    let catalog = support::catalog();
    for entry in catalog.entries() {
        let form = support::form(&catalog, entry.form.id());
        let dir = repo().join("forms").join(form.id()).join("scenarios");
        for path in std::fs::read_dir(&dir).expect("scenarios").filter_map(Result::ok).map(|e| e.path()) {
            let (answers, lang) = support::scenario(&path);
            if !form.evaluate(&answers, "de", support::at("2026-11-24T10:00:00+01:00").date_naive()).complete {
                continue;
            }
            let receipt = support::receipt(&form, &answers, &lang, Delivery::Pending);
            let matrix = qr::encode(&receipt.payload).expect("fits");
            assert!(matrix.version <= qr::MAX_VERSION, "{}: version {}", path.display(), matrix.version);
        }
    }
}

#[test]
fn any_changed_byte_of_the_payload_fails_verification() {
    let catalog = support::catalog();
    let form = support::form(&catalog, "hundeanmeldung");
    let (answers, _) =
        support::scenario(&repo().join("forms/hundeanmeldung/scenarios/02_zwei_hunde_ein_listenhund.json"));
    let receipt = support::receipt(&form, &answers, "de", Delivery::Pending);
    let public = support::key().public_key();
    assert!(verify(&receipt.payload, &public).is_ok());
    // Every character replaced by every other of the Base45 alphabet: each either fails to decode or fails
    // the signature.
    let alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    for (i, original) in receipt.payload.char_indices() {
        for c in alphabet.chars().filter(|&c| c != original).step_by(7) {
            let mut changed = receipt.payload.clone();
            changed.replace_range(i..i + 1, &c.to_string());
            let result = verify(&changed, &public);
            assert!(
                matches!(result, Err(ReceiptError::SignatureMismatch | ReceiptError::InvalidPayload(_))),
                "position {i}, {original} → {c}: {result:?}"
            );
        }
    }
    let other = DeviceKey::from_pkcs8(&support::pkcs8(8)).expect("key").public_key();
    assert_eq!(verify(&receipt.payload, &other), Err(ReceiptError::SignatureMismatch));
    assert!(matches!(verify("", &public), Err(ReceiptError::InvalidPayload(_))));
    assert!(matches!(verify("hello", &public), Err(ReceiptError::InvalidPayload(_))));
    assert!(matches!(DeviceKey::from_pkcs8(b"not a key"), Err(ReceiptError::InvalidDeviceKey(_))));
}

#[test]
fn the_receipt_is_signed_deterministically_and_knows_its_delivery() {
    let catalog = support::catalog();
    let form = support::form(&catalog, "hundeabmeldung");
    let (answers, _) =
        support::scenario(&repo().join("forms/hundeabmeldung/scenarios/02_verstorben_vollstaendig.json"));
    let pending = support::receipt(&form, &answers, "en", Delivery::Pending);
    let delivered = Delivery::Delivered(support::at("2026-11-25T08:00:00+01:00"));
    let later = support::receipt(&form, &answers, "en", delivered);
    assert_eq!(pending.payload, later.payload, "the delivery state is not part of what is signed");
    assert_eq!(pending.second_lang.as_deref(), Some("en"));
    assert!(pending.title.other.is_some());
    let text = support::text(&formdesk_receipt::render(&later).expect("renders"));
    assert!(text.contains("übermittelt am 25.11.2026, 08:00 Uhr"), "{text}");
    assert!(text.contains("sent on 25.11.2026, 08:00 Uhr"), "{text}");
}

#[test]
fn logos_are_png_or_jpeg() {
    let mut jpeg = Vec::new();
    image::RgbImage::from_pixel(40, 20, image::Rgb([200, 30, 30]))
        .write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .expect("encode");
    let m = Municipality::new("Stadt Beispiel", vec!["Markt 1".into()], Some(&jpeg)).expect("a JPEG logo");
    assert!(m.has_logo());
    assert!(Municipality::example().has_logo());
    assert!(matches!(Municipality::new("X", vec![], Some(b"GIF89a....")), Err(ReceiptError::InvalidLogo(_))));
    assert!(matches!(Municipality::new("X", vec![], Some(b"")), Err(ReceiptError::InvalidLogo(_))));
}

proptest! {
    #[test]
    fn scanned_garbage_is_refused_without_panic(text in "[0-9A-Z $%*+./:-]{0,240}") {
        let result = verify(&text, &support::key().public_key());
        prop_assert!(result.is_err());
    }
}

#[test]
fn times_and_dates_with_times_are_printed_readably() {
    let def = serde_json::json!({
        "formatVersion": 1, "id": "termin", "version": "1.0.0", "title": {"de": "Termin", "en": "Appointment"},
        "destination": "test", "languages": ["de", "en"],
        "steps": [{"id": "s1", "title": {"de": "Termin", "en": "Appointment"}, "items": [
            {"kind": "time", "id": "uhrzeit", "label": {"de": "Uhrzeit", "en": "Time"}, "required": true},
            {"kind": "dateTime", "id": "beginn", "label": {"de": "Beginn", "en": "Start"}, "required": true}
        ]}]
    });
    let form = formdesk_engine::Form::from_json(&def.to_string(), &formdesk_engine::CodeLists::default())
        .expect("the form loads");
    let answers = serde_json::json!({"uhrzeit": "14:30", "beginn": "2026-12-06T14:30"});
    let answers = answers.as_object().cloned().unwrap_or_default();
    let receipt = support::receipt(&form, &answers, "de", Delivery::Pending);
    assert_eq!(field(&receipt, "Uhrzeit"), Some("14:30 Uhr"));
    assert_eq!(field(&receipt, "Beginn"), Some("06.12.2026, 14:30 Uhr"));
}
