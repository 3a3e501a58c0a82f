//! `pattern` on text fields and the `matches()` function.

use super::{errors, eval, form_with};
use serde_json::json;

fn pair(path: &str, code: &str) -> (String, String) {
    (path.to_owned(), code.to_owned())
}

fn register_form() -> formdesk_engine::Form {
    form_with(json!([
        {"kind": "text", "id": "register", "label": {"de": "Registernummer", "en": "Register number"},
         "pattern": "HR[AB] [0-9]{1,6}"},
        {"kind": "longText", "id": "notiz", "label": {"de": "Notiz", "en": "Note"}, "pattern": "[a-z ]+",
         "patternMessage": {"de": "Nur Kleinbuchstaben.", "en": "Lower case only."}},
        {"kind": "boolean", "id": "gmbh", "label": {"de": "GmbH", "en": "Ltd"},
         "relevant": "matches(register, \"HRB [0-9]+\")"},
        {"kind": "computed", "id": "kurz", "label": {"de": "K", "en": "K"}, "valueType": "boolean",
         "calculate": "register.matches('HRA.*')"}
    ]))
    .expect("loads")
}

#[test]
fn pattern_must_match_the_whole_answer() {
    let form = register_form();
    let state = eval(&form, json!({"register": "HRB 12345", "notiz": "alles gut"}));
    assert_eq!(errors(&state), vec![]);
    for wrong in ["HRB 12€", "xHRB 12345", "HRB 12345x", "HRB 1234567", "hrb 1"] {
        let state = eval(&form, json!({"register": wrong}));
        assert_eq!(errors(&state), vec![pair("register", "pattern_mismatch")], "{wrong}");
        assert!(state.errors[0].message.contains("verlangte Form"), "{}", state.errors[0].message);
    }
    // Surrounding spaces are trimmed like every text answer before the check.
    assert_eq!(errors(&eval(&form, json!({"register": " HRA 7 "}))), vec![]);
}

#[test]
fn pattern_message_replaces_the_built_in_one() {
    let form = register_form();
    let answers = json!({"notiz": "Groß"}).as_object().cloned().unwrap_or_default();
    let de = form.evaluate(&answers, "de", super::today());
    assert_eq!(errors(&de), vec![pair("notiz", "pattern_mismatch")]);
    assert_eq!(de.errors[0].message, "Nur Kleinbuchstaben.");
    let en = form.evaluate(&answers, "en", super::today());
    assert_eq!(en.errors[0].message, "Lower case only.");
}

#[test]
fn matches_is_anchored_and_unanswered_gives_no_value() {
    let form = register_form();
    let item_visible = |answers| {
        let state = eval(&form, answers);
        let gmbh = state.steps[0].items.iter().find(|i| i.id == "gmbh").map(|i| i.visible);
        (gmbh, state.values["kurz"].clone())
    };
    assert_eq!(item_visible(json!({"register": "HRB 12345"})), (Some(true), json!(false)));
    assert_eq!(item_visible(json!({"register": "HRA 1"})), (Some(false), json!(true)));
    // Not answered: matches() has no value, so the item is hidden and the computed value is null.
    assert_eq!(item_visible(json!({})), (Some(false), json!(null)));
}

#[test]
fn bad_patterns_are_load_errors_at_their_path() {
    let errors = form_with(json!([
        {"kind": "text", "id": "a", "label": {"de": "A", "en": "A"}, "pattern": "[0-9"},
        {"kind": "text", "id": "b", "label": {"de": "B", "en": "B"}, "pattern": "a)|(b"},
        {"kind": "integer", "id": "c", "label": {"de": "C", "en": "C"}, "pattern": "[0-9]+"},
        {"kind": "text", "id": "d", "label": {"de": "D", "en": "D"}, "patternMessage": {"de": "x", "en": "x"}},
        {"kind": "boolean", "id": "e", "label": {"de": "E", "en": "E"}, "relevant": "matches(a, '(')"},
        {"kind": "boolean", "id": "f", "label": {"de": "F", "en": "F"}, "relevant": "matches(a, b)"},
        {"kind": "boolean", "id": "g", "label": {"de": "G", "en": "G"}, "relevant": "matches(1, 'x')"}
    ]))
    .expect_err("refused")
    .0;
    let has = |path: &str, text: &str| errors.iter().any(|e| e.path == path && e.message.contains(text));
    assert!(has("$.steps[0].items[0].pattern", "not a valid regular expression"), "{errors:#?}");
    assert!(has("$.steps[0].items[1].pattern", "not a valid regular expression"), "{errors:#?}");
    assert!(has("$.steps[0].items[2].pattern", "'pattern' does not apply to an item of kind 'integer'"), "{errors:#?}");
    assert!(has("$.steps[0].items[3].patternMessage", "needs a 'pattern'"), "{errors:#?}");
    assert!(has("$.steps[0].items[4].relevant", "not a valid regular expression"), "{errors:#?}");
    assert!(has("$.steps[0].items[5].relevant", "must be a text literal"), "{errors:#?}");
    assert!(has("$.steps[0].items[6].relevant", "matches() needs a text"), "{errors:#?}");
}
