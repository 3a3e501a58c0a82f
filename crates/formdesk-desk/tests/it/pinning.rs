//! Property test of pinning: over random sequences of installs, reloads, new cases, finalizing, shredding,
//! discarding, restarts and clean-ups, no form set a case still on the desk uses is ever deleted, and a
//! clean-up leaves nothing else behind but the current set.

use crate::formsets::{changed, install, store_desk_at};
use crate::{PIN, enter};
use formdesk_channel::FormStore;
use formdesk_desk::Desk;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

#[derive(Debug, Clone)]
enum Op {
    /// The sync side installs variant `k` of the forms (not yet reloaded by the desk).
    Install(u8),
    Reload,
    Start,
    Finalize(usize),
    Discard(usize),
    Shred,
    Collect,
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..4).prop_map(Op::Install),
        3 => Just(Op::Reload),
        4 => Just(Op::Start),
        2 => any::<usize>().prop_map(Op::Finalize),
        1 => any::<usize>().prop_map(Op::Discard),
        1 => Just(Op::Shred),
        3 => Just(Op::Collect),
        1 => Just(Op::Restart),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Life {
    Open,
    Final,
    Shredded,
}

/// What the model knows of a case: its id, the set it was begun on, where it is.
struct Case {
    id: u64,
    set: String,
    life: Life,
}

fn complete_abmeldung() -> serde_json::Map<String, Value> {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../forms/hundeabmeldung/scenarios/02_verstorben_vollstaendig.json");
    let scenario: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    scenario["answers"].as_object().cloned().expect("answers")
}

fn current(store: &FormStore) -> String {
    store.current().expect("readable").expect("a current set").sha256
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (desk, store) = store_desk_at(dir.path());
    desk.set_up("Erika", PIN, PIN).expect("set up");
    let mut desk: Desk = desk;
    let mut desk_current = current(&store);
    let mut cases: Vec<Case> = Vec::new();
    let mut published = 0;
    for op in ops {
        match op {
            Op::Install(k) => {
                published += 1;
                let files = changed("hundeabmeldung", &format!("1.0.{}", k + 1), |t| t);
                install(&store, &files, published, |_| {});
            }
            Op::Reload => {
                desk.reload_forms().expect("reloaded");
                desk_current = current(&store);
            }
            Op::Start => {
                let id = desk.start("hundeabmeldung").expect("started").draft.id;
                cases.push(Case { id, set: desk_current.clone(), life: Life::Open });
            }
            Op::Finalize(n) => {
                let open: Vec<usize> = (0..cases.len()).filter(|&i| cases[i].life == Life::Open).collect();
                if let Some(&i) = open.get(n % open.len().max(1)) {
                    enter(&desk, cases[i].id, &mut complete_abmeldung());
                    desk.finalize(cases[i].id).expect("finalized with the form it was begun on");
                    cases[i].life = Life::Final;
                }
            }
            Op::Discard(n) => {
                let open: Vec<usize> = (0..cases.len()).filter(|&i| cases[i].life == Life::Open).collect();
                if let Some(&i) = open.get(n % open.len().max(1)) {
                    desk.discard(cases[i].id).expect("discarded");
                    cases.remove(i);
                }
            }
            Op::Shred => {
                desk.shred_expired(Duration::ZERO).expect("shredded");
                cases.iter_mut().filter(|c| c.life == Life::Final).for_each(|c| c.life = Life::Shredded);
            }
            Op::Collect => {
                desk.collect_forms().expect("collected");
                let mut expected: BTreeSet<String> =
                    cases.iter().filter(|c| c.life != Life::Shredded).map(|c| c.set.clone()).collect();
                expected.insert(current(&store));
                expected.insert(desk_current.clone());
                prop_assert_eq!(store.kept_sets().expect("kept"), expected, "nothing unpinned survives");
            }
            Op::Restart => {
                drop(desk);
                let (again, _) = store_desk_at(dir.path());
                again.unlock("Erika", PIN).expect("unlocked");
                desk = again;
                desk_current = current(&store);
            }
        }
        for case in cases.iter().filter(|c| c.life != Life::Shredded) {
            prop_assert!(store.set(&case.set).is_ok(), "set {} of case {} was deleted after {op:?}", case.set, case.id);
        }
        let pinned: BTreeSet<String> =
            cases.iter().filter(|c| c.life != Life::Shredded).map(|c| c.set.clone()).collect();
        prop_assert_eq!(desk.pinned_sets().expect("pins"), pinned);
    }
    // Every case still on the desk opens with the form it was begun on.
    for case in cases.iter().filter(|c| c.life != Life::Shredded) {
        prop_assert!(desk.draft(case.id).is_ok(), "case {} does not open", case.id);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_set_a_case_uses_is_ever_deleted_and_nothing_else_survives_a_clean_up(
        ops in proptest::collection::vec(op(), 1..24)
    ) {
        run(&ops)?;
    }
}
