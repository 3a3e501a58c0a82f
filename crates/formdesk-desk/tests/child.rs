//! The child process of the desk's leak and read-only tests (`tests/it/leak.rs`, `tests/it/vault.rs`); not a
//! program for anyone else. It works on a data directory through the same API the app's commands call.
//!
//! - `formdesk-desk-child leak DIR`: sets up a desk in DIR for "Erika" (PIN 246813), enters the fifty values
//!   of `tests/support/leak_scan.rs` into ten Hundeanmeldungen (and into a file of each), prints every answer's messages to stderr as
//!   a log would, locks, prints `locked`, and exits once a line arrives on stdin.
//! - `formdesk-desk-child write DIR`: unlocks the desk in DIR and tries to change draft 1 and to start a new
//!   one; prints `ok` or `error <code> <message>` for each.

#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

#[path = "../../../tests/support/leak_scan.rs"]
mod scan;

use formdesk_catalog::Catalog;
use formdesk_desk::ipc::IpcError;
use formdesk_desk::{Desk, SystemClock};
use formdesk_vault::KdfParams;
use serde_json::json;
use std::io::{BufRead, Write};
use std::path::Path;

const PIN: &str = "246813";

fn desk(dir: &Path) -> Result<Desk, IpcError> {
    let vault = Desk::open_vault(dir)?;
    Ok(Desk::new(Catalog::embedded().unwrap(), SystemClock, vault, KdfParams::FAST_INSECURE))
}

fn leak(dir: &Path) {
    let desk = desk(dir).unwrap();
    desk.set_up("Erika", PIN, PIN).unwrap();
    for chunk in scan::values().chunks(5) {
        let id = desk.start("hundeanmeldung").unwrap().draft.id;
        let answers = [
            ("halter_vorname", json!(chunk[0])),
            ("halter_familienname", json!("Beispiel")),
            ("halter_geburtsdatum", json!(chunk[2])),
            ("halter_adresse", json!({"street": chunk[3], "houseNumber": "1", "postcode": "32049", "city": "Herford"})),
            ("sepa_iban", json!(chunk[1])),
        ];
        for (path, value) in answers {
            let view = desk.set_answer(id, path, value).unwrap();
            for error in view.state.errors {
                eprintln!("draft {id}: {}: {}", error.path, error.message);
            }
        }
        // A file named after the citizen, its contents (about 300 KB) spanning two chunks, sent in parts as the UI does.
        let file = desk.begin_file(id, &format!("Nachweis {}.pdf", chunk[0]), "application/pdf").unwrap();
        let contents = format!("%PDF {} {} {} ", chunk[0], chunk[1], chunk[3]).repeat(4_500);
        for part in contents.as_bytes().chunks(100_000) {
            desk.add_to_file(id, &file, part).unwrap();
        }
        desk.finish_file(id, &file).unwrap();
        desk.next(id).unwrap();
        desk.add_instance(id, "hunde").unwrap();
        desk.set_answer(id, "hunde[0].name", json!(chunk[4])).unwrap();
        // A finalization that fails, as it does at the desk, with its message logged.
        if let Err(e) = desk.finalize(id) {
            eprintln!("draft {id}: {e}");
        }
    }
    let found = desk.drafts_list(&scan::values()[5]).unwrap();
    assert_eq!(found.len(), 1, "the citizen's name finds the draft");
    desk.lock();
    println!("locked");
    std::io::stdout().flush().unwrap();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).unwrap();
}

fn write(dir: &Path) {
    let report = |result: Result<(), IpcError>| match result {
        Ok(()) => println!("ok"),
        Err(e) => println!("error {} {}", serde_json::to_value(e.code).unwrap(), e.message),
    };
    let desk = match desk(dir) {
        Ok(desk) => desk,
        Err(e) => return report(Err(e)),
    };
    report(desk.unlock("Erika", PIN).map(drop).map_err(IpcError::from));
    report(desk.set_answer(1, "halter_vorname", json!("Neu")).map(drop).map_err(IpcError::from));
    report(desk.start("hundeanmeldung").map(drop).map_err(IpcError::from));
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (command, dir) = (args.next().unwrap(), args.next().unwrap());
    match command.as_str() {
        "leak" => leak(Path::new(&dir)),
        "write" => write(Path::new(&dir)),
        other => panic!("unknown command {other}"),
    }
}
