//! Receipts in Arabic and Ukrainian next to German, names in every script, and the shaping checked against
//! HarfBuzz itself: `hb-shape` from Debian's libharfbuzz-bin (`cargo xtask setup` installs it).

use crate::golden;
use crate::support::{self, repo};
use formdesk_engine::Answers;
use formdesk_receipt::{Delivery, Issue, Municipality, Receipt, Reference, ShapedRun, render, shaped_runs};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

/// The Hundeanmeldung with two dogs and SEPA, for a citizen who reads `lang`.
fn hundeanmeldung(lang: &str) -> Receipt {
    let catalog = support::catalog();
    let form = support::form(&catalog, "hundeanmeldung");
    assert!(
        form.definition().languages.iter().any(|l| l == lang),
        "the Hundeanmeldung has no {lang} texts (forms/hundeanmeldung/translations/{lang}.xlf)"
    );
    let (answers, _) =
        support::scenario(&repo().join("forms/hundeanmeldung/scenarios/02_zwei_hunde_ein_listenhund.json"));
    support::receipt(&form, &answers, lang, Delivery::Pending)
}

/// The text without the embedding marks (U+202A to U+202E) poppler puts around right-to-left stretches.
fn without_marks(text: &str) -> String {
    text.chars().filter(|c| !('\u{202A}'..='\u{202E}').contains(c)).collect()
}

/// The receipt's own Arabic words, as `texts.rs` holds them.
const ARABIC_WORDS: [&str; 6] =
    ["تأكيد الاستلام", "رقم المعاملة", "تاريخ الاستلام", "بياناتكم", "الرسوم والضرائب", "الخطوات التالية"];

#[test]
fn an_arabic_receipt_extracts_in_logical_order_and_matches_its_golden_file() {
    let receipt = hundeanmeldung("ar");
    let pdf = render(&receipt).expect("renders");
    support::keep("receipt-ar.pdf", &pdf);
    let raw = support::text(&pdf);
    let text = without_marks(&raw);
    for expected in ARABIC_WORDS.iter().chain(&["Eingangsbestätigung", "Vorgangsnummer", "Hund anmelden (Hundesteuer)"])
    {
        assert!(text.contains(expected), "{expected:?} missing or out of order in\n{text}");
    }
    // The second language shares the German line where it fits: "Vorgangsnummer / رقم المعاملة".
    assert!(text.contains("Vorgangsnummer / رقم المعاملة"), "{text}");
    assert!(!text.contains('?'), "no character fell back to '?':\n{text}");
    // Harakat are drawn, but stand for no text (see shape::Run::drawing): the words extract without them.
    assert!(text.contains("سيرسل فور توفر الاتصال"), "{text}");
    golden::check("hundeanmeldung-ar", &raw);
}

#[test]
fn a_ukrainian_receipt_matches_its_golden_file() {
    let receipt = hundeanmeldung("uk");
    let pdf = render(&receipt).expect("renders");
    support::keep("receipt-uk.pdf", &pdf);
    let text = support::text(&pdf);
    for expected in ["Eingangsbestätigung / Підтвердження отримання", "Номер справи", "Ваші дані", "Сторінка 1 з 2"]
    {
        assert!(text.contains(expected), "{expected:?} missing in\n{text}");
    }
    assert!(shaped_runs(&receipt).expect("renders").is_empty(), "Cyrillic takes the plain path");
    golden::check("hundeanmeldung-uk", &text);
}

/// A glyph as `hb-shape --output-format=json` prints it.
#[derive(Debug, PartialEq, Eq)]
struct HbGlyph {
    gid: u16,
    cluster: u32,
    x_advance: i32,
    x_offset: i32,
    y_offset: i32,
}

/// Shapes `text` with HarfBuzz's own `hb-shape` on the same font file, direction and (neutral) language.
fn hb_shape(font: &Path, text: &str, rtl: bool) -> Vec<HbGlyph> {
    let out = Command::new("hb-shape")
        .env("LC_ALL", "C.UTF-8")
        .env("LANG", "C.UTF-8")
        .args(["--output-format=json", "--no-glyph-names", "--utf8-clusters"])
        .arg(if rtl { "--direction=rtl" } else { "--direction=ltr" })
        .arg(format!("--font-file={}", font.display()))
        .arg("--")
        .arg(text)
        .output()
        .unwrap_or_else(|e| {
            panic!("hb-shape: {e}; install Debian's libharfbuzz-bin (cargo xtask setup) to compare with HarfBuzz")
        });
    assert!(out.status.success(), "hb-shape {text:?}: {}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("hb-shape prints JSON");
    let number = |g: &Value, key: &str| g[key].as_i64().unwrap_or_else(|| panic!("{key} in {g}"));
    json.as_array()
        .expect("an array of glyphs")
        .iter()
        .map(|g| HbGlyph {
            gid: u16::try_from(number(g, "g")).expect("a glyph id"),
            cluster: u32::try_from(number(g, "cl")).expect("a cluster"),
            x_advance: i32::try_from(number(g, "ax")).expect("an advance"),
            x_offset: i32::try_from(number(g, "dx")).expect("an offset"),
            y_offset: i32::try_from(number(g, "dy")).expect("an offset"),
        })
        .collect()
}

fn ours(run: &ShapedRun) -> Vec<HbGlyph> {
    run.glyphs
        .iter()
        .map(|g| HbGlyph {
            gid: g.gid,
            cluster: g.cluster,
            x_advance: g.x_advance,
            x_offset: g.x_offset,
            y_offset: g.y_offset,
        })
        .collect()
}

#[test]
fn every_run_of_the_arabic_receipt_is_shaped_as_harfbuzz_shapes_it() {
    let receipt = hundeanmeldung("ar");
    let mut runs = shaped_runs(&receipt).expect("renders");
    let arabic = runs.iter().filter(|r| r.font_file.starts_with("NotoSansArabic")).count();
    assert!(arabic >= 20, "the Arabic receipt draws its Arabic texts shaped: {arabic} runs");
    // The bold face, marks and an IBAN: a municipality with an Arabic name and address, an owner with harakat.
    let address = vec!["الدفع إلى IBAN DE89 3704 0044 0532 0130 00 خلال أسبوعين".to_owned()];
    let other = with_name("بلدية موسترشتات", "مُحَمَّد", "عبد الرحمن", address);
    runs.extend(shaped_runs(&other).expect("renders"));
    assert!(runs.iter().any(|r| r.font_file == "NotoSansArabic-Bold.ttf"), "the bold Arabic face is compared too");
    assert!(runs.iter().any(|r| r.glyphs.iter().any(|g| g.y_offset != 0)), "marks are compared too");
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    for run in &runs {
        let expected = hb_shape(&assets.join(run.font_file), &run.text, run.rtl);
        assert_eq!(
            ours(run),
            expected,
            "{:?} in {} ({})",
            run.text,
            run.font_file,
            if run.rtl { "rtl" } else { "ltr" }
        );
    }
}

/// A receipt of the Hundeanmeldung with the owner's name replaced, from the municipality `name` at `address`.
fn with_name(name: &str, first: &str, last: &str, address: Vec<String>) -> Receipt {
    let catalog = support::catalog();
    let form = support::form(&catalog, "hundeanmeldung");
    let (mut answers, _): (Answers, String) =
        support::scenario(&repo().join("forms/hundeanmeldung/scenarios/02_zwei_hunde_ein_listenhund.json"));
    answers.insert("halter_vorname".into(), json!(first));
    answers.insert("halter_familienname".into(), json!(last));
    answers.insert("sepa_kontoinhaber".into(), json!(format!("{first} {last}")));
    let municipality = Municipality::new(name, address, None).expect("no logo");
    let issue = Issue {
        municipality: &municipality,
        reference: Reference::from_random("HUND", [3; 8]).expect("prefix"),
        issued_at: support::at("2026-11-24T10:42:17+01:00"),
        clerk: "Petra Schmidt",
        citizen_lang: "de",
        delivery: Delivery::Pending,
    };
    Receipt::build(&form, &answers, issue, &support::key()).expect("a complete submission")
}

#[test]
fn names_in_arabic_cyrillic_greek_and_latin_with_diacritics_render_and_extract() {
    for (first, last) in [
        ("محمد", "عبد الرحمن"),
        ("فاطمة الزهراء", "الحسيني"),
        ("Олександр", "Ковальчук"),
        ("Γιώργος", "Παπαδόπουλος"),
        ("Zdzisław", "Łęcki-Źróbek"),
        ("Nguyễn", "Thị Hồng"),
    ] {
        let receipt = with_name("Gemeinde Musterstadt", first, last, vec!["Rathausplatz 1".into()]);
        let text = support::text(&render(&receipt).expect("renders"));
        for part in [first, last] {
            assert!(text.contains(part), "{part:?} missing or garbled in\n{text}");
        }
        assert!(!text.contains('?'), "{first} {last}: a character fell back to '?'");
    }
}

#[test]
fn an_iban_inside_an_arabic_sentence_extracts_intact() {
    let sentence = "الدفع إلى IBAN DE89 3704 0044 0532 0130 00 خلال أسبوعين";
    let receipt = with_name("Gemeinde Musterstadt", "Erika", "Mustermann", vec![sentence.to_owned()]);
    let runs = shaped_runs(&receipt).expect("renders");
    let iban = runs.iter().find(|r| r.text.contains("DE89")).expect("the IBAN is drawn in a run of its own");
    assert!(!iban.rtl && iban.font_file == "NotoSans-Regular.ttf", "{iban:?}");
    assert!(iban.text.contains("IBAN DE89 3704 0044 0532 0130 00"), "the IBAN is one left-to-right run: {iban:?}");
    let text = without_marks(&support::text(&render(&receipt).expect("renders")));
    // poppler turns each right-to-left stretch around, but leaves the stretches of a line in the order they
    // are drawn: the IBAN and each Arabic phrase extract intact, on one line.
    let line = text.lines().find(|l| l.contains("DE89")).unwrap_or_else(|| panic!("no IBAN in\n{text}"));
    for part in ["الدفع إلى", "IBAN DE89 3704 0044 0532 0130 00", "خلال أسبوعين"] {
        assert!(line.contains(part), "{part:?} not intact in {line:?}");
    }
}

/// The fonts `pdffonts` lists: (subset tag, face, emb, sub, uni).
fn fonts(pdf: &[u8]) -> Vec<(String, String, [String; 3])> {
    let (_dir, path) = support::write_pdf(pdf);
    let out = String::from_utf8(support::tool("pdffonts", &[path.to_str().expect("utf-8")]).stdout).expect("utf-8");
    out.lines()
        .skip(2)
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (tag, face) = cols[0].split_once('+').unwrap_or_else(|| panic!("no subset tag: {line}"));
            let flags = [cols[cols.len() - 5], cols[cols.len() - 4], cols[cols.len() - 3]].map(str::to_owned);
            (tag.to_owned(), face.to_owned(), flags)
        })
        .collect()
}

#[test]
fn each_face_drawn_is_embedded_as_a_subset_and_no_other() {
    let arabic = render(&hundeanmeldung("ar")).expect("renders");
    let bold_arabic =
        render(&with_name("بلدية موسترشتات", "Erika", "Mustermann", vec!["Rathausplatz 1".into()])).expect("renders");
    for (pdf, expected) in [
        (&arabic, vec!["NotoSans-Bold", "NotoSans-Regular", "NotoSansArabic-Regular"]),
        (&bold_arabic, vec!["NotoSans-Bold", "NotoSans-Regular", "NotoSansArabic-Bold"]),
    ] {
        let fonts = fonts(pdf);
        let mut faces: Vec<&str> = fonts.iter().map(|(_, face, _)| face.as_str()).collect();
        faces.sort_unstable();
        assert_eq!(faces, expected);
        for (tag, face, flags) in &fonts {
            assert!(tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()), "{tag}+{face}");
            assert_eq!(flags, &["yes", "yes", "yes"].map(str::to_owned), "emb sub uni: {face}");
        }
        let tags: std::collections::BTreeSet<&String> = fonts.iter().map(|(tag, _, _)| tag).collect();
        assert_eq!(tags.len(), fonts.len(), "every subset has a tag of its own");
        let (_dir, path) = support::write_pdf(pdf);
        let out = support::tool("qpdf", &["--check", path.to_str().expect("utf-8")]);
        assert!(String::from_utf8_lossy(&out.stdout).contains("No syntax or stream encoding errors found"));
    }
    assert!(arabic.len() < 80 * 1024, "{} bytes", arabic.len());
}

#[test]
fn russian_and_leichte_sprache_citizens_get_their_words_beside_the_german() {
    let catalog = support::catalog();
    let wbs = support::form(&catalog, "wohnberechtigungsschein");
    let (answers, _) =
        support::scenario(&repo().join("forms/wohnberechtigungsschein/scenarios/02_unter_grenze_mit_kind.json"));
    for (lang, title, next) in [
        ("ru", "Подтверждение получения", "Что будет дальше"),
        ("de-x-ls", "Bestätigung für Ihren Antrag", "So geht es weiter"),
    ] {
        assert!(wbs.definition().languages.iter().any(|l| l == lang), "the WBS has {lang} texts");
        let receipt = support::receipt(&wbs, &answers, lang, Delivery::Pending);
        assert_eq!(receipt.second_lang.as_deref(), Some(lang));
        let text = support::text(&render(&receipt).expect("renders"));
        for expected in [title, next, "Eingangsbestätigung", "Wie es weitergeht"] {
            assert!(text.contains(expected), "{lang}: {expected:?} missing in\n{text}");
        }
    }
}
