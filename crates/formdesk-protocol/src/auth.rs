//! Signed requests: how an enrolled desk proves who it is on every request.
//!
//! The desk holds an Ed25519 key pair (the same device key that signs its receipts); the portal learned the
//! public half at enrolment. Each request carries
//!
//! ```text
//! Authorization: Formdesk-Device <device id>.<unix seconds>.<base64url signature>
//! ```
//!
//! where the signature covers [`signed_text`]: the method, the path with its query, the time and the SHA-256
//! of the body. The portal refuses a request whose time is more than [`MAX_CLOCK_SKEW`] seconds from its own.
//! A request replayed within that window does nothing new, because every call of the API is idempotent; and
//! it stays bound to its body, so nothing else can be sent in the desk's name. TLS keeps requests private.

use crate::{ProtocolError, b64, sha256_hex, unb64};
use ring::signature::{ED25519, Ed25519KeyPair, UnparsedPublicKey};

/// The scheme name in the `Authorization` header.
pub const SCHEME: &str = "Formdesk-Device";

/// How far, in seconds, a request's time may be from the portal's clock.
pub const MAX_CLOCK_SKEW: i64 = 300;

/// What a device signs for a request.
pub fn signed_text(method: &str, path_and_query: &str, time: i64, body: &[u8]) -> String {
    signed_text_of_digest(method, path_and_query, time, &sha256_hex(body))
}

/// What a device signs for a request whose body has the SHA-256 `body_sha256` (lowercase hex), for a reader
/// that hashes the body as it arrives.
pub fn signed_text_of_digest(method: &str, path_and_query: &str, time: i64, body_sha256: &str) -> String {
    format!("formdesk-request-v1\n{}\n{path_and_query}\n{time}\n{body_sha256}", method.to_ascii_uppercase())
}

/// The `Authorization` header value for a request by device `device_id`, signed with its key at `time`
/// (Unix seconds).
pub fn authorize(
    key: &Ed25519KeyPair,
    device_id: &str,
    method: &str,
    path_and_query: &str,
    time: i64,
    body: &[u8],
) -> String {
    let signature = key.sign(signed_text(method, path_and_query, time, body).as_bytes());
    format!("{SCHEME} {device_id}.{time}.{}", b64(signature.as_ref()))
}

/// A parsed `Authorization` header, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The device that says it sent the request.
    pub device_id: String,
    /// When it signed, Unix seconds.
    pub time: i64,
    signature: Vec<u8>,
}

impl Authorization {
    /// Reads a header value; the error says what is wrong with it.
    pub fn parse(header: &str) -> Result<Authorization, ProtocolError> {
        let bad = |why: &str| ProtocolError::Authorization(why.to_owned());
        let rest = header
            .strip_prefix(SCHEME)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or_else(|| bad(&format!("expected \"{SCHEME} <device>.<time>.<signature>\"")))?;
        let mut parts = rest.trim().split('.');
        let (Some(device_id), Some(time), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected three parts separated by dots: device, time, signature"));
        };
        crate::ids::check_uuid("device id", device_id).map_err(|e| bad(&e.to_string()))?;
        let time = time.parse::<i64>().map_err(|_| bad("the time is not a number of seconds"))?;
        let signature = unb64(signature)
            .filter(|s| s.len() == 64)
            .ok_or_else(|| bad("the signature is not 64 bytes in base64url"))?;
        Ok(Authorization { device_id: device_id.to_owned(), time, signature })
    }

    /// Checks the time against `now` and the signature against the device's `public_key` for this request.
    pub fn verify(
        &self,
        public_key: &[u8],
        method: &str,
        path_and_query: &str,
        body: &[u8],
        now: i64,
    ) -> Result<(), ProtocolError> {
        self.check_time(now)?;
        self.verify_signature(public_key, method, path_and_query, body)
    }

    /// Checks only the time against `now`: the portal does so before it reads a body, and refuses a request
    /// signed more than [`MAX_CLOCK_SKEW`] seconds away from its clock. Any `i64` on either side is taken:
    /// the difference is computed without overflow.
    pub fn check_time(&self, now: i64) -> Result<(), ProtocolError> {
        if self.time.abs_diff(now) > MAX_CLOCK_SKEW.unsigned_abs() {
            return Err(ProtocolError::ClockSkew { signed: self.time, now, max: MAX_CLOCK_SKEW });
        }
        Ok(())
    }

    /// Checks only the signature against the device's `public_key` for this request and body, whatever the
    /// time says.
    pub fn verify_signature(
        &self,
        public_key: &[u8],
        method: &str,
        path_and_query: &str,
        body: &[u8],
    ) -> Result<(), ProtocolError> {
        self.verify_signature_of_digest(public_key, method, path_and_query, &sha256_hex(body))
    }

    /// [`Authorization::verify_signature`] for a body whose SHA-256 (lowercase hex) is `body_sha256`.
    pub fn verify_signature_of_digest(
        &self,
        public_key: &[u8],
        method: &str,
        path_and_query: &str,
        body_sha256: &str,
    ) -> Result<(), ProtocolError> {
        let text = signed_text_of_digest(method, path_and_query, self.time, body_sha256);
        verify_ed25519(public_key, text.as_bytes(), &self.signature)
    }
}

/// Checks an Ed25519 signature; the key must be 32 bytes.
pub(crate) fn verify_ed25519(public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), ProtocolError> {
    if public_key.len() != 32 {
        return Err(ProtocolError::BadKey(format!("{} bytes instead of 32", public_key.len())));
    }
    UnparsedPublicKey::new(&ED25519, public_key).verify(message, signature).map_err(|_| ProtocolError::BadSignature)
}

/// Checks that `bytes` is an Ed25519 public key as this protocol sends it (32 bytes).
pub fn check_public_key(bytes: &[u8]) -> Result<(), ProtocolError> {
    if bytes.len() == 32 { Ok(()) } else { Err(ProtocolError::BadKey(format!("{} bytes instead of 32", bytes.len()))) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::KeyPair;

    const DEVICE: &str = "0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41";

    fn new_key() -> Ed25519KeyPair {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
    }

    #[test]
    fn a_signed_request_verifies_and_nothing_else_does() {
        let key = new_key();
        let public = key.public_key().as_ref().to_vec();
        let header = authorize(&key, DEVICE, "put", "/v1/submissions/x", 1_000, b"body");
        let auth = Authorization::parse(&header).unwrap();
        assert_eq!(auth.device_id, DEVICE);
        assert_eq!(auth.time, 1_000);
        auth.verify(&public, "PUT", "/v1/submissions/x", b"body", 1_100).unwrap();
        assert_eq!(auth.verify(&public, "PUT", "/v1/submissions/x", b"bodx", 1_100), Err(ProtocolError::BadSignature));
        assert_eq!(auth.verify(&public, "POST", "/v1/submissions/x", b"body", 1_100), Err(ProtocolError::BadSignature));
        assert_eq!(auth.verify(&public, "PUT", "/v1/submissions/y", b"body", 1_100), Err(ProtocolError::BadSignature));
        let other = new_key().public_key().as_ref().to_vec();
        assert_eq!(auth.verify(&other, "PUT", "/v1/submissions/x", b"body", 1_100), Err(ProtocolError::BadSignature));
        assert!(matches!(
            auth.verify(&public, "PUT", "/v1/submissions/x", b"body", 1_301),
            Err(ProtocolError::ClockSkew { signed: 1_000, now: 1_301, max: 300 })
        ));
    }

    #[test]
    fn the_extreme_times_are_refused_without_overflow() {
        let key = new_key();
        let public = key.public_key().as_ref().to_vec();
        for (time, now) in
            [(i64::MIN, 1_800_000_000), (i64::MAX, 1_800_000_000), (i64::MIN, i64::MAX), (i64::MAX, i64::MIN)]
        {
            let header = authorize(&key, DEVICE, "GET", "/v1/destinations", time, b"");
            let auth = Authorization::parse(&header).unwrap();
            assert_eq!(auth.time, time);
            assert_eq!(
                auth.verify(&public, "GET", "/v1/destinations", b"", now),
                Err(ProtocolError::ClockSkew { signed: time, now, max: MAX_CLOCK_SKEW })
            );
        }
        let at_edge = Authorization::parse(&authorize(&key, DEVICE, "GET", "/", i64::MIN + 300, b"")).unwrap();
        assert_eq!(at_edge.check_time(i64::MIN), Ok(()));
        assert!(at_edge.check_time(i64::MIN + 601).is_err());
        let header = format!("{SCHEME} {DEVICE}.-9223372036854775808.{}", b64(&[0; 64]));
        assert_eq!(Authorization::parse(&header).unwrap().time, i64::MIN);
        let header = format!("{SCHEME} {DEVICE}.9223372036854775808.{}", b64(&[0; 64]));
        assert!(Authorization::parse(&header).unwrap_err().to_string().contains("time"));
    }

    #[test]
    fn malformed_headers_are_named() {
        for (header, expected) in [
            ("Bearer abc", "expected"),
            ("Formdesk-Device a.b", "three parts"),
            ("Formdesk-Device nope.1.AAAA", "device id"),
            (&format!("Formdesk-Device {DEVICE}.soon.AAAA"), "time"),
            (&format!("Formdesk-Device {DEVICE}.1.AAAA"), "64 bytes"),
        ] {
            let err = Authorization::parse(header).unwrap_err().to_string();
            assert!(err.contains(expected), "{header}: {err}");
        }
    }
}
