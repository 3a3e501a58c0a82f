//! The SQLite backend: one file (`portal.sqlite` in the data folder), WAL, for a portal that runs as one
//! instance. The administrators' commands open the same file while the server runs; busy waits cover the
//! moments both write.
//!
//! One connection behind a mutex, used on tokio's blocking threads, so that no query ever blocks the
//! runtime. Writes take the write lock at the start of their transaction (`BEGIN IMMEDIATE`), so two writers
//! never deadlock on upgrading a read lock. `secure_delete` overwrites what is deleted, so ciphertext purged
//! after pick-up does not linger in free pages.

use super::{
    Announced, Delivery, Destination, Device, DeviceForms, Enrolment, PartRow, Piece, Refusal, SCHEMA_VERSION, State,
    Store, StoreError, SubmissionRow, SubmitAction, Uploaded,
};
use formdesk_protocol::wire::{Announce, FormsChannelName, FormsReport, SubmissionStatus};
use ring::signature::Ed25519KeyPair;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The migrations, one per schema version; `MIGRATIONS[n]` takes the schema from version n to n + 1.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE portal_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pkcs8 BLOB NOT NULL
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key BLOB,
    code_hash TEXT NOT NULL UNIQUE,
    code_expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    enrolled_at INTEGER,
    revoked_at INTEGER
);
CREATE TABLE destinations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key BLOB NOT NULL
);
CREATE TABLE submissions (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (id),
    destination_id TEXT NOT NULL REFERENCES destinations (id),
    attachments TEXT NOT NULL,
    state TEXT NOT NULL,
    metadata TEXT,
    data TEXT,
    metadata_sha256 TEXT,
    data_sha256 TEXT,
    acceptance TEXT,
    announced_at INTEGER NOT NULL,
    submitted_at INTEGER,
    picked_up_at INTEGER,
    purged_at INTEGER
);
CREATE INDEX submissions_pending ON submissions (destination_id, state);
CREATE TABLE attachment_parts (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    attachment_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    total INTEGER,
    received INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT,
    PRIMARY KEY (submission_id, attachment_id)
);
CREATE TABLE attachment_chunks (
    submission_id TEXT NOT NULL,
    attachment_id TEXT NOT NULL,
    byte_offset INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (submission_id, attachment_id, byte_offset),
    FOREIGN KEY (submission_id, attachment_id) REFERENCES attachment_parts (submission_id, attachment_id)
);
",
    // 2: the form-update channel a device reads, and its last report of the form set it runs.
    r"
ALTER TABLE devices ADD COLUMN forms_channel TEXT NOT NULL DEFAULT 'all';
ALTER TABLE devices ADD COLUMN forms_set_channel TEXT;
ALTER TABLE devices ADD COLUMN forms_set_version INTEGER;
ALTER TABLE devices ADD COLUMN forms_manifest_sha256 TEXT;
ALTER TABLE devices ADD COLUMN forms_published TEXT;
ALTER TABLE devices ADD COLUMN forms_reported_at INTEGER;
ALTER TABLE devices ADD COLUMN forms_error TEXT;
",
];

/// The portal's store in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if need be) the database at `path` and migrates it to [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let mut conn =
            Connection::open(path).map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        migrate(&mut conn)?;
        Ok(SqliteStore { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection on a blocking thread.
    async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| StoreError::Database("a database call panicked".into()))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Database(format!("the database task failed: {e}")))?
    }

    /// Runs `f` in a write transaction, committing when it returns `Ok`.
    async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew { found: version });
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i64::try_from(from + 1).unwrap_or(SCHEMA_VERSION))?;
    }
    tx.commit()?;
    Ok(())
}

const DEVICE_COLUMNS: &str = "id, name, public_key, code_hash, code_expires_at, created_at, enrolled_at, revoked_at";

fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: r.get(0)?,
        name: r.get(1)?,
        public_key: r.get(2)?,
        code_hash: r.get(3)?,
        code_expires_at: r.get(4)?,
        created_at: r.get(5)?,
        enrolled_at: r.get(6)?,
        revoked_at: r.get(7)?,
    })
}

fn device(tx: &Connection, where_clause: &str, value: &str) -> Result<Option<Device>, StoreError> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE {where_clause} = ?1");
    Ok(tx.query_row(&sql, [value], device_row).optional()?)
}

fn submission_row(tx: &Connection, id: &str) -> Result<Option<SubmissionRow>, StoreError> {
    let row = tx
        .query_row(
            "SELECT id, device_id, destination_id, attachments, state, metadata_sha256, data_sha256, acceptance,
                    purged_at IS NOT NULL
             FROM submissions WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, bool>(8)?,
                ))
            },
        )
        .optional()?;
    let Some((id, device_id, destination_id, attachments, state, metadata_sha256, data_sha256, acceptance, purged)) =
        row
    else {
        return Ok(None);
    };
    Ok(Some(SubmissionRow {
        id,
        device_id,
        destination_id,
        attachments: super::parse_attachments(&attachments)?,
        state: State::parse(&state)?,
        metadata_sha256,
        data_sha256,
        acceptance,
        purged,
    }))
}

/// The submission if it is `device`'s; another device's is as unknown as a missing one.
fn own_submission(tx: &Connection, device: &str, id: &str) -> Result<Option<SubmissionRow>, StoreError> {
    Ok(submission_row(tx, id)?.filter(|row| row.device_id == device))
}

fn parts(tx: &Connection, id: &str) -> Result<Vec<PartRow>, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT attachment_id, total, received, complete, sha256 FROM attachment_parts
         WHERE submission_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<i64>>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (attachment_id, total, received, complete, sha256) = row?;
        out.push(PartRow {
            attachment_id,
            total: total.map(|t| super::to_u64(t, "an attachment's total")).transpose()?,
            received: super::to_u64(received, "an attachment's received bytes")?,
            complete,
            sha256,
        });
    }
    Ok(out)
}

fn status_of(tx: &Connection, row: &SubmissionRow) -> Result<SubmissionStatus, StoreError> {
    Ok(super::status(row, &parts(tx, &row.id)?))
}

fn chunks(tx: &Connection, id: &str, attachment: &str, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT byte_offset, bytes FROM attachment_chunks
         WHERE submission_id = ?1 AND attachment_id = ?2 AND byte_offset < ?3 AND byte_offset + length(bytes) > ?4
         ORDER BY byte_offset",
    )?;
    let rows = stmt.query_map(params![id, attachment, super::to_i64(to)?, super::to_i64(from)?], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (offset, bytes) = row?;
        out.push((super::to_u64(offset, "a chunk's offset")?, bytes));
    }
    Ok(out)
}

/// Checks a stored part chunk by chunk: one chunk in memory at a time.
fn check_stored_part(
    tx: &Connection,
    id: &str,
    attachment: &str,
    total: u64,
    kid: &str,
) -> Result<Result<super::part::Checked, String>, StoreError> {
    let mut check = super::part::PartCheck::new(format!("attachment {attachment}"));
    let mut stmt = tx.prepare(
        "SELECT byte_offset, bytes FROM attachment_chunks WHERE submission_id = ?1 AND attachment_id = ?2
         ORDER BY byte_offset",
    )?;
    let mut rows = stmt.query(params![id, attachment])?;
    while let Some(row) = rows.next()? {
        let offset = super::to_u64(row.get::<_, i64>(0)?, "a chunk's offset")?;
        let bytes = row.get_ref(1)?.as_blob().map_err(|e| StoreError::Corrupt(format!("a chunk: {e}")))?;
        check.update_chunk(offset, bytes, total).map_err(StoreError::Corrupt)?;
    }
    if check.size() != total {
        return Err(StoreError::Corrupt(format!("attachment {attachment}: {} of {total} bytes stored", check.size())));
    }
    Ok(check.finish(kid))
}

/// The whole part, for the authority's export.
fn whole_part(tx: &Connection, id: &str, attachment: &str, total: u64) -> Result<Vec<u8>, StoreError> {
    let chunks = chunks(tx, id, attachment, 0, total)?;
    Ok(super::stored_range(&chunks, &(0..total)))
}

fn destination(tx: &Connection, id: &str) -> Result<Option<Destination>, StoreError> {
    Ok(tx
        .query_row("SELECT id, name, key_id, public_key FROM destinations WHERE id = ?1", [id], |r| {
            Ok(Destination { id: r.get(0)?, name: r.get(1)?, key_id: r.get(2)?, public_key: r.get(3)? })
        })
        .optional()?)
}

fn not_found(id: &str) -> StoreError {
    StoreError::refused(Refusal::NotFound, format!("submission {id} is not known"))
}

impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.call(|conn| Ok(conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).map(|_| ())?)).await
    }

    async fn portal_key(&self, candidate: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        self.write(move |tx| {
            tx.execute("INSERT INTO portal_key (id, pkcs8) VALUES (1, ?1) ON CONFLICT (id) DO NOTHING", [candidate])?;
            Ok(tx.query_row("SELECT pkcs8 FROM portal_key WHERE id = 1", [], |r| r.get(0))?)
        })
        .await
    }

    async fn add_device(&self, device: Device) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO devices (id, name, code_hash, code_expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![device.id, device.name, device.code_hash, device.code_expires_at, device.created_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        self.call(|conn| {
            let mut stmt = conn.prepare(&format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY created_at, id"))?;
            let rows = stmt.query_map([], device_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn device(&self, id: String) -> Result<Option<Device>, StoreError> {
        self.call(move |conn| device(conn, "id", &id)).await
    }

    async fn revoke_device(&self, id: String, now: i64) -> Result<Option<Device>, StoreError> {
        self.write(move |tx| {
            tx.execute("UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", params![id, now])?;
            device(tx, "id", &id)
        })
        .await
    }

    async fn enrol(&self, code_hash: String, public_key: Vec<u8>, now: i64) -> Result<Enrolment, StoreError> {
        self.write(move |tx| {
            let Some(found) = device(tx, "code_hash", &code_hash)? else {
                return Ok(Enrolment::UnknownCode);
            };
            let decision = super::judge_enrolment(&found, &public_key, now);
            if decision == super::EnrolDecision::Register {
                tx.execute(
                    "UPDATE devices SET public_key = ?2, enrolled_at = ?3 WHERE id = ?1",
                    params![found.id, public_key, now],
                )?;
                let enrolled = device(tx, "id", &found.id)?.ok_or_else(|| not_found(&found.id))?;
                return Ok(Enrolment::Enrolled(enrolled));
            }
            Ok(super::enrolment_outcome(decision, found))
        })
        .await
    }

    async fn set_forms_channel(&self, id: String, channel: FormsChannelName) -> Result<Option<Device>, StoreError> {
        self.write(move |tx| {
            tx.execute("UPDATE devices SET forms_channel = ?2 WHERE id = ?1", params![id, channel.as_str()])?;
            device(tx, "id", &id)
        })
        .await
    }

    async fn report_forms(
        &self,
        device_id: String,
        report: FormsReport,
        now: i64,
    ) -> Result<FormsChannelName, StoreError> {
        let report = super::check_report(report)?;
        let version = super::to_i64(report.set_version)?;
        self.write(move |tx| {
            tx.execute(
                "UPDATE devices SET forms_set_channel = ?2, forms_set_version = ?3, forms_manifest_sha256 = ?4,
                        forms_published = ?5, forms_reported_at = ?6, forms_error = ?7
                 WHERE id = ?1",
                params![
                    device_id,
                    report.channel,
                    version,
                    report.manifest_sha256,
                    report.published,
                    now,
                    report.error
                ],
            )?;
            let channel: String =
                tx.query_row("SELECT forms_channel FROM devices WHERE id = ?1", [&device_id], |r| r.get(0))?;
            super::parse_channel(&channel)
        })
        .await
    }

    async fn devices_forms(&self) -> Result<Vec<DeviceForms>, StoreError> {
        self.call(|conn| {
            let mut stmt =
                conn.prepare(&format!("SELECT {} FROM devices ORDER BY created_at, id", super::FORMS_COLUMNS))?;
            let rows = stmt.query_map([], |r| {
                Ok(super::FormsColumns {
                    device_id: r.get(0)?,
                    channel: r.get(1)?,
                    set_channel: r.get(2)?,
                    set_version: r.get(3)?,
                    manifest_sha256: r.get(4)?,
                    published: r.get(5)?,
                    reported_at: r.get(6)?,
                    error: r.get(7)?,
                })
            })?;
            rows.map(|row| row.map_err(StoreError::from).and_then(super::FormsColumns::into_forms)).collect()
        })
        .await
    }

    async fn put_destination(&self, d: Destination) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO destinations (id, name, key_id, public_key) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, key_id = excluded.key_id,
                                                public_key = excluded.public_key",
                params![d.id, d.name, d.key_id, d.public_key],
            )?;
            Ok(())
        })
        .await
    }

    async fn destinations(&self) -> Result<Vec<Destination>, StoreError> {
        self.call(|conn| {
            let mut stmt = conn.prepare("SELECT id, name, key_id, public_key FROM destinations ORDER BY id")?;
            let rows = stmt.query_map([], |r| {
                Ok(Destination { id: r.get(0)?, name: r.get(1)?, key_id: r.get(2)?, public_key: r.get(3)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn announce(
        &self,
        device: String,
        id: String,
        announce: Announce,
        now: i64,
    ) -> Result<Announced, StoreError> {
        self.write(move |tx| {
            if let Some(existing) = submission_row(tx, &id)? {
                super::judge_announce(&existing, &device, &announce)?;
                return Ok(Announced::Repeated(status_of(tx, &existing)?));
            }
            if destination(tx, &announce.destination_id)?.is_none() {
                return Err(super::unknown_destination(&announce.destination_id));
            }
            tx.execute(
                "INSERT INTO submissions (id, device_id, destination_id, attachments, state, announced_at)
                 VALUES (?1, ?2, ?3, ?4, 'announced', ?5)",
                params![id, device, announce.destination_id, super::attachments_json(&announce.attachments), now],
            )?;
            for (position, attachment) in announce.attachments.iter().enumerate() {
                tx.execute(
                    "INSERT INTO attachment_parts (submission_id, attachment_id, position) VALUES (?1, ?2, ?3)",
                    params![id, attachment, i64::try_from(position).unwrap_or(i64::MAX)],
                )?;
            }
            let row = submission_row(tx, &id)?.ok_or_else(|| not_found(&id))?;
            Ok(Announced::Created(status_of(tx, &row)?))
        })
        .await
    }

    async fn submission(&self, device: String, id: String) -> Result<Option<SubmissionStatus>, StoreError> {
        self.call(move |conn| match own_submission(conn, &device, &id)? {
            Some(row) => Ok(Some(status_of(conn, &row)?)),
            None => Ok(None),
        })
        .await
    }

    async fn upload(
        &self,
        device: String,
        id: String,
        attachment: String,
        piece: Piece,
    ) -> Result<Uploaded, StoreError> {
        self.write(move |tx| {
            let row = own_submission(tx, &device, &id)?.ok_or_else(|| not_found(&id))?;
            let part = parts(tx, &id)?
                .into_iter()
                .find(|p| p.attachment_id == attachment)
                .ok_or_else(|| super::attachment_not_found(&id, &attachment))?;
            let plan = super::plan_upload(&row, &part, &piece)?;
            if let Some(range) = &plan.compare {
                let stored = super::stored_range(&chunks(tx, &id, &attachment, range.start, range.end)?, range);
                super::check_repeat(&attachment, &stored, &piece.bytes, range)?;
            }
            let new = piece.bytes.get(plan.append_from..).unwrap_or_default();
            let received = super::received_after(part.received, new.len())?;
            if !new.is_empty() {
                tx.execute(
                    "INSERT INTO attachment_chunks (submission_id, attachment_id, byte_offset, bytes) VALUES (?1, ?2, ?3, ?4)",
                    params![id, attachment, super::to_i64(part.received)?, new],
                )?;
            }
            let total = super::to_i64(piece.total)?;
            tx.execute(
                "UPDATE attachment_parts SET total = ?3, received = ?4 WHERE submission_id = ?1 AND attachment_id = ?2",
                params![id, attachment, total, super::to_i64(received)?],
            )?;
            if plan.completes {
                let kid = destination(tx, &row.destination_id)?
                    .ok_or_else(|| super::unknown_destination(&row.destination_id))?
                    .key_id;
                let checked = match check_stored_part(tx, &id, &attachment, piece.total, &kid)? {
                    Ok(checked) => checked,
                    Err(why) => {
                    tx.execute(
                        "DELETE FROM attachment_chunks WHERE submission_id = ?1 AND attachment_id = ?2",
                        params![id, attachment],
                    )?;
                    tx.execute(
                        "UPDATE attachment_parts SET total = NULL, received = 0
                         WHERE submission_id = ?1 AND attachment_id = ?2",
                        params![id, attachment],
                    )?;
                    return Ok(Uploaded::Discarded(why));
                    }
                };
                tx.execute(
                    "UPDATE attachment_parts SET complete = 1, sha256 = ?3 WHERE submission_id = ?1 AND attachment_id = ?2",
                    params![id, attachment, checked.sha256],
                )?;
            }
            let part = parts(tx, &id)?
                .into_iter()
                .find(|p| p.attachment_id == attachment)
                .ok_or_else(|| super::attachment_not_found(&id, &attachment))?;
            Ok(Uploaded::Stored(part.status()))
        })
        .await
    }

    async fn submit(
        &self,
        device: String,
        id: String,
        metadata: String,
        data: String,
        now: i64,
        key: Arc<Ed25519KeyPair>,
    ) -> Result<String, StoreError> {
        self.write(move |tx| {
            let row = own_submission(tx, &device, &id)?.ok_or_else(|| not_found(&id))?;
            let kid = destination(tx, &row.destination_id)?
                .ok_or_else(|| super::unknown_destination(&row.destination_id))?
                .key_id;
            match super::judge_submit(&row, &parts(tx, &id)?, &metadata, &data, &kid, now, &key)? {
                SubmitAction::Repeat(acceptance) => Ok(acceptance),
                SubmitAction::Accept { metadata_sha256, data_sha256, acceptance } => {
                    tx.execute(
                        "UPDATE submissions SET state = 'submitted', metadata = ?2, data = ?3, metadata_sha256 = ?4,
                                data_sha256 = ?5, acceptance = ?6, submitted_at = ?7
                         WHERE id = ?1",
                        params![id, metadata, data, metadata_sha256, data_sha256, acceptance, now],
                    )?;
                    Ok(acceptance)
                }
            }
        })
        .await
    }

    async fn pending(&self, destination: String) -> Result<Vec<String>, StoreError> {
        self.call(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id FROM submissions WHERE destination_id = ?1 AND state = 'submitted'
                 ORDER BY submitted_at, id",
            )?;
            let rows = stmt.query_map([destination], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn delivery(&self, id: String) -> Result<Delivery, StoreError> {
        self.call(move |conn| {
            let (metadata, data): (Option<String>, Option<String>) = conn
                .query_row("SELECT metadata, data FROM submissions WHERE id = ?1", [&id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?
                .ok_or_else(|| not_found(&id))?;
            let (Some(metadata), Some(data)) = (metadata, data) else {
                return Err(StoreError::refused(Refusal::NotFound, format!("submission {id} holds no parts")));
            };
            let mut attachments = Vec::new();
            for part in parts(conn, &id)? {
                let total = part.total.unwrap_or(part.received);
                let bytes = whole_part(conn, &id, &part.attachment_id, total)?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| StoreError::Corrupt(format!("attachment {} is not text", part.attachment_id)))?;
                attachments.push((part.attachment_id, text));
            }
            Ok(Delivery { id, metadata, data, attachments })
        })
        .await
    }

    async fn mark_picked_up(&self, id: String, now: i64) -> Result<(), StoreError> {
        self.write(move |tx| {
            tx.execute(
                "UPDATE submissions SET state = 'picked_up', picked_up_at = ?2 WHERE id = ?1 AND state = 'submitted'",
                params![id, now],
            )?;
            Ok(())
        })
        .await
    }

    async fn purge_picked_up(&self, before: i64, now: i64) -> Result<u64, StoreError> {
        self.write(move |tx| {
            tx.execute(
                "DELETE FROM attachment_chunks WHERE submission_id IN
                   (SELECT id FROM submissions WHERE state = 'picked_up' AND picked_up_at <= ?1 AND purged_at IS NULL)",
                [before],
            )?;
            let purged = tx.execute(
                "UPDATE submissions SET metadata = NULL, data = NULL, purged_at = ?2
                 WHERE state = 'picked_up' AND picked_up_at <= ?1 AND purged_at IS NULL",
                [before, now],
            )?;
            Ok(u64::try_from(purged).unwrap_or(0))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_of_a_newer_portal_is_refused_and_an_old_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.sqlite");
        drop(SqliteStore::open(&path).unwrap());
        // Opening again migrates nothing and keeps the version.
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        assert_eq!(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap(), SCHEMA_VERSION);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        drop(conn);
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found } if found == SCHEMA_VERSION + 1), "{err}");
        assert!(err.to_string().contains("run a newer formdesk-portal"), "{err}");
    }
}
