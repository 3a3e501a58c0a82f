//! Session and CSRF tokens, session lifetimes, and the keyed digest of a login.
//!
//! A session token is 32 random bytes, in the cookie as base64url without padding (43 characters). The
//! server stores only its SHA-256 (`sessions.token_sha256`): whoever reads the table cannot present a
//! session, and a lookup by hash needs no constant-time comparison. The CSRF token (synchronizer token,
//! `docs/tenants.md`) is another 32 random bytes kept with the session and put into every form; a submitted
//! value is compared in constant time.
//!
//! A session ends after 30 minutes without a request (idle) and 10 hours after sign-in (a working day),
//! whichever comes first; `seen_at` is written at most once a minute so that reading pages does not turn
//! into a write per request.

use super::{AuthError, random_bytes};
use data_encoding::BASE64URL_NOPAD;
use ring::{digest, hmac};
use zeroize::Zeroizing;

/// Bytes of a session or CSRF token.
pub const TOKEN_LEN: usize = 32;
/// Idle timeout in seconds (30 minutes).
pub const IDLE_SECONDS: i64 = 30 * 60;
/// Absolute lifetime in seconds (10 hours).
pub const ABSOLUTE_SECONDS: i64 = 10 * 60 * 60;
/// How often `seen_at` is written at most, in seconds.
pub const TOUCH_SECONDS: i64 = 60;

fn decode_token(text: &str) -> Result<Zeroizing<[u8; TOKEN_LEN]>, AuthError> {
    // 43 characters of base64url carry exactly 32 bytes; checking the length first keeps a long value
    // from being decoded at all.
    if text.len() != 43 {
        return Err(AuthError::MalformedToken);
    }
    let decoded = Zeroizing::new(BASE64URL_NOPAD.decode(text.as_bytes()).map_err(|_| AuthError::MalformedToken)?);
    let mut bytes = Zeroizing::new([0u8; TOKEN_LEN]);
    if decoded.len() != TOKEN_LEN {
        return Err(AuthError::MalformedToken);
    }
    bytes.copy_from_slice(&decoded);
    Ok(bytes)
}

/// A session token as the browser holds it. `Debug` prints no part of it.
#[derive(Clone)]
pub struct SessionToken(Zeroizing<[u8; TOKEN_LEN]>);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(…)")
    }
}

impl SessionToken {
    /// A new token of 32 random bytes.
    pub fn generate(rng: &dyn ring::rand::SecureRandom) -> Result<Self, AuthError> {
        Ok(Self(Zeroizing::new(random_bytes::<TOKEN_LEN>(rng)?)))
    }

    /// A token from a cookie value: 43 characters of base64url, no padding.
    pub fn from_cookie_value(text: &str) -> Result<Self, AuthError> {
        decode_token(text).map(Self)
    }

    /// The cookie value (base64url, no padding).
    pub fn cookie_value(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE64URL_NOPAD.encode(self.0.as_ref()))
    }

    /// What the server stores and looks the session up by: SHA-256 of the 32 bytes.
    pub fn sha256(&self) -> [u8; 32] {
        let hash = digest::digest(&digest::SHA256, self.0.as_ref());
        let mut out = [0u8; 32];
        out.copy_from_slice(hash.as_ref());
        out
    }
}

/// A CSRF token: stored with the session (`sessions.csrf`), put into each form's hidden field. `Debug`
/// prints no part of it.
#[derive(Clone)]
pub struct CsrfToken(Zeroizing<[u8; TOKEN_LEN]>);

impl std::fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfToken(…)")
    }
}

impl CsrfToken {
    /// A new token of 32 random bytes.
    pub fn generate(rng: &dyn ring::rand::SecureRandom) -> Result<Self, AuthError> {
        Ok(Self(Zeroizing::new(random_bytes::<TOKEN_LEN>(rng)?)))
    }

    /// The token as stored (32 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AuthError> {
        let array: [u8; TOKEN_LEN] = bytes.try_into().map_err(|_| AuthError::MalformedToken)?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// The token from a form field or the pre-session cookie (base64url, no padding).
    pub fn from_form_value(text: &str) -> Result<Self, AuthError> {
        decode_token(text).map(Self)
    }

    /// The bytes to store.
    pub fn expose(&self) -> &[u8] {
        self.0.as_ref()
    }

    /// The value for the hidden form field (base64url, no padding).
    pub fn form_value(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE64URL_NOPAD.encode(self.0.as_ref()))
    }

    /// Whether a submitted form value is this token, compared in constant time. A value of the wrong length
    /// or alphabet is simply not equal.
    pub fn matches(&self, submitted: &str) -> bool {
        let expected = self.form_value();
        subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), submitted.as_bytes()).into()
    }
}

/// What to do with a session at a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Valid; nothing to write.
    Live,
    /// Valid; write `seen_at = now` (the last write is a minute old or more).
    NeedsTouch,
    /// No request for 30 minutes: delete the session and ask to sign in again.
    IdleExpired,
    /// Ten hours since sign-in: delete the session and ask to sign in again.
    Expired,
}

impl SessionState {
    /// Whether the request may go on.
    pub fn is_valid(self) -> bool {
        matches!(self, Self::Live | Self::NeedsTouch)
    }
}

/// The state of a session created at `created_at` and last seen at `seen_at`, at `now` (Unix seconds).
/// The absolute limit is checked first; a clock that went backwards counts as no time passed.
pub fn session_state(created_at: i64, seen_at: i64, now: i64) -> SessionState {
    if now >= created_at.saturating_add(ABSOLUTE_SECONDS) {
        SessionState::Expired
    } else if now >= seen_at.saturating_add(IDLE_SECONDS) {
        SessionState::IdleExpired
    } else if now >= seen_at.saturating_add(TOUCH_SECONDS) {
        SessionState::NeedsTouch
    } else {
        SessionState::Live
    }
}

/// The key for digests of logins (HMAC-SHA-256): audit entries of failed sign-ins and the throttling key
/// of an account name a login by its digest, never in clear. The portal derives the key from its own and
/// passes it in. `Debug` prints no part of it.
pub struct LoginKey(hmac::Key);

impl std::fmt::Debug for LoginKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginKey(…)")
    }
}

impl LoginKey {
    /// A key from the portal's key material (32 bytes or more recommended).
    pub fn new(key: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, key))
    }

    /// HMAC-SHA-256 of the login, trimmed and in lower case (as people type it at sign-in), in base64url
    /// without padding. The same login always gives the same digest under one key, so failed sign-ins on
    /// one account can be found together in the audit trail.
    pub fn digest(&self, login: &str) -> String {
        let normalized = Zeroizing::new(login.trim().to_lowercase());
        BASE64URL_NOPAD.encode(hmac::sign(&self.0, normalized.as_bytes()).as_ref())
    }
}
