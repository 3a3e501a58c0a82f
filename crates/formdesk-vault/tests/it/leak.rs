//! Fifty distinctive personal values go in; none of them can be found in the data directory, its WAL and
//! SHM files or the temp directory, as UTF-8, UTF-16LE or base64: while locked, after closing, and after
//! shredding in the whole file, free pages included.

use crate::new_vault;
use formdesk_vault::Vault;

#[path = "../../../../tests/support/leak_scan.rs"]
mod scan;
use scan::{base64, files, hits, values};

#[test]
fn no_personal_value_is_readable_in_any_file() {
    let values = values();
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let started = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
    // SQLite would put temporary files into the system's temp directory (it must not: temp_store = MEMORY).
    let temp = std::env::temp_dir();
    let new_temp_files = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&temp)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.metadata().is_ok_and(|m| m.is_file() && m.modified().is_ok_and(|t| t >= started)))
            .map(|e| e.path())
            .collect()
    };
    let mut vault = new_vault(&data);
    let mut ids = Vec::new();
    for chunk in values.chunks(5) {
        let summary = &chunk[0];
        let body = format!("{{\"answers\":{chunk:?}}}");
        let id = vault.create("hundeanmeldung", "1.0.0", summary, body.as_bytes()).unwrap();
        vault.save(id, summary, format!("{body} ").as_bytes()).unwrap();
        vault.attach(id, &format!("{}.pdf", chunk[0]), "application/pdf", chunk[3].as_bytes()).unwrap();
        ids.push(id);
    }
    // Looking a draft up by the citizen's name works after unlock, from the decrypted work list.
    let list = vault.work_list().unwrap();
    assert!(list.iter().any(|i| i.summary == values[0]));

    vault.lock();
    let mut scanned = files(&data);
    scanned.extend(new_temp_files());
    assert!(scanned.iter().any(|p| p.to_string_lossy().ends_with("-wal")), "the WAL file is scanned: {scanned:?}");
    assert_eq!(hits(&scanned, &values), Vec::<String>::new(), "while locked");
    // The needles do find a value that is there: the scan itself works.
    let probe = root.path().join("probe");
    std::fs::write(&probe, format!("x{}y", values[7]).encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>())
        .unwrap();
    assert_eq!(hits(std::slice::from_ref(&probe), &values).len(), 1);
    std::fs::write(&probe, format!("xx{}", base64(format!("ab{}cd", values[3]).as_bytes()))).unwrap();
    assert_eq!(hits(&[probe], &values).len(), 1);

    drop(vault);
    assert_eq!(hits(&files(&data), &values), Vec::<String>::new(), "after closing");

    let mut vault = Vault::open(&data).unwrap();
    vault.unlock("Anna", crate::PIN).unwrap();
    for &id in &ids {
        vault.finalize(id, "x", b"x").unwrap();
        vault.shred(id).unwrap();
    }
    vault.checkpoint().unwrap();
    drop(vault);
    assert_eq!(hits(&files(&data), &values), Vec::<String>::new(), "after shredding");
}
