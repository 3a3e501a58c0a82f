//! The QR code's payload: what the receipt says, signed by the desk's device key, checkable offline.
//!
//! Binary layout of format version 1 (all numbers big-endian), then Base45 text:
//!
//! | bytes | content |
//! |---|---|
//! | 1 | format version, `1` |
//! | 1 + n | reference prefix: its length n (2 to 5), then its ASCII letters |
//! | 5 | reference body: the seven random symbols as one number below 31⁷ (the check symbol is recomputed) |
//! | 1 + m | form id: its length, then UTF-8 |
//! | 1 + k | form version: its length, then UTF-8 |
//! | 4 | time of the receipt, Unix seconds (until 2106) |
//! | 2 | the desk's UTC offset then, in minutes, signed |
//! | 32 | SHA-256 of the submitted answers ([`answers_digest`]) |
//! | 64 | Ed25519 signature over `FDRC` followed by every byte above |
//!
//! The four bytes `FDRC` are signed but not stored: a signature made for anything else by the same key cannot be
//! passed off as a receipt's. Non-goals: encryption (the payload holds nothing that is not printed beside it
//! except the digest), revocation of device keys (the portal's business).

use crate::ReceiptError;
use crate::base45;
use crate::qr::QrMatrix;
use crate::reference::{BODY_SPACE, Reference};
use chrono::{DateTime, FixedOffset, TimeZone};
use formdesk_engine::Answers;
use ring::signature::{self, Ed25519KeyPair, KeyPair};
use serde_json::Value;
use std::fmt::Write;

/// The version of the payload format written by [`sign`].
pub const PAYLOAD_FORMAT: u8 = 1;

/// What the signature's message starts with.
const CONTEXT: &[u8; 4] = b"FDRC";

/// Length of an Ed25519 signature.
const SIGNATURE_LEN: usize = 64;

/// The desk's device key: an Ed25519 key pair from a PKCS#8 document the caller keeps (in the vault).
#[derive(Debug)]
pub struct DeviceKey(Ed25519KeyPair);

impl DeviceKey {
    /// Reads a key pair from its PKCS#8 (v1 or v2) document.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<DeviceKey, ReceiptError> {
        Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
            .map(DeviceKey)
            .map_err(|e| ReceiptError::InvalidDeviceKey(e.to_string()))
    }

    /// A new key pair's PKCS#8 document, for the desk to keep.
    pub fn generate_pkcs8(random: &dyn ring::rand::SecureRandom) -> Result<Vec<u8>, ReceiptError> {
        Ed25519KeyPair::generate_pkcs8(random)
            .map(|doc| doc.as_ref().to_vec())
            .map_err(|_| ReceiptError::InvalidDeviceKey("no random numbers for a new key".into()))
    }

    /// The public key (32 bytes), which offices use to check this desk's receipts.
    pub fn public_key(&self) -> [u8; 32] {
        let mut key = [0u8; 32];
        key.copy_from_slice(self.0.public_key().as_ref());
        key
    }
}

/// What the QR code vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// The receipt's reference.
    pub reference: Reference,
    /// The form's id.
    pub form_id: String,
    /// The form's version.
    pub form_version: String,
    /// When the receipt was issued, with the desk's UTC offset, to the second.
    pub issued_at: DateTime<FixedOffset>,
    /// SHA-256 of the submitted answers ([`answers_digest`]).
    pub answers_digest: [u8; 32],
}

/// A payload whose signature checked out against the public key it was verified with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPayload(Payload);

impl VerifiedPayload {
    /// What was verified.
    pub fn payload(&self) -> &Payload {
        &self.0
    }

    /// Whether `answers` are the answers this receipt was issued for.
    pub fn matches(&self, answers: &Answers) -> bool {
        self.0.answers_digest == answers_digest(answers)
    }
}

impl std::ops::Deref for VerifiedPayload {
    type Target = Payload;
    fn deref(&self) -> &Payload {
        &self.0
    }
}

/// SHA-256 of the answers in a canonical JSON form: object keys sorted (by UTF-16 code units, as RFC 8785),
/// no whitespace, strings and numbers as `serde_json` writes them. The same answers give the same digest
/// whatever order their keys were entered in.
pub fn answers_digest(answers: &Answers) -> [u8; 32] {
    let mut text = String::new();
    write_object(answers.iter(), &mut text);
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

fn write_object<'a>(entries: impl Iterator<Item = (&'a String, &'a Value)>, out: &mut String) {
    let mut entries: Vec<_> = entries.collect();
    entries.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
    out.push('{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(key.clone()).to_string());
        out.push(':');
        write_value(value, out);
    }
    out.push('}');
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => write_object(map.iter(), out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn push_text(out: &mut Vec<u8>, text: &str, what: &str) -> Result<(), ReceiptError> {
    let len = u8::try_from(text.len())
        .map_err(|_| ReceiptError::PayloadTooLarge(format!("the {what} has more than 255 bytes")))?;
    out.push(len);
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

/// The signed bytes of a payload, without the context and the signature.
fn body(payload: &Payload) -> Result<Vec<u8>, ReceiptError> {
    let mut out = vec![PAYLOAD_FORMAT];
    push_text(&mut out, payload.reference.prefix(), "reference prefix")?;
    out.extend_from_slice(&payload.reference.body_number().to_be_bytes()[3..]);
    push_text(&mut out, &payload.form_id, "form id")?;
    push_text(&mut out, &payload.form_version, "form version")?;
    let seconds = u32::try_from(payload.issued_at.timestamp())
        .map_err(|_| ReceiptError::InvalidTime("the receipt's time must lie between 1970 and 2106".into()))?;
    out.extend_from_slice(&seconds.to_be_bytes());
    let offset = i16::try_from(payload.issued_at.offset().local_minus_utc() / 60)
        .map_err(|_| ReceiptError::InvalidTime("the UTC offset is out of range".into()))?;
    out.extend_from_slice(&offset.to_be_bytes());
    out.extend_from_slice(&payload.answers_digest);
    Ok(out)
}

/// Signs a payload with the device key and returns its text for the QR code. Fails when the payload would
/// not fit a QR code of version 8 at error correction level M.
pub fn sign(payload: &Payload, key: &DeviceKey) -> Result<String, ReceiptError> {
    sign_and_encode(payload, key).map(|(text, _)| text)
}

/// [`sign`], with the QR code it was checked against.
pub(crate) fn sign_and_encode(payload: &Payload, key: &DeviceKey) -> Result<(String, QrMatrix), ReceiptError> {
    let mut bytes = body(payload)?;
    let mut message = CONTEXT.to_vec();
    message.extend_from_slice(&bytes);
    bytes.extend_from_slice(key.0.sign(&message).as_ref());
    let text = base45::encode(&bytes);
    let matrix = crate::qr::encode(&text)?;
    Ok((text, matrix))
}

/// A cursor over the payload's bytes that names what is missing.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ReceiptError> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            return Err(ReceiptError::InvalidPayload(format!("it ends before the {what}")));
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn text(&mut self, what: &str) -> Result<String, ReceiptError> {
        let len = self.take(1, what)?[0];
        let bytes = self.take(usize::from(len), what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| ReceiptError::InvalidPayload(format!("the {what} is not UTF-8")))
    }
}

/// Checks a scanned payload against a desk's public key (32 bytes) and returns what it vouches for. Any
/// changed character makes it fail. Trailing line breaks, which scanners add, are ignored.
pub fn verify(payload_text: &str, public_key: &[u8]) -> Result<VerifiedPayload, ReceiptError> {
    let text = payload_text.trim_end_matches(['\r', '\n']);
    let bytes = base45::decode(text)
        .ok_or_else(|| ReceiptError::InvalidPayload("it is not Base45 text (digits, capitals, ' $%*+-./:')".into()))?;
    let Some(split) = bytes.len().checked_sub(SIGNATURE_LEN) else {
        return Err(ReceiptError::InvalidPayload("it is too short to carry a signature".into()));
    };
    let (signed, signature_bytes) = bytes.split_at(split);
    match signed.first() {
        Some(&PAYLOAD_FORMAT) => {}
        Some(other) => {
            return Err(ReceiptError::InvalidPayload(format!(
                "format version {other} is unknown; this program reads version {PAYLOAD_FORMAT}"
            )));
        }
        None => return Err(ReceiptError::InvalidPayload("it is empty".into())),
    }
    let mut message = CONTEXT.to_vec();
    message.extend_from_slice(signed);
    signature::UnparsedPublicKey::new(&signature::ED25519, public_key)
        .verify(&message, signature_bytes)
        .map_err(|_| ReceiptError::SignatureMismatch)?;

    // Signed by the key's owner, so a malformed body means a bug on the signing side; still never a panic.
    let mut r = Reader { bytes: signed, at: 1 };
    let prefix = r.text("reference prefix")?;
    let mut number = [0u8; 8];
    number[3..].copy_from_slice(r.take(5, "reference")?);
    let body_number = u64::from_be_bytes(number);
    if body_number >= BODY_SPACE {
        return Err(ReceiptError::InvalidPayload("the reference's number is out of range".into()));
    }
    let reference = Reference::from_parts(&prefix, body_number)?;
    let form_id = r.text("form id")?;
    let form_version = r.text("form version")?;
    let mut seconds = [0u8; 4];
    seconds.copy_from_slice(r.take(4, "time")?);
    let mut offset = [0u8; 2];
    offset.copy_from_slice(r.take(2, "UTC offset")?);
    let offset = FixedOffset::east_opt(i32::from(i16::from_be_bytes(offset)) * 60)
        .ok_or_else(|| ReceiptError::InvalidPayload("the UTC offset is out of range".into()))?;
    let issued_at = offset
        .timestamp_opt(i64::from(u32::from_be_bytes(seconds)), 0)
        .single()
        .ok_or_else(|| ReceiptError::InvalidPayload("the time is out of range".into()))?;
    let mut answers_digest = [0u8; 32];
    answers_digest.copy_from_slice(r.take(32, "digest of the answers")?);
    if r.at != signed.len() {
        return Err(ReceiptError::InvalidPayload("it has bytes after the digest".into()));
    }
    Ok(VerifiedPayload(Payload { reference, form_id, form_version, issued_at, answers_digest }))
}
