//! The optional `fim` property: carried on the form, its steps, items and code lists, never interpreted.

use formdesk_engine::definition::FimReference;
use formdesk_engine::{CodeLists, DefinitionError, Form};
use serde_json::{Value, json};

fn definition(fim_on_item: Value) -> Value {
    json!({
        "formatVersion": 1, "id": "test", "version": "1.0.0",
        "title": {"de": "Test", "en": "Test"}, "destination": "test", "languages": ["de", "en"],
        "fim": {"id": "S00000045", "version": "1.2", "xdf": "3.0.0"},
        "codeLists": {"arten": {"formatVersion": 1, "id": "arten", "version": "1.0.0",
            "title": {"de": "Arten", "en": "Kinds"}, "fim": {"id": "urn:de:example:arten", "version": "2"},
            "entries": [{"value": "a", "label": {"de": "A", "en": "A"}}]}},
        "steps": [{"id": "s1", "title": {"de": "Schritt", "en": "Step"}, "fim": {"id": "G00000123"},
            "items": [{"kind": "text", "id": "name", "label": {"de": "Name", "en": "Name"}, "fim": fim_on_item}]}]
    })
}

fn fim(id: &str, version: Option<&str>, xdf: Option<&str>) -> FimReference {
    FimReference { id: id.into(), version: version.map(Into::into), xdf: xdf.map(Into::into) }
}

#[test]
fn fim_is_carried_on_form_step_item_and_code_list() {
    let def = definition(json!({"id": "F99000011", "version": "1.0"}));
    let form = Form::from_json(&def.to_string(), &CodeLists::default()).expect("loads");
    let d = form.definition();
    assert_eq!(d.fim, Some(fim("S00000045", Some("1.2"), Some("3.0.0"))));
    assert_eq!(d.steps[0].fim, Some(fim("G00000123", None, None)));
    assert_eq!(form.item("name").and_then(|i| i.fim.clone()), Some(fim("F99000011", Some("1.0"), None)));
    assert_eq!(d.code_lists["arten"].fim, Some(fim("urn:de:example:arten", Some("2"), None)));
    // Written back as it was read, so an importer can compare.
    let again = serde_json::to_value(d).expect("serializes");
    assert_eq!(again["steps"][0]["items"][0]["fim"], json!({"id": "F99000011", "version": "1.0"}));
    assert_eq!(again["fim"], def["fim"]);
}

#[test]
fn fim_on_a_shared_code_list_is_kept() {
    let mut lists = CodeLists::default();
    let text = json!({"formatVersion": 1, "id": "rassen", "version": "1.0.0", "title": {"de": "R", "en": "R"},
        "fim": {"id": "urn:xoev-de:example:rassen", "version": "2024-01"},
        "entries": [{"value": "x", "label": {"de": "X", "en": "X"}}]});
    assert_eq!(lists.add_json(&text.to_string()).expect("loads"), "rassen");
    assert_eq!(lists.fim("rassen"), Some(&fim("urn:xoev-de:example:rassen", Some("2024-01"), None)));
}

#[test]
fn a_malformed_fim_is_an_error_at_its_path() {
    let def = definition(json!({"version": "1.0", "extra": true}));
    let errors: Vec<DefinitionError> = match Form::from_json(&def.to_string(), &CodeLists::default()) {
        Ok(_) => panic!("a fim without id loaded"),
        Err(e) => e.0,
    };
    assert!(errors.iter().any(|e| e.path == "$.steps[0].items[0].fim" && e.message.contains("\"id\"")), "{errors:#?}");
    let mut def = definition(json!({"id": "F1"}));
    def["fim"]["xdf"] = json!("4.0");
    let errors = Form::from_json(&def.to_string(), &CodeLists::default()).expect_err("refused").0;
    assert!(errors.iter().any(|e| e.path == "$.fim.xdf"), "{errors:#?}");
}
