//! Any text as a signed acceptance, and any payload signed with the portal's key. Must never panic; only an
//! acceptance of this format version is read, and it reads back the same after signing it again.
#![no_main]

use formdesk_protocol::acceptance::Acceptance;
use formdesk_protocol::encode_base64url;
use libfuzzer_sys::fuzz_target;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::sync::OnceLock;

fn key() -> &'static Ed25519KeyPair {
    static KEY: OnceLock<Ed25519KeyPair> = OnceLock::new();
    KEY.get_or_init(|| Ed25519KeyPair::from_seed_unchecked(&[9; 32]).expect("a key"))
}

fuzz_target!(|data: &[u8]| {
    let public = key().public_key().as_ref();
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Acceptance::verify(text, public);
    }
    // The input as the payload, signed as the portal signs.
    let payload = encode_base64url(data);
    let signature = key().sign(format!("formdesk-acceptance-v1.{payload}").as_bytes());
    let signed = format!("{payload}.{}", encode_base64url(signature.as_ref()));
    if let Ok(acceptance) = Acceptance::verify(&signed, public) {
        assert_eq!(acceptance.format_version, formdesk_protocol::PROTOCOL_VERSION);
        assert_eq!(Acceptance::verify(&acceptance.sign(key()), public), Ok(acceptance));
    }
});
