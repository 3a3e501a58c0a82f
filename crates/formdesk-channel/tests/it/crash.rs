//! A child process checks and installs form sets in a loop and is killed with SIGKILL at random moments,
//! 200 times, while the administrators publish a new set before every round. After every kill the store
//! must hold one complete, verified current set, the set a draft is pinned to, and the next check must work.

use crate::support::*;
use formdesk_channel::{Channel, FormStore};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: usize = 200;

/// Every file of a set is there and matches its hash.
fn verified(store: &FormStore, sha: &str) {
    let set = store.set(sha).unwrap_or_else(|e| panic!("set {sha}: {e:?}"));
    for file in set.manifest.files() {
        store.object(file).unwrap_or_else(|e| panic!("{} of {sha}: {e:?}", file.name));
    }
}

#[test]
fn every_kill_leaves_one_whole_verified_set_and_the_pinned_one() {
    let world = World::new();
    world.publish(&shipped(), Channel::All);
    let store_dir = world.tmp.path().join("desk");
    let store = world.desk("desk");
    let pinned = world.check(&store, Channel::All).expect("first set").set().sha256.clone();
    let child_exe = env!("CARGO_BIN_EXE_formdesk-channel-crash-child");
    let mut seed = u64::from(Instant::now().elapsed().subsec_nanos()) ^ 0x9e37_79b9_7f4a_7c15;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (old, new) = (shipped(), with_new_fee());
    // How long a child takes from its start to its first install here, so the kills spread over that.
    world.publish(&new, Channel::All);
    let start = Instant::now();
    let mut child = Command::new(child_exe)
        .arg(&store_dir)
        .arg(world.repo.dir())
        .arg(&pinned)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("first install");
    let span = start.elapsed().as_micros().max(1000) as u64 * 3 / 2;
    child.kill().expect("kill");
    child.wait().expect("wait");
    let mut checks = 0;
    let mut before_install = 0;
    let mut seen = std::collections::BTreeSet::new();
    for round in 0..KILLS {
        // A new publication every round, alternating the fee, so every child has something to install.
        world.publish(if round % 2 == 0 { &new } else { &old }, Channel::All);
        let mut child = Command::new(child_exe)
            .arg(&store_dir)
            .arg(world.repo.dir())
            .arg(&pinned)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).count());
        // The kill lands anywhere from the start to a little after the first install.
        std::thread::sleep(Duration::from_micros(random() % span));
        child.kill().expect("kill");
        let status = child.wait().expect("wait");
        assert!(!status.success(), "round {round}: the child ended by itself: {status}");
        let lines = reader.join().expect("reader");
        checks += lines;
        if lines == 0 {
            before_install += 1;
        }

        let store = FormStore::open(&store_dir).expect("reopen");
        let current = store.current().expect("current readable").expect("a current set");
        verified(&store, &current.sha256);
        verified(&store, &pinned);
        seen.insert(current.sha256);
    }
    // After all the kills the desk still checks and installs the newest set.
    let store = FormStore::open(&store_dir).expect("reopen");
    let last = world.check(&store, Channel::All).expect("a check after the kills");
    verified(&store, &last.set().sha256);
    eprintln!(
        "{KILLS} kills ({before_install} before the child's check completed), {checks} checks completed, {} different current sets seen; {span} µs to the first install",
        seen.len()
    );
    assert!(before_install > 0 && seen.len() > 1, "the kills must have hit installs");
}
