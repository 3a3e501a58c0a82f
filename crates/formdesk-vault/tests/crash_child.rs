//! The child process of the vault's crash test (`tests/it/crash.rs`); not a program for anyone else.
//!
//! `formdesk-vault-crash-child DIR SEED`: opens the vault in DIR with the test clerk, then saves draft
//! changes and finalizes in a loop until it is killed. Each data blob is `"<id>:<n>"`, n counting the saves
//! of that submission. After each call that returned, it prints what is now durable, and flushes:
//! `saved <id> <n>` or `final <id> <n>`. The parent kills it at a random moment and checks that every line
//! it read is in the vault.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use formdesk_vault::{Status, Vault};
use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("DIR"));
    let mut seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1) | 1;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut vault = Vault::open(&dir).unwrap();
    vault.unlock("Anna", "482913").unwrap();
    let mut drafts: Vec<(i64, u64)> = vault
        .work_list()
        .unwrap()
        .into_iter()
        .filter(|item| item.status == Status::Draft)
        .map(|item| {
            let data = vault.load(item.id).unwrap().data.unwrap();
            let text = String::from_utf8(data).unwrap();
            // Empty when the kill came between creating and the first save.
            (item.id, text.split_once(':').map_or(0, |(_, n)| n.parse().unwrap()))
        })
        .collect();
    let mut out = std::io::stdout().lock();
    loop {
        let roll = random() % 100;
        if drafts.len() < 3 || roll < 5 {
            let id = vault.create("hundeanmeldung", "1.0.0", "Erika Mustermann", b"").unwrap();
            vault.save(id, "Erika Mustermann", format!("{id}:1").as_bytes()).unwrap();
            drafts.push((id, 1));
            writeln!(out, "saved {id} 1").unwrap();
        } else if roll < 10 {
            let (id, n) = drafts.swap_remove((random() % drafts.len() as u64) as usize);
            vault.finalize(id, "Erika Mustermann", format!("{id}:{}", n + 1).as_bytes()).unwrap();
            writeln!(out, "final {id} {}", n + 1).unwrap();
        } else {
            let at = (random() % drafts.len() as u64) as usize;
            let (id, n) = drafts[at];
            vault.save(id, "Erika Mustermann", format!("{id}:{}", n + 1).as_bytes()).unwrap();
            drafts[at].1 = n + 1;
            writeln!(out, "saved {id} {}", n + 1).unwrap();
        }
        out.flush().unwrap();
    }
}
