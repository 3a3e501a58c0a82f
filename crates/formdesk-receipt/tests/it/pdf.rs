//! The PDF itself: fonts, structure, the QR code, scripts, page breaks, PDF/A markers, size.

use crate::golden;
use crate::support::{self, repo, tool, write_pdf};
use formdesk_engine::Answers;
use formdesk_receipt::{Delivery, render, verify};
use serde_json::{Value, json};

/// Names in every script the receipt supports.
const NAMES: [&str; 8] = [
    "Jürgen Größmann",
    "Gülşen Yılmaz-Öztürk",
    "Zdzisław Łęcki-Źróbek",
    "Jiří Čermák-Šťastný",
    "Олександр Ковальчук",
    "Γιώργος Παπαδόπουλος",
    "Ağça İşçioğlu",
    "Dvořáková Řeháčková",
];

fn hundeanmeldung() -> (formdesk_engine::Form, Answers) {
    let catalog = support::catalog();
    let (answers, _) =
        support::scenario(&repo().join("forms/hundeanmeldung/scenarios/02_zwei_hunde_ein_listenhund.json"));
    (support::form(&catalog, "hundeanmeldung"), answers)
}

/// A household of eight, one name per script, for the Wohnberechtigungsschein.
fn household_of_eight() -> (formdesk_engine::Form, Answers) {
    let catalog = support::catalog();
    let (mut answers, _) =
        support::scenario(&repo().join("forms/wohnberechtigungsschein/scenarios/02_unter_grenze_mit_kind.json"));
    answers.insert("antragsteller_vorname".into(), json!("Gülşen"));
    answers.insert("antragsteller_familienname".into(), json!("Yılmaz-Öztürk"));
    let relations =
        ["ehegatte_lebenspartner", "kind", "kind", "elternteil", "geschwister", "enkelkind", "kind", "kind"];
    let members: Vec<Value> = NAMES
        .iter()
        .zip(relations)
        .enumerate()
        .map(|(n, (name, relation))| {
            let mut member = json!({
                "name": name,
                "geburtsdatum": format!("{}-0{}-1{}", 1950 + n * 9, n + 1, n),
                "verwandtschaft": relation,
                "einkuenfte": match (relation, n % 2) {
                    ("kind", _) => json!([]),
                    (_, 0) => json!([{"art": "lohn", "betrag": 1200}]),
                    _ => json!([{"art": "rente", "betrag": 900}, {"art": "sonstige", "bezeichnung": "Miete", "betrag": 300}]),
                },
            });
            if relation == "kind" {
                member["kindergeld"] = json!(true);
            }
            member
        })
        .collect();
    answers.insert("haushalt".into(), Value::Array(members));
    (support::form(&catalog, "wohnberechtigungsschein"), answers)
}

#[test]
fn every_font_is_embedded_subset_and_mapped_to_unicode() {
    let (form, answers) = household_of_eight();
    let pdf = render(&support::receipt(&form, &answers, "de", Delivery::Pending)).expect("renders");
    let (_dir, path) = write_pdf(&pdf);
    let out = String::from_utf8(tool("pdffonts", &[path.to_str().expect("utf-8")]).stdout).expect("utf-8");
    let fonts: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(fonts.len(), 2, "regular and bold:\n{out}");
    for line in fonts {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let name = cols[0];
        let (tag, face) = name.split_once('+').unwrap_or_else(|| panic!("no subset tag: {line}"));
        assert!(tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()), "{line}");
        assert!(face.starts_with("NotoSans-"), "{line}");
        // name, type (2 words), encoding, emb, sub, uni, object id, generation
        assert_eq!(&cols[cols.len() - 5..cols.len() - 2], &["yes", "yes", "yes"], "emb sub uni: {line}");
    }
}

#[test]
fn qpdf_finds_the_structure_clean() {
    let (form, answers) = hundeanmeldung();
    let pdf = render(&support::receipt(&form, &answers, "tr", Delivery::Pending)).expect("renders");
    let (_dir, path) = write_pdf(&pdf);
    let out = tool("qpdf", &["--check", path.to_str().expect("utf-8")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("No syntax or stream encoding errors found"), "{stdout}");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_printed_qr_code_scans_and_its_signature_verifies() {
    let (form, answers) = hundeanmeldung();
    let receipt = support::receipt(&form, &answers, "de", Delivery::Pending);
    let pdf = render(&receipt).expect("renders");
    let (dir, path) = write_pdf(&pdf);
    let prefix = dir.path().join("page");
    // 150 dpi, about what a phone camera resolves on paper.
    tool(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            path.to_str().expect("utf-8"),
            prefix.to_str().expect("utf-8"),
        ],
    );
    let png = dir.path().join("page.png");
    let out = tool("zbarimg", &["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png.to_str().expect("utf-8")]);
    let scanned = String::from_utf8(out.stdout).expect("utf-8");
    let scanned = scanned.strip_suffix('\n').unwrap_or(&scanned);
    assert_eq!(scanned, receipt.payload);

    let verified = verify(scanned, &support::key().public_key()).expect("the signature verifies");
    assert_eq!(verified.reference, receipt.reference);
    assert_eq!(verified.form_id, "hundeanmeldung");
    assert_eq!(verified.form_version, form.version());
    assert_eq!(verified.issued_at, support::at("2026-11-24T10:42:17+01:00"));
    assert!(verified.matches(&answers));
    let mut changed = answers.clone();
    changed.insert("halter_vorname".into(), json!("Erica"));
    assert!(!verified.matches(&changed));
}

#[test]
fn names_in_every_script_and_a_household_of_eight_break_cleanly_across_pages() {
    let (form, answers) = household_of_eight();
    let pdf = render(&support::receipt(&form, &answers, "de", Delivery::Pending)).expect("renders");
    let text = support::text(&pdf);
    for name in NAMES {
        assert!(text.contains(name), "{name} missing or garbled in\n{text}");
    }
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 2, "a household of eight needs more than one page: {pages}");
    for page in 1..=pages {
        assert!(text.contains(&format!("Seite {page} von {pages}")), "page {page} of {pages}");
    }
    // Every household member's heading is followed by its first row on the same page.
    for (page_no, page) in text.split('\u{c}').enumerate() {
        let last_line = page.lines().rev().find(|l| !l.trim().is_empty() && !l.contains("WBS-")).unwrap_or("");
        assert!(!last_line.starts_with("Haushaltsmitglied"), "page {}: ends with a heading", page_no + 1);
    }
    golden::check("wohnberechtigungsschein-household-of-eight", &text);
}

#[test]
fn the_file_carries_the_pdf_a_2b_markers_and_is_reproducible() {
    let (form, answers) = hundeanmeldung();
    let receipt = support::receipt(&form, &answers, "de", Delivery::Pending);
    let pdf = render(&receipt).expect("renders");
    assert!(pdf.starts_with(b"%PDF-1.7\n%"), "PDF 1.7 header with a binary comment");
    assert!(pdf[10..14].iter().all(|&b| b >= 128), "four binary bytes after the header");
    let bytes = String::from_utf8_lossy(&pdf);
    for marker in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "/GTS_PDFA1",
        "/OutputIntents",
        "/Lang",
        "<xmp:CreateDate>2026-11-24T10:42:17+01:00</xmp:CreateDate>",
        "/CreationDate(D:20261124104217+01'00')",
    ] {
        assert!(bytes.contains(marker), "{marker} missing");
    }
    assert!(!bytes.contains("GTS_PDFX"), "no PDF/X keys");
    assert!(render(&receipt).expect("renders") == pdf, "the same receipt gives the same bytes");
    assert!(pdf.len() < 60 * 1024, "{} bytes", pdf.len());
}
