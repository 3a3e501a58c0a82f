//! The desk's audit trail: an append-only hash chain of what was done on this desk, in the vault's file.
//!
//! Each entry is a [`formdesk_protocol::audit`] record (ids only: a clerk's vault id, a submission's id, a
//! receipt reference, a form id, a hash) with the chain's links, one row of the plain `audit` table (layout
//! 6). The chain is that module's: [`audit::next`] appends, [`audit::verify`] checks; nothing here hashes.
//!
//! - The log is named [`LOG`] (`desk`) in every record, on every desk. The name is hashed into each entry,
//!   so it cannot change when the desk is enrolled, and entries (a wrong PIN, the setup) are written before
//!   the desk has a device id. The portal files what a desk uploads under `d<device id>`, the device that
//!   signed the upload.
//! - Where an action writes the vault, its entry is appended in the action's own transaction (an action
//!   without its entry cannot commit); [`crate::Vault::record`] writes one for an action that does not (a
//!   print, a lock), and the desk logs it and goes on if that fails: the audit trail never stops a clerk.
//! - The actor is the clerk's id in the vault's `clerks` table (never the name), or [`DEVICE`] for what the
//!   desk does by itself (retention, a delivery confirmed, a form set installed).
//! - Upload (`POST /v1/audit`) takes the entries after the last acknowledged one
//!   ([`crate::Outbox::audit_to_upload`]) and marks them acknowledged
//!   ([`crate::Outbox::audit_acknowledged`]). Only acknowledged entries older than [`KEEP_SECONDS`] are ever
//!   pruned ([`crate::Vault::prune_audit`]), and the last pruned one stays as the anchor the rest is verified
//!   from.
//!
//! Non-goals: hashing and its format (`formdesk-protocol`), HTTP, checkpoints signed with the device key
//! (they need the PIN; the upload makes them).

use crate::{FILE_NAME, VaultError, schema};
use formdesk_protocol::audit::{self, Action, DetailValue, Entry, Hash, Head, Record};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::BTreeMap;
use std::path::Path;

pub use formdesk_protocol::audit::{Broken, BrokenKind};

/// The name of the desk's log in its records.
pub const LOG: &str = "desk";
/// The actor of what the desk does by itself.
pub const DEVICE: &str = "device";
/// The actor of a failed unlock for a clerk name this desk does not know (the name typed is not recorded).
pub const UNKNOWN_CLERK: &str = "unknown";
/// How long an acknowledged entry is kept before it may be pruned: 400 days.
pub const KEEP_SECONDS: i64 = 400 * 24 * 60 * 60;

/// What to record of one action: the action, what it was done on and further ids. The vault adds the log,
/// the seq, the time and the actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// What was done.
    pub action: Action,
    /// On what: a submission's id, a manifest's SHA-256, a device id; empty when nothing.
    pub object: String,
    /// Further ids and versions.
    pub detail: BTreeMap<String, DetailValue>,
}

impl AuditEvent {
    /// `action` on nothing in particular.
    pub fn new(action: Action) -> AuditEvent {
        AuditEvent { action, object: String::new(), detail: BTreeMap::new() }
    }

    /// Done on `object`.
    #[must_use]
    pub fn on(mut self, object: impl Into<String>) -> AuditEvent {
        self.object = object.into();
        self
    }

    /// With `key` set to the text `value`.
    #[must_use]
    pub fn text(mut self, key: &str, value: impl Into<String>) -> AuditEvent {
        self.detail.insert(key.to_owned(), DetailValue::Text(value.into()));
        self
    }

    /// With `key` set to the number `value`.
    #[must_use]
    pub fn number(mut self, key: &str, value: i64) -> AuditEvent {
        self.detail.insert(key.to_owned(), DetailValue::Number(value));
        self
    }
}

/// One stored entry and whether the portal has acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// The entry, as the chain holds it.
    pub entry: Entry,
    /// Whether the portal has acknowledged it.
    pub uploaded: bool,
}

/// What a verification of the whole stored log found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry is in place: how many there are, and the head (seq and hash of the last).
    Intact {
        /// The entries kept (after a prune: from the anchor on).
        entries: u64,
        /// The last entry's seq and hash; seq 0 for an empty log.
        head: Head,
    },
    /// The first bad entry and what is wrong with it.
    Broken(Broken),
}

impl From<audit::AuditError> for VaultError {
    fn from(error: audit::AuditError) -> Self {
        VaultError::Audit(error.to_string())
    }
}

/// A 32-byte hash from a column; a damaged one (another length) is hashed down to 32 bytes, so that the
/// chain goes on after it and verification, not the clerk's next action, reports the damage.
fn hash_of(bytes: &[u8]) -> Hash {
    <Hash>::try_from(bytes).unwrap_or_else(|_| {
        let mut hash = audit::ZERO_HASH;
        hash.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref());
        hash
    })
}

/// Where the stored log stands: the last row's seq and hash.
fn head(conn: &Connection) -> Result<Head, VaultError> {
    let last: Option<(i64, Vec<u8>)> = conn
        .query_row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match last {
        None => Head::empty(LOG),
        Some((seq, hash)) => Head { log: LOG.to_owned(), seq: u64::try_from(seq).unwrap_or(0), hash: hash_of(&hash) },
    })
}

/// Appends `event`, done by `actor` at `at`, to the log. Call it inside the action's write transaction.
pub(crate) fn append(conn: &Connection, actor: &str, event: &AuditEvent, at: i64) -> Result<Entry, VaultError> {
    let head = head(conn)?;
    let seq = head.seq.checked_add(1).ok_or(audit::AuditError::Full)?;
    let record = Record {
        version: audit::FORMAT_VERSION,
        log: LOG.to_owned(),
        seq,
        at,
        actor: actor.to_owned(),
        action: event.action,
        object: event.object.clone(),
        detail: event.detail.clone(),
    };
    let entry = audit::next(&head, record)?;
    let row = i64::try_from(seq).map_err(|_| audit::AuditError::Full)?;
    conn.execute(
        "INSERT INTO audit (seq, record, prev, hash) VALUES (?1, ?2, ?3, ?4)",
        params![row, entry.record.canonical()?, entry.prev.as_slice(), entry.hash.as_slice()],
    )?;
    Ok(entry)
}

/// A row as stored, before its record is read.
struct Row {
    seq: i64,
    record: Vec<u8>,
    prev: Vec<u8>,
    hash: Vec<u8>,
    uploaded: bool,
}

impl Row {
    /// The entry the row holds; `None` if its record is no record or a link is not 32 bytes (changed).
    fn entry(&self) -> Option<Entry> {
        let record: Record = serde_json::from_slice(&self.record).ok()?;
        Some(Entry {
            record,
            prev: <Hash>::try_from(self.prev.as_slice()).ok()?,
            hash: self.hash.as_slice().try_into().ok()?,
        })
    }
}

fn rows(conn: &Connection, after: i64, limit: i64) -> Result<Vec<Row>, VaultError> {
    let mut statement =
        conn.prepare("SELECT seq, record, prev, hash, uploaded FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
    let rows = statement.query_map(params![after, limit], |r| {
        Ok(Row { seq: r.get(0)?, record: r.get(1)?, prev: r.get(2)?, hash: r.get(3)?, uploaded: r.get(4)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The stored entries after seq `after`, at most `limit`, in seq order. A row that holds no readable entry
/// is an error naming its seq (verification says more).
pub(crate) fn entries(conn: &Connection, after: u64, limit: usize) -> Result<Vec<StoredEntry>, VaultError> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    rows(conn, after, limit)?
        .into_iter()
        .map(|row| match row.entry() {
            Some(entry) => Ok(StoredEntry { entry, uploaded: row.uploaded }),
            None => Err(VaultError::Audit(format!("audit entry {} is not readable", row.seq))),
        })
        .collect()
}

/// The entries the portal has not acknowledged yet, the oldest first, at most `limit`.
pub(crate) fn to_upload(conn: &Connection, limit: usize) -> Result<Vec<Entry>, VaultError> {
    let acknowledged: i64 =
        conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM audit WHERE uploaded = 1", [], |r| r.get(0))?;
    Ok(entries(conn, u64::try_from(acknowledged).unwrap_or(0), limit)?.into_iter().map(|s| s.entry).collect())
}

/// Marks every entry up to `seq` acknowledged by the portal.
pub(crate) fn acknowledged(conn: &Connection, seq: u64) -> Result<(), VaultError> {
    let seq = i64::try_from(seq).unwrap_or(i64::MAX);
    conn.execute("UPDATE audit SET uploaded = 1 WHERE seq <= ?1 AND uploaded = 0", [seq])?;
    Ok(())
}

/// Deletes the acknowledged entries recorded before `before` (Unix seconds), from the oldest on, keeping the
/// last of them as the anchor; never an entry not acknowledged. Returns how many went. Call it in a write
/// transaction.
pub(crate) fn prune(conn: &Connection, before: i64) -> Result<usize, VaultError> {
    let mut anchor = None;
    for row in rows(conn, i64::MIN, i64::MAX)? {
        let old = row.entry().is_some_and(|e| e.record.at < before);
        if !row.uploaded || !old {
            break;
        }
        anchor = Some(row.seq);
    }
    let Some(anchor) = anchor else { return Ok(0) };
    Ok(conn.execute("DELETE FROM audit WHERE seq < ?1", [anchor])?)
}

/// Verifies the whole stored log: every link, every hash, seq without gaps. After a prune the first row is
/// the anchor (acknowledged, seq above 1): its own hash must recompute, and the rest must continue it.
pub(crate) fn verify(conn: &Connection) -> Result<Verdict, VaultError> {
    let rows = rows(conn, i64::MIN, i64::MAX)?;
    let count = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    // Entries up to the first unreadable row; that row is reported if everything before it holds.
    let mut entries = Vec::with_capacity(rows.len());
    let mut unreadable = None;
    let mut renumbered = None;
    for row in &rows {
        let Some(entry) = row.entry() else {
            unreadable = Some(row.seq);
            break;
        };
        if renumbered.is_none() && i64::try_from(entry.record.seq).ok() != Some(row.seq) {
            renumbered = Some(entry.record.seq);
        }
        entries.push(entry);
    }
    let anchored = match (rows.first(), entries.first()) {
        (Some(row), Some(first)) if row.uploaded && first.record.seq > 1 => Some(first.clone()),
        _ => None,
    };
    let checked = match &anchored {
        Some(anchor) => match audit::entry_hash(&anchor.prev, &anchor.record) {
            Ok(hash) if hash == anchor.hash => audit::verify_continuing(&anchor.head(), &entries[1..]),
            Ok(_) => Err(Broken { seq: anchor.record.seq, kind: BrokenKind::Changed }),
            Err(e) => Err(Broken { seq: anchor.record.seq, kind: BrokenKind::Malformed(e) }),
        },
        None => audit::verify(LOG, &entries, None),
    };
    let head = match checked {
        Ok(head) => head,
        Err(broken) => return Ok(Verdict::Broken(broken)),
    };
    if let Some(seq) = unreadable {
        return Ok(Verdict::Broken(Broken { seq: u64::try_from(seq).unwrap_or(0), kind: BrokenKind::Changed }));
    }
    if let Some(seq) = renumbered {
        // The records are in order, but a row's seq is not its record's: the rows were renumbered.
        return Ok(Verdict::Broken(Broken { seq, kind: BrokenKind::Reordered }));
    }
    Ok(Verdict::Intact { entries: count, head })
}

/// Verifies the audit log of the vault in the data directory `dir`, read-only: no PIN, nothing written,
/// nothing created. A vault of a layout before the audit trail has an empty log.
pub fn verify_dir(dir: &Path) -> Result<Verdict, VaultError> {
    let path = dir.join(FILE_NAME);
    if !path.is_file() {
        return Err(VaultError::NotInitialized);
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = schema::current_version();
    if found > known {
        return Err(VaultError::TooNew { found, known });
    }
    if found < schema::AUDIT_LAYOUT {
        return Ok(Verdict::Intact { entries: 0, head: Head::empty(LOG) });
    }
    verify(&conn)
}
