//! The citizen's receipt: issued when a case is finalized, kept encrypted in the vault for a reprint,
//! signed by the desk's key, saved where the clerk chooses.

use super::{PIN, TestDesk, complete_hundeanmeldung, desk, desk_at, enter};
use formdesk_desk::ipc::{ErrorCode, IpcError};
use formdesk_engine::Answers;

fn finalized(t: &TestDesk) -> (u64, Answers) {
    let id = t.start("hundeanmeldung").expect("starts").draft.id;
    let mut answers = complete_hundeanmeldung();
    enter(t, id, &mut answers);
    t.finalize(id).expect("finalizes");
    (id, answers.into_iter().collect())
}

#[test]
fn finalizing_issues_a_signed_receipt_that_is_kept_for_a_reprint() {
    let t = desk();
    let open = t.start("hundeabmeldung").expect("starts").draft.id;
    let error = IpcError::from(t.receipt(open).expect_err("no receipt yet"));
    assert_eq!(error.code, ErrorCode::Receipt);
    assert_eq!(
        error.message,
        format!("Vorgang {open} hat noch keine Eingangsbestätigung: sie entsteht beim Abschließen.")
    );

    let (id, answers) = finalized(&t);
    let (reference, pdf) = t.receipt(id).expect("a receipt");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let parsed = formdesk_receipt::Reference::parse(&reference).expect("a well-formed reference");
    assert_eq!(parsed.prefix(), "HUND");

    let view = t.receipt_view(id).expect("the view");
    assert_eq!(view.reference, reference);
    assert!(view.qr_svg.starts_with("<svg") && view.qr_svg.contains("<path d=\"M"), "{}", &view.qr_svg[..80]);
    assert_eq!(view.delivery, "Wird übermittelt, sobald eine Verbindung besteht.");
    let verified = formdesk_receipt::verify(&view.payload, &t.device_public_key().expect("key")).expect("verifies");
    assert_eq!(verified.reference.to_string(), reference);
    assert_eq!(verified.form_id, "hundeanmeldung");
    assert!(verified.matches(&answers), "the QR code vouches for exactly the answers entered");
    let mut changed = answers.clone();
    changed.insert("halter_vorname".into(), serde_json::json!("Jemand anders"));
    assert!(!verified.matches(&changed));

    // After a restart the same PDF comes from the vault.
    let TestDesk { dir, .. } = t;
    let desk = desk_at(dir.path());
    desk.unlock("Erika", PIN).expect("unlocks");
    let (again, reprint) = desk.receipt(id).expect("the reprint");
    assert_eq!(again, reference);
    assert!(*reprint == *pdf, "the reprint is the receipt the citizen got");
}

#[test]
fn a_receipt_lost_before_it_was_kept_is_made_again_with_the_same_reference() {
    let t = desk();
    let (id, _) = finalized(&t);
    let (reference, _) = t.receipt(id).expect("a receipt");
    let payload = t.receipt_view(id).expect("view").payload;
    let TestDesk { dir, .. } = t;
    // As if the app had stopped between finalizing and keeping the PDF.
    let conn = rusqlite::Connection::open(dir.path().join(formdesk_vault::FILE_NAME)).expect("opens");
    conn.execute("UPDATE submissions SET receipt_sealed = NULL", []).expect("cleared");
    drop(conn);
    let desk = desk_at(dir.path());
    desk.unlock("Erika", PIN).expect("unlocks");
    let (again, pdf) = desk.receipt(id).expect("made again");
    assert_eq!(again, reference);
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(desk.receipt_view(id).expect("view").payload, payload, "signed the same");
}

#[test]
fn saving_writes_the_pdf_where_the_clerk_chose_and_names_a_folder_that_does_not_exist() {
    let t = desk();
    let (id, _) = finalized(&t);
    let (_, pdf) = t.receipt(id).expect("a receipt");
    let folder = tempfile::tempdir().expect("dir");
    let saved = t.save_receipt(id, &folder.path().join("Eingangsbestätigung")).expect("saved");
    assert_eq!(saved, folder.path().join("Eingangsbestätigung.pdf"));
    assert!(std::fs::read(&saved).expect("read") == *pdf);
    let names: Vec<_> =
        std::fs::read_dir(folder.path()).expect("list").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(names.len(), 1, "nothing else is left: {names:?}");

    let missing = folder.path().join("gibt-es-nicht").join("quittung.pdf");
    let error = t.save_receipt(id, &missing).expect_err("no such folder");
    assert!(error.to_string().starts_with("Die Eingangsbestätigung konnte nicht unter "), "{error}");
    assert!(error.to_string().contains("gibt-es-nicht"), "{error}");
}
