//! Steps and groups (design sections 4.2, 4.3) and ids (4.5).

use crate::support::*;
use formdesk_fim::{FindingKind, Nesting, nesting};
use serde_json::{Value, json};

fn kids(v: V) -> String {
    [text_field(v, "F2000001", "Vorname"), use_(v, "0:1", &field(v, "F2000002", "Zusatz", "input", "text", ""))]
        .concat()
}

fn grouped(v: V, anzahl: &str) -> String {
    use_(v, anzahl, &group(v, "G2000001", "Person", "", &kids(v)))
}

/// The schema with `inner` as the only child of a top-level `1:1` group „Antrag“.
fn inside(v: V, inner: &str) -> formdesk_fim::Import {
    ok(&message(v, &use_(v, "1:1", &group(v, "G2000000", "Antrag", "", inner))))
}

#[test]
fn a_top_level_group_is_a_step() {
    for v in BOTH {
        let g = group(v, "G2000001", "Person", "", &kids(v)).replacen(
            "<xdf:hilfetextEingabe/>",
            "<xdf:hilfetextEingabe>Zur Person</xdf:hilfetextEingabe>",
            1,
        );
        let g = if v == V::Three {
            g.replacen(
                "<xdf:schemaelementart>",
                "<xdf:hilfetextEingabe>Zur Person</xdf:hilfetextEingabe><xdf:schemaelementart>",
                1,
            )
        } else {
            g
        };
        let imported = ok(&message(v, &use_(v, "1:1", &g)));
        let step = &imported.form["steps"][0];
        assert_eq!(step["id"], "person");
        assert_eq!(step["title"], json!({"de": "Person", "en": "Person"}));
        assert_eq!(step["description"], json!({"de": "Zur Person"}), "{v:?}");
        assert_eq!(step["fim"]["id"], "G2000001");
        assert_eq!(step["items"][0]["id"], "vorname");
        assert_eq!(step["items"][0]["required"], true);
        assert!(step["items"][1].get("required").is_none());
    }
}

#[test]
fn an_optional_top_level_group_is_a_step_with_a_hint() {
    for v in BOTH {
        let imported = ok(&message(v, &grouped(v, "0:1")));
        assert_eq!(imported.form["steps"][0]["items"][0]["required"], true);
        assert!(said_about(&imported, "G2000001").contains("Gruppe optional (0:1)"));
    }
}

#[test]
fn a_repeating_top_level_group_is_a_step_holding_a_repeat_group() {
    for v in BOTH {
        let imported = ok(&message(v, &grouped(v, "0:*")));
        let step = &imported.form["steps"][0];
        assert_eq!(step["id"], "person_schritt");
        let g = &step["items"][0];
        assert_eq!(g["id"], "person");
        assert_eq!(g["repeat"], json!({"min": 0, "max": 99}));
        assert_eq!(g["itemLabel"], json!({"de": "Person", "en": "Person"}));
        assert_eq!(g["items"][0]["required"], true);
    }
}

#[test]
fn loose_top_level_fields_are_collected_into_steps_between_groups() {
    for v in BOTH {
        let body =
            [text_field(v, "F1", "A"), text_field(v, "F2", "B"), grouped(v, "1:1"), text_field(v, "F3", "C")].concat();
        let imported = ok(&message(v, &body));
        let steps = imported.form["steps"].as_array().cloned().unwrap_or_default();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0]["title"]["de"], "Ein Testantrag");
        assert_eq!(steps[0]["items"].as_array().map(Vec::len), Some(2));
        assert_eq!(steps[0]["id"], "testschema");
        assert_eq!(steps[2]["id"], "testschema_2");
    }
}

#[test]
fn nested_groups_by_cardinality() {
    for v in BOTH {
        let plain = inside(v, &grouped(v, "1:1"));
        let g = item(&plain.form, "G2000001");
        assert!(g.get("repeat").is_none());
        assert_eq!(g["items"][0]["required"], true);

        let optional = inside(v, &grouped(v, "0:1"));
        assert_eq!(item(&optional.form, "G2000001")["repeat"], json!({"min": 0, "max": 1}));

        let many = inside(v, &grouped(v, "2:6"));
        let g = item(&many.form, "G2000001");
        assert_eq!(g["repeat"], json!({"min": 2, "max": 6}));
        assert_eq!(g["itemLabel"]["de"], "Person");

        let none = inside(v, &[grouped(v, "0:0"), text_field(v, "F9", "Rest")].concat());
        assert_eq!(kinds_about(&none, "G2000001"), vec![FindingKind::Dropped]);
    }
}

#[test]
fn an_optional_group_holding_groups_is_a_repeat_group_of_at_most_one() {
    for v in BOTH {
        let inner = use_(v, "1:1", &group(v, "G2000002", "Adresse", "", &text_field(v, "F2000003", "Straße")));
        let outer = use_(v, "0:1", &group(v, "G2000001", "Person", "", &[kids(v), inner].concat()));
        let imported = inside(v, &outer);
        let g = item(&imported.form, "G2000001");
        assert_eq!(g["repeat"], json!({"min": 0, "max": 1}));
        // The address stays a group of its own inside the instance, its field required there.
        let address = item(&imported.form, "G2000002");
        assert_eq!(address["kind"], "group");
        assert!(address.get("repeat").is_none());
        assert_eq!(item(&imported.form, "F2000003")["required"], true);
        assert_eq!(item(&imported.form, "F2000003")["id"], "strasse");
    }
}

#[test]
fn groups_nest_inside_repeat_groups_down_to_the_formats_limit() {
    assert_eq!(nesting(1, Some(1), 0), Nesting::Group);
    assert_eq!(nesting(0, Some(1), 0), Nesting::Repeat);
    assert_eq!(nesting(1, None, 2), Nesting::Repeat);
    assert_eq!(nesting(1, Some(1), 3), Nesting::Group);
    assert_eq!(nesting(0, Some(1), 3), Nesting::OptionalGroup);
    assert_eq!(nesting(0, None, 3), Nesting::Drop);
    for v in BOTH {
        let flat = use_(v, "1:1", &group(v, "G3000001", "Anschrift", "", &text_field(v, "F3000001", "Ort")));
        let deep = use_(v, "0:*", &group(v, "G3000002", "Einkommen", "", &text_field(v, "F3000002", "Betrag")));
        let many = use_(v, "1:*", &field(v, "F3000003", "Telefon", "input", "text", ""));
        let person = use_(
            v,
            "1:4",
            &group(v, "G2000001", "Person", "", &[text_field(v, "F2000001", "Vorname"), flat, deep, many].concat()),
        );
        let imported = ok(&message(v, &person));
        let g = item(&imported.form, "G2000001");
        let kinds: Vec<(Value, Value)> = g["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| (i["id"].clone(), i.get("repeat").cloned().unwrap_or(Value::Null)))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (json!("vorname"), Value::Null),
                (json!("anschrift"), Value::Null),
                (json!("einkommen"), json!({"min": 0, "max": 99})),
                (json!("telefon_liste"), json!({"min": 1, "max": 99})),
            ]
        );
        assert!(kinds_about(&imported, "G3000002").iter().all(|k| *k != FindingKind::Dropped));
        assert!(kinds_about(&imported, "F3000003").iter().all(|k| *k != FindingKind::Dropped));
    }
}

#[test]
fn a_fourth_nested_repeat_group_is_dropped_and_reported() {
    for v in BOTH {
        let mut nested = use_(v, "1:3", &group(v, "G3100004", "Ebene 4", "", &text_field(v, "F3100004", "Innen")));
        for level in (1..=3).rev() {
            let fields = text_field(v, &format!("F310000{level}"), &format!("Feld {level}"));
            nested = use_(
                v,
                "1:3",
                &group(v, &format!("G310000{level}"), &format!("Ebene {level}"), "", &[fields, nested].concat()),
            );
        }
        let imported = inside(v, &nested);
        assert_eq!(item(&imported.form, "G3100003")["repeat"], json!({"min": 1, "max": 3}));
        assert_eq!(kinds_about(&imported, "G3100004"), vec![FindingKind::Dropped]);
        assert!(said_about(&imported, "G3100004").contains("höchstens 3"));
    }
}

#[test]
fn a_choice_group_has_optional_children_and_a_hint() {
    let v = V::Three;
    let choice = use_(
        v,
        "1:1",
        &group(
            v,
            "G4000001",
            "Erreichbarkeit",
            "<xdf:art><code>X</code></xdf:art>",
            &[text_field(v, "F4000001", "Telefon"), text_field(v, "F4000002", "E-Mail")].concat(),
        ),
    );
    let imported = inside(v, &choice);
    assert!(item(&imported.form, "F4000001").get("required").is_none());
    assert!(said_about(&imported, "G4000001").contains("genau eine Angabe aus Telefon, E-Mail"));
}

#[test]
fn abstract_elements_and_unreleased_status_are_hinted() {
    for v in BOTH {
        let abs = field(v, "F5000001", "Abstrakt", "input", "text", "").replace("<code>HAR</code>", "<code>ABS</code>");
        let draft = match v {
            V::Two => field(v, "F5000002", "Entwurf", "input", "text", "")
                .replace("<code>aktiv</code>", "<code>inVorbereitung</code>"),
            V::Three => {
                field(v, "F5000002", "Entwurf", "input", "text", "").replace("<code>6</code>", "<code>2</code>")
            }
        };
        let imported = ok(&message(v, &[use_(v, "1:1", &abs), use_(v, "1:1", &draft)].concat()));
        assert!(said_about(&imported, "F5000001").contains("ABS"));
        assert!(said_about(&imported, "F5000002").contains("nicht freigegeben"));
    }
}

#[test]
fn ids_from_names() {
    let v = V::Two;
    let body = [
        text_field(v, "F1", "Straße und Hausnr."),
        text_field(v, "F2", "Straße und Hausnr."),
        text_field(v, "F3", "1. Wohnsitz"),
        text_field(v, "F4", "Café Größe"),
        text_field(v, "F5", "item"),
        text_field(v, "F6", "!!!"),
    ]
    .concat();
    let imported = ok(&message(v, &body));
    let ids: Vec<Value> = items(&imported.form).into_iter().map(|i| i["id"].clone()).collect();
    assert_eq!(
        ids,
        vec![
            json!("strasse_und_hausnr"),
            json!("strasse_und_hausnr_2"),
            json!("f_1_wohnsitz"),
            json!("cafe_groesse"),
            json!("item_feld"),
            json!("feld")
        ]
    );
    let named = formdesk_fim::import(
        message(v, &body).as_bytes(),
        "t.xml",
        &formdesk_fim::CodeListSource::empty(),
        &formdesk_fim::Options { id: Some("mein-antrag".into()), destination: Some("stadt".into()), force: false },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(named.form["id"], "mein-antrag");
    assert_eq!(named.form["destination"], "stadt");
    assert!(named.report.of(FindingKind::Todo).all(|f| !f.message.contains("destination")));
}
