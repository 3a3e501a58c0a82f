//! The audit trail on PostgreSQL: appending inside the caller's transaction with the log's head row locked
//! (`FOR UPDATE`, after making sure the row exists), so instances appending to one log at once take turns and
//! appends to different logs do not wait on each other; and reading logs, heads and checkpoints. Every
//! statement binds the log's tenant (`tenant_id IS NOT DISTINCT FROM $n`, which matches the operator's NULL).

use super::{PgStore, get};
use crate::store::audit::{
    AUDIT_BATCH, AUDIT_PAGE, AuditLog, AuditPage, DeskAudit, ENTRY_COLUMNS, EntryRow, Event, desk_checkpoint,
    entry_columns, head_of, judge_desk_upload, sign_checkpoint,
};
use crate::store::{Operator, Refusal, StoreError, Tenant, to_i64, to_u64};
use deadpool_postgres::GenericClient;
use formdesk_protocol::audit::{self, Checkpoint, Entry, Head, SignedCheckpoint, ZERO_HASH};
use ring::signature::Ed25519KeyPair;
use std::sync::Arc;
use tokio_postgres::Row;

/// The head of `log`, its row locked until the caller's transaction ends; a log without entries gets its
/// head row (seq 0) first, so that even its first append is serialized.
pub(in crate::store) async fn lock_head(tx: &impl GenericClient, log: &AuditLog) -> Result<Head, StoreError> {
    tx.execute(
        "INSERT INTO audit_heads (log, tenant_id, seq, hash) VALUES ($1, $2, 0, $3) ON CONFLICT (log) DO NOTHING",
        &[&log.name(), &log.tenant_id(), &ZERO_HASH.as_slice()],
    )
    .await?;
    let row = tx
        .query_opt(
            "SELECT seq, hash FROM audit_heads WHERE log = $1 AND tenant_id IS NOT DISTINCT FROM $2 FOR UPDATE",
            &[&log.name(), &log.tenant_id()],
        )
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("audit log {} belongs to another tenant", log.name())))?;
    head_of(log, get(&row, 0)?, &get::<Vec<u8>>(&row, 1)?)
}

/// Appends `event` to `log` in the caller's transaction and moves the head; the entry is refused (and the
/// transaction with it) if the record breaks the limits of `formdesk_protocol::audit`.
pub(in crate::store) async fn append(
    tx: &impl GenericClient,
    log: &AuditLog,
    event: Event,
) -> Result<Entry, StoreError> {
    let head = lock_head(tx, log).await?;
    let record = event.record(log, &head)?;
    let entry = audit::next(&head, record)
        .map_err(|e| StoreError::refused(Refusal::BadRequest, format!("audit entry: {e}")))?;
    insert_entries(tx, log, std::slice::from_ref(&entry)).await?;
    Ok(entry)
}

/// Inserts `entries` (checked to continue the locked head) and moves the head to the last of them.
async fn insert_entries(tx: &impl GenericClient, log: &AuditLog, entries: &[Entry]) -> Result<(), StoreError> {
    let Some(last) = entries.last() else { return Ok(()) };
    let insert = tx
        .prepare(
            "INSERT INTO audit_entries (log, seq, tenant_id, at, actor, action, object, detail, prev, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .await?;
    for entry in entries {
        let (action, detail) = entry_columns(entry)?;
        let r = &entry.record;
        tx.execute(
            &insert,
            &[
                &log.name(),
                &to_i64(r.seq)?,
                &log.tenant_id(),
                &r.at,
                &r.actor,
                &action,
                &r.object,
                &detail,
                &entry.prev.as_slice(),
                &entry.hash.as_slice(),
            ],
        )
        .await?;
    }
    tx.execute(
        "UPDATE audit_heads SET seq = $3, hash = $4 WHERE log = $1 AND tenant_id IS NOT DISTINCT FROM $2",
        &[&log.name(), &log.tenant_id(), &to_i64(last.record.seq)?, &last.hash.as_slice()],
    )
    .await?;
    Ok(())
}

fn entry_row(r: &Row) -> Result<EntryRow, StoreError> {
    Ok(EntryRow {
        seq: get(r, 0)?,
        at: get(r, 1)?,
        actor: get(r, 2)?,
        action: get(r, 3)?,
        object: get(r, 4)?,
        detail: get(r, 5)?,
        prev: get(r, 6)?,
        hash: get(r, 7)?,
    })
}

fn limit(n: usize) -> Result<i64, StoreError> {
    to_i64(u64::try_from(n).unwrap_or(u64::MAX))
}

async fn all_logs(client: &impl GenericClient) -> Result<Vec<AuditLog>, StoreError> {
    let rows =
        client.query("SELECT log, tenant_id FROM audit_heads /* all tenants: maintenance */ ORDER BY log", &[]).await?;
    rows.iter().map(|r| Ok(AuditLog::stored(get(r, 0)?, get(r, 1)?))).collect()
}

async fn insert_checkpoint(
    tx: &impl GenericClient,
    log: &AuditLog,
    signed: &SignedCheckpoint,
) -> Result<(), StoreError> {
    let c = &signed.checkpoint;
    tx.execute(
        "INSERT INTO audit_checkpoints (log, seq, tenant_id, hash, at, signature) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (log, seq) DO NOTHING",
        &[&log.name(), &to_i64(c.seq)?, &log.tenant_id(), &c.hash.as_slice(), &c.at, &signed.signature],
    )
    .await?;
    Ok(())
}

pub(in crate::store) async fn append_alone(store: &PgStore, log: AuditLog, event: Event) -> Result<Entry, StoreError> {
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    let entry = append(&tx, &log, event).await?;
    tx.commit().await?;
    Ok(entry)
}

pub(in crate::store) async fn page(
    store: &PgStore,
    log: AuditLog,
    before: Option<u64>,
) -> Result<AuditPage, StoreError> {
    let client = store.pool.get().await?;
    let before = before.map_or(Ok(i64::MAX), to_i64)?;
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_entries WHERE log = $1 AND tenant_id IS NOT DISTINCT FROM $2 AND seq < $3
         ORDER BY seq DESC LIMIT $4"
    );
    let rows = client.query(&sql, &[&log.name(), &log.tenant_id(), &before, &limit(AUDIT_PAGE + 1)?]).await?;
    let mut entries = rows.iter().map(|r| entry_row(r)?.into_entry(&log)).collect::<Result<Vec<_>, _>>()?;
    // One more than a page tells whether there is a next one.
    let more = entries.len() > AUDIT_PAGE;
    entries.truncate(AUDIT_PAGE);
    let next = if more { entries.last().map(|e| e.record.seq) } else { None };
    Ok(AuditPage { entries, next })
}

pub(in crate::store) async fn tenant_heads(
    store: &PgStore,
    tenant: &Tenant,
) -> Result<Vec<(AuditLog, Head)>, StoreError> {
    let client = store.pool.get().await?;
    let rows = client
        .query("SELECT log, seq, hash FROM audit_heads WHERE tenant_id = $1 AND seq > 0 ORDER BY log", &[&tenant.id()])
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let log = AuditLog::stored(get(r, 0)?, Some(tenant.id()));
        let head = head_of(&log, get(r, 1)?, &get::<Vec<u8>>(r, 2)?)?;
        out.push((log, head));
    }
    Ok(out)
}

pub(in crate::store) async fn logs(store: &PgStore, _: &Operator) -> Result<Vec<AuditLog>, StoreError> {
    let client = store.pool.get().await?;
    all_logs(&client).await
}

pub(in crate::store) async fn entries(
    store: &PgStore,
    log: AuditLog,
    after: u64,
    most: usize,
) -> Result<Vec<Entry>, StoreError> {
    let client = store.pool.get().await?;
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_entries WHERE log = $1 AND tenant_id IS NOT DISTINCT FROM $2 AND seq > $3
         ORDER BY seq LIMIT $4"
    );
    let rows =
        client.query(&sql, &[&log.name(), &log.tenant_id(), &to_i64(after)?, &limit(most.min(AUDIT_BATCH))?]).await?;
    rows.iter().map(|r| entry_row(r)?.into_entry(&log)).collect()
}

pub(in crate::store) async fn stored_checkpoints(
    store: &PgStore,
    log: AuditLog,
) -> Result<Vec<SignedCheckpoint>, StoreError> {
    let client = store.pool.get().await?;
    let rows = client
        .query(
            "SELECT seq, hash, at, signature FROM audit_checkpoints
             WHERE log = $1 AND tenant_id IS NOT DISTINCT FROM $2 ORDER BY seq",
            &[&log.name(), &log.tenant_id()],
        )
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let head = head_of(&log, get(r, 0)?, &get::<Vec<u8>>(r, 1)?)?;
        out.push(SignedCheckpoint {
            checkpoint: Checkpoint { log: log.name().to_owned(), seq: head.seq, hash: head.hash, at: get(r, 2)? },
            signature: get(r, 3)?,
        });
    }
    Ok(out)
}

pub(in crate::store) async fn write_checkpoints(
    store: &PgStore,
    key: Arc<Ed25519KeyPair>,
    now: i64,
) -> Result<Vec<SignedCheckpoint>, StoreError> {
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    let mut out = Vec::new();
    for log in all_logs(&tx).await? {
        let head = lock_head(&tx, &log).await?;
        let row = tx
            .query_one(
                "SELECT max(seq) FROM audit_checkpoints WHERE log = $1 AND tenant_id IS NOT DISTINCT FROM $2",
                &[&log.name(), &log.tenant_id()],
            )
            .await?;
        let last = to_u64(get::<Option<i64>>(&row, 0)?.unwrap_or(0), "a checkpoint's seq")?;
        if head.seq > last {
            let signed = sign_checkpoint(&log, &head, now, &key)?;
            insert_checkpoint(&tx, &log, &signed).await?;
            out.push(signed);
        }
    }
    tx.commit().await?;
    Ok(out)
}

pub(in crate::store) async fn append_desk(
    store: &PgStore,
    tenant: &Tenant,
    device: String,
    entries: Vec<Entry>,
    key: Arc<Ed25519KeyPair>,
    now: i64,
) -> Result<DeskAudit, StoreError> {
    let log = AuditLog::device(tenant, &device);
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    let known = tx
        .query_opt("SELECT 1 FROM devices WHERE tenant_id = $1 AND id = $2", &[&tenant.id(), &device])
        .await?
        .is_some();
    if !known {
        return Err(StoreError::refused(Refusal::NotFound, format!("device {device} is not known")));
    }
    let head = lock_head(&tx, &log).await?;
    let new_head = judge_desk_upload(&head, &entries)?;
    insert_entries(&tx, &log, &entries).await?;
    let checkpoint = sign_checkpoint(&log, &new_head, now, &key)?;
    if new_head.seq > head.seq {
        insert_checkpoint(&tx, &log, &checkpoint).await?;
        append(&tx, &AuditLog::tenant(tenant), desk_checkpoint(&device, &log, &new_head, now)?).await?;
    }
    tx.commit().await?;
    Ok(DeskAudit { head: Head { log: log.name().to_owned(), seq: new_head.seq, hash: new_head.hash }, checkpoint })
}
