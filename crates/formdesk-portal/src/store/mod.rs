//! What the portal keeps, behind one [`Store`] trait with two backends: a SQLite file ([`sqlite`]) for a
//! single instance and PostgreSQL ([`postgres`]) for several stateless instances sharing one database.
//!
//! The rules of the protocol (when a repeat is the same call, when it is a conflict, how an upload resumes,
//! what an acceptance says) are decided here once, by plain functions over the rows a backend has loaded and
//! locked inside its transaction; the backends only read, lock and write. The server does not know which
//! backend it talks to.
//!
//! Non-goals: no plaintext of a submission ever reaches this module; it stores the ciphertext the desks send,
//! byte for byte, and the hashes of it.

pub mod accounts;
pub mod audit;
pub mod part;
pub mod postgres;
pub mod sqlite;
pub mod tenants;

pub use accounts::AccountStore;
pub use tenants::{NewTenant, Operator, SignedDevice, Tenant, TenantInfo};

use formdesk_protocol::acceptance::{Acceptance, PartHash};
use formdesk_protocol::wire::{Announce, AttachmentStatus, FormsChannelName, FormsReport, SubmissionStatus};
use formdesk_protocol::{PROTOCOL_VERSION, sha256_hex};
use ring::signature::Ed25519KeyPair;
use std::future::Future;
use std::ops::Range;

/// The schema version this portal writes. Each backend migrates forward to it and refuses a newer one.
/// Version 2 adds each device's form-update channel and its last report of the form set it runs; version 3
/// adds tenants (`tenant_id` on every tenant's row, in the keys of destinations, submissions and parts) and
/// the tables of the console's accounts and of the audit trail. A database of version 1 or 2 is migrated only
/// by `tenants adopt`, which names the municipality it served ([`StoreError::NeedsTenant`]). Version 4 adds the
/// app version each device last reported (`devices.app_version`).
pub const SCHEMA_VERSION: i64 = 4;

/// The first schema version with tenants.
pub const TENANT_VERSION: i64 = 3;

/// Why a request cannot be granted; the server turns each kind into its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The request is malformed (400).
    BadRequest,
    /// The submission or attachment is not this device's or does not exist (404).
    NotFound,
    /// The call contradicts what the portal already has (409).
    Conflict,
    /// A submission is submitted before all its attachments are complete (409).
    Incomplete,
    /// A part is larger than the portal takes (413).
    TooLarge,
    /// The destination is unknown (422).
    UnknownDestination,
    /// A part is not a JWE for the destination's key (422).
    InvalidPart,
    /// A desk's audit entries do not continue the chain the portal has of it (409).
    AuditFork,
}

/// Everything the store can answer instead of a result.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request cannot be granted; `message` says why, naming the id.
    #[error("{message}")]
    Refused {
        /// Which kind of refusal.
        kind: Refusal,
        /// What was wrong.
        message: String,
        /// The attachment's status, when an upload has to resume elsewhere.
        attachment: Option<AttachmentStatus>,
    },
    /// The database failed or is unreachable.
    #[error("database: {0}")]
    Database(String),
    /// The database was written by a newer portal.
    #[error(
        "the database has schema version {found}, newer than version {SCHEMA_VERSION} that this portal knows; \
         run a newer formdesk-portal"
    )]
    TooNew {
        /// The version found.
        found: i64,
    },
    /// The database was written by a portal for one municipality (schema version 1 or 2): it is migrated
    /// only by `tenants adopt`, which says which municipality it served.
    #[error(
        "the database has schema version {found}: it serves one municipality. Run `formdesk-portal tenants adopt \
         --ars … --name …` once to make it that municipality's tenant (take a copy of the database first, and let \
         the purge of picked-up submissions run before; see the README)"
    )]
    NeedsTenant {
        /// The version found.
        found: i64,
    },
    /// A stored value is not what this portal wrote.
    #[error("the database holds an unexpected value: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// A refusal of `kind` with `message`.
    pub fn refused(kind: Refusal, message: impl Into<String>) -> StoreError {
        StoreError::Refused { kind, message: message.into(), attachment: None }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Database(e.to_string())
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        // The plain text of a tokio-postgres error is only "db error"; the server's message says what failed.
        match e.as_db_error() {
            Some(db) => StoreError::Database(format!("{}: {}", db.code().code(), db.message())),
            None => StoreError::Database(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> StoreError {
        StoreError::Database(format!("no connection to PostgreSQL: {e}"))
    }
}

/// A desk the administrator registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Its id, a UUID.
    pub id: String,
    /// The administrator's name for it.
    pub name: String,
    /// Its Ed25519 public key, once it enrolled.
    pub public_key: Option<Vec<u8>>,
    /// SHA-256 (hex) of its normalized enrolment code.
    pub code_hash: String,
    /// Until when the code can be used, Unix seconds.
    pub code_expires_at: i64,
    /// When the administrator registered it.
    pub created_at: i64,
    /// When it enrolled.
    pub enrolled_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

/// How an enrolment went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrolment {
    /// The device enrolled now, or had enrolled with this very key before (a retry); and its tenant.
    Enrolled(Device, Tenant),
    /// No device has this code.
    UnknownCode,
    /// The code expired before it was used.
    Expired(i64),
    /// The device was revoked.
    Revoked(i64),
    /// The code was used with another key.
    OtherKey,
}

/// A destination: an authority's department and its RSA key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The key's id (`kid`).
    pub key_id: String,
    /// The key as SubjectPublicKeyInfo DER.
    pub public_key: Vec<u8>,
}

/// A device's place in the form-update channel: the channel it reads and what it last reported running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceForms {
    /// The device's id.
    pub device_id: String,
    /// The channel the administrators put it in (`all` unless they chose `pilot`).
    pub channel: FormsChannelName,
    /// Its last report, if it ever sent one.
    pub report: Option<StoredReport>,
    /// The app version it last reported, if it ever reported one.
    pub app_version: Option<String>,
}

/// A device's last report of its form set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    /// The channel of the set it runs (`pilot`, `all`, or `app` for the set it was built with).
    pub set_channel: String,
    /// The set's version.
    pub set_version: u64,
    /// SHA-256 of the set's manifest.
    pub manifest_sha256: String,
    /// When the set was published, as the desk said.
    pub published: String,
    /// When the report arrived, Unix seconds.
    pub reported_at: i64,
    /// The desk's error of its last check, if it failed.
    pub error: Option<String>,
}

/// The most characters of a desk's error text the portal keeps.
pub const REPORT_ERROR_CHARS: usize = 500;

/// Checks a desk's report; the error names the member that is wrong. The error text is cut to
/// [`REPORT_ERROR_CHARS`].
pub fn check_report(mut report: FormsReport) -> Result<FormsReport, StoreError> {
    let bad = |what: &str| StoreError::refused(Refusal::BadRequest, what.to_owned());
    let plain =
        |text: &str, most: usize| !text.is_empty() && text.len() <= most && text.bytes().all(|b| b.is_ascii_graphic());
    if !plain(&report.channel, 16) {
        return Err(bad("channel must be a short name such as all or pilot"));
    }
    if report.manifest_sha256.len() != 64 || !report.manifest_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("manifestSha256 must be 64 hex digits"));
    }
    if !plain(&report.published, 40) {
        return Err(bad("published must be an RFC 3339 time"));
    }
    if i64::try_from(report.set_version).is_err() {
        return Err(bad("setVersion is too large"));
    }
    if let Some(version) = &report.app_version
        && !plain(version, formdesk_protocol::wire::MAX_APP_VERSION_CHARS)
    {
        return Err(bad("appVersion must be a version such as 0.0.1: ASCII, at most 64 characters"));
    }
    report.manifest_sha256.make_ascii_lowercase();
    report.error = report.error.map(|e| e.chars().take(REPORT_ERROR_CHARS).collect());
    Ok(report)
}

/// The columns of a device's form-update channel, as a backend reads them ([`FORMS_COLUMNS`]).
#[derive(Debug, Clone, Default)]
pub struct FormsColumns {
    /// `id`.
    pub device_id: String,
    /// `forms_channel`.
    pub channel: String,
    /// `forms_set_channel`.
    pub set_channel: Option<String>,
    /// `forms_set_version`.
    pub set_version: Option<i64>,
    /// `forms_manifest_sha256`.
    pub manifest_sha256: Option<String>,
    /// `forms_published`.
    pub published: Option<String>,
    /// `forms_reported_at`.
    pub reported_at: Option<i64>,
    /// `forms_error`.
    pub error: Option<String>,
    /// `app_version`.
    pub app_version: Option<String>,
}

/// The columns [`FormsColumns`] is read from, in its order.
pub const FORMS_COLUMNS: &str = "id, forms_channel, forms_set_channel, forms_set_version, forms_manifest_sha256, \
                                 forms_published, forms_reported_at, forms_error, app_version";

impl FormsColumns {
    /// The device's place in the channel; a report is there once all its columns are.
    pub fn into_forms(self) -> Result<DeviceForms, StoreError> {
        let channel = parse_channel(&self.channel)?;
        let report = match (self.set_channel, self.set_version, self.manifest_sha256, self.published, self.reported_at)
        {
            (Some(set_channel), Some(version), Some(manifest_sha256), Some(published), Some(reported_at)) => {
                Some(StoredReport {
                    set_channel,
                    set_version: to_u64(version, "forms_set_version")?,
                    manifest_sha256,
                    published,
                    reported_at,
                    error: self.error,
                })
            }
            _ => None,
        };
        Ok(DeviceForms { device_id: self.device_id, channel, report, app_version: self.app_version })
    }
}

/// Reads a stored channel name.
pub fn parse_channel(text: &str) -> Result<FormsChannelName, StoreError> {
    FormsChannelName::parse(text).ok_or_else(|| StoreError::Corrupt(format!("forms channel {text:?}")))
}

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Announced, attachments coming.
    Announced,
    /// Accepted, waiting for the authority.
    Submitted,
    /// Exported by the authority.
    PickedUp,
}

impl State {
    /// The name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Announced => "announced",
            State::Submitted => "submitted",
            State::PickedUp => "picked_up",
        }
    }

    /// Reads a stored state.
    pub fn parse(text: &str) -> Result<State, StoreError> {
        match text {
            "announced" => Ok(State::Announced),
            "submitted" => Ok(State::Submitted),
            "picked_up" => Ok(State::PickedUp),
            other => Err(StoreError::Corrupt(format!("submission state {other:?}"))),
        }
    }
}

/// A submission's row, without its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRow {
    /// The desk's id of it.
    pub id: String,
    /// The device that announced it.
    pub device_id: String,
    /// Where it goes.
    pub destination_id: String,
    /// The announced attachment ids, in order.
    pub attachments: Vec<String>,
    /// Where it stands.
    pub state: State,
    /// SHA-256 of the metadata JWE, once submitted.
    pub metadata_sha256: Option<String>,
    /// SHA-256 of the data JWE, once submitted.
    pub data_sha256: Option<String>,
    /// The signed acceptance, once submitted.
    pub acceptance: Option<String>,
    /// Whether the ciphertext was deleted after pick-up.
    pub purged: bool,
}

/// One attachment's part, as far as it has arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRow {
    /// The attachment's id.
    pub attachment_id: String,
    /// The size the desk gave with its first piece.
    pub total: Option<u64>,
    /// Bytes received.
    pub received: u64,
    /// Whether all bytes are in and the part checked out.
    pub complete: bool,
    /// SHA-256 of the part, once complete.
    pub sha256: Option<String>,
}

impl PartRow {
    /// The part as the wire shows it.
    pub fn status(&self) -> AttachmentStatus {
        AttachmentStatus {
            id: self.attachment_id.clone(),
            received: self.received,
            total: self.total,
            complete: self.complete,
        }
    }
}

/// The status answer for a submission and its parts (in announced order).
pub fn status(row: &SubmissionRow, parts: &[PartRow]) -> SubmissionStatus {
    SubmissionStatus {
        id: row.id.clone(),
        destination_id: row.destination_id.clone(),
        state: row.state.as_str().to_owned(),
        attachments: parts.iter().map(PartRow::status).collect(),
        acceptance: row.acceptance.clone(),
    }
}

/// How an announcement went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announced {
    /// A new submission (201).
    Created(SubmissionStatus),
    /// The same announcement again (200).
    Repeated(SubmissionStatus),
}

/// A piece of an attachment as the desk sent it.
#[derive(Debug, Clone)]
pub struct Piece {
    /// Where the piece starts in the part.
    pub offset: u64,
    /// The part's whole size.
    pub total: u64,
    /// The piece's bytes.
    pub bytes: axum::body::Bytes,
    /// The largest part the portal takes.
    pub max_part: u64,
}

/// How an upload went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploaded {
    /// The piece is stored (or was already); the part's status.
    Stored(AttachmentStatus),
    /// The part was complete but is no JWE for the destination; it was discarded.
    Discarded(String),
}

/// A submitted submission's ciphertext, for the authority's export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The submission's id.
    pub id: String,
    /// The metadata JWE.
    pub metadata: String,
    /// The data JWE.
    pub data: String,
    /// Each attachment's id and JWE, in announced order.
    pub attachments: Vec<(String, String)>,
}

/// The portal's storage. Every method is one transaction; the server calls them from async code, and each
/// backend keeps the runtime free (SQLite on blocking threads, PostgreSQL through its async driver).
pub trait Store: Send + Sync + 'static {
    /// Answers once the database does.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The portal's Ed25519 acceptance key (PKCS#8). The first caller's `candidate` is stored and returned;
    /// every later caller, on any instance sharing the database, gets that same key.
    fn portal_key(&self, candidate: Vec<u8>) -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;

    /// Adds a tenant; refused if its ARS is taken. Recorded in the operator's log as done by `actor`.
    fn add_tenant(
        &self,
        operator: &Operator,
        tenant: NewTenant,
        actor: &audit::Actor,
    ) -> impl Future<Output = Result<Tenant, StoreError>> + Send;

    /// Every tenant, by ARS.
    fn tenants(&self, operator: &Operator) -> impl Future<Output = Result<Vec<TenantInfo>, StoreError>> + Send;

    /// The tenant's own name ("Stadt Herford"), which its enrolling desks learn; `None` if it is gone.
    fn tenant_name(&self, tenant: &Tenant) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Suspends a tenant: its desks are refused from now on. Suspending twice keeps the first time; `None` if
    /// no tenant has this ARS.
    fn suspend_tenant(
        &self,
        operator: &Operator,
        ars: formdesk_protocol::ids::Ars,
        now: i64,
    ) -> impl Future<Output = Result<Option<TenantInfo>, StoreError>> + Send;

    /// Tenant-free: the device a signature names, with its tenant (to check the signature and scope the
    /// request).
    fn device_for_signature(&self, id: String)
    -> impl Future<Output = Result<Option<SignedDevice>, StoreError>> + Send;

    /// Tenant-free: trades an enrolment code (by its hash) for the registration of `public_key`; the code
    /// finds the device and so its tenant. A suspended tenant's code answers as a revoked device's. The
    /// enrolment (not a retry) is recorded in the tenant's log, by the device.
    fn enrol_by_code(
        &self,
        code_hash: String,
        public_key: Vec<u8>,
        now: i64,
    ) -> impl Future<Output = Result<Enrolment, StoreError>> + Send;

    /// Registers a device of `tenant` that has not enrolled yet (its enrolment code issued), recorded in the
    /// tenant's log as done by `actor` at the device's `created_at`.
    fn add_device(
        &self,
        tenant: &Tenant,
        device: Device,
        actor: &audit::Actor,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every device of `tenant`, oldest first.
    fn devices(&self, tenant: &Tenant) -> impl Future<Output = Result<Vec<Device>, StoreError>> + Send;

    /// Revokes a device; `None` if `tenant` has none with this id. Revoking twice keeps the first time (and
    /// records only the first, by `actor`).
    fn revoke_device(
        &self,
        tenant: &Tenant,
        id: String,
        now: i64,
        actor: &audit::Actor,
    ) -> impl Future<Output = Result<Option<Device>, StoreError>> + Send;

    /// Puts a device into a channel of the form-update channel; `None` if `tenant` has no device with this id.
    /// Recorded in the tenant's log as done by `actor` at `now`.
    fn set_forms_channel(
        &self,
        tenant: &Tenant,
        id: String,
        channel: FormsChannelName,
        now: i64,
        actor: &audit::Actor,
    ) -> impl Future<Output = Result<Option<Device>, StoreError>> + Send;

    /// Keeps a device's report of its form set (checked with [`check_report`]) and returns the channel the
    /// device reads.
    fn report_forms(
        &self,
        tenant: &Tenant,
        device: String,
        report: FormsReport,
        now: i64,
    ) -> impl Future<Output = Result<FormsChannelName, StoreError>> + Send;

    /// Every device's place in the form-update channel, in the order of [`Store::devices`].
    fn devices_forms(&self, tenant: &Tenant) -> impl Future<Output = Result<Vec<DeviceForms>, StoreError>> + Send;

    /// Adds a destination of `tenant` or replaces its name and key; recorded in the tenant's log as done by
    /// `actor` at `now`.
    fn put_destination(
        &self,
        tenant: &Tenant,
        destination: Destination,
        now: i64,
        actor: &audit::Actor,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every destination of `tenant`, by id.
    fn destinations(&self, tenant: &Tenant) -> impl Future<Output = Result<Vec<Destination>, StoreError>> + Send;

    /// Announces submission `id` for `device` of `tenant`.
    fn announce(
        &self,
        tenant: &Tenant,
        device: String,
        id: String,
        announce: Announce,
        now: i64,
    ) -> impl Future<Output = Result<Announced, StoreError>> + Send;

    /// The status of `device`'s submission `id`; `None` for unknown ids and ids of other devices alike.
    fn submission(
        &self,
        tenant: &Tenant,
        device: String,
        id: String,
    ) -> impl Future<Output = Result<Option<SubmissionStatus>, StoreError>> + Send;

    /// Stores a piece of an attachment.
    fn upload(
        &self,
        tenant: &Tenant,
        device: String,
        id: String,
        attachment: String,
        piece: Piece,
    ) -> impl Future<Output = Result<Uploaded, StoreError>> + Send;

    /// Completes a submission with its metadata and data, signing the acceptance with `key` at `now`.
    #[expect(clippy::too_many_arguments, reason = "one transaction's inputs, each named")]
    fn submit(
        &self,
        tenant: &Tenant,
        device: String,
        id: String,
        metadata: String,
        data: String,
        now: i64,
        key: std::sync::Arc<Ed25519KeyPair>,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;

    /// The ids of the submitted, not yet picked-up submissions for `destination`, oldest first.
    fn pending(
        &self,
        tenant: &Tenant,
        destination: String,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// The ciphertext of a submitted submission.
    fn delivery(&self, tenant: &Tenant, id: String) -> impl Future<Output = Result<Delivery, StoreError>> + Send;

    /// Marks a submission picked up by the authority; the first time is recorded in the tenant's log as done
    /// by `actor` (on the destination, naming the submission).
    fn mark_picked_up(
        &self,
        tenant: &Tenant,
        id: String,
        now: i64,
        actor: &audit::Actor,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Maintenance over all tenants, returning only a count: deletes the ciphertext of submissions picked up
    /// at or before `before`, keeping ids, times and the acceptance. Returns how many were purged.
    fn purge_picked_up(&self, before: i64, now: i64) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Maintenance over all tenants, a count for the operator's "Zustand": submissions picked up at or before
    /// `before` whose ciphertext is not deleted yet (the purge runs hourly, so more than a few means it fails).
    fn purge_backlog(&self, operator: &Operator, before: i64) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Appends `event` to `log` in a transaction of its own, for an action that writes nothing else (a
    /// sign-in). See [`audit`].
    fn append_audit(
        &self,
        log: audit::AuditLog,
        event: audit::Event,
    ) -> impl Future<Output = Result<formdesk_protocol::audit::Entry, StoreError>> + Send;

    /// A page of `log`, the newest first: at most [`audit::AUDIT_PAGE`] entries before seq `before` (the
    /// previous page's `next`), or the newest ones.
    fn audit_page(
        &self,
        log: audit::AuditLog,
        before: Option<u64>,
    ) -> impl Future<Output = Result<audit::AuditPage, StoreError>> + Send;

    /// The logs of `tenant` (its own and its devices') that have entries, by name, with their heads.
    fn audit_heads(
        &self,
        tenant: &Tenant,
    ) -> impl Future<Output = Result<Vec<(audit::AuditLog, formdesk_protocol::audit::Head)>, StoreError>> + Send;

    /// Every log of every tenant and the operator's, by name.
    fn audit_logs(&self, operator: &Operator) -> impl Future<Output = Result<Vec<audit::AuditLog>, StoreError>> + Send;

    /// At most `limit` (and at most [`audit::AUDIT_BATCH`]) entries of `log` after seq `after`, the oldest
    /// first, as stored (for verifying).
    fn audit_entries(
        &self,
        log: audit::AuditLog,
        after: u64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<formdesk_protocol::audit::Entry>, StoreError>> + Send;

    /// The stored checkpoints of `log`, by seq.
    fn audit_checkpoints(
        &self,
        log: audit::AuditLog,
    ) -> impl Future<Output = Result<Vec<formdesk_protocol::audit::SignedCheckpoint>, StoreError>> + Send;

    /// Maintenance over all tenants: signs with `key` and stores a checkpoint at `now` of each log whose head
    /// moved since its last checkpoint; returns them.
    fn write_audit_checkpoints(
        &self,
        key: std::sync::Arc<Ed25519KeyPair>,
        now: i64,
    ) -> impl Future<Output = Result<Vec<formdesk_protocol::audit::SignedCheckpoint>, StoreError>> + Send;

    /// Appends a desk's uploaded entries (records of log `desk`) to the log of `device` of `tenant`, if they
    /// continue it ([`Refusal::AuditFork`] if not, and nothing is appended), and answers with the new head and
    /// the portal's checkpoint of it, signed with `key` at `now`. An unknown device (or another tenant's) is
    /// [`Refusal::NotFound`].
    fn append_desk_audit(
        &self,
        tenant: &Tenant,
        device: String,
        entries: Vec<formdesk_protocol::audit::Entry>,
        key: std::sync::Arc<Ed25519KeyPair>,
        now: i64,
    ) -> impl Future<Output = Result<audit::DeskAudit, StoreError>> + Send;
}

/// SHA-256 of an enrolment code as the store keeps it: the code itself is never stored.
pub fn code_hash(normalized_code: &str) -> String {
    sha256_hex(normalized_code.as_bytes())
}

/// What an enrolment code does for a key, decided by [`judge_enrolment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolDecision {
    /// Store the key: the device enrols now.
    Register,
    /// The device enrolled with this key before; answer as then.
    Same,
    /// The device enrolled with another key.
    OtherKey,
    /// The code expired unused.
    Expired,
    /// The device was revoked.
    Revoked,
}

/// Decides what presenting `device`'s code with `public_key` at `now` does.
pub fn judge_enrolment(device: &Device, public_key: &[u8], now: i64) -> EnrolDecision {
    if device.revoked_at.is_some() {
        return EnrolDecision::Revoked;
    }
    match &device.public_key {
        Some(known) if known.as_slice() == public_key => EnrolDecision::Same,
        Some(_) => EnrolDecision::OtherKey,
        None if now > device.code_expires_at => EnrolDecision::Expired,
        None => EnrolDecision::Register,
    }
}

/// The outcome of a decision that stores nothing.
pub fn enrolment_outcome(decision: EnrolDecision, device: Device, tenant: Tenant) -> Enrolment {
    match decision {
        EnrolDecision::Register | EnrolDecision::Same => Enrolment::Enrolled(device, tenant),
        EnrolDecision::OtherKey => Enrolment::OtherKey,
        EnrolDecision::Expired => Enrolment::Expired(device.code_expires_at),
        EnrolDecision::Revoked => Enrolment::Revoked(device.revoked_at.unwrap_or_default()),
    }
}

/// The refusal for a destination that does not exist.
pub fn unknown_destination(id: &str) -> StoreError {
    StoreError::refused(Refusal::UnknownDestination, format!("destination {id} is not known to this portal"))
}

/// The refusal for an attachment that was not announced.
pub fn attachment_not_found(id: &str, attachment: &str) -> StoreError {
    StoreError::refused(Refusal::NotFound, format!("attachment {attachment} was not announced for submission {id}"))
}

/// Checks an announcement against the submission already stored under its id. `Ok` means the same
/// announcement again.
pub fn judge_announce(existing: &SubmissionRow, device: &str, announce: &Announce) -> Result<(), StoreError> {
    if existing.device_id != device {
        // Another desk's id: say nothing about that submission.
        return Err(StoreError::refused(Refusal::Conflict, format!("submission id {} is taken", existing.id)));
    }
    if existing.destination_id != announce.destination_id {
        return Err(StoreError::refused(
            Refusal::Conflict,
            format!(
                "submission {} was announced for destination {}, not {}",
                existing.id, existing.destination_id, announce.destination_id
            ),
        ));
    }
    if existing.attachments != announce.attachments {
        return Err(StoreError::refused(
            Refusal::Conflict,
            format!(
                "submission {} was announced with attachments [{}], not [{}]",
                existing.id,
                existing.attachments.join(", "),
                announce.attachments.join(", ")
            ),
        ));
    }
    Ok(())
}

/// What a backend does with a piece, decided by [`plan_upload`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadPlan {
    /// The stored bytes the start of the piece repeats, which must be equal.
    pub compare: Option<Range<u64>>,
    /// Where in the piece the new bytes start (they go at `received`).
    pub append_from: usize,
    /// Whether the part is complete with this piece and has to be checked.
    pub completes: bool,
}

/// Decides what to do with a piece of attachment `part` of submission `row`.
pub fn plan_upload(row: &SubmissionRow, part: &PartRow, piece: &Piece) -> Result<UploadPlan, StoreError> {
    let name = &part.attachment_id;
    if piece.total > piece.max_part {
        return Err(StoreError::refused(
            Refusal::TooLarge,
            format!(
                "attachment {name}: total {} is more than the {} bytes a part may have",
                piece.total, piece.max_part
            ),
        ));
    }
    if let Some(total) = part.total
        && total != piece.total
    {
        return Err(StoreError::refused(
            Refusal::Conflict,
            format!("attachment {name}: its total was given as {total} bytes, now as {}", piece.total),
        ));
    }
    let len = u64::try_from(piece.bytes.len()).unwrap_or(u64::MAX);
    let end = piece.offset.checked_add(len).filter(|end| *end <= piece.total).ok_or_else(|| {
        StoreError::refused(
            Refusal::BadRequest,
            format!(
                "attachment {name}: {len} bytes at offset {} go beyond the total of {} bytes",
                piece.offset, piece.total
            ),
        )
    })?;
    if piece.offset > part.received {
        return Err(StoreError::Refused {
            kind: Refusal::Conflict,
            message: format!(
                "attachment {name}: offset {} is beyond the {} bytes received; resume at {}",
                piece.offset, part.received, part.received
            ),
            attachment: Some(part.status()),
        });
    }
    if row.state != State::Announced && row.purged {
        return Err(StoreError::refused(
            Refusal::Conflict,
            format!("submission {} was picked up and its parts are deleted", row.id),
        ));
    }
    let repeated_end = end.min(part.received);
    let compare = (piece.offset < repeated_end).then_some(piece.offset..repeated_end);
    let append_from =
        usize::try_from(part.received.saturating_sub(piece.offset)).unwrap_or(usize::MAX).min(piece.bytes.len());
    let completes = !part.complete && end.max(part.received) == piece.total;
    Ok(UploadPlan { compare, append_from, completes })
}

/// The bytes `range` of a part out of its stored chunks (each with its offset, in order).
pub fn stored_range(chunks: &[(u64, Vec<u8>)], range: &Range<u64>) -> Vec<u8> {
    let mut out = Vec::new();
    for (offset, bytes) in chunks {
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let (start, end) = ((*offset).max(range.start), offset.saturating_add(len).min(range.end));
        if start < end {
            // start >= offset and end > start, so neither difference can wrap.
            let from = usize::try_from(start.saturating_sub(*offset)).unwrap_or(usize::MAX);
            let to = usize::try_from(end.saturating_sub(*offset)).unwrap_or(usize::MAX);
            if let Some(slice) = bytes.get(from..to) {
                out.extend_from_slice(slice);
            }
        }
    }
    out
}

/// Checks a repeated piece against what is stored.
pub fn check_repeat(name: &str, stored: &[u8], piece: &[u8], range: &Range<u64>) -> Result<(), StoreError> {
    let len = usize::try_from(range.end.saturating_sub(range.start)).unwrap_or(usize::MAX);
    if stored.len() != len || piece.get(..len) != Some(stored) {
        return Err(StoreError::refused(
            Refusal::Conflict,
            format!(
                "attachment {name}: bytes {}..{} differ from the bytes received before at that place",
                range.start, range.end
            ),
        ));
    }
    Ok(())
}

/// Checks that `part` is a JWE in compact serialisation sealed for the key `kid`, with the algorithms of the
/// protocol, and returns its hash and size. The error says what is wrong, naming the part.
pub fn check_part(name: &str, part: &[u8], kid: &str) -> Result<part::Checked, String> {
    let mut check = part::PartCheck::new(name);
    check.update(part);
    check.finish(kid)
}

/// What [`judge_submit`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitAction {
    /// The same submit again: the stored acceptance.
    Repeat(String),
    /// Store the parts with these hashes and the signed acceptance.
    Accept {
        /// SHA-256 of the metadata JWE.
        metadata_sha256: String,
        /// SHA-256 of the data JWE.
        data_sha256: String,
        /// The signed acceptance.
        acceptance: String,
    },
}

/// Decides a submit of `row` (whose parts are `parts`, in announced order) for a destination with key `kid`.
pub fn judge_submit(
    row: &SubmissionRow,
    parts: &[PartRow],
    metadata: &str,
    data: &str,
    kid: &str,
    now: i64,
    key: &Ed25519KeyPair,
) -> Result<SubmitAction, StoreError> {
    let metadata_check = check_part("metadata", metadata.as_bytes(), kid);
    let data_check = check_part("data", data.as_bytes(), kid);
    let metadata_sha256 =
        metadata_check.as_ref().map_or_else(|_| sha256_hex(metadata.as_bytes()), |c| c.sha256.clone());
    let data_sha256 = data_check.as_ref().map_or_else(|_| sha256_hex(data.as_bytes()), |c| c.sha256.clone());
    if row.state != State::Announced {
        let same = row.metadata_sha256.as_deref() == Some(metadata_sha256.as_str())
            && row.data_sha256.as_deref() == Some(data_sha256.as_str());
        return match (&row.acceptance, same) {
            (Some(acceptance), true) => Ok(SubmitAction::Repeat(acceptance.clone())),
            (_, false) => Err(StoreError::refused(
                Refusal::Conflict,
                format!("submission {} was submitted with other metadata or data", row.id),
            )),
            (None, true) => Err(StoreError::Corrupt(format!("submission {} is submitted without acceptance", row.id))),
        };
    }
    for part in parts {
        if !part.complete {
            let total = part.total.map_or_else(|| "an unknown number of".to_owned(), |t| t.to_string());
            return Err(StoreError::refused(
                Refusal::Incomplete,
                format!("attachment {} is incomplete: {} of {total} bytes received", part.attachment_id, part.received),
            ));
        }
    }
    for check in [metadata_check, data_check] {
        check.map_err(|m| StoreError::refused(Refusal::InvalidPart, m))?;
    }
    let mut hashes = vec![
        PartHash { name: "metadata".into(), sha256: metadata_sha256.clone(), size: len(metadata) },
        PartHash { name: "data".into(), sha256: data_sha256.clone(), size: len(data) },
    ];
    for part in parts {
        let sha256 = part.sha256.clone().ok_or_else(|| {
            StoreError::Corrupt(format!("attachment {} is complete without hash", part.attachment_id))
        })?;
        hashes.push(PartHash {
            name: format!("attachment:{}", part.attachment_id),
            sha256,
            size: part.total.unwrap_or(part.received),
        });
    }
    let acceptance = Acceptance {
        format_version: PROTOCOL_VERSION,
        submission_id: row.id.clone(),
        destination_id: row.destination_id.clone(),
        device_id: row.device_id.clone(),
        accepted_at: now,
        parts: hashes,
    }
    .sign(key);
    Ok(SubmitAction::Accept { metadata_sha256, data_sha256, acceptance })
}

fn len(text: &str) -> u64 {
    u64::try_from(text.len()).unwrap_or(u64::MAX)
}

/// The bytes received after appending `new` bytes to `received`; a sum past `u64` (which `plan_upload`'s
/// limits rule out) is refused rather than wrapped.
pub fn received_after(received: u64, new: usize) -> Result<u64, StoreError> {
    u64::try_from(new)
        .ok()
        .and_then(|new| received.checked_add(new))
        .ok_or_else(|| StoreError::refused(Refusal::TooLarge, format!("{received} + {new} bytes is too large")))
}

/// Converts a stored count to `u64`.
pub fn to_u64(value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} is {value}")))
}

/// Converts a count to the signed integer the databases store.
pub fn to_i64(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::refused(Refusal::TooLarge, format!("{value} is too large")))
}

/// The attachment list as stored: a JSON array of ids.
pub fn attachments_json(ids: &[String]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads the stored attachment list.
pub fn parse_attachments(json: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("attachment list {json:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> SubmissionRow {
        SubmissionRow {
            id: "s".into(),
            device_id: "d".into(),
            destination_id: "amt".into(),
            attachments: vec!["a".into()],
            state: State::Announced,
            metadata_sha256: None,
            data_sha256: None,
            acceptance: None,
            purged: false,
        }
    }

    fn part(received: u64, total: Option<u64>) -> PartRow {
        PartRow { attachment_id: "a".into(), total, received, complete: false, sha256: None }
    }

    fn piece(offset: u64, total: u64, bytes: &'static [u8]) -> Piece {
        Piece { offset, total, bytes: axum::body::Bytes::from_static(bytes), max_part: 100 }
    }

    #[test]
    fn uploads_append_repeat_and_overlap() {
        let plan = plan_upload(&row(), &part(0, None), &piece(0, 10, b"abcd")).unwrap();
        assert_eq!(plan, UploadPlan { compare: None, append_from: 0, completes: false });
        let plan = plan_upload(&row(), &part(4, Some(10)), &piece(2, 10, b"cdefghij")).unwrap();
        assert_eq!(plan, UploadPlan { compare: Some(2..4), append_from: 2, completes: true });
        let plan = plan_upload(&row(), &part(4, Some(10)), &piece(0, 10, b"abcd")).unwrap();
        assert_eq!(plan, UploadPlan { compare: Some(0..4), append_from: 4, completes: false });
    }

    #[test]
    fn uploads_refuse_gaps_changed_totals_and_oversize() {
        let refusal = |r: Result<UploadPlan, StoreError>| match r {
            Err(StoreError::Refused { kind, .. }) => kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(refusal(plan_upload(&row(), &part(4, Some(10)), &piece(5, 10, b"x"))), Refusal::Conflict);
        assert_eq!(refusal(plan_upload(&row(), &part(4, Some(10)), &piece(4, 11, b"x"))), Refusal::Conflict);
        assert_eq!(refusal(plan_upload(&row(), &part(0, None), &piece(0, 101, b"x"))), Refusal::TooLarge);
        assert_eq!(refusal(plan_upload(&row(), &part(0, None), &piece(9, 10, b"xx"))), Refusal::BadRequest);
    }

    #[test]
    fn stored_ranges_span_chunks() {
        let chunks = vec![(0, b"abc".to_vec()), (3, b"defg".to_vec())];
        assert_eq!(stored_range(&chunks, &(1..5)), b"bcde");
        assert_eq!(stored_range(&chunks, &(3..7)), b"defg");
        assert!(check_repeat("a", b"bcde", b"bcdexyz", &(1..5)).is_ok());
        assert!(check_repeat("a", b"bcde", b"bXde", &(1..5)).is_err());
    }

    #[test]
    fn enrolment_codes_work_once_and_until_they_expire() {
        let mut device = Device {
            id: "d".into(),
            name: "Bürgerbus 1".into(),
            public_key: None,
            code_hash: code_hash("0000111111110000"),
            code_expires_at: 1_000,
            created_at: 0,
            enrolled_at: None,
            revoked_at: None,
        };
        assert_eq!(judge_enrolment(&device, b"k", 1_000), EnrolDecision::Register);
        assert_eq!(judge_enrolment(&device, b"k", 1_001), EnrolDecision::Expired);
        device.public_key = Some(b"k".to_vec());
        // A retry after the code expired still gets the answer it lost.
        assert_eq!(judge_enrolment(&device, b"k", 5_000), EnrolDecision::Same);
        assert_eq!(judge_enrolment(&device, b"j", 500), EnrolDecision::OtherKey);
        device.revoked_at = Some(600);
        assert_eq!(judge_enrolment(&device, b"k", 700), EnrolDecision::Revoked);
        let tenant = Tenant::new(1, formdesk_protocol::ids::Ars::parse("059580000000").unwrap());
        assert_eq!(enrolment_outcome(EnrolDecision::Revoked, device, tenant), Enrolment::Revoked(600));
    }

    #[test]
    fn another_devices_id_reveals_nothing() {
        let announce = Announce { destination_id: "other".into(), attachments: vec![] };
        let err = judge_announce(&row(), "e", &announce).unwrap_err().to_string();
        assert_eq!(err, "submission id s is taken");
    }

    #[test]
    fn a_report_names_a_bad_app_version() {
        let report = |app_version: Option<&str>| FormsReport {
            channel: "all".into(),
            set_version: 1,
            manifest_sha256: "ab".repeat(32),
            published: "2026-12-06T10:00:00Z".into(),
            error: None,
            app_version: app_version.map(str::to_owned),
        };
        assert_eq!(check_report(report(Some("0.0.1"))).unwrap().app_version.as_deref(), Some("0.0.1"));
        assert_eq!(check_report(report(None)).unwrap().app_version, None);
        for bad in ["", "0.0.1 beta", "0.0.1-é", &"1".repeat(65)] {
            let err = check_report(report(Some(bad))).unwrap_err().to_string();
            assert!(err.contains("appVersion"), "{bad:?}: {err}");
        }
        assert!(check_report(report(Some(&"1".repeat(64)))).is_ok());
    }
}
