//! The desk's encrypted store: nothing readable on a lost laptop, nothing lost in a crash.
//!
//! One SQLite file (`vault.sqlite3` in the data directory) in WAL mode with `secure_delete` on and
//! temporary tables in memory. Every draft, submission and attachment is AES-256-GCM ciphertext under a
//! data key of its own submission; submission keys are wrapped by the vault key; the vault key is wrapped
//! for each clerk under a key derived from their PIN by Argon2id, and once more under the administrator's
//! recovery secret. Destroying a submission's wrapped key (shredding) leaves only ciphertext nobody can
//! open, and `secure_delete` overwrites the freed pages as well.
//!
//! Durability: a draft change is committed with `synchronous=NORMAL` (survives a crash of the app; WAL),
//! finalization with `synchronous=FULL` (survives a power cut). A call that returned `Ok` is on disk.
//!
//! The audit trail ([`audit`]) is plain: an append-only hash chain of ids, written in the transaction of the
//! action it records.
//!
//! Non-goals: what the data means. The vault stores opaque bytes; the desk decides their format.

pub mod audit;
mod crypto;
mod kdf;
pub mod outbox;
mod private;
mod schema;

pub use audit::{AuditEvent, StoredEntry, Verdict};
pub use crypto::{AAD_SCHEMA, CryptoError, ENVELOPE_VERSION, MAGIC};
pub use kdf::{KdfParams, MIN_PIN_LEN, RecoverySecret};
pub use outbox::{Delivery, Outbox, OutboxEntry, Queued, Registration, SealedPart, StoredDestination};
pub use private::{DIR_MODE, FILE_MODE};

use crypto::{Aad, Key};
use formdesk_protocol::audit::Action;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// The layout version this code writes and reads (the number of schema migrations).
pub fn layout_version() -> u32 {
    schema::current_version()
}

/// The vault's file in the data directory.
pub const FILE_NAME: &str = "vault.sqlite3";

/// Size of an attachment's chunks before encryption.
pub const CHUNK_SIZE: usize = 256 * 1024;

/// Wrong PINs in a row that are answered at once; from then on each further attempt waits longer.
pub const FREE_ATTEMPTS: u32 = 3;

/// Seconds since the Unix epoch, as the vault's clock gives them.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub(crate) fn system_clock() -> Clock {
    Arc::new(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0)))
}

/// A submission's number in this vault.
pub type SubmissionId = i64;

/// Where a submission is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Being filled in; can change.
    Draft,
    /// Final: no more changes; waits for delivery.
    Final,
    /// Its plaintext is gone for good; what remains is what a receipt lookup needs.
    Shredded,
}

impl Status {
    /// The word stored in the file: `draft`, `final`, `shredded`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Final => "final",
            Self::Shredded => "shredded",
        }
    }

    fn parse(text: &str) -> Result<Self, VaultError> {
        match text {
            "draft" => Ok(Self::Draft),
            "final" => Ok(Self::Final),
            "shredded" => Ok(Self::Shredded),
            other => Err(VaultError::Corrupt(format!("unknown submission status {other:?}"))),
        }
    }
}

/// A submission as the work list shows it: plain metadata and, decrypted, its summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    pub id: SubmissionId,
    /// The id under which it travels to the portal.
    pub uuid: String,
    pub form_id: String,
    pub form_version: String,
    pub status: Status,
    pub created_at: i64,
    pub updated_at: i64,
    pub finalized_at: Option<i64>,
    /// How often its data was saved.
    pub revision: i64,
    /// The form set it was begun on; `None` for submissions begun before sets were pinned.
    pub pin: Option<FormPin>,
    /// The summary (typically the citizen's name); empty once shredded.
    pub summary: String,
    /// Why the summary could not be read (damaged or changed in the file); `None` when it was.
    pub damaged: Option<String>,
}

/// The form set and form text a submission was begun on (plain: hashes, no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPin {
    /// The SHA-256 of the form set's manifest (lowercase hex).
    pub set_sha256: String,
    /// The SHA-256 of the form's definition (lowercase hex).
    pub form_sha256: String,
}

/// What the vault holds of one submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub item: WorkItem,
    /// The data as last saved; `None` once shredded.
    pub data: Option<Vec<u8>>,
}

/// A submission's receipt as kept: its reference, and the PDF unless shredded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReceipt {
    pub reference: String,
    pub pdf: Option<Zeroizing<Vec<u8>>>,
}

/// An attachment's name and media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: u64,
}

/// What went wrong, in words a clerk's support can act on. Never contains personal data.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the vault is locked; unlock it with a PIN first")]
    Locked,
    #[error("the vault has not been set up yet")]
    NotInitialized,
    #[error("the vault is set up already")]
    AlreadyInitialized,
    #[error("no clerk named {0:?} on this desk")]
    UnknownClerk(String),
    #[error("a clerk named {0:?} exists already")]
    ClerkExists(String),
    #[error("wrong PIN ({attempts} wrong in a row)")]
    WrongPin { attempts: u32 },
    #[error("too many wrong PINs: try again in {seconds} s")]
    Blocked { seconds: i64 },
    #[error("the recovery secret is wrong")]
    WrongRecoverySecret,
    #[error("the recovery secret is not well-formed: {0}")]
    MalformedRecoverySecret(String),
    #[error("the PIN is too short: at least {min} characters")]
    PinTooShort { min: usize },
    #[error("submission {0} does not exist")]
    UnknownSubmission(SubmissionId),
    #[error("attachment {0} does not exist")]
    UnknownAttachment(i64),
    #[error("submission {id} is {status:?}; {action} is not possible")]
    WrongState { id: SubmissionId, status: Status, action: &'static str },
    #[error("submission {id}: {place} does not decrypt: the vault file was changed or damaged ({source})")]
    Tampered { id: SubmissionId, place: String, source: CryptoError },
    #[error("the vault file is damaged: {0}")]
    Corrupt(String),
    #[error("the vault was written by a newer Formdesk (layout {found}; this one knows up to {known})")]
    TooNew { found: u32, known: u32 },
    #[error("the disk is full: nothing was changed; free some space and try again")]
    DiskFull,
    #[error("the data directory {0} cannot be written: nothing was changed")]
    ReadOnly(PathBuf),
    #[error("cannot open the data directory {path}: {source}")]
    Directory { path: PathBuf, source: std::io::Error },
    #[error("reading the attachment failed: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("the audit log: {0}")]
    Audit(String),
    #[error("database error: {0}")]
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for VaultError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => Self::DiskFull,
            Some(ErrorCode::ReadOnly) => Self::ReadOnly(PathBuf::new()),
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Self::Corrupt(error.to_string()),
            _ => Self::Sql(error),
        }
    }
}

/// The keys of an unlocked vault. Dropping it zeroizes them.
struct Unlocked {
    vault_key: Key,
    clerk: String,
    /// The clerk's id in `clerks`: who the audit trail says did what.
    clerk_id: i64,
}

/// The encrypted store of one desk. Starts locked.
pub struct Vault {
    conn: Connection,
    dir: PathBuf,
    unlocked: Option<Unlocked>,
    clock: Clock,
    /// Attachments being written part by part, by attachment id.
    uploads: BTreeMap<i64, Upload>,
}

/// An attachment being written: the bytes received that do not yet fill a chunk (at most one chunk's worth
/// is held back, so that the last chunk can be marked as last when the writer says so).
struct Upload {
    submission: SubmissionId,
    pending: Zeroizing<Vec<u8>>,
    size: u64,
    chunks: i64,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("dir", &self.dir).field("unlocked", &self.unlocked.is_some()).finish()
    }
}

impl Vault {
    /// Opens the vault in `dir`, creating the directory and the file if needed, and brings the file to the
    /// current layout. The vault is locked.
    pub fn open(dir: &Path) -> Result<Self, VaultError> {
        Self::open_with_clock(dir, system_clock())
    }

    /// [`Vault::open`] with a clock of the caller's (tests move time on).
    pub fn open_with_clock(dir: &Path, clock: Clock) -> Result<Self, VaultError> {
        private::make_private(dir).map_err(|source| VaultError::Directory { path: dir.to_owned(), source })?;
        let path = dir.join(FILE_NAME);
        private::create_private_file(&path).map_err(|source| match source.kind() {
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                VaultError::ReadOnly(dir.to_owned())
            }
            _ => VaultError::Directory { path: dir.to_owned(), source },
        })?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| match VaultError::from(e) {
            VaultError::ReadOnly(_) => VaultError::ReadOnly(dir.to_owned()),
            VaultError::Sql(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) => {
                VaultError::ReadOnly(dir.to_owned())
            }
            other => other,
        })?;
        let mut vault = Self { conn, dir: dir.to_owned(), unlocked: None, clock, uploads: BTreeMap::new() };
        vault.configure().map_err(|e| vault.name_read_only(e))?;
        vault.migrate().map_err(|e| vault.name_read_only(e))?;
        vault.sweep_incomplete();
        Ok(vault)
    }

    /// Deletes attachments whose writing a crash or a lock cut off. Best effort: in a read-only folder they
    /// stay, and every query skips them anyway.
    fn sweep_incomplete(&self) {
        let any: Result<bool, _> =
            self.conn.query_row("SELECT EXISTS (SELECT 1 FROM attachments WHERE complete = 0)", [], |r| r.get(0));
        if any.unwrap_or(false) {
            let _ = self.conn.execute("DELETE FROM attachments WHERE complete = 0", []);
        }
    }

    fn name_read_only(&self, error: VaultError) -> VaultError {
        match error {
            VaultError::ReadOnly(_) => VaultError::ReadOnly(self.dir.clone()),
            other => other,
        }
    }

    fn configure(&self) -> Result<(), VaultError> {
        // WAL: readers never block the writer, and a crash leaves every committed transaction intact.
        let mode: String = self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(VaultError::Corrupt(format!("the vault cannot use a write-ahead log (journal mode {mode})")));
        }
        self.conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA secure_delete = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;",
        )?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), VaultError> {
        let found: u32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = schema::current_version();
        if found > known {
            return Err(VaultError::TooNew { found, known });
        }
        for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", index + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Limits the file to `pages` database pages, as a full disk would. For tests of the full-disk path.
    pub fn limit_pages(&self, pages: u32) -> Result<(), VaultError> {
        self.conn.pragma_update(None, "max_page_count", pages)?;
        Ok(())
    }

    fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Whether the vault has been set up (a first clerk and the recovery secret exist).
    pub fn is_initialized(&self) -> Result<bool, VaultError> {
        Ok(self.conn.query_row("SELECT EXISTS (SELECT 1 FROM vault)", [], |r| r.get(0))?)
    }

    /// Whether the keys are in memory.
    pub fn is_unlocked(&self) -> bool {
        self.unlocked.is_some()
    }

    /// The clerk who unlocked the vault.
    pub fn clerk(&self) -> Option<&str> {
        self.unlocked.as_ref().map(|u| u.clerk.as_str())
    }

    /// The names of the clerks who can unlock this vault.
    pub fn clerks(&self) -> Result<Vec<String>, VaultError> {
        let mut statement = self.conn.prepare("SELECT name FROM clerks ORDER BY name")?;
        let names = statement.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(names)
    }

    /// Sets up a new vault: a fresh vault key, wrapped for the first clerk (`pin`, derived with `kdf`) and
    /// for a new recovery secret, which is returned once and never stored. Leaves the vault unlocked.
    pub fn initialize(&mut self, clerk: &str, pin: &str, kdf: KdfParams) -> Result<RecoverySecret, VaultError> {
        if self.is_initialized()? {
            return Err(VaultError::AlreadyInitialized);
        }
        kdf::check_pin(pin)?;
        let vault_key = Key::random()?;
        let recovery = RecoverySecret::generate()?;
        let recovery_salt = crypto::random_bytes::<16>()?;
        let recovery_kek = recovery.key(&recovery_salt)?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO vault (id, created_at, recovery_salt, recovery_key) VALUES (1, ?1, ?2, ?3)",
            params![
                (self.clock)(),
                recovery_salt.as_slice(),
                recovery_kek.wrap(&Aad::new("vault", "recovery_key", 1), &vault_key)?
            ],
        )?;
        let clerk_id = insert_clerk(&tx, clerk, pin, kdf, &vault_key, None)?;
        let event = AuditEvent::new(Action::ClerkAdd).on(clerk_id.to_string()).text("access", "setup");
        audit::append(&tx, &clerk_id.to_string(), &event, (self.clock)())?;
        tx.commit()?;
        self.unlocked = Some(Unlocked { vault_key, clerk: clerk.to_owned(), clerk_id });
        Ok(recovery)
    }

    /// Adds a clerk who unlocks with their own `pin`. Needs an unlocked vault.
    pub fn add_clerk(&mut self, clerk: &str, pin: &str, kdf: KdfParams) -> Result<(), VaultError> {
        kdf::check_pin(pin)?;
        let unlocked = self.unlocked.as_ref().ok_or(VaultError::Locked)?;
        let now = (self.clock)();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = insert_clerk(&tx, clerk, pin, kdf, &unlocked.vault_key, None)?;
        audit::append(&tx, &unlocked.clerk_id.to_string(), &AuditEvent::new(Action::ClerkAdd).on(id.to_string()), now)?;
        tx.commit()?;
        Ok(())
    }

    /// Unlocks with a clerk's PIN. Wrong PINs are counted; after [`FREE_ATTEMPTS`] in a row each further
    /// attempt must wait (5 s, doubling up to 15 minutes). The count survives restarts.
    pub fn unlock(&mut self, clerk: &str, pin: &str) -> Result<(), VaultError> {
        if !self.is_initialized()? {
            return Err(VaultError::NotInitialized);
        }
        let row = self
            .conn
            .query_row(
                "SELECT id, kdf_salt, kdf_memory_kib, kdf_passes, kdf_lanes, wrapped_key, failed_attempts,
                        blocked_until
                 FROM clerks WHERE name = ?1",
                [clerk],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Vec<u8>>(1)?,
                        KdfParams { memory_kib: r.get(2)?, passes: r.get(3)?, lanes: r.get(4)? },
                        r.get::<_, Vec<u8>>(5)?,
                        r.get::<_, u32>(6)?,
                        r.get::<_, i64>(7)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, salt, kdf, wrapped, failed, blocked_until)) = row else {
            self.record_failed_unlock(
                audit::UNKNOWN_CLERK,
                AuditEvent::new(Action::UnlockFailed).text("reason", "unknown_clerk"),
            );
            return Err(VaultError::UnknownClerk(clerk.to_owned()));
        };
        let now = self.now();
        if blocked_until > now {
            self.record_failed_unlock(&id.to_string(), AuditEvent::new(Action::UnlockFailed).text("reason", "blocked"));
            return Err(VaultError::Blocked { seconds: blocked_until - now });
        }
        let kek = kdf.derive(pin, &salt)?;
        match kek.unwrap_key(&Aad::new("clerks", "wrapped_key", id), &wrapped) {
            Ok(vault_key) => {
                let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.execute("UPDATE clerks SET failed_attempts = 0, blocked_until = 0 WHERE id = ?1", [id])?;
                audit::append(&tx, &id.to_string(), &AuditEvent::new(Action::Unlock), now)?;
                tx.commit()?;
                self.unlocked = Some(Unlocked { vault_key, clerk: clerk.to_owned(), clerk_id: id });
                Ok(())
            }
            Err(CryptoError::Authentication) => {
                let attempts = failed.saturating_add(1);
                let wait = backoff(attempts);
                let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.execute(
                    "UPDATE clerks SET failed_attempts = ?2, blocked_until = ?3 WHERE id = ?1",
                    params![id, attempts, if wait > 0 { now + wait } else { 0 }],
                )?;
                let event = AuditEvent::new(Action::UnlockFailed)
                    .text("reason", "wrong_pin")
                    .number("attempts", attempts.into());
                audit::append(&tx, &id.to_string(), &event, now)?;
                tx.commit()?;
                Err(VaultError::WrongPin { attempts })
            }
            Err(other) => {
                Err(VaultError::Tampered { id: 0, place: format!("the key of clerk {clerk:?}"), source: other })
            }
        }
    }

    /// Unlocks with the recovery secret and gives `clerk` the new `pin` (adding the clerk if needed), so a
    /// forgotten PIN loses nothing. Resets the clerk's wrong attempts.
    pub fn recover(&mut self, secret: &str, clerk: &str, pin: &str, kdf: KdfParams) -> Result<(), VaultError> {
        kdf::check_pin(pin)?;
        let secret = RecoverySecret::parse(secret)?;
        let (salt, wrapped): (Vec<u8>, Vec<u8>) = self
            .conn
            .query_row("SELECT recovery_salt, recovery_key FROM vault WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or(VaultError::NotInitialized)?;
        let Ok(vault_key) = secret.key(&salt)?.unwrap_key(&Aad::new("vault", "recovery_key", 1), &wrapped) else {
            let event = AuditEvent::new(Action::UnlockFailed).text("reason", "wrong_recovery_secret");
            self.record_failed_unlock(audit::UNKNOWN_CLERK, event);
            return Err(VaultError::WrongRecoverySecret);
        };
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // A clerk who was there keeps their id: the audit trail names clerks by it.
        let known: Option<i64> =
            tx.query_row("SELECT id FROM clerks WHERE name = ?1", [clerk], |r| r.get(0)).optional()?;
        tx.execute("DELETE FROM clerks WHERE name = ?1", [clerk])?;
        let clerk_id = insert_clerk(&tx, clerk, pin, kdf, &vault_key, known)?;
        audit::append(&tx, &clerk_id.to_string(), &AuditEvent::new(Action::Recover).on(clerk_id.to_string()), now)?;
        tx.commit()?;
        self.unlocked = Some(Unlocked { vault_key, clerk: clerk.to_owned(), clerk_id });
        Ok(())
    }

    /// Who the audit trail names for what is done now: the clerk's id while unlocked, else the desk.
    fn actor(&self) -> String {
        self.unlocked.as_ref().map_or_else(|| audit::DEVICE.to_owned(), |u| u.clerk_id.to_string())
    }

    /// Appends `event` to the audit trail in a transaction of its own, for an action that writes nothing
    /// else to the vault (a print, a lock, a form set installed). The actor is the clerk who unlocked the
    /// vault, or the desk while it is locked. Needs no key.
    pub fn record(&mut self, event: &AuditEvent) -> Result<(), VaultError> {
        let actor = self.actor();
        self.record_as(&actor, event)
    }

    /// [`Vault::record`] for what the desk does by itself (a form set installed): the actor is the desk.
    pub fn record_device(&mut self, event: &AuditEvent) -> Result<(), VaultError> {
        self.record_as(audit::DEVICE, event)
    }

    /// The audit entry of `action` on submission `id`: the submission's id for the portal as the object, the
    /// vault's number and the form's id and version as detail. The caller may add to it and
    /// [`Vault::record`] it. Needs no key.
    pub fn case_event(&self, action: Action, id: SubmissionId) -> Result<AuditEvent, VaultError> {
        case_event(&self.conn, action, id)
    }

    fn record_as(&mut self, actor: &str, event: &AuditEvent) -> Result<(), VaultError> {
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        audit::append(&tx, actor, event, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Records a failed unlock, which fails whether or not its entry is written: a failure to write it is
    /// logged.
    fn record_failed_unlock(&mut self, actor: &str, event: AuditEvent) {
        let now = self.now();
        let written =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(VaultError::from).and_then(
                |tx| {
                    audit::append(&tx, actor, &event, now)?;
                    Ok(tx.commit()?)
                },
            );
        if let Err(e) = written {
            eprintln!("formdesk: the audit entry of a failed unlock was not written ({e})");
        }
    }

    /// Every entry of the audit trail kept, in seq order. Needs no key.
    pub fn audit_entries(&self) -> Result<Vec<StoredEntry>, VaultError> {
        audit::entries(&self.conn, 0, usize::MAX)
    }

    /// Verifies the whole audit trail kept in the vault (see [`audit::verify_dir`], which needs no open
    /// vault). Needs no key.
    pub fn verify_audit(&self) -> Result<Verdict, VaultError> {
        audit::verify(&self.conn)
    }

    /// Retention of the audit trail: deletes the entries the portal has acknowledged that are older than
    /// [`audit::KEEP_SECONDS`], keeping the last of them as the anchor the rest is verified from. Entries not
    /// acknowledged are never deleted. Returns how many went. Needs no key.
    pub fn prune_audit(&mut self) -> Result<usize, VaultError> {
        let before = self.now().saturating_sub(audit::KEEP_SECONDS);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let pruned = audit::prune(&tx, before)?;
        tx.commit()?;
        Ok(pruned)
    }

    /// Forgets the keys (zeroized). Everything stored stays as it is.
    pub fn lock(&mut self) {
        self.unlocked = None;
        // Files half written stay incomplete (and are deleted at the next open); their bytes leave memory.
        self.uploads.clear();
    }

    fn vault_key(&self) -> Result<&Key, VaultError> {
        self.unlocked.as_ref().map(|u| &u.vault_key).ok_or(VaultError::Locked)
    }

    /// Starts a submission of `form_id` in version `form_version`, with `data` and `summary` as its first
    /// contents.
    pub fn create(
        &mut self,
        form_id: &str,
        form_version: &str,
        summary: &str,
        data: &[u8],
    ) -> Result<SubmissionId, VaultError> {
        self.create_pinned(form_id, form_version, None, summary, data)
    }

    /// [`Vault::create`], pinned to the form set and form text it is begun on (see [`Vault::pinned_sets`]).
    pub fn create_pinned(
        &mut self,
        form_id: &str,
        form_version: &str,
        pin: Option<&FormPin>,
        summary: &str,
        data: &[u8],
    ) -> Result<SubmissionId, VaultError> {
        let vault_key = self.vault_key()?;
        let key = Key::random()?;
        let uuid = uuid_v4()?;
        let now = self.now();
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO submissions (uuid, form_id, form_version, status, created_at, updated_at, form_set, form_sha256)
             VALUES (?1, ?2, ?3, 'draft', ?4, ?4, ?5, ?6)",
            params![
                uuid,
                form_id,
                form_version,
                now,
                pin.map(|p| p.set_sha256.as_str()),
                pin.map(|p| p.form_sha256.as_str())
            ],
        )?;
        let id = tx.last_insert_rowid();
        let (summary, data) = seal_contents(&key, id, summary, data)?;
        tx.execute(
            "UPDATE submissions SET wrapped_key = ?2, summary_sealed = ?3, data_sealed = ?4 WHERE id = ?1",
            params![id, vault_key.wrap(&Aad::new("submissions", "wrapped_key", id), &key)?, summary, data],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// The status and the wrapped key (none once shredded) of submission `id`.
    fn key_row(&self, id: SubmissionId) -> Result<(Status, Option<Vec<u8>>), VaultError> {
        let row: Option<(String, Option<Vec<u8>>)> = self
            .conn
            .query_row("SELECT status, wrapped_key FROM submissions WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let (status, wrapped) = row.ok_or(VaultError::UnknownSubmission(id))?;
        Ok((Status::parse(&status)?, wrapped))
    }

    fn unwrap_submission_key(&self, id: SubmissionId, wrapped: &[u8]) -> Result<Key, VaultError> {
        self.vault_key()?
            .unwrap_key(&Aad::new("submissions", "wrapped_key", id), wrapped)
            .map_err(|source| VaultError::Tampered { id, place: "its key".into(), source })
    }

    /// The data key of submission `id`, whatever its status short of shredded.
    fn submission_key(&self, id: SubmissionId) -> Result<Key, VaultError> {
        let (status, wrapped) = self.key_row(id)?;
        let wrapped = wrapped.ok_or(VaultError::WrongState { id, status, action: "reading it" })?;
        self.unwrap_submission_key(id, &wrapped)
    }

    fn require(&self, id: SubmissionId, wanted: Status, action: &'static str) -> Result<(), VaultError> {
        let (status, _) = self.key_row(id)?;
        if status == wanted { Ok(()) } else { Err(VaultError::WrongState { id, status, action }) }
    }

    /// The data key of submission `id` if it is a draft; the state is checked before the lock.
    fn draft_key(&self, id: SubmissionId, action: &'static str) -> Result<Key, VaultError> {
        match self.key_row(id)? {
            (Status::Draft, Some(wrapped)) => self.unwrap_submission_key(id, &wrapped),
            (status, _) => Err(VaultError::WrongState { id, status, action }),
        }
    }

    /// Saves a draft's new `data` and `summary`. Committed (crash-safe) when it returns.
    pub fn save(&mut self, id: SubmissionId, summary: &str, data: &[u8]) -> Result<(), VaultError> {
        let key = self.draft_key(id, "changing it")?;
        let (summary, data) = seal_contents(&key, id, summary, data)?;
        self.conn.execute(
            "UPDATE submissions SET summary_sealed = ?2, data_sealed = ?3, updated_at = ?4, revision = revision + 1
             WHERE id = ?1 AND status = 'draft'",
            params![id, summary, data, self.now()],
        )?;
        Ok(())
    }

    /// [`Vault::save`], with `event` appended to the audit trail in the same transaction: the step that
    /// completes an action (a draft carried over) and its entry commit together or not at all.
    pub fn save_recorded(
        &mut self,
        id: SubmissionId,
        summary: &str,
        data: &[u8],
        event: &AuditEvent,
    ) -> Result<(), VaultError> {
        let key = self.draft_key(id, "changing it")?;
        let (summary, data) = seal_contents(&key, id, summary, data)?;
        let actor = self.actor();
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE submissions SET summary_sealed = ?2, data_sealed = ?3, updated_at = ?4, revision = revision + 1
             WHERE id = ?1 AND status = 'draft'",
            params![id, summary, data, now],
        )?;
        if changed > 0 {
            audit::append(&tx, &actor, event, now)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Makes a draft final with its last `data`; from then on it cannot change. Committed with
    /// `synchronous=FULL`: it survives a power cut once this returns.
    pub fn finalize(&mut self, id: SubmissionId, summary: &str, data: &[u8]) -> Result<(), VaultError> {
        self.finalize_issued(id, summary, data, None, None)
    }

    /// [`Vault::finalize`], and queues the parts sealed for the destination in the same transaction: after a
    /// crash the submission is final and queued, or a draft and not queued.
    pub fn finalize_and_queue(
        &mut self,
        id: SubmissionId,
        summary: &str,
        data: &[u8],
        queued: Option<&Queued>,
    ) -> Result<(), VaultError> {
        self.finalize_issued(id, summary, data, queued, None)
    }

    /// [`Vault::finalize_and_queue`] with the reference of the receipt issued for it, which the audit
    /// trail's entry of the finalization names.
    pub fn finalize_issued(
        &mut self,
        id: SubmissionId,
        summary: &str,
        data: &[u8],
        queued: Option<&Queued>,
        reference: Option<&str>,
    ) -> Result<(), VaultError> {
        let key = self.draft_key(id, "finalizing it")?;
        let actor = self.actor();
        let (summary, data) = seal_contents(&key, id, summary, data)?;
        let now = self.now();
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let result = (|| {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = tx.execute(
                "UPDATE submissions SET summary_sealed = ?2, data_sealed = ?3, updated_at = ?4, finalized_at = ?4,
                        status = 'final', revision = revision + 1
                 WHERE id = ?1 AND status = 'draft'",
                params![id, summary, data, now],
            )?;
            if let Some(queued) = queued {
                outbox::queue(&tx, id, queued, now)?;
            }
            if changed > 0 {
                let mut event = case_event(&tx, Action::Finalize, id)?;
                if let Some(reference) = reference {
                    event = event.text("reference", reference);
                }
                audit::append(&tx, &actor, &event, now)?;
            }
            tx.commit()?;
            Ok::<_, VaultError>(())
        })();
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        result
    }

    /// Queues final submission `id`, which was finalized before its destination's key was known.
    pub fn queue(&mut self, id: SubmissionId, queued: &Queued) -> Result<(), VaultError> {
        self.require(id, Status::Final, "queueing it")?;
        let now = self.now();
        let tx = self.conn.transaction()?;
        outbox::queue(&tx, id, queued, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Final submissions (not shredded) that are not in the outbox.
    pub fn unqueued(&self) -> Result<Vec<SubmissionId>, VaultError> {
        let mut statement = self.conn.prepare(
            "SELECT id FROM submissions s WHERE status = 'final'
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.submission_id = s.id) ORDER BY id",
        )?;
        Ok(statement.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
    }

    /// The outbox entry of submission `id`, if it was queued.
    pub fn outbox_entry(&self, id: SubmissionId) -> Result<Option<OutboxEntry>, VaultError> {
        outbox::entry(&self.conn, id)
    }

    /// Every outbox entry, the most recently queued first.
    pub fn outbox_entries(&self) -> Result<Vec<OutboxEntry>, VaultError> {
        outbox::all_entries(&self.conn)
    }

    /// The desk's registration with its portal, if it was enrolled.
    pub fn registration(&self) -> Result<Option<Registration>, VaultError> {
        outbox::registration(&self.conn)
    }

    /// Keeps the desk's registration with its portal (replacing an earlier one).
    pub fn set_registration(&mut self, registration: &Registration) -> Result<(), VaultError> {
        let actor = self.actor();
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        outbox::set_registration(&tx, registration)?;
        audit::append(&tx, &actor, &AuditEvent::new(Action::Enrol).on(registration.device_id.as_str()), now)?;
        tx.commit()?;
        Ok(())
    }

    /// The destinations' public keys as last fetched from the portal.
    pub fn destinations(&self) -> Result<Vec<StoredDestination>, VaultError> {
        outbox::destinations(&self.conn)
    }

    /// Replaces the cached destinations with the portal's current list.
    pub fn set_destinations(&mut self, list: &[StoredDestination]) -> Result<(), VaultError> {
        outbox::set_destinations(&mut self.conn, list)
    }

    /// Keeps the citizen's receipt of final submission `id`: its reference (plain, unique) and the PDF
    /// (sealed under the submission's key). Replaces an earlier one.
    pub fn set_receipt(&mut self, id: SubmissionId, reference: &str, pdf: &[u8]) -> Result<(), VaultError> {
        let (status, wrapped) = self.key_row(id)?;
        let wrapped = match (status, wrapped) {
            (Status::Final, Some(wrapped)) => wrapped,
            (status, _) => return Err(VaultError::WrongState { id, status, action: "keeping its receipt" }),
        };
        let key = self.unwrap_submission_key(id, &wrapped)?;
        let sealed = key.seal(&Aad::new("submissions", "receipt", id), pdf)?;
        self.conn.execute(
            "UPDATE submissions SET reference = ?2, receipt_sealed = ?3 WHERE id = ?1",
            params![id, reference, sealed],
        )?;
        Ok(())
    }

    /// The receipt of submission `id`: its reference and, unless shredded, the PDF. `None` if none was kept.
    pub fn receipt(&self, id: SubmissionId) -> Result<Option<StoredReceipt>, VaultError> {
        let row: Option<(Option<String>, Option<Vec<u8>>)> = self
            .conn
            .query_row("SELECT reference, receipt_sealed FROM submissions WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let (reference, sealed) = row.ok_or(VaultError::UnknownSubmission(id))?;
        let Some(reference) = reference else { return Ok(None) };
        let Some(sealed) = sealed else { return Ok(Some(StoredReceipt { reference, pdf: None })) };
        let key = self.submission_key(id)?;
        let pdf = key
            .open(&Aad::new("submissions", "receipt", id), &sealed)
            .map_err(|source| VaultError::Tampered { id, place: "its receipt".into(), source })?;
        Ok(Some(StoredReceipt { reference, pdf: Some(pdf) }))
    }

    /// The submission with receipt reference `reference`, if any.
    pub fn find_reference(&self, reference: &str) -> Result<Option<SubmissionId>, VaultError> {
        Ok(self
            .conn
            .query_row("SELECT id FROM submissions WHERE reference = ?1", [reference], |r| r.get(0))
            .optional()?)
    }

    /// The desk's signing key (Ed25519, PKCS#8), made on first use. Needs the vault unlocked.
    pub fn device_key(&mut self) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let aad = Aad::new("device", "private", 1);
        let sealed: Option<Vec<u8>> =
            self.conn.query_row("SELECT private_sealed FROM device WHERE id = 1", [], |r| r.get(0)).optional()?;
        if let Some(sealed) = sealed {
            return self.vault_key()?.open(&aad, &sealed).map_err(|source| VaultError::Tampered {
                id: 0,
                place: "the device key".into(),
                source,
            });
        }
        let vault_key = self.vault_key()?;
        let pkcs8 = crypto::new_signing_key()?;
        let public = crypto::signing_public_key(&pkcs8)?;
        self.conn.execute(
            "INSERT INTO device (id, created_at, public_key, private_sealed) VALUES (1, ?1, ?2, ?3)",
            params![self.now(), public, vault_key.seal(&aad, &pkcs8)?],
        )?;
        Ok(pkcs8)
    }

    /// The public half of the desk's signing key (32 bytes), once it was made.
    pub fn device_public_key(&self) -> Result<Option<Vec<u8>>, VaultError> {
        Ok(self.conn.query_row("SELECT public_key FROM device WHERE id = 1", [], |r| r.get(0)).optional()?)
    }

    /// One submission with its decrypted data.
    pub fn load(&self, id: SubmissionId) -> Result<Record, VaultError> {
        self.vault_key()?;
        let (item, data) = self
            .conn
            .query_row(&format!("SELECT {WORK_COLUMNS}, data_sealed FROM submissions WHERE id = ?1"), [id], |r| {
                Ok((work_row(r)?, r.get::<_, Option<Vec<u8>>>(WORK_COLUMN_COUNT)?))
            })
            .optional()?
            .ok_or(VaultError::UnknownSubmission(id))?;
        let (item, key) = self.open_raw(item)?;
        let data = match (key, data) {
            (Some(key), Some(sealed)) => {
                let plain = key
                    .open(&Aad::new("submissions", "data", id), &sealed)
                    .map_err(|source| VaultError::Tampered { id, place: "its data".into(), source })?;
                Some(plain.to_vec())
            }
            _ => None,
        };
        Ok(Record { item, data })
    }

    /// A work-list row with its summary decrypted, and the submission's key unless it is shredded.
    fn open_raw(&self, raw: RawItem) -> Result<(WorkItem, Option<Key>), VaultError> {
        let id = raw.item.id;
        let Some(wrapped) = &raw.wrapped_key else { return Ok((raw.item, None)) };
        let key = self.unwrap_submission_key(id, wrapped)?;
        let summary = match &raw.summary_sealed {
            Some(sealed) => {
                let plain = key
                    .open(&Aad::new("submissions", "summary", id), sealed)
                    .map_err(|source| VaultError::Tampered { id, place: "its summary".into(), source })?;
                String::from_utf8(plain.to_vec())
                    .map_err(|_| VaultError::Corrupt(format!("submission {id}: the summary is not text")))?
            }
            None => String::new(),
        };
        Ok((WorkItem { summary, ..raw.item }, Some(key)))
    }

    /// Every submission, the most recently changed first, summaries decrypted. A submission whose key or
    /// summary does not decrypt is listed with `damaged` set and an empty summary.
    pub fn work_list(&self) -> Result<Vec<WorkItem>, VaultError> {
        self.vault_key()?;
        let mut statement =
            self.conn.prepare(&format!("SELECT {WORK_COLUMNS} FROM submissions ORDER BY updated_at DESC, id DESC"))?;
        let raw: Vec<RawItem> = statement.query_map([], work_row)?.collect::<Result<_, _>>()?;
        raw.into_iter()
            .map(|r| {
                let item = r.item.clone();
                match self.open_raw(r) {
                    Ok((item, _)) => Ok(item),
                    // One damaged entry must not hide the others: it is listed as damaged.
                    Err(e @ (VaultError::Tampered { .. } | VaultError::Corrupt(_) | VaultError::Crypto(_))) => {
                        Ok(WorkItem { damaged: Some(e.to_string()), ..item })
                    }
                    Err(e) => Err(e),
                }
            })
            .collect()
    }

    /// The form sets (manifest hashes) that submissions still on this desk were begun on: drafts and final
    /// submissions not yet shredded. Needs no unlock: the desk's clean-up of form sets runs while locked too.
    pub fn pinned_sets(&self) -> Result<std::collections::BTreeSet<String>, VaultError> {
        let mut statement = self
            .conn
            .prepare("SELECT DISTINCT form_set FROM submissions WHERE form_set IS NOT NULL AND status <> 'shredded'")?;
        Ok(statement.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
    }

    /// The form texts (SHA-256 of their definitions) withdrawn so far. Needs no unlock.
    pub fn withdrawn_forms(&self) -> Result<std::collections::BTreeSet<String>, VaultError> {
        let mut statement = self.conn.prepare("SELECT sha256 FROM withdrawn_forms")?;
        Ok(statement.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
    }

    /// Remembers that these form texts were withdrawn, for good. Needs no unlock.
    pub fn add_withdrawn_forms<'a>(&mut self, sha256: impl IntoIterator<Item = &'a str>) -> Result<(), VaultError> {
        let now = self.now();
        let tx = self.conn.transaction()?;
        for sha in sha256 {
            tx.execute(
                "INSERT OR IGNORE INTO withdrawn_forms (sha256, withdrawn_at) VALUES (?1, ?2)",
                params![sha, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes a draft with everything in it; its key goes with it.
    pub fn discard(&mut self, id: SubmissionId) -> Result<(), VaultError> {
        self.require(id, Status::Draft, "discarding it")?;
        let actor = self.actor();
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let event = case_event(&tx, Action::Discard, id)?;
        if tx.execute("DELETE FROM submissions WHERE id = ?1 AND status = 'draft'", [id])? > 0 {
            audit::append(&tx, &actor, &event, now)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Destroys a final submission's plaintext for good: its key, data, summary and attachments. What
    /// remains: ids, form, times and state, which a receipt lookup needs.
    pub fn shred(&mut self, id: SubmissionId) -> Result<(), VaultError> {
        self.shred_for(id, "clerk")
    }

    /// Shreds final submission `id`, recording `reason` (`clerk`, `retention`) in the audit trail.
    fn shred_for(&mut self, id: SubmissionId, reason: &str) -> Result<(), VaultError> {
        self.require(id, Status::Final, "shredding it")?;
        let actor = self.actor();
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        shred_in(&tx, id, now, &actor, reason)?;
        tx.commit()?;
        Ok(())
    }

    /// Shreds every final submission the portal has confirmed (the outbox says delivered), except `keep`, the
    /// one still open on the clerk's screen; returns their ids.
    pub fn shred_delivered(&mut self, keep: Option<SubmissionId>) -> Result<Vec<SubmissionId>, VaultError> {
        let actor = self.actor();
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ids: Vec<SubmissionId> = {
            let mut statement = tx.prepare(
                "SELECT s.id FROM submissions s JOIN outbox o ON o.submission_id = s.id
                 WHERE s.status = 'final' AND o.state = 'delivered' AND s.id IS NOT ?1",
            )?;
            statement.query_map([keep], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        for id in &ids {
            shred_in(&tx, *id, now, &actor, "delivered")?;
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Shreds every final submission finalized more than `max_age_seconds` ago; returns how many.
    pub fn shred_older_than(&mut self, max_age_seconds: i64) -> Result<usize, VaultError> {
        let limit = self.now() - max_age_seconds;
        let ids: Vec<SubmissionId> = {
            let mut statement =
                self.conn.prepare("SELECT id FROM submissions WHERE status = 'final' AND finalized_at <= ?1")?;
            statement.query_map([limit], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        for id in &ids {
            self.shred_for(*id, "retention")?;
        }
        Ok(ids.len())
    }

    /// Stores `content` as an attachment of draft `id`, encrypted chunk by chunk as it is read: a file of
    /// several MB is never held whole in memory.
    pub fn attach(
        &mut self,
        id: SubmissionId,
        name: &str,
        media_type: &str,
        mut content: impl Read,
    ) -> Result<AttachmentInfo, VaultError> {
        let attachment = self.begin_attachment(id, name, media_type)?;
        let mut buffer = Zeroizing::new(vec![0u8; CHUNK_SIZE]);
        loop {
            let filled = match read_full(&mut content, &mut buffer) {
                Ok(n) => n,
                Err(e) => {
                    self.abandon_attachment(attachment);
                    return Err(e.into());
                }
            };
            if filled == 0 {
                break;
            }
            self.write_attachment(attachment, &buffer[..filled])?;
        }
        self.finish_attachment(attachment)
    }

    /// Starts an attachment of draft `id` whose bytes come in parts ([`Vault::write_attachment`]); it counts
    /// only once [`Vault::finish_attachment`] returns. Returns the attachment's id.
    pub fn begin_attachment(&mut self, id: SubmissionId, name: &str, media_type: &str) -> Result<i64, VaultError> {
        let key = self.draft_key(id, "attaching files")?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO attachments (submission_id, size, chunks, meta_sealed, complete) VALUES (?1, 0, 0, x'', 0)",
            [id],
        )?;
        let attachment = tx.last_insert_rowid();
        let meta = Zeroizing::new(format!("{media_type}\n{name}"));
        tx.execute(
            "UPDATE attachments SET meta_sealed = ?2 WHERE id = ?1",
            params![attachment, key.seal(&Aad::new("attachments", "meta", attachment), meta.as_bytes())?],
        )?;
        tx.commit()?;
        self.uploads.insert(
            attachment,
            Upload { submission: id, pending: Zeroizing::new(Vec::with_capacity(2 * CHUNK_SIZE)), size: 0, chunks: 0 },
        );
        Ok(attachment)
    }

    /// Adds `bytes` to an attachment begun with [`Vault::begin_attachment`]. Full chunks are encrypted and
    /// committed as they fill; less than two chunks' worth is ever held in memory.
    pub fn write_attachment(&mut self, attachment: i64, bytes: &[u8]) -> Result<(), VaultError> {
        self.vault_key()?;
        let mut upload = self.uploads.remove(&attachment).ok_or(VaultError::UnknownAttachment(attachment))?;
        let mut rest = bytes;
        while !rest.is_empty() {
            // Hold back one full chunk: whether it is the last is known only at the finish.
            let room = 2 * CHUNK_SIZE - upload.pending.len();
            let take = room.min(rest.len());
            upload.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if upload.pending.len() == 2 * CHUNK_SIZE
                && let Err(e) = self.store_chunk(attachment, &mut upload, false)
            {
                self.abandon_attachment(attachment);
                return Err(e);
            }
        }
        self.uploads.insert(attachment, upload);
        Ok(())
    }

    /// Writes what is left of an attachment as its last chunk and marks it complete.
    pub fn finish_attachment(&mut self, attachment: i64) -> Result<AttachmentInfo, VaultError> {
        self.vault_key()?;
        let mut upload = self.uploads.remove(&attachment).ok_or(VaultError::UnknownAttachment(attachment))?;
        let id = upload.submission;
        if upload.pending.len() > CHUNK_SIZE
            && let Err(e) = self.store_chunk(attachment, &mut upload, false)
        {
            self.abandon_attachment(attachment);
            return Err(e);
        }
        if let Err(e) = self.store_chunk(attachment, &mut upload, true) {
            self.abandon_attachment(attachment);
            return Err(e);
        }
        self.conn.execute("UPDATE submissions SET updated_at = ?2 WHERE id = ?1", params![id, self.now()])?;
        self.attachments(id)?.into_iter().find(|a| a.id == attachment).ok_or(VaultError::UnknownAttachment(attachment))
    }

    /// Encrypts and commits the next chunk of `upload`: the first `CHUNK_SIZE` pending bytes, or all of them
    /// as the last chunk (then the attachment is complete).
    fn store_chunk(&mut self, attachment: i64, upload: &mut Upload, last: bool) -> Result<(), VaultError> {
        let key = self.draft_key(upload.submission, "attaching files")?;
        let length = if last { upload.pending.len() } else { CHUNK_SIZE };
        let index = upload.chunks;
        let aad = Aad::new("chunks", "data", attachment);
        let part = if last { aad.part(format_args!("{index}/last")) } else { aad.part(index) };
        let sealed = key.seal(&part, &upload.pending[..length])?;
        let size = upload.size + length as u64;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO chunks (attachment_id, idx, data_sealed) VALUES (?1, ?2, ?3)",
            params![attachment, index, sealed],
        )?;
        tx.execute(
            "UPDATE attachments SET size = ?2, chunks = ?3, complete = ?4 WHERE id = ?1",
            params![attachment, size, index + 1, last],
        )?;
        tx.commit()?;
        upload.pending.drain(..length);
        upload.size = size;
        upload.chunks = index + 1;
        Ok(())
    }

    /// Gives up an attachment being written: its rows go (best effort; an open deletes what is left).
    fn abandon_attachment(&mut self, attachment: i64) {
        self.uploads.remove(&attachment);
        let _ = self.conn.execute("DELETE FROM attachments WHERE id = ?1 AND complete = 0", [attachment]);
    }

    /// Deletes attachment `attachment` of draft `id` (a file the clerk removed).
    pub fn remove_attachment(&mut self, id: SubmissionId, attachment: i64) -> Result<(), VaultError> {
        self.require(id, Status::Draft, "removing a file")?;
        self.uploads.remove(&attachment);
        let removed = self
            .conn
            .execute("DELETE FROM attachments WHERE id = ?1 AND submission_id = ?2", params![attachment, id])?;
        if removed == 0 {
            return Err(VaultError::UnknownAttachment(attachment));
        }
        Ok(())
    }

    /// The attachments of submission `id`.
    pub fn attachments(&self, id: SubmissionId) -> Result<Vec<AttachmentInfo>, VaultError> {
        let key = self.submission_key(id)?;
        let mut statement = self.conn.prepare(
            "SELECT id, size, meta_sealed FROM attachments WHERE submission_id = ?1 AND complete = 1 ORDER BY id",
        )?;
        let rows: Vec<(i64, u64, Vec<u8>)> =
            statement.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(attachment, size, sealed)| {
                let plain = key
                    .open(&Aad::new("attachments", "meta", attachment), &sealed)
                    .map_err(|source| VaultError::Tampered { id, place: format!("attachment {attachment}"), source })?;
                let text = String::from_utf8_lossy(&plain);
                let (media_type, name) = text.split_once('\n').unwrap_or(("application/octet-stream", &text));
                Ok(AttachmentInfo { id: attachment, name: name.to_owned(), media_type: media_type.to_owned(), size })
            })
            .collect()
    }

    /// Writes attachment `attachment` of submission `id` to `out`, chunk by chunk.
    pub fn read_attachment(&self, id: SubmissionId, attachment: i64, mut out: impl Write) -> Result<u64, VaultError> {
        let key = self.submission_key(id)?;
        let chunks: i64 = self
            .conn
            .query_row(
                "SELECT chunks FROM attachments WHERE id = ?1 AND submission_id = ?2 AND complete = 1",
                params![attachment, id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(VaultError::UnknownAttachment(attachment))?;
        let aad = Aad::new("chunks", "data", attachment);
        let mut statement =
            self.conn.prepare("SELECT idx, data_sealed FROM chunks WHERE attachment_id = ?1 ORDER BY idx")?;
        let mut rows = statement.query([attachment])?;
        let mut expected = 0i64;
        let mut written = 0u64;
        let tampered = |source| VaultError::Tampered { id, place: format!("attachment {attachment}"), source };
        while let Some(row) = rows.next()? {
            let index: i64 = row.get(0)?;
            let sealed: Vec<u8> = row.get(1)?;
            if index != expected {
                return Err(tampered(CryptoError::Authentication));
            }
            let part = if index + 1 == chunks { aad.part(format_args!("{index}/last")) } else { aad.part(index) };
            let plain = key.open(&part, &sealed).map_err(tampered)?;
            out.write_all(&plain)?;
            written += plain.len() as u64;
            expected += 1;
        }
        if expected != chunks {
            return Err(tampered(CryptoError::Authentication));
        }
        Ok(written)
    }

    /// SQLite's `PRAGMA integrity_check`: `"ok"` when the file is sound.
    pub fn integrity_check(&self) -> Result<String, VaultError> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Copies the write-ahead log into the main file (as SQLite does on close), so that the file alone holds
    /// everything.
    pub fn checkpoint(&self) -> Result<(), VaultError> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// The sealed summary and data of submission `id`.
fn seal_contents(key: &Key, id: SubmissionId, summary: &str, data: &[u8]) -> Result<(Vec<u8>, Vec<u8>), VaultError> {
    Ok((
        key.seal(&Aad::new("submissions", "summary", id), summary.as_bytes())?,
        key.seal(&Aad::new("submissions", "data", id), data)?,
    ))
}

/// How long the next attempt must wait after `attempts` wrong PINs in a row, in seconds.
fn backoff(attempts: u32) -> i64 {
    if attempts < FREE_ATTEMPTS { 0 } else { (5i64 << (attempts - FREE_ATTEMPTS).min(8)).min(15 * 60) }
}

fn insert_clerk(
    tx: &rusqlite::Transaction<'_>,
    clerk: &str,
    pin: &str,
    kdf: KdfParams,
    vault_key: &Key,
    id: Option<i64>,
) -> Result<i64, VaultError> {
    if clerk.trim().is_empty() {
        return Err(VaultError::UnknownClerk(clerk.to_owned()));
    }
    let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM clerks WHERE name = ?1)", [clerk], |r| r.get(0))?;
    if exists {
        return Err(VaultError::ClerkExists(clerk.to_owned()));
    }
    let salt = crypto::random_bytes::<16>()?;
    tx.execute(
        "INSERT INTO clerks (id, name, kdf_salt, kdf_memory_kib, kdf_passes, kdf_lanes, wrapped_key)
         VALUES (?6, ?1, ?2, ?3, ?4, ?5, x'')",
        params![clerk, salt.as_slice(), kdf.memory_kib, kdf.passes, kdf.lanes, id],
    )?;
    let id = tx.last_insert_rowid();
    let kek = kdf.derive(pin, &salt)?;
    tx.execute(
        "UPDATE clerks SET wrapped_key = ?2 WHERE id = ?1",
        params![id, kek.wrap(&Aad::new("clerks", "wrapped_key", id), vault_key)?],
    )?;
    Ok(id)
}

/// Shreds final submission `id` inside `tx`: its key, data, summary, receipt and attachments go; ids, form,
/// times and state stay. An outbox entry stays as it is: its parts are sealed for the authority, readable by
/// nobody else, and still to be delivered if they are there.
/// Shreds final submission `id` inside `tx`, with its audit entry (`actor`, `reason`) if it was final.
pub(crate) fn shred_in(
    tx: &rusqlite::Transaction<'_>,
    id: SubmissionId,
    now: i64,
    actor: &str,
    reason: &str,
) -> Result<(), VaultError> {
    tx.execute("DELETE FROM attachments WHERE submission_id = ?1", [id])?;
    let changed = tx.execute(
        "UPDATE submissions SET status = 'shredded', shredded_at = ?2, wrapped_key = NULL,
                summary_sealed = NULL, data_sealed = NULL, receipt_sealed = NULL
         WHERE id = ?1 AND status = 'final'",
        params![id, now],
    )?;
    if changed > 0 {
        let event = case_event(tx, Action::Shred, id)?.text("reason", reason);
        audit::append(tx, actor, &event, now)?;
    }
    Ok(())
}

/// The audit entry of `action` on submission `id`: its id for the portal as the object, the vault's number
/// and its form's id and version as detail.
pub(crate) fn case_event(conn: &Connection, action: Action, id: SubmissionId) -> Result<AuditEvent, VaultError> {
    let (uuid, form, version): (String, String, String) = conn
        .query_row("SELECT uuid, form_id, form_version FROM submissions WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?
        .ok_or(VaultError::UnknownSubmission(id))?;
    Ok(AuditEvent::new(action).on(uuid).number("draft", id).text("form", form).text("version", version))
}

fn read_full(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A random UUID (version 4), the id a submission travels under.
fn uuid_v4() -> Result<String, VaultError> {
    let mut b = crypto::random_bytes::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
}

const WORK_COLUMNS: &str = "id, uuid, form_id, form_version, status, created_at, updated_at, finalized_at, revision, \
                            wrapped_key, summary_sealed, form_set, form_sha256";
const WORK_COLUMN_COUNT: usize = 13;

struct RawItem {
    item: WorkItem,
    wrapped_key: Option<Vec<u8>>,
    summary_sealed: Option<Vec<u8>>,
}

fn work_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawItem> {
    let status: String = r.get(4)?;
    let status = Status::parse(&status)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(RawItem {
        item: WorkItem {
            id: r.get(0)?,
            uuid: r.get(1)?,
            form_id: r.get(2)?,
            form_version: r.get(3)?,
            status,
            created_at: r.get(5)?,
            updated_at: r.get(6)?,
            finalized_at: r.get(7)?,
            revision: r.get(8)?,
            pin: match (r.get::<_, Option<String>>(11)?, r.get::<_, Option<String>>(12)?) {
                (Some(set_sha256), Some(form_sha256)) => Some(FormPin { set_sha256, form_sha256 }),
                _ => None,
            },
            summary: String::new(),
            damaged: None,
        },
        wrapped_key: r.get(9)?,
        summary_sealed: r.get(10)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_grows_after_three_wrong_pins_and_is_capped() {
        assert_eq!((0..=3).map(backoff).collect::<Vec<_>>(), [0, 0, 0, 5]);
        assert_eq!(backoff(4), 10);
        assert_eq!(backoff(7), 80);
        assert_eq!(backoff(50), 15 * 60);
    }

    #[test]
    fn uuids_are_version_4() {
        let id = uuid_v4().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(id, uuid_v4().unwrap());
    }
}
