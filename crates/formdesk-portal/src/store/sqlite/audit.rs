//! The audit trail on SQLite: appending inside the caller's write transaction (`BEGIN IMMEDIATE` holds the
//! database's one write lock, so no other writer moves a head meanwhile), and reading logs, heads and
//! checkpoints. Every statement binds the log's tenant (`tenant_id IS ?`, which matches the operator's NULL).

use crate::store::audit::{AuditLog, ENTRY_COLUMNS, EntryRow, Event, entry_columns, head_of};
use crate::store::{StoreError, to_i64};
use formdesk_protocol::audit::{self, Checkpoint, Entry, Head, SignedCheckpoint, ZERO_HASH};
use rusqlite::{Connection, OptionalExtension, params};

/// The head of `log`, `None` if it has none yet. The caller's write transaction keeps it from moving.
pub(in crate::store) fn head(tx: &Connection, log: &AuditLog) -> Result<Option<Head>, StoreError> {
    let row = tx
        .query_row(
            "SELECT seq, hash FROM audit_heads WHERE log = ?1 AND tenant_id IS ?2",
            params![log.name(), log.tenant_id()],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?;
    row.map(|(seq, hash)| head_of(log, seq, &hash)).transpose()
}

/// Appends `event` to `log` in the caller's write transaction and moves the head; the entry is refused
/// (and the transaction with it) if the record breaks the limits of `formdesk_protocol::audit`.
pub(in crate::store) fn append(tx: &Connection, log: &AuditLog, event: Event) -> Result<Entry, StoreError> {
    let head = head(tx, log)?.unwrap_or_else(|| Head::empty(log.record_log()));
    let record = event.record(log, &head)?;
    let entry = audit::next(&head, record)
        .map_err(|e| StoreError::refused(crate::store::Refusal::BadRequest, format!("audit entry: {e}")))?;
    insert_entries(tx, log, std::slice::from_ref(&entry))?;
    Ok(entry)
}

/// Inserts `entries` (checked to continue the head) and moves the head to the last of them.
pub(in crate::store) fn insert_entries(tx: &Connection, log: &AuditLog, entries: &[Entry]) -> Result<(), StoreError> {
    let Some(last) = entries.last() else { return Ok(()) };
    let mut insert = tx.prepare_cached(
        "INSERT INTO audit_entries (log, seq, tenant_id, at, actor, action, object, detail, prev, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for entry in entries {
        let (action, detail) = entry_columns(entry)?;
        let r = &entry.record;
        insert.execute(params![
            log.name(),
            to_i64(r.seq)?,
            log.tenant_id(),
            r.at,
            r.actor,
            action,
            r.object,
            detail,
            entry.prev.as_slice(),
            entry.hash.as_slice()
        ])?;
    }
    let changed = tx.execute(
        "INSERT INTO audit_heads (log, tenant_id, seq, hash) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (log) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
         WHERE audit_heads.tenant_id IS excluded.tenant_id",
        params![log.name(), log.tenant_id(), to_i64(last.record.seq)?, last.hash.as_slice()],
    )?;
    if changed != 1 {
        return Err(StoreError::Corrupt(format!("audit log {} belongs to another tenant", log.name())));
    }
    Ok(())
}

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryRow> {
    Ok(EntryRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        object: r.get(4)?,
        detail: r.get(5)?,
        prev: r.get(6)?,
        hash: r.get(7)?,
    })
}

/// At most `limit` entries of `log`, the newest first, those before seq `before` if given.
pub(in crate::store) fn newest(
    conn: &Connection,
    log: &AuditLog,
    before: Option<u64>,
    limit: usize,
) -> Result<Vec<Entry>, StoreError> {
    let before = before.map_or(Ok(i64::MAX), to_i64)?;
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_entries WHERE log = ?1 AND tenant_id IS ?2 AND seq < ?3
         ORDER BY seq DESC LIMIT ?4"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![log.name(), log.tenant_id(), before, to_i64(limit as u64)?], entry_row)?;
    rows.map(|row| row.map_err(StoreError::from).and_then(|row| row.into_entry(log))).collect()
}

/// At most `limit` entries of `log` after seq `after`, the oldest first.
pub(in crate::store) fn oldest(
    conn: &Connection,
    log: &AuditLog,
    after: u64,
    limit: usize,
) -> Result<Vec<Entry>, StoreError> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_entries WHERE log = ?1 AND tenant_id IS ?2 AND seq > ?3
         ORDER BY seq LIMIT ?4"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows =
        stmt.query_map(params![log.name(), log.tenant_id(), to_i64(after)?, to_i64(limit as u64)?], entry_row)?;
    rows.map(|row| row.map_err(StoreError::from).and_then(|row| row.into_entry(log))).collect()
}

/// The logs of the tenant with row id `tenant` (its own and its devices'), by name, with their heads.
pub(in crate::store) fn heads(conn: &Connection, tenant: Option<i64>) -> Result<Vec<(AuditLog, Head)>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT log, seq, hash FROM audit_heads WHERE tenant_id IS ?1 AND seq > 0 ORDER BY log")?;
    let rows =
        stmt.query_map([tenant], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (name, seq, hash) = row?;
        let log = AuditLog::stored(name, tenant);
        let head = head_of(&log, seq, &hash)?;
        out.push((log, head));
    }
    Ok(out)
}

/// Every log of every tenant and the operator's, by name.
pub(in crate::store) fn all_logs(conn: &Connection) -> Result<Vec<AuditLog>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT log, tenant_id FROM audit_heads /* all tenants: maintenance */ ORDER BY log")?;
    let rows = stmt.query_map([], |r| Ok(AuditLog::stored(r.get(0)?, r.get(1)?)))?;
    rows.map(|row| row.map_err(StoreError::from)).collect()
}

/// The stored checkpoints of `log`, by seq.
pub(in crate::store) fn checkpoints(conn: &Connection, log: &AuditLog) -> Result<Vec<SignedCheckpoint>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, hash, at, signature FROM audit_checkpoints WHERE log = ?1 AND tenant_id IS ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![log.name(), log.tenant_id()], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, i64>(2)?, r.get::<_, Vec<u8>>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, hash, at, signature) = row?;
        let head = head_of(log, seq, &hash)?;
        out.push(SignedCheckpoint {
            checkpoint: Checkpoint { log: log.name().to_owned(), seq: head.seq, hash: head.hash, at },
            signature,
        });
    }
    Ok(out)
}

/// The seq of `log`'s last checkpoint, 0 if none.
pub(in crate::store) fn last_checkpoint(conn: &Connection, log: &AuditLog) -> Result<u64, StoreError> {
    let seq: Option<i64> = conn.query_row(
        "SELECT max(seq) FROM audit_checkpoints WHERE log = ?1 AND tenant_id IS ?2",
        params![log.name(), log.tenant_id()],
        |r| r.get(0),
    )?;
    crate::store::to_u64(seq.unwrap_or(0), "a checkpoint's seq")
}

/// Stores a signed checkpoint of `log` (again the same one is kept as it is).
pub(in crate::store) fn insert_checkpoint(
    tx: &Connection,
    log: &AuditLog,
    signed: &SignedCheckpoint,
) -> Result<(), StoreError> {
    let c = &signed.checkpoint;
    tx.execute(
        "INSERT INTO audit_checkpoints (log, seq, tenant_id, hash, at, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (log, seq) DO NOTHING",
        params![log.name(), to_i64(c.seq)?, log.tenant_id(), c.hash.as_slice(), c.at, signed.signature],
    )?;
    Ok(())
}

/// The head of `log`, or the empty one.
pub(in crate::store) fn head_or_empty(tx: &Connection, log: &AuditLog) -> Result<Head, StoreError> {
    Ok(head(tx, log)?.unwrap_or(Head { log: log.record_log().to_owned(), seq: 0, hash: ZERO_HASH }))
}

/// [`Store`](crate::store::Store)'s audit methods on SQLite; `sqlite.rs` delegates to these.
pub(super) mod methods {
    use super::*;
    use crate::store::audit::{
        AUDIT_BATCH, AUDIT_PAGE, AuditPage, DeskAudit, desk_checkpoint, judge_desk_upload, sign_checkpoint,
    };
    use crate::store::sqlite::SqliteStore;
    use crate::store::{Operator, Refusal, Tenant};
    use ring::signature::Ed25519KeyPair;
    use std::sync::Arc;

    pub(in crate::store) async fn append_alone(
        store: &SqliteStore,
        log: AuditLog,
        event: Event,
    ) -> Result<Entry, StoreError> {
        store.write(move |tx| append(tx, &log, event)).await
    }

    pub(in crate::store) async fn page(
        store: &SqliteStore,
        log: AuditLog,
        before: Option<u64>,
    ) -> Result<AuditPage, StoreError> {
        store
            .call(move |conn| {
                // One more than a page tells whether there is a next one.
                let mut entries = newest(conn, &log, before, AUDIT_PAGE + 1)?;
                let more = entries.len() > AUDIT_PAGE;
                entries.truncate(AUDIT_PAGE);
                let next = if more { entries.last().map(|e| e.record.seq) } else { None };
                Ok(AuditPage { entries, next })
            })
            .await
    }

    pub(in crate::store) async fn tenant_heads(
        store: &SqliteStore,
        tenant: &Tenant,
    ) -> Result<Vec<(AuditLog, Head)>, StoreError> {
        let id = tenant.id();
        store.call(move |conn| heads(conn, Some(id))).await
    }

    pub(in crate::store) async fn logs(store: &SqliteStore, _: &Operator) -> Result<Vec<AuditLog>, StoreError> {
        store.call(|conn| all_logs(conn)).await
    }

    pub(in crate::store) async fn entries(
        store: &SqliteStore,
        log: AuditLog,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        store.call(move |conn| oldest(conn, &log, after, limit.min(AUDIT_BATCH))).await
    }

    pub(in crate::store) async fn stored_checkpoints(
        store: &SqliteStore,
        log: AuditLog,
    ) -> Result<Vec<SignedCheckpoint>, StoreError> {
        store.call(move |conn| checkpoints(conn, &log)).await
    }

    pub(in crate::store) async fn write_checkpoints(
        store: &SqliteStore,
        key: Arc<Ed25519KeyPair>,
        now: i64,
    ) -> Result<Vec<SignedCheckpoint>, StoreError> {
        store
            .write(move |tx| {
                let mut out = Vec::new();
                for log in all_logs(tx)? {
                    let head = head_or_empty(tx, &log)?;
                    if head.seq > last_checkpoint(tx, &log)? {
                        let signed = sign_checkpoint(&log, &head, now, &key)?;
                        insert_checkpoint(tx, &log, &signed)?;
                        out.push(signed);
                    }
                }
                Ok(out)
            })
            .await
    }

    pub(in crate::store) async fn append_desk(
        store: &SqliteStore,
        tenant: &Tenant,
        device: String,
        entries: Vec<Entry>,
        key: Arc<Ed25519KeyPair>,
        now: i64,
    ) -> Result<DeskAudit, StoreError> {
        let tenant_id = tenant.id();
        let log = AuditLog::device(tenant, &device);
        let tenant = tenant.clone();
        store
            .write(move |tx| {
                let known: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM devices WHERE tenant_id = ?1 AND id = ?2)",
                    params![tenant_id, device],
                    |r| r.get(0),
                )?;
                if !known {
                    return Err(StoreError::refused(Refusal::NotFound, format!("device {device} is not known")));
                }
                let head = head_or_empty(tx, &log)?;
                let new_head = judge_desk_upload(&head, &entries)?;
                insert_entries(tx, &log, &entries)?;
                let checkpoint = sign_checkpoint(&log, &new_head, now, &key)?;
                if new_head.seq > head.seq {
                    insert_checkpoint(tx, &log, &checkpoint)?;
                    append(tx, &AuditLog::tenant(&tenant), desk_checkpoint(&device, &log, &new_head, now)?)?;
                }
                let head = Head { log: log.name().to_owned(), seq: new_head.seq, hash: new_head.hash };
                Ok(DeskAudit { head, checkpoint })
            })
            .await
    }
}
