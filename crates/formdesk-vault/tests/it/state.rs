//! Property test of the submission state machine (draft → final → shredded, and discard) under random
//! sequences of operations, locking and reopening included, against a model kept in memory. Finalizing may
//! queue for delivery; the sync engine's own connection marks queued ones delivered, and the desk lets
//! delivered ones go (all but the one on screen) with `shred_delivered`.

use crate::outbox::queued;
use crate::{PIN, new_vault};
use formdesk_vault::{Delivery, Outbox, Status, Vault, VaultError};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
enum Op {
    Create(u8),
    Save(usize, u8),
    Finalize(usize),
    FinalizeQueued(usize),
    Deliver(usize),
    ShredDelivered(Option<usize>),
    Shred(usize),
    Discard(usize),
    Lock,
    Unlock,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u8>().prop_map(Op::Create),
        5 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Op::Save(i, b)),
        2 => any::<usize>().prop_map(Op::Finalize),
        2 => any::<usize>().prop_map(Op::FinalizeQueued),
        2 => any::<usize>().prop_map(Op::Deliver),
        1 => any::<Option<usize>>().prop_map(Op::ShredDelivered),
        1 => any::<usize>().prop_map(Op::Shred),
        1 => any::<usize>().prop_map(Op::Discard),
        1 => Just(Op::Lock),
        2 => Just(Op::Unlock),
        1 => Just(Op::Reopen),
    ]
}

/// What the model expects of one submission.
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    status: Status,
    data: Option<Vec<u8>>,
    /// Whether it is in the outbox, and whether the portal has confirmed it.
    queued: bool,
    delivered: bool,
}

impl Expected {
    fn new(status: Status, data: &[u8]) -> Expected {
        Expected { status, data: Some(data.to_vec()), queued: false, delivered: false }
    }
}

/// Fails the case unless `result` matches `pattern`, showing what it was.
macro_rules! expect_err {
    ($result:expr, $pattern:pat) => {
        if !matches!($result, $pattern) {
            return Err(TestCaseError::fail(format!("unexpected {:?}", $result)));
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_vault_behaves_like_its_model(ops in proptest::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let mut vault = new_vault(dir.path());
        let mut outbox = Outbox::open(dir.path()).unwrap();
        let mut uuids: BTreeMap<i64, String> = BTreeMap::new();
        let mut model: BTreeMap<i64, Expected> = BTreeMap::new();
        let mut known: Vec<i64> = Vec::new(); // every id ever created, discarded ones too
        let mut unlocked = true;
        let pick = |known: &Vec<i64>, i: usize| if known.is_empty() { 999 } else { known[i % known.len()] };
        for op in ops {
            match op {
                Op::Create(b) => {
                    let result = vault.create("f", "1", "s", &[b]);
                    if unlocked {
                        let id = result.unwrap();
                        prop_assert!(!known.contains(&id), "id {id} reused");
                        known.push(id);
                        uuids.insert(id, vault.load(id).unwrap().item.uuid);
                        model.insert(id, Expected::new(Status::Draft, &[b]));
                    } else {
                        expect_err!(result, Err(VaultError::Locked));
                    }
                }
                Op::Save(i, b) => {
                    let id = pick(&known, i);
                    let result = vault.save(id, "s", &[b, b]);
                    match (unlocked, model.get_mut(&id)) {
                        (_, None) => expect_err!(result, Err(VaultError::UnknownSubmission(_))),
                        (true, Some(e)) if e.status == Status::Draft => {
                            result.unwrap();
                            e.data = Some(vec![b, b]);
                        }
                        (true, Some(_)) => expect_err!(result, Err(VaultError::WrongState { .. })),
                        (false, Some(e)) if e.status == Status::Draft => expect_err!(result, Err(VaultError::Locked)),
                        (false, Some(_)) => expect_err!(result, Err(VaultError::WrongState { .. })),
                    }
                }
                Op::Finalize(i) => {
                    let id = pick(&known, i);
                    let result = vault.finalize(id, "s", b"final");
                    match (unlocked, model.get_mut(&id)) {
                        (_, None) => expect_err!(result, Err(VaultError::UnknownSubmission(_))),
                        (true, Some(e)) if e.status == Status::Draft => {
                            result.unwrap();
                            *e = Expected::new(Status::Final, b"final");
                        }
                        (false, Some(e)) if e.status == Status::Draft => expect_err!(result, Err(VaultError::Locked)),
                        (_, Some(_)) => expect_err!(result, Err(VaultError::WrongState { .. })),
                    }
                }
                Op::FinalizeQueued(i) => {
                    let id = pick(&known, i);
                    let result = vault.finalize_and_queue(id, "s", b"final", Some(&queued(i % 3)));
                    match (unlocked, model.get_mut(&id)) {
                        (_, None) => expect_err!(result, Err(VaultError::UnknownSubmission(_))),
                        (true, Some(e)) if e.status == Status::Draft => {
                            result.unwrap();
                            *e = Expected { queued: true, ..Expected::new(Status::Final, b"final") };
                        }
                        (false, Some(e)) if e.status == Status::Draft => expect_err!(result, Err(VaultError::Locked)),
                        (_, Some(_)) => expect_err!(result, Err(VaultError::WrongState { .. })),
                    }
                }
                Op::Deliver(i) => {
                    let id = pick(&known, i);
                    let Some(uuid) = uuids.get(&id) else { continue };
                    let result = outbox.delivered(uuid, "a.b", 1_800_000_000);
                    match model.get_mut(&id) {
                        // The engine only delivers what the outbox gave it: anything else means the file
                        // was changed behind its back.
                        Some(e) if e.queued => {
                            result.unwrap();
                            e.delivered = true;
                        }
                        _ => expect_err!(result, Err(VaultError::Corrupt(_))),
                    }
                }
                Op::ShredDelivered(keep) => {
                    let keep = keep.map(|k| pick(&known, k));
                    // Needs no key either, so the desk can let go of deliveries while locked.
                    let shredded = vault.shred_delivered(keep).unwrap().len();
                    let mut expected = 0;
                    for (&id, e) in &mut model {
                        if e.delivered && e.status == Status::Final && Some(id) != keep {
                            e.status = Status::Shredded;
                            e.data = None;
                            expected += 1;
                        }
                    }
                    prop_assert_eq!(shredded, expected);
                }
                Op::Shred(i) => {
                    let id = pick(&known, i);
                    let result = vault.shred(id);
                    match model.get_mut(&id) {
                        None => expect_err!(result, Err(VaultError::UnknownSubmission(_))),
                        // Shredding needs no key: it only destroys.
                        Some(e) if e.status == Status::Final => {
                            result.unwrap();
                            e.status = Status::Shredded;
                            e.data = None;
                        }
                        Some(_) => expect_err!(result, Err(VaultError::WrongState { .. })),
                    }
                }
                Op::Discard(i) => {
                    let id = pick(&known, i);
                    let result = vault.discard(id);
                    match model.get(&id) {
                        None => expect_err!(result, Err(VaultError::UnknownSubmission(_))),
                        Some(e) if e.status == Status::Draft => {
                            result.unwrap();
                            model.remove(&id);
                        }
                        Some(_) => expect_err!(result, Err(VaultError::WrongState { .. })),
                    }
                }
                Op::Lock => {
                    vault.lock();
                    unlocked = false;
                }
                Op::Unlock => {
                    vault.unlock("Anna", PIN).unwrap();
                    unlocked = true;
                }
                Op::Reopen => {
                    drop(vault);
                    vault = Vault::open(dir.path()).unwrap();
                    unlocked = false;
                }
            }
            // After every step, everything the model knows is what the vault holds; the outbox holds the queued
            // ones, with their sealed parts until they are delivered.
            for (&id, expected) in &model {
                let entry = vault.outbox_entry(id).unwrap();
                prop_assert_eq!(entry.is_some(), expected.queued, "submission {} in the outbox", id);
                if let Some(entry) = entry {
                    let delivered = entry.state == Delivery::Delivered;
                    prop_assert_eq!(delivered, expected.delivered, "submission {} delivered", id);
                    let parts = outbox.parts(&uuids[&id]).unwrap();
                    prop_assert_eq!(parts.is_empty(), expected.delivered, "submission {}: sealed parts", id);
                }
            }
            if unlocked {
                for (&id, expected) in &model {
                    let record = vault.load(id).unwrap();
                    prop_assert_eq!(record.item.status, expected.status, "submission {}", id);
                    prop_assert_eq!(&record.data, &expected.data, "submission {}", id);
                }
                let listed: Vec<i64> = vault.work_list().unwrap().iter().map(|w| w.id).collect();
                prop_assert_eq!(listed.len(), model.len());
            }
        }
        prop_assert_eq!(vault.integrity_check().unwrap(), "ok");
    }
}
