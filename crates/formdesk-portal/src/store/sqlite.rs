//! The SQLite backend: one file (`portal.sqlite` in the data folder), WAL, for a portal that runs as one
//! instance. The administrators' commands open the same file while the server runs; busy waits cover the
//! moments both write.
//!
//! One connection behind a mutex, used on tokio's blocking threads, so that no query ever blocks the
//! runtime. Writes take the write lock at the start of their transaction (`BEGIN IMMEDIATE`), so two writers
//! never deadlock on upgrading a read lock. `secure_delete` overwrites what is deleted, so ciphertext purged
//! after pick-up does not linger in free pages.

use super::audit::{Actor, AuditLog, AuditPage, DeskAudit, Event};
use super::tenants::stored_ars;
use super::{
    Announced, Delivery, Destination, Device, DeviceForms, Enrolment, NewTenant, Operator, PartRow, Piece, Refusal,
    SCHEMA_VERSION, SignedDevice, State, Store, StoreError, SubmissionRow, SubmitAction, TENANT_VERSION, Tenant,
    TenantInfo, Uploaded,
};
use formdesk_protocol::audit::{Action, Entry, Head, SignedCheckpoint};
use formdesk_protocol::ids::Ars;
use formdesk_protocol::wire::{Announce, FormsChannelName, FormsReport, SubmissionStatus};
use ring::signature::Ed25519KeyPair;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use std::path::Path;
use std::sync::{Arc, Mutex};

mod accounts;
pub(super) mod audit;
mod schema;

use audit::methods as audit_methods;
use schema::{MIGRATIONS, TENANTS_TABLE};

/// The portal's store in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if need be) the database at `path` and migrates it to [`SCHEMA_VERSION`]. A database
    /// of a single-municipality portal (version 1 or 2) is refused with [`StoreError::NeedsTenant`].
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, None)
    }

    /// Opens the database at `path` and migrates a single-municipality database to [`SCHEMA_VERSION`], its
    /// data becoming `first`'s (tenant 1) in the same transaction (`tenants adopt`). A database that has
    /// tenants already is refused.
    pub fn open_adopting(path: &Path, first: NewTenant) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, Some(first))
    }

    fn open_with(path: &Path, first: Option<NewTenant>) -> Result<SqliteStore, StoreError> {
        let mut conn =
            Connection::open(path).map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        // Off while tables are rebuilt (it cannot change inside a transaction); the migration checks the keys
        // itself before it commits.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        migrate(&mut conn, first.as_ref())?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
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

/// Migrates to [`SCHEMA_VERSION`]; see [`SqliteStore::open`] and [`SqliteStore::open_adopting`].
fn migrate(conn: &mut Connection, first: Option<&NewTenant>) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    migrate_from(&tx, version, SCHEMA_VERSION, first)?;
    tx.commit()?;
    Ok(())
}

/// Migrates from `version` to `target`.
fn migrate_from(tx: &Transaction<'_>, version: i64, target: i64, first: Option<&NewTenant>) -> Result<(), StoreError> {
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew { found: version });
    }
    super::tenants::check_adoption(version, first.is_some())?;
    for (from, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(usize::try_from(target).unwrap_or(0))
        .skip(usize::try_from(version).unwrap_or(0))
    {
        let to = i64::try_from(from + 1).unwrap_or(SCHEMA_VERSION);
        if to == TENANT_VERSION {
            tx.execute_batch(TENANTS_TABLE)?;
            if let Some(first) = first {
                insert_tenant(tx, Some(1), first)?;
            }
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", to)?;
    }
    if version >= target {
        return Ok(());
    }
    // Keys were off while tables were rebuilt: every row must still name rows that exist.
    let mut check = tx.prepare("PRAGMA foreign_key_check")?;
    if let Some(row) = check.query([])?.next()? {
        let table: String = row.get(0)?;
        return Err(StoreError::Corrupt(format!("after migrating, a row of {table} names a missing row")));
    }
    Ok(())
}

fn insert_tenant(tx: &Connection, id: Option<i64>, t: &NewTenant) -> Result<i64, StoreError> {
    let (logo, logo_type) = t.logo.clone().unzip();
    tx.execute(
        "INSERT INTO tenants (id, ars, name, letterhead, logo, logo_type, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, t.ars.as_str(), t.name, t.letterhead, logo, logo_type, t.created_at],
    )?;
    Ok(tx.last_insert_rowid())
}

const TENANT_COLUMNS: &str = "id, ars, name, created_at, suspended_at";

fn tenant_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, String, i64, Option<i64>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn tenant_info(
    (id, ars, name, created_at, suspended_at): (i64, String, String, i64, Option<i64>),
) -> Result<TenantInfo, StoreError> {
    Ok(TenantInfo { tenant: Tenant::new(id, stored_ars(&ars)?), name, created_at, suspended_at })
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

fn device(tx: &Connection, tenant: i64, id: &str) -> Result<Option<Device>, StoreError> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE tenant_id = ?1 AND id = ?2");
    Ok(tx.query_row(&sql, params![tenant, id], device_row).optional()?)
}

/// Tenant-free: a device found by `column` (its id or its code's hash), with its tenant.
fn device_and_tenant(tx: &Connection, column: &str, value: &str) -> Result<Option<SignedDevice>, StoreError> {
    let columns = DEVICE_COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {columns}, t.id, t.ars, t.suspended_at FROM devices d JOIN tenants t ON t.id = d.tenant_id
         WHERE d.{column} = ?1"
    );
    let found = tx
        .query_row(&sql, [value], |r| {
            Ok((device_row(r)?, r.get::<_, i64>(8)?, r.get::<_, String>(9)?, r.get::<_, Option<i64>>(10)?))
        })
        .optional()?;
    let Some((device, id, ars, tenant_suspended_at)) = found else { return Ok(None) };
    Ok(Some(SignedDevice { device, tenant: Tenant::new(id, stored_ars(&ars)?), tenant_suspended_at }))
}

fn submission_row(tx: &Connection, tenant: i64, id: &str) -> Result<Option<SubmissionRow>, StoreError> {
    let row = tx
        .query_row(
            "SELECT id, device_id, destination_id, attachments, state, metadata_sha256, data_sha256, acceptance,
                    purged_at IS NOT NULL
             FROM submissions WHERE tenant_id = ?1 AND id = ?2",
            params![tenant, id],
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
fn own_submission(tx: &Connection, tenant: i64, device: &str, id: &str) -> Result<Option<SubmissionRow>, StoreError> {
    Ok(submission_row(tx, tenant, id)?.filter(|row| row.device_id == device))
}

fn parts(tx: &Connection, tenant: i64, id: &str) -> Result<Vec<PartRow>, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT attachment_id, total, received, complete, sha256 FROM attachment_parts
         WHERE tenant_id = ?1 AND submission_id = ?2 ORDER BY position",
    )?;
    let rows = stmt.query_map(params![tenant, id], |r| {
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

fn status_of(tx: &Connection, tenant: i64, row: &SubmissionRow) -> Result<SubmissionStatus, StoreError> {
    Ok(super::status(row, &parts(tx, tenant, &row.id)?))
}

/// Where a part's chunks are: tenant, submission and attachment.
type PartKey<'a> = (i64, &'a str, &'a str);

fn chunks(tx: &Connection, key: PartKey<'_>, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
    let (tenant, id, attachment) = key;
    let mut stmt = tx.prepare(
        "SELECT byte_offset, bytes FROM attachment_chunks
         WHERE tenant_id = ?1 AND submission_id = ?2 AND attachment_id = ?3 AND byte_offset < ?4
           AND byte_offset + length(bytes) > ?5
         ORDER BY byte_offset",
    )?;
    let rows = stmt.query_map(params![tenant, id, attachment, super::to_i64(to)?, super::to_i64(from)?], |r| {
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
    key: PartKey<'_>,
    total: u64,
    kid: &str,
) -> Result<Result<super::part::Checked, String>, StoreError> {
    let (tenant, id, attachment) = key;
    let mut check = super::part::PartCheck::new(format!("attachment {attachment}"));
    let mut stmt = tx.prepare(
        "SELECT byte_offset, bytes FROM attachment_chunks
         WHERE tenant_id = ?1 AND submission_id = ?2 AND attachment_id = ?3
         ORDER BY byte_offset",
    )?;
    let mut rows = stmt.query(params![tenant, id, attachment])?;
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
fn whole_part(tx: &Connection, key: PartKey<'_>, total: u64) -> Result<Vec<u8>, StoreError> {
    let chunks = chunks(tx, key, 0, total)?;
    Ok(super::stored_range(&chunks, &(0..total)))
}

fn destination(tx: &Connection, tenant: i64, id: &str) -> Result<Option<Destination>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT id, name, key_id, public_key FROM destinations WHERE tenant_id = ?1 AND id = ?2",
            params![tenant, id],
            |r| Ok(Destination { id: r.get(0)?, name: r.get(1)?, key_id: r.get(2)?, public_key: r.get(3)? }),
        )
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

    async fn add_tenant(&self, operator: &Operator, new: NewTenant, actor: &Actor) -> Result<Tenant, StoreError> {
        let (log, actor) = (AuditLog::operator(operator), actor.clone());
        self.write(move |tx| {
            let taken: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM tenants WHERE ars = ?1)", [new.ars.as_str()], |r| r.get(0))?;
            if taken {
                return Err(super::tenants::ars_taken(&new.ars));
            }
            let id = insert_tenant(tx, None, &new)?;
            audit::append(tx, &log, Event::new(&actor, Action::TenantAdd, new.created_at).on(new.ars.as_str()))?;
            Ok(Tenant::new(id, new.ars))
        })
        .await
    }

    async fn tenants(&self, _: &Operator) -> Result<Vec<TenantInfo>, StoreError> {
        self.call(|conn| {
            let mut stmt = conn.prepare(&format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY ars"))?;
            let rows = stmt.query_map([], tenant_row)?;
            rows.map(|row| row.map_err(StoreError::from).and_then(tenant_info)).collect()
        })
        .await
    }

    async fn tenant_name(&self, tenant: &Tenant) -> Result<Option<String>, StoreError> {
        let id = tenant.id();
        self.call(move |conn| {
            Ok(conn.query_row("SELECT name FROM tenants WHERE id = ?1", [id], |r| r.get(0)).optional()?)
        })
        .await
    }

    async fn suspend_tenant(&self, _: &Operator, ars: Ars, now: i64) -> Result<Option<TenantInfo>, StoreError> {
        self.write(move |tx| {
            tx.execute(
                "UPDATE tenants SET suspended_at = ?2 WHERE ars = ?1 AND suspended_at IS NULL",
                params![ars.as_str(), now],
            )?;
            let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE ars = ?1");
            tx.query_row(&sql, [ars.as_str()], tenant_row).optional()?.map(tenant_info).transpose()
        })
        .await
    }

    async fn device_for_signature(&self, id: String) -> Result<Option<SignedDevice>, StoreError> {
        self.call(move |conn| device_and_tenant(conn, "id", &id)).await
    }

    async fn enrol_by_code(&self, code_hash: String, public_key: Vec<u8>, now: i64) -> Result<Enrolment, StoreError> {
        self.write(move |tx| {
            let Some(SignedDevice { device: found, tenant, tenant_suspended_at }) =
                device_and_tenant(tx, "code_hash", &code_hash)?
            else {
                return Ok(Enrolment::UnknownCode);
            };
            if let Some(at) = tenant_suspended_at {
                return Ok(Enrolment::Revoked(at));
            }
            let decision = super::judge_enrolment(&found, &public_key, now);
            if decision == super::EnrolDecision::Register {
                tx.execute(
                    "UPDATE devices SET public_key = ?3, enrolled_at = ?4 WHERE tenant_id = ?1 AND id = ?2",
                    params![tenant.id(), found.id, public_key, now],
                )?;
                let enrolled = device(tx, tenant.id(), &found.id)?.ok_or_else(|| not_found(&found.id))?;
                let by = Actor(found.id.clone());
                audit::append(
                    tx,
                    &AuditLog::tenant(&tenant),
                    Event::new(&by, Action::DeviceEnrolled, now).on(&found.id),
                )?;
                return Ok(Enrolment::Enrolled(enrolled, tenant));
            }
            Ok(super::enrolment_outcome(decision, found, tenant))
        })
        .await
    }

    async fn add_device(&self, tenant: &Tenant, device: Device, actor: &Actor) -> Result<(), StoreError> {
        let (log, actor) = (AuditLog::tenant(tenant), actor.clone());
        let tenant = tenant.id();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO devices (tenant_id, id, name, code_hash, code_expires_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![tenant, device.id, device.name, device.code_hash, device.code_expires_at, device.created_at],
            )?;
            audit::append(tx, &log, Event::new(&actor, Action::DeviceAdd, device.created_at).on(&device.id))?;
            Ok(())
        })
        .await
    }

    async fn devices(&self, tenant: &Tenant) -> Result<Vec<Device>, StoreError> {
        let tenant = tenant.id();
        self.call(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE tenant_id = ?1 ORDER BY created_at, id"
            ))?;
            let rows = stmt.query_map([tenant], device_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn revoke_device(
        &self,
        tenant: &Tenant,
        id: String,
        now: i64,
        actor: &Actor,
    ) -> Result<Option<Device>, StoreError> {
        let (log, actor) = (AuditLog::tenant(tenant), actor.clone());
        let tenant = tenant.id();
        self.write(move |tx| {
            let revoked = tx.execute(
                "UPDATE devices SET revoked_at = ?3 WHERE tenant_id = ?1 AND id = ?2 AND revoked_at IS NULL",
                params![tenant, id, now],
            )?;
            if revoked == 1 {
                audit::append(tx, &log, Event::new(&actor, Action::DeviceRevoke, now).on(&id))?;
            }
            device(tx, tenant, &id)
        })
        .await
    }

    async fn set_forms_channel(
        &self,
        tenant: &Tenant,
        id: String,
        channel: FormsChannelName,
        now: i64,
        actor: &Actor,
    ) -> Result<Option<Device>, StoreError> {
        let (log, actor) = (AuditLog::tenant(tenant), actor.clone());
        let tenant = tenant.id();
        self.write(move |tx| {
            let changed = tx.execute(
                "UPDATE devices SET forms_channel = ?3 WHERE tenant_id = ?1 AND id = ?2",
                params![tenant, id, channel.as_str()],
            )?;
            if changed == 1 {
                let event = Event::new(&actor, Action::DeviceChannel, now).on(&id).text("channel", channel.as_str());
                audit::append(tx, &log, event)?;
            }
            device(tx, tenant, &id)
        })
        .await
    }

    async fn report_forms(
        &self,
        tenant: &Tenant,
        device_id: String,
        report: FormsReport,
        now: i64,
    ) -> Result<FormsChannelName, StoreError> {
        let tenant = tenant.id();
        let report = super::check_report(report)?;
        let version = super::to_i64(report.set_version)?;
        self.write(move |tx| {
            tx.execute(
                "UPDATE devices SET forms_set_channel = ?3, forms_set_version = ?4, forms_manifest_sha256 = ?5,
                        forms_published = ?6, forms_reported_at = ?7, forms_error = ?8,
                        app_version = COALESCE(?9, app_version)
                 WHERE tenant_id = ?1 AND id = ?2",
                params![
                    tenant,
                    device_id,
                    report.channel,
                    version,
                    report.manifest_sha256,
                    report.published,
                    now,
                    report.error,
                    report.app_version
                ],
            )?;
            let channel: String = tx.query_row(
                "SELECT forms_channel FROM devices WHERE tenant_id = ?1 AND id = ?2",
                params![tenant, device_id],
                |r| r.get(0),
            )?;
            super::parse_channel(&channel)
        })
        .await
    }

    async fn devices_forms(&self, tenant: &Tenant) -> Result<Vec<DeviceForms>, StoreError> {
        let tenant = tenant.id();
        self.call(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {} FROM devices WHERE tenant_id = ?1 ORDER BY created_at, id",
                super::FORMS_COLUMNS
            ))?;
            let rows = stmt.query_map([tenant], |r| {
                Ok(super::FormsColumns {
                    device_id: r.get(0)?,
                    channel: r.get(1)?,
                    set_channel: r.get(2)?,
                    set_version: r.get(3)?,
                    manifest_sha256: r.get(4)?,
                    published: r.get(5)?,
                    reported_at: r.get(6)?,
                    error: r.get(7)?,
                    app_version: r.get(8)?,
                })
            })?;
            rows.map(|row| row.map_err(StoreError::from).and_then(super::FormsColumns::into_forms)).collect()
        })
        .await
    }

    async fn put_destination(
        &self,
        tenant: &Tenant,
        d: Destination,
        now: i64,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let (log, actor) = (AuditLog::tenant(tenant), actor.clone());
        let tenant = tenant.id();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO destinations (tenant_id, id, name, key_id, public_key) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, key_id = excluded.key_id,
                                                           public_key = excluded.public_key",
                params![tenant, d.id, d.name, d.key_id, d.public_key],
            )?;
            audit::append(tx, &log, Event::new(&actor, Action::DestinationPut, now).on(&d.id).text("kid", &d.key_id))?;
            Ok(())
        })
        .await
    }

    async fn destinations(&self, tenant: &Tenant) -> Result<Vec<Destination>, StoreError> {
        let tenant = tenant.id();
        self.call(move |conn| {
            let mut stmt =
                conn.prepare("SELECT id, name, key_id, public_key FROM destinations WHERE tenant_id = ?1 ORDER BY id")?;
            let rows = stmt.query_map([tenant], |r| {
                Ok(Destination { id: r.get(0)?, name: r.get(1)?, key_id: r.get(2)?, public_key: r.get(3)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn announce(
        &self,
        tenant: &Tenant,
        device: String,
        id: String,
        announce: Announce,
        now: i64,
    ) -> Result<Announced, StoreError> {
        let tenant = tenant.id();
        self.write(move |tx| {
            if let Some(existing) = submission_row(tx, tenant, &id)? {
                super::judge_announce(&existing, &device, &announce)?;
                return Ok(Announced::Repeated(status_of(tx, tenant, &existing)?));
            }
            if destination(tx, tenant, &announce.destination_id)?.is_none() {
                return Err(super::unknown_destination(&announce.destination_id));
            }
            tx.execute(
                "INSERT INTO submissions (tenant_id, id, device_id, destination_id, attachments, state, announced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'announced', ?6)",
                params![
                    tenant,
                    id,
                    device,
                    announce.destination_id,
                    super::attachments_json(&announce.attachments),
                    now
                ],
            )?;
            for (position, attachment) in announce.attachments.iter().enumerate() {
                tx.execute(
                    "INSERT INTO attachment_parts (tenant_id, submission_id, attachment_id, position)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![tenant, id, attachment, i64::try_from(position).unwrap_or(i64::MAX)],
                )?;
            }
            let row = submission_row(tx, tenant, &id)?.ok_or_else(|| not_found(&id))?;
            Ok(Announced::Created(status_of(tx, tenant, &row)?))
        })
        .await
    }

    async fn submission(
        &self,
        tenant: &Tenant,
        device: String,
        id: String,
    ) -> Result<Option<SubmissionStatus>, StoreError> {
        let tenant = tenant.id();
        self.call(move |conn| match own_submission(conn, tenant, &device, &id)? {
            Some(row) => Ok(Some(status_of(conn, tenant, &row)?)),
            None => Ok(None),
        })
        .await
    }

    async fn upload(
        &self,
        tenant: &Tenant,
        device: String,
        id: String,
        attachment: String,
        piece: Piece,
    ) -> Result<Uploaded, StoreError> {
        let tenant = tenant.id();
        self.write(move |tx| {
            let key = (tenant, id.as_str(), attachment.as_str());
            let row = own_submission(tx, tenant, &device, &id)?.ok_or_else(|| not_found(&id))?;
            let part = parts(tx, tenant, &id)?
                .into_iter()
                .find(|p| p.attachment_id == attachment)
                .ok_or_else(|| super::attachment_not_found(&id, &attachment))?;
            let plan = super::plan_upload(&row, &part, &piece)?;
            if let Some(range) = &plan.compare {
                let stored = super::stored_range(&chunks(tx, key, range.start, range.end)?, range);
                super::check_repeat(&attachment, &stored, &piece.bytes, range)?;
            }
            let new = piece.bytes.get(plan.append_from..).unwrap_or_default();
            let received = super::received_after(part.received, new.len())?;
            if !new.is_empty() {
                tx.execute(
                    "INSERT INTO attachment_chunks (tenant_id, submission_id, attachment_id, byte_offset, bytes)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![tenant, id, attachment, super::to_i64(part.received)?, new],
                )?;
            }
            let total = super::to_i64(piece.total)?;
            tx.execute(
                "UPDATE attachment_parts SET total = ?4, received = ?5
                 WHERE tenant_id = ?1 AND submission_id = ?2 AND attachment_id = ?3",
                params![tenant, id, attachment, total, super::to_i64(received)?],
            )?;
            if plan.completes {
                let kid = destination(tx, tenant, &row.destination_id)?
                    .ok_or_else(|| super::unknown_destination(&row.destination_id))?
                    .key_id;
                let checked = match check_stored_part(tx, key, piece.total, &kid)? {
                    Ok(checked) => checked,
                    Err(why) => {
                        tx.execute(
                            "DELETE FROM attachment_chunks WHERE tenant_id = ?1 AND submission_id = ?2 AND attachment_id = ?3",
                            params![tenant, id, attachment],
                        )?;
                        tx.execute(
                            "UPDATE attachment_parts SET total = NULL, received = 0
                             WHERE tenant_id = ?1 AND submission_id = ?2 AND attachment_id = ?3",
                            params![tenant, id, attachment],
                        )?;
                        return Ok(Uploaded::Discarded(why));
                    }
                };
                tx.execute(
                    "UPDATE attachment_parts SET complete = 1, sha256 = ?4
                     WHERE tenant_id = ?1 AND submission_id = ?2 AND attachment_id = ?3",
                    params![tenant, id, attachment, checked.sha256],
                )?;
            }
            let part = parts(tx, tenant, &id)?
                .into_iter()
                .find(|p| p.attachment_id == attachment)
                .ok_or_else(|| super::attachment_not_found(&id, &attachment))?;
            Ok(Uploaded::Stored(part.status()))
        })
        .await
    }

    async fn submit(
        &self,
        tenant: &Tenant,
        device: String,
        id: String,
        metadata: String,
        data: String,
        now: i64,
        key: Arc<Ed25519KeyPair>,
    ) -> Result<String, StoreError> {
        let tenant = tenant.id();
        self.write(move |tx| {
            let row = own_submission(tx, tenant, &device, &id)?.ok_or_else(|| not_found(&id))?;
            let kid = destination(tx, tenant, &row.destination_id)?
                .ok_or_else(|| super::unknown_destination(&row.destination_id))?
                .key_id;
            match super::judge_submit(&row, &parts(tx, tenant, &id)?, &metadata, &data, &kid, now, &key)? {
                SubmitAction::Repeat(acceptance) => Ok(acceptance),
                SubmitAction::Accept { metadata_sha256, data_sha256, acceptance } => {
                    tx.execute(
                        "UPDATE submissions SET state = 'submitted', metadata = ?3, data = ?4, metadata_sha256 = ?5,
                                data_sha256 = ?6, acceptance = ?7, submitted_at = ?8
                         WHERE tenant_id = ?1 AND id = ?2",
                        params![tenant, id, metadata, data, metadata_sha256, data_sha256, acceptance, now],
                    )?;
                    Ok(acceptance)
                }
            }
        })
        .await
    }

    async fn pending(&self, tenant: &Tenant, destination: String) -> Result<Vec<String>, StoreError> {
        let tenant = tenant.id();
        self.call(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id FROM submissions WHERE tenant_id = ?1 AND destination_id = ?2 AND state = 'submitted'
                 ORDER BY submitted_at, id",
            )?;
            let rows = stmt.query_map(params![tenant, destination], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn delivery(&self, tenant: &Tenant, id: String) -> Result<Delivery, StoreError> {
        let tenant = tenant.id();
        self.call(move |conn| {
            let (metadata, data): (Option<String>, Option<String>) = conn
                .query_row(
                    "SELECT metadata, data FROM submissions WHERE tenant_id = ?1 AND id = ?2",
                    params![tenant, id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or_else(|| not_found(&id))?;
            let (Some(metadata), Some(data)) = (metadata, data) else {
                return Err(StoreError::refused(Refusal::NotFound, format!("submission {id} holds no parts")));
            };
            let mut attachments = Vec::new();
            for part in parts(conn, tenant, &id)? {
                let total = part.total.unwrap_or(part.received);
                let bytes = whole_part(conn, (tenant, &id, &part.attachment_id), total)?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| StoreError::Corrupt(format!("attachment {} is not text", part.attachment_id)))?;
                attachments.push((part.attachment_id, text));
            }
            Ok(Delivery { id, metadata, data, attachments })
        })
        .await
    }

    async fn mark_picked_up(&self, tenant: &Tenant, id: String, now: i64, actor: &Actor) -> Result<(), StoreError> {
        let (log, actor) = (AuditLog::tenant(tenant), actor.clone());
        let tenant = tenant.id();
        self.write(move |tx| {
            let picked = tx.execute(
                "UPDATE submissions SET state = 'picked_up', picked_up_at = ?3
                 WHERE tenant_id = ?1 AND id = ?2 AND state = 'submitted'",
                params![tenant, id, now],
            )?;
            if picked == 1 {
                let destination: String = tx.query_row(
                    "SELECT destination_id FROM submissions WHERE tenant_id = ?1 AND id = ?2",
                    params![tenant, id],
                    |r| r.get(0),
                )?;
                let event = Event::new(&actor, Action::InboxPickup, now).on(destination).text("submission", &id);
                audit::append(tx, &log, event)?;
            }
            Ok(())
        })
        .await
    }

    async fn purge_picked_up(&self, before: i64, now: i64) -> Result<u64, StoreError> {
        self.write(move |tx| {
            tx.execute(
                "DELETE FROM attachment_chunks /* all tenants: maintenance */ WHERE (tenant_id, submission_id) IN
                   (SELECT tenant_id, id FROM submissions
                    WHERE state = 'picked_up' AND picked_up_at <= ?1 AND purged_at IS NULL)",
                [before],
            )?;
            let purged = tx.execute(
                "UPDATE submissions /* all tenants: maintenance */ SET metadata = NULL, data = NULL, purged_at = ?2
                 WHERE state = 'picked_up' AND picked_up_at <= ?1 AND purged_at IS NULL",
                [before, now],
            )?;
            Ok(u64::try_from(purged).unwrap_or(0))
        })
        .await
    }

    async fn purge_backlog(&self, _operator: &Operator, before: i64) -> Result<u64, StoreError> {
        self.call(move |db| {
            let n: i64 = db.query_row(
                "SELECT COUNT(*) FROM submissions /* all tenants: maintenance */
                 WHERE state = 'picked_up' AND picked_up_at <= ?1 AND purged_at IS NULL",
                [before],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn append_audit(&self, log: AuditLog, event: Event) -> Result<Entry, StoreError> {
        audit_methods::append_alone(self, log, event).await
    }

    async fn audit_page(&self, log: AuditLog, before: Option<u64>) -> Result<AuditPage, StoreError> {
        audit_methods::page(self, log, before).await
    }

    async fn audit_heads(&self, tenant: &Tenant) -> Result<Vec<(AuditLog, Head)>, StoreError> {
        audit_methods::tenant_heads(self, tenant).await
    }

    async fn audit_logs(&self, operator: &Operator) -> Result<Vec<AuditLog>, StoreError> {
        audit_methods::logs(self, operator).await
    }

    async fn audit_entries(&self, log: AuditLog, after: u64, limit: usize) -> Result<Vec<Entry>, StoreError> {
        audit_methods::entries(self, log, after, limit).await
    }

    async fn audit_checkpoints(&self, log: AuditLog) -> Result<Vec<SignedCheckpoint>, StoreError> {
        audit_methods::stored_checkpoints(self, log).await
    }

    async fn write_audit_checkpoints(
        &self,
        key: Arc<Ed25519KeyPair>,
        now: i64,
    ) -> Result<Vec<SignedCheckpoint>, StoreError> {
        audit_methods::write_checkpoints(self, key, now).await
    }

    async fn append_desk_audit(
        &self,
        tenant: &Tenant,
        device: String,
        entries: Vec<Entry>,
        key: Arc<Ed25519KeyPair>,
        now: i64,
    ) -> Result<DeskAudit, StoreError> {
        audit_methods::append_desk(self, tenant, device, entries, key, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first() -> NewTenant {
        NewTenant {
            ars: Ars::parse("059580000000").unwrap(),
            name: "Stadt Musterstadt".into(),
            letterhead: r#"{"formatVersion":1,"name":"Stadt Musterstadt","address":[]}"#.into(),
            logo: None,
            created_at: 1_000,
        }
    }

    #[test]
    fn a_database_of_a_newer_portal_is_refused_and_an_old_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.sqlite");
        drop(SqliteStore::open(&path).unwrap());
        // Opening again migrates nothing and keeps the version.
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        assert_eq!(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap(), SCHEMA_VERSION);
        // A fresh database has no tenant.
        assert_eq!(conn.query_row("SELECT count(*) FROM tenants", [], |r| r.get::<_, i64>(0)).unwrap(), 0);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        drop(conn);
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found } if found == SCHEMA_VERSION + 1), "{err}");
        assert!(err.to_string().contains("run a newer formdesk-portal"), "{err}");
    }

    /// A database of version 2 (the first two migrations) with a device, a destination and a submission
    /// with a chunk.
    fn version_2(path: &Path) {
        let mut conn = Connection::open(path).unwrap();
        let tx = conn.transaction().unwrap();
        migrate_from(&tx, 0, 2, None).unwrap();
        tx.execute_batch(
            "INSERT INTO devices (id, name, public_key, code_hash, code_expires_at, created_at, enrolled_at)
                 VALUES ('d', 'Bürgerbus 1', X'00', 'h', 9, 1, 2);
             INSERT INTO destinations (id, name, key_id, public_key) VALUES ('steueramt', 'Steueramt', 'k', X'01');
             INSERT INTO submissions (id, device_id, destination_id, attachments, state, announced_at)
                 VALUES ('s', 'd', 'steueramt', '[\"a\"]', 'announced', 3);
             INSERT INTO attachment_parts (submission_id, attachment_id, position, received) VALUES ('s', 'a', 0, 2);
             INSERT INTO attachment_chunks (submission_id, attachment_id, byte_offset, bytes) VALUES ('s', 'a', 0, X'abcd');",
        )
        .unwrap();
        tx.commit().unwrap();
        assert_eq!(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap(), 2);
    }

    #[test]
    fn a_single_municipality_database_is_migrated_only_by_adopting_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.sqlite");
        version_2(&path);
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NeedsTenant { found: 2 }), "{err}");
        assert!(err.to_string().contains("formdesk-portal tenants adopt --ars"), "{err}");
        // Nothing changed.
        let conn = Connection::open(&path).unwrap();
        assert_eq!(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap(), 2);
        drop(conn);

        let store = SqliteStore::open_adopting(&path, first()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let tenants = rt.block_on(store.tenants(&Operator::command_line())).unwrap();
        assert_eq!(tenants.len(), 1);
        let tenant = tenants[0].tenant.clone();
        assert_eq!((tenant.id(), tenant.ars().as_str()), (1, "059580000000"));
        let found = rt.block_on(store.device_for_signature("d".into())).unwrap().unwrap();
        assert_eq!((found.device.public_key, found.tenant), (Some(vec![0]), tenant.clone()));
        let status = rt.block_on(store.submission(&tenant, "d".into(), "s".into())).unwrap().unwrap();
        assert_eq!((status.attachments[0].received, status.destination_id.as_str()), (2, "steueramt"));
        let dests = rt.block_on(store.destinations(&tenant)).unwrap();
        assert_eq!(dests.len(), 1);
        drop(store);
        // Adopting again is refused: the database has tenants.
        let err = SqliteStore::open_adopting(&path, first()).unwrap_err();
        assert!(err.to_string().contains("tenants add"), "{err}");
        // And the next tenant gets the next id.
        let store = SqliteStore::open(&path).unwrap();
        let mut other = first();
        other.ars = Ars::parse("057660020020").unwrap();
        let added = rt.block_on(store.add_tenant(&Operator::command_line(), other, &Actor::cli())).unwrap();
        assert_eq!(added.id(), 2);
        let err = rt.block_on(store.add_tenant(&Operator::command_line(), first(), &Actor::cli())).unwrap_err();
        assert!(err.to_string().contains("059580000000 exists"), "{err}");
    }
}
