//! The portal's acceptance: its signed word that a submission arrived, and exactly what arrived.
//!
//! When the last part of a submission is in, the portal answers with an [`Acceptance`]: the ids, the portal's
//! time and the SHA-256 of every ciphertext part it stored. It signs it with its Ed25519 key as
//! `base64url(json) "." base64url(signature)`, the signature covering `formdesk-acceptance-v1.` followed by
//! the first part. The desk verifies it with the portal's key from the enrolment, compares the hashes with
//! the parts it sent and keeps the signed text: only then may it forget the submission's plaintext.
//! Verifying the exact bytes that were signed spares both sides any canonical form of JSON.

use crate::auth::verify_ed25519;
use crate::{PROTOCOL_VERSION, ProtocolError, b64, unb64};
use ring::signature::Ed25519KeyPair;
use serde::{Deserialize, Serialize};

/// What the portal confirms about a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Acceptance {
    /// The version of this statement's format.
    pub format_version: u32,
    /// The desk's id of the submission.
    pub submission_id: String,
    /// The authority it is for.
    pub destination_id: String,
    /// The desk that sent it.
    pub device_id: String,
    /// When the portal had it complete, Unix seconds of the portal's clock.
    pub accepted_at: i64,
    /// Every part the portal stored, metadata first, then data, then the attachments in announced order.
    pub parts: Vec<PartHash>,
}

/// The hash of one stored part: what the portal received, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartHash {
    /// `metadata`, `data` or `attachment:<attachment id>`.
    pub name: String,
    /// SHA-256 of the part's bytes (the JWE text), lowercase hex.
    pub sha256: String,
    /// Its length in bytes.
    pub size: u64,
}

const CONTEXT: &str = "formdesk-acceptance-v1.";

impl Acceptance {
    /// Signs this acceptance with the portal's key.
    pub fn sign(&self, key: &Ed25519KeyPair) -> String {
        // Serializing a struct of strings and numbers cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        let payload = b64(&json);
        let signature = key.sign(format!("{CONTEXT}{payload}").as_bytes());
        format!("{payload}.{}", b64(signature.as_ref()))
    }

    /// Checks a signed acceptance against the portal's public key and reads it.
    pub fn verify(signed: &str, portal_key: &[u8]) -> Result<Acceptance, ProtocolError> {
        let bad = |why: &str| ProtocolError::Acceptance(why.to_owned());
        let (payload, signature) = signed.split_once('.').ok_or_else(|| bad("expected payload.signature"))?;
        let signature = unb64(signature).ok_or_else(|| bad("the signature is not base64url"))?;
        verify_ed25519(portal_key, format!("{CONTEXT}{payload}").as_bytes(), &signature)?;
        let json = unb64(payload).ok_or_else(|| bad("the payload is not base64url"))?;
        let acceptance: Acceptance =
            serde_json::from_slice(&json).map_err(|e| bad(&format!("the payload is not an acceptance: {e}")))?;
        if acceptance.format_version != PROTOCOL_VERSION {
            return Err(bad(&format!(
                "format version {} is not {PROTOCOL_VERSION}, the one this desk reads",
                acceptance.format_version
            )));
        }
        Ok(acceptance)
    }

    /// The hash the portal recorded for part `name`, if any.
    pub fn part(&self, name: &str) -> Option<&PartHash> {
        self.parts.iter().find(|p| p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::KeyPair;

    fn sample() -> Acceptance {
        Acceptance {
            format_version: 1,
            submission_id: "0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41".into(),
            destination_id: "ordnungsamt".into(),
            device_id: "1b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41".into(),
            accepted_at: 1_790_000_000,
            parts: vec![PartHash { name: "metadata".into(), sha256: crate::sha256_hex(b"m"), size: 1 }],
        }
    }

    #[test]
    fn signed_acceptance_round_trips_and_a_changed_byte_fails() {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let public = key.public_key().as_ref();
        let signed = sample().sign(&key);
        assert_eq!(Acceptance::verify(&signed, public).unwrap(), sample());
        assert_eq!(sample().part("metadata").map(|p| p.size), Some(1));

        // Every single-character change of the signed text is refused.
        for i in 0..signed.len() {
            let mut bytes = signed.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(bytes).unwrap();
            if changed != signed {
                assert!(Acceptance::verify(&changed, public).is_err(), "position {i}");
            }
        }
        assert!(Acceptance::verify("nodot", public).is_err());
        let other =
            Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap().as_ref()).unwrap();
        assert_eq!(Acceptance::verify(&signed, other.public_key().as_ref()), Err(ProtocolError::BadSignature));
    }
}
