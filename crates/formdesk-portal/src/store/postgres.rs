//! The PostgreSQL backend, for several stateless portal instances sharing one database.
//!
//! Every method is one transaction on a pooled connection. Whatever two instances could race on is
//! serialized by the database: a submission's row is locked (`FOR UPDATE`) before its parts are read or
//! written, a new id is inserted with `ON CONFLICT DO NOTHING` and read again under the lock if another
//! instance won, an enrolment locks its device's row, and the portal key is inserted once and read back, so
//! every instance signs with the same key. Migrations run under an advisory lock, so instances starting
//! together migrate once.

use super::audit::{Actor, AuditLog, AuditPage, DeskAudit, Event};
use super::tenants::stored_ars;
use super::{
    Announced, Delivery, Destination, Device, DeviceForms, Enrolment, NewTenant, Operator, PartRow, Piece, Refusal,
    SCHEMA_VERSION, SignedDevice, State, Store, StoreError, SubmissionRow, SubmitAction, TENANT_VERSION, Tenant,
    TenantInfo, Uploaded,
};
use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use formdesk_protocol::audit::{Action, Entry, Head, SignedCheckpoint};
use formdesk_protocol::ids::Ars;
use formdesk_protocol::wire::{Announce, FormsChannelName, FormsReport, SubmissionStatus};
use ring::signature::Ed25519KeyPair;
use std::sync::Arc;
use tokio_postgres::types::FromSql;
use tokio_postgres::{NoTls, Row};

mod accounts;
pub(super) mod audit;
mod schema;

use schema::{MIGRATIONS, TENANTS_TABLE};

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
    /// [`SCHEMA_VERSION`]. A database of a single-municipality portal (version 1 or 2) is refused with
    /// [`StoreError::NeedsTenant`].
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        PgStore::connect_with(url, None).await
    }

    /// Connects and migrates a single-municipality database, its data becoming `first`'s (tenant 1) in the
    /// same transaction (`tenants adopt`). A database that has tenants already is refused.
    pub async fn connect_adopting(url: &str, first: NewTenant) -> Result<PgStore, StoreError> {
        PgStore::connect_with(url, Some(first)).await
    }

    async fn connect_with(url: &str, first: Option<NewTenant>) -> Result<PgStore, StoreError> {
        let config: tokio_postgres::Config =
            url.parse().map_err(|e| StoreError::Database(format!("--database is not a PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(|e| StoreError::Database(format!("cannot set up the connection pool: {e}")))?;
        let store = PgStore { pool };
        store.migrate(first.as_ref()).await?;
        Ok(store)
    }

    async fn migrate(&self, first: Option<&NewTenant>) -> Result<(), StoreError> {
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
        super::tenants::check_adoption(version, first.is_some())?;
        for (from, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
            if i64::try_from(from + 1).ok() == Some(TENANT_VERSION) {
                tx.batch_execute(TENANTS_TABLE).await?;
                if let Some(first) = first {
                    insert_tenant(&tx, Some(1), first).await?;
                    // The next tenant added gets id 2.
                    tx.execute("SELECT setval(pg_get_serial_sequence('tenants', 'id'), 1)", &[]).await?;
                }
            }
            tx.batch_execute(sql).await?;
        }
        tx.execute("DELETE FROM schema_version", &[]).await?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&SCHEMA_VERSION]).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_tenant(client: &impl GenericClient, id: Option<i64>, t: &NewTenant) -> Result<i64, StoreError> {
    let (logo, logo_type) = t.logo.clone().unzip();
    let row = client
        .query_one(
            "INSERT INTO tenants (id, ars, name, letterhead, logo, logo_type, created_at)
             VALUES (COALESCE($1, nextval(pg_get_serial_sequence('tenants', 'id'))), $2, $3, $4, $5, $6, $7)
             RETURNING id",
            &[&id, &t.ars.as_str(), &t.name, &t.letterhead, &logo, &logo_type, &t.created_at],
        )
        .await?;
    get(&row, 0)
}

const TENANT_COLUMNS: &str = "id, ars, name, created_at, suspended_at";

fn tenant_info(r: &Row) -> Result<TenantInfo, StoreError> {
    Ok(TenantInfo {
        tenant: Tenant::new(get(r, 0)?, stored_ars(&get::<String>(r, 1)?)?),
        name: get(r, 2)?,
        created_at: get(r, 3)?,
        suspended_at: get(r, 4)?,
    })
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

async fn device(client: &impl GenericClient, tenant: i64, id: &str) -> Result<Option<Device>, StoreError> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE tenant_id = $1 AND id = $2");
    client.query_opt(&sql, &[&tenant, &id]).await?.as_ref().map(device_row).transpose()
}

/// Tenant-free: a device found by `column` (its id or its code's hash), with its tenant; locked for this
/// transaction if `lock`.
async fn device_and_tenant(
    client: &impl GenericClient,
    column: &str,
    value: &str,
    lock: bool,
) -> Result<Option<SignedDevice>, StoreError> {
    let columns = DEVICE_COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ");
    let lock = if lock { " FOR UPDATE OF d" } else { "" };
    let sql = format!(
        "SELECT {columns}, t.id, t.ars, t.suspended_at FROM devices d JOIN tenants t ON t.id = d.tenant_id
         WHERE d.{column} = $1{lock}"
    );
    let Some(r) = client.query_opt(&sql, &[&value]).await? else { return Ok(None) };
    Ok(Some(SignedDevice {
        device: device_row(&r)?,
        tenant: Tenant::new(get(&r, 8)?, stored_ars(&get::<String>(&r, 9)?)?),
        tenant_suspended_at: get(&r, 10)?,
    }))
}

/// The submission's row, locked for this transaction.
async fn submission_row(
    client: &impl GenericClient,
    tenant: i64,
    id: &str,
) -> Result<Option<SubmissionRow>, StoreError> {
    let Some(r) = client
        .query_opt(
            "SELECT id, device_id, destination_id, attachments, state, metadata_sha256, data_sha256, acceptance,
                    purged_at IS NOT NULL
             FROM submissions WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
            &[&tenant, &id],
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
    tenant: i64,
    device: &str,
    id: &str,
) -> Result<Option<SubmissionRow>, StoreError> {
    Ok(submission_row(client, tenant, id).await?.filter(|row| row.device_id == device))
}

async fn parts(client: &impl GenericClient, tenant: i64, id: &str) -> Result<Vec<PartRow>, StoreError> {
    let rows = client
        .query(
            "SELECT attachment_id, total, received, complete, sha256 FROM attachment_parts
             WHERE tenant_id = $1 AND submission_id = $2 ORDER BY position",
            &[&tenant, &id],
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

async fn status_of(
    client: &impl GenericClient,
    tenant: i64,
    row: &SubmissionRow,
) -> Result<SubmissionStatus, StoreError> {
    Ok(super::status(row, &parts(client, tenant, &row.id).await?))
}

/// Where a part's chunks are: tenant, submission and attachment.
type PartKey<'a> = (i64, &'a str, &'a str);

async fn chunks(
    client: &impl GenericClient,
    (tenant, id, attachment): PartKey<'_>,
    from: u64,
    to: u64,
) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
    let (from, to) = (super::to_i64(from)?, super::to_i64(to)?);
    let rows = client
        .query(
            "SELECT byte_offset, bytes FROM attachment_chunks
             WHERE tenant_id = $1 AND submission_id = $2 AND attachment_id = $3 AND byte_offset < $4
               AND byte_offset + length(bytes) > $5
             ORDER BY byte_offset",
            &[&tenant, &id, &attachment, &to, &from],
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
    (tenant, id, attachment): PartKey<'_>,
    total: u64,
    kid: &str,
) -> Result<Result<super::part::Checked, String>, StoreError> {
    let mut check = super::part::PartCheck::new(format!("attachment {attachment}"));
    let offsets = client
        .query(
            "SELECT byte_offset FROM attachment_chunks
             WHERE tenant_id = $1 AND submission_id = $2 AND attachment_id = $3
             ORDER BY byte_offset",
            &[&tenant, &id, &attachment],
        )
        .await?;
    for offset in &offsets {
        let offset: i64 = get(offset, 0)?;
        let row = client
            .query_one(
                "SELECT bytes FROM attachment_chunks
                 WHERE tenant_id = $1 AND submission_id = $2 AND attachment_id = $3 AND byte_offset = $4",
                &[&tenant, &id, &attachment, &offset],
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
async fn whole_part(client: &impl GenericClient, key: PartKey<'_>, total: u64) -> Result<Vec<u8>, StoreError> {
    let chunks = chunks(client, key, 0, total).await?;
    Ok(super::stored_range(&chunks, &(0..total)))
}

fn destination_row(r: &Row) -> Result<Destination, StoreError> {
    Ok(Destination { id: get(r, 0)?, name: get(r, 1)?, key_id: get(r, 2)?, public_key: get(r, 3)? })
}

async fn destination(client: &impl GenericClient, tenant: i64, id: &str) -> Result<Option<Destination>, StoreError> {
    client
        .query_opt(
            "SELECT id, name, key_id, public_key FROM destinations WHERE tenant_id = $1 AND id = $2",
            &[&tenant, &id],
        )
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

    async fn add_tenant(&self, operator: &Operator, new: NewTenant, actor: &Actor) -> Result<Tenant, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let taken = tx.query_opt("SELECT 1 FROM tenants WHERE ars = $1", &[&new.ars.as_str()]).await?.is_some();
        if taken {
            return Err(super::tenants::ars_taken(&new.ars));
        }
        let id = insert_tenant(&tx, None, &new).await.map_err(|e| match e {
            // Another instance added the same ARS in the meantime.
            StoreError::Database(m) if m.starts_with("23505") => super::tenants::ars_taken(&new.ars),
            other => other,
        })?;
        let event = Event::new(actor, Action::TenantAdd, new.created_at).on(new.ars.as_str());
        audit::append(&tx, &AuditLog::operator(operator), event).await?;
        tx.commit().await?;
        Ok(Tenant::new(id, new.ars))
    }

    async fn tenants(&self, _: &Operator) -> Result<Vec<TenantInfo>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client.query(&format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY ars"), &[]).await?;
        rows.iter().map(tenant_info).collect()
    }

    async fn tenant_name(&self, tenant: &Tenant) -> Result<Option<String>, StoreError> {
        let client = self.pool.get().await?;
        let row = client.query_opt("SELECT name FROM tenants WHERE id = $1", &[&tenant.id()]).await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn suspend_tenant(&self, _: &Operator, ars: Ars, now: i64) -> Result<Option<TenantInfo>, StoreError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE tenants SET suspended_at = $2 WHERE ars = $1 AND suspended_at IS NULL",
                &[&ars.as_str(), &now],
            )
            .await?;
        let sql = format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE ars = $1");
        client.query_opt(&sql, &[&ars.as_str()]).await?.as_ref().map(tenant_info).transpose()
    }

    async fn device_for_signature(&self, id: String) -> Result<Option<SignedDevice>, StoreError> {
        let client = self.pool.get().await?;
        device_and_tenant(&client, "id", &id, false).await
    }

    async fn enrol_by_code(&self, code_hash: String, public_key: Vec<u8>, now: i64) -> Result<Enrolment, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let Some(SignedDevice { device: found, tenant, tenant_suspended_at }) =
            device_and_tenant(&tx, "code_hash", &code_hash, true).await?
        else {
            return Ok(Enrolment::UnknownCode);
        };
        if let Some(at) = tenant_suspended_at {
            return Ok(Enrolment::Revoked(at));
        }
        let decision = super::judge_enrolment(&found, &public_key, now);
        if decision == super::EnrolDecision::Register {
            tx.execute(
                "UPDATE devices SET public_key = $3, enrolled_at = $4 WHERE tenant_id = $1 AND id = $2",
                &[&tenant.id(), &found.id, &public_key, &now],
            )
            .await?;
            let enrolled = device(&tx, tenant.id(), &found.id).await?.ok_or_else(|| not_found(&found.id))?;
            let event = Event::new(&Actor(found.id.clone()), Action::DeviceEnrolled, now).on(&found.id);
            audit::append(&tx, &AuditLog::tenant(&tenant), event).await?;
            tx.commit().await?;
            return Ok(Enrolment::Enrolled(enrolled, tenant));
        }
        tx.commit().await?;
        Ok(super::enrolment_outcome(decision, found, tenant))
    }

    async fn add_device(&self, tenant: &Tenant, d: Device, actor: &Actor) -> Result<(), StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO devices (tenant_id, id, name, code_hash, code_expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&tenant.id(), &d.id, &d.name, &d.code_hash, &d.code_expires_at, &d.created_at],
        )
        .await?;
        audit::append(&tx, &AuditLog::tenant(tenant), Event::new(actor, Action::DeviceAdd, d.created_at).on(&d.id))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn devices(&self, tenant: &Tenant) -> Result<Vec<Device>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE tenant_id = $1 ORDER BY created_at, id"),
                &[&tenant.id()],
            )
            .await?;
        rows.iter().map(device_row).collect()
    }

    async fn revoke_device(
        &self,
        tenant: &Tenant,
        id: String,
        now: i64,
        actor: &Actor,
    ) -> Result<Option<Device>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let revoked = tx
            .execute(
                "UPDATE devices SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
                &[&tenant.id(), &id, &now],
            )
            .await?;
        if revoked == 1 {
            audit::append(&tx, &AuditLog::tenant(tenant), Event::new(actor, Action::DeviceRevoke, now).on(&id)).await?;
        }
        let found = device(&tx, tenant.id(), &id).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn set_forms_channel(
        &self,
        tenant: &Tenant,
        id: String,
        channel: FormsChannelName,
        now: i64,
        actor: &Actor,
    ) -> Result<Option<Device>, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let changed = tx
            .execute(
                "UPDATE devices SET forms_channel = $3 WHERE tenant_id = $1 AND id = $2",
                &[&tenant.id(), &id, &channel.as_str()],
            )
            .await?;
        if changed == 1 {
            let event = Event::new(actor, Action::DeviceChannel, now).on(&id).text("channel", channel.as_str());
            audit::append(&tx, &AuditLog::tenant(tenant), event).await?;
        }
        let found = device(&tx, tenant.id(), &id).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn report_forms(
        &self,
        tenant: &Tenant,
        device_id: String,
        report: FormsReport,
        now: i64,
    ) -> Result<FormsChannelName, StoreError> {
        let report = super::check_report(report)?;
        let version = super::to_i64(report.set_version)?;
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "UPDATE devices SET forms_set_channel = $3, forms_set_version = $4, forms_manifest_sha256 = $5,
                        forms_published = $6, forms_reported_at = $7, forms_error = $8,
                        app_version = COALESCE($9, app_version)
                 WHERE tenant_id = $1 AND id = $2 RETURNING forms_channel",
                &[
                    &tenant.id(),
                    &device_id,
                    &report.channel,
                    &version,
                    &report.manifest_sha256,
                    &report.published,
                    &now,
                    &report.error,
                    &report.app_version,
                ],
            )
            .await?;
        super::parse_channel(&get::<String>(&row, 0)?)
    }

    async fn devices_forms(&self, tenant: &Tenant) -> Result<Vec<DeviceForms>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!("SELECT {} FROM devices WHERE tenant_id = $1 ORDER BY created_at, id", super::FORMS_COLUMNS),
                &[&tenant.id()],
            )
            .await?;
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
                    app_version: get(r, 8)?,
                }
                .into_forms()
            })
            .collect()
    }

    async fn put_destination(
        &self,
        tenant: &Tenant,
        d: Destination,
        now: i64,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO destinations (tenant_id, id, name, key_id, public_key) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, key_id = excluded.key_id,
                                                       public_key = excluded.public_key",
            &[&tenant.id(), &d.id, &d.name, &d.key_id, &d.public_key],
        )
        .await?;
        let event = Event::new(actor, Action::DestinationPut, now).on(&d.id).text("kid", &d.key_id);
        audit::append(&tx, &AuditLog::tenant(tenant), event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn destinations(&self, tenant: &Tenant) -> Result<Vec<Destination>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT id, name, key_id, public_key FROM destinations WHERE tenant_id = $1 ORDER BY id",
                &[&tenant.id()],
            )
            .await?;
        rows.iter().map(destination_row).collect()
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
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if let Some(existing) = submission_row(&tx, tenant, &id).await? {
            super::judge_announce(&existing, &device, &announce)?;
            let status = status_of(&tx, tenant, &existing).await?;
            tx.commit().await?;
            return Ok(Announced::Repeated(status));
        }
        if destination(&tx, tenant, &announce.destination_id).await?.is_none() {
            return Err(super::unknown_destination(&announce.destination_id));
        }
        let inserted = tx
            .execute(
                "INSERT INTO submissions (tenant_id, id, device_id, destination_id, attachments, state, announced_at)
                 VALUES ($1, $2, $3, $4, $5, 'announced', $6) ON CONFLICT (tenant_id, id) DO NOTHING",
                &[
                    &tenant,
                    &id,
                    &device,
                    &announce.destination_id,
                    &super::attachments_json(&announce.attachments),
                    &now,
                ],
            )
            .await?;
        if inserted == 0 {
            // Another instance announced the same id in the meantime; its row is committed and now locked here.
            let existing = submission_row(&tx, tenant, &id).await?.ok_or_else(|| not_found(&id))?;
            super::judge_announce(&existing, &device, &announce)?;
            let status = status_of(&tx, tenant, &existing).await?;
            tx.commit().await?;
            return Ok(Announced::Repeated(status));
        }
        for (position, attachment) in announce.attachments.iter().enumerate() {
            let position = i64::try_from(position).unwrap_or(i64::MAX);
            tx.execute(
                "INSERT INTO attachment_parts (tenant_id, submission_id, attachment_id, position) VALUES ($1, $2, $3, $4)",
                &[&tenant, &id, attachment, &position],
            )
            .await?;
        }
        let row = submission_row(&tx, tenant, &id).await?.ok_or_else(|| not_found(&id))?;
        let status = status_of(&tx, tenant, &row).await?;
        tx.commit().await?;
        Ok(Announced::Created(status))
    }

    async fn submission(
        &self,
        tenant: &Tenant,
        device: String,
        id: String,
    ) -> Result<Option<SubmissionStatus>, StoreError> {
        let tenant = tenant.id();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let status = match own_submission(&tx, tenant, &device, &id).await? {
            Some(row) => Some(status_of(&tx, tenant, &row).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(status)
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
        let key = (tenant, id.as_str(), attachment.as_str());
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = own_submission(&tx, tenant, &device, &id).await?.ok_or_else(|| not_found(&id))?;
        let part = parts(&tx, tenant, &id)
            .await?
            .into_iter()
            .find(|p| p.attachment_id == attachment)
            .ok_or_else(|| super::attachment_not_found(&id, &attachment))?;
        let plan = super::plan_upload(&row, &part, &piece)?;
        if let Some(range) = &plan.compare {
            let stored = super::stored_range(&chunks(&tx, key, range.start, range.end).await?, range);
            super::check_repeat(&attachment, &stored, &piece.bytes, range)?;
        }
        let new = piece.bytes.get(plan.append_from..).unwrap_or_default();
        let received = super::received_after(part.received, new.len())?;
        if !new.is_empty() {
            tx.execute(
                "INSERT INTO attachment_chunks (tenant_id, submission_id, attachment_id, byte_offset, bytes)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&tenant, &id, &attachment, &super::to_i64(part.received)?, &new],
            )
            .await?;
        }
        tx.execute(
            "UPDATE attachment_parts SET total = $4, received = $5
             WHERE tenant_id = $1 AND submission_id = $2 AND attachment_id = $3",
            &[&tenant, &id, &attachment, &super::to_i64(piece.total)?, &super::to_i64(received)?],
        )
        .await?;
        if plan.completes {
            let kid = destination(&tx, tenant, &row.destination_id)
                .await?
                .ok_or_else(|| super::unknown_destination(&row.destination_id))?
                .key_id;
            let checked = match check_stored_part(&tx, key, piece.total, &kid).await? {
                Ok(checked) => checked,
                Err(why) => {
                    tx.execute(
                        "DELETE FROM attachment_chunks WHERE tenant_id = $1 AND submission_id = $2 AND attachment_id = $3",
                        &[&tenant, &id, &attachment],
                    )
                    .await?;
                    tx.execute(
                        "UPDATE attachment_parts SET total = NULL, received = 0
                         WHERE tenant_id = $1 AND submission_id = $2 AND attachment_id = $3",
                        &[&tenant, &id, &attachment],
                    )
                    .await?;
                    tx.commit().await?;
                    return Ok(Uploaded::Discarded(why));
                }
            };
            tx.execute(
                "UPDATE attachment_parts SET complete = TRUE, sha256 = $4
                 WHERE tenant_id = $1 AND submission_id = $2 AND attachment_id = $3",
                &[&tenant, &id, &attachment, &checked.sha256],
            )
            .await?;
        }
        let part = parts(&tx, tenant, &id)
            .await?
            .into_iter()
            .find(|p| p.attachment_id == attachment)
            .ok_or_else(|| super::attachment_not_found(&id, &attachment))?;
        tx.commit().await?;
        Ok(Uploaded::Stored(part.status()))
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
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = own_submission(&tx, tenant, &device, &id).await?.ok_or_else(|| not_found(&id))?;
        let kid = destination(&tx, tenant, &row.destination_id)
            .await?
            .ok_or_else(|| super::unknown_destination(&row.destination_id))?
            .key_id;
        let parts = parts(&tx, tenant, &id).await?;
        match super::judge_submit(&row, &parts, &metadata, &data, &kid, now, &key)? {
            SubmitAction::Repeat(acceptance) => {
                tx.commit().await?;
                Ok(acceptance)
            }
            SubmitAction::Accept { metadata_sha256, data_sha256, acceptance } => {
                tx.execute(
                    "UPDATE submissions SET state = 'submitted', metadata = $3, data = $4, metadata_sha256 = $5,
                            data_sha256 = $6, acceptance = $7, submitted_at = $8
                     WHERE tenant_id = $1 AND id = $2",
                    &[&tenant, &id, &metadata, &data, &metadata_sha256, &data_sha256, &acceptance, &now],
                )
                .await?;
                tx.commit().await?;
                Ok(acceptance)
            }
        }
    }

    async fn pending(&self, tenant: &Tenant, destination: String) -> Result<Vec<String>, StoreError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT id FROM submissions WHERE tenant_id = $1 AND destination_id = $2 AND state = 'submitted'
                 ORDER BY submitted_at, id",
                &[&tenant.id(), &destination],
            )
            .await?;
        rows.iter().map(|r| get(r, 0)).collect()
    }

    async fn delivery(&self, tenant: &Tenant, id: String) -> Result<Delivery, StoreError> {
        let tenant = tenant.id();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = tx
            .query_opt("SELECT metadata, data FROM submissions WHERE tenant_id = $1 AND id = $2", &[&tenant, &id])
            .await?
            .ok_or_else(|| not_found(&id))?;
        let (Some(metadata), Some(data)) = (get::<Option<String>>(&row, 0)?, get::<Option<String>>(&row, 1)?) else {
            return Err(StoreError::refused(Refusal::NotFound, format!("submission {id} holds no parts")));
        };
        let mut attachments = Vec::new();
        for part in parts(&tx, tenant, &id).await? {
            let total = part.total.unwrap_or(part.received);
            let bytes = whole_part(&tx, (tenant, &id, &part.attachment_id), total).await?;
            let text = String::from_utf8(bytes)
                .map_err(|_| StoreError::Corrupt(format!("attachment {} is not text", part.attachment_id)))?;
            attachments.push((part.attachment_id, text));
        }
        tx.commit().await?;
        Ok(Delivery { id, metadata, data, attachments })
    }

    async fn mark_picked_up(&self, tenant: &Tenant, id: String, now: i64, actor: &Actor) -> Result<(), StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let picked = tx
            .query_opt(
                "UPDATE submissions SET state = 'picked_up', picked_up_at = $3
                 WHERE tenant_id = $1 AND id = $2 AND state = 'submitted' RETURNING destination_id",
                &[&tenant.id(), &id, &now],
            )
            .await?;
        if let Some(row) = picked {
            let destination: String = get(&row, 0)?;
            let event = Event::new(actor, Action::InboxPickup, now).on(destination).text("submission", &id);
            audit::append(&tx, &AuditLog::tenant(tenant), event).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn purge_picked_up(&self, before: i64, now: i64) -> Result<u64, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM attachment_chunks /* all tenants: maintenance */ WHERE (tenant_id, submission_id) IN
               (SELECT tenant_id, id FROM submissions
                WHERE state = 'picked_up' AND picked_up_at <= $1 AND purged_at IS NULL)",
            &[&before],
        )
        .await?;
        let purged = tx
            .execute(
                "UPDATE submissions /* all tenants: maintenance */ SET metadata = NULL, data = NULL, purged_at = $2
                 WHERE state = 'picked_up' AND picked_up_at <= $1 AND purged_at IS NULL",
                &[&before, &now],
            )
            .await?;
        tx.commit().await?;
        Ok(purged)
    }

    async fn purge_backlog(&self, _operator: &Operator, before: i64) -> Result<u64, StoreError> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT COUNT(*) FROM submissions /* all tenants: maintenance */
                 WHERE state = 'picked_up' AND picked_up_at <= $1 AND purged_at IS NULL",
                &[&before],
            )
            .await?;
        let n: i64 = row.get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn append_audit(&self, log: AuditLog, event: Event) -> Result<Entry, StoreError> {
        audit::append_alone(self, log, event).await
    }

    async fn audit_page(&self, log: AuditLog, before: Option<u64>) -> Result<AuditPage, StoreError> {
        audit::page(self, log, before).await
    }

    async fn audit_heads(&self, tenant: &Tenant) -> Result<Vec<(AuditLog, Head)>, StoreError> {
        audit::tenant_heads(self, tenant).await
    }

    async fn audit_logs(&self, operator: &Operator) -> Result<Vec<AuditLog>, StoreError> {
        audit::logs(self, operator).await
    }

    async fn audit_entries(&self, log: AuditLog, after: u64, limit: usize) -> Result<Vec<Entry>, StoreError> {
        audit::entries(self, log, after, limit).await
    }

    async fn audit_checkpoints(&self, log: AuditLog) -> Result<Vec<SignedCheckpoint>, StoreError> {
        audit::stored_checkpoints(self, log).await
    }

    async fn write_audit_checkpoints(
        &self,
        key: Arc<Ed25519KeyPair>,
        now: i64,
    ) -> Result<Vec<SignedCheckpoint>, StoreError> {
        audit::write_checkpoints(self, key, now).await
    }

    async fn append_desk_audit(
        &self,
        tenant: &Tenant,
        device: String,
        entries: Vec<Entry>,
        key: Arc<Ed25519KeyPair>,
        now: i64,
    ) -> Result<DeskAudit, StoreError> {
        audit::append_desk(self, tenant, device, entries, key, now).await
    }
}
