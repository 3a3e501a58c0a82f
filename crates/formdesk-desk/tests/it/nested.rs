//! Repeat groups inside repeat groups at the desk: a household member's incomes are added and removed by
//! their paths, survive a restart, read well in the review, are sealed as entered and carry over.

use crate::delivery::{authority, destination};
use crate::formsets::{changed, install, store_desk};
use crate::{PIN, TestDesk, desk, desk_at, enter};
use formdesk_desk::ipc::{ErrorCode, IpcError, NotCarriedReason};
use formdesk_engine::state::ItemState;
use formdesk_protocol::content::SubmissionData;
use formdesk_vault::Outbox;
use serde_json::{Value, json};

/// The answers of the Wohnberechtigungsschein's scenario with incomes per household member.
fn household() -> serde_json::Map<String, Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../forms/wohnberechtigungsschein/scenarios/07_mehrere_einkommen_und_anschrift.json"
    );
    let scenario: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    scenario["answers"].as_object().cloned().expect("answers")
}

fn find<'a>(items: &'a [ItemState], path: &str) -> Option<&'a ItemState> {
    items.iter().find_map(|i| {
        if i.path == path {
            return Some(i);
        }
        find(&i.items, path).or_else(|| i.instances.iter().find_map(|inst| find(inst, path)))
    })
}

fn item(view: &formdesk_desk::ipc::DraftView, path: &str) -> ItemState {
    view.state.steps.iter().find_map(|s| find(&s.items, path)).cloned().unwrap_or_else(|| panic!("no item at {path}"))
}

fn code<T: std::fmt::Debug>(result: Result<T, formdesk_desk::DeskError>) -> ErrorCode {
    IpcError::from(result.expect_err("an error")).code
}

#[test]
fn nested_instances_are_added_and_removed_by_path_and_survive_a_restart() {
    let t = desk();
    let id = t.start("wohnberechtigungsschein").expect("starts").draft.id;
    assert_eq!(code(t.add_instance(id, "haushalt[0].einkuenfte")), ErrorCode::BadPath, "no member yet");
    t.add_instance(id, "haushalt").expect("a member");
    t.set_answer(id, "haushalt[0].name", json!("Taras Kovalenko")).expect("name");
    for _ in 0..3 {
        t.add_instance(id, "haushalt[0].einkuenfte").expect("an income");
    }
    t.set_answer(id, "haushalt[0].einkuenfte[0].art", json!("lohn")).expect("set");
    t.set_answer(id, "haushalt[0].einkuenfte[0].betrag", json!("7200,00")).expect("set");
    t.set_answer(id, "haushalt[0].einkuenfte[1].art", json!("rente")).expect("set");
    t.set_answer(id, "haushalt[0].einkuenfte[2].art", json!("sonstige")).expect("set");
    t.set_answer(id, "haushalt[0].einkuenfte[2].betrag", json!("600.50")).expect("set");
    t.set_answer(id, "haushalt[0].andere_anschrift", json!(true)).expect("a plain group's field");
    t.set_answer(id, "haushalt[0].anschrift.city", json!("Herford")).expect("a part of the address");
    let view = t.remove_instance(id, "haushalt[0].einkuenfte", 1).expect("the pension goes");
    assert_eq!(code(t.remove_instance(id, "haushalt[0].einkuenfte", 2)), ErrorCode::BadPath, "two are left");
    assert_eq!(code(t.remove_instance(id, "haushalt[1].einkuenfte", 0)), ErrorCode::BadPath, "no second member");
    assert_eq!(code(t.add_instance(id, "haushalt[0]")), ErrorCode::BadPath, "an instance is no group");

    let incomes = item(&view, "haushalt[0].einkuenfte");
    assert_eq!(incomes.instances.len(), 2);
    assert_eq!(item(&view, "haushalt[0].einkuenfte[1].art").value, json!("sonstige"));
    assert_eq!(item(&view, "haushalt[0].jahreseinkommen").value, json!("7800.50"));
    assert!(item(&view, "haushalt[0].einkuenfte[1].bezeichnung").required);
    let errors: Vec<(&str, &str)> = view.state.errors.iter().map(|e| (e.path.as_str(), e.code.as_str())).collect();
    assert!(errors.contains(&("haushalt[0].einkuenfte[1].bezeichnung", "required")), "{errors:?}");
    assert!(errors.contains(&("haushalt[0].anschrift", "required")), "{errors:?}");

    // Closing the desk; its data folder stays.
    let before = t.draft(id).expect("the draft");
    let TestDesk { dir, .. } = t;
    let desk = desk_at(dir.path());
    desk.unlock("Erika", PIN).expect("unlock");
    let after = desk.draft(id).expect("the draft again");
    assert_eq!(after.state, before.state, "every nested answer is back");
    desk.set_answer(id, "haushalt[0].einkuenfte[1].bezeichnung", json!("Garage")).expect("still editable");
}

#[test]
fn the_review_names_the_member_of_each_income() {
    let t = desk();
    let id = t.start("wohnberechtigungsschein").expect("starts").draft.id;
    enter(&t, id, &mut household());
    let review = t.review(id).expect("the review");
    assert!(review.complete, "{review:?}");
    let household = review.steps.iter().find(|s| s.id == "angaben_haushalt").expect("the household step");
    let lines: Vec<(&str, &str, Option<&str>)> =
        household.items.iter().map(|i| (i.path.as_str(), i.label.as_str(), i.value.as_deref())).collect();
    let at =
        |path: &str| lines.iter().position(|l| l.0 == path).unwrap_or_else(|| panic!("no line {path}: {lines:#?}"));
    assert_eq!(lines[at("haushalt[0]")].1, "Haushaltsmitglied 1");
    assert_eq!(lines[at("haushalt[0].einkuenfte[1]")].1, "Haushaltsmitglied 1 › Einkommen 2");
    assert_eq!(lines[at("haushalt[1].einkuenfte[0]")].1, "Haushaltsmitglied 2 › Einkommen 1");
    assert_eq!(lines[at("haushalt[0].einkuenfte[1].betrag")].2, Some("600,50 €"));
    assert_eq!(lines[at("haushalt[0].einkuenfte[1].bezeichnung")].2, Some("Mieteinnahmen Garage"));
    assert_eq!(lines[at("haushalt[0].anschrift")].2, Some("Bielefelder Straße 7, 32051 Herford"));
    assert!(at("haushalt[0].anschrift") < at("haushalt[0].einkuenfte[0]"), "in the form's order");
    assert!(at("haushalt[0].einkuenfte[1].betrag") < at("haushalt[1]"));
}

#[test]
fn a_nested_answer_is_sealed_as_it_was_entered() {
    let key = authority();
    let t = desk();
    t.set_destinations(&[destination("wohnungsamt", &key)], 1_800_000_000).expect("the destination");
    let id = t.start("wohnberechtigungsschein").expect("starts").draft.id;
    let mut answers = household();
    enter(&t, id, &mut answers);
    t.finalize(id).expect("finalized");

    let entries = t.outbox().expect("the outbox");
    assert_eq!(entries.len(), 1);
    let parts = Outbox::open(t.dir.path()).expect("opens").parts(&entries[0].uuid).expect("parts");
    let data: SubmissionData =
        serde_json::from_slice(&formdesk_seal::open(&key, &parts[1].jwe).expect("the authority opens it"))
            .expect("the data");
    let sealed = &data.answers["haushalt"];
    assert_eq!(sealed, &answers["haushalt"], "members with their incomes and addresses, as entered");
    assert_eq!(
        sealed[0]["einkuenfte"][1],
        json!({"art": "sonstige", "bezeichnung": "Mieteinnahmen Garage", "betrag": "600,50"})
    );
    assert_eq!(sealed[1]["einkuenfte"][0]["betrag"], json!(1150));
    assert_eq!(sealed[0]["anschrift"]["city"], json!("Herford"), "a plain group's fields stand in the member");
}

#[test]
fn nested_answers_carry_over_into_a_new_version() {
    let t = store_desk();
    let old = t.start("wohnberechtigungsschein").expect("starts").draft.id;
    enter(&t, old, &mut household());
    // Version 1.2.0 has no description of other income, and the training allowance is no longer an option.
    let v12 = changed("wohnberechtigungsschein", "1.2.0", |text| {
        let mut form: Value = serde_json::from_str(&text).expect("json");
        form["version"] = json!("1.2.0");
        let member = form["steps"][1]["items"][0]["items"].as_array_mut().expect("the member's items");
        let incomes = member.iter_mut().find(|i| i["id"] == "einkuenfte").expect("the incomes");
        let fields = incomes["items"].as_array_mut().expect("the income's items");
        fields.retain(|i| i["id"] != "bezeichnung");
        fields
            .iter_mut()
            .filter(|i| i["id"] == "art")
            .for_each(|i| i["options"].as_array_mut().expect("options").retain(|o| o["value"] != "ausbildung"));
        serde_json::to_string_pretty(&form).expect("json")
    });
    install(&t.store, &v12, 1, |_| {});
    t.reload_forms().expect("reloaded");
    let carried = t.carry_over(old).expect("carried over");
    let left: Vec<(&str, NotCarriedReason)> =
        carried.not_carried.iter().map(|n| (n.field.as_str(), n.reason)).collect();
    assert_eq!(left, [("art", NotCarriedReason::Invalid), ("bezeichnung", NotCarriedReason::Removed)]);
    let new = carried.draft;
    assert_eq!(new.draft.form_version, "1.2.0");
    assert_eq!(item(&new, "haushalt[0].einkuenfte[1].betrag").value, json!("600,50"));
    assert_eq!(item(&new, "haushalt[0].einkuenfte[0].art").value, json!("lohn"));
    assert_eq!(item(&new, "haushalt[1].einkuenfte[0].art").value, Value::Null, "the withdrawn option is left out");
    assert_eq!(item(&new, "haushalt[1].einkuenfte[0].betrag").value, json!(1150));
    assert_eq!(item(&new, "haushalt[0].anschrift").value["street"], json!("Bielefelder Straße"));
}
