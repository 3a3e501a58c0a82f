//! Finalizing seals every part for the form's destination and queues it with the finalization; the
//! authority's key opens what the desk sealed, byte for byte.

use crate::{complete_hundeanmeldung, desk, enter, pattern};
use formdesk_desk::ipc::{DeliveryState, ErrorCode, IpcError};
use formdesk_protocol::content::{Metadata, SubmissionData};
use formdesk_protocol::wire::Destination;
use formdesk_protocol::{encode_base64url, sha256_hex};
use formdesk_seal::DecryptionKey;
use formdesk_vault::{Delivery, Outbox};
use serde_json::Value;

/// The tax office's private key (an RSA-4096 test key shipped with the seal crate).
pub fn authority() -> DecryptionKey {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../formdesk-seal/tests/keys/authority-a-4096.pem"
    ))
    .expect("the test key");
    DecryptionKey::from_pem(&pem).expect("a key")
}

pub fn destination(id: &str, key: &DecryptionKey) -> Destination {
    let public = key.public();
    Destination {
        id: id.into(),
        name: "Steueramt Musterstadt".into(),
        key_id: public.key_id(),
        public_key: encode_base64url(&public.to_spki_der()),
    }
}

/// Every value of `answers` that names a file (`{"ref": …}`).
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn finalizing_seals_every_part_for_the_destination_and_the_authority_opens_them() {
    let key = authority();
    let t = desk();
    assert_eq!(t.set_destinations(&[destination("steueramt", &key)], 1_800_000_000).unwrap(), 0);
    let id = t.start("hundeanmeldung").unwrap().draft.id;
    let mut answers = complete_hundeanmeldung();
    enter(&t, id, &mut answers);
    t.finalize(id).unwrap();
    let reference = t.receipt_view(id).unwrap().reference;

    let entries = t.outbox().unwrap();
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!((entry.state, entry.destination_id.as_str()), (Delivery::Queued, "steueramt"));

    let outbox = Outbox::open(t.dir.path()).unwrap();
    let parts = outbox.parts(&entry.uuid).unwrap();
    assert_eq!((parts[0].name.as_str(), parts[1].name.as_str()), ("metadata", "data"));
    for part in &parts {
        assert_eq!(formdesk_seal::header(&part.jwe).unwrap().kid.as_deref(), Some(key.public().key_id().as_str()));
    }
    let metadata: Metadata = serde_json::from_slice(&formdesk_seal::open(&key, &parts[0].jwe).unwrap()).unwrap();
    assert_eq!(metadata.submission_id, entry.uuid);
    assert_eq!(metadata.destination_id, "steueramt");
    assert_eq!(metadata.form.id, "hundeanmeldung");
    assert_eq!(metadata.reference, reference);
    assert_eq!(metadata.attachments.len(), parts.len() - 2);
    assert!(!metadata.attachments.is_empty(), "the Hundeanmeldung carries a signature");

    let data_bytes = formdesk_seal::open(&key, &parts[1].jwe).unwrap();
    assert_eq!(sha256_hex(&data_bytes), metadata.data_sha256);
    let data: SubmissionData = serde_json::from_slice(&data_bytes).unwrap();
    assert_eq!(data.clerk, "Erika");
    assert_eq!(data.answers["halter_familienname"], answers["halter_familienname"]);
    let mut named = Vec::new();
    refs(&data.answers, &mut named);
    let ids: Vec<&str> = metadata.attachments.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(named.len(), ids.len());
    assert!(named.iter().all(|r| ids.contains(&r.as_str())), "files are named by their attachment ids");

    for (meta, part) in metadata.attachments.iter().zip(&parts[2..]) {
        assert_eq!(meta.id, part.name);
        let bytes = formdesk_seal::open(&key, &part.jwe).unwrap();
        assert_eq!(bytes, pattern(5000));
        assert_eq!((meta.size, meta.sha256.as_str()), (5000, sha256_hex(&bytes).as_str()));
    }
}

#[test]
fn a_submission_finalized_before_the_key_arrived_is_queued_when_it_does() {
    let key = authority();
    let t = desk();
    let id = t.start("hundeanmeldung").unwrap().draft.id;
    enter(&t, id, &mut complete_hundeanmeldung());
    t.finalize(id).unwrap();
    assert!(t.outbox().unwrap().is_empty(), "no key, nothing sealed");
    assert_eq!(t.receipt_view(id).unwrap().delivery, "Wird übermittelt, sobald eine Verbindung besteht.");
    // A key for another destination does not help; the form's own does.
    assert_eq!(t.set_destinations(&[destination("umweltamt", &key)], 1).unwrap(), 0);
    assert_eq!(t.set_destinations(&[destination("steueramt", &key)], 2).unwrap(), 1);
    assert_eq!(t.queue_waiting().unwrap(), 0, "queued once only");

    // Delivered a moment after finalizing, while the case is still on the clerk's screen: it stays readable,
    // and the receipt, on screen and printed, says when it was delivered.
    let (_, pending_pdf) = t.receipt(id).unwrap();
    assert!(pdf_text(&pending_pdf).contains("wird übermittelt, sobald eine Verbindung besteht"));
    let uuid = t.outbox().unwrap()[0].uuid.clone();
    let mut outbox = Outbox::open(t.dir.path()).unwrap();
    outbox.delivered(&uuid, "payload.signature", 1_800_000_000).unwrap();
    t.forget_delivered();
    assert_eq!(t.outbox().unwrap()[0].state, Delivery::Delivered);
    let shown = t.receipt_view(id).unwrap().delivery;
    let when = shown.strip_prefix("Übermittelt am ").and_then(|w| w.strip_suffix('.')).expect(&shown).to_owned();
    assert!(when.ends_with(" Uhr") && when.contains("2027"), "{when}");
    let (_, pdf) = t.receipt(id).unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains(&format!("übermittelt am {when}")), "{text}");
    assert!(!text.contains("sobald eine Verbindung besteht"), "{text}");

    // The clerk moves on to the next citizen: the delivered case is shredded.
    let next = t.start("hundeabmeldung").unwrap().draft.id;
    let err = IpcError::from(t.draft(id).unwrap_err());
    assert!(err.message.contains("gelöscht"), "{}", err.message);
    assert!(t.receipt(id).is_err());
    let list = t.drafts_list("").unwrap();
    assert!(list.iter().any(|d| d.id == next));
}

#[test]
fn the_work_list_says_how_far_each_finalized_case_has_come() {
    let key = authority();
    let t = desk();
    let delivery = |id: u64| t.drafts_list("").unwrap().into_iter().find(|d| d.id == id).expect("listed").delivery;
    let open = t.start("hundeanmeldung").unwrap().draft.id;
    let [refused, delivered] = [(); 2].map(|()| {
        let id = t.start("hundeanmeldung").unwrap().draft.id;
        enter(&t, id, &mut complete_hundeanmeldung());
        t.finalize(id).unwrap();
        id
    });
    assert_eq!(delivery(open), None, "an open draft has no delivery");
    assert_eq!(delivery(refused), Some(DeliveryState::Waiting), "finalized before the key arrived");

    t.set_destinations(&[destination("steueramt", &key)], 1).unwrap();
    assert_eq!([delivery(refused), delivery(delivered)], [Some(DeliveryState::Waiting); 2], "queued");
    let uuid = |id: u64| t.outbox().unwrap().into_iter().find(|e| e.submission == id as i64).expect("queued").uuid;
    let mut outbox = Outbox::open(t.dir.path()).unwrap();
    outbox.failed(&uuid(refused), "form version unknown to the authority", true, 0).unwrap();
    outbox.delivered(&uuid(delivered), "payload.signature", 1_800_000_000).unwrap();
    assert_eq!(delivery(refused), Some(DeliveryState::Refused));
    assert_eq!(delivery(delivered), Some(DeliveryState::Delivered));
    assert_eq!(delivery(open), None);
}

#[test]
fn a_delivered_case_is_shredded_when_the_engine_reports_and_the_clerk_is_elsewhere() {
    let key = authority();
    let t = desk();
    t.set_destinations(&[destination("steueramt", &key)], 1).unwrap();
    let id = t.start("hundeanmeldung").unwrap().draft.id;
    enter(&t, id, &mut complete_hundeanmeldung());
    t.finalize(id).unwrap();
    let other = t.start("hundeanmeldung").unwrap().draft.id;
    let uuid = t.outbox().unwrap()[0].uuid.clone();
    Outbox::open(t.dir.path()).unwrap().delivered(&uuid, "payload.signature", 1_800_000_000).unwrap();
    assert!(t.receipt_view(id).is_ok(), "nothing is shredded before the desk hears of the delivery");
    t.forget_delivered();
    let err = IpcError::from(t.draft(id).unwrap_err());
    assert!(err.message.contains("gelöscht"), "{}", err.message);
    assert!(t.draft(other).is_ok(), "an open draft is never touched");
}

/// The text of a PDF as `pdftotext` extracts it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("receipt.pdf");
    std::fs::write(&path, pdf).expect("the PDF written");
    let out = std::process::Command::new("pdftotext")
        .args([path.as_os_str(), std::ffi::OsStr::new("-")])
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

#[test]
fn an_unusable_destination_key_is_refused_and_nothing_is_kept() {
    let key = authority();
    let t = desk();
    t.set_destinations(&[destination("steueramt", &key)], 1).unwrap();
    let mut broken = destination("umweltamt", &key);
    broken.public_key = encode_base64url(b"not a key");
    let err = IpcError::from(t.set_destinations(&[broken], 2).unwrap_err());
    assert_eq!(err.code, ErrorCode::Delivery);
    assert!(err.message.contains("umweltamt"), "{}", err.message);
    let outbox = Outbox::open(t.dir.path()).unwrap();
    assert_eq!(outbox.destinations().unwrap().len(), 1, "the earlier list stays");
}
