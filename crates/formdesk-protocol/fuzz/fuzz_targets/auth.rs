//! Request authentication: any `Authorization` header at any portal time, and headers the desk signs for
//! requests made of the input. Must never panic; a signed header must round-trip, verify exactly within the
//! clock skew, and never verify for other bytes.
#![no_main]

use formdesk_protocol::auth::{Authorization, MAX_CLOCK_SKEW, authorize};
use formdesk_protocol::ProtocolError;
use libfuzzer_sys::fuzz_target;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::sync::OnceLock;

const DEVICE: &str = "0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41";

fn key() -> &'static Ed25519KeyPair {
    static KEY: OnceLock<Ed25519KeyPair> = OnceLock::new();
    KEY.get_or_init(|| Ed25519KeyPair::from_seed_unchecked(&[7; 32]).expect("a key"))
}

fn within(time: i64, now: i64) -> bool {
    time.abs_diff(now) <= MAX_CLOCK_SKEW.unsigned_abs()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let Some((now, rest)) = rest.split_first_chunk::<8>() else { return };
    let Some((time, rest)) = rest.split_first_chunk::<8>() else { return };
    let (now, time) = (i64::from_le_bytes(*now), i64::from_le_bytes(*time));
    let public = key().public_key().as_ref();
    if mode & 1 == 0 {
        // Any text as the header.
        let Ok(text) = std::str::from_utf8(rest) else { return };
        if let Ok(auth) = Authorization::parse(text) {
            assert_eq!(auth.check_time(now).is_ok(), within(auth.time, now));
            let _ = auth.verify(public, "PUT", "/v1/submissions/x", rest, now);
        }
    } else {
        // A request made of the input, signed by the desk: path before the first zero byte, body after it.
        let split = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
        let path = String::from_utf8_lossy(&rest[..split]);
        let body = rest.get(split + 1..).unwrap_or_default();
        let header = authorize(key(), DEVICE, "PUT", &path, time, body);
        let auth = Authorization::parse(&header).expect("a signed header reads back");
        assert_eq!((auth.device_id.as_str(), auth.time), (DEVICE, time));
        let verdict = auth.verify(public, "PUT", &path, body, now);
        if within(time, now) {
            assert_eq!(verdict, Ok(()));
        } else {
            assert_eq!(verdict, Err(ProtocolError::ClockSkew { signed: time, now, max: MAX_CLOCK_SKEW }));
        }
        let mut other = body.to_vec();
        other.push(mode);
        assert_eq!(auth.verify_signature(public, "PUT", &path, &other), Err(ProtocolError::BadSignature));
        assert_eq!(auth.verify_signature(public, "POST", &path, body), Err(ProtocolError::BadSignature));
    }
});
