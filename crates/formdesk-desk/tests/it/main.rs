//! The desk API that the Tauri commands call, exercised without a window.

mod bindings;
mod drafts;

use formdesk_catalog::Catalog;
use formdesk_desk::ipc::{ErrorCode, IpcError};
use formdesk_desk::{Desk, FixedClock};
use formdesk_engine::{Answers, NaiveDate};
use serde_json::json;

pub fn desk() -> Desk {
    let catalog = Catalog::embedded().expect("the embedded forms load");
    Desk::new(catalog, FixedClock::on(NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")))
}

#[test]
fn lists_the_installed_forms_in_the_requested_language() {
    let desk = desk();
    let forms = desk.forms("de");
    assert!(forms.len() >= 6);
    let dog = forms.iter().find(|f| f.id == "hundeanmeldung").expect("Hundeanmeldung is installed");
    assert!(dog.title.contains("Hund"), "{}", dog.title);
    assert!(dog.languages.contains(&"tr".to_owned()));
    let english = desk.forms("en");
    let dog_en = english.iter().find(|f| f.id == "hundeanmeldung").expect("installed");
    assert_ne!(dog.title, dog_en.title);
}

#[test]
fn opening_a_form_shows_its_first_step_with_nothing_entered() {
    let state = desk().open("hundeanmeldung", "de").expect("opens");
    assert_eq!(state.form_id, "hundeanmeldung");
    let first = state.steps.iter().find(|s| s.visible).expect("a visible step");
    assert!(!first.items.is_empty());
    assert!(first.items.iter().all(|i| i.value.is_null()
        || i.kind == formdesk_engine::ItemKind::Computed
        || i.kind == formdesk_engine::ItemKind::Info));
    assert!(!state.complete);
}

#[test]
fn evaluating_answers_uses_the_desk_clock() {
    let desk = desk();
    let answers: Answers = json!({"halter_geburtsdatum": "2008-11-25"}).as_object().cloned().unwrap_or_default();
    let state = desk.evaluate("hundeanmeldung", &answers, "de").expect("evaluates");
    assert!(
        state.errors.iter().any(|e| e.path == "halter_geburtsdatum" && e.code == "below_min_age"),
        "17 years and 364 days on 2026-11-24: {:?}",
        state.errors
    );
}

#[test]
fn an_unknown_form_is_a_coded_error() {
    let err = desk().open("gibtsnicht", "de").expect_err("not installed");
    let ipc = IpcError::from(err);
    assert_eq!(ipc.code, ErrorCode::UnknownForm);
    assert!(ipc.message.contains("gibtsnicht"));
    assert_eq!(serde_json::to_value(&ipc).expect("json")["code"], "unknown_form");
}
