//! The check of the portal's signed acceptance: only a statement signed with the portal's key from the
//! enrolment, naming this submission, its destination and this device, and listing exactly the parts that
//! were sent (each with the SHA-256 and length of the JWE text as sent), makes a submission delivered.
//! Anything else is a permanent failure: the portal may have stored something other than what the desk sent,
//! and the plaintext must not be shredded on its word.
//!
//! Non-goals: the signature scheme itself (`formdesk_protocol::acceptance`).

use crate::failure::DeliveryError;
use crate::outbox::{Entry, Parts};
use formdesk_protocol::acceptance::{Acceptance, PartHash};
use formdesk_protocol::sha256_hex;

/// A verified delivery: the signed text to keep, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The portal's signed acceptance, exactly as it sent it.
    pub acceptance: String,
    /// What it says, verified.
    pub accepted: Acceptance,
}

impl Delivered {
    /// When the portal had the submission complete, Unix seconds of the portal's clock.
    pub fn accepted_at(&self) -> i64 {
        self.accepted.accepted_at
    }
}

/// The parts as the acceptance must list them: metadata, data, then the attachments in order.
pub fn expected_parts(parts: &Parts) -> Vec<PartHash> {
    let hash = |name: String, jwe: &str| PartHash {
        name,
        sha256: sha256_hex(jwe.as_bytes()),
        size: u64::try_from(jwe.len()).unwrap_or(u64::MAX),
    };
    let mut expected = vec![hash("metadata".into(), &parts.metadata), hash("data".into(), &parts.data)];
    expected.extend(parts.attachments.iter().map(|(id, jwe)| hash(format!("attachment:{id}"), jwe)));
    expected
}

/// Verifies `signed` with `portal_key` and checks it against what device `device_id` sent for `entry`.
pub fn check_acceptance(
    signed: &str,
    portal_key: &[u8],
    device_id: &str,
    entry: &Entry,
    parts: &Parts,
) -> Result<Delivered, DeliveryError> {
    let bad = |why: String| DeliveryError::BadAcceptance(why);
    let accepted = Acceptance::verify(signed, portal_key)
        .map_err(|e| bad(format!("not signed with the portal's key from the enrolment: {e}")))?;
    if accepted.submission_id != entry.submission_id {
        return Err(bad(format!("it confirms submission {}, not {}", accepted.submission_id, entry.submission_id)));
    }
    if accepted.destination_id != entry.destination_id {
        return Err(bad(format!("it confirms destination {}, not {}", accepted.destination_id, entry.destination_id)));
    }
    if accepted.device_id != device_id {
        return Err(bad(format!("it confirms device {}, not this one ({device_id})", accepted.device_id)));
    }
    let expected = expected_parts(parts);
    for want in &expected {
        match accepted.part(&want.name) {
            None => return Err(bad(format!("it lists no part {}", want.name))),
            Some(got) if got.sha256 != want.sha256 => {
                return Err(bad(format!(
                    "part {}: the portal has SHA-256 {}, the desk sent {}",
                    want.name, got.sha256, want.sha256
                )));
            }
            Some(got) if got.size != want.size => {
                return Err(bad(format!(
                    "part {}: the portal has {} bytes, the desk sent {}",
                    want.name, got.size, want.size
                )));
            }
            Some(_) => {}
        }
    }
    if accepted.parts.len() != expected.len() {
        let names: Vec<&str> = accepted.parts.iter().map(|p| p.name.as_str()).collect();
        return Err(bad(format!(
            "it lists {} parts ({}), the desk sent {}",
            names.len(),
            names.join(", "),
            expected.len()
        )));
    }
    Ok(Delivered { acceptance: signed.to_owned(), accepted })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    const DEVICE: &str = "1b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41";
    const SUBMISSION: &str = "0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41";
    const ATTACHMENT: &str = "2b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41";

    fn key() -> Ed25519KeyPair {
        Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap().as_ref()).unwrap()
    }

    fn entry() -> Entry {
        Entry { submission_id: SUBMISSION.into(), destination_id: "ordnungsamt".into(), attempts: 0 }
    }

    fn parts() -> Parts {
        Parts {
            metadata: "meta.jwe".into(),
            data: "data.jwe".into(),
            attachments: vec![(ATTACHMENT.into(), "attachment.jwe".into())],
        }
    }

    fn acceptance(parts: &Parts) -> Acceptance {
        Acceptance {
            format_version: 1,
            submission_id: SUBMISSION.into(),
            destination_id: "ordnungsamt".into(),
            device_id: DEVICE.into(),
            accepted_at: 1_790_000_000,
            parts: expected_parts(parts),
        }
    }

    fn check(portal: &Ed25519KeyPair, signed: &str) -> Result<Delivered, DeliveryError> {
        check_acceptance(signed, portal.public_key().as_ref(), DEVICE, &entry(), &parts())
    }

    fn reason_of(result: Result<Delivered, DeliveryError>) -> String {
        match result {
            Err(e) => {
                assert!(e.is_permanent(), "{e:?}");
                assert!(matches!(e, DeliveryError::BadAcceptance(_)), "{e:?}");
                // The clerk's sentence, then what the log gets.
                format!("{} {}", e.reason(), e.detail())
            }
            Ok(d) => panic!("accepted {d:?}"),
        }
    }

    #[test]
    fn a_matching_acceptance_is_delivered() {
        let portal = key();
        let signed = acceptance(&parts()).sign(&portal);
        let delivered = check(&portal, &signed).unwrap();
        assert_eq!(delivered.acceptance, signed);
        assert_eq!(delivered.accepted_at(), 1_790_000_000);
        assert_eq!(delivered.accepted.parts[2].name, format!("attachment:{ATTACHMENT}"));
    }

    #[test]
    fn another_key_is_refused() {
        let signed = acceptance(&parts()).sign(&key());
        let reason = reason_of(check(&key(), &signed));
        assert!(reason.starts_with("Die Empfangsbestätigung des Portals passt nicht zu dieser Sendung"), "{reason}");
        assert!(reason.contains("not signed with the portal's key"), "{reason}");
        assert!(reason_of(check(&key(), "garbage")).contains("not signed"));
    }

    #[test]
    fn wrong_ids_are_refused() {
        let portal = key();
        let mut other = acceptance(&parts());
        other.submission_id = ATTACHMENT.into();
        assert!(reason_of(check(&portal, &other.sign(&portal))).contains(&format!("submission {ATTACHMENT}, not")));
        let mut other = acceptance(&parts());
        other.destination_id = "standesamt".into();
        assert!(reason_of(check(&portal, &other.sign(&portal))).contains("destination standesamt, not ordnungsamt"));
        let mut other = acceptance(&parts());
        other.device_id = SUBMISSION.into();
        assert!(reason_of(check(&portal, &other.sign(&portal))).contains(&format!("device {SUBMISSION}")));
    }

    #[test]
    fn a_wrong_hash_or_size_or_a_missing_or_extra_part_is_refused() {
        let portal = key();
        let mut other = acceptance(&parts());
        other.parts[2].sha256 = sha256_hex(b"something else");
        let reason = reason_of(check(&portal, &other.sign(&portal)));
        assert!(reason.contains(&format!("part attachment:{ATTACHMENT}: the portal has SHA-256")), "{reason}");

        let mut other = acceptance(&parts());
        other.parts[1].size += 1;
        assert!(reason_of(check(&portal, &other.sign(&portal))).contains("part data: the portal has 9 bytes"));

        let mut other = acceptance(&parts());
        other.parts.remove(0);
        assert!(reason_of(check(&portal, &other.sign(&portal))).contains("no part metadata"));

        let mut other = acceptance(&parts());
        other.parts.push(PartHash { name: "attachment:x".into(), sha256: sha256_hex(b"x"), size: 1 });
        assert!(reason_of(check(&portal, &other.sign(&portal))).contains("lists 4 parts"));
    }
}
