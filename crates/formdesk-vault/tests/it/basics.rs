//! A submission's life, locking, PINs, recovery, attachments, and the errors on the way.

use crate::{PIN, new_vault, raw};
use formdesk_vault::{CHUNK_SIZE, Clock, FormPin, KdfParams, Status, Vault, VaultError};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A clock the test moves on by hand, and the vault's view of it.
fn fake_clock() -> (Arc<AtomicI64>, Clock) {
    let now = Arc::new(AtomicI64::new(1_800_000_000));
    let reading = now.clone();
    (now, Arc::new(move || reading.load(Ordering::SeqCst)))
}

#[test]
fn a_draft_is_saved_finalized_and_shredded() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika Mustermann", br#"{"step":1}"#).unwrap();
    vault.save(id, "Erika Mustermann", br#"{"step":2}"#).unwrap();
    vault.save(id, "Erika Musterfrau", br#"{"step":3}"#).unwrap();
    let record = vault.load(id).unwrap();
    assert_eq!(record.data.as_deref(), Some(&br#"{"step":3}"#[..]));
    assert_eq!(record.item.summary, "Erika Musterfrau");
    assert_eq!(record.item.revision, 2);
    assert_eq!(record.item.status, Status::Draft);
    assert_eq!(record.item.form_id, "hundeanmeldung");
    assert_eq!(record.item.uuid.len(), 36);

    vault.finalize(id, "Erika Musterfrau", br#"{"final":true}"#).unwrap();
    let record = vault.load(id).unwrap();
    assert_eq!(record.item.status, Status::Final);
    assert!(record.item.finalized_at.is_some());
    let refused = vault.save(id, "x", b"x").unwrap_err();
    assert!(matches!(refused, VaultError::WrongState { status: Status::Final, .. }), "{refused}");
    assert_eq!(refused.to_string(), format!("submission {id} is Final; changing it is not possible"));
    assert_eq!(vault.load(id).unwrap().data.as_deref(), Some(&br#"{"final":true}"#[..]), "nothing lost");

    vault.shred(id).unwrap();
    let record = vault.load(id).unwrap();
    assert_eq!(record.item.status, Status::Shredded);
    assert_eq!(record.data, None);
    assert_eq!(record.item.summary, "");
    assert_eq!(record.item.form_id, "hundeanmeldung", "what a receipt lookup needs stays");
    assert!(matches!(vault.shred(id), Err(VaultError::WrongState { .. })));
    assert_eq!(vault.integrity_check().unwrap(), "ok");
}

#[test]
fn the_work_list_shows_the_latest_first_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (now, clock) = fake_clock();
    let mut vault = Vault::open_with_clock(dir.path(), clock.clone()).unwrap();
    vault.initialize("Anna", PIN, KdfParams::FAST_INSECURE).unwrap();
    let a = vault.create("hundeanmeldung", "1.0.0", "Ayşe Yılmaz", b"a").unwrap();
    now.fetch_add(10, Ordering::SeqCst);
    let b = vault.create("baumfaellgenehmigung", "1.0.0", "Jürgen Groß", b"b").unwrap();
    now.fetch_add(10, Ordering::SeqCst);
    vault.save(a, "Ayşe Yılmaz-Demir", b"a2").unwrap();
    drop(vault);

    let mut vault = Vault::open_with_clock(dir.path(), clock).unwrap();
    assert!(matches!(vault.work_list(), Err(VaultError::Locked)));
    vault.unlock("Anna", PIN).unwrap();
    let list = vault.work_list().unwrap();
    assert_eq!(list.iter().map(|i| i.id).collect::<Vec<_>>(), [a, b]);
    assert_eq!(list[0].summary, "Ayşe Yılmaz-Demir");
    assert_eq!(list[1].summary, "Jürgen Groß");
    assert_eq!(list[0].updated_at, 1_800_000_020);
}

#[test]
fn a_locked_vault_refuses_everything_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika", b"saved").unwrap();
    vault.lock();
    assert!(!vault.is_unlocked());
    assert!(matches!(vault.load(id), Err(VaultError::Locked)));
    assert!(matches!(vault.save(id, "x", b"x"), Err(VaultError::Locked)));
    assert!(matches!(vault.create("f", "1", "x", b"x"), Err(VaultError::Locked)));
    assert!(matches!(vault.finalize(id, "x", b"x"), Err(VaultError::Locked)));
    assert_eq!(VaultError::Locked.to_string(), "the vault is locked; unlock it with a PIN first");
    vault.unlock("Anna", PIN).unwrap();
    assert_eq!(vault.load(id).unwrap().data.as_deref(), Some(&b"saved"[..]));
    assert_eq!(vault.clerk(), Some("Anna"));
}

#[test]
fn wrong_pins_are_counted_slowed_down_and_remembered_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let (now, clock) = fake_clock();
    let mut vault = Vault::open_with_clock(dir.path(), clock.clone()).unwrap();
    vault.initialize("Anna", PIN, KdfParams::FAST_INSECURE).unwrap();
    vault.lock();
    for attempt in 1..=3 {
        match vault.unlock("Anna", "000000") {
            Err(VaultError::WrongPin { attempts }) => assert_eq!(attempts, attempt),
            other => panic!("attempt {attempt}: {other:?}"),
        }
    }
    // The third wrong PIN blocks for 5 s, even the right one, and even after a restart.
    assert!(matches!(vault.unlock("Anna", PIN), Err(VaultError::Blocked { seconds: 5 })));
    drop(vault);
    let mut vault = Vault::open_with_clock(dir.path(), clock).unwrap();
    let blocked = vault.unlock("Anna", PIN).unwrap_err();
    assert_eq!(blocked.to_string(), "too many wrong PINs: try again in 5 s");
    now.fetch_add(5, Ordering::SeqCst);
    assert!(matches!(vault.unlock("Anna", "999999"), Err(VaultError::WrongPin { attempts: 4 })));
    assert!(matches!(vault.unlock("Anna", PIN), Err(VaultError::Blocked { seconds: 10 })));
    now.fetch_add(10, Ordering::SeqCst);
    vault.unlock("Anna", PIN).unwrap();
    // A success starts the count afresh.
    vault.lock();
    assert!(matches!(vault.unlock("Anna", "000000"), Err(VaultError::WrongPin { attempts: 1 })));
    assert!(matches!(vault.unlock("Nobody", PIN), Err(VaultError::UnknownClerk(_))));
}

#[test]
fn each_clerk_has_a_pin_and_short_pins_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika", b"data").unwrap();
    assert!(matches!(
        vault.add_clerk("Bernd", "12345", KdfParams::FAST_INSECURE),
        Err(VaultError::PinTooShort { min: 6 })
    ));
    vault.add_clerk("Bernd", "bernd-2026", KdfParams::FAST_INSECURE).unwrap();
    assert!(matches!(vault.add_clerk("Bernd", "another1", KdfParams::FAST_INSECURE), Err(VaultError::ClerkExists(_))));
    vault.lock();
    assert!(matches!(vault.unlock("Bernd", PIN), Err(VaultError::WrongPin { .. })));
    vault.unlock("Bernd", "bernd-2026").unwrap();
    assert_eq!(vault.load(id).unwrap().data.as_deref(), Some(&b"data"[..]));
    assert_eq!(vault.clerks().unwrap(), ["Anna", "Bernd"]);
}

#[test]
fn the_recovery_secret_sets_a_new_pin_and_a_wrong_one_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open(dir.path()).unwrap();
    assert!(!vault.is_initialized().unwrap());
    assert!(matches!(vault.unlock("Anna", PIN), Err(VaultError::NotInitialized)));
    let secret = vault.initialize("Anna", PIN, KdfParams::FAST_INSECURE).unwrap();
    assert!(matches!(vault.initialize("Anna", PIN, KdfParams::FAST_INSECURE), Err(VaultError::AlreadyInitialized)));
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika", b"unsent").unwrap();
    vault.finalize(id, "Erika", b"unsent").unwrap();
    drop(vault);

    // Anna forgot her PIN.
    let mut vault = Vault::open(dir.path()).unwrap();
    let other = "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789";
    assert!(matches!(
        vault.recover(other, "Anna", "neue-pin", KdfParams::FAST_INSECURE),
        Err(VaultError::WrongRecoverySecret)
    ));
    assert!(matches!(
        vault.recover("ABCD", "Anna", "neue-pin", KdfParams::FAST_INSECURE),
        Err(VaultError::MalformedRecoverySecret(_))
    ));
    vault.recover(&secret.display(), "Anna", "neue-pin", KdfParams::FAST_INSECURE).unwrap();
    assert_eq!(vault.load(id).unwrap().data.as_deref(), Some(&b"unsent"[..]), "no unsent submission lost");
    vault.lock();
    assert!(matches!(vault.unlock("Anna", PIN), Err(VaultError::WrongPin { .. })));
    vault.unlock("Anna", "neue-pin").unwrap();
}

#[test]
fn the_recommended_key_derivation_unlocks_with_the_right_pin_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open(dir.path()).unwrap();
    vault.initialize("Anna", PIN, KdfParams::RECOMMENDED).unwrap();
    let stored: (u32, u32) = raw(dir.path())
        .query_row("SELECT kdf_memory_kib, kdf_passes FROM clerks", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(stored, (65536, 3));
    vault.lock();
    assert!(matches!(vault.unlock("Anna", "482914"), Err(VaultError::WrongPin { attempts: 1 })));
    vault.unlock("Anna", PIN).unwrap();
}

#[test]
fn a_file_from_a_newer_formdesk_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    drop(new_vault(dir.path()));
    raw(dir.path()).pragma_update(None, "user_version", 99).unwrap();
    let error = Vault::open(dir.path()).unwrap_err();
    let known = formdesk_vault::layout_version();
    assert_eq!(
        error.to_string(),
        format!("the vault was written by a newer Formdesk (layout 99; this one knows up to {known})")
    );
    let version: u32 = raw(dir.path()).query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 99);
}

#[test]
fn a_file_of_the_first_layout_is_brought_forward_with_its_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("baumfaellgenehmigung", "1.0.0", "Friedrich Wiesner", b"{}").unwrap();
    let file = vault.attach(id, "Foto.jpg", "image/jpeg", pattern(CHUNK_SIZE + 9).as_slice()).unwrap();
    drop(vault);
    // Back to layout 1, as a desk of the first release left it.
    let conn = raw(dir.path());
    conn.execute_batch(
        "DROP TABLE audit;
         DROP TABLE withdrawn_forms;
         DROP INDEX submissions_by_form_set;
         ALTER TABLE submissions DROP COLUMN form_set;
         ALTER TABLE submissions DROP COLUMN form_sha256;
         DROP TABLE outbox_parts;
         DROP TABLE outbox;
         DROP TABLE destinations;
         DROP TABLE portal;
         ALTER TABLE attachments DROP COLUMN complete;
         DROP INDEX submissions_by_reference;
         ALTER TABLE submissions DROP COLUMN reference;
         ALTER TABLE submissions DROP COLUMN receipt_sealed;
         DROP TABLE device;
         PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);

    let mut vault = Vault::open(dir.path()).unwrap();
    let version: u32 = raw(dir.path()).query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, formdesk_vault::layout_version());
    vault.unlock("Anna", PIN).unwrap();
    assert_eq!(vault.attachments(id).unwrap(), std::slice::from_ref(&file));
    let mut out = Vec::new();
    vault.read_attachment(id, file.id, &mut out).unwrap();
    assert!(out == pattern(CHUNK_SIZE + 9));
}

#[test]
fn the_database_runs_in_wal_mode_with_secure_delete() {
    let dir = tempfile::tempdir().unwrap();
    let _vault = new_vault(dir.path());
    let mode: String = raw(dir.path()).query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

/// Bytes that are not all alike, so that a lost or swapped chunk shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()
}

#[test]
fn a_large_attachment_is_stored_in_chunks_and_reads_back_identical() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("baumfaellgenehmigung", "1.0.0", "Friedrich Wiesner", b"{}").unwrap();
    let content = pattern(5 * 1024 * 1024 + 17);
    let info = vault.attach(id, "Foto Rotbuche Wiesner.jpg", "image/jpeg", content.as_slice()).unwrap();
    assert_eq!(info.size, content.len() as u64);
    let empty = vault.attach(id, "leer.pdf", "application/pdf", &b""[..]).unwrap();
    assert_eq!(empty.size, 0);

    let chunks: i64 = raw(dir.path())
        .query_row("SELECT count(*) FROM chunks WHERE attachment_id = ?1", [info.id], |r| r.get(0))
        .unwrap();
    assert_eq!(chunks as usize, content.len().div_ceil(CHUNK_SIZE));

    let listed = vault.attachments(id).unwrap();
    assert_eq!(listed.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Foto Rotbuche Wiesner.jpg", "leer.pdf"]);
    assert_eq!(listed[0].media_type, "image/jpeg");
    let mut out = Vec::new();
    assert_eq!(vault.read_attachment(id, info.id, &mut out).unwrap(), content.len() as u64);
    assert!(out == content, "the attachment changed on its way through the vault");
    let mut none = Vec::new();
    vault.read_attachment(id, empty.id, &mut none).unwrap();
    assert!(none.is_empty());

    // A cut-off attachment is noticed: the last chunk is marked as last.
    raw(dir.path()).execute("DELETE FROM chunks WHERE attachment_id = ?1 AND idx = ?2", [info.id, chunks - 1]).unwrap();
    raw(dir.path()).execute("UPDATE attachments SET chunks = chunks - 1 WHERE id = ?1", [info.id]).unwrap();
    assert!(matches!(vault.read_attachment(id, info.id, std::io::sink()), Err(VaultError::Tampered { .. })));

    vault.finalize(id, "Friedrich Wiesner", b"{}").unwrap();
    vault.shred(id).unwrap();
    let left: i64 = raw(dir.path()).query_row("SELECT count(*) FROM chunks", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0, "shredding removes the attachments");
}

#[test]
fn an_attachment_written_in_parts_of_any_size_reads_back_identical() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("baumfaellgenehmigung", "1.0.0", "Friedrich Wiesner", b"{}").unwrap();
    for len in [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 5000] {
        let content = pattern(len);
        let attachment = vault.begin_attachment(id, "Lageplan.pdf", "application/pdf").unwrap();
        // Parts of uneven sizes, as a web view slices a file.
        let mut rest = content.as_slice();
        for size in [1, 70_000, CHUNK_SIZE, 3].into_iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (part, after) = rest.split_at(size.min(rest.len()));
            vault.write_attachment(attachment, part).unwrap();
            rest = after;
        }
        assert!(
            !vault.attachments(id).unwrap().iter().any(|a| a.id == attachment),
            "an attachment counts only once it is finished"
        );
        let info = vault.finish_attachment(attachment).unwrap();
        assert_eq!((info.size, info.name.as_str()), (len as u64, "Lageplan.pdf"));
        let chunks: i64 = raw(dir.path())
            .query_row("SELECT count(*) FROM chunks WHERE attachment_id = ?1", [attachment], |r| r.get(0))
            .unwrap();
        assert_eq!(chunks as usize, len.div_ceil(CHUNK_SIZE).max(1), "{len} bytes");
        let mut out = Vec::new();
        vault.read_attachment(id, attachment, &mut out).unwrap();
        assert!(out == content, "{len} bytes changed on their way through the vault");
    }
}

#[test]
fn an_attachment_cut_off_by_a_lock_or_a_crash_is_gone_after_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("baumfaellgenehmigung", "1.0.0", "Friedrich Wiesner", b"{}").unwrap();
    let kept = vault.attach(id, "Foto.jpg", "image/jpeg", pattern(1000).as_slice()).unwrap();
    let cut = vault.begin_attachment(id, "Scan.pdf", "application/pdf").unwrap();
    vault.write_attachment(cut, &pattern(3 * CHUNK_SIZE)).unwrap();
    vault.lock();
    assert!(matches!(vault.write_attachment(cut, b"more"), Err(VaultError::Locked)));
    vault.unlock("Anna", PIN).unwrap();
    assert!(matches!(vault.finish_attachment(cut), Err(VaultError::UnknownAttachment(a)) if a == cut));
    assert!(matches!(vault.read_attachment(id, cut, std::io::sink()), Err(VaultError::UnknownAttachment(_))));
    let rows: i64 = raw(dir.path()).query_row("SELECT count(*) FROM attachments", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 2, "the cut-off attachment is still in the file until the next open");
    drop(vault);

    let mut vault = Vault::open(dir.path()).unwrap();
    vault.unlock("Anna", PIN).unwrap();
    let rows: i64 = raw(dir.path()).query_row("SELECT count(*) FROM attachments", [], |r| r.get(0)).unwrap();
    let chunks: i64 =
        raw(dir.path()).query_row("SELECT count(*) FROM chunks WHERE attachment_id = ?1", [cut], |r| r.get(0)).unwrap();
    assert_eq!((rows, chunks), (1, 0));
    assert_eq!(vault.attachments(id).unwrap().iter().map(|a| a.id).collect::<Vec<_>>(), [kept.id]);
}

#[test]
fn a_removed_attachment_is_gone_and_a_final_submission_keeps_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("baumfaellgenehmigung", "1.0.0", "Friedrich Wiesner", b"{}").unwrap();
    let a = vault.attach(id, "a.jpg", "image/jpeg", &b"aaa"[..]).unwrap();
    let b = vault.attach(id, "b.jpg", "image/jpeg", &b"bbb"[..]).unwrap();
    vault.remove_attachment(id, a.id).unwrap();
    assert!(matches!(vault.remove_attachment(id, a.id), Err(VaultError::UnknownAttachment(_))));
    assert_eq!(vault.attachments(id).unwrap(), std::slice::from_ref(&b));
    vault.finalize(id, "Friedrich Wiesner", b"{}").unwrap();
    assert!(matches!(vault.remove_attachment(id, b.id), Err(VaultError::WrongState { .. })));
    assert!(matches!(vault.begin_attachment(id, "c.jpg", "image/jpeg"), Err(VaultError::WrongState { .. })));
    let other = vault.create("hundeanmeldung", "1.0.0", "Erika", b"{}").unwrap();
    assert!(
        matches!(vault.read_attachment(other, b.id, std::io::sink()), Err(VaultError::UnknownAttachment(_))),
        "a file is read only through its own submission"
    );
}

#[test]
fn a_full_disk_refuses_the_change_and_keeps_what_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika", b"first").unwrap();
    vault.save(id, "Erika", b"second").unwrap();
    let pages: u32 = raw(dir.path()).query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    vault.limit_pages(pages + 2).unwrap();
    let error = vault.save(id, "Erika", &pattern(1024 * 1024)).unwrap_err();
    assert!(matches!(error, VaultError::DiskFull), "{error:?}");
    assert_eq!(error.to_string(), "the disk is full: nothing was changed; free some space and try again");
    let error = vault.attach(id, "scan.pdf", "application/pdf", pattern(2 * 1024 * 1024).as_slice()).unwrap_err();
    assert!(matches!(error, VaultError::DiskFull), "{error:?}");
    assert_eq!(vault.load(id).unwrap().data.as_deref(), Some(&b"second"[..]));
    assert!(vault.attachments(id).unwrap().is_empty(), "no half-stored attachment");
    drop(vault);
    let mut vault = Vault::open(dir.path()).unwrap();
    vault.unlock("Anna", PIN).unwrap();
    assert_eq!(vault.load(id).unwrap().data.as_deref(), Some(&b"second"[..]));
    assert_eq!(vault.integrity_check().unwrap(), "ok");
}

#[test]
fn unknown_submissions_and_attachments_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    assert_eq!(vault.load(77).unwrap_err().to_string(), "submission 77 does not exist");
    assert!(matches!(vault.save(77, "x", b"x"), Err(VaultError::UnknownSubmission(77))));
    let id = vault.create("f", "1", "s", b"d").unwrap();
    assert_eq!(vault.read_attachment(id, 5, std::io::sink()).unwrap_err().to_string(), "attachment 5 does not exist");
    vault.discard(id).unwrap();
    assert!(matches!(vault.load(id), Err(VaultError::UnknownSubmission(_))));
}

#[test]
fn a_final_submission_keeps_its_receipt_until_it_is_shredded() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika", b"{}").unwrap();
    assert!(matches!(vault.set_receipt(id, "HUND-7K3F-Q9XD", b"%PDF"), Err(VaultError::WrongState { .. })));
    vault.finalize(id, "Erika", b"{}").unwrap();
    assert_eq!(vault.receipt(id).unwrap(), None);
    let pdf = pattern(40_000);
    vault.set_receipt(id, "HUND-7K3F-Q9XD", &pdf).unwrap();
    let stored = vault.receipt(id).unwrap().unwrap();
    assert_eq!(stored.reference, "HUND-7K3F-Q9XD");
    assert!(*stored.pdf.unwrap() == pdf);
    assert_eq!(vault.find_reference("HUND-7K3F-Q9XD").unwrap(), Some(id));

    // A reference is unique: a second submission cannot take it.
    let other = vault.create("hundeanmeldung", "1.0.0", "Erika", b"{}").unwrap();
    vault.finalize(other, "Erika", b"{}").unwrap();
    assert!(vault.set_receipt(other, "HUND-7K3F-Q9XD", b"%PDF").is_err());

    // The PDF is sealed like everything else: a flipped byte is noticed.
    let conn = raw(dir.path());
    conn.execute("UPDATE submissions SET receipt_sealed = CAST(receipt_sealed || x'00' AS BLOB) WHERE id = ?1", [id])
        .unwrap();
    assert!(matches!(vault.receipt(id), Err(VaultError::Tampered { .. })));
    vault.set_receipt(id, "HUND-7K3F-Q9XD", &pdf).unwrap();

    // Shredding takes the PDF and keeps the reference for a lookup.
    vault.shred(id).unwrap();
    let left = vault.receipt(id).unwrap().unwrap();
    assert_eq!((left.reference.as_str(), left.pdf.is_none()), ("HUND-7K3F-Q9XD", true));
    assert_eq!(vault.find_reference("HUND-7K3F-Q9XD").unwrap(), Some(id));
}

#[test]
fn the_device_key_is_made_once_sealed_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    assert_eq!(vault.device_public_key().unwrap(), None);
    let key = vault.device_key().unwrap();
    let public = vault.device_public_key().unwrap().unwrap();
    assert_eq!(public.len(), 32);
    let pair = ring::signature::Ed25519KeyPair::from_pkcs8(&key).unwrap();
    let signature = pair.sign(b"HUND-7K3F-Q9XD");
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &public)
        .verify(b"HUND-7K3F-Q9XD", signature.as_ref())
        .unwrap();
    let private: Vec<u8> = raw(dir.path()).query_row("SELECT private_sealed FROM device", [], |r| r.get(0)).unwrap();
    assert_eq!(&private[..4], b"FDVE", "the private key is stored sealed");

    vault.lock();
    assert!(matches!(vault.device_key(), Err(VaultError::Locked)));
    assert_eq!(vault.device_public_key().unwrap(), Some(public.clone()), "the public half needs no unlock");
    drop(vault);
    let mut vault = Vault::open(dir.path()).unwrap();
    vault.unlock("Anna", PIN).unwrap();
    assert!(*vault.device_key().unwrap() == *key, "the same key after a restart");
}

fn pin(set: char, form: char) -> FormPin {
    FormPin { set_sha256: set.to_string().repeat(64), form_sha256: form.to_string().repeat(64) }
}

#[test]
fn the_sets_of_drafts_and_unshredded_submissions_are_listed_while_locked() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(dir.path());
    let old = vault.create("hundeanmeldung", "1.0.0", "Erika", b"{}").unwrap();
    let a = vault.create_pinned("hundeanmeldung", "1.0.0", Some(&pin('a', '1')), "Erika", b"{}").unwrap();
    let b = vault.create_pinned("hundeabmeldung", "1.0.0", Some(&pin('b', '2')), "Max", b"{}").unwrap();
    let c = vault.create_pinned("hundeanmeldung", "1.1.0", Some(&pin('c', '3')), "Jan", b"{}").unwrap();
    vault.finalize(b, "Max", b"{}").unwrap();
    vault.finalize(c, "Jan", b"{}").unwrap();
    vault.shred(c).unwrap();
    let listed = vault.load(a).unwrap().item;
    assert_eq!((listed.form_version.as_str(), listed.pin), ("1.0.0", Some(pin('a', '1'))));
    assert_eq!(vault.load(old).unwrap().item.pin, None, "begun before pinning");
    vault.lock();
    let expected: std::collections::BTreeSet<String> = ["a".repeat(64), "b".repeat(64)].into();
    assert_eq!(vault.pinned_sets().unwrap(), expected, "the shredded one's set is free, the final one's is not");
    vault.add_withdrawn_forms(["1".repeat(64).as_str(), "3".repeat(64).as_str()]).unwrap();
    vault.add_withdrawn_forms(["1".repeat(64).as_str()]).unwrap();
    drop(vault);
    let vault = Vault::open(dir.path()).unwrap();
    assert_eq!(vault.pinned_sets().unwrap(), expected, "read from the file without a PIN");
    assert_eq!(vault.withdrawn_forms().unwrap(), ["1".repeat(64), "3".repeat(64)].into());
}
