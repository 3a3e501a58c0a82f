//! The desk API that the Tauri commands call, exercised without a window.

mod audit;
mod bindings;
mod config;
mod delivery;
mod drafts;
mod files;
mod formsets;
mod leak;
mod nested;
mod pinning;
mod print;
mod receipt;
mod vault;

use formdesk_catalog::Catalog;
use formdesk_desk::ipc::{ErrorCode, FileRef, IpcError};
use formdesk_desk::{Desk, FixedClock};
use formdesk_engine::{Answers, NaiveDate};
use formdesk_vault::KdfParams;
use serde_json::{Value, json};
use std::path::Path;

/// The PIN of the clerk every test desk is set up with.
pub const PIN: &str = "246813";

/// A desk on a fresh data directory of its own, set up for "Erika" and unlocked. The directory goes when
/// the desk does.
#[derive(Debug)]
pub struct TestDesk {
    pub desk: Desk,
    pub dir: tempfile::TempDir,
    pub recovery_secret: String,
}

impl std::ops::Deref for TestDesk {
    type Target = Desk;
    fn deref(&self) -> &Desk {
        &self.desk
    }
}

/// A locked desk on the data directory `dir`, as the app opens it at start.
pub fn desk_at(dir: &Path) -> Desk {
    let catalog = Catalog::embedded().expect("the embedded forms load");
    let vault = Desk::open_vault(dir).expect("the vault opens");
    Desk::new(
        catalog,
        FixedClock::on(NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")),
        vault,
        KdfParams::FAST_INSECURE,
    )
}

pub fn desk() -> TestDesk {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let desk = desk_at(dir.path());
    let setup = desk.set_up("Erika", PIN, PIN).expect("the desk is set up");
    TestDesk { desk, dir, recovery_secret: setup.recovery_secret }
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

/// Sends a file for every file record in `answers` and puts its real ref in place of the made-up one.
pub fn replace_refs(answers: &mut serde_json::Map<String, Value>, desk: &Desk, id: u64) {
    fn walk(value: &mut Value, desk: &Desk, id: u64) {
        match value {
            Value::Object(map) => {
                if map.contains_key("ref") {
                    let name = map.get("name").and_then(Value::as_str).unwrap_or("Unterschrift.png").to_owned();
                    let media = map.get("mediaType").and_then(Value::as_str).unwrap_or("image/png").to_owned();
                    let file = send(desk, id, &name, &media, &pattern(5000));
                    map.insert("ref".into(), Value::String(file.file_ref));
                    if map.contains_key("size") {
                        map.insert("size".into(), json!(file.size));
                    }
                } else {
                    map.values_mut().for_each(|v| walk(v, desk, id));
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, desk, id)),
            _ => {}
        }
    }
    answers.values_mut().for_each(|v| walk(v, desk, id));
}

/// Bytes that are not all alike, so that a lost or swapped part shows.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect()
}

/// Sends `bytes` as a file of draft `id` in parts of 100,000 bytes, as the UI slices a file.
pub fn send(desk: &Desk, id: u64, name: &str, media_type: &str, bytes: &[u8]) -> FileRef {
    let file = desk.begin_file(id, name, media_type).expect("begins");
    for part in bytes.chunks(100_000) {
        desk.add_to_file(id, &file, part).expect("a part is stored");
    }
    desk.finish_file(id, &file).expect("finishes")
}

/// The answers of the Hundeanmeldung's complete scenario (two dogs, one of them a Listenhund).
pub fn complete_hundeanmeldung() -> serde_json::Map<String, Value> {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../forms/hundeanmeldung/scenarios/02_zwei_hunde_ein_listenhund.json");
    let scenario: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    scenario["answers"].as_object().cloned().expect("answers")
}

/// Enters `answers` into draft `id` as the UI does: files sent first, repeat groups instance by instance.
pub fn enter(desk: &Desk, id: u64, answers: &mut serde_json::Map<String, Value>) {
    replace_refs(answers, desk, id);
    for (key, value) in answers.iter() {
        enter_at(desk, id, key, value);
    }
}

/// Enters `value` at `path`; a repeat group's instances one by one, those nested in them too.
fn enter_at(desk: &Desk, id: u64, path: &str, value: &Value) {
    if let Value::Array(items) = value
        && items.first().is_some_and(|i| i.is_object() && i.get("ref").is_none())
    {
        for (n, instance) in items.iter().enumerate() {
            desk.add_instance(id, path).expect("instance");
            for (field, v) in instance.as_object().expect("object") {
                enter_at(desk, id, &format!("{path}[{n}].{field}"), v);
            }
        }
    } else {
        desk.set_answer(id, path, value.clone()).expect("answer");
    }
}
