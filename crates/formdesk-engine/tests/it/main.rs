//! Integration tests of the engine through its public API.

mod definitions;
mod evaluation;
mod expressions;
mod fim;
mod fuzz;
mod lookup;
mod nesting;
mod nulls;
mod patterns;
mod times;

use formdesk_engine::{Answers, CodeLists, Form, FormState, NaiveDate};
use serde_json::{Value, json};

/// The reference date of every test.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).expect("a valid date")
}

/// A form with one step holding `items`.
pub fn form_with(items: Value) -> Result<Form, formdesk_engine::DefinitionErrors> {
    let def = json!({
        "formatVersion": 1, "id": "test", "version": "1.0.0",
        "title": {"de": "Test", "en": "Test"}, "destination": "test", "languages": ["de", "en"],
        "steps": [{"id": "s1", "title": {"de": "Schritt", "en": "Step"}, "items": items}]
    });
    Form::from_json(&def.to_string(), &CodeLists::default())
}

/// Evaluates `answers` (a JSON object) in German at [`today`].
pub fn eval(form: &Form, answers: Value) -> FormState {
    let answers: Answers = answers.as_object().cloned().unwrap_or_default();
    form.evaluate(&answers, "de", today())
}

/// The error codes of a state, by path.
pub fn errors(state: &FormState) -> Vec<(String, String)> {
    state.errors.iter().map(|e| (e.path.clone(), e.code.clone())).collect()
}
