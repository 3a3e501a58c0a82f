//! Values on code-list entries (`data`) and `lookup("list", code, "key")`.

use super::{errors, eval};
use formdesk_engine::{CodeLists, Form};
use serde_json::{Value, json};

fn definition(extra_items: Value) -> Value {
    let mut items = vec![
        json!({"kind": "choice", "id": "nutzung", "label": {"de": "Nutzung", "en": "Use"}, "codeList": "nutzungen",
               "required": true}),
        json!({"kind": "integer", "id": "flaeche", "label": {"de": "Fläche", "en": "Area"}, "required": true}),
        json!({"kind": "computed", "id": "gruppe", "label": {"de": "Gruppe", "en": "Group"}, "valueType": "text",
               "calculate": "lookup('nutzungen', nutzung, 'gruppe')"}),
        json!({"kind": "computed", "id": "satz", "label": {"de": "Satz", "en": "Rate"}, "valueType": "currency",
               "calculate": "lookup('nutzungen', nutzung, 'satz')"}),
        json!({"kind": "boolean", "id": "ermaessigung", "label": {"de": "Ermäßigung", "en": "Reduction"},
               "relevant": "lookup('nutzungen', nutzung, 'ermaessigt') == true"}),
    ];
    items.extend(extra_items.as_array().cloned().unwrap_or_default());
    json!({
        "formatVersion": 1, "id": "test", "version": "1.0.0",
        "title": {"de": "Test", "en": "Test"}, "destination": "test", "languages": ["de", "en"],
        "codeLists": {"nutzungen": {"formatVersion": 1, "id": "nutzungen", "version": "1.0.0",
            "title": {"de": "Nutzungen", "en": "Uses"}, "entries": [
                {"value": "gastro", "label": {"de": "Gastronomie", "en": "Catering"},
                 "data": {"satz": "120.00", "gruppe": "A", "ermaessigt": false}},
                {"value": "stand", "label": {"de": "Verkaufsstand", "en": "Stall"},
                 "data": {"satz": 45.5, "gruppe": "B", "ermaessigt": true}},
                {"value": "sonst", "label": {"de": "Sonstiges", "en": "Other"}, "data": {"gruppe": "C"}}
            ]}},
        "fees": [{"id": "gebuehr", "label": {"de": "Gebühr", "en": "Fee"},
                  "amount": "lookup('nutzungen', nutzung, 'satz') * flaeche"}],
        "steps": [{"id": "s1", "title": {"de": "Schritt", "en": "Step"}, "items": items}]
    })
}

fn load(def: &Value) -> Result<Form, formdesk_engine::DefinitionErrors> {
    Form::from_json(&def.to_string(), &CodeLists::default())
}

#[test]
fn lookup_reads_the_entry_data_of_the_answered_code() {
    let form = load(&definition(json!([]))).expect("loads");
    let state = eval(&form, json!({"nutzung": "gastro", "flaeche": 3}));
    assert_eq!(errors(&state), vec![]);
    assert_eq!(state.values["satz"], json!("120.00"));
    assert_eq!(state.values["gruppe"], json!("A"));
    assert_eq!(
        state.fees.iter().map(|f| (f.id.as_str(), f.amount.as_str())).collect::<Vec<_>>(),
        [("gebuehr", "360.00")]
    );
    let state = eval(&form, json!({"nutzung": "stand", "flaeche": 2}));
    assert_eq!(state.fees[0].amount, "91.00", "a JSON number is a decimal too");
    let visible = state.steps[0].items.iter().find(|i| i.id == "ermaessigung").map(|i| i.visible);
    assert_eq!(visible, Some(true));
}

#[test]
fn lookup_without_a_code_or_without_the_key_has_no_value() {
    let form = load(&definition(json!([]))).expect("loads");
    let state = eval(&form, json!({"flaeche": 3}));
    assert_eq!(state.values["satz"], json!(null));
    assert!(state.fees.is_empty(), "no code, no amount: the fee is not listed");
    let state = eval(&form, json!({"nutzung": "sonst", "flaeche": 3}));
    assert_eq!(state.values["satz"], json!(null), "the entry has no 'satz'");
    assert_eq!(state.values["gruppe"], json!("C"));
    assert!(state.fees.is_empty());
}

#[test]
fn unknown_lists_keys_and_mixed_types_are_load_errors() {
    let errors = load(&definition(json!([
        {"kind": "computed", "id": "a", "label": {"de": "A", "en": "A"}, "valueType": "text",
         "calculate": "lookup('gibtsnicht', nutzung, 'gruppe')"},
        {"kind": "computed", "id": "b", "label": {"de": "B", "en": "B"}, "valueType": "text",
         "calculate": "lookup('nutzungen', nutzung, 'farbe')"},
        {"kind": "computed", "id": "c", "label": {"de": "C", "en": "C"}, "valueType": "text",
         "calculate": "lookup('nutzungen', nutzung, gruppe)"},
        {"kind": "computed", "id": "d", "label": {"de": "D", "en": "D"}, "valueType": "text",
         "calculate": "lookup('nutzungen', flaeche, 'gruppe')"},
        {"kind": "computed", "id": "e", "label": {"de": "E", "en": "E"}, "valueType": "text",
         "calculate": "lookup('nutzungen', nutzung, 'satz')"}
    ])))
    .expect_err("refused")
    .0;
    let has = |path: &str, text: &str| errors.iter().any(|e| e.path == path && e.message.contains(text));
    assert!(has("$.steps[0].items[5].calculate", "unknown code list 'gibtsnicht'"), "{errors:#?}");
    assert!(has("$.steps[0].items[6].calculate", "no entry of code list 'nutzungen' has 'farbe'"), "{errors:#?}");
    assert!(has("$.steps[0].items[7].calculate", "text literal"), "{errors:#?}");
    assert!(has("$.steps[0].items[8].calculate", "the code must be text"), "{errors:#?}");
    assert!(has("$.steps[0].items[9].calculate", "must be text, but"), "{errors:#?}");

    let mut def = definition(json!([]));
    def["codeLists"]["nutzungen"]["entries"][2]["data"]["satz"] = json!("frei");
    let errors = load(&def).expect_err("refused").0;
    assert!(
        errors.iter().any(|e| e.path == "$.codeLists.nutzungen.entries" && e.message.contains("'satz'")),
        "{errors:#?}"
    );
}
