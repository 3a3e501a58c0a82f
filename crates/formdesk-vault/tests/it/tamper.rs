//! Changed or moved ciphertext is detected with a clear error: never a panic, never wrong plaintext.

use crate::{PIN, new_vault, raw};
use formdesk_vault::{Vault, VaultError};

/// Flips one bit at `offset` (from the end when negative) of `column` in `table`'s row `rowid`.
fn flip(dir: &std::path::Path, table: &str, column: &str, key: (&str, i64), offset: isize) {
    let conn = raw(dir);
    let sql = format!("SELECT {column} FROM {table} WHERE {} = ?1", key.0);
    let mut bytes: Vec<u8> = conn.query_row(&sql, [key.1], |r| r.get(0)).unwrap();
    let at = if offset < 0 { bytes.len() - offset.unsigned_abs() } else { offset as usize };
    bytes[at] ^= 0x01;
    conn.execute(&format!("UPDATE {table} SET {column} = ?2 WHERE {} = ?1", key.0), rusqlite::params![key.1, bytes])
        .unwrap();
}

fn setup() -> (tempfile::TempDir, Vault, i64, i64, i64) {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let a = vault.create("hundeanmeldung", "1.0.0", "Erika Mustermann", b"IBAN DE89370400440532013000").unwrap();
    let b = vault.create("hundeanmeldung", "1.0.0", "Max Mustermann", b"IBAN DE02120300000000202051").unwrap();
    let file = vault.attach(a, "Sachkundenachweis.pdf", "application/pdf", &[7u8; 300_000][..]).unwrap();
    (dir, vault, a, b, file.id)
}

fn assert_tampered<T: std::fmt::Debug>(result: Result<T, VaultError>, what: &str) {
    match result {
        Err(error @ VaultError::Tampered { .. }) => {
            let text = error.to_string();
            assert!(text.contains("does not decrypt: the vault file was changed or damaged"), "{what}: {text}");
        }
        other => panic!("{what}: expected a tamper error, got {other:?}"),
    }
}

#[test]
fn a_flipped_byte_anywhere_in_any_ciphertext_is_detected() {
    // Header, nonce, body and tag of each kind of ciphertext.
    for offset in [0isize, 4, 5, 16, 17, 20, -17, -1] {
        for (table, column) in
            [("submissions", "data_sealed"), ("submissions", "summary_sealed"), ("submissions", "wrapped_key")]
        {
            let (dir, vault, a, b, _) = setup();
            flip(dir.path(), table, column, ("id", a), offset);
            assert_tampered(vault.load(a), &format!("{column} at {offset}"));
            assert!(vault.load(b).is_ok(), "the other submission is unharmed");
        }
        let (dir, vault, a, _, file) = setup();
        flip(dir.path(), "attachments", "meta_sealed", ("id", file), offset);
        assert_tampered(vault.attachments(a), &format!("attachment meta at {offset}"));
        let (dir, vault, a, _, file) = setup();
        flip(dir.path(), "chunks", "data_sealed", ("attachment_id", file), offset);
        assert_tampered(vault.read_attachment(a, file, std::io::sink()), &format!("chunk at {offset}"));
    }
}

#[test]
fn a_ciphertext_moved_to_another_row_is_detected() {
    let (dir, vault, a, b, _) = setup();
    let conn = raw(dir.path());
    conn.execute(
        "UPDATE submissions SET data_sealed = (SELECT data_sealed FROM submissions WHERE id = ?1) WHERE id = ?2",
        [a, b],
    )
    .unwrap();
    assert_tampered(vault.load(b), "data moved");

    // Key and data moved together: the key is bound to its row as well.
    let (dir, vault, a, b, _) = setup();
    raw(dir.path())
        .execute(
            "UPDATE submissions SET wrapped_key = (SELECT wrapped_key FROM submissions WHERE id = ?1),
                                    data_sealed = (SELECT data_sealed FROM submissions WHERE id = ?1),
                                    summary_sealed = (SELECT summary_sealed FROM submissions WHERE id = ?1)
             WHERE id = ?2",
            [a, b],
        )
        .unwrap();
    assert_tampered(vault.load(b), "key and data moved");
    // The work list still lists every submission; the moved one is marked damaged, the others read.
    let list = vault.work_list().unwrap();
    let moved = list.iter().find(|w| w.id == b).unwrap();
    assert!(moved.damaged.as_deref().is_some_and(|d| d.contains(&b.to_string())), "{moved:?}");
    assert_eq!(moved.summary, "");
    assert!(list.iter().filter(|w| w.id != b).all(|w| w.damaged.is_none() && !w.summary.is_empty()));

    // The summary column's ciphertext put into the data column of the same row.
    let (dir, vault, a, _, _) = setup();
    raw(dir.path()).execute("UPDATE submissions SET data_sealed = summary_sealed WHERE id = ?1", [a]).unwrap();
    assert_tampered(vault.load(a), "summary as data");

    // Two chunks swapped within an attachment.
    let (dir, vault, a, _, file) = setup();
    let conn = raw(dir.path());
    conn.execute("UPDATE chunks SET idx = 99 WHERE attachment_id = ?1 AND idx = 0", [file]).unwrap();
    conn.execute("UPDATE chunks SET idx = 0 WHERE attachment_id = ?1 AND idx = 1", [file]).unwrap();
    conn.execute("UPDATE chunks SET idx = 1 WHERE attachment_id = ?1 AND idx = 99", [file]).unwrap();
    assert_tampered(vault.read_attachment(a, file, std::io::sink()), "chunks swapped");
}

#[test]
fn garbage_instead_of_an_envelope_is_an_error_not_a_panic() {
    for garbage in [&b""[..], b"FDVE", b"not an envelope", &[0xff; 64]] {
        let (dir, vault, a, _, _) = setup();
        raw(dir.path())
            .execute("UPDATE submissions SET data_sealed = ?2 WHERE id = ?1", rusqlite::params![a, garbage])
            .unwrap();
        assert_tampered(vault.load(a), &format!("{garbage:?}"));
    }
}

#[test]
fn a_clerk_key_changed_in_the_file_does_not_unlock() {
    let (dir, mut vault, a, _, _) = setup();
    vault.lock();
    let conn = raw(dir.path());
    let id: i64 = conn.query_row("SELECT id FROM clerks WHERE name = 'Anna'", [], |r| r.get(0)).unwrap();
    flip(dir.path(), "clerks", "wrapped_key", ("id", id), -1);
    assert!(vault.unlock("Anna", PIN).is_err());
    assert!(matches!(vault.load(a), Err(VaultError::Locked)));
}
