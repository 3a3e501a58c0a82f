//! The audit trail in the vault's file: layout 6 from layout 5, entries written in the action's transaction,
//! what goes up to the portal next, and retention that keeps the anchor and everything not yet uploaded.

use crate::{PIN, new_vault, raw};
use formdesk_protocol::audit::Action;
use formdesk_vault::audit::{BrokenKind, KEEP_SECONDS, verify_dir};
use formdesk_vault::{AuditEvent, Clock, KdfParams, Outbox, Queued, SealedPart, Vault, Verdict};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

fn actions(vault: &Vault) -> Vec<Action> {
    vault.audit_entries().unwrap().into_iter().map(|s| s.entry.record.action).collect()
}

fn intact(verdict: Verdict) -> u64 {
    match verdict {
        Verdict::Intact { entries, .. } => entries,
        Verdict::Broken(broken) => panic!("the log is broken: {broken}"),
    }
}

#[test]
fn a_file_of_layout_5_gets_the_audit_table_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika Mustermann", b"{\"a\":1}").unwrap();
    vault.finalize(id, "Erika Mustermann", b"{\"a\":2}").unwrap();
    drop(vault);
    // Back to layout 5, as the previous release left it.
    raw(dir.path()).execute_batch("DROP TABLE audit; PRAGMA user_version = 5;").unwrap();
    assert_eq!(intact(verify_dir(dir.path()).unwrap()), 0, "no audit trail before layout 6");

    let mut vault = Vault::open(dir.path()).unwrap();
    let version: u32 = raw(dir.path()).query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 6);
    assert!(vault.audit_entries().unwrap().is_empty(), "the trail starts empty");
    vault.unlock("Anna", PIN).unwrap();
    let record = vault.load(id).unwrap();
    assert_eq!(record.data.as_deref(), Some(&b"{\"a\":2}"[..]));
    assert_eq!(record.item.summary, "Erika Mustermann");
    let entries = vault.audit_entries().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entry.record.seq, 1, "the chain begins at seq 1");
    assert_eq!(entries[0].entry.record.action, Action::Unlock);
    assert_eq!(intact(vault.verify_audit().unwrap()), 1);
}

#[test]
fn the_vaults_own_actions_are_recorded_in_their_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    vault.add_clerk("Bert", PIN, KdfParams::FAST_INSECURE).unwrap();
    let kept = vault.create("hundeanmeldung", "1.0.0", "x", b"{}").unwrap();
    let gone = vault.create("hundeanmeldung", "1.0.0", "y", b"{}").unwrap();
    vault.discard(gone).unwrap();
    let queued = Queued {
        destination_id: "steueramt".into(),
        parts: vec![SealedPart { name: "metadata".into(), jwe: "a.b.c.d.e".into() }],
    };
    vault.finalize_issued(kept, "x", b"{}", Some(&queued), Some("HUND-7K3F-Q9XN")).unwrap();
    let uuid = vault.outbox_entry(kept).unwrap().unwrap().uuid;
    let mut outbox = Outbox::open(dir.path()).unwrap();
    outbox.delivered(&uuid, "signed.acceptance", 1_800_000_000).unwrap();
    outbox.delivered(&uuid, "signed.acceptance", 1_800_000_001).unwrap();
    assert_eq!(vault.shred_delivered(None).unwrap(), vec![kept]);
    vault.lock();
    assert!(vault.unlock("Anna", "000000").is_err());

    assert_eq!(
        actions(&vault),
        [
            Action::ClerkAdd,
            Action::ClerkAdd,
            Action::Discard,
            Action::Finalize,
            Action::Delivered,
            Action::Shred,
            Action::UnlockFailed
        ],
        "a repeated confirmation is recorded once"
    );
    let entries = vault.audit_entries().unwrap();
    let finalize = &entries[3].entry.record;
    assert_eq!((finalize.actor.as_str(), finalize.object.as_str()), ("1", uuid.as_str()));
    let detail = serde_json::to_value(&finalize.detail).unwrap();
    assert_eq!(
        detail,
        serde_json::json!({"draft": kept, "form": "hundeanmeldung", "version": "1.0.0", "reference": "HUND-7K3F-Q9XN"})
    );
    assert_eq!(entries[1].entry.record.object, "2", "the clerk added, by id");
    assert_eq!(entries[4].entry.record.actor, "device", "the desk itself took the confirmation");
    assert_eq!(
        entries[5].entry.record.detail["reason"],
        formdesk_protocol::audit::DetailValue::Text("delivered".into())
    );
    assert_eq!(intact(verify_dir(dir.path()).unwrap()), 7);
}

#[test]
fn an_action_refused_leaves_no_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("hundeanmeldung", "1.0.0", "x", b"{}").unwrap();
    vault.finalize(id, "x", b"{}").unwrap();
    let before = vault.audit_entries().unwrap().len();
    assert!(vault.discard(id).is_err(), "a final submission is not discarded");
    assert!(vault.finalize(id, "x", b"{}").is_err(), "nor finalized twice");
    assert!(vault.add_clerk("Anna", PIN, KdfParams::FAST_INSECURE).is_err(), "nor a clerk added twice");
    assert_eq!(vault.audit_entries().unwrap().len(), before);
}

#[test]
fn the_portal_gets_what_it_has_not_acknowledged_and_only_that_may_ever_be_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let now = Arc::new(AtomicI64::new(1_800_000_000));
    let reading = now.clone();
    let clock: Clock = Arc::new(move || reading.load(Ordering::SeqCst));
    let mut vault = Vault::open_with_clock(dir.path(), clock.clone()).unwrap();
    vault.initialize("Anna", PIN, KdfParams::FAST_INSECURE).unwrap();
    for _ in 0..9 {
        vault.record(&AuditEvent::new(Action::Print).on("a-submission")).unwrap();
    }
    let mut outbox = Outbox::open_with_clock(dir.path(), clock).unwrap();
    let first = outbox.audit_to_upload(4).unwrap();
    assert_eq!(first.iter().map(|e| e.record.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    outbox.audit_acknowledged(4).unwrap();
    let next = outbox.audit_to_upload(1000).unwrap();
    assert_eq!(next.first().map(|e| e.record.seq), Some(5), "after the last acknowledged one");
    assert_eq!(next.len(), 6);
    assert_eq!(next[0].prev, first[3].hash, "the chain goes on where the portal stands");

    // Not old enough: nothing goes.
    now.fetch_add(KEEP_SECONDS - 10, Ordering::SeqCst);
    assert_eq!(vault.prune_audit().unwrap(), 0);
    // Older than 400 days: the acknowledged ones go, but the last of them stays as the anchor; the six not yet
    // acknowledged stay, however old.
    now.fetch_add(20, Ordering::SeqCst);
    vault.record(&AuditEvent::new(Action::Lock)).unwrap();
    assert_eq!(vault.prune_audit().unwrap(), 3);
    let kept: Vec<u64> = vault.audit_entries().unwrap().iter().map(|s| s.entry.record.seq).collect();
    assert_eq!(kept, (4..=11).collect::<Vec<_>>());
    let Verdict::Intact { entries, head } = vault.verify_audit().unwrap() else { panic!("broken after pruning") };
    assert_eq!((entries, head.seq), (8, 11));
    assert_eq!(vault.prune_audit().unwrap(), 0, "pruning again changes nothing");

    // Everything acknowledged: all but the anchor go, and the chain goes on from it.
    outbox.audit_acknowledged(11).unwrap();
    now.fetch_add(KEEP_SECONDS + 1, Ordering::SeqCst);
    assert_eq!(vault.prune_audit().unwrap(), 7);
    vault.record(&AuditEvent::new(Action::Lock)).unwrap();
    assert_eq!(vault.audit_entries().unwrap().iter().map(|s| s.entry.record.seq).collect::<Vec<_>>(), [11, 12]);
    assert_eq!(intact(verify_dir(dir.path()).unwrap()), 2);

    // The anchor itself changed is found.
    raw(dir.path())
        .execute(
            "UPDATE audit SET record = CAST(replace(CAST(record AS TEXT), 'lock', 'print') AS BLOB) WHERE seq = 11",
            [],
        )
        .unwrap();
    match verify_dir(dir.path()).unwrap() {
        Verdict::Broken(broken) => assert_eq!((broken.seq, broken.kind), (11, BrokenKind::Changed)),
        other => panic!("not found: {other:?}"),
    }
}

#[test]
fn a_wrong_pin_an_unknown_clerk_and_a_wrong_recovery_secret_are_recorded_without_a_key() {
    let dir = tempfile::tempdir().unwrap();
    drop(new_vault(dir.path()));
    // A well-formed recovery secret, of another desk.
    let elsewhere = tempfile::tempdir().unwrap();
    let other_secret =
        Vault::open(elsewhere.path()).unwrap().initialize("Otto", PIN, KdfParams::FAST_INSECURE).unwrap();
    let mut vault = Vault::open(dir.path()).unwrap();
    assert!(vault.unlock("Anna", "999999").is_err());
    assert!(vault.unlock("Zacharias Quellenfeld", PIN).is_err());
    let wrong = vault.recover(other_secret.display().as_ref(), "Anna", PIN, KdfParams::FAST_INSECURE);
    assert!(matches!(wrong, Err(formdesk_vault::VaultError::WrongRecoverySecret)), "{wrong:?}");
    assert!(!vault.is_unlocked());
    let entries = vault.audit_entries().unwrap();
    let failed: Vec<(String, String)> = entries
        .iter()
        .filter(|s| s.entry.record.action == Action::UnlockFailed)
        .map(|s| (s.entry.record.actor.clone(), serde_json::to_string(&s.entry.record.detail).unwrap()))
        .collect();
    assert_eq!(failed[0], ("1".to_owned(), r#"{"attempts":1,"reason":"wrong_pin"}"#.to_owned()));
    assert_eq!(failed[1], ("unknown".to_owned(), r#"{"reason":"unknown_clerk"}"#.to_owned()));
    assert_eq!(failed[2], ("unknown".to_owned(), r#"{"reason":"wrong_recovery_secret"}"#.to_owned()));
    assert_eq!(failed.len(), 3);
    let bytes: Vec<Vec<u8>> = {
        let conn = raw(dir.path());
        let mut statement = conn.prepare("SELECT record FROM audit").unwrap();
        statement.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert!(
        bytes.iter().all(|b| !String::from_utf8_lossy(b).contains("Quellenfeld")),
        "the name typed is not recorded"
    );
    assert!(bytes.iter().all(|b| !String::from_utf8_lossy(b).contains("Anna")), "nor the clerk's name");
}

#[test]
fn the_vault_and_the_outbox_appending_at_once_keep_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let queued = Queued {
        destination_id: "steueramt".into(),
        parts: vec![SealedPart { name: "metadata".into(), jwe: "a.b.c.d.e".into() }],
    };
    let mut uuids = Vec::new();
    for _ in 0..20 {
        let id = vault.create("hundeanmeldung", "1.0.0", "x", b"{}").unwrap();
        vault.finalize_and_queue(id, "x", b"{}", Some(&queued)).unwrap();
        uuids.push(vault.outbox_entry(id).unwrap().unwrap().uuid);
    }
    let before = vault.audit_entries().unwrap().len();
    let clerk = std::thread::spawn(move || {
        for _ in 0..40 {
            vault.record(&AuditEvent::new(Action::Print).on("a-submission")).unwrap();
        }
    });
    let mut outbox = Outbox::open(dir.path()).unwrap();
    for uuid in &uuids {
        outbox.delivered(uuid, "signed.acceptance", 1_800_000_000).unwrap();
    }
    clerk.join().unwrap();
    assert_eq!(intact(verify_dir(dir.path()).unwrap()), u64::try_from(before + 40 + 20).unwrap());
}
