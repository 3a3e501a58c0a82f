//! Inputs the importer refuses (design section 7): each with the place and what was expected. Nothing is
//! written and nothing panics.

use crate::support::*;
use formdesk_fim::{ErrorKind, ImportError, Position};

fn one(e: &ImportError) -> (&str, Option<Position>) {
    assert_eq!(e.kind, ErrorKind::Refused, "{e}");
    let p = e.problems.first().unwrap_or_else(|| panic!("no problem in {e:?}"));
    (p.message.as_str(), p.position)
}

fn says(xml: &str, expected: &str) -> Option<Position> {
    let e = refused(xml.as_bytes());
    let all = e.to_string();
    assert!(all.contains(expected), "expected „{expected}“ in:\n{all}");
    e.problems.iter().find(|p| p.message.contains(expected)).and_then(|p| p.position)
}

fn minimal(v: V) -> String {
    message(v, &text_field(v, "F1000001", "Vorname"))
}

#[test]
fn not_xml() {
    let e = refused(b"das ist kein XML");
    let (message, _) = one(&e);
    assert!(message.contains("XML"), "{message}");
    assert!(e.to_string().starts_with("test.xml:"), "{e}");
    let cut = minimal(V::Two);
    let e = refused(&cut.as_bytes()[..cut.len() / 2]);
    assert!(one(&e).1.is_some(), "{e}");
    let e = refused(b"");
    assert!(one(&e).0.contains("leer"));
}

#[test]
fn encodings_other_than_utf8() {
    let latin1 = minimal(V::Two).replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
    assert_eq!(says(&latin1, "'ISO-8859-1'"), Some(Position { line: 1, column: 31 }));
    let mut bytes = minimal(V::Two).into_bytes();
    let at = bytes.windows(7).position(|w| w == b"Vorname").unwrap_or_default();
    bytes[at] = 0xE4;
    let e = refused(&bytes);
    assert!(one(&e).0.contains("UTF-8"), "{e}");
    assert!(one(&e).1.is_some());
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("<a/>".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert!(one(&refused(&utf16)).0.contains("UTF-16"));
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(minimal(V::Three).into_bytes());
    assert!(
        formdesk_fim::import(
            &bom,
            "bom.xml",
            &formdesk_fim::CodeListSource::empty(),
            &formdesk_fim::Options::default()
        )
        .is_ok()
    );
}

#[test]
fn a_doctype_is_refused_and_no_entity_is_expanded() {
    let xml = minimal(V::Two).replacen(
        "<xdf:xdatenfelder",
        "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>\n<xdf:xdatenfelder",
        1,
    );
    says(&xml, "DOCTYPE");
    let external = minimal(V::Two).replacen(
        "<xdf:xdatenfelder",
        "<!DOCTYPE x SYSTEM \"file:///etc/passwd\">\n<xdf:xdatenfelder",
        1,
    );
    assert_eq!(says(&external, "DOCTYPE"), Some(Position { line: 2, column: 1 }));
    let empty = minimal(V::Three).replacen(
        "\n<xdf:xdatenfelder",
        "\n<!-- <!DOCTYPE im Kommentar -->\n<!DOCTYPE xdf>\n<xdf:xdatenfelder",
        1,
    );
    assert_eq!(says(&empty, "DOCTYPE"), Some(Position { line: 3, column: 1 }));
    let entity = minimal(V::Two).replace("Vorname", "&vorname;");
    says(&entity, "Entität");
}

#[test]
fn too_large_and_too_deep() {
    let mut big = minimal(V::Two);
    big.push_str(&" ".repeat(formdesk_fim::MAX_BYTES));
    assert_eq!(says(&big, "höchstens 8 MB"), None);
    let mut nested = text_field(V::Two, "F1", "Innen");
    for i in 0..=formdesk_fim::MAX_STRUKTUR_DEPTH {
        nested = use_(V::Two, "1:1", &group(V::Two, &format!("G{i}"), "Ebene", "", &nested));
    }
    assert!(says(&message(V::Two, &nested), "tiefer als").is_some());
    let deep = format!("{}{}", "<a>".repeat(300), "</a>".repeat(300));
    says(&deep, "tiefer als 256");
}

#[test]
fn other_roots_and_message_types() {
    for v in BOTH {
        for (root, what) in [
            ("xdatenfelder.dokumentsteckbrief.0101", "Dokumentsteckbrief"),
            ("xdatenfelder.datenfeldgruppe.0103", "einzelne Datenfeldgruppe"),
            ("xdatenfelder.datenfeld.0104", "einzelnes Datenfeld"),
            ("xdatenfelder.codeliste.0105", "Codeliste"),
            ("xdatenfelder.uebersetzung.0106", "Übersetzungen"),
            ("xdatenfelder.sonstwas.0199", "unbekannte Nachricht"),
        ] {
            let xml = minimal(v).replace("xdatenfelder.stammdatenschema.0102", root);
            assert_eq!(says(&xml, what), Some(Position { line: 2, column: 1 }));
        }
    }
    says("<html xmlns=\"http://www.w3.org/1999/xhtml\"/>", "keine XDatenfelder-Nachricht");
    says("<root/>", "ohne Namensraum");
    says(&genericode("urn:x", "1", &[("code", true)], &[], &[&["a"]]), "genericode-Codeliste");
}

#[test]
fn unknown_look_alike_and_mixed_namespaces() {
    let look_alike = minimal(V::Three).replace("xdatenfelder_3.0.0", "xdatenfelder_3");
    assert_eq!(
        says(&look_alike, "unbekannter XDatenfelder-Namensraum 'urn:xoev-de:fim:standard:xdatenfelder_3'"),
        Some(Position { line: 2, column: 1 })
    );
    says(&minimal(V::Two).replace("xdatenfelder_2", "xdatenfelder_2.0"), "unbekannter XDatenfelder-Namensraum");
    let mixed = minimal(V::Two).replace(
        "<xdf:name>Vorname</xdf:name>",
        "<xdf:name>Vorname</xdf:name><x3:stichwort xmlns:x3=\"urn:xoev-de:fim:standard:xdatenfelder_3.0.0\">a</x3:stichwort>",
    );
    assert!(says(&mixed, "der anderen XDatenfelder-Version").is_some());
}

#[test]
fn missing_parts() {
    for v in BOTH {
        let no_header = minimal(v).replace("<xdf:header>", "<xdf:kopf>").replace("</xdf:header>", "</xdf:kopf>");
        says(&no_header, "'header'");
        let no_schema = minimal(v).replace("xdf:stammdatenschema>", "xdf:schema>");
        says(&no_schema, "'stammdatenschema'");
        let no_id = minimal(v).replacen("<xdf:id>S99000001</xdf:id>", "", 1);
        says(&no_id, "'identifikation/id'");
        let no_field_id = minimal(v).replacen("<xdf:id>F1000001</xdf:id>", "<xdf:id> </xdf:id>", 1);
        says(&no_field_id, "'identifikation/id'");
        let title = if v == V::Two {
            "<xdf:bezeichnungEingabe>Ein Testantrag</xdf:bezeichnungEingabe>"
        } else {
            "<xdf:bezeichnung>Ein Testantrag</xdf:bezeichnung>"
        };
        says(&minimal(v).replacen(title, "", 1), "keinen Titel");
        says(&message(v, ""), "keine 'struktur'");
        let no_feldart = minimal(v).replace("<xdf:feldart><code>input</code></xdf:feldart>", "");
        says(&no_feldart, "'feldart'");
        let empty_datentyp = minimal(v)
            .replace("<xdf:datentyp><code>text</code></xdf:datentyp>", "<xdf:datentyp><!-- nichts --></xdf:datentyp>");
        says(&empty_datentyp, "'datentyp' hat keinen Wert");
    }
}

#[test]
fn bad_struktur_and_anzahl() {
    for v in BOTH {
        for bad in ["1", "a:b", "1:", "-1:2", "2:1", "1:99999999999"] {
            let xml = minimal(v).replace("<xdf:anzahl>1:1</xdf:anzahl>", &format!("<xdf:anzahl>{bad}</xdf:anzahl>"));
            let at = says(&xml, &format!("'{bad}'"));
            assert_eq!(at.map(|p| p.line), Some(5), "{bad}");
        }
        says(&minimal(v).replace("<xdf:anzahl>1:1</xdf:anzahl>", ""), "'anzahl'");
        let empty = message(v, &use_(v, "1:1", ""));
        says(&empty, "'enthaelt' ist leer");
        let both = message(
            v,
            &use_(
                v,
                "1:1",
                &[field(v, "F1", "A", "input", "text", ""), group(v, "G1", "B", "", &text_field(v, "F2", "C"))]
                    .concat(),
            ),
        );
        says(&both, "genau eines");
    }
}

#[test]
fn schema_versions_must_fit_the_message_version() {
    says(
        &minimal(V::Two).replacen("<xdf:version>1.2</xdf:version>", "<xdf:version>1.2.0</xdf:version>", 1),
        "'1.2' (zwei Zahlen)",
    );
    says(
        &minimal(V::Three).replacen("<xdf:version>1.2.0</xdf:version>", "<xdf:version>1.2</xdf:version>", 1),
        "'1.2.0' (drei Zahlen)",
    );
    says(&minimal(V::Two).replacen("<xdf:version>1.2</xdf:version>", "<xdf:version>eins</xdf:version>", 1), "'eins'");
    // On inner elements a misfit is reported, not refused.
    let inner = minimal(V::Two).replacen("<xdf:version>1.0</xdf:version>", "<xdf:version>1.0.0</xdf:version>", 1);
    let imported = ok(&inner);
    assert!(said_about(&imported, "F1000001").contains("Versionsmuster"));
}

#[test]
fn duplicate_ids_where_they_matter() {
    let v = V::Three;
    let werte = "<xdf:werte><xdf:wert><xdf:code>a</xdf:code><xdf:name>A</xdf:name></xdf:wert><xdf:wert><xdf:code>a</xdf:code><xdf:name>B</xdf:name></xdf:wert></xdf:werte>";
    says(
        &message(v, &use_(v, "1:1", &field(v, "F1", "Wahl", "select", "text", werte))),
        "'a' kommt in 'werte' doppelt vor",
    );
    for v in BOTH {
        // The same id and version twice with the same content is normal (a field used in several places) …
        let same = [text_field(v, "F7", "Ort"), text_field(v, "F7", "Ort")].concat();
        assert!(run(&message(v, &same)).is_ok());
        // … with different content it is a contradiction.
        let clash = [text_field(v, "F7", "Ort"), use_(v, "1:1", &field(v, "F7", "Ort", "input", "date", ""))].concat();
        says(&message(v, &clash), "F7");
        let kinds = [text_field(v, "F7", "Ort"), use_(v, "1:1", &group(v, "F7", "Ort", "", &text_field(v, "F8", "x")))]
            .concat();
        says(&message(v, &kinds), "F7");
    }
}

#[test]
fn a_schema_of_which_nothing_can_be_imported() {
    let v = V::Three;
    let xml = message(v, &use_(v, "1:1", &field(v, "F1", "Geheim", "hidden", "text", "")));
    says(&xml, "mindestens einen Schritt");
}

#[test]
fn an_invalid_form_id_is_refused() {
    let e = formdesk_fim::import(
        minimal(V::Two).as_bytes(),
        "t.xml",
        &formdesk_fim::CodeListSource::empty(),
        &formdesk_fim::Options { id: Some("Mein Antrag".into()), ..Default::default() },
    )
    .expect_err("refused");
    assert!(e.to_string().contains("'Mein Antrag'"));
}

#[test]
fn every_problem_of_a_file_is_named_in_one_run() {
    let v = V::Two;
    let body = [
        minimal(v)
            .split("<xdf:struktur>")
            .nth(1)
            .map(|s| format!("<xdf:struktur>{}", s.split("</xdf:stammdatenschema>").next().unwrap_or_default()))
            .unwrap_or_default(),
        use_(v, "x", &field(v, "F2", "B", "input", "text", "")),
        use_(
            v,
            "1:1",
            &field(v, "F3", "C", "input", "text", "").replace("<xdf:feldart><code>input</code></xdf:feldart>", ""),
        ),
    ]
    .concat();
    let e = refused(message(v, &body).as_bytes());
    assert_eq!(e.problems.len(), 2, "{e}");
    assert!(e.problems.iter().all(|p| p.position.is_some()));
}
