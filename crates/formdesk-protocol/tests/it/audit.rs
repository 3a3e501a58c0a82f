//! The audit chain against crafted logs: every kind of tampering is found at the right seq.

use formdesk_protocol::audit::{
    Action, Anchor, AuditError, Broken, BrokenKind, Checkpoint, DetailValue, Entry, Head, MAX_DETAIL_ENTRIES, Record,
    SignedCheckpoint, ZERO_HASH, entry_hash, next, verify, verify_continuing,
};
use proptest::prelude::*;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::collections::BTreeMap;

const LOG: &str = "t081110000000";

fn key(seed: u8) -> Ed25519KeyPair {
    Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).unwrap()
}

fn record(log: &str, seq: u64) -> Record {
    let mut detail = BTreeMap::new();
    detail.insert("form".to_owned(), DetailValue::Text("hundeanmeldung".into()));
    detail.insert("version".to_owned(), DetailValue::Number(3));
    Record {
        version: 1,
        log: log.to_owned(),
        seq,
        at: 1_800_000_000 + i64::try_from(seq).unwrap(),
        actor: format!("clerk-{}", seq % 7),
        action: if seq.is_multiple_of(2) { Action::Finalize } else { Action::Print },
        object: format!("draft-{seq}"),
        detail,
    }
}

fn chain(n: u64) -> Vec<Entry> {
    let mut head = Head::empty(LOG);
    let mut entries = Vec::new();
    for seq in 1..=n {
        let entry = next(&head, record(LOG, seq)).unwrap();
        head = entry.head();
        entries.push(entry);
    }
    entries
}

fn checkpoint(entries: &[Entry], seq: u64, signer: &Ed25519KeyPair) -> SignedCheckpoint {
    let entry = &entries[usize::try_from(seq - 1).unwrap()];
    Checkpoint { log: entry.record.log.clone(), seq, hash: entry.hash, at: 1_900_000_000 }.sign(signer).unwrap()
}

fn broken(seq: u64, kind: BrokenKind) -> Result<Head, Broken> {
    Err(Broken { seq, kind })
}

#[test]
fn a_chain_of_1000_records_verifies_with_and_without_a_checkpoint() {
    let entries = chain(1000);
    let head = verify(LOG, &entries, None).unwrap();
    assert_eq!((head.seq, head.hash), (1000, entries[999].hash));
    assert_eq!(entries[0].prev, ZERO_HASH);

    let portal = key(1);
    for seq in [1, 500, 1000] {
        let cp = checkpoint(&entries, seq, &portal);
        let anchor = Anchor { checkpoint: &cp, public_key: portal.public_key().as_ref() };
        assert_eq!(verify(LOG, &entries, Some(anchor)).unwrap(), head);
    }
}

#[test]
fn a_log_pruned_at_its_checkpoint_verifies_from_there() {
    let entries = chain(100);
    let portal = key(1);
    let cp = checkpoint(&entries, 40, &portal);
    let anchor = Anchor { checkpoint: &cp, public_key: portal.public_key().as_ref() };
    assert_eq!(verify(LOG, &entries[40..], Some(anchor)).unwrap(), entries[99].head());
    // Without the anchor the kept part does not start at seq 1.
    assert_eq!(verify(LOG, &entries[40..], None), broken(1, BrokenKind::Removed));
    // Pruned up to the checkpoint exactly: the anchor is the head.
    assert_eq!(verify(LOG, &[], Some(anchor)).unwrap(), entries[39].head());
}

#[test]
fn a_log_continuing_a_kept_head_verifies_from_there_and_a_gap_after_it_is_found() {
    let entries = chain(50);
    let start = entries[19].head();
    assert_eq!(verify_continuing(&start, &entries[20..]).unwrap(), entries[49].head());
    assert_eq!(verify_continuing(&start, &[]).unwrap(), start);
    // The entry right after the kept head removed.
    assert_eq!(verify_continuing(&start, &entries[21..]), broken(21, BrokenKind::Removed));
    // A chain that does not continue this head.
    let other = entries[18].head();
    assert_eq!(verify_continuing(&other, &entries[20..]), broken(20, BrokenKind::Removed));
    let mut changed = entries[20..].to_vec();
    changed[3].record.actor = "someone".into();
    assert_eq!(verify_continuing(&start, &changed), broken(24, BrokenKind::Changed));
}

#[test]
fn one_changed_field_of_one_record_is_found_at_its_seq() {
    let mut entries = chain(1000);
    entries[411].record.actor = "clerk-99".into();
    assert_eq!(verify(LOG, &entries, None), broken(412, BrokenKind::Changed));

    let mut entries = chain(1000);
    entries[411].record.detail.insert("version".into(), DetailValue::Number(4));
    assert_eq!(verify(LOG, &entries, None), broken(412, BrokenKind::Changed));

    let mut entries = chain(1000);
    entries[0].record.action = Action::Shred;
    assert_eq!(verify(LOG, &entries, None), broken(1, BrokenKind::Changed));
}

#[test]
fn a_record_removed_in_the_middle_is_found_at_its_seq() {
    let mut entries = chain(1000);
    entries.remove(499);
    assert_eq!(verify(LOG, &entries, None), broken(500, BrokenKind::Removed));
}

#[test]
fn a_record_removed_and_the_rest_renumbered_is_found() {
    // Renumbering changes each later record, so its hash no longer recomputes.
    let mut entries = chain(50);
    entries.remove(19);
    for entry in &mut entries[19..] {
        entry.record.seq -= 1;
    }
    assert_eq!(verify(LOG, &entries, None), broken(20, BrokenKind::Changed));
}

#[test]
fn the_last_record_removed_is_shown_only_by_a_checkpoint() {
    let entries = chain(1000);
    let portal = key(1);
    let cp = checkpoint(&entries, 1000, &portal);
    let cut = &entries[..999];
    assert!(verify(LOG, cut, None).is_ok());
    let anchor = Anchor { checkpoint: &cp, public_key: portal.public_key().as_ref() };
    assert_eq!(verify(LOG, cut, Some(anchor)), broken(1000, BrokenKind::Removed));
}

#[test]
fn two_records_swapped_are_found_at_the_first_of_them() {
    let mut entries = chain(1000);
    entries.swap(300, 301);
    assert_eq!(verify(LOG, &entries, None), broken(301, BrokenKind::Reordered));

    let mut entries = chain(1000);
    entries.swap(10, 700);
    assert_eq!(verify(LOG, &entries, None), broken(11, BrokenKind::Reordered));
}

#[test]
fn the_tail_rewritten_consistently_after_a_checkpoint_is_found_at_the_checkpoint() {
    let entries = chain(1000);
    let portal = key(1);
    let cp = checkpoint(&entries, 900, &portal);

    // From seq 600 on, every record is changed and the chain made consistent again.
    let mut rewritten = entries[..599].to_vec();
    let mut head = rewritten[598].head();
    for seq in 600..=1000 {
        let mut changed = record(LOG, seq);
        changed.actor = "clerk-0".into();
        let entry = next(&head, changed).unwrap();
        head = entry.head();
        rewritten.push(entry);
    }
    assert_eq!(verify(LOG, &rewritten, None).unwrap(), head);
    let anchor = Anchor { checkpoint: &cp, public_key: portal.public_key().as_ref() };
    assert_eq!(verify(LOG, &rewritten, Some(anchor)), broken(900, BrokenKind::Rewritten));

    // A log pruned at the checkpoint whose kept part no longer continues it.
    assert_eq!(verify(LOG, &rewritten[900..], Some(anchor)), broken(901, BrokenKind::Rewritten));
}

#[test]
fn a_checkpoint_signed_by_another_key_is_refused() {
    let entries = chain(100);
    let portal = key(1);
    let intruder = key(2);
    let cp = checkpoint(&entries, 100, &intruder);
    let anchor = Anchor { checkpoint: &cp, public_key: portal.public_key().as_ref() };
    assert_eq!(verify(LOG, &entries, Some(anchor)), broken(100, BrokenKind::CheckpointSignature));
    assert_eq!(cp.verify(portal.public_key().as_ref()), Err(AuditError::BadSignature));
    assert!(cp.verify(intruder.public_key().as_ref()).is_ok());

    // A signed checkpoint whose hash was changed afterwards.
    let mut forged = checkpoint(&entries, 100, &portal);
    forged.checkpoint.hash = entries[98].hash;
    let anchor = Anchor { checkpoint: &forged, public_key: portal.public_key().as_ref() };
    assert_eq!(verify(LOG, &entries, Some(anchor)), broken(100, BrokenKind::CheckpointSignature));
}

#[test]
fn a_checkpoint_of_another_log_is_refused() {
    let entries = chain(100);
    let portal = key(1);
    let other = {
        let mut head = Head::empty("operator");
        let mut out = Vec::new();
        for seq in 1..=100 {
            let entry = next(&head, record("operator", seq)).unwrap();
            head = entry.head();
            out.push(entry);
        }
        out
    };
    let cp = checkpoint(&other, 100, &portal);
    let anchor = Anchor { checkpoint: &cp, public_key: portal.public_key().as_ref() };
    assert_eq!(verify(LOG, &entries, Some(anchor)), broken(100, BrokenKind::CheckpointOfAnotherLog));
    // An entry of another log among this one's.
    let mut mixed = entries.clone();
    mixed[50] = other[50].clone();
    assert_eq!(verify(LOG, &mixed, None), broken(51, BrokenKind::AnotherLog));
}

#[test]
fn a_checkpoint_travels_as_json_and_still_verifies() {
    let entries = chain(3);
    let portal = key(1);
    let cp = checkpoint(&entries, 3, &portal);
    let json = serde_json::to_string(&cp).unwrap();
    let read: SignedCheckpoint = serde_json::from_str(&json).unwrap();
    assert_eq!(read, cp);
    assert!(read.verify(portal.public_key().as_ref()).is_ok());
}

#[test]
fn appending_refuses_a_wrong_seq_another_log_and_oversized_details() {
    let head = chain(5)[4].head();
    assert_eq!(next(&head, record(LOG, 7)), Err(AuditError::WrongSeq { expected: 6, found: 7 }));
    assert_eq!(next(&head, record(LOG, 5)), Err(AuditError::WrongSeq { expected: 6, found: 5 }));
    assert_eq!(
        next(&head, record("operator", 6)),
        Err(AuditError::WrongLog { expected: LOG.into(), found: "operator".into() })
    );

    let mut long = record(LOG, 6);
    long.detail.insert("form".into(), DetailValue::Text("x".repeat(201)));
    assert_eq!(next(&head, long), Err(AuditError::TooLong { field: "detail.form".into(), chars: 201 }));

    let mut many = record(LOG, 6);
    for i in 0..MAX_DETAIL_ENTRIES {
        many.detail.insert(format!("k{i}"), DetailValue::Number(1));
    }
    assert_eq!(next(&head, many), Err(AuditError::TooManyDetails(MAX_DETAIL_ENTRIES + 2)));

    let mut key = record(LOG, 6);
    key.detail.insert("Name".into(), DetailValue::Text("x".into()));
    assert_eq!(next(&head, key), Err(AuditError::BadDetailKey("Name".into())));

    let mut object = record(LOG, 6);
    object.object = "ä".repeat(201);
    assert_eq!(next(&head, object), Err(AuditError::TooLong { field: "object".into(), chars: 201 }));
    // 200 characters are still fine, however many bytes they take.
    let mut object = record(LOG, 6);
    object.object = "ä".repeat(200);
    assert!(next(&head, object).is_ok());

    let mut version = record(LOG, 6);
    version.version = 2;
    assert_eq!(next(&head, version), Err(AuditError::Version(2)));
}

#[test]
fn a_free_text_action_does_not_read() {
    let mut json = serde_json::to_value(record(LOG, 1)).unwrap();
    assert_eq!(json["action"], "print");
    json["action"] = "Frau Müller angerufen".into();
    assert!(serde_json::from_value::<Record>(json).is_err());
    for (action, name) in [(Action::SignInFailed, "sign_in_failed"), (Action::FormsInstall, "forms_install")] {
        assert_eq!(serde_json::to_value(action).unwrap(), name);
    }
}

#[test]
fn canonical_bytes_and_hash_are_stable() {
    let first = record(LOG, 1);
    assert_eq!(
        String::from_utf8(first.canonical().unwrap()).unwrap(),
        r#"{"action":"print","actor":"clerk-1","at":1800000001,"detail":{"form":"hundeanmeldung","version":3},"log":"t081110000000","object":"draft-1","seq":1,"v":1}"#
    );
    // This pins the format of version 1: records already written verify only while this hash stays the same.
    let hash = entry_hash(&ZERO_HASH, &first).unwrap();
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, GOLDEN_HASH);
}

// Computed once from the record above (and checked with Python's hashlib); it pins format version 1.
const GOLDEN_HASH: &str = "f18915ec3528b9a066cc734cbfd4293a6fb5d84493dd7dacc74380e0838a60ce";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever bytes an entry is read from, verifying never panics, and a changed entry never verifies.
    #[test]
    fn verify_never_panics_on_mutated_entries(
        index in 0usize..6,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        hash_edit in prop::option::of((0usize..32, 1u8..=255)),
        prev_edit in prop::option::of((0usize..32, 1u8..=255)),
    ) {
        let entries = chain(6);
        let original = entries[5].head();
        let mut json = serde_json::to_vec(&entries[index].record).unwrap();
        for (at, byte) in &edits {
            let at = at.index(json.len());
            json[at] = *byte;
        }
        let mut changed = entries.clone();
        if let Ok(record) = serde_json::from_slice::<Record>(&json) {
            changed[index].record = record;
        }
        if let Some((at, x)) = hash_edit {
            changed[index].hash[at] ^= x;
        }
        if let Some((at, x)) = prev_edit {
            changed[index].prev[at] ^= x;
        }
        let portal = key(1);
        let cp = checkpoint(&entries, 6, &portal);
        let anchor = Anchor { checkpoint: &cp, public_key: portal.public_key().as_ref() };
        let with_anchor = verify(LOG, &changed, Some(anchor));
        let without = verify(LOG, &changed, None);
        if changed != entries {
            prop_assert!(with_anchor.is_err());
            prop_assert!(without.is_err());
        } else {
            prop_assert_eq!(with_anchor.unwrap(), original.clone());
            prop_assert_eq!(without.unwrap(), original);
        }
    }
}
