//! The desk's audit trail, driven through the desk's API on a real vault file: an entry for each action, in
//! one chain across restarts, ids only, and `formdesk --verify-audit` naming the first changed, removed or
//! reordered row.

use crate::delivery::{authority, destination};
use crate::formsets::{changed, install, store_desk, store_desk_at, with_new_fee};
use crate::{PIN, complete_hundeanmeldung, desk, desk_at, enter};
use formdesk_desk::{Desk, Registration, verify_audit};
use formdesk_protocol::audit::{Action, DetailValue, Record};
use formdesk_vault::audit::{BrokenKind, verify_dir};
use formdesk_vault::{Outbox, Verdict};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

/// A row of the audit table as stored: seq, record bytes, prev, hash.
type Row = (i64, Vec<u8>, Vec<u8>, Vec<u8>);

/// Every row of the audit table.
fn rows(dir: &Path) -> Vec<Row> {
    let conn = rusqlite::Connection::open(dir.join(formdesk_vault::FILE_NAME)).expect("opens");
    let mut statement = conn.prepare("SELECT seq, record, prev, hash FROM audit ORDER BY seq").expect("prepared");
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("read")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// The records of the audit trail in `dir`, in seq order.
fn records(dir: &Path) -> Vec<Record> {
    rows(dir).iter().map(|(_, record, _, _)| serde_json::from_slice(record).expect("a record")).collect()
}

fn actions(dir: &Path) -> Vec<Action> {
    records(dir).into_iter().map(|r| r.action).collect()
}

/// A program with `lp`'s interface that takes the job and succeeds.
fn printer(dir: &Path) -> String {
    let path = dir.join("lp");
    std::fs::write(&path, "#!/bin/sh\ncat > /dev/null\nexit 0\n").expect("written");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path.display().to_string()
}

/// A complete Hundeanmeldung begun on `desk`; its id.
fn begun(desk: &Desk) -> u64 {
    let id = desk.start("hundeanmeldung").expect("started").draft.id;
    enter(desk, id, &mut complete_hundeanmeldung());
    id
}

#[test]
fn every_action_of_the_desk_leaves_an_entry_with_ids_only() {
    let dir = tempfile::tempdir().expect("a folder");
    let (desk, store) = store_desk_at(dir.path());
    let secret = desk.set_up("Erika", PIN, PIN).expect("set up").recovery_secret;
    let out = tempfile::tempdir().expect("a folder");

    let id = begun(&desk);
    desk.finalize(id).expect("finalized");
    let reference = desk.receipt_view(id).expect("the receipt").reference;
    desk.print_receipt_with(id, &printer(out.path())).expect("printed");
    desk.save_receipt(id, &out.path().join("Eingangsbestätigung")).expect("saved");
    let other = desk.start("hundeabmeldung").expect("started").draft.id;
    desk.discard(other).expect("discarded");
    let old = begun(&desk);
    let set = install(&store, &with_new_fee(), 1, |_| {});
    desk.reload_forms().expect("reloaded");
    let carried = desk.carry_over(old).expect("carried over").draft.draft.id;
    desk.add_clerk("Bert", "135790", "135790").expect("added");
    desk.set_registration(&Registration {
        url: "https://portal.example".into(),
        device_id: "dev-4711".into(),
        device_name: "Bürgerbüro 1".into(),
        portal_key: vec![7; 32],
        enrolled_at: 1_800_000_000,
    })
    .expect("enrolled");
    desk.set_destinations(&[destination("steueramt", &authority())], 1).expect("keys");
    let sent = begun(&desk);
    desk.finalize(sent).expect("finalized");
    let uuid = desk.outbox().expect("outbox")[0].uuid.clone();
    Outbox::open(dir.path()).expect("outbox").delivered(&uuid, "payload.signature", 1_800_000_000).expect("delivered");
    desk.start("hundeanmeldung").expect("the clerk moves on");
    assert_eq!(desk.shred_expired(Duration::ZERO).expect("retention"), 1, "the first case");
    desk.lock();
    assert!(desk.unlock("Erika", "000000").is_err());
    desk.unlock("Erika", PIN).expect("unlocked");
    desk.recover(&secret, "Erika", "864200", "864200").expect("recovered");

    use Action::*;
    assert_eq!(
        actions(dir.path()),
        [
            FormsInstall,
            ClerkAdd,
            Finalize,
            Print,
            SaveReceipt,
            Discard,
            FormsInstall,
            CarryOver,
            ClerkAdd,
            Enrol,
            Finalize,
            Delivered,
            Shred,
            Shred,
            Lock,
            UnlockFailed,
            Unlock,
            Recover
        ]
    );
    let records = records(dir.path());
    let text = |r: &Record, key: &str| match r.detail.get(key) {
        Some(DetailValue::Text(t)) => t.clone(),
        other => panic!("{key}: {other:?}"),
    };
    // Who: the clerk's id in the vault, or the desk itself.
    let actors: Vec<&str> = records.iter().map(|r| r.actor.as_str()).collect();
    assert_eq!(
        actors,
        ["device", "1", "1", "1", "1", "1", "device", "1", "1", "1", "1", "device", "1", "1", "1", "1", "1", "1"]
    );
    assert_eq!(records[0].object.len(), 64, "a manifest's SHA-256");
    assert_eq!(text(&records[0], "source"), "shipped");
    assert_eq!((records[6].object.as_str(), text(&records[6], "source").as_str()), (set.as_str(), "portal"));
    for finalize_print_save in &records[2..5] {
        assert_eq!(finalize_print_save.detail["draft"], DetailValue::Number(i64::try_from(id).expect("id")));
        assert_eq!(text(finalize_print_save, "form"), "hundeanmeldung");
        assert_eq!(text(finalize_print_save, "version"), "1.0.0");
        assert_eq!(finalize_print_save.object.len(), 36, "the submission's id");
        assert_eq!(text(finalize_print_save, "reference"), reference);
    }
    assert_eq!(records[7].detail["draft"], DetailValue::Number(i64::try_from(carried).expect("id")));
    assert_eq!(records[7].detail["from"], DetailValue::Number(i64::try_from(old).expect("id")));
    assert_eq!(records[8].object, "2", "Bert, by id");
    assert_eq!(records[9].object, "dev-4711");
    assert_eq!(records[11].object, uuid);
    assert_eq!((text(&records[12], "reason"), text(&records[13], "reason")), ("delivered".into(), "retention".into()));
    assert_eq!(text(&records[15], "reason"), "wrong_pin");
    assert_eq!(records[17].object, "1", "recovery gives the clerk a new PIN, not a new id");

    let check = verify_audit(dir.path());
    assert!(check.intact, "{}", check.message);
    assert!(check.message.starts_with("Protokoll in Ordnung: 18 Einträge, letzter Hash "), "{}", check.message);
}

/// A desk whose log has seven entries (set up, then three times locked and unlocked), closed; its folder.
fn seven_entries() -> tempfile::TempDir {
    let t = desk();
    for _ in 0..3 {
        t.lock();
        t.unlock("Erika", PIN).expect("unlocked");
    }
    let crate::TestDesk { desk, dir, .. } = t;
    drop(desk);
    assert_eq!(rows(dir.path()).len(), 7);
    dir
}

/// A copy of the vault file in `dir`, changed by `tamper`, and what verification says of it.
fn tampered(dir: &Path, tamper: &str) -> (Verdict, formdesk_desk::AuditCheck) {
    let copy = tempfile::tempdir().expect("a folder");
    for name in [formdesk_vault::FILE_NAME.to_owned(), format!("{}-wal", formdesk_vault::FILE_NAME)] {
        if dir.join(&name).exists() {
            std::fs::copy(dir.join(&name), copy.path().join(&name)).expect("copied");
        }
    }
    let conn = rusqlite::Connection::open(copy.path().join(formdesk_vault::FILE_NAME)).expect("opens");
    conn.execute_batch(tamper).expect("tampered");
    drop(conn);
    (verify_dir(copy.path()).expect("read"), verify_audit(copy.path()))
}

fn broken_at(verdict: Verdict) -> (u64, BrokenKind) {
    match verdict {
        Verdict::Broken(b) => (b.seq, b.kind),
        Verdict::Intact { .. } => panic!("the change was not found"),
    }
}

#[test]
fn a_changed_a_removed_and_a_reordered_row_are_each_found_at_their_seq() {
    let dir = seven_entries();
    let intact = verify_audit(dir.path());
    assert!(intact.intact && intact.message.contains("7 Einträge"), "{}", intact.message);

    // Changed: entry 4 says it happened a second later.
    let (_, record, _, _) = rows(dir.path()).remove(3);
    let mut value: serde_json::Value = serde_json::from_slice(&record).expect("json");
    value["at"] = json!(value["at"].as_i64().expect("at") + 1);
    let changed = format!("UPDATE audit SET record = x'{}' WHERE seq = 4", hex(value.to_string().as_bytes()));
    let (verdict, check) = tampered(dir.path(), &changed);
    assert_eq!(broken_at(verdict), (4, BrokenKind::Changed));
    assert!(!check.intact);
    assert_eq!(check.message, "Protokoll beschädigt: Eintrag 4 wurde verändert (der Hash passt nicht zum Eintrag).");

    // A record that is no record at all.
    let (verdict, _) = tampered(dir.path(), "UPDATE audit SET record = x'00ff' WHERE seq = 6");
    assert_eq!(broken_at(verdict), (6, BrokenKind::Changed));

    // Removed: entry 3 deleted.
    let (verdict, check) = tampered(dir.path(), "DELETE FROM audit WHERE seq = 3");
    assert_eq!(broken_at(verdict), (3, BrokenKind::Removed));
    assert_eq!(check.message, "Protokoll beschädigt: Eintrag 3 wurde entfernt (ein Eintrag fehlt).");

    // Reordered: entries 3 and 4 swap places.
    let swap = "UPDATE audit SET seq = -3 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 4;
                UPDATE audit SET seq = 4 WHERE seq = -3;";
    let (verdict, check) = tampered(dir.path(), swap);
    assert_eq!(broken_at(verdict), (3, BrokenKind::Reordered));
    assert_eq!(
        check.message,
        "Protokoll beschädigt: Eintrag 3 wurde umsortiert (Einträge stehen in falscher Reihenfolge)."
    );
    // The same with the rows' contents swapped rather than their numbers.
    let (verdict, _) = tampered(
        dir.path(),
        "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE seq IN (5, 6);
         UPDATE audit SET record = (SELECT record FROM t WHERE seq = 6), prev = (SELECT prev FROM t WHERE seq = 6),
                hash = (SELECT hash FROM t WHERE seq = 6) WHERE seq = 5;
         UPDATE audit SET record = (SELECT record FROM t WHERE seq = 5), prev = (SELECT prev FROM t WHERE seq = 5),
                hash = (SELECT hash FROM t WHERE seq = 5) WHERE seq = 6;",
    );
    assert_eq!(broken_at(verdict), (5, BrokenKind::Reordered));

    // The first entry removed is found too.
    let (verdict, _) = tampered(dir.path(), "DELETE FROM audit WHERE seq = 1");
    assert_eq!(broken_at(verdict), (1, BrokenKind::Removed));
    // The original is untouched.
    assert!(verify_audit(dir.path()).intact);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_chain_goes_on_across_closing_and_reopening_the_vault() {
    let dir = seven_entries();
    let before = rows(dir.path());
    let desk = desk_at(dir.path());
    desk.unlock("Erika", PIN).expect("unlocked");
    desk.lock();
    drop(desk);
    let after = rows(dir.path());
    assert_eq!(after.len(), 9);
    assert_eq!(after[..7], before[..], "nothing before was touched");
    assert_eq!(after[7].0, 8, "the seq goes on");
    assert_eq!(after[7].2, before[6].3, "the first entry after reopening names the last one before");
    assert_eq!(actions(dir.path())[7..], [Action::Unlock, Action::Lock]);
    let check = verify_audit(dir.path());
    assert!(check.intact && check.message.contains("9 Einträge"), "{}", check.message);
}

#[test]
fn no_entry_holds_a_citizens_answer_or_the_clerks_name() {
    let dir = tempfile::tempdir().expect("a folder");
    let desk = desk_at(dir.path());
    desk.set_up("Walburga Sachbearbeiterin", PIN, PIN).expect("set up");
    let out = tempfile::tempdir().expect("a folder");
    let id = desk.start("hundeanmeldung").expect("started").draft.id;
    let mut answers = complete_hundeanmeldung();
    answers.insert("halter_vorname".into(), json!("Quirinella"));
    answers.insert("halter_familienname".into(), json!("Zyprianowitsch"));
    answers.insert("sepa_kontoinhaber".into(), json!("Quirinella Zyprianowitsch"));
    enter(&desk, id, &mut answers);
    desk.finalize(id).expect("finalized");
    desk.print_receipt_with(id, &printer(out.path())).expect("printed");
    desk.save_receipt(id, &out.path().join("Beleg")).expect("saved");
    desk.lock();
    drop(desk);

    let rows = rows(dir.path());
    assert!(rows.len() >= 5, "set up, finalized, printed, saved, locked");
    let mut all = Vec::new();
    for (_, record, prev, hash) in &rows {
        all.extend_from_slice(record);
        all.extend_from_slice(prev);
        all.extend_from_slice(hash);
    }
    let text = String::from_utf8_lossy(&all);
    for secret in ["Zyprianowitsch", "Quirinella", "Walburga", "Sachbearbeiterin", "DE89370400440532013000", "Herford"]
    {
        assert!(!text.contains(secret), "{secret} is in the audit trail");
    }
}

#[test]
fn the_idle_lock_and_a_wrong_pin_are_recorded_while_the_desk_has_no_key() {
    let t = desk();
    assert!(t.lock_if_idle(Duration::ZERO), "the idle lock");
    assert!(!t.is_unlocked());
    assert!(t.unlock("Erika", "111111").is_err());
    assert!(t.unlock("Erika", "222222").is_err());
    assert!(!t.is_unlocked());
    let records = records(t.dir.path());
    let failed: Vec<&Record> = records.iter().filter(|r| r.action == Action::UnlockFailed).collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[1].actor, "1");
    assert_eq!(failed[1].detail["attempts"], DetailValue::Number(2));
    let lock = records.iter().find(|r| r.action == Action::Lock).expect("the lock recorded");
    assert_eq!((lock.actor.as_str(), &lock.detail["reason"]), ("1", &DetailValue::Text("idle".into())));
    assert!(verify_audit(t.dir.path()).intact);
}

#[test]
fn verifying_a_folder_without_a_desk_says_so_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("a folder");
    let check = verify_audit(&dir.path().join("nichts"));
    assert!(!check.intact);
    assert!(check.message.contains("keinen Datenbestand"), "{}", check.message);
    assert!(!dir.path().join("nichts").exists(), "nothing was created");
    // A desk that was never set up has an empty log, and that is in order.
    drop(desk_at(dir.path()));
    let check = verify_audit(dir.path());
    assert!(check.intact, "{}", check.message);
    assert_eq!(check.message, "Protokoll in Ordnung: 0 Einträge.");
}

#[test]
fn a_form_set_that_does_not_load_is_refused_and_recorded() {
    let t = store_desk();
    let before = t.forms_info();
    // A set whose Hundeanmeldung is no form: it installs (the files are what the manifest says) but does not load.
    let broken = changed("hundeanmeldung", "1.2.0", |text| text.replacen("\"steps\"", "\"schritte\"", 1));
    let sha = install(&t.store, &broken, 1, |_| {});
    assert!(t.reload_forms().is_err());
    assert_eq!(t.forms_info(), before, "the desk keeps the forms it had");
    let last = records(t.dir.path()).pop().expect("an entry");
    assert_eq!(
        (last.action, last.actor.as_str(), last.object.as_str()),
        (Action::FormsRefused, "device", sha.as_str())
    );
    assert_eq!(last.detail["reason"], DetailValue::Text("unloadable".into()));
}

#[test]
fn an_entry_that_cannot_be_written_never_stops_printing_or_locking_and_a_finalization_without_one_loses_nothing() {
    let t = desk();
    let out = tempfile::tempdir().expect("a folder");
    let printed = begun(&t);
    t.finalize(printed).expect("finalized");
    let open = begun(&t);
    let before = rows(t.dir.path()).len();
    // The audit table refuses every new row, as a full disk or a damaged file might.
    let conn = rusqlite::Connection::open(t.dir.path().join(formdesk_vault::FILE_NAME)).expect("opens");
    conn.execute_batch("CREATE TRIGGER refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'refused'); END;")
        .expect("trigger");

    t.print_receipt_with(printed, &printer(out.path())).expect("printed all the same");
    t.save_receipt(printed, &out.path().join("Beleg")).expect("saved all the same");
    assert!(t.finalize(open).is_err(), "a finalization commits only with its entry");
    assert!(t.draft(open).is_ok_and(|v| v.draft.status == formdesk_desk::drafts::DraftStatus::Open));
    t.lock();
    assert!(!t.is_unlocked(), "locked all the same");
    assert_eq!(rows(t.dir.path()).len(), before, "nothing was recorded");

    conn.execute_batch("DROP TRIGGER refuse;").expect("dropped");
    t.unlock("Erika", PIN).expect("unlocked");
    t.finalize(open).expect("the draft was kept whole and finalizes now");
    assert_eq!(actions(t.dir.path())[before..], [Action::Unlock, Action::Finalize]);
    assert!(verify_audit(t.dir.path()).intact);
}
