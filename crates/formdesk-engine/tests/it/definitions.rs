use super::form_with;
use formdesk_engine::{CodeLists, DefinitionError, Form};
use serde_json::{Value, json};

fn errors_of(result: Result<Form, formdesk_engine::DefinitionErrors>) -> Vec<DefinitionError> {
    match result {
        Ok(_) => panic!("the definition loaded, but errors were expected"),
        Err(e) => e.0,
    }
}

fn has(errors: &[DefinitionError], path: &str, text: &str) -> bool {
    errors.iter().any(|e| e.path == path && e.message.contains(text))
}

fn assert_has(errors: &[DefinitionError], path: &str, text: &str) {
    assert!(has(errors, path, text), "no error at {path} containing {text:?}; errors: {errors:#?}");
}

#[test]
fn not_json_names_line_and_column() {
    let errors = errors_of(Form::from_json("{\n  \"id\": ", &CodeLists::default()));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].path, "$");
    assert!(errors[0].message.contains("line 2"), "{errors:?}");
}

#[test]
fn schema_violations_are_all_reported_with_paths() {
    let errors = errors_of(form_with(json!([
        {"kind": "text", "id": "a"},
        {"kind": "integer", "id": "b", "label": {"de": "B", "en": "B"}, "colour": "red"},
        {"kind": "nonsense", "id": "c", "label": {"de": "C", "en": "C"}}
    ])));
    assert_has(&errors, "$.steps[0].items[0]", "label");
    assert_has(&errors, "$.steps[0].items[1]", "colour");
    assert_has(&errors, "$.steps[0].items[2].kind", "nonsense");
}

#[test]
fn semantic_errors_are_all_reported_in_one_run() {
    let errors = errors_of(form_with(json!([
        {"kind": "integer", "id": "anzahl", "label": {"de": "Anzahl", "en": "Count"}},
        {"kind": "text", "id": "anzahl", "label": {"de": "Doppelt", "en": "Twice"}},
        {"kind": "text", "id": "b", "label": {"de": "B", "en": "B"}, "relevant": "anzal > 1"},
        {"kind": "text", "id": "c", "label": {"de": "C", "en": "C"}, "relevant": "size(b)"},
        {"kind": "computed", "id": "d", "label": {"de": "D", "en": "D"}, "valueType": "currency", "calculate": "'x'"},
        {"kind": "text", "id": "e", "label": {"de": "E", "en": "E"}, "min": 3},
        {"kind": "choice", "id": "f", "label": {"de": "F", "en": "F"}, "codeList": "gibtsnicht"},
        {"kind": "computed", "id": "g", "label": {"de": "G", "en": "G"}, "valueType": "integer", "calculate": "h + 1"},
        {"kind": "computed", "id": "h", "label": {"de": "H", "en": "H"}, "valueType": "integer", "calculate": "g + 1"},
        {"kind": "text", "id": "i", "label": {"de": "Nur deutsch"}}
    ])));
    assert_has(&errors, "$.steps[0].items[1].id", "the id 'anzahl' is already used at $.steps[0].items[0]");
    assert_has(&errors, "$.steps[0].items[2].relevant", "unknown name 'anzal'; did you mean 'anzahl'?");
    assert_has(&errors, "$.steps[0].items[3].relevant", "'relevant' must be bool");
    assert_has(&errors, "$.steps[0].items[4].calculate", "must be decimal or int");
    assert_has(&errors, "$.steps[0].items[5].min", "'min' does not apply to an item of kind 'text'");
    assert_has(&errors, "$.steps[0].items[6].codeList", "unknown code list 'gibtsnicht'");
    assert_has(&errors, "$.steps[0].items[7]", "in a circle: g → h → g");
    assert_has(&errors, "$.steps[0].items[9].label", "\"en\" is a required property");
}

#[test]
fn repeat_groups_are_checked() {
    let errors = errors_of(form_with(json!([
        {"kind": "group", "id": "hunde", "label": {"de": "Hunde", "en": "Dogs"}, "repeat": {"min": 3, "max": 2}, "items": [
            {"kind": "text", "id": "name", "label": {"de": "Name", "en": "Name"}, "relevant": "item.rasse == 'x'"},
            {"kind": "group", "id": "inner", "label": {"de": "I", "en": "I"}, "items": [
                {"kind": "text", "id": "z", "label": {"de": "Z", "en": "Z"}, "relevant": "outer.name == 'x'"}
            ]}
        ]},
        {"kind": "text", "id": "draussen", "label": {"de": "D", "en": "D"}, "relevant": "item.name == 'x'"}
    ])));
    assert_has(&errors, "$.steps[0].items[0].repeat", "found min 3 and max 2");
    assert_has(&errors, "$.steps[0].items[0].items[0].relevant", "hunde has no field 'rasse'");
    assert_has(
        &errors,
        "$.steps[0].items[0].items[1].items[0].relevant",
        "'outer' is only known inside a repeat group that stands in another repeat group",
    );
    assert_has(&errors, "$.steps[0].items[1].relevant", "'item' is only known inside a repeat group");
}

#[test]
fn a_broken_copy_of_a_real_form_reports_every_error() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../forms/hundeanmeldung/form.json");
    let mut def: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    let first = &mut def["steps"][0]["items"][0];
    let first_id = first["id"].as_str().expect("id").to_owned();
    first["relevant"] = json!("zahlungsart == 1");
    def["steps"][0]["items"][1]["id"] = json!(first_id);
    def["fees"][0]["amount"] = json!("steuer_jar");
    def["formatVersion"] = json!(1);
    let mut lists = CodeLists::default();
    for list in ["hunderassen", "listenhunde"] {
        let p = format!("{}/../../forms/codelists/{list}.json", env!("CARGO_MANIFEST_DIR"));
        lists.add_json(&std::fs::read_to_string(p).expect("read")).expect("code list loads");
    }
    let errors = errors_of(Form::from_json(&def.to_string(), &lists));
    assert_has(&errors, "$.steps[0].items[0].relevant", "'==' cannot combine text and int");
    assert_has(&errors, "$.steps[0].items[1].id", "is already used");
    assert_has(&errors, "$.fees[0].amount", "unknown name 'steuer_jar'; did you mean 'steuer_jahr'?");
    // The renamed field was the holder's family name, which the summary names.
    assert_has(&errors, "$.summary[1]", "'halter_familienname' is not a text field");
    assert_eq!(errors.len(), 4, "{errors:#?}");
}

#[test]
fn a_wrong_format_version_is_named() {
    let mut def = json!({
        "formatVersion": 2, "id": "x", "version": "1.0.0", "title": {"de": "X", "en": "X"},
        "destination": "d", "languages": ["de"], "steps": []
    });
    let errors = errors_of(Form::from_json(&def.to_string(), &CodeLists::default()));
    assert!(errors.iter().any(|e| e.path == "$.formatVersion"), "{errors:#?}");
    def["formatVersion"] = json!(1);
    def["id"] = json!("Groß Buchstaben");
    let errors = errors_of(Form::from_json(&def.to_string(), &CodeLists::default()));
    assert!(errors.iter().any(|e| e.path == "$.id"), "{errors:#?}");
}

#[test]
fn the_summary_names_only_top_level_text_fields() {
    let items = json!([
        {"kind": "text", "id": "vorname", "label": {"de": "Vorname", "en": "First name"}},
        {"kind": "date", "id": "geburtsdatum", "label": {"de": "Geburtsdatum", "en": "Date of birth"}},
        {"kind": "group", "id": "kinder", "label": {"de": "Kinder", "en": "Children"}, "repeat": {"min": 0, "max": 5},
         "items": [{"kind": "text", "id": "kind_name", "label": {"de": "Name", "en": "Name"}}]}
    ]);
    let def = |summary: Value| {
        json!({
            "formatVersion": 1, "id": "test", "version": "1.0.0",
            "title": {"de": "Test", "en": "Test"}, "destination": "test", "languages": ["de", "en"],
            "summary": summary,
            "steps": [{"id": "s1", "title": {"de": "Schritt", "en": "Step"}, "items": items}]
        })
        .to_string()
    };
    if let Err(e) = Form::from_json(&def(json!(["vorname"])), &CodeLists::default()) {
        panic!("a summary of a top-level text field is refused: {e}");
    }
    let errors =
        errors_of(Form::from_json(&def(json!(["gibtsnicht", "geburtsdatum", "kind_name"])), &CodeLists::default()));
    assert_has(&errors, "$.summary[0]", "'gibtsnicht' is not a text field");
    assert_has(&errors, "$.summary[1]", "'geburtsdatum' is not a text field");
    assert_has(&errors, "$.summary[2]", "'kind_name' is not a text field outside repeat groups");
}

#[test]
fn expressions_are_checked_even_when_the_schema_step_fails() {
    let errors = errors_of(form_with(json!([
        {"kind": "texte", "id": "a", "label": {"de": "A", "en": "A"}},
        {"kind": "group", "id": "hunde", "label": {"de": "H", "en": "D"}, "repeat": {"min": 0, "max": 3}, "items": [
            {"kind": "text", "id": "name", "label": {"de": "N", "en": "N"}, "relevant": "index > 0 && item.name != ''"}
        ]},
        {"kind": "boolean", "id": "b", "label": {"de": "B", "en": "B"},
         "relevant": "hunde.exists(h, h.name in codes('listenhunde')) && matches(a, 'x+')"},
        {"kind": "boolean", "id": "c", "label": {"de": "C", "en": "C"}, "relevant": "item.name == 'x' || zz"},
        {"kind": "boolean", "id": "d", "label": {"de": "D", "en": "D"}, "relevant": "(a"}
    ])));
    assert_has(&errors, "$.steps[0].items[0].kind", "texte");
    // Names of the form, `item` and `index` inside a repeat group, macro variables and literal ids are known.
    assert!(!errors.iter().any(|e| e.path.starts_with("$.steps[0].items[1]")), "{errors:#?}");
    assert!(!errors.iter().any(|e| e.path.starts_with("$.steps[0].items[2]")), "{errors:#?}");
    assert_has(&errors, "$.steps[0].items[3].relevant", "unknown name 'item'");
    assert_has(&errors, "$.steps[0].items[4].relevant", "at character");
    assert_eq!(errors.len(), 3, "{errors:#?}");
}
