//! The clerk's workflow on a draft: fill, navigate, review, finalize.

use super::desk;
use formdesk_desk::drafts::{DraftStatus, REVIEW};
use formdesk_desk::ipc::{DraftView, ErrorCode, IpcError};
use serde_json::{Value, json};

fn complete_answers() -> serde_json::Map<String, Value> {
    super::complete_hundeanmeldung()
}

fn code(result: Result<DraftView, formdesk_desk::DeskError>) -> ErrorCode {
    IpcError::from(result.expect_err("an error")).code
}

#[test]
fn a_clerk_fills_reviews_and_finalizes_a_hundeanmeldung() {
    let desk = desk();
    let view = desk.start("hundeanmeldung").expect("starts");
    let id = view.draft.id;
    let first = view.state.steps[0].id.clone();
    assert_eq!(view.draft.step, first);
    assert_eq!(view.draft.status, DraftStatus::Open);

    // "Weiter" on an empty first step stays and shows the step's errors.
    let view = desk.next(id).expect("next");
    assert_eq!(view.draft.step, first);
    assert_eq!(view.draft.checked, vec![first.clone()]);
    let second = view.state.steps.iter().filter(|s| s.visible).nth(1).expect("a second step").id.clone();
    assert_eq!(code(desk.go_to(id, &second)), ErrorCode::StepNotReachable, "not visited yet");
    assert_eq!(code(desk.go_to(id, REVIEW)), ErrorCode::StepNotReachable);

    // Enter everything, instance by instance for the dogs, as the UI does; files (the signature) are sent
    // first, as the UI does, and the answers name them.
    let mut answers = complete_answers();
    super::replace_refs(&mut answers, &desk, id);
    for (key, value) in &answers {
        if let Value::Array(dogs) = value {
            for (i, dog) in dogs.iter().enumerate() {
                desk.add_instance(id, key).expect("add a dog");
                for (field, v) in dog.as_object().expect("a dog") {
                    desk.set_answer(id, &format!("{key}[{i}].{field}"), v.clone()).expect("set");
                }
            }
        } else {
            desk.set_answer(id, key, value.clone()).expect("set");
        }
    }
    // Walk through every step to the review.
    let mut view = desk.draft(id).expect("draft");
    for _ in 0..10 {
        if view.draft.step == REVIEW {
            break;
        }
        view = desk.next(id).expect("next");
    }
    assert_eq!(view.draft.step, REVIEW);
    assert!(view.state.complete, "{:?}", view.state.errors);
    let view = desk.back(id).expect("back");
    assert_ne!(view.draft.step, REVIEW);
    desk.go_to(id, &first).expect("visited steps can be jumped to");
    desk.go_to(id, REVIEW).expect("the review once every step was visited");

    let review = desk.review(id).expect("review");
    assert!(review.complete);
    let lines: Vec<(String, Option<String>)> =
        review.steps.iter().flat_map(|s| s.items.iter().map(|i| (i.label.clone(), i.value.clone()))).collect();
    assert!(lines.iter().any(|(l, v)| l.starts_with("Hund 2") && v.is_none()), "a heading per dog: {lines:?}");
    let iban = lines
        .iter()
        .find_map(|(_, v)| v.as_ref().filter(|v| v.starts_with("DE") && v.contains(' ')))
        .expect("the IBAN, grouped");
    assert_eq!(iban.split(' ').count(), 6, "{iban}");
    assert!(
        lines.iter().any(|(_, v)| v.as_deref().is_some_and(|v| v.len() == 10 && v.chars().nth(2) == Some('.'))),
        "German dates: {lines:?}"
    );
    assert_eq!(review.fees.first().map(|f| f.1.as_str()), Some("696,00 €"));

    let view = desk.finalize(id).expect("finalizes");
    assert_eq!(view.draft.status, DraftStatus::Final);
    assert_eq!(code(desk.set_answer(id, "halter_vorname", json!("Eva"))), ErrorCode::Finalized);
    assert_eq!(code(desk.add_instance(id, "hunde")), ErrorCode::Finalized);
    assert_eq!(code(desk.finalize(id)), ErrorCode::Finalized);
}

#[test]
fn an_incomplete_draft_is_not_finalized_and_shows_every_error() {
    let desk = desk();
    let id = desk.start("hundeanmeldung").expect("starts").draft.id;
    let err = desk.finalize(id).expect_err("incomplete");
    assert!(err.to_string().contains("noch nicht vollständig"), "{err}");
    let view = desk.draft(id).expect("draft");
    assert_eq!(view.draft.status, DraftStatus::Open);
    let mut visible: Vec<&String> = view.state.steps.iter().filter(|s| s.visible).map(|s| &s.id).collect();
    visible.sort();
    assert_eq!(view.draft.checked.iter().collect::<Vec<_>>(), visible, "all steps now show their errors");
}

#[test]
fn drafts_are_listed_newest_first_and_can_be_discarded() {
    let desk = desk();
    let a = desk.start("hundeanmeldung").expect("a").draft.id;
    let b = desk.start("wohnberechtigungsschein").expect("b").draft.id;
    desk.set_answer(a, "halter_vorname", json!("Anna")).expect("set");
    let list = desk.drafts_list("").expect("list");
    assert_eq!(list.iter().map(|d| d.id).collect::<Vec<_>>(), vec![b, a], "same time: the newer draft first");
    assert!(list[1].form_title.contains("Hund"));
    desk.discard(b).expect("discard");
    assert_eq!(desk.drafts_list("").expect("list").len(), 1);
    assert_eq!(code(desk.draft(b)), ErrorCode::UnknownDraft);
}

#[test]
fn repeat_instances_paths_and_the_citizens_language() {
    let desk = desk();
    let id = desk.start("hundeanmeldung").expect("starts").draft.id;
    assert_eq!(code(desk.set_answer(id, "hunde[0].name", json!("Bello"))), ErrorCode::BadPath, "no dog yet");
    desk.add_instance(id, "hunde").expect("add");
    desk.add_instance(id, "hunde").expect("add");
    desk.set_answer(id, "hunde[1].name", json!("Rex")).expect("set");
    let view = desk.remove_instance(id, "hunde", 0).expect("remove the first");
    let dogs = view.state.steps.iter().flat_map(|s| &s.items).find(|i| i.id == "hunde").expect("dogs");
    assert_eq!(dogs.instances.len(), 1);
    assert!(dogs.instances[0].iter().any(|i| i.id == "name" && i.value == json!("Rex")));
    assert_eq!(code(desk.remove_instance(id, "hunde", 3)), ErrorCode::BadPath);
    assert_eq!(code(desk.set_answer(id, "a b", json!(1))), ErrorCode::BadPath);

    let german = desk.draft(id).expect("draft").state.steps[0].title.clone();
    let view = desk.set_citizen_lang(id, "tr").expect("Turkish");
    assert_eq!(view.draft.citizen_lang, "tr");
    assert_ne!(view.state.steps[0].title, german, "the form's texts are Turkish now");
    assert_eq!(view.draft.form_title, desk.draft(id).expect("draft").draft.form_title, "the clerk's list stays German");

    // Arabic and Leichte Sprache cover the Hundeanmeldung completely; Persian does not exist for it, and is refused
    // with the language kept.
    let view = desk.set_citizen_lang(id, "ar").expect("Arabic");
    assert_eq!(view.state.steps[0].title, "صاحبة الكلب أو صاحبه", "{:?}", view.state.steps[0].title);
    desk.set_citizen_lang(id, "de-x-ls").expect("Leichte Sprache");
    let refused = desk.set_citizen_lang(id, "fa").expect_err("not offered");
    assert_eq!(refused.to_string(), "Das Formular „hundeanmeldung“ gibt es nicht vollständig in der Sprache „fa“.");
    assert_eq!(desk.draft(id).expect("draft").draft.citizen_lang, "de-x-ls");
}

#[test]
fn search_results_carry_the_form_summary() {
    let results = desk().search("Parkausweis", "de");
    assert_eq!(results.first().map(|r| r.form.id.as_str()), Some("bewohnerparkausweis"));
}

#[test]
fn the_citizens_screen_follows_the_clerk() {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    let log = Arc::clone(&seen);
    let test = desk();
    let desk = test.desk.with_observer(move |d| log.lock().expect("log").push((d.id, d.step.clone())));
    assert!(desk.citizen_view().is_none(), "nothing open yet");
    let id = desk.start("hundeanmeldung").expect("starts").draft.id;
    desk.set_citizen_lang(id, "tr").expect("Turkish");
    let view = desk.citizen_view().expect("a draft is open");
    assert_eq!(view.lang, "tr");
    assert_eq!(view.step_number, 1);
    assert!(view.step_count >= 3);
    let step = view.step.expect("the first step");
    let german = desk.draft(id).expect("draft");
    assert_eq!(german.state.steps[0].id, step.id);
    assert!(step.items.iter().all(|i| i.value.is_null() || i.kind != formdesk_engine::ItemKind::Text));
    let notified = seen.lock().expect("log").clone();
    assert_eq!(notified.len(), 3, "start, language and the read each notify: {notified:?}");
    desk.discard(id).expect("discard");
    assert!(desk.citizen_view().is_none());
}
