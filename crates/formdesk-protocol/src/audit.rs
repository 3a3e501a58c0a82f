//! The audit trail's hash chain: records, their canonical bytes, appending, verifying and signed checkpoints.
//!
//! Portal and desk each keep append-only logs of what people and devices did (`docs/tenants.md`, section 6).
//! A log is a chain of [`Entry`]s: each holds a [`Record`] (version [`FORMAT_VERSION`]: log, seq, time,
//! actor, [`Action`], object, a small detail map), the hash of the entry before it and its own hash,
//! `SHA-256("formdesk-audit-v1\n" || prev || canonical record)`, where the record is canonical JSON
//! (olpc-cjson) and `prev` of seq 1 is 32 zero bytes. [`next`] appends; [`verify`] walks a log and names the
//! first bad seq and what is wrong with it. A [`Checkpoint`] (log, seq, head hash, time) signed with an
//! Ed25519 key pins a log's state, so that rewriting the chain consistently after it, or cutting its end off,
//! is found as well.
//!
//! Records hold ids only: the action is a closed enum, and detail values are short strings or integers, so no
//! free text can carry a citizen's data into a log.
//!
//! Non-goals: no storage, no upload, no I/O, no clock (times are passed in), no key handling beyond signing
//! and checking with keys handed in.

use crate::auth::verify_ed25519;
use olpc_cjson::CanonicalFormatter;
use ring::signature::Ed25519KeyPair;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The version of [`Record`]; it is the record's `v`.
pub const FORMAT_VERSION: u32 = 1;
/// What every entry's hash starts with.
pub const HASH_DOMAIN: &[u8] = b"formdesk-audit-v1\n";
/// What every checkpoint's signed bytes start with.
pub const CHECKPOINT_DOMAIN: &[u8] = b"formdesk-audit-checkpoint-v1\n";
/// At most this many entries in a record's `detail`.
pub const MAX_DETAIL_ENTRIES: usize = 16;
/// At most this many characters in a detail value, and in a record's `log`, `actor` and `object`.
pub const MAX_TEXT_CHARS: usize = 200;
/// At most this many characters in a detail key (lowercase ASCII letters, digits and `_`).
pub const MAX_KEY_CHARS: usize = 40;

/// A SHA-256 hash.
pub type Hash = [u8; 32];
/// The `prev` of a log's first entry.
pub const ZERO_HASH: Hash = [0; 32];

/// What was done. The names are those of the design's table; there is no free-text action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)] // The names say it; the table in docs/tenants.md says who does each.
pub enum Action {
    // Portal: accounts and signing in.
    SignIn,
    SignInFailed,
    SignOut,
    TotpOn,
    PasswordSet,
    // Portal: the operator.
    TenantAdd,
    AccountAdd,
    AccountDisable,
    RolesSet,
    // Portal: devices, destinations, forms, inbox.
    DeviceAdd,
    DeviceEnrolled,
    DeviceRevoke,
    DeviceChannel,
    DestinationPut,
    FormsUpload,
    AppPublish,
    InboxPickup,
    DeskCheckpoint,
    // Desk: access.
    Unlock,
    UnlockFailed,
    Lock,
    Recover,
    ClerkAdd,
    // Desk: cases.
    Finalize,
    Print,
    SaveReceipt,
    Discard,
    Shred,
    CarryOver,
    // Desk: form sets and the portal.
    FormsInstall,
    FormsRefused,
    Enrol,
    Delivered,
}

/// A value in a record's `detail`: an id, a version, a hash, a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DetailValue {
    /// An integer (canonical JSON has no fractions).
    Number(i64),
    /// A short text, at most [`MAX_TEXT_CHARS`] characters.
    Text(String),
}

/// One thing done, as it is hashed into the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// [`FORMAT_VERSION`].
    #[serde(rename = "v")]
    pub version: u32,
    /// The log: `t<ARS>`, `operator` or `d<device id>`.
    pub log: String,
    /// The position in the log, from 1.
    pub seq: u64,
    /// When, Unix seconds.
    pub at: i64,
    /// Who: an account, clerk or device id, `device` or `cli`.
    pub actor: String,
    /// What.
    pub action: Action,
    /// On what: an id, a reference or a hash; empty when nothing.
    pub object: String,
    /// Further ids and versions, keyed by short names.
    pub detail: BTreeMap<String, DetailValue>,
}

/// Why a record, an append or a checkpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// A record of a version this code does not read.
    #[error("audit record version {0} is not {FORMAT_VERSION}")]
    Version(u32),
    /// `log`, `actor`, `object` or a detail value is too long.
    #[error("audit record: {field} has {chars} characters, at most {MAX_TEXT_CHARS} are allowed")]
    TooLong {
        /// `log`, `actor`, `object` or `detail.<key>`.
        field: String,
        /// How many characters it has.
        chars: usize,
    },
    /// `log` is empty.
    #[error("audit record: the log name is empty")]
    NoLog,
    /// More detail entries than [`MAX_DETAIL_ENTRIES`].
    #[error("audit record: {0} detail entries, at most {MAX_DETAIL_ENTRIES} are allowed")]
    TooManyDetails(usize),
    /// A detail key that is empty, too long or not lowercase ASCII letters, digits and `_`.
    #[error("audit record: detail key {0:?} is not 1 to {MAX_KEY_CHARS} of a-z, 0-9 and _")]
    BadDetailKey(String),
    /// Appending a record of another log.
    #[error("audit record of log {found:?} appended to log {expected:?}")]
    WrongLog {
        /// The head's log.
        expected: String,
        /// The record's log.
        found: String,
    },
    /// Appending a record whose seq does not follow the head.
    #[error("audit record with seq {found} appended where seq {expected} is next")]
    WrongSeq {
        /// The seq after the head's.
        expected: u64,
        /// The record's seq.
        found: u64,
    },
    /// The log is full (its head is at `u64::MAX`).
    #[error("audit log is full")]
    Full,
    /// The record could not be written as canonical JSON.
    #[error("audit record as canonical JSON: {0}")]
    Canonical(String),
    /// A checkpoint's signature does not verify with the key given, or the key is not an Ed25519 key.
    #[error("the audit checkpoint's signature does not verify")]
    BadSignature,
}

impl Record {
    /// Checks the limits: version, lengths of texts, number and shape of detail entries.
    pub fn check(&self) -> Result<(), AuditError> {
        if self.version != FORMAT_VERSION {
            return Err(AuditError::Version(self.version));
        }
        if self.log.is_empty() {
            return Err(AuditError::NoLog);
        }
        for (field, text) in [("log", &self.log), ("actor", &self.actor), ("object", &self.object)] {
            check_text(field, text)?;
        }
        if self.detail.len() > MAX_DETAIL_ENTRIES {
            return Err(AuditError::TooManyDetails(self.detail.len()));
        }
        for (key, value) in &self.detail {
            let shape = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
            if key.is_empty() || key.len() > MAX_KEY_CHARS || !key.chars().all(shape) {
                return Err(AuditError::BadDetailKey(key.clone()));
            }
            if let DetailValue::Text(text) = value {
                check_text(&format!("detail.{key}"), text)?;
            }
        }
        Ok(())
    }

    /// The record as canonical JSON (olpc-cjson), the bytes its hash covers.
    pub fn canonical(&self) -> Result<Vec<u8>, AuditError> {
        canonical(self)
    }
}

fn check_text(field: &str, text: &str) -> Result<(), AuditError> {
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS { Err(AuditError::TooLong { field: field.to_owned(), chars }) } else { Ok(()) }
}

fn canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, AuditError> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, CanonicalFormatter::new());
    value.serialize(&mut serializer).map_err(|e| AuditError::Canonical(e.to_string()))?;
    Ok(out)
}

/// `SHA-256("formdesk-audit-v1\n" || prev || canonical record)`.
pub fn entry_hash(prev: &Hash, record: &Record) -> Result<Hash, AuditError> {
    let bytes = record.canonical()?;
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    context.update(HASH_DOMAIN);
    context.update(prev);
    context.update(&bytes);
    let mut hash = ZERO_HASH;
    hash.copy_from_slice(context.finish().as_ref());
    Ok(hash)
}

/// A record in its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What was done.
    pub record: Record,
    /// The hash of the entry before ([`ZERO_HASH`] for seq 1).
    pub prev: Hash,
    /// This entry's hash, see [`entry_hash`].
    pub hash: Hash,
}

impl Entry {
    /// The log's head once this entry is its last.
    pub fn head(&self) -> Head {
        Head { log: self.record.log.clone(), seq: self.record.seq, hash: self.hash }
    }
}

/// Where a log stands: its last seq and that entry's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The log.
    pub log: String,
    /// The last entry's seq; 0 for an empty log.
    pub seq: u64,
    /// The last entry's hash; [`ZERO_HASH`] for an empty log.
    pub hash: Hash,
}

impl Head {
    /// The head of an empty log.
    pub fn empty(log: &str) -> Head {
        Head { log: log.to_owned(), seq: 0, hash: ZERO_HASH }
    }
}

/// Appends `record` after `head`: refused unless it is of the head's log, its seq is the head's plus one and
/// it keeps the limits of [`Record::check`].
pub fn next(head: &Head, record: Record) -> Result<Entry, AuditError> {
    record.check()?;
    if record.log != head.log {
        return Err(AuditError::WrongLog { expected: head.log.clone(), found: record.log });
    }
    let expected = head.seq.checked_add(1).ok_or(AuditError::Full)?;
    if record.seq != expected {
        return Err(AuditError::WrongSeq { expected, found: record.seq });
    }
    let hash = entry_hash(&head.hash, &record)?;
    Ok(Entry { record, prev: head.hash, hash })
}

/// A log's state at one time: its head, as the portal or a desk signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The log.
    pub log: String,
    /// The head's seq.
    pub seq: u64,
    /// The head's hash, lowercase hex in JSON.
    #[serde(with = "hex32")]
    pub hash: Hash,
    /// When it was made, Unix seconds.
    pub at: i64,
}

/// A checkpoint with its Ed25519 signature over `"formdesk-audit-checkpoint-v1\n" || canonical checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCheckpoint {
    /// What is signed.
    pub checkpoint: Checkpoint,
    /// The signature, base64url in JSON.
    #[serde(with = "b64_bytes")]
    pub signature: Vec<u8>,
}

impl Checkpoint {
    /// The bytes a signature covers.
    pub fn signed_bytes(&self) -> Result<Vec<u8>, AuditError> {
        let mut bytes = CHECKPOINT_DOMAIN.to_vec();
        bytes.extend(canonical(self)?);
        Ok(bytes)
    }

    /// Signs this checkpoint with `key` (the portal's key, or the desk's device key).
    pub fn sign(self, key: &Ed25519KeyPair) -> Result<SignedCheckpoint, AuditError> {
        let signature = key.sign(&self.signed_bytes()?).as_ref().to_vec();
        Ok(SignedCheckpoint { checkpoint: self, signature })
    }
}

impl SignedCheckpoint {
    /// The checkpoint, if its signature verifies with `public_key` (32 bytes of Ed25519).
    pub fn verify(&self, public_key: &[u8]) -> Result<&Checkpoint, AuditError> {
        let bytes = self.checkpoint.signed_bytes()?;
        verify_ed25519(public_key, &bytes, &self.signature).map_err(|_| AuditError::BadSignature)?;
        Ok(&self.checkpoint)
    }
}

/// A signed checkpoint to verify a log against, with the key it must be signed with.
#[derive(Debug, Clone, Copy)]
pub struct Anchor<'a> {
    /// The checkpoint.
    pub checkpoint: &'a SignedCheckpoint,
    /// The signer's Ed25519 public key, 32 bytes.
    pub public_key: &'a [u8],
}

/// What is wrong with a log, and from which seq on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log broken at seq {seq}: {kind}")]
pub struct Broken {
    /// The first seq found wrong (for a rewrite after a checkpoint: the checkpoint's seq).
    pub seq: u64,
    /// What is wrong there.
    pub kind: BrokenKind,
}

/// The kinds of damage [`verify`] tells apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokenKind {
    /// The entry's hash does not recompute from its record and `prev`: the record or a hash was changed.
    Changed,
    /// An entry is missing: a gap in seq, a `prev` that is no entry's hash, or the log ends before a
    /// checkpoint's seq.
    Removed,
    /// Entries are out of order: the seq expected here, or the hash this entry's `prev` names, comes later.
    Reordered,
    /// The chain is consistent but differs from the checkpoint at this seq: it was rewritten after it.
    Rewritten,
    /// The checkpoint's signature does not verify with the key given.
    CheckpointSignature,
    /// The checkpoint is of another log.
    CheckpointOfAnotherLog,
    /// An entry of another log.
    AnotherLog,
    /// A record outside the limits of [`Record::check`]; it could not have been appended.
    Malformed(AuditError),
}

impl fmt::Display for BrokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrokenKind::Changed => f.write_str("changed (the hash does not match the entry)"),
            BrokenKind::Removed => f.write_str("removed (an entry is missing)"),
            BrokenKind::Reordered => f.write_str("reordered (entries are out of order)"),
            BrokenKind::Rewritten => f.write_str("rewritten after a checkpoint (the checkpoint's hash differs)"),
            BrokenKind::CheckpointSignature => f.write_str("the checkpoint's signature does not verify"),
            BrokenKind::CheckpointOfAnotherLog => f.write_str("the checkpoint is of another log"),
            BrokenKind::AnotherLog => f.write_str("an entry of another log"),
            BrokenKind::Malformed(e) => write!(f, "malformed record ({e})"),
        }
    }
}

/// Verifies the entries of `log`, read in seq order, against an optional signed checkpoint, and answers
/// with the log's head.
///
/// Without an anchor the entries must start at seq 1. With one, they start at seq 1 or, where an older
/// part was pruned, right after the anchor's seq (whose hash is then the first `prev`); the entry at the
/// anchor's seq must have the anchor's hash, and the entries must reach it. An empty list with an anchor
/// answers with the anchor's head. The first problem found is reported.
pub fn verify(log: &str, entries: &[Entry], anchor: Option<Anchor<'_>>) -> Result<Head, Broken> {
    let anchor = match anchor {
        None => None,
        Some(a) => {
            let at = a.checkpoint.checkpoint.seq;
            let checkpoint = a
                .checkpoint
                .verify(a.public_key)
                .map_err(|_| Broken { seq: at, kind: BrokenKind::CheckpointSignature })?;
            if checkpoint.log != log {
                return Err(Broken { seq: at, kind: BrokenKind::CheckpointOfAnotherLog });
            }
            Some(checkpoint)
        }
    };
    let mut head = Head::empty(log);
    match (entries.first(), anchor) {
        (None, Some(cp)) => return Ok(Head { log: log.to_owned(), seq: cp.seq, hash: cp.hash }),
        (Some(first), Some(cp)) if cp.seq > 0 && Some(first.record.seq) == cp.seq.checked_add(1) => {
            head.seq = cp.seq;
            head.hash = cp.hash;
        }
        _ => {}
    }
    let head = walk(head, entries, anchor)?;
    if let Some(cp) = anchor
        && head.seq < cp.seq
    {
        return Err(Broken { seq: head.seq.saturating_add(1), kind: BrokenKind::Removed });
    }
    Ok(head)
}

/// Verifies `entries` as the continuation of a log whose head was `start`: entries verified before, or
/// pruned after they were (the desk keeps its last pruned entry as the anchor of what it keeps). The first
/// entry must have seq `start.seq + 1` and name `start.hash` as its `prev`; the first problem is reported as
/// by [`verify`].
pub fn verify_continuing(start: &Head, entries: &[Entry]) -> Result<Head, Broken> {
    walk(start.clone(), entries, None)
}

/// Walks `entries` on from `head`, checking each against the one before and against the checkpoint.
fn walk(mut head: Head, entries: &[Entry], anchor: Option<&Checkpoint>) -> Result<Head, Broken> {
    let log = head.log.clone();
    for (i, entry) in entries.iter().enumerate() {
        // A log whose head is at u64::MAX has no room for one more entry: whatever follows is out of place.
        let Some(expected) = head.seq.checked_add(1) else {
            return Err(Broken { seq: head.seq, kind: BrokenKind::Removed });
        };
        let broken = |kind| Err(Broken { seq: expected, kind });
        if entry.record.log != log {
            return broken(BrokenKind::AnotherLog);
        }
        match entry_hash(&entry.prev, &entry.record) {
            Ok(hash) if hash == entry.hash => {}
            Ok(_) => return broken(BrokenKind::Changed),
            Err(e) => return broken(BrokenKind::Malformed(e)),
        }
        if entry.record.seq != expected {
            let later = entries[i + 1..].iter().any(|e| e.record.seq == expected);
            return broken(if entry.record.seq < expected || later {
                BrokenKind::Reordered
            } else {
                BrokenKind::Removed
            });
        }
        if entry.prev != head.hash {
            // Seq and hash are as they should be, yet the link is not: this entry was moved here from
            // elsewhere in the log (its `prev` is a later entry's hash) or the one before it is gone.
            let later = entries[i + 1..].iter().any(|e| e.hash == entry.prev);
            if i == 0 && head.seq > 0 {
                return broken(BrokenKind::Rewritten);
            }
            return broken(if later { BrokenKind::Reordered } else { BrokenKind::Removed });
        }
        if let Err(e) = entry.record.check() {
            return broken(BrokenKind::Malformed(e));
        }
        head.seq = expected;
        head.hash = entry.hash;
        if let Some(cp) = anchor
            && cp.seq == head.seq
            && cp.hash != head.hash
        {
            return Err(Broken { seq: cp.seq, kind: BrokenKind::Rewritten });
        }
    }
    Ok(head)
}

/// The path of a desk's upload of its audit entries.
pub const UPLOAD_PATH: &str = "/v1/audit";

/// At most this many entries in one [`Upload`].
pub const UPLOAD_MOST: usize = 1000;

/// `POST /v1/audit`: a desk's entries after the last one the portal acknowledged, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// At most [`UPLOAD_MOST`] entries, in seq order.
    pub entries: Vec<UploadEntry>,
}

/// An [`Entry`] on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadEntry {
    /// The record as hashed.
    pub record: Record,
    /// The hash of the entry before, lowercase hex.
    #[serde(with = "hex32")]
    pub prev: Hash,
    /// This entry's hash, lowercase hex.
    #[serde(with = "hex32")]
    pub hash: Hash,
}

impl From<Entry> for UploadEntry {
    fn from(entry: Entry) -> UploadEntry {
        UploadEntry { record: entry.record, prev: entry.prev, hash: entry.hash }
    }
}

impl From<UploadEntry> for Entry {
    fn from(entry: UploadEntry) -> Entry {
        Entry { record: entry.record, prev: entry.prev, hash: entry.hash }
    }
}

/// The portal's answer to an [`Upload`]: where the desk's log stands on the portal now, with the portal's
/// signed checkpoint of it (log `d<device id>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uploaded {
    /// The last seq the portal has; the desk may mark its entries up to it acknowledged.
    pub seq: u64,
    /// That entry's hash, lowercase hex.
    #[serde(with = "hex32")]
    pub hash: Hash,
    /// The portal's checkpoint of the head, signed with its acceptance key.
    pub checkpoint: SignedCheckpoint,
}

mod hex32 {
    use super::Hash;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(hash: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hash.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(D::Error::custom("expected 64 lowercase hex digits"));
        }
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let mut hash = [0u8; 32];
        for (out, pair) in hash.iter_mut().zip(bytes.chunks_exact(2)) {
            match (digit(pair[0]), digit(pair[1])) {
                (Some(high), Some(low)) => *out = high << 4 | low,
                _ => return Err(D::Error::custom("expected 64 lowercase hex digits")),
            }
        }
        Ok(hash)
    }
}

mod b64_bytes {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::b64(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        crate::unb64(&text).ok_or_else(|| D::Error::custom("expected base64url without padding"))
    }
}
