//! The one-time setup link of a new account (`/admin/einrichten/<token>`): `accounts add` and the
//! operator's "Konto anlegen" make one, the person sets their password through it in the browser (never on
//! a command line, where shell history and `ps` would keep it).
//!
//! The token is 32 random bytes in base64url like a session token, valid for 72 hours; the database keeps
//! only its SHA-256 (`accounts.setup_token_sha256`) and the expiry (`setup_expires_at`), so a copy of the
//! database sets no password. The caller clears both once the password is set.

use super::{AuthError, SessionToken};
use zeroize::Zeroizing;

/// How long a setup link is valid, in seconds (72 hours: over a weekend is too long, one working day too
/// short for a letter or a call to reach the person).
pub const SETUP_VALID_SECONDS: i64 = 72 * 60 * 60;

/// The path prefix of a setup link.
pub const SETUP_PATH: &str = "/admin/einrichten/";

/// A setup token. `Debug` prints no part of it.
#[derive(Clone)]
pub struct SetupToken(SessionToken);

impl std::fmt::Debug for SetupToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupToken(…)")
    }
}

impl SetupToken {
    /// A new token of 32 random bytes.
    pub fn generate(rng: &dyn ring::rand::SecureRandom) -> Result<Self, AuthError> {
        SessionToken::generate(rng).map(Self)
    }

    /// The token from the last segment of a setup link's path (43 characters of base64url).
    pub fn from_path_segment(text: &str) -> Result<Self, AuthError> {
        SessionToken::from_cookie_value(text).map(Self)
    }

    /// The link to print or show: `console_origin` (e.g. `https://portal.example.de`) and the path.
    pub fn link(&self, console_origin: &str) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{}{SETUP_PATH}{}",
            console_origin.trim_end_matches('/'),
            self.0.cookie_value().as_str()
        ))
    }

    /// What the database stores and looks the account up by.
    pub fn sha256(&self) -> [u8; 32] {
        self.0.sha256()
    }

    /// When a token made at `now` expires (store as `setup_expires_at`).
    pub fn expires_at(now: i64) -> i64 {
        now.saturating_add(SETUP_VALID_SECONDS)
    }
}

/// Whether a setup link with the stored expiry may still be used at `now`.
pub fn setup_link_valid(expires_at: i64, now: i64) -> bool {
    now < expires_at
}
