//! The console's audit entries (`docs/tenants.md`, section 6): `sign_in`, `sign_in_failed` (the login as a
//! keyed hash, never in clear), `sign_out`, `password_set`, `totp_on`, `account_add`, `device_add`,
//! `device_revoke`.
//!
//! The portal's audit store is being built beside the console; until it is part of the portal these calls
//! record nothing. They are the one place the console's handlers name what they would record, so wiring the
//! audit store is a change of this file only.

use crate::store::AccountStore;
use crate::store::accounts::Account;
use formdesk_console::auth::LoginKey;

/// Records `action` by `account` on `object` with `detail`.
pub async fn record<S: AccountStore>(
    _store: &S,
    _account: &Account,
    _action: &str,
    _object: Option<&str>,
    _detail: Option<&str>,
    _now: i64,
) {
}

/// Records a failed sign-in, naming the login only by its keyed digest.
pub async fn sign_in_failed<S: AccountStore>(_store: &S, key: &LoginKey, login: &str, _now: i64) {
    let _actor = key.digest(login);
}
