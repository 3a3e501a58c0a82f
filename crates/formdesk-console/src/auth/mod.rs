//! Accounts of the console: everything a sign-in and a session need, as pure functions and small types.
//! The portal keeps the rows (`accounts`, `sessions`, `sign_in_failures`) and passes in what it read, the
//! current time (Unix seconds) and a random source (ring's `SystemRandom` in the portal); nothing here
//! opens a database, reads a clock, draws from a generator of its own or sends a response. The design and
//! its reasons are in `docs/tenants.md`, section 4.
//!
//! - [`password`]: Argon2id in PHC strings (`$argon2id$v=19$m=65536,t=3,p=4$…`). The default parameters,
//!   64 MiB of memory, 3 passes and 4 lanes, are the second recommended option of RFC 9106 (section 4) and
//!   meet BSI TR-02102-1 (at least 64 MiB and 3 passes, as the desk's PIN derivation). The salt is 16 bytes
//!   from the caller's random source. Every PHC string carries its parameters, so a sign-in with older ones
//!   reports that the password should be hashed again. An unknown login costs the same time as a known one
//!   ([`password::verify_unknown_login`]), so the time of the answer does not tell which logins exist.
//! - [`rules`]: what a new password must be: 12 to 128 characters, not the login nor containing it, and not
//!   on a list of the most common passwords. Length beats composition rules (NIST SP 800-63B): people meet
//!   "one digit, one capital" with `Passwort1!`.
//! - [`totp`]: the second factor, RFC 6238 (TOTP over RFC 4226's HOTP) with HMAC-SHA1, 30-second steps and
//!   6 digits, as every authenticator app supports; one step of clock drift either way, and a used step is
//!   never accepted again, so a code seen over a shoulder cannot be replayed.
//! - [`mod@throttle`]: how long a sign-in must wait after failures: from the 4th failure within 15 minutes
//!   `2^(n-4)` seconds, from the 10th a lock of 15 minutes; answered at once, never by sleeping.
//! - [`session`]: session and CSRF tokens (32 random bytes; the server stores only the session token's
//!   SHA-256, so a copy of the database opens no session), the idle (30 minutes) and absolute (10 hours)
//!   timeouts, and the keyed digest of a login for audit entries of failed sign-ins.
//! - [`setup`]: the one-time link (72 hours, stored as SHA-256) through which a new account sets its
//!   password in the browser.
//! - [`cookie`]: the `Set-Cookie` values (`__Host-` prefix: host only, `Secure`, path `/`) and reading the
//!   `Cookie` header.
//! - [`origin`]: the `Origin`/`Referer` check every `POST` makes besides its CSRF token.
//! - [`role`]: the four roles, their names in the database and their German labels.
//!
//! Secrets (passwords, tokens, TOTP secrets) live in types whose `Debug` prints no value and whose memory
//! is cleared when dropped, so a log line that formats a request's state cannot leak them.
//!
//! User-facing refusals ([`rules::PasswordRefusal`], [`totp::TotpRefusal`], [`throttle::Throttle`]) carry
//! German sentences for the page; [`AuthError`] is for the log and never shown to a person.

pub mod cookie;
pub mod origin;
pub mod password;
pub mod role;
pub mod rules;
pub mod session;
pub mod setup;
pub mod throttle;
pub mod totp;

pub use cookie::{
    PRE_SESSION_COOKIE, PRE_SESSION_MAX_AGE, SESSION_COOKIE, pre_session_cookie, pre_session_cookie_removal,
    pre_session_csrf_from_cookies, session_cookie, session_cookie_removal, session_token_from_cookies,
};
pub use origin::origin_allowed;
pub use password::{
    Password, PasswordCheck, default_params, hash_password, hash_password_with, verify_password, verify_password_with,
    verify_unknown_login, verify_unknown_login_with,
};
pub use role::Role;
pub use rules::{PasswordRefusal, check_password_rules};
pub use session::{CsrfToken, LoginKey, SessionState, SessionToken, session_state};
pub use setup::{SetupToken, setup_link_valid};
pub use throttle::{Throttle, account_key, address_key, throttle};
pub use totp::{TotpRefusal, TotpSecret, verify_totp};

/// The one answer to a failed sign-in, whether the login exists, the password is wrong or the account is
/// disabled, so the page does not tell which logins exist.
pub const SIGN_IN_FAILED: &str = "Anmeldename oder Passwort ist falsch.";

/// What went wrong below the level of a person's input: a stored value that does not parse, a failing
/// random source. Messages are English and meant for the log; the page shows a general German error.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A stored password hash is not an Argon2 PHC string this module can verify.
    #[error("the stored password hash is not a valid Argon2 PHC string: {0}")]
    MalformedHash(String),
    /// Argon2 parameters outside what Argon2 or this module accept.
    #[error("invalid Argon2 parameters: {0}")]
    HashParams(String),
    /// The random source failed (the operating system's generator was not available).
    #[error("the random source failed")]
    Random,
    /// A role name from the database that is none of the four.
    #[error("unknown role {0:?} (expected betrieb, formulare, geraete or eingang)")]
    UnknownRole(String),
    /// A stored TOTP secret that is not base32 or too short.
    #[error("the TOTP secret is malformed: {0}")]
    MalformedTotpSecret(String),
    /// A `Cookie` header that does not follow `name=value; name=value`.
    #[error("malformed Cookie header: {0}")]
    MalformedCookie(String),
    /// A session or CSRF token that is not 32 bytes in base64url.
    #[error("malformed token: expected 43 characters of base64url (32 bytes)")]
    MalformedToken,
}

/// Fills `N` bytes from the caller's random source.
fn random_bytes<const N: usize>(rng: &dyn ring::rand::SecureRandom) -> Result<[u8; N], AuthError> {
    let mut bytes = [0u8; N];
    rng.fill(&mut bytes).map_err(|_| AuthError::Random)?;
    Ok(bytes)
}
