//! The console's accounts, their roles and inbox destinations, sessions and sign-in failures
//! (`docs/tenants.md`, section 4), behind their own trait [`AccountStore`], implemented by both backends
//! (`sqlite/accounts.rs`, `postgres/accounts.rs`).
//!
//! An account belongs to one tenant, or to none (the operator). Its [`Account`] carries its [`Tenant`], which
//! only the store can put there; so a console handler gets the tenant it may act for from the session and
//! from nothing the browser sent. The tenant-free lookups are the ones that check a credential and say so in
//! their names: [`AccountStore::session`] (by the session token's SHA-256), [`AccountStore::account_for_sign_in`]
//! (by login, for the password check) and [`AccountStore::account_for_setup`] (by the setup link's SHA-256).
//! Everything else takes the [`Account`] it works on, an [`Operator`] or a failure key.
//!
//! The store keeps no secret in clear that would open a session: sessions and setup links by their SHA-256,
//! passwords as Argon2id PHC strings. The TOTP secret is kept as it is (it must be, to compute codes).

use super::{Operator, StoreError, Tenant};
use formdesk_console::auth::Role;
use std::future::Future;

/// A console account as stored, with its tenant, roles and (for inbox users) destinations.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id, a UUID.
    pub id: String,
    /// Its tenant; `None` for an operator account.
    pub(in crate::store) tenant: Option<Tenant>,
    /// The login, unique over the portal.
    pub login: String,
    /// The name the pages show.
    pub display_name: String,
    /// The password's Argon2id PHC string, once set.
    pub password: Option<String>,
    /// The TOTP secret, when two-factor sign-in is on.
    pub totp_secret: Option<Vec<u8>>,
    /// The last TOTP step used.
    pub totp_last_step: Option<i64>,
    /// Its roles.
    pub roles: Vec<Role>,
    /// The destinations of an inbox user, by id.
    pub destinations: Vec<String>,
    /// Whether its setup link has not been used yet.
    pub setup_pending: bool,
    /// When it was created, Unix seconds.
    pub created_at: i64,
    /// When it was disabled.
    pub disabled_at: Option<i64>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No password hash, no TOTP secret: a log line that formats an account shows neither.
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("login", &self.login)
            .field("roles", &self.roles)
            .field("totp", &self.totp_secret.is_some())
            .field("disabled_at", &self.disabled_at)
            .finish_non_exhaustive()
    }
}

impl Account {
    /// Its tenant; `None` for an operator account.
    pub fn tenant(&self) -> Option<&Tenant> {
        self.tenant.as_ref()
    }

    /// Whether it holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The operator handle of an operator account (no tenant, role `betrieb`); `None` for any other.
    pub fn operator(&self) -> Option<Operator> {
        (self.tenant.is_none() && self.has(Role::Operator) && self.disabled_at.is_none()).then(Operator::console)
    }

    /// Whether two-factor sign-in is on.
    pub fn totp_on(&self) -> bool {
        self.totp_secret.is_some()
    }
}

/// An account to add: it has no password yet, only its setup link's SHA-256.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Its id, a UUID.
    pub id: String,
    /// Its tenant; `None` for an operator account.
    pub tenant: Option<Tenant>,
    /// The login.
    pub login: String,
    /// The display name.
    pub display_name: String,
    /// Its roles (operator alone without a tenant; tenant roles with one).
    pub roles: Vec<Role>,
    /// The destinations of an inbox user; each must be one of the tenant's.
    pub destinations: Vec<String>,
    /// The setup link's SHA-256 (hex).
    pub setup_token_sha256: String,
    /// When the setup link expires.
    pub setup_expires_at: i64,
    /// Now, Unix seconds.
    pub created_at: i64,
}

/// A session found by its token's SHA-256.
#[derive(Clone)]
pub struct Session {
    /// The account, with its tenant.
    pub account: Account,
    /// The tenant's name, for the pages (none for the operator).
    pub tenant_name: Option<String>,
    /// The session's CSRF token (32 bytes).
    pub csrf: Vec<u8>,
    /// When the session began.
    pub created_at: i64,
    /// When it was last seen (written at most once a minute).
    pub seen_at: i64,
    /// Whether the second factor was given (or the account has none).
    pub second_factor: bool,
    /// A TOTP secret being set up on the account page, until its first code confirms it.
    pub totp_pending: Option<Vec<u8>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account", &self.account)
            .field("created_at", &self.created_at)
            .field("seen_at", &self.seen_at)
            .field("second_factor", &self.second_factor)
            .finish_non_exhaustive()
    }
}

/// One destination's counts on the console's "Eingang" (never contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxCounts {
    /// The destination's id.
    pub destination_id: String,
    /// Announced, not complete.
    pub announced: u64,
    /// Submitted, waiting for pickup.
    pub waiting: u64,
    /// Picked up since the time asked for.
    pub picked_up: u64,
    /// When the oldest waiting one was submitted.
    pub oldest_waiting: Option<i64>,
}

/// A session to begin.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 (hex) of the session token; the token itself is never stored.
    pub token_sha256: String,
    /// The CSRF token (32 bytes).
    pub csrf: Vec<u8>,
    /// Now, Unix seconds.
    pub now: i64,
    /// Whether the second factor was given (or the account has none).
    pub second_factor: bool,
}

/// The stored failures of one throttling key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// Failures in the window.
    pub count: u32,
    /// When the window began.
    pub window_start: i64,
    /// When the last failure was.
    pub last_failure: i64,
}

/// How long a row of `sign_in_failures` is kept after its last failure (a day), so that the table does not
/// keep client addresses longer.
pub const FAILURES_KEPT_SECONDS: i64 = 24 * 60 * 60;

/// The refusal for a login that is taken.
pub fn login_taken(login: &str) -> StoreError {
    StoreError::refused(super::Refusal::Conflict, format!("an account with login {login:?} exists already"))
}

/// The console's accounts and sessions. Every method is one transaction.
pub trait AccountStore: Send + Sync + 'static {
    /// Adds an account; refused if the login is taken or a destination is not the tenant's.
    fn add_account(
        &self,
        operator: &Operator,
        account: NewAccount,
    ) -> impl Future<Output = Result<Account, StoreError>> + Send;

    /// Every account, or those of one tenant, by login.
    fn accounts(
        &self,
        operator: &Operator,
        tenant: Option<&Tenant>,
    ) -> impl Future<Output = Result<Vec<Account>, StoreError>> + Send;

    /// Disables the account with `login` and deletes its sessions; `None` if there is none. Disabling twice
    /// keeps the first time.
    fn disable_account(
        &self,
        operator: &Operator,
        login: String,
        now: i64,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;

    /// Tenant-free, for the password check at sign-in: the account with `login` (compared in lower case),
    /// disabled or not.
    fn account_for_sign_in(&self, login: String) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;

    /// Tenant-free: the account whose unused setup link has this SHA-256, with the link's expiry.
    fn account_for_setup(
        &self,
        token_sha256: String,
    ) -> impl Future<Output = Result<Option<(Account, i64)>, StoreError>> + Send;

    /// Sets the first password through the setup link, if the link is still valid at `now`, and ends the
    /// link; `None` if it is unknown, used or expired.
    fn finish_setup(
        &self,
        token_sha256: String,
        password: String,
        now: i64,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;

    /// Sets a new password hash (a changed password or a rehash) and ends all of the account's sessions.
    fn set_password(&self, account: &Account, password: String) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Switches two-factor sign-in on (with the secret and the step its first code used) or off (`None`).
    fn set_totp(
        &self,
        account: &Account,
        secret: Option<(Vec<u8>, i64)>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records a TOTP step as used if it is later than the last one; `false` if it is not (a replay that
    /// raced another request).
    fn use_totp_step(&self, account: &Account, step: i64) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Begins a session of `account`.
    fn create_session(
        &self,
        account: &Account,
        session: NewSession,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Tenant-free: the session with this token SHA-256 (hex) and its account; `None` if unknown or the
    /// account is disabled.
    fn session(&self, token_sha256: String) -> impl Future<Output = Result<Option<Session>, StoreError>> + Send;

    /// Writes `seen_at`.
    fn touch_session(
        &self,
        account: &Account,
        token_sha256: String,
        now: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Ends one session of `account`.
    fn end_session(
        &self,
        account: &Account,
        token_sha256: String,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keeps (or drops) a TOTP secret being set up, with the session that shows it.
    fn set_totp_pending(
        &self,
        account: &Account,
        token_sha256: String,
        secret: Option<Vec<u8>>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The counts of `tenant`'s submissions per destination; picked up counts those since `since`.
    fn inbox_counts(
        &self,
        tenant: &Tenant,
        since: i64,
    ) -> impl Future<Output = Result<Vec<InboxCounts>, StoreError>> + Send;

    /// The display names of the accounts of `tenant` (of the operator for `None`), by account id: who the
    /// entries of that log name.
    fn account_names(
        &self,
        tenant: Option<&Tenant>,
    ) -> impl Future<Output = Result<Vec<(String, String)>, StoreError>> + Send;

    /// The failures stored for `key` (zero if none).
    fn failures(&self, key: String) -> impl Future<Output = Result<Failures, StoreError>> + Send;

    /// Counts a failure of `key` at `now`, in a new window if `fresh_window`; rows a day old go.
    fn record_failure(
        &self,
        key: String,
        now: i64,
        fresh_window: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Forgets the failures of `key` (after a successful sign-in).
    fn clear_failures(&self, key: String) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The audit log an account's entries go to: its tenant's (`t<ARS>`), or the operator's for an operator
/// account and for a sign-in under a login no account has.
pub fn audit_log_of(account: Option<&Account>) -> super::audit::AuditLog {
    match account.and_then(Account::tenant) {
        Some(tenant) => super::audit::AuditLog::tenant(tenant),
        None => super::audit::AuditLog::operator(&Operator::console()),
    }
}

/// Reads a stored role.
pub(in crate::store) fn stored_role(name: &str) -> Result<Role, StoreError> {
    Role::from_db_name(name).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Checks a new account's roles against its tenant.
pub fn check_roles(tenant: bool, roles: &[Role], destinations: &[String]) -> Result<(), StoreError> {
    let bad = |m: &str| StoreError::refused(super::Refusal::BadRequest, m.to_owned());
    if roles.is_empty() {
        return Err(bad("an account needs at least one role"));
    }
    let operator = roles.contains(&Role::Operator);
    if operator && (tenant || roles.len() > 1) {
        return Err(bad("the operator role stands alone and belongs to no tenant"));
    }
    if !operator && !tenant {
        return Err(bad("the roles formulare, geraete and eingang need a tenant (--tenant ARS)"));
    }
    if !destinations.is_empty() && !roles.contains(&Role::InboxUser) {
        return Err(bad("destinations are for the role eingang"));
    }
    Ok(())
}
