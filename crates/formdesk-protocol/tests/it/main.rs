//! The protocol as the two sides use it together: a desk's signed request checked the way the portal checks
//! it, and an acceptance checked the way the desk checks it.

// Test helpers fail loudly.
#![allow(clippy::unwrap_used)]

mod audit;
mod properties;

use formdesk_protocol::acceptance::{Acceptance, PartHash};
use formdesk_protocol::auth::{Authorization, authorize};
use formdesk_protocol::wire::{Announce, submission_path};
use formdesk_protocol::{decode_base64url, encode_base64url, ids, sha256_hex};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};

fn key() -> Ed25519KeyPair {
    Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap().as_ref()).unwrap()
}

#[test]
fn an_announcement_signed_by_the_desk_is_accepted_and_answered() {
    let desk = key();
    let portal = key();
    let device = ids::uuid_from_random([7; 16]);
    let submission = ids::uuid_from_random([9; 16]);
    let body = serde_json::to_vec(&Announce { destination_id: "ordnungsamt".into(), attachments: vec![] }).unwrap();
    let path = submission_path(&submission);

    // The portal's side: parse, look the device's key up, verify.
    let header = authorize(&desk, &device, "PUT", &path, 1_800_000_000, &body);
    let auth = Authorization::parse(&header).unwrap();
    let registered = decode_base64url(&encode_base64url(desk.public_key().as_ref())).unwrap();
    auth.verify(&registered, "PUT", &path, &body, 1_800_000_030).unwrap();

    // The portal's answer, checked by the desk against the key it got at enrolment.
    let acceptance = Acceptance {
        format_version: 1,
        submission_id: submission.clone(),
        destination_id: "ordnungsamt".into(),
        device_id: device,
        accepted_at: 1_800_000_031,
        parts: vec![PartHash { name: "data".into(), sha256: sha256_hex(b"jwe"), size: 3 }],
    };
    let signed = acceptance.sign(&portal);
    let read = Acceptance::verify(&signed, portal.public_key().as_ref()).unwrap();
    assert_eq!(read.submission_id, submission);
    assert_eq!(read.part("data").unwrap().sha256, sha256_hex(b"jwe"));
    assert!(Acceptance::verify(&signed, desk.public_key().as_ref()).is_err());
}

#[test]
fn sha256_is_lowercase_hex() {
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#[test]
fn metadata_names_the_form_text_and_set_and_version_1_still_reads() {
    use formdesk_protocol::content::{CONTENT_VERSION, FormRef, Metadata};
    let form = FormRef {
        id: "hundeanmeldung".into(),
        version: "1.0.0".into(),
        title: "Anmeldung eines Hundes".into(),
        sha256: Some("a".repeat(64)),
        set_sha256: Some("b".repeat(64)),
    };
    let json = serde_json::to_value(&form).unwrap();
    assert_eq!(json["sha256"], "a".repeat(64));
    assert_eq!(json["setSha256"], "b".repeat(64));
    assert_eq!(CONTENT_VERSION, 2);
    let version_1 = serde_json::json!({
        "formatVersion": 1, "submissionId": "s", "destinationId": "d",
        "form": {"id": "hundeanmeldung", "version": "1.0.0", "title": "Anmeldung eines Hundes"},
        "reference": "HUND-7K3F-Q9XN", "finalizedAt": "2026-11-24T10:42:00+01:00", "dataSha256": "00", "attachments": []
    });
    let read: Metadata = serde_json::from_value(version_1).unwrap();
    assert_eq!((read.form.sha256, read.form.set_sha256), (None, None));
}
