//! The desk API that the Tauri commands call, exercised without a window.

mod bindings;
mod drafts;
mod files;
mod leak;
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
