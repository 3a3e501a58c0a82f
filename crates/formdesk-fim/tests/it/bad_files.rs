//! The refused inputs of the test data (`tests/data/bad`, described in its README): each is refused with
//! the line the README names and a message saying what was expected.

use formdesk_fim::{CodeListSource, ErrorKind, Options, import};
use std::path::Path;

fn refusal(file: &str) -> formdesk_fim::ImportError {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad").join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    match import(&bytes, file, &CodeListSource::empty(), &Options::default()) {
        Ok(_) => panic!("{file} was imported"),
        Err(e) => e,
    }
}

/// `(file, line of the first problem, words of its message)`.
const EXPECTED: &[(&str, Option<u32>, &str)] = &[
    ("not-xml.xml", Some(1), "XML"),
    ("truncated.xml", Some(69), "kein vollständiges XML"),
    ("mismatched-end-tag.xml", Some(57), "'</xdf:bezeichnung>'"),
    ("doctype-billion-laughs.xml", Some(2), "DOCTYPE"),
    ("doctype-external-entity.xml", Some(2), "DOCTYPE"),
    ("encoding-iso-8859-1.xml", Some(1), "'ISO-8859-1'"),
    ("message-datenfeldgruppe-0103.xml", Some(2), "Datenfeldgruppe, kein Stammdatenschema"),
    ("message-codeliste-0105.xml", Some(2), "Codeliste, kein Stammdatenschema"),
    ("message-codeliste-0105-v3.xml", Some(2), "Codeliste, kein Stammdatenschema"),
    ("unknown-namespace.xml", Some(2), "urn:xoev-de:fim:standard:xdatenfelder_1"),
    ("no-namespace.xml", Some(2), "ohne Namensraum"),
    ("lookalike-namespace-xdatenfelder_3.xml", Some(2), "'urn:xoev-de:fim:standard:xdatenfelder_3'"),
    ("mixed-v2-element-in-v3.xml", Some(66), "'datenfeld'"),
    ("missing-header.xml", Some(2), "'header'"),
    ("schema-without-identifikation-id.xml", Some(8), "'identifikation/id'"),
    ("datenfeld-without-identifikation-id.xml", Some(86), "'identifikation/id'"),
    ("schema-without-title.xml", Some(7), "keinen Titel"),
    ("schema-without-struktur.xml", Some(7), "keine 'struktur'"),
    ("struktur-without-enthaelt.xml", Some(48), "'enthaelt'"),
    ("struktur-without-anzahl.xml", Some(81), "'anzahl'"),
    ("enthaelt-with-datenfeld-and-datenfeldgruppe.xml", Some(51), "genau eines"),
    ("anzahl-min-greater-than-max.xml", Some(27), "Minimum größer als das Maximum"),
    ("anzahl-not-a-number.xml", Some(82), "'x:1'"),
    ("datenfeld-without-feldart.xml", Some(52), "'feldart'"),
    ("datenfeld-without-datentyp.xml", Some(85), "'datentyp'"),
    ("v3-schema-version-1.0.xml", Some(10), "'1.2.0' (drei Zahlen)"),
    ("v2-schema-version-1.0.0.xml", Some(10), "'1.2' (zwei Zahlen)"),
    ("nesting-70-levels.xml", Some(1434), "tiefer als 64"),
    ("duplicate-id-different-content.xml", Some(85), "F69900011"),
];

#[test]
fn every_bad_file_is_refused_at_its_place() {
    let mut wrong = Vec::new();
    for (file, line, words) in EXPECTED {
        let e = refusal(file);
        let first = &e.problems[0];
        let ok = e.kind == ErrorKind::Refused
            && first.file == *file
            && first.message.contains(words)
            && (line.is_none() || first.position.map(|p| p.line) == *line);
        if !ok {
            wrong.push(format!("{file}: expected line {line:?} with „{words}“, got {e}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_external_entity_is_never_read() {
    let e = refusal("doctype-external-entity.xml");
    assert!(!e.to_string().contains("root:"), "{e}");
}

#[test]
fn an_oversized_file_is_refused_before_it_is_read() {
    let mut big = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hundesteuer/v2/S60000001.xml"))
        .unwrap_or_default();
    big.resize(formdesk_fim::MAX_BYTES + 1, b' ');
    let e = import(&big, "gross.xml", &CodeListSource::empty(), &Options::default()).expect_err("too large");
    assert!(e.problems[0].message.contains(&format!("{} Bytes", formdesk_fim::MAX_BYTES + 1)), "{e}");
    assert!(e.problems[0].message.contains("höchstens 8 MB"), "{e}");
    assert_eq!(e.problems[0].position, None);
    // A file of 10 MB, as an administrator might pick by mistake, is refused the same way.
    let mut ten = big.clone();
    ten.resize(10 * 1024 * 1024, b' ');
    let e = import(&ten, "zehn.xml", &CodeListSource::empty(), &Options::default()).expect_err("10 MB");
    assert!(e.problems[0].message.contains("10485760 Bytes"), "{e}");
    // Exactly the limit is not refused (the padding is white space after the root element).
    big.truncate(formdesk_fim::MAX_BYTES);
    let imported = import(&big, "gross.xml", &CodeListSource::empty(), &Options::default());
    assert!(imported.is_ok(), "{:?}", imported.err());
}
