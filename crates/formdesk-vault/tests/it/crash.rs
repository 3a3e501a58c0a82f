//! A child process saves and finalizes in a loop and is killed with SIGKILL at random moments, 200 times.
//! Every save it reported before the kill must be in the vault and decrypt, and the file must stay sound.

use crate::{PIN, new_vault};
use formdesk_vault::{Status, Vault};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const KILLS: usize = 200;

#[test]
fn every_acknowledged_save_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    drop(new_vault(dir.path()));
    let child_exe = env!("CARGO_BIN_EXE_formdesk-vault-crash-child");
    let mut seed = Instant::now().elapsed().subsec_nanos() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // The newest acknowledged revision of each submission, and whether it was finalized.
    let mut acked: HashMap<i64, (u64, bool)> = HashMap::new();
    let mut total_lines = 0usize;
    for round in 0..KILLS {
        let mut child = Command::new(child_exe)
            .arg(dir.path())
            .arg(random().to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        // Let it start and work for a random while (opening and unlocking takes a few ms).
        std::thread::sleep(Duration::from_millis(5 + random() % 60));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        for line in lines.try_iter() {
            total_lines += 1;
            let mut parts = line.split(' ');
            let (kind, id, n) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
            let id: i64 = id.parse().unwrap();
            let n: u64 = n.parse().unwrap();
            acked.insert(id, (n, kind == "final"));
        }

        let mut vault = Vault::open(dir.path()).unwrap();
        assert_eq!(vault.integrity_check().unwrap(), "ok", "round {round}");
        vault.unlock("Anna", PIN).unwrap();
        for (&id, &mut (ref mut n, ref mut finalized)) in acked.iter_mut() {
            let (n_acked, was_final) = (*n, *finalized);
            let record = vault.load(id).unwrap_or_else(|e| panic!("round {round}: submission {id}: {e}"));
            let text = String::from_utf8(record.data.unwrap()).unwrap();
            let (stored_id, stored_n) = text.split_once(':').unwrap();
            assert_eq!(stored_id, id.to_string());
            let stored_n: u64 = stored_n.parse().unwrap();
            // A save that committed just before the kill but was not reported yet may be there as well.
            assert!(
                stored_n == n_acked || stored_n == n_acked + 1,
                "round {round}: {id} has {stored_n}, acknowledged {n_acked}"
            );
            if was_final {
                assert_eq!(record.item.status, Status::Final, "round {round}: {id} was acknowledged final");
                assert_eq!(stored_n, n_acked);
            }
            // What is in the file now is where the next child goes on from: an unreported save found here
            // counts as acknowledged, or two unreported saves in a row (one per kill) would look like a gap.
            *n = stored_n;
            *finalized = record.item.status == Status::Final;
        }
    }
    assert!(total_lines > KILLS, "the child did too little work to test anything: {total_lines} saves");
}
