//! The outbox: finalized submissions on their way to the portal.
//!
//! When the desk finalizes a submission for a destination it seals every part for the receiving authority
//! (JWE; see `formdesk-seal`) and [`crate::Vault::finalize_and_queue`] writes the parts into the outbox in
//! the same transaction as the finalization: a submission is final and queued, or neither. The sealed parts
//! are readable by the authority alone, so they are stored as they are and can be sent while the desk is
//! locked. The sync engine works on its own connection to the same file ([`Outbox`]); when the portal's
//! signed acceptance has been verified, [`Outbox::delivered`] keeps it, drops the parts and shreds the
//! submission's plaintext in one transaction.
//!
//! Non-goals: HTTP, retries and their timing (the sync engine decides `retry_at`), what a part contains.

use crate::{Clock, SubmissionId, VaultError, audit, schema, system_clock};
use formdesk_protocol::audit::{Action, Entry};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params};
use std::path::Path;

/// One sealed part of a submission: `metadata`, `data`, or an attachment's id, with its JWE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPart {
    pub name: String,
    pub jwe: String,
}

/// What a finalization queues: the destination and the parts, metadata first, then data, then attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub destination_id: String,
    pub parts: Vec<SealedPart>,
}

/// Where a queued submission's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Waiting to be sent (again) at `next_attempt_at`.
    Queued,
    /// Refused for a reason that a retry will not change; waits for the clerk's "Jetzt senden".
    Failed,
    /// The portal has confirmed it.
    Delivered,
}

impl Delivery {
    fn parse(text: &str) -> Result<Delivery, VaultError> {
        match text {
            "queued" => Ok(Delivery::Queued),
            "failed" => Ok(Delivery::Failed),
            "delivered" => Ok(Delivery::Delivered),
            other => Err(VaultError::Corrupt(format!("unknown outbox state {other:?}"))),
        }
    }
}

/// An outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub submission: SubmissionId,
    /// The id the submission travels under.
    pub uuid: String,
    pub form_id: String,
    pub destination_id: String,
    pub state: Delivery,
    pub attempts: u32,
    pub queued_at: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    /// The portal's signed acceptance, once delivered.
    pub acceptance: Option<String>,
}

/// The desk's registration with its portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub url: String,
    pub device_id: String,
    pub device_name: String,
    /// The Ed25519 key that signs the portal's acceptances.
    pub portal_key: Vec<u8>,
    pub enrolled_at: i64,
}

/// A destination's public key as last fetched from the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDestination {
    pub id: String,
    pub name: String,
    pub key_id: String,
    /// SubjectPublicKeyInfo DER of its RSA key.
    pub public_key: Vec<u8>,
    pub fetched_at: i64,
}

const ENTRY_COLUMNS: &str = "o.submission_id, s.uuid, s.form_id, o.destination_id, o.state, o.attempts, o.queued_at, \
                             o.next_attempt_at, o.last_error, o.delivered_at, o.acceptance";

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(OutboxEntry, String)> {
    Ok((
        OutboxEntry {
            submission: r.get(0)?,
            uuid: r.get(1)?,
            form_id: r.get(2)?,
            destination_id: r.get(3)?,
            state: Delivery::Queued,
            attempts: r.get(5)?,
            queued_at: r.get(6)?,
            next_attempt_at: r.get(7)?,
            last_error: r.get(8)?,
            delivered_at: r.get(9)?,
            acceptance: r.get(10)?,
        },
        r.get(4)?,
    ))
}

fn entries_where(conn: &Connection, filter: &str, args: impl rusqlite::Params) -> Result<Vec<OutboxEntry>, VaultError> {
    let mut statement = conn.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM outbox o JOIN submissions s ON s.id = o.submission_id {filter}"
    ))?;
    let rows: Vec<(OutboxEntry, String)> = statement.query_map(args, entry_row)?.collect::<Result<_, _>>()?;
    rows.into_iter().map(|(entry, state)| Ok(OutboxEntry { state: Delivery::parse(&state)?, ..entry })).collect()
}

pub(crate) fn all_entries(conn: &Connection) -> Result<Vec<OutboxEntry>, VaultError> {
    entries_where(conn, "ORDER BY o.queued_at DESC, o.submission_id DESC", [])
}

pub(crate) fn entry(conn: &Connection, id: SubmissionId) -> Result<Option<OutboxEntry>, VaultError> {
    Ok(entries_where(conn, "WHERE o.submission_id = ?1", [id])?.pop())
}

pub(crate) fn queue(tx: &Transaction<'_>, id: SubmissionId, queued: &Queued, now: i64) -> Result<(), VaultError> {
    tx.execute(
        "INSERT INTO outbox (submission_id, destination_id, state, queued_at, next_attempt_at)
         VALUES (?1, ?2, 'queued', ?3, ?3)",
        params![id, queued.destination_id, now],
    )?;
    let mut insert = tx.prepare("INSERT INTO outbox_parts (submission_id, idx, name, jwe) VALUES (?1, ?2, ?3, ?4)")?;
    for (index, part) in queued.parts.iter().enumerate() {
        insert.execute(params![id, index, part.name, part.jwe])?;
    }
    Ok(())
}

pub(crate) fn registration(conn: &Connection) -> Result<Option<Registration>, VaultError> {
    Ok(conn
        .query_row("SELECT url, device_id, device_name, portal_key, enrolled_at FROM portal WHERE id = 1", [], |r| {
            Ok(Registration {
                url: r.get(0)?,
                device_id: r.get(1)?,
                device_name: r.get(2)?,
                portal_key: r.get(3)?,
                enrolled_at: r.get(4)?,
            })
        })
        .optional()?)
}

pub(crate) fn set_registration(conn: &Connection, registration: &Registration) -> Result<(), VaultError> {
    conn.execute(
        "INSERT INTO portal (id, url, device_id, device_name, portal_key, enrolled_at) VALUES (1, ?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET url = ?1, device_id = ?2, device_name = ?3, portal_key = ?4, enrolled_at = ?5",
        params![
            registration.url,
            registration.device_id,
            registration.device_name,
            registration.portal_key,
            registration.enrolled_at
        ],
    )?;
    Ok(())
}

pub(crate) fn destinations(conn: &Connection) -> Result<Vec<StoredDestination>, VaultError> {
    let mut statement =
        conn.prepare("SELECT id, name, key_id, public_key, fetched_at FROM destinations ORDER BY id")?;
    let rows = statement.query_map([], |r| {
        Ok(StoredDestination {
            id: r.get(0)?,
            name: r.get(1)?,
            key_id: r.get(2)?,
            public_key: r.get(3)?,
            fetched_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Replaces the cached destinations with the portal's current list.
pub(crate) fn set_destinations(conn: &mut Connection, list: &[StoredDestination]) -> Result<(), VaultError> {
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM destinations", [])?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO destinations (id, name, key_id, public_key, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for d in list {
            insert.execute(params![d.id, d.name, d.key_id, d.public_key, d.fetched_at])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// The sync engine's handle on the outbox: a connection of its own to the vault's file, which needs no key.
pub struct Outbox {
    conn: Connection,
    clock: Clock,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").finish_non_exhaustive()
    }
}

impl Outbox {
    /// Opens the outbox of the vault in `dir`. The vault must have been opened (and so brought to the
    /// current layout) by [`crate::Vault::open`] first.
    pub fn open(dir: &Path) -> Result<Outbox, VaultError> {
        Self::open_with_clock(dir, system_clock())
    }

    /// [`Outbox::open`] with a clock of the caller's.
    pub fn open_with_clock(dir: &Path, clock: Clock) -> Result<Outbox, VaultError> {
        let path = dir.join(crate::FILE_NAME);
        if !path.is_file() {
            return Err(VaultError::NotInitialized);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags)?;
        conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA secure_delete = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;",
        )?;
        let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found != schema::current_version() {
            return Err(VaultError::Corrupt(format!(
                "the outbox needs vault layout {}, the file has {found}",
                schema::current_version()
            )));
        }
        Ok(Outbox { conn, clock })
    }

    fn id_of(&self, uuid: &str) -> Result<SubmissionId, VaultError> {
        self.conn
            .query_row(
                "SELECT submission_id FROM outbox o JOIN submissions s ON s.id = o.submission_id WHERE s.uuid = ?1",
                [uuid],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| VaultError::Corrupt(format!("no queued submission {uuid}")))
    }

    /// Queued entries due at `now`, the oldest first, at most `limit`.
    pub fn due(&self, now: i64, limit: usize) -> Result<Vec<OutboxEntry>, VaultError> {
        entries_where(
            &self.conn,
            "WHERE o.state = 'queued' AND o.next_attempt_at <= ?1 ORDER BY o.queued_at, o.submission_id LIMIT ?2",
            params![now, i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }

    /// When the next queued entry is due, if any is queued.
    pub fn next_due(&self) -> Result<Option<i64>, VaultError> {
        Ok(self.conn.query_row("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'queued'", [], |r| r.get(0))?)
    }

    /// Every entry, the most recently queued first.
    pub fn entries(&self) -> Result<Vec<OutboxEntry>, VaultError> {
        all_entries(&self.conn)
    }

    /// The sealed parts of queued submission `uuid`, in order.
    pub fn parts(&self, uuid: &str) -> Result<Vec<SealedPart>, VaultError> {
        let id = self.id_of(uuid)?;
        let mut statement =
            self.conn.prepare("SELECT name, jwe FROM outbox_parts WHERE submission_id = ?1 ORDER BY idx")?;
        let parts = statement.query_map([id], |r| Ok(SealedPart { name: r.get(0)?, jwe: r.get(1)? }))?;
        Ok(parts.collect::<Result<_, _>>()?)
    }

    /// Records a failed attempt: a `permanent` failure waits for [`Outbox::send_now`], any other is retried at
    /// `retry_at`.
    pub fn failed(&mut self, uuid: &str, reason: &str, permanent: bool, retry_at: i64) -> Result<(), VaultError> {
        let id = self.id_of(uuid)?;
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, state = ?3, next_attempt_at = ?4
             WHERE submission_id = ?1 AND state <> 'delivered'",
            params![id, reason, if permanent { "failed" } else { "queued" }, retry_at],
        )?;
        Ok(())
    }

    /// Records the portal's verified acceptance: the entry is delivered and its sealed parts are dropped, in
    /// one transaction. Repeating it changes nothing. The submission's plaintext stays (encrypted) until
    /// [`Vault::shred_delivered`](crate::Vault::shred_delivered): the clerk may still be printing the
    /// citizen's receipt of a case delivered a second after it was finalized.
    pub fn delivered(&mut self, uuid: &str, acceptance: &str, accepted_at: i64) -> Result<(), VaultError> {
        let id = self.id_of(uuid)?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE outbox SET state = 'delivered', delivered_at = ?2, acceptance = ?3, attempts = attempts + 1,
                    last_error = NULL
             WHERE submission_id = ?1 AND state <> 'delivered'",
            params![id, accepted_at, acceptance],
        )?;
        if changed > 0 {
            tx.execute("DELETE FROM outbox_parts WHERE submission_id = ?1", [id])?;
            let event = crate::case_event(&tx, Action::Delivered, id)?;
            audit::append(&tx, audit::DEVICE, &event, (self.clock)())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// "Jetzt senden": every entry that is not delivered is due now, refused ones included. Returns how many.
    pub fn send_now(&mut self) -> Result<usize, VaultError> {
        let now = (self.clock)();
        Ok(self
            .conn
            .execute("UPDATE outbox SET state = 'queued', next_attempt_at = ?1 WHERE state <> 'delivered'", [now])?)
    }

    /// The desk's registration with the portal, if it was enrolled.
    pub fn registration(&self) -> Result<Option<Registration>, VaultError> {
        registration(&self.conn)
    }

    /// The destinations as last fetched.
    pub fn destinations(&self) -> Result<Vec<StoredDestination>, VaultError> {
        destinations(&self.conn)
    }

    /// Replaces the cached destinations with the portal's current list.
    pub fn set_destinations(&mut self, list: &[StoredDestination]) -> Result<(), VaultError> {
        set_destinations(&mut self.conn, list)
    }

    /// The audit trail's entries the portal has not acknowledged yet, the oldest first, at most `limit`:
    /// what the next `POST /v1/audit` sends.
    pub fn audit_to_upload(&self, limit: usize) -> Result<Vec<Entry>, VaultError> {
        audit::to_upload(&self.conn, limit)
    }

    /// Marks the audit trail's entries up to `seq` as acknowledged by the portal; from then on retention
    /// may prune them.
    pub fn audit_acknowledged(&mut self, seq: u64) -> Result<(), VaultError> {
        audit::acknowledged(&self.conn, seq)
    }
}
