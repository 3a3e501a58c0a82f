//! `diff`: what a newer schema changes against a form, matched by the `fim` ids the form keeps.

use crate::support::*;
use formdesk_fim::{ChangeKind, CodeListSource, diff};
use serde_json::json;

const URI: &str = "urn:de:test:codeliste:rasse";

fn rassen(version: &str, rows: &[&[&str]]) -> String {
    genericode(URI, version, &[("code", true), ("name", true)], &[], rows)
}

fn schema(v: V, person: &str, hund: &str, list_version: &str) -> String {
    let r = match v {
        V::Two => format!(
            "<xdf:praezisierung/><xdf:inhalt/><xdf:codelisteReferenz><xdf:identifikation><xdf:id>C1</xdf:id></xdf:identifikation><xdf:genericodeIdentification>\
             <xdf:canonicalIdentification>{URI}</xdf:canonicalIdentification><xdf:version>{list_version}</xdf:version>\
             <xdf:canonicalVersionUri>{URI}_{list_version}</xdf:canonicalVersionUri></xdf:genericodeIdentification></xdf:codelisteReferenz>"
        ),
        V::Three => format!(
            "<xdf:codelisteReferenz><xdf:canonicalIdentification>{URI}</xdf:canonicalIdentification><xdf:version>{list_version}</xdf:version></xdf:codelisteReferenz>"
        ),
    };
    let rasse = use_(v, "1:1", &field(v, "F3000001", "Rasse", "select", "text", &r));
    let body = [
        use_(v, "1:1", &group(v, "G1000001", "Person", "", person)),
        use_(v, "1:3", &group(v, "G2000001", "Hund", "", &format!("{hund}{rasse}"))),
    ]
    .concat();
    message(v, &body)
}

fn base(v: V) -> (String, String) {
    let person = [text_field(v, "F1000001", "Vorname"), text_field(v, "F1000002", "Geburtsort")].concat();
    let hund =
        [text_field(v, "F2000001", "Rufname"), use_(v, "0:1", &field(v, "F2000002", "Wurfdatum", "input", "text", ""))]
            .concat();
    (person, hund)
}

#[test]
fn the_same_schema_changes_nothing() {
    for v in BOTH {
        let source = lists(&[("r.xml", &rassen("1", &[&["a", "Akita"]]))]);
        let (person, hund) = base(v);
        let xml = schema(v, &person, &hund, "1");
        let form = run_with(&xml, &source).unwrap_or_else(|e| panic!("{e}")).form;
        let d = diff(&form, xml.as_bytes(), "neu.xml", &source).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.changes, vec![]);
        assert!(d.to_string().contains("Keine Änderungen"));
    }
}

#[test]
fn added_removed_retyped_moved_relabelled_and_new_versions() {
    for v in BOTH {
        let old_source = lists(&[("r.xml", &rassen("1", &[&["a", "Akita"], &["b", "Beagle"]]))]);
        let (person, hund) = base(v);
        let mut form = run_with(&schema(v, &person, &hund, "1"), &old_source).unwrap_or_else(|e| panic!("{e}")).form;
        // The author added a field by hand; it has no `fim` and is not compared.
        if let Some(items) = form["steps"][0]["items"].as_array_mut() {
            items.push(json!({"kind": "email", "id": "email", "label": {"de": "E-Mail", "en": "Email"}}));
        }
        // Geburtsort moves into the dog's group, Wurfdatum becomes a date, Rufname gets a new label and
        // version, Vorname is removed, Telefon is new; the breed list has a new version.
        let new_person = text_field(v, "F1000003", "Telefon");
        let rufname = field(v, "F2000001", "Rufname", "input", "text", "")
            .replace(
                "<xdf:bezeichnungEingabe>Rufname</xdf:bezeichnungEingabe>",
                "<xdf:bezeichnungEingabe>Name des Hundes</xdf:bezeichnungEingabe>",
            )
            .replacen(
                if v == V::Two { "<xdf:version>1.0</xdf:version>" } else { "<xdf:version>1.0.0</xdf:version>" },
                if v == V::Two { "<xdf:version>1.1</xdf:version>" } else { "<xdf:version>1.1.0</xdf:version>" },
                1,
            );
        let new_hund = [
            use_(v, "1:1", &rufname),
            use_(v, "0:1", &field(v, "F2000002", "Wurfdatum", "input", "date", "")),
            text_field(v, "F1000002", "Geburtsort"),
        ]
        .concat();
        let new_source = lists(&[("r.xml", &rassen("2", &[&["a", "Akita"], &["c", "Chow-Chow"]]))]);
        let xml = schema(v, &new_person, &new_hund, "2");
        let d = diff(&form, xml.as_bytes(), "neu.xml", &new_source).unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(ChangeKind, String)> = d.changes.iter().map(|c| (c.kind, c.fim.clone())).collect();
        assert_eq!(
            got,
            vec![
                (ChangeKind::Added, "F1000003".into()),
                (ChangeKind::Removed, "F1000001".into()),
                (ChangeKind::Retyped, "F2000002".into()),
                (ChangeKind::Moved, "F1000002".into()),
                (ChangeKind::Relabelled, "F2000001".into()),
                (ChangeKind::NewVersion, "F2000001".into()),
                (ChangeKind::CodeList, URI.into()),
            ],
            "{v:?}: {d}"
        );
        let moved = d.changes.iter().find(|c| c.kind == ChangeKind::Moved).unwrap_or_else(|| panic!("moved"));
        assert_eq!((moved.path.as_deref(), moved.new_path.as_deref()), (Some("geburtsort"), Some("hund[].geburtsort")));
        let text = d.to_string();
        for expected in [
            "## Neu im Schema",
            "„Telefon“ (F1000003, text) käme als `telefon` hinzu",
            "## Nicht mehr im Schema",
            "`hund[].wurfdatum` (F2000002): text → date",
            "„Rufname“ → „Name des Hundes“",
            "Codeliste `rasse` (urn:de:test:codeliste:rasse): Version 1 → 2; neue Einträge: c; entfallene Einträge: b",
        ] {
            assert!(text.contains(expected), "{expected} missing in\n{text}");
        }
        assert!(!text.contains("email"));
    }
}

#[test]
fn a_field_that_starts_to_repeat_is_retyped() {
    let v = V::Three;
    let one = message(v, &text_field(v, "F1", "Telefon"));
    let many = message(v, &use_(v, "1:5", &field(v, "F1", "Telefon", "input", "text", "")));
    let form = ok(&one).form;
    let d = diff(&form, many.as_bytes(), "neu.xml", &CodeListSource::empty()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.changes.len(), 1, "{d}");
    assert_eq!(d.changes[0].kind, ChangeKind::Retyped);
    assert_eq!(d.changes[0].after.as_deref(), Some("text (wiederholbar)"));
}

#[test]
fn a_bad_new_schema_is_refused_as_an_import_would_be() {
    let form = ok(&message(V::Two, &text_field(V::Two, "F1", "A"))).form;
    let e = diff(&form, b"kein XML", "neu.xml", &CodeListSource::empty()).expect_err("refused");
    assert!(e.to_string().starts_with("neu.xml:"));
}
