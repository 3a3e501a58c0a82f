//! The installed form sets: a case stays with the version it was begun on, whatever is installed meanwhile;
//! new cases get the current version; closing and withdrawn forms; carrying a case over into a new version.
//! Real vault, real form store; new versions are installed the way the sync side does (files, then manifest).

use crate::delivery::{authority, destination, pdf_text};
use crate::{PIN, complete_hundeanmeldung, desk_at, enter};
use formdesk_channel::{FormState, FormStore, SetFiles, SetManifest};
use formdesk_desk::formsets::{open_form_store, shipped_files};
use formdesk_desk::ipc::{ErrorCode, FormStatus, IpcError, NotCarriedReason};
use formdesk_desk::{Desk, DeskError};
use formdesk_protocol::content::Metadata;
use formdesk_vault::Outbox;
use serde_json::{Value, json};

/// A desk on a fresh data folder with its form store, set up for "Erika" and unlocked.
pub struct SetDesk {
    pub desk: Desk,
    pub store: FormStore,
    pub dir: tempfile::TempDir,
}

impl std::ops::Deref for SetDesk {
    type Target = Desk;
    fn deref(&self) -> &Desk {
        &self.desk
    }
}

/// The desk the app makes on `dir`: the vault, and the store with the shipped set installed on first start.
pub fn store_desk_at(dir: &std::path::Path) -> (Desk, FormStore) {
    let store = open_form_store(dir).expect("the store opens");
    let desk = desk_at(dir).with_form_store(store.clone(), &shipped_files().expect("shipped")).expect("installed");
    (desk, store)
}

pub fn store_desk() -> SetDesk {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (desk, store) = store_desk_at(dir.path());
    desk.set_up("Erika", PIN, PIN).expect("set up");
    SetDesk { desk, store, dir }
}

/// The shipped forms with form `id`'s text changed by `change` and its version raised to `version`.
pub fn changed(id: &str, version: &str, change: impl Fn(String) -> String) -> SetFiles {
    let mut files = shipped_files().expect("shipped");
    let form = files.forms.iter_mut().find(|(i, _, _)| i == id).expect("the form");
    let text = String::from_utf8(form.2.clone()).expect("utf-8");
    let new = change(text.replacen("\"version\": \"1.0.0\"", &format!("\"version\": \"{version}\""), 1));
    assert_ne!(new.as_bytes(), form.2.as_slice());
    form.1 = version.to_owned();
    form.2 = new.into_bytes();
    files
}

/// The shipped forms with the Hundeanmeldung's fee text changed and its version raised (as the channel's tests do).
pub fn with_new_fee() -> SetFiles {
    changed("hundeanmeldung", "1.1.0", |t| t.replace("96,00", "108,00"))
}

/// Installs `files` into `store` as the sync side does, with `adjust` applied to the manifest; its hash.
pub fn install(store: &FormStore, files: &SetFiles, set_version: u64, adjust: impl FnOnce(&mut SetManifest)) -> String {
    let mut manifest = files.manifest("all", set_version, "2026-12-02T09:00:00Z".into());
    for (entry, bytes) in files.contents(&manifest) {
        store.add_object(entry, bytes).expect("a file added");
    }
    adjust(&mut manifest);
    store.install(&manifest.to_json()).expect("installed").sha256
}

fn set_state(id: &'static str, state: FormState) -> impl FnOnce(&mut SetManifest) {
    move |m| m.forms.iter_mut().filter(|f| f.id == id).for_each(|f| f.state = state)
}

fn code<T: std::fmt::Debug>(result: Result<T, DeskError>) -> ErrorCode {
    IpcError::from(result.expect_err("an error")).code
}

fn sha_of(files: &SetFiles, id: &str) -> String {
    formdesk_channel::sha256_hex(&files.forms.iter().find(|f| f.0 == id).expect("form").2)
}

/// A complete Hundeanmeldung begun now; its id.
fn begun(desk: &Desk) -> u64 {
    let id = desk.start("hundeanmeldung").expect("started").draft.id;
    enter(desk, id, &mut complete_hundeanmeldung());
    id
}

#[test]
fn every_desk_has_a_current_set_the_shipped_one_at_first() {
    let t = store_desk();
    let info = t.forms_info();
    assert!(info.shipped && info.channel == "app" && info.set_version == 0, "{info:?}");
    assert_eq!(info.published, "Formularstand vom 24.11.2026");
    assert!(info.added.is_empty() && info.changed.is_empty() && info.withdrawn.is_empty());
    let check = formdesk_desk::FormsCheck {
        checked_at: Some(1_800_000_000),
        error: Some("Der Portalserver ist nicht erreichbar.".into()),
        running: false,
        has_channel: true,
        rounds: 3,
    };
    let view = t.forms_view(&check);
    assert_eq!(view.info, info);
    assert!(view.connected && !view.checking);
    assert!(view.checked_at.as_deref().is_some_and(|at| at.ends_with(" Uhr")), "{view:?}");
    assert_eq!(view.error, check.error);
    assert!(!t.forms_view(&formdesk_desk::FormsCheck::default()).connected);
    let current = t.store.current().expect("readable").expect("a current set");
    assert_eq!(current.manifest.forms.len(), t.forms("de").len());
    // A set installed later stays current when the desk starts again: the shipped one is only the first.
    let sha = install(&t.store, &with_new_fee(), 7, |_| {});
    drop(t.desk);
    let (again, store) = store_desk_at(t.dir.path());
    assert_eq!(store.current().expect("readable").expect("current").sha256, sha);
    assert_eq!(again.forms_info().set_version, 7);
    assert!(!again.forms_info().shipped);
}

#[test]
fn a_case_begun_on_v1_finalizes_with_v1_after_v2_is_installed() {
    let t = store_desk();
    let key = authority();
    t.set_destinations(&[destination("steueramt", &key)], 1_800_000_000).expect("destinations");
    let shipped = shipped_files().expect("shipped");
    let v1_set = t.store.current().expect("readable").expect("current").sha256;
    let old = begun(&t);

    let v2 = with_new_fee();
    install(&t.store, &v2, 1, |_| {});
    let info = t.reload_forms().expect("reloaded");
    assert_eq!(info.changed, ["Hund anmelden (Hundesteuer)"], "{info:?}");
    assert_eq!((info.set_version, info.published.as_str()), (1, "Formularstand vom 02.12.2026"));

    // The new case gets v2, with the new fee text; the old one keeps v1 and says that a newer one exists.
    let new = t.start("hundeanmeldung").expect("started");
    assert_eq!(new.draft.form_version, "1.1.0");
    assert!(serde_json::to_string(&new.state).expect("json").contains("108,00"));
    let view = t.draft(old).expect("the old case opens");
    assert_eq!((view.draft.form_version.as_str(), view.draft.form_status), ("1.0.0", FormStatus::Outdated));
    let text = serde_json::to_string(&view.state).expect("json");
    assert!(text.contains("96,00") && !text.contains("108,00"), "shown with v1");
    let listed = t.drafts_list("").expect("list");
    let listed = listed.iter().find(|d| d.id == old).expect("listed");
    assert_eq!((listed.form_version.as_str(), listed.form_status), ("1.0.0", FormStatus::Outdated));

    t.finalize(old).expect("v1 still finalizes");
    let v1_sha = sha_of(&shipped, "hundeanmeldung");
    let (_, pdf) = t.receipt(old).expect("the receipt");
    let receipt = pdf_text(&pdf);
    assert!(receipt.contains(&format!("Fassung 1.0.0 · Prüfsumme {}", &v1_sha[..16])), "{receipt}");

    let entry = t.outbox().expect("outbox").into_iter().find(|e| e.submission == old as i64).expect("queued");
    let parts = Outbox::open(t.dir.path()).expect("outbox").parts(&entry.uuid).expect("parts");
    let metadata: Metadata =
        serde_json::from_slice(&formdesk_seal::open(&key, &parts[0].jwe).expect("opens")).expect("metadata");
    assert_eq!(metadata.format_version, 2);
    assert_eq!(metadata.form.version, "1.0.0");
    assert_eq!(metadata.form.sha256.as_deref(), Some(v1_sha.as_str()));
    assert_eq!(metadata.form.set_sha256.as_deref(), Some(v1_set.as_str()));
    assert!(t.pinned_sets().expect("pins").contains(&v1_set), "the finalized case still needs v1");
}

#[test]
fn closing_hides_a_form_from_search_but_its_cases_finalize() {
    let t = store_desk();
    let old = begun(&t);
    install(&t.store, &shipped_files().expect("shipped"), 1, set_state("hundeanmeldung", FormState::Closing));
    let info = t.reload_forms().expect("reloaded");
    assert_eq!(info.withdrawn, ["Hund anmelden (Hundesteuer)"]);
    assert!(t.forms("de").iter().all(|f| f.id != "hundeanmeldung"));
    assert!(t.search("Hund", "de").iter().all(|r| r.form.id != "hundeanmeldung"));
    assert!(t.search("Hund", "de").iter().any(|r| r.form.id == "hundeabmeldung"), "the others stay");
    assert_eq!(code(t.start("hundeanmeldung")), ErrorCode::Forms);
    assert_eq!(t.draft(old).expect("opens").draft.form_status, FormStatus::Closing);
    t.finalize(old).expect("a case begun on a closing form finalizes");
}

#[test]
fn a_withdrawn_form_is_not_finalized_and_the_clerk_is_told_why() {
    let t = store_desk();
    let old = begun(&t);
    install(&t.store, &shipped_files().expect("shipped"), 1, set_state("hundeanmeldung", FormState::Withdrawn));
    t.reload_forms().expect("reloaded");
    assert_eq!(t.draft(old).expect("opens").draft.form_status, FormStatus::Withdrawn);
    let error = t.finalize(old).expect_err("refused");
    assert!(matches!(error, DeskError::Withdrawn(_)), "{error:?}");
    let ipc = IpcError::from(error);
    assert_eq!(ipc.code, ErrorCode::Withdrawn);
    assert!(
        ipc.message.starts_with("Das Formular „Hund anmelden (Hundesteuer)“ wurde zurückgezogen")
            && ipc.message.contains("in die aktuelle Fassung übernommen"),
        "{}",
        ipc.message
    );
    let view = t.draft(old).expect("still there, still open");
    assert_eq!(view.draft.status, formdesk_desk::drafts::DraftStatus::Open);
    assert!(view.state.complete, "nothing was lost");
}

/// Version 2 of the Hundeanmeldung: no phone number, the e-mail address a plain text, and the male dog's
/// option renamed (so "maennlich" is no longer a valid answer).
fn v2() -> SetFiles {
    changed("hundeanmeldung", "2.0.0", |text| {
        let mut form: Value = serde_json::from_str(&text).expect("json");
        let items = form["steps"][0]["items"].as_array_mut().expect("items");
        items.retain(|i| i["id"] != "halter_telefon");
        items.iter_mut().filter(|i| i["id"] == "halter_email").for_each(|i| i["kind"] = json!("text"));
        for dog in form["steps"][1]["items"][0]["items"].as_array_mut().expect("dog's items") {
            if dog["id"] == "geschlecht" {
                dog["options"][0]["value"] = json!("ruede");
            }
        }
        serde_json::to_string_pretty(&form).expect("json")
    })
}

#[test]
fn a_case_carried_over_keeps_what_fits_says_what_did_not_and_loses_nothing() {
    let t = store_desk();
    let old = begun(&t);
    let before = t.draft(old).expect("opens");
    assert_eq!(code(t.carry_over(old)), ErrorCode::Forms, "nothing to carry over into yet");

    install(&t.store, &v2(), 1, |_| {});
    t.reload_forms().expect("reloaded");
    let carried = t.carry_over(old).expect("carried over");
    let left: Vec<(&str, &str, NotCarriedReason, Vec<&str>)> = carried
        .not_carried
        .iter()
        .map(|n| (n.field.as_str(), n.label.as_str(), n.reason, n.values.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        left,
        [
            // Both dogs were "Rüde", whose code the new version changed: the answer shows once.
            ("geschlecht", "Geschlecht", NotCarriedReason::Invalid, vec!["Rüde"]),
            ("halter_email", "E-Mail-Adresse", NotCarriedReason::Changed, vec!["erika.mustermann@example.de"]),
            ("halter_telefon", "Telefon (für Rückfragen)", NotCarriedReason::Removed, vec!["+495221123456"]),
        ]
    );
    let new = carried.draft.draft.id;
    assert_ne!(new, old);
    assert_eq!(carried.draft.draft.form_version, "2.0.0");
    assert_eq!(carried.draft.draft.step, formdesk_desk::drafts::REVIEW);
    assert_eq!(carried.draft.draft.citizen, before.draft.citizen, "the name came along");

    // The old case is still there, untouched, until the new one is finalized; it names the new one, and is
    // not carried over twice.
    let still = t.draft(old).expect("the old case stays");
    assert_eq!(still.state, before.state);
    assert_eq!(still.draft.carried_to, Some(new));
    let twice = IpcError::from(t.carry_over(old).expect_err("once only"));
    assert_eq!(twice.code, ErrorCode::Forms);
    assert!(twice.message.contains(&format!("bereits in Vorgang {new} übernommen")), "{}", twice.message);
    assert!(t.drafts_list("").expect("list").iter().any(|d| d.id == old));

    // The files came along as the new case's own copies.
    let file = |id: u64| {
        t.draft(id).expect("opens").state.steps[1].items[0].instances[1]
            .iter()
            .find(|i| i.id == "sachkundenachweis")
            .map(|i| i.value.clone())
            .expect("the proof")
    };
    let (old_file, new_file) = (file(old), file(new));
    assert_eq!(old_file[0]["name"], new_file[0]["name"]);
    assert_ne!(old_file[0]["ref"], new_file[0]["ref"]);

    for n in 0..2 {
        t.set_answer(new, &format!("hunde[{n}].geschlecht"), json!("ruede")).expect("answered");
    }
    t.finalize(new).expect("the new case finalizes");
    assert_eq!(code(t.draft(old)), ErrorCode::UnknownDraft, "the old case went with the new one's finalization");
}

#[test]
fn a_case_begun_before_pinning_uses_the_current_form() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let plain = desk_at(dir.path());
    plain.set_up("Erika", PIN, PIN).expect("set up");
    let old = begun(&plain);
    assert!(plain.pinned_sets().expect("pins").is_empty(), "a desk without a store pins nothing");
    drop(plain);

    let (desk, store) = store_desk_at(dir.path());
    desk.unlock("Erika", PIN).expect("unlocked");
    assert_eq!(desk.draft(old).expect("opens").draft.form_status, FormStatus::Current);
    install(&store, &with_new_fee(), 1, |_| {});
    desk.reload_forms().expect("reloaded");
    let view = desk.draft(old).expect("opens");
    assert!(serde_json::to_string(&view.state).expect("json").contains("108,00"), "the current form");
    assert_eq!(view.draft.form_status, FormStatus::Outdated, "begun on 1.0.0, 1.1.0 is current");
    desk.finalize(old).expect("finalizes with the current form");
}

#[test]
fn a_receipt_has_the_letterhead_of_its_cases_form_set() {
    let t = store_desk();
    let old = begun(&t);
    let mut files = with_new_fee();
    let logo = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../formdesk-receipt/assets/musterstadt-logo.png"))
        .expect("a logo");
    files.municipality = Some(
        br#"{"formatVersion": 1, "name": "Stadt Beispielheim", "address": ["Markt 1", "54321 Beispielheim"], "logo": "wappen.png"}"#
            .to_vec(),
    );
    files.logo = Some(("wappen.png".into(), logo));
    install(&t.store, &files, 1, |_| {});
    t.reload_forms().expect("reloaded");
    let new = begun(&t);
    t.finalize(new).expect("finalized");
    t.finalize(old).expect("finalized");
    let text = |id: u64| pdf_text(&t.receipt(id).expect("receipt").1);
    assert!(text(new).starts_with("Stadt Beispielheim"), "{}", text(new));
    assert!(text(old).starts_with("Gemeinde Musterstadt"), "the old case keeps its set's (the example)");
}

#[test]
fn a_withdrawn_version_stays_withdrawn_when_a_new_one_is_published() {
    let t = store_desk();
    let old = begun(&t);
    install(&t.store, &shipped_files().expect("shipped"), 1, set_state("hundeanmeldung", FormState::Withdrawn));
    t.reload_forms().expect("reloaded");
    install(&t.store, &v2(), 2, |_| {});
    let info = t.reload_forms().expect("reloaded");
    assert_eq!(info.added, ["Hund anmelden (Hundesteuer)"], "back, in a new version: {info:?}");
    assert!(t.forms("de").iter().any(|f| f.id == "hundeanmeldung"));
    assert_eq!(t.draft(old).expect("opens").draft.form_status, FormStatus::Withdrawn);
    assert_eq!(code(t.finalize(old)), ErrorCode::Withdrawn);
    // Also after a restart: the withdrawal is kept in the vault.
    let SetDesk { desk, store: _, dir } = t;
    drop(desk);
    let (desk, _) = store_desk_at(dir.path());
    desk.unlock("Erika", PIN).expect("unlocked");
    assert_eq!(code(desk.finalize(old)), ErrorCode::Withdrawn);
    let carried = desk.carry_over(old).expect("into the new version");
    assert_eq!(carried.draft.draft.form_version, "2.0.0");
    assert_eq!(carried.draft.draft.form_status, FormStatus::Current);
}

#[test]
fn a_text_withdrawn_in_a_set_this_desk_never_installed_is_not_finalized() {
    let t = store_desk();
    let old = begun(&t);
    let v1 = sha_of(&shipped_files().expect("shipped"), "hundeanmeldung");
    // The desk was offline while the withdrawal was published; the next set it gets is the new version, which
    // names the withdrawn text.
    install(&t.store, &v2(), 2, |m| m.withdrawn = vec![v1.clone()]);
    t.reload_forms().expect("reloaded");
    assert_eq!(t.draft(old).expect("opens").draft.form_status, FormStatus::Withdrawn);
    assert_eq!(code(t.finalize(old)), ErrorCode::Withdrawn);
    assert_eq!(t.carry_over(old).expect("into the new version").draft.draft.form_version, "2.0.0");
}

/// Set in the child run of the test below.
const LISTING_CHILD: &str = "FORMDESK_TEST_LISTING_CHILD";

#[test]
fn a_delivered_case_whose_set_was_collected_is_listed_under_its_title_without_an_error() {
    if std::env::var_os(LISTING_CHILD).is_none() {
        // Run again as a child, to read what the desk writes to its log (stderr) meanwhile: a set collected
        // after its case was shredded is expected, not the clerk's "contact IT" error, and says nothing.
        let name = "formsets::a_delivered_case_whose_set_was_collected_is_listed_under_its_title_without_an_error";
        let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
            .args([name, "--exact", "--nocapture", "--test-threads=1"])
            .env(LISTING_CHILD, "1")
            .output()
            .expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stdout.contains("1 passed"), "the child failed:\n{stdout}\n{stderr}");
        assert!(!stderr.contains("formdesk:"), "the listing logged an error:\n{stderr}");
        return;
    }
    let t = store_desk();
    t.set_destinations(&[destination("steueramt", &authority())], 1_800_000_000).expect("destinations");
    let v1_set = t.store.current().expect("readable").expect("current").sha256;
    let delivered = begun(&t);
    t.finalize(delivered).expect("finalized");
    let entry = t.outbox().expect("outbox").into_iter().find(|e| e.submission == delivered as i64).expect("queued");
    // Delivered at noon of the desk's day (its clock stands on 24.11.2026), so it is listed as delivered today.
    let noon = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).and_then(|d| d.and_hms_opt(12, 0, 0)).expect("noon");
    let noon = noon.and_local_timezone(chrono::Local).earliest().expect("a local time").timestamp();
    Outbox::open(t.dir.path()).expect("outbox").delivered(&entry.uuid, "payload.signature", noon).expect("delivered");
    t.forget_delivered();
    install(&t.store, &with_new_fee(), 2, |_| {});
    t.reload_forms().expect("reloaded");
    // The clerk moves on: the delivered case is shredded, and nothing pins the first set any more.
    t.start("hundeabmeldung").expect("the next case");
    let (sets, _) = t.collect_forms().expect("collected");
    let pins = t.pinned_sets().expect("pins");
    assert!(
        sets >= 1 && !pins.contains(&v1_set),
        "version 1.0.0's set went: {sets} collected, pins {pins:?}, v1 {v1_set}"
    );

    for list in [t.drafts_list("").expect("the work list"), t.start_view(&Default::default()).expect("start").drafts] {
        let listed = list.iter().find(|d| d.id == delivered).expect("the delivered case is listed today");
        assert!(listed.erased);
        assert_eq!(
            (listed.form_title.as_str(), listed.form_version.as_str()),
            ("Hund anmelden (Hundesteuer)", "1.0.0")
        );
    }
}
