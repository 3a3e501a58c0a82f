//! The console's audit entries (`docs/tenants.md`, section 6): `sign_in`, `sign_in_failed` (the login as a
//! keyed hash, never in clear), `sign_out`, `password_set`, `totp_on`, `account_add` through
//! [`Store::append_audit`]; `forms_upload` ([`record_upload`]); `device_add`, `device_revoke` and `tenant_add` are written by the store in the
//! transaction of the change, with the account as the actor ([`actor`]). An entry that cannot be written is
//! logged and does not stop the action (a sign-in is not refused because the log is unavailable).
//!
//! A tenant's account writes to its tenant's log (`t<ARS>`), an operator account to the operator's log.

use crate::store::accounts::{Account, audit_log_of};
use crate::store::audit::{Actor, Event};
use crate::store::{AccountStore, Store};
use formdesk_console::auth::LoginKey;
use formdesk_protocol::audit::Action;

/// The actor of an account's entries: its id.
pub fn actor(account: &Account) -> Actor {
    Actor(account.id.clone())
}

/// Records `action` by `account` on `object`, with `detail` as `(key, text)`.
pub async fn record<S: Store + AccountStore>(
    store: &S,
    account: &Account,
    action: Action,
    object: Option<&str>,
    detail: Option<(&str, &str)>,
    now: i64,
) {
    let mut event = Event::new(&actor(account), action, now);
    if let Some(object) = object {
        event = event.on(object);
    }
    if let Some((key, value)) = detail {
        event = event.text(key, value);
    }
    if let Err(e) = store.append_audit(audit_log_of(Some(account)), event).await {
        eprintln!("formdesk-portal: console: the audit entry {action:?} could not be written: {e}");
    }
}

/// The `forms_upload` entry of a change to a tenant's form channel by `actor` (a console upload, or the
/// command line's `forms publish|promote|withdraw`): the role's new version, the highest set version and the
/// channels; never the bundle's own words.
pub fn forms_upload(actor: &Actor, role_version: u64, set_version: u64, channels: &str, now: i64) -> Event {
    Event::new(actor, Action::FormsUpload, now)
        .on(format!("role-version-{role_version}"))
        .number("set_version", i64::try_from(set_version).unwrap_or(i64::MAX))
        .text("channels", channels)
}

/// Records a form editor's upload in the account's log.
pub async fn record_upload<S: Store + AccountStore>(
    store: &S,
    account: &Account,
    role_version: u64,
    set_version: u64,
    channels: &str,
    now: i64,
) {
    let event = forms_upload(&actor(account), role_version, set_version, channels, now);
    if let Err(e) = store.append_audit(audit_log_of(Some(account)), event).await {
        eprintln!("formdesk-portal: console: the audit entry of an upload could not be written: {e}");
    }
}

/// Records a failed sign-in: the actor is the login's keyed digest, the log the account's (the operator's
/// for a login no account has).
pub async fn sign_in_failed<S: Store + AccountStore>(
    store: &S,
    key: &LoginKey,
    login: &str,
    account: Option<&Account>,
    now: i64,
) {
    let event = Event::new(&Actor(format!("login:{}", key.digest(login))), Action::SignInFailed, now);
    if let Err(e) = store.append_audit(audit_log_of(account), event).await {
        eprintln!("formdesk-portal: console: the audit entry of a failed sign-in could not be written: {e}");
    }
}
