//! Files of a draft (attachments, photos, signatures): sent in parts, kept encrypted in the vault, shown
//! again after a restart, refused when they are not the draft's, dropped when no answer uses them.

use super::{PIN, complete_hundeanmeldung, desk, desk_at, enter, pattern, send};
use formdesk_desk::ipc::{ErrorCode, FileRef, IpcError};
use formdesk_desk::{DeskError, MAX_FILE_BYTES};
use serde_json::{Value, json};

fn record(file: &FileRef) -> Value {
    json!({ "name": file.name, "mediaType": file.media_type, "size": file.size, "ref": file.file_ref })
}

fn code<T: std::fmt::Debug>(result: Result<T, DeskError>) -> ErrorCode {
    IpcError::from(result.expect_err("an error")).code
}

#[test]
fn a_photo_sent_in_parts_comes_back_identical_after_a_restart() {
    let desk = desk();
    let id = desk.start("baumfaellgenehmigung").expect("starts").draft.id;
    desk.add_instance(id, "baeume").expect("a tree");
    let photo = pattern(3 * 1024 * 1024 + 123);
    let file = send(&desk, id, "Rotbuche Wiesner.jpg", "image/jpeg", &photo);
    assert_eq!(
        (file.name.as_str(), file.media_type.as_str(), file.size),
        ("Rotbuche Wiesner.jpg", "image/jpeg", 3_145_851)
    );
    let view = desk.set_answer(id, "baeume[0].foto", json!([record(&file)])).expect("answered");
    let tree = &view.state.steps.iter().find(|s| s.id == "angaben_baeume").expect("step").items;
    assert!(format!("{tree:?}").contains("Rotbuche Wiesner.jpg"));

    let TestDir { dir, .. } = TestDir::from(desk);
    let desk = desk_at(dir.path());
    desk.unlock("Erika", PIN).expect("unlocks");
    let (again, bytes) = desk.read_file(id, &file.file_ref).expect("reads");
    assert_eq!(again, file);
    assert!(*bytes == photo, "the photo changed on its way through the vault");
    assert_eq!(desk.files(id).expect("lists"), [file]);
}

/// Takes a test desk apart, keeping its directory after the desk is dropped (the app closed).
struct TestDir {
    dir: tempfile::TempDir,
}

impl From<super::TestDesk> for TestDir {
    fn from(test: super::TestDesk) -> TestDir {
        TestDir { dir: test.dir }
    }
}

#[test]
fn a_locked_desk_takes_no_file_and_a_file_cut_off_by_the_lock_is_gone() {
    let desk = desk();
    let id = desk.start("baumfaellgenehmigung").expect("starts").draft.id;
    let file = desk.begin_file(id, "Lageplan.pdf", "application/pdf").expect("begins");
    desk.add_to_file(id, &file, &pattern(600_000)).expect("a part");
    desk.lock();
    assert_eq!(code(desk.add_to_file(id, &file, b"more")), ErrorCode::Locked);
    assert_eq!(code(desk.begin_file(id, "x.pdf", "application/pdf")), ErrorCode::Locked);
    assert_eq!(code(desk.read_file(id, &file)), ErrorCode::Locked);
    desk.unlock("Erika", PIN).expect("unlocks");
    assert_eq!(code(desk.finish_file(id, &file)), ErrorCode::File, "the cut-off file has to be sent again");
    assert!(desk.files(id).expect("lists").is_empty());
}

#[test]
fn an_answer_naming_a_file_that_is_not_the_drafts_is_refused() {
    let desk = desk();
    let a = desk.start("baumfaellgenehmigung").expect("starts").draft.id;
    let b = desk.start("baumfaellgenehmigung").expect("starts").draft.id;
    let of_a = send(&desk, a, "plan.pdf", "application/pdf", b"%PDF-1.7 plan");
    let error = desk.set_answer(b, "lageplan", json!([record(&of_a)])).expect_err("refused");
    assert_eq!(error.to_string(), "Die Datei gehört nicht (mehr) zu diesem Vorgang.");
    let made_up = json!([{ "name": "x.pdf", "mediaType": "application/pdf", "size": 3, "ref": "not-a-file" }]);
    assert_eq!(code(desk.set_answer(b, "lageplan", made_up)), ErrorCode::File);
    assert!(desk.draft(b).expect("draft").state.steps.iter().all(|s| !format!("{s:?}").contains("plan.pdf")));
    assert_eq!(code(desk.read_file(b, &of_a.file_ref)), ErrorCode::File, "read only through its own draft");
    assert_eq!(code(desk.read_file(b, "../../etc/passwd")), ErrorCode::File);
    desk.set_answer(a, "lageplan", json!([record(&of_a)])).expect("its own draft takes it");
}

#[test]
fn names_and_media_types_are_tidied_and_a_file_too_large_is_refused() {
    let desk = desk();
    let id = desk.start("baumfaellgenehmigung").expect("starts").draft.id;
    let odd = send(&desk, id, "  Plan\n\u{7}.pdf ", "text/html; <script>", b"x");
    assert_eq!((odd.name.as_str(), odd.media_type.as_str()), ("Plan.pdf", "application/octet-stream"));
    let nameless = send(&desk, id, "   ", "IMAGE/PNG", b"x");
    assert_eq!((nameless.name.as_str(), nameless.media_type.as_str()), ("Datei", "image/png"));

    let big = desk.begin_file(id, "Film.mp4", "video/mp4").expect("begins");
    let part = vec![0u8; 4 * 1024 * 1024];
    let mut sent = 0u64;
    let error = loop {
        match desk.add_to_file(id, &big, &part) {
            Ok(()) => sent += part.len() as u64,
            Err(e) => break e,
        }
    };
    assert!(sent <= MAX_FILE_BYTES);
    assert_eq!(error.to_string(), "Die Datei ist zu groß: höchstens 50 MB sind möglich.");
    assert_eq!(code(desk.finish_file(id, &big)), ErrorCode::File);
    assert_eq!(desk.files(id).expect("lists").len(), 2, "nothing of the large file is kept");
}

#[test]
fn finalizing_keeps_the_files_answers_use_and_drops_the_others() {
    let desk = desk();
    let id = desk.start("hundeanmeldung").expect("starts").draft.id;
    let mut answers = complete_hundeanmeldung();
    // The scenario's signature and files name made-up refs; real ones replace them.
    let first = send(&desk, id, "Unterschrift.png", "image/png", &pattern(20_000));
    let second = send(&desk, id, "Unterschrift.png", "image/png", &pattern(21_000));
    enter(&desk, id, &mut answers);
    let signature = answers.iter().find_map(|(k, v)| v.get("ref").map(|_| k.clone()));
    if let Some(field) = &signature {
        // Signed twice: the first signature is replaced by the second.
        desk.set_answer(id, field, json!({ "ref": first.file_ref })).expect("signed");
        desk.set_answer(id, field, json!({ "ref": second.file_ref })).expect("signed again");
    }
    let before = desk.files(id).expect("lists").len();
    let view = desk.finalize(id).expect("finalizes");
    assert_eq!(view.draft.status, formdesk_desk::drafts::DraftStatus::Final);
    let kept: Vec<String> = desk.files(id).expect("lists").into_iter().map(|f| f.file_ref).collect();
    let mut used = Vec::new();
    collect_refs(&Value::Object(answers.clone()), &mut used);
    if let Some(field) = &signature {
        used.retain(|r| *r != answers[field]["ref"]);
        used.push(second.file_ref.clone());
    }
    used.sort();
    let mut kept_sorted = kept.clone();
    kept_sorted.sort();
    assert_eq!(kept_sorted, used, "exactly the files the answers use are kept");
    assert!(kept.len() < before || signature.is_none());
    assert!(!kept.contains(&first.file_ref), "the replaced signature is gone");
    assert_eq!(code(desk.begin_file(id, "late.pdf", "application/pdf")), ErrorCode::Finalized);
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
