//! The PostgreSQL backend, for several stateless portal instances sharing one database.
//!
//! Every method is one transaction on a pooled connection. Whatever two instances could race on is
//! serialized by the database: a submission's row is locked (`FOR UPDATE`) before its parts are read or
//! written, a new id is inserted with `ON CONFLICT DO NOTHING` and read again under the lock if another
//! instance won, an enrolment locks its device's row, and the portal key is inserted once and read back, so
//! every instance signs with the same key. Migrations run under an advisory lock, so instances starting
//! together migrate once.

use super::{
    Announced, Delivery, Destination, Device, DeviceForms, Enrolment, PartRow, Piece, Refusal, SCHEMA_VERSION, State,
    Store, StoreError, SubmissionRow, SubmitAction, Uploaded,
};
use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use formdesk_protocol::wire::{Announce, FormsChannelName, FormsReport, SubmissionStatus};
use ring::signature::Ed25519KeyPair;
use std::sync::Arc;
use tokio_postgres::types::FromSql;
use tokio_postgres::{NoTls, Row};

/// The migrations, one per schema version; `MIGRATIONS[n]` takes the schema from version n to n + 1.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE portal_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pkcs8 BYTEA NOT NULL
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_key BYTEA,
    code_hash TEXT NOT NULL UNIQUE,
    code_expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    enrolled_at BIGINT,
    revoked_at BIGINT
);
CREATE TABLE destinations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key BYTEA NOT NULL
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
    announced_at BIGINT NOT NULL,
    submitted_at BIGINT,
    picked_up_at BIGINT,
    purged_at BIGINT
);
CREATE INDEX submissions_pending ON submissions (destination_id, state);
CREATE TABLE attachment_parts (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    attachment_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    total BIGINT,
    received BIGINT NOT NULL DEFAULT 0,
    complete BOOLEAN NOT NULL DEFAULT FALSE,
    sha256 TEXT,
    PRIMARY KEY (submission_id, attachment_id)
);
CREATE TABLE attachment_chunks (
    submission_id TEXT NOT NULL,
    attachment_id TEXT NOT NULL,
    byte_offset BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (submission_id, attachment_id, byte_offset),
    FOREIGN KEY (submission_id, attachment_id) REFERENCES attachment_parts (submission_id, attachment_id)
);
",
    // 2: the form-update channel a device reads, and its last report of the form set it runs.
    r"
ALTER TABLE devices ADD COLUMN forms_channel TEXT NOT NULL DEFAULT 'all';
ALTER TABLE devices ADD COLUMN forms_set_channel TEXT;
ALTER TABLE devices ADD COLUMN forms_set_version BIGINT;
ALTER TABLE devices ADD COLUMN forms_manifest_sha256 TEXT;
ALTER TABLE devices ADD COLUMN forms_published TEXT;
ALTER TABLE devices ADD COLUMN forms_reported_at BIGINT;
ALTER TABLE devices ADD COLUMN forms_error TEXT;
",
];

/// An arbitrary constant that names the migration lock among the database's advisory locks.
const MIGRATION_LOCK: i64 = 0x666f_726d_6465_736b;

/// The portal's store in PostgreSQL.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`) and migrates it to
    /// [`SCHEMA_VERSION`].
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let config: tokio_postgres::Config =
            url.parse().map_err(|e| StoreError::Database(format!("--database is not a PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(|e| StoreError::Database(format!("cannot set up the connection pool: {e}")))?;
        let store = PgStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)").await?;
        let version: i64 = match tx.query_opt("SELECT version FROM schema_version", &[]).await? {
            Some(row) => get(&row, 0)?,
            None => 0,
        };
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { found: version });
        }
        for sql in MIGRATIONS.iter().skip(usize::try_from(version).unwrap_or(0)) {
            tx.batch_execute(sql).await?;
        }
        tx.execute("DELETE FROM schema_version", &[]).await?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&SCHEMA_VERSION]).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A column's value; a type mismatch is an error, not a panic.
fn get<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> Result<T, StoreError> {
    row.try_get(index).map_err(|e| StoreError::Corrupt(format!("column {index}: {e}")))
}

const DEVICE_COLUMNS: &str = "id, name, public_key, code_hash, code_expires_at, created_at, enrolled_at, revoked_at";

fn device_row(r: &Row) -> Result<Device, StoreError> {
    Ok(Device {
        id: get(r, 0)?,
        name: get(r, 1)?,
        public_key: get(r, 2)?,
        code_hash: get(r, 3)?,
        code_expires_at: get(r, 4)?,
        created_at: get(r, 5)?,
        enrolled_at: get(r, 6)?,
        revoked_at: get(r, 7)?,
    })
}

async fn device(
    client: &impl GenericClient,
    where_clause: &str,
    value: &str,
    lock: bool,
) -> Result<Option<Device>, StoreError> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE {where_clause} = $1{lock}");
    client.query_opt(&sql, &[&value]).await?.as_ref().map(device_row).transpose()
}

/// The submission's row, locked for this transaction.
async fn submission_row(client: &impl GenericClient, id: &str) -> Result<Option<SubmissionRow>, StoreError> {
    let Some(r) = client
        .query_opt(
            "SELECT id, device_id, destination_id, attachments, state, metadata_sha256, data_sha256, acceptance,
                    purged_at IS NOT NULL
             FROM submissions WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(SubmissionRow {
        id: get(&r, 0)?,
        device_id: get(&r, 1)?,
        destination_id: get(&r, 2)?,
        attachments: super::parse_attachments(&get::<String>(&r, 3)?)?,
        state: State::parse(&get::<String>(&r, 4)?)?,
        metadata_sha256: get(&r, 5)?,
        data_sha256: get(&r, 6)?,
        acceptance: get(&r, 7)?,
        purged: get(&r, 8)?,
    }))
}

async fn own_submission(
    client: &impl GenericClient,
    device: &str,
    id: &str,
) -> Result<Option<SubmissionRow>, StoreError> {
    Ok(submission_row(client, id).await?.filter(|row| row.device_id == device))
}

async fn parts(client: &impl GenericClient, id: &str) -> Result<Vec<PartRow>, StoreError> {
    let rows = client
        .query(
            "SELECT attachment_id, total, received, complete, sha256 FROM attachment_parts
             WHERE submission_id = $1 ORDER BY position",
            &[&id],
        )
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(PartRow {
            attachment_id: get(r, 0)?,
            total: get::<Option<i64>>(r, 1)?.map(|t| super::to_u64(t, "an attachment's total")).transpose()?,
            received: super::to_u64(get(r, 2)?, "an attachment's received bytes")?,
            complete: get(r, 3)?,
            sha256: get(r, 4)?,
        });
    }
    Ok(out)
}

async fn status_of(client: &impl GenericClient, row: &SubmissionRow) -> Result<SubmissionStatus, StoreError> {
    Ok(super::status(row, &parts(client, &row.id).await?))
}

async fn chunks(
    client: &impl GenericClient,
    id: &str,
    attachment: &str,
    from: u64,
    to: u64,
) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
    let (from, to) = (super::to_i64(from)?, super::to_i64(to)?);
    let rows = client
        .query(
            "SELECT byte_offset, bytes FROM attachment_chunks
             WHERE submission_id = $1 AND attachment_id = $2 AND byte_offset < $3
               AND byte_offset + length(bytes) > $4
             ORDER BY byte_offset",
            &[&id, &attachment, &to, &from],
        )
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push((super::to_u64(get(r, 0)?, "a chunk's offset")?, get(r, 1)?));
    }
    Ok(out)
}

/// Checks a stored part chunk by chunk: the offsets first, then one chunk in memory at a time.
async fn check_stored_part(
    client: &impl GenericClient,
    id: &str,
    attachment: &str,
    total: u64,
    kid: &str,
) -> Result<Result<super::part::Checked, String>, StoreError> {
    let mut check = super::part::PartCheck::new(format!("attachment {attachment}"));
    let offsets = client
        .query(
            "SELECT byte_offset FROM attachment_chunks WHERE submission_id = $1 AND attachment_id = $2
             ORDER BY byte_offset",
            &[&id, &attachment],
        )
        .await?;
    for offset in &offsets {
        let offset: i64 = get(offset, 0)?;
        let row = client
            .query_one(
                "SELECT bytes FROM attachment_chunks
                 WHERE submission_id = $1 AND attachment_id = $2 AND byte_offset = $3",
                &[&id, &attachment, &offset],
            )
            .await?;
        let bytes: &[u8] = get(&row, 0)?;
        check.update_chunk(super::to_u64(offset, "a chunk's offset")?, bytes, total).map_err(StoreError::Corrupt)?;
    }
    if check.size() != total {
        return Err(StoreError::Corrupt(format!("attachment {attachment}: {} of {total} bytes stored", check.size())));
    }
    Ok(check.finish(kid))
}

/// The whole part, for the authority's export.
async fn whole_part(
    client: &impl GenericClient,
    id: &str,
    attachment: &str,
    total: u64,
) -> Result<Vec<u8>, StoreError> {
    let chunks = chunks(client, id, attachment, 0, total).await?;
    Ok(super::stored_range(&chunks, &(0..total)))
}

fn destination_row(r: &Row) -> Result<Destination, StoreError> {
    Ok(Destination { id: get(r, 0)?, name: get(r, 1)?, key_id: get(r, 2)?, public_key: get(r, 3)? })
}

async fn destination(client: &impl GenericClient, id: &str) -> Result<Option<Destination>, StoreError> {
    client
        .query_opt("SELECT id, name, key_id, public_key FROM destinations WHERE id = $1", &[&id])
        .await?
        .as_ref()
        .map(destination_row)
        .transpose()
}

fn not_found(id: &str) -> StoreError {
    StoreError::refused(Refusal::NotFound, format!("submission {id} is not known"))
}

impl Store for PgStore {
    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.pool.get().await?;
        client.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn portal_key(&self, candidate: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        let client = self.pool.get().await?;
        client
            .execute("INSERT INTO portal_key (id, pkcs8) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", &[&candidate])
            .await?;
        let row = client.query_one("SELECT pkcs8 FROM portal_key WHERE id = 1", &[]).await?;
        get(&row, 0)
    }

    async fn add_device(&self, d: Device) -> Result<(), StoreError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO devices (id, name, code_hash, code_expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
                &[&d.id, &d.name, &d.code_hash, &d.code_expires_at, &d.created_at],
            )
            .await?;
        Ok(())
    }

    async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client.query(&format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY created_at, id"), &[]).await?;
        rows.iter().map(device_row).collect()
    }

    async fn device(&self, id: String) -> Result<Option<Device>, StoreError> {
        let client = self.pool.get().await?;
        device(&client, "id", &id, false).await
    }

    async fn revoke_device(&self, id: String, now: i64) -> Result<Option<Device>, StoreError> {
        let client = self.pool.get().await?;
        client.execute("UPDATE devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &[&id, &now]).await?;
        device(&client, "id", &id, false).await
    }

    async fn enrol(&self, code_hash: String, public_key: Vec<u8>, now: i64) -> Result<Enrolment, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let Some(found) = device(&tx, "code_hash", &code_hash, true).await? else {
            return Ok(Enrolment::UnknownCode);
        };
        let decision = super::judge_enrolment(&found, &public_key, now);
        if decision == super::EnrolDecision::Register {
            tx.execute(
                "UPDATE devices SET public_key = $2, enrolled_at = $3 WHERE id = $1",
                &[&found.id, &public_key, &now],
            )
            .await?;
            let enrolled = device(&tx, "id", &found.id, false).await?.ok_or_else(|| not_found(&found.id))?;
            tx.commit().await?;
            return Ok(Enrolment::Enrolled(enrolled));
        }
        tx.commit().await?;
        Ok(super::enrolment_outcome(decision, found))
    }

    async fn set_forms_channel(&self, id: String, channel: FormsChannelName) -> Result<Option<Device>, StoreError> {
        let client = self.pool.get().await?;
        client.execute("UPDATE devices SET forms_channel = $2 WHERE id = $1", &[&id, &channel.as_str()]).await?;
        device(&client, "id", &id, false).await
    }

    async fn report_forms(
        &self,
        device_id: String,
        report: FormsReport,
        now: i64,
    ) -> Result<FormsChannelName, StoreError> {
        let report = super::check_report(report)?;
        let version = super::to_i64(report.set_version)?;
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "UPDATE devices SET forms_set_channel = $2, forms_set_version = $3, forms_manifest_sha256 = $4,
                        forms_published = $5, forms_reported_at = $6, forms_error = $7
                 WHERE id = $1 RETURNING forms_channel",
                &[
                    &device_id,
                    &report.channel,
                    &version,
                    &report.manifest_sha256,
                    &report.published,
                    &now,
                    &report.error,
                ],
            )
            .await?;
        super::parse_channel(&get::<String>(&row, 0)?)
    }

    async fn devices_forms(&self) -> Result<Vec<DeviceForms>, StoreError> {
        let client = self.pool.get().await?;
        let rows =
            client.query(&format!("SELECT {} FROM devices ORDER BY created_at, id", super::FORMS_COLUMNS), &[]).await?;
        rows.iter()
            .map(|r| {
                super::FormsColumns {
                    device_id: get(r, 0)?,
                    channel: get(r, 1)?,
                    set_channel: get(r, 2)?,
                    set_version: get(r, 3)?,
                    manifest_sha256: get(r, 4)?,
                    published: get(r, 5)?,
                    reported_at: get(r, 6)?,
                    error: get(r, 7)?,
                }
                .into_forms()
            })
            .collect()
    }

    async fn put_destination(&self, d: Destination) -> Result<(), StoreError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO destinations (id, name, key_id, public_key) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, key_id = excluded.key_id,
                                                public_key = excluded.public_key",
                &[&d.id, &d.name, &d.key_id, &d.public_key],
            )
            .await?;
        Ok(())
    }

    async fn destinations(&self) -> Result<Vec<Destination>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client.query("SELECT id, name, key_id, public_key FROM destinations ORDER BY id", &[]).await?;
        rows.iter().map(destination_row).collect()
    }

    async fn announce(
        &self,
        device: String,
        id: String,
        announce: Announce,
        now: i64,
    ) -> Result<Announced, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if let Some(existing) = submission_row(&tx, &id).await? {
            super::judge_announce(&existing, &device, &announce)?;
            let status = status_of(&tx, &existing).await?;
            tx.commit().await?;
            return Ok(Announced::Repeated(status));
        }
        if destination(&tx, &announce.destination_id).await?.is_none() {
            return Err(super::unknown_destination(&announce.destination_id));
        }
        let inserted = tx
            .execute(
                "INSERT INTO submissions (id, device_id, destination_id, attachments, state, announced_at)
                 VALUES ($1, $2, $3, $4, 'announced', $5) ON CONFLICT (id) DO NOTHING",
                &[&id, &device, &announce.destination_id, &super::attachments_json(&announce.attachments), &now],
            )
            .await?;
        if inserted == 0 {
            // Another instance announced the same id in the meantime; its row is committed and now locked here.
            let existing = submission_row(&tx, &id).await?.ok_or_else(|| not_found(&id))?;
            super::judge_announce(&existing, &device, &announce)?;
            let status = status_of(&tx, &existing).await?;
            tx.commit().await?;
            return Ok(Announced::Repeated(status));
        }
        for (position, attachment) in announce.attachments.iter().enumerate() {
            let position = i64::try_from(position).unwrap_or(i64::MAX);
            tx.execute(
                "INSERT INTO attachment_parts (submission_id, attachment_id, position) VALUES ($1, $2, $3)",
                &[&id, attachment, &position],
            )
            .await?;
        }
        let row = submission_row(&tx, &id).await?.ok_or_else(|| not_found(&id))?;
        let status = status_of(&tx, &row).await?;
        tx.commit().await?;
        Ok(Announced::Created(status))
    }

    async fn submission(&self, device: String, id: String) -> Result<Option<SubmissionStatus>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let status = match own_submission(&tx, &device, &id).await? {
            Some(row) => Some(status_of(&tx, &row).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(status)
    }

    async fn upload(
        &self,
        device: String,
        id: String,
        attachment: String,
        piece: Piece,
    ) -> Result<Uploaded, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = own_submission(&tx, &device, &id).await?.ok_or_else(|| not_found(&id))?;
        let part = parts(&tx, &id)
            .await?
            .into_iter()
            .find(|p| p.attachment_id == attachment)
            .ok_or_else(|| super::attachment_not_found(&id, &attachment))?;
        let plan = super::plan_upload(&row, &part, &piece)?;
        if let Some(range) = &plan.compare {
            let stored = super::stored_range(&chunks(&tx, &id, &attachment, range.start, range.end).await?, range);
            super::check_repeat(&attachment, &stored, &piece.bytes, range)?;
        }
        let new = piece.bytes.get(plan.append_from..).unwrap_or_default();
        let received = super::received_after(part.received, new.len())?;
        if !new.is_empty() {
            tx.execute(
                "INSERT INTO attachment_chunks (submission_id, attachment_id, byte_offset, bytes) VALUES ($1, $2, $3, $4)",
                &[&id, &attachment, &super::to_i64(part.received)?, &new],
            )
            .await?;
        }
        tx.execute(
            "UPDATE attachment_parts SET total = $3, received = $4 WHERE submission_id = $1 AND attachment_id = $2",
            &[&id, &attachment, &super::to_i64(piece.total)?, &super::to_i64(received)?],
        )
        .await?;
        if plan.completes {
            let kid = destination(&tx, &row.destination_id)
                .await?
                .ok_or_else(|| super::unknown_destination(&row.destination_id))?
                .key_id;
            let checked = match check_stored_part(&tx, &id, &attachment, piece.total, &kid).await? {
                Ok(checked) => checked,
                Err(why) => {
                    tx.execute(
                        "DELETE FROM attachment_chunks WHERE submission_id = $1 AND attachment_id = $2",
                        &[&id, &attachment],
                    )
                    .await?;
                    tx.execute(
                    "UPDATE attachment_parts SET total = NULL, received = 0 WHERE submission_id = $1 AND attachment_id = $2",
                    &[&id, &attachment],
                )
                .await?;
                    tx.commit().await?;
                    return Ok(Uploaded::Discarded(why));
                }
            };
            tx.execute(
                "UPDATE attachment_parts SET complete = TRUE, sha256 = $3 WHERE submission_id = $1 AND attachment_id = $2",
                &[&id, &attachment, &checked.sha256],
            )
            .await?;
        }
        let part = parts(&tx, &id)
            .await?
            .into_iter()
            .find(|p| p.attachment_id == attachment)
            .ok_or_else(|| super::attachment_not_found(&id, &attachment))?;
        tx.commit().await?;
        Ok(Uploaded::Stored(part.status()))
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
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = own_submission(&tx, &device, &id).await?.ok_or_else(|| not_found(&id))?;
        let kid = destination(&tx, &row.destination_id)
            .await?
            .ok_or_else(|| super::unknown_destination(&row.destination_id))?
            .key_id;
        let parts = parts(&tx, &id).await?;
        match super::judge_submit(&row, &parts, &metadata, &data, &kid, now, &key)? {
            SubmitAction::Repeat(acceptance) => {
                tx.commit().await?;
                Ok(acceptance)
            }
            SubmitAction::Accept { metadata_sha256, data_sha256, acceptance } => {
                tx.execute(
                    "UPDATE submissions SET state = 'submitted', metadata = $2, data = $3, metadata_sha256 = $4,
                            data_sha256 = $5, acceptance = $6, submitted_at = $7
                     WHERE id = $1",
                    &[&id, &metadata, &data, &metadata_sha256, &data_sha256, &acceptance, &now],
                )
                .await?;
                tx.commit().await?;
                Ok(acceptance)
            }
        }
    }

    async fn pending(&self, destination: String) -> Result<Vec<String>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT id FROM submissions WHERE destination_id = $1 AND state = 'submitted' ORDER BY submitted_at, id",
                &[&destination],
            )
            .await?;
        rows.iter().map(|r| get(r, 0)).collect()
    }

    async fn delivery(&self, id: String) -> Result<Delivery, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt("SELECT metadata, data FROM submissions WHERE id = $1", &[&id])
            .await?
            .ok_or_else(|| not_found(&id))?;
        let (Some(metadata), Some(data)) = (get::<Option<String>>(&row, 0)?, get::<Option<String>>(&row, 1)?) else {
            return Err(StoreError::refused(Refusal::NotFound, format!("submission {id} holds no parts")));
        };
        let mut attachments = Vec::new();
        for part in parts(&tx, &id).await? {
            let total = part.total.unwrap_or(part.received);
            let bytes = whole_part(&tx, &id, &part.attachment_id, total).await?;
            let text = String::from_utf8(bytes)
                .map_err(|_| StoreError::Corrupt(format!("attachment {} is not text", part.attachment_id)))?;
            attachments.push((part.attachment_id, text));
        }
        tx.commit().await?;
        Ok(Delivery { id, metadata, data, attachments })
    }

    async fn mark_picked_up(&self, id: String, now: i64) -> Result<(), StoreError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE submissions SET state = 'picked_up', picked_up_at = $2 WHERE id = $1 AND state = 'submitted'",
                &[&id, &now],
            )
            .await?;
        Ok(())
    }

    async fn purge_picked_up(&self, before: i64, now: i64) -> Result<u64, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM attachment_chunks WHERE submission_id IN
               (SELECT id FROM submissions WHERE state = 'picked_up' AND picked_up_at <= $1 AND purged_at IS NULL)",
            &[&before],
        )
        .await?;
        let purged = tx
            .execute(
                "UPDATE submissions SET metadata = NULL, data = NULL, purged_at = $2
                 WHERE state = 'picked_up' AND picked_up_at <= $1 AND purged_at IS NULL",
                &[&before, &now],
            )
            .await?;
        tx.commit().await?;
        Ok(purged)
    }
}
