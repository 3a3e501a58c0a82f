//! The desk on its vault: drafts survive a restart, the lock, PINs, recovery, a full disk and a read-only
//! data directory.

use crate::{PIN, TestDesk, desk, desk_at};
use formdesk_desk::DeskError;
use formdesk_desk::drafts::DraftStatus;
use formdesk_desk::ipc::{ErrorCode, IpcError};
use serde_json::json;
use std::time::Duration;

fn code<T: std::fmt::Debug>(result: Result<T, DeskError>) -> (ErrorCode, String) {
    let e = IpcError::from(result.expect_err("an error"));
    (e.code, e.message)
}

#[test]
fn a_draft_survives_a_restart_on_the_same_step_with_everything_entered() {
    let t = desk();
    let id = t.start("hundeanmeldung").expect("start").draft.id;
    t.set_answer(id, "halter_vorname", json!("Jürgen")).expect("set");
    t.set_answer(id, "halter_familienname", json!("Größmann")).expect("set");
    let before = t.set_citizen_lang(id, "tr").expect("Turkish");
    // Closing the desk; its data directory stays.
    let TestDesk { dir, .. } = t;
    let desk = desk_at(dir.path());
    let state = desk.vault_state().expect("state");
    assert!(state.set_up && !state.unlocked, "{state:?}");
    assert_eq!(state.clerks, vec!["Erika".to_owned()]);
    assert_eq!(code(desk.drafts_list("")).0, ErrorCode::Locked, "nothing without a PIN");
    assert_eq!(code(desk.draft(id)).0, ErrorCode::Locked);

    desk.unlock("Erika", PIN).expect("unlock");
    let list = desk.drafts_list("").expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].citizen, "Jürgen Größmann", "the work list names the citizen");
    let after = desk.draft(id).expect("the draft");
    assert_eq!(after.draft.step, before.draft.step);
    assert_eq!(after.draft.citizen_lang, "tr");
    assert_eq!(after.state, before.state, "everything entered is back");
}

#[test]
fn a_finalized_submission_stays_final_after_a_restart() {
    let t = desk();
    let id = t.start("hundeabmeldung").expect("start").draft.id;
    t.set_answer(id, "halter_vorname", json!("Zofia")).expect("set");
    let TestDesk { dir, .. } = t;
    let desk = desk_at(dir.path());
    desk.unlock("Erika", PIN).expect("unlock");
    assert_eq!(desk.drafts_list("").expect("list")[0].status, DraftStatus::Open);
    let err = code(desk.finalize(id));
    assert_eq!(err.0, ErrorCode::Incomplete, "{err:?}");
}

#[test]
fn locking_forgets_the_drafts_and_unlocking_brings_them_back() {
    let t = desk();
    let id = t.start("hundeanmeldung").expect("start").draft.id;
    t.set_answer(id, "halter_vorname", json!("Ayşe")).expect("set");
    let view = t.next(id).expect("next");
    assert!(t.citizen_view().is_some());

    t.lock();
    assert!(!t.is_unlocked());
    assert!(t.citizen_view().is_none(), "the citizen's screen shows nothing while locked");
    for (what, err) in [
        ("read", code(t.draft(id))),
        ("change", code(t.set_answer(id, "halter_vorname", json!("x")))),
        ("start", code(t.start("hundeanmeldung"))),
        ("review", code(t.review(id))),
    ] {
        assert_eq!(err.0, ErrorCode::Locked, "{what}: {err:?}");
        assert!(err.1.contains("gesperrt"), "{what}: {}", err.1);
    }

    let err = code(t.unlock("Erika", "999999"));
    assert_eq!(err.0, ErrorCode::WrongPin);
    assert!(err.1.contains("PIN ist falsch") && err.1.contains("1. Fehlversuch"), "{}", err.1);
    assert_eq!(code(t.unlock("Max", PIN)).0, ErrorCode::Clerk);
    t.unlock("Erika", PIN).expect("unlock");
    let back = t.draft(id).expect("draft");
    assert_eq!(back.draft.step, view.draft.step, "back where the clerk was");
    assert_eq!(back.state, view.state);
}

#[test]
fn the_idle_lock_locks_only_after_the_idle_time() {
    let t = desk();
    t.touch();
    assert!(!t.lock_if_idle(Duration::from_secs(300)), "just active");
    assert!(t.is_unlocked());
    std::thread::sleep(Duration::from_millis(20));
    assert!(t.idle_for() >= Duration::from_millis(20));
    assert!(t.lock_if_idle(Duration::from_millis(10)), "idle longer than the limit");
    assert!(!t.is_unlocked());
    assert!(!t.lock_if_idle(Duration::ZERO), "already locked");
}

#[test]
fn setup_checks_the_pin_and_the_name_and_happens_once() {
    let dir = tempfile::tempdir().expect("dir");
    let desk = desk_at(dir.path());
    assert!(!desk.vault_state().expect("state").set_up);
    assert_eq!(code(desk.drafts_list("")).0, ErrorCode::Locked);
    let err = code(desk.set_up("Erika", "246813", "246812"));
    assert_eq!(err, (ErrorCode::BadPin, "Die beiden PINs stimmen nicht überein.".to_owned()));
    let err = code(desk.set_up("Erika", "2468", "2468"));
    assert_eq!(err, (ErrorCode::BadPin, "Die PIN muss mindestens 6 Zeichen lang sein.".to_owned()));
    assert_eq!(code(desk.set_up("  ", PIN, PIN)).0, ErrorCode::Clerk);
    assert!(!desk.vault_state().expect("state").set_up, "nothing was set up by the refused attempts");

    let setup = desk.set_up(" Erika ", PIN, PIN).expect("set up");
    assert_eq!(setup.recovery_secret.split('-').count(), 8, "{}", setup.recovery_secret);
    assert!(setup.state.unlocked);
    assert_eq!(setup.state.clerk.as_deref(), Some("Erika"));
    assert_eq!(code(desk.set_up("Max", PIN, PIN)).0, ErrorCode::AlreadySetUp);
}

#[test]
fn a_second_clerk_unlocks_with_their_own_pin() {
    let t = desk();
    let id = t.start("hundeanmeldung").expect("start").draft.id;
    let state = t.add_clerk("Max Müller", "135791", "135791").expect("add");
    assert_eq!(state.clerks, vec!["Erika".to_owned(), "Max Müller".to_owned()]);
    assert_eq!(code(t.add_clerk("Max Müller", "135791", "135791")).0, ErrorCode::Clerk);
    t.lock();
    assert_eq!(code(t.add_clerk("Eva", "135791", "135791")).0, ErrorCode::Locked);
    let state = t.unlock("Max Müller", "135791").expect("Max unlocks");
    assert_eq!(state.clerk.as_deref(), Some("Max Müller"));
    t.draft(id).expect("the same drafts");
}

#[test]
fn the_recovery_secret_replaces_a_forgotten_pin() {
    let t = desk();
    let id = t.start("hundeanmeldung").expect("start").draft.id;
    t.set_answer(id, "halter_vorname", json!("Ödön")).expect("set");
    t.lock();
    for _ in 1..formdesk_vault::FREE_ATTEMPTS {
        assert_eq!(code(t.unlock("Erika", "000000")).0, ErrorCode::WrongPin);
    }
    let err = code(t.unlock("Erika", "000001"));
    assert_eq!(err.0, ErrorCode::WrongPin);
    assert!(err.1.contains("länger warten"), "{}", err.1);
    let err = code(t.unlock("Erika", PIN));
    assert_eq!(err.0, ErrorCode::Blocked, "even the right PIN waits now: {}", err.1);
    assert!(err.1.contains("Sekunden"), "{}", err.1);

    let err = code(t.recover("ABCD-EFGH", "Erika", "112233", "112233"));
    assert_eq!(err.0, ErrorCode::RecoverySecret);
    assert!(err.1.contains("8 Gruppen"), "{}", err.1);
    let wrong = "0000-0000-0000-0000-0000-0000-0000-0000";
    assert_eq!(code(t.recover(wrong, "Erika", "112233", "112233")).0, ErrorCode::RecoverySecret);
    assert_eq!(code(t.recover(&t.recovery_secret, "Erika", "112233", "445566")).0, ErrorCode::BadPin);
    assert!(!t.is_unlocked());

    let secret = t.recovery_secret.to_lowercase().replace('-', " ");
    t.recover(&secret, "Erika", "112233", "112233").expect("recovered, typed loosely");
    assert_eq!(t.draft(id).expect("draft").draft.citizen, "Ödön");
    t.lock();
    assert_eq!(code(t.unlock("Erika", PIN)).0, ErrorCode::WrongPin, "the old PIN is gone");
    t.unlock("Erika", "112233").expect("the new PIN");
}

#[test]
fn a_full_disk_refuses_the_change_and_keeps_what_was_saved() {
    let t = desk();
    let id = t.start("hundeanmeldung").expect("start").draft.id;
    t.set_answer(id, "halter_vorname", json!("Przemysław")).expect("set");
    let TestDesk { dir, .. } = t;

    let vault = formdesk_desk::Desk::open_vault(dir.path()).expect("vault");
    let pages: u32 = {
        let file = dir.path().join(formdesk_vault::FILE_NAME);
        let bytes = std::fs::metadata(&file).expect("size").len();
        u32::try_from(bytes / 4096).expect("pages")
    };
    vault.limit_pages(pages.max(1)).expect("limit");
    let desk = formdesk_desk::Desk::new(
        formdesk_catalog::Catalog::embedded().expect("forms"),
        formdesk_desk::SystemClock,
        vault,
        formdesk_vault::KdfParams::FAST_INSECURE,
    );
    desk.unlock("Erika", PIN).expect("unlock");
    let big = "ß".repeat(200_000);
    let err = code(desk.set_answer(id, "halter_familienname", json!(big)));
    assert_eq!(err.0, ErrorCode::Storage, "{}", err.1);
    assert!(err.1.contains("Datenträger ist voll") && err.1.contains("erhalten"), "{}", err.1);
    let view = desk.draft(id).expect("still readable");
    assert_eq!(view.draft.citizen, "Przemysław", "the refused change is not shown as if saved");
    drop(desk);

    let desk = desk_at(dir.path());
    desk.unlock("Erika", PIN).expect("unlock");
    assert_eq!(desk.draft(id).expect("draft").draft.citizen, "Przemysław");
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .is_ok_and(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0")))
}

#[test]
fn a_read_only_data_directory_is_named_and_nothing_is_lost() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // World-readable places, so that the child can run as another user when the tests run as root (root
    // writes anywhere, whatever the permissions say).
    let root = tempfile::Builder::new().permissions(std::fs::Permissions::from_mode(0o755)).tempdir().expect("dir");
    let data = root.path().join("data");
    {
        let desk = desk_at(&data);
        desk.set_up("Erika", PIN, PIN).expect("set up");
        let id = desk.start("hundeanmeldung").expect("start").draft.id;
        desk.set_answer(id, "halter_vorname", json!("Dvořák")).expect("set");
    }
    let child = root.path().join("formdesk-desk-child");
    std::fs::copy(env!("CARGO_BIN_EXE_formdesk-desk-child"), &child).expect("copy the child");
    let set_mode = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    for file in std::fs::read_dir(&data).expect("data").flatten() {
        set_mode(&file.path(), 0o444);
    }
    set_mode(&data, 0o555);

    let mut command = std::process::Command::new(&child);
    command.arg("write").arg(&data);
    if is_root() {
        command.uid(65534).gid(65534);
    }
    let output = command.output().expect("the child runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the child failed: {stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(!lines.is_empty() && lines.iter().all(|l| l.starts_with("error \"storage\"")), "{stdout}");
    assert!(lines[0].contains(&data.display().to_string()), "the directory is named: {stdout}");
    assert!(lines[0].contains("schreibgeschützt") || lines[0].contains("kann nicht"), "{stdout}");

    set_mode(&data, 0o755);
    for file in std::fs::read_dir(&data).expect("data").flatten() {
        set_mode(&file.path(), 0o644);
    }
    let desk = desk_at(&data);
    desk.unlock("Erika", PIN).expect("unlock");
    let list = desk.drafts_list("").expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].citizen, "Dvořák");
}

#[test]
fn drafts_are_found_by_the_citizens_name() {
    let t = desk();
    let a = t.start("hundeanmeldung").expect("a").draft.id;
    t.set_answer(a, "halter_vorname", json!("Jürgen")).expect("set");
    t.set_answer(a, "halter_familienname", json!("Müller")).expect("set");
    let b = t.start("bewohnerparkausweis").expect("b").draft.id;
    t.set_answer(b, "antragsteller_familienname", json!("Yılmaz")).expect("set");
    let ids = |q: &str| t.drafts_list(q).expect("list").iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids("müller"), vec![a]);
    assert_eq!(ids("MUELLER jürgen"), vec![a], "umlaut spelling and word order aside");
    assert_eq!(ids("Yılmaz"), vec![b]);
    assert_eq!(ids("Parkausweis"), vec![b], "the form's title counts too");
    assert_eq!(ids("Schmidt"), Vec::<u64>::new());
    assert_eq!(ids("").len(), 2);
}

#[test]
fn finalized_submissions_are_shredded_after_the_retention_period_and_drafts_never() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let dir = tempfile::tempdir().expect("a temporary directory");
    // The vault's clock, moved on by the test.
    let now = Arc::new(AtomicI64::new(1_795_000_000));
    let clock = now.clone();
    let vault = formdesk_vault::Vault::open_with_clock(dir.path(), Arc::new(move || clock.load(Ordering::SeqCst)))
        .expect("opens");
    let catalog = formdesk_catalog::Catalog::embedded().expect("forms");
    let today = formdesk_desk::FixedClock::on(formdesk_engine::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"));
    let desk = formdesk_desk::Desk::new(catalog, today, vault, formdesk_vault::KdfParams::FAST_INSECURE);
    desk.set_up("Erika", PIN, PIN).expect("set up");

    let old = desk.start("hundeanmeldung").expect("start").draft.id;
    crate::enter(&desk, old, &mut crate::complete_hundeanmeldung());
    desk.finalize(old).expect("finalizes");
    let draft = desk.start("hundeabmeldung").expect("start").draft.id;
    now.fetch_add(60 * 86_400, Ordering::SeqCst);
    let recent = desk.start("hundeanmeldung").expect("start").draft.id;
    crate::enter(&desk, recent, &mut crate::complete_hundeanmeldung());
    desk.finalize(recent).expect("finalizes");
    assert!(!desk.files(old).expect("files").is_empty(), "the signature is stored");

    let ninety_days = Duration::from_secs(90 * 86_400);
    assert_eq!(desk.shred_expired(ninety_days).expect("retention"), 0, "nothing is 90 days old yet");
    now.fetch_add(31 * 86_400, Ordering::SeqCst);
    assert_eq!(desk.shred_expired(ninety_days).expect("retention"), 1);

    let listed: Vec<u64> = desk.drafts_list("").expect("list").iter().map(|d| d.id).collect();
    assert_eq!(listed, [recent, draft], "the old submission leaves the work list; a draft is never shredded");
    let (code, message) = code(desk.draft(old));
    assert_eq!(code, ErrorCode::Finalized);
    assert_eq!(
        message,
        format!("Die Angaben von Vorgang {old} sind gelöscht (übermittelt oder Aufbewahrungsfrist abgelaufen).")
    );
    assert_eq!(self::code(desk.files(old)).0, ErrorCode::Finalized, "its files went with it");
    assert_eq!(desk.draft(recent).expect("still readable").draft.status, DraftStatus::Final);
    // Shredding needs no unlock: a locked desk applies it too, and reads nothing.
    desk.lock();
    now.fetch_add(365 * 86_400, Ordering::SeqCst);
    assert_eq!(desk.shred_expired(ninety_days).expect("retention while locked"), 1);
}

#[test]
fn a_damaged_case_is_listed_as_damaged_and_hides_no_other() {
    let t = desk();
    let a = t.start("hundeabmeldung").expect("start").draft.id;
    t.set_answer(a, "halter_vorname", json!("Zofia")).expect("set");
    t.set_answer(a, "halter_familienname", json!("Wójcik")).expect("set");
    let b = t.start("hundeanmeldung").expect("start").draft.id;
    t.set_answer(b, "halter_familienname", json!("Yılmaz")).expect("set");
    let TestDesk { dir, .. } = t;
    // A byte of draft b's summary changed in the file.
    let conn = rusqlite::Connection::open(dir.path().join(formdesk_vault::FILE_NAME)).expect("opens");
    let mut sealed: Vec<u8> =
        conn.query_row("SELECT summary_sealed FROM submissions WHERE id = ?1", [b], |r| r.get(0)).expect("row");
    let last = sealed.len() - 1;
    sealed[last] ^= 0x20;
    conn.execute("UPDATE submissions SET summary_sealed = ?2 WHERE id = ?1", rusqlite::params![b, sealed])
        .expect("set");
    drop(conn);

    let desk = desk_at(dir.path());
    desk.unlock("Erika", PIN).expect("unlock");
    let list = desk.drafts_list("").expect("the list opens");
    assert_eq!(list.len(), 2, "{list:?}");
    let damaged = list.iter().find(|d| d.id == b).expect("the damaged case is listed");
    assert_eq!(damaged.citizen, "");
    assert!(
        damaged.damaged.as_deref().is_some_and(|m| m.contains("beschädigt") || m.contains("gelesen")),
        "{damaged:?}"
    );
    let fine = list.iter().find(|d| d.id == a).expect("listed");
    assert_eq!((fine.citizen.as_str(), fine.damaged.as_deref()), ("Zofia Wójcik", None));
    assert_eq!(code(desk.draft(b)).0, ErrorCode::Damaged);
    assert_eq!(desk.drafts_list("Wójcik").expect("search").len(), 1);
}
