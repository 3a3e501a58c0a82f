//! Warnings where a fee or a calculation can lose its value because it reads a field that may be unanswered.

use super::{eval, form_with};
use formdesk_engine::{CodeLists, Form};
use serde_json::{Value, json};

fn form(items: Value, fees: Value) -> Form {
    let def = json!({
        "formatVersion": 1, "id": "test", "version": "1.0.0",
        "title": {"de": "Test", "en": "Test"}, "destination": "test", "languages": ["de", "en"],
        "fees": fees,
        "steps": [{"id": "s1", "title": {"de": "Schritt", "en": "Step"}, "items": items}]
    });
    Form::from_json(&def.to_string(), &CodeLists::default()).expect("loads")
}

fn fee(id: &str, amount: &str) -> Value {
    json!({"id": id, "label": {"de": "G", "en": "F"}, "amount": amount})
}

fn warned(form: &Form) -> Vec<(String, String)> {
    form.warnings()
        .iter()
        .map(|w| {
            let culprit = w.message.split('\'').nth(1).unwrap_or_default().to_owned();
            (w.path.clone(), culprit)
        })
        .collect()
}

fn label(de: &str) -> Value {
    json!({"de": de, "en": de})
}

#[test]
fn an_optional_field_in_a_fee_amount_is_warned_about() {
    let items = json!([
        {"kind": "integer", "id": "anzahl", "label": label("Anzahl")},
        {"kind": "integer", "id": "pflicht", "label": label("Pflicht"), "required": true},
        {"kind": "boolean", "id": "extra", "label": label("Extra")},
        {"kind": "integer", "id": "tage", "label": label("Tage"), "required": "extra", "relevant": "extra"}
    ]);
    let fees = json!([
        fee("ungeschuetzt", "12.00 * anzahl"),
        fee("pflicht", "12.00 * pflicht"),
        fee("vorgabe", "12.00 * coalesce(anzahl, 1)"),
        fee("bedingt", "5.00 * tage"),
        {"id": "geschuetzt", "label": {"de": "G", "en": "F"}, "amount": "12.00 * anzahl", "relevant": "anzahl > 0"},
        fee("fallunterscheidung", "answered(anzahl) ? 2.00 * anzahl : 0.00")
    ]);
    let form = form(items, fees);
    assert_eq!(
        warned(&form),
        vec![("$.fees[0].amount".to_owned(), "anzahl".to_owned()), ("$.fees[3].amount".to_owned(), "tage".to_owned())]
    );
    // What the warning is about: the fee is not listed at all while the field is unanswered.
    let state = eval(&form, json!({"pflicht": 1}));
    assert!(!state.fees.iter().any(|f| f.id == "ungeschuetzt"));
    assert!(state.fees.iter().any(|f| f.id == "pflicht"));
    assert!(form.warnings()[0].message.contains("not charged"), "{}", form.warnings()[0].message);
}

#[test]
fn calculations_warn_and_pass_it_on_to_what_reads_them() {
    let items = json!([
        {"kind": "decimal", "id": "einkommen", "label": label("Einkommen")},
        {"kind": "computed", "id": "summe", "label": label("Summe"), "valueType": "decimal",
         "calculate": "einkommen * 2"},
        {"kind": "computed", "id": "sicher", "label": label("Sicher"), "valueType": "decimal",
         "calculate": "coalesce(einkommen, 0.00) * 2"},
        {"kind": "group", "id": "haushalt", "label": label("Haushalt"), "repeat": {"min": 0, "max": 5}, "items": [
            {"kind": "decimal", "id": "betrag", "label": label("Betrag")},
            {"kind": "computed", "id": "doppelt", "label": label("Doppelt"), "valueType": "decimal",
             "calculate": "item.betrag * 2"}
        ]},
        {"kind": "computed", "id": "gesamt", "label": label("Gesamt"), "valueType": "decimal",
         "calculate": "sum(haushalt.map(m, m.betrag))"}
    ]);
    let form = form(items, json!([fee("gebuehr", "summe + 1"), fee("ok", "sicher + 1")]));
    assert_eq!(
        warned(&form),
        vec![
            ("$.steps[0].items[1].calculate".to_owned(), "einkommen".to_owned()),
            ("$.steps[0].items[3].items[1].calculate".to_owned(), "betrag".to_owned()),
            ("$.fees[0].amount".to_owned(), "summe".to_owned()),
        ]
    );
}

#[test]
fn forms_without_such_reads_have_no_warnings() {
    let form = form_with(json!([
        {"kind": "integer", "id": "anzahl", "label": label("Anzahl"), "required": true},
        {"kind": "computed", "id": "betrag", "label": label("Betrag"), "valueType": "currency",
         "calculate": "anzahl == 1 ? 96.00 : 96.00 + (anzahl - 1) * 120.00"}
    ]))
    .expect("loads");
    assert!(form.warnings().is_empty(), "{:?}", form.warnings());
}
