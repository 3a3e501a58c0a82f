//! The portal's audit trail in the store: which log an entry goes to, what is recorded, and the checks that
//! are the same on both backends (`docs/tenants.md`, section 6).
//!
//! The chain itself is `formdesk_protocol::audit`'s; this module stores it. Every log is one chain in
//! `audit_entries` with its head in `audit_heads` and its signed checkpoints in `audit_checkpoints`:
//!
//! - [`AuditLog::tenant`] is `t<ARS>`, a tenant's own log (its administrators, devices and destinations);
//! - [`AuditLog::operator`] is `operator`, the operator's log (tenants added; operator accounts);
//! - [`AuditLog::device`] is `d<device id>`, what a tenant's desk uploaded. Its records name the log `desk`,
//!   as the desk hashed them (the name is hashed in, and a desk writes entries before it has an id).
//!
//! A log is only reachable through one of these handles, which need a [`Tenant`] or an [`Operator`]: every
//! statement binds the handle's tenant, so one tenant's cursor or log name never reads another's entries.
//!
//! # API for callers
//! - An action that writes the store records its entry in its own transaction: the backends' audited
//!   methods ([`Store::add_tenant`], [`Store::add_device`], [`Store::enrol_by_code`], [`Store::revoke_device`],
//!   [`Store::set_forms_channel`], [`Store::put_destination`], [`Store::mark_picked_up`]) take an [`Actor`] and
//!   append through `sqlite::audit::append` / `postgres::audit::append` before they commit, so an action
//!   without its entry cannot commit.
//! - An action that writes nothing else (a sign-in, a sign-out) calls [`Store::append_audit`] with an
//!   [`Event`]: one transaction of its own.
//! - [`Store::audit_page`] reads a log newest first, [`AUDIT_PAGE`] entries at a time; the page's `next` is
//!   the cursor of the following page. [`Store::audit_heads`] gives a tenant's logs and where they stand.
//! - [`Store::audit_entries`] reads a log oldest first for [`verify_log`], with [`Store::audit_checkpoints`].
//! - [`Store::write_audit_checkpoints`] signs a checkpoint for each log whose head moved (all tenants).
//! - [`Store::append_desk_audit`] appends a desk's upload after checking it continues the stored chain.
//!
//! Non-goals: hashing and the record format (`formdesk-protocol`), HTTP, pruning (not yet).
//!
//! [`Store`]: super::Store
//! [`Store::add_tenant`]: super::Store::add_tenant
//! [`Store::add_device`]: super::Store::add_device
//! [`Store::enrol_by_code`]: super::Store::enrol_by_code
//! [`Store::revoke_device`]: super::Store::revoke_device
//! [`Store::set_forms_channel`]: super::Store::set_forms_channel
//! [`Store::put_destination`]: super::Store::put_destination
//! [`Store::mark_picked_up`]: super::Store::mark_picked_up
//! [`Store::append_audit`]: super::Store::append_audit
//! [`Store::audit_page`]: super::Store::audit_page
//! [`Store::audit_heads`]: super::Store::audit_heads
//! [`Store::audit_entries`]: super::Store::audit_entries
//! [`Store::audit_checkpoints`]: super::Store::audit_checkpoints
//! [`Store::write_audit_checkpoints`]: super::Store::write_audit_checkpoints
//! [`Store::append_desk_audit`]: super::Store::append_desk_audit

use super::{Operator, Refusal, StoreError, Tenant};
use formdesk_protocol::audit::{
    self, Action, Broken, BrokenKind, Checkpoint, DetailValue, Entry, Hash, Head, Record, SignedCheckpoint,
};
use std::collections::BTreeMap;

/// How many entries [`Store::audit_page`](super::Store::audit_page) answers with at most.
pub const AUDIT_PAGE: usize = 50;

/// How many entries a desk uploads at most in one call (and [`Store::audit_entries`](super::Store::audit_entries)
/// reads at most at once).
pub const AUDIT_BATCH: usize = 1000;

/// The name of the operator's log.
pub const OPERATOR_LOG: &str = "operator";

/// The log name in a desk's records (`formdesk-vault`'s `audit::LOG`).
pub const DESK_LOG: &str = "desk";

/// The actor of the administrators' command line.
pub const CLI: &str = "cli";

/// One of the portal's logs, reachable only with the caller's [`Tenant`] or the [`Operator`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLog {
    name: String,
    tenant: Option<i64>,
}

impl AuditLog {
    /// The tenant's own log, `t<ARS>`.
    pub fn tenant(tenant: &Tenant) -> AuditLog {
        AuditLog { name: format!("t{}", tenant.ars()), tenant: Some(tenant.id()) }
    }

    /// The operator's log, `operator`.
    pub fn operator(_: &Operator) -> AuditLog {
        AuditLog { name: OPERATOR_LOG.to_owned(), tenant: None }
    }

    /// The log a device of `tenant` uploaded, `d<device id>`. Whether the device is the tenant's is checked
    /// where it matters (an upload); a log of another tenant's device reads as an empty one.
    pub fn device(tenant: &Tenant, device_id: &str) -> AuditLog {
        AuditLog { name: format!("d{device_id}"), tenant: Some(tenant.id()) }
    }

    /// Its name as stored and checkpointed: `t<ARS>`, `operator` or `d<device id>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The log its records name: `desk` for a device's log, else its name.
    pub fn record_log(&self) -> &str {
        if self.is_device() { DESK_LOG } else { &self.name }
    }

    /// Whether it is a desk's uploaded log.
    pub fn is_device(&self) -> bool {
        self.name.starts_with('d')
    }

    /// The tenant's row id it belongs to, for the backends' statements (`None`: the operator's).
    pub(in crate::store) fn tenant_id(&self) -> Option<i64> {
        self.tenant
    }

    /// A log as stored, for maintenance over all tenants.
    pub(in crate::store) fn stored(name: String, tenant: Option<i64>) -> AuditLog {
        AuditLog { name, tenant }
    }
}

/// Who did it: an account id, a device id, or [`CLI`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    /// The administrators' command line.
    pub fn cli() -> Actor {
        Actor(CLI.to_owned())
    }
}

/// One thing done, to append: the store adds the log, the seq and the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Who.
    pub actor: String,
    /// What.
    pub action: Action,
    /// On what (an id); empty when nothing.
    pub object: String,
    /// Further ids, short texts and numbers.
    pub detail: BTreeMap<String, DetailValue>,
    /// When, Unix seconds.
    pub at: i64,
}

impl Event {
    /// `actor` did `action` at `at`, on nothing in particular.
    pub fn new(actor: &Actor, action: Action, at: i64) -> Event {
        Event { actor: actor.0.clone(), action, object: String::new(), detail: BTreeMap::new(), at }
    }

    /// Done on `object`.
    #[must_use]
    pub fn on(mut self, object: impl Into<String>) -> Event {
        self.object = object.into();
        self
    }

    /// With `key` set to the text `value`.
    #[must_use]
    pub fn text(mut self, key: &str, value: impl Into<String>) -> Event {
        self.detail.insert(key.to_owned(), DetailValue::Text(value.into()));
        self
    }

    /// With `key` set to the number `value`.
    #[must_use]
    pub fn number(mut self, key: &str, value: i64) -> Event {
        self.detail.insert(key.to_owned(), DetailValue::Number(value));
        self
    }

    /// The record to append after `head` in `log`.
    pub(in crate::store) fn record(self, log: &AuditLog, head: &Head) -> Result<Record, StoreError> {
        let seq =
            head.seq.checked_add(1).ok_or_else(|| StoreError::Corrupt(format!("audit log {} is full", log.name)))?;
        Ok(Record {
            version: audit::FORMAT_VERSION,
            log: log.record_log().to_owned(),
            seq,
            at: self.at,
            actor: self.actor,
            action: self.action,
            object: self.object,
            detail: self.detail,
        })
    }
}

/// A page of a log, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    /// At most [`AUDIT_PAGE`] entries, the newest first.
    pub entries: Vec<Entry>,
    /// The cursor of the next (older) page: pass it as `before`; `None` on the last page.
    pub next: Option<u64>,
}

/// What a desk's upload came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskAudit {
    /// The device log's head after the upload, named `d<device id>`.
    pub head: Head,
    /// The portal's checkpoint of that head.
    pub checkpoint: SignedCheckpoint,
}

/// A stored entry's columns, as a backend reads them.
#[derive(Debug, Clone)]
pub(in crate::store) struct EntryRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub object: Option<String>,
    pub detail: Option<String>,
    pub prev: Vec<u8>,
    pub hash: Vec<u8>,
}

/// The columns [`EntryRow`] is read from, in its order.
pub(in crate::store) const ENTRY_COLUMNS: &str = "seq, at, actor, action, object, detail, prev, hash";

impl EntryRow {
    /// The entry of `log` this row holds. Its hash is not checked here: that is [`verify_log`]'s job, and it
    /// must see a changed row as it is.
    pub fn into_entry(self, log: &AuditLog) -> Result<Entry, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("audit log {} seq {}: {what}", log.name, self.seq));
        let action = serde_json::from_value(serde_json::Value::String(self.action.clone()))
            .map_err(|_| corrupt(&format!("unknown action {:?}", self.action)))?;
        let detail = match self.detail.as_deref() {
            None | Some("") => BTreeMap::new(),
            Some(json) => serde_json::from_str(json).map_err(|e| corrupt(&format!("detail: {e}")))?,
        };
        let record = Record {
            version: audit::FORMAT_VERSION,
            log: log.record_log().to_owned(),
            seq: u64::try_from(self.seq).map_err(|_| corrupt("negative seq"))?,
            at: self.at,
            actor: self.actor,
            action,
            object: self.object.unwrap_or_default(),
            detail,
        };
        Ok(Entry {
            record,
            prev: hash32(&self.prev).ok_or_else(|| corrupt("prev"))?,
            hash: hash32(&self.hash).ok_or_else(|| corrupt("hash"))?,
        })
    }
}

/// An entry's columns to insert: action name and detail as JSON.
pub(in crate::store) fn entry_columns(entry: &Entry) -> Result<(String, String), StoreError> {
    let action = match serde_json::to_value(entry.record.action) {
        Ok(serde_json::Value::String(name)) => name,
        _ => return Err(StoreError::Corrupt("an audit action without a name".into())),
    };
    let detail = serde_json::to_string(&entry.record.detail)
        .map_err(|e| StoreError::Corrupt(format!("audit detail as JSON: {e}")))?;
    Ok((action, detail))
}

/// A stored hash.
pub(in crate::store) fn hash32(bytes: &[u8]) -> Option<Hash> {
    bytes.try_into().ok()
}

/// A stored head.
pub(in crate::store) fn head_of(log: &AuditLog, seq: i64, hash: &[u8]) -> Result<Head, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("audit head of {}", log.name));
    Ok(Head {
        log: log.record_log().to_owned(),
        seq: u64::try_from(seq).map_err(|_| corrupt())?,
        hash: hash32(hash).ok_or_else(corrupt)?,
    })
}

/// Checks a desk's upload against the device log's stored `head`: at most [`AUDIT_BATCH`] entries, each a
/// record of log `desk`, continuing the chain. A chain that does not continue is [`Refusal::AuditFork`].
pub(in crate::store) fn judge_desk_upload(head: &Head, entries: &[Entry]) -> Result<Head, StoreError> {
    if entries.len() > AUDIT_BATCH {
        return Err(StoreError::refused(
            Refusal::BadRequest,
            format!("{} audit entries, at most {AUDIT_BATCH} are taken at once", entries.len()),
        ));
    }
    audit::verify_continuing(head, entries).map_err(|broken| {
        StoreError::refused(
            Refusal::AuditFork,
            format!(
                "the audit entries do not continue the chain stored for this device (head at seq {}): {broken}",
                head.seq
            ),
        )
    })
}

/// The tenant log's entry for a desk's upload: `desk_checkpoint` by the device, on its log, with the new head.
pub(in crate::store) fn desk_checkpoint(
    device: &str,
    log: &AuditLog,
    head: &Head,
    at: i64,
) -> Result<Event, StoreError> {
    let hash: String = head.hash.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Event::new(&Actor(device.to_owned()), Action::DeskCheckpoint, at)
        .on(log.name())
        .number("seq", super::to_i64(head.seq)?)
        .text("hash", hash))
}

/// Signs the checkpoint of `log` at `head`.
pub(in crate::store) fn sign_checkpoint(
    log: &AuditLog,
    head: &Head,
    at: i64,
    key: &ring::signature::Ed25519KeyPair,
) -> Result<SignedCheckpoint, StoreError> {
    Checkpoint { log: log.name.clone(), seq: head.seq, hash: head.hash, at }
        .sign(key)
        .map_err(|e| StoreError::Corrupt(format!("audit checkpoint of {}: {e}", log.name)))
}

/// Verifies `log`'s entries (oldest first, from seq 1) and every stored checkpoint of it: each must be signed
/// with `public_key` (the portal's), name the log, and match the entry at its seq. Answers with the head, or
/// the first problem: the chain's own (changed, removed, reordered) first, then the checkpoints in seq order
/// (rewritten after one, or the entries cut off before it).
pub fn verify_log(
    log: &AuditLog,
    entries: &[Entry],
    checkpoints: &[SignedCheckpoint],
    public_key: &[u8],
) -> Result<Head, Broken> {
    let head = audit::verify(log.record_log(), entries, None).map_err(|broken| moved(entries, broken))?;
    let mut checkpoints: Vec<&SignedCheckpoint> = checkpoints.iter().collect();
    checkpoints.sort_by_key(|c| c.checkpoint.seq);
    for signed in checkpoints {
        let seq = signed.checkpoint.seq;
        let checkpoint =
            signed.verify(public_key).map_err(|_| Broken { seq, kind: BrokenKind::CheckpointSignature })?;
        if checkpoint.log != log.name {
            return Err(Broken { seq, kind: BrokenKind::CheckpointOfAnotherLog });
        }
        if seq > head.seq {
            return Err(Broken { seq: head.seq.saturating_add(1), kind: BrokenKind::Removed });
        }
        let index = usize::try_from(seq).ok().and_then(|s| s.checked_sub(1));
        match index.and_then(|i| entries.get(i)) {
            Some(entry) if entry.hash == checkpoint.hash => {}
            _ => return Err(Broken { seq, kind: BrokenKind::Rewritten }),
        }
    }
    Ok(head)
}

/// A stored entry's place is its seq column, which is hashed into the record: an entry moved to another
/// place (its row's seq changed) no longer recomputes there, which the chain calls changed. If the entry found
/// changed at a seq is intact with another seq of the log, it was moved: reordered.
fn moved(entries: &[Entry], broken: Broken) -> Broken {
    if broken.kind != BrokenKind::Changed {
        return broken;
    }
    let Some(entry) = entries.iter().find(|e| e.record.seq == broken.seq) else { return broken };
    let intact_elsewhere = entries.iter().map(|e| e.record.seq).filter(|seq| *seq != broken.seq).any(|seq| {
        let record = Record { seq, ..entry.record.clone() };
        audit::entry_hash(&entry.prev, &record).is_ok_and(|hash| hash == entry.hash)
    });
    if intact_elsewhere { Broken { seq: broken.seq, kind: BrokenKind::Reordered } } else { broken }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn log() -> AuditLog {
        AuditLog::stored("t059580000000".into(), Some(1))
    }

    fn chain(n: u64) -> Vec<Entry> {
        let log = log();
        let mut head = Head::empty(log.record_log());
        let mut out = Vec::new();
        for i in 0..n {
            let record = Event::new(&Actor::cli(), Action::DeviceAdd, 100 + i64::try_from(i).unwrap())
                .on(format!("device-{i}"))
                .record(&log, &head)
                .unwrap();
            let entry = audit::next(&head, record).unwrap();
            head = entry.head();
            out.push(entry);
        }
        out
    }

    fn key() -> Ed25519KeyPair {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
    }

    #[test]
    fn a_checkpoint_finds_a_consistent_rewrite_and_a_cut_off_end() {
        let key = key();
        let entries = chain(5);
        let checkpoint = sign_checkpoint(&log(), &entries[2].head(), 1, &key).unwrap();
        let public = key.public_key().as_ref();
        assert_eq!(verify_log(&log(), &entries, std::slice::from_ref(&checkpoint), public).unwrap().seq, 5);

        // The same log made anew from seq 2 on: consistent, but not what was signed.
        let mut rewritten = entries[..1].to_vec();
        let mut head = rewritten[0].head();
        for i in 1..5 {
            let record = Event::new(&Actor::cli(), Action::DeviceRevoke, 7).on(format!("x{i}")).record(&log(), &head);
            let entry = audit::next(&head, record.unwrap()).unwrap();
            head = entry.head();
            rewritten.push(entry);
        }
        let broken = verify_log(&log(), &rewritten, std::slice::from_ref(&checkpoint), public).unwrap_err();
        assert_eq!((broken.seq, broken.kind), (3, BrokenKind::Rewritten));

        let broken = verify_log(&log(), &entries[..2], std::slice::from_ref(&checkpoint), public).unwrap_err();
        assert_eq!((broken.seq, broken.kind), (3, BrokenKind::Removed));

        let other = key_other();
        let broken = verify_log(&log(), &entries, &[checkpoint], other.public_key().as_ref()).unwrap_err();
        assert_eq!((broken.seq, broken.kind), (3, BrokenKind::CheckpointSignature));
    }

    fn key_other() -> Ed25519KeyPair {
        key()
    }

    #[test]
    fn rows_swapped_by_seq_are_reordered_and_an_edited_row_is_changed() {
        let key = key();
        let public = key.public_key().as_ref().to_vec();
        let mut entries = chain(5);
        // What swapping the seq columns of rows 3 and 4 reads back as.
        let (mut third, mut fourth) = (entries[2].clone(), entries[3].clone());
        (third.record.seq, fourth.record.seq) = (4, 3);
        entries[2] = fourth;
        entries[3] = third;
        let broken = verify_log(&log(), &entries, &[], &public).unwrap_err();
        assert_eq!((broken.seq, broken.kind), (3, BrokenKind::Reordered));

        let mut entries = chain(5);
        entries[1].record.actor = "someone".into();
        let broken = verify_log(&log(), &entries, &[], &public).unwrap_err();
        assert_eq!((broken.seq, broken.kind), (2, BrokenKind::Changed));
    }

    #[test]
    fn rows_read_back_as_the_entries_written() {
        let entries = chain(2);
        let entry = &entries[1];
        let (action, detail) = entry_columns(entry).unwrap();
        let row = EntryRow {
            seq: 2,
            at: entry.record.at,
            actor: entry.record.actor.clone(),
            action,
            object: Some(entry.record.object.clone()),
            detail: Some(detail),
            prev: entry.prev.to_vec(),
            hash: entry.hash.to_vec(),
        };
        assert_eq!(&row.into_entry(&log()).unwrap(), entry);
    }

    #[test]
    fn a_desk_upload_must_continue_the_chain() {
        let desk = AuditLog::stored("d1".into(), Some(1));
        let mut head = Head::empty(DESK_LOG);
        let mut entries = Vec::new();
        for _ in 0..3 {
            let entry =
                audit::next(&head, Event::new(&Actor("1".into()), Action::Lock, 5).record(&desk, &head).unwrap())
                    .unwrap();
            head = entry.head();
            entries.push(entry);
        }
        let stored = judge_desk_upload(&Head::empty(DESK_LOG), &entries[..2]).unwrap();
        assert_eq!(judge_desk_upload(&stored, &entries[2..]).unwrap().seq, 3);
        let fork = judge_desk_upload(&stored, &entries[1..]).unwrap_err();
        assert!(matches!(fork, StoreError::Refused { kind: Refusal::AuditFork, .. }), "{fork:?}");
    }
}
