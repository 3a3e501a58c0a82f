//! Inputs the importer refuses (design section 7): each with the place and what was expected.

use crate::support::*;
use formdesk_fim::{ErrorKind, ImportError, Position};

fn one(e: &ImportError) -> (&str, Option<Position>) {
    assert_eq!(e.kind, ErrorKind::Refused, "{e}");
    let p = e.problems.first().unwrap_or_else(|| panic!("no problem in {e:?}"));
    (p.message.as_str(), p.position)
}

#[test]
fn not_xml() {
    let e = refused(b"das ist kein XML");
    let (message, _) = one(&e);
    assert!(message.contains("XML"), "{message}");
    assert!(e.to_string().starts_with("test.xml:"), "{e}");
}

#[test]
fn a_doctype_is_refused_and_no_entity_is_expanded() {
    let body = text_field(V::Two, "F1000001", "Vorname");
    let xml = message(V::Two, &body).replacen(
        "<xdf:xdatenfelder",
        "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>\n<xdf:xdatenfelder",
        1,
    );
    let e = refused(xml.as_bytes());
    let (message, _) = one(&e);
    assert!(message.contains("DOCTYPE"), "{message}");
    let empty = message_with_doctype();
    let e = refused(empty.as_bytes());
    let (message, position) = one(&e);
    assert!(message.contains("DOCTYPE"), "{message}");
    assert_eq!(position, Some(Position { line: 2, column: 1 }));
}

fn message_with_doctype() -> String {
    message(V::Three, &text_field(V::Three, "F1000001", "Vorname")).replacen(
        "\n<xdf:xdatenfelder",
        "\n<!DOCTYPE xdf>\n<xdf:xdatenfelder",
        1,
    )
}

#[test]
fn look_alike_namespace() {
    let xml =
        message(V::Three, &text_field(V::Three, "F1000001", "Vorname")).replace("xdatenfelder_3.0.0", "xdatenfelder_3");
    let e = refused(xml.as_bytes());
    let (message, position) = one(&e);
    assert!(
        message.contains("unbekannter XDatenfelder-Namensraum 'urn:xoev-de:fim:standard:xdatenfelder_3'"),
        "{message}"
    );
    assert_eq!(position, Some(Position { line: 2, column: 1 }));
    assert_eq!(ver(V::Three, 1), "1.0.0");
}

#[test]
fn run_reports_ok_for_a_minimal_schema() {
    assert!(run(&message(V::Two, &text_field(V::Two, "F1", "A"))).is_ok());
}
