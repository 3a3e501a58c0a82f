//! Passwords hashed with Argon2id into PHC strings.
//!
//! Defaults: m = 64 MiB, t = 3, p = 4, RFC 9106's second recommended option, which also meets BSI
//! TR-02102-1's minimum (64 MiB, 3 passes). The portal runs at most four hashes at once, so sign-ins hold at
//! most 256 MiB. The `_with` variants take other parameters: cheaper ones for tests, higher ones when the
//! defaults are raised; a stored hash whose parameters differ from the current ones is reported by
//! [`PasswordCheck::rehash`] so the caller stores a new hash after a successful sign-in.

use super::{AuthError, random_bytes};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

/// Memory per hash in KiB (64 MiB).
pub const DEFAULT_MEMORY_KIB: u32 = 64 * 1024;
/// Passes over the memory.
pub const DEFAULT_PASSES: u32 = 3;
/// Lanes (degree of parallelism).
pub const DEFAULT_LANES: u32 = 4;
/// Bytes of salt per hash.
pub const SALT_LEN: usize = 16;

/// The most memory a stored hash may ask for (1 GiB). A PHC string is read from the database, but a
/// changed row must not make the portal try to allocate terabytes.
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
/// The most passes a stored hash may ask for.
const MAX_PASSES: u32 = 64;

// BSI TR-02102-1: Argon2id with at least 64 MiB and 3 passes. Checked when compiling.
const _: () = assert!(DEFAULT_MEMORY_KIB >= 64 * 1024 && DEFAULT_PASSES >= 3);

/// A password as typed, cleared from memory when dropped. `Debug` prints no part of it.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Takes the password from a form field.
    pub fn new(text: impl Into<String>) -> Self {
        Self(Zeroizing::new(text.into()))
    }

    /// The password itself, for the rules and for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

/// The result of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCheck {
    /// Whether the password matched.
    pub matched: bool,
    /// Whether the stored hash was made with other parameters (or another Argon2 variant or version) than
    /// the current ones; after a successful sign-in the caller stores a new hash.
    pub rehash: bool,
}

/// The current parameters: m = 65536 KiB, t = 3, p = 4, 32 bytes of output.
pub fn default_params() -> Params {
    // These constants are within Argon2's limits, so `new` cannot fail; the fallback keeps this function
    // free of a panic path all the same.
    Params::new(DEFAULT_MEMORY_KIB, DEFAULT_PASSES, DEFAULT_LANES, Some(Params::DEFAULT_OUTPUT_LEN)).unwrap_or_default()
}

fn hasher(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a new password with the current parameters and a fresh 16-byte salt.
pub fn hash_password(password: &Password, rng: &dyn ring::rand::SecureRandom) -> Result<String, AuthError> {
    hash_password_with(password, &default_params(), rng)
}

/// Hashes a new password with the given parameters; the PHC string records them.
pub fn hash_password_with(
    password: &Password,
    params: &Params,
    rng: &dyn ring::rand::SecureRandom,
) -> Result<String, AuthError> {
    let salt_bytes = Zeroizing::new(random_bytes::<SALT_LEN>(rng)?);
    let salt = SaltString::encode_b64(salt_bytes.as_ref()).map_err(|e| AuthError::HashParams(e.to_string()))?;
    let hash = hasher(params.clone())
        .hash_password(password.expose().as_bytes(), &salt)
        .map_err(|e| AuthError::HashParams(e.to_string()))?;
    Ok(hash.to_string())
}

/// Checks a password against a stored PHC string, with the current parameters deciding
/// [`PasswordCheck::rehash`].
pub fn verify_password(password: &Password, stored: &str) -> Result<PasswordCheck, AuthError> {
    verify_password_with(password, stored, &default_params())
}

/// Checks a password against a stored PHC string; `current` are the parameters new hashes get.
///
/// The stored string's own parameters are used for the check. A string that is not an Argon2 PHC string,
/// or asks for more than 1 GiB of memory or 64 passes, is an error, never a panic.
pub fn verify_password_with(password: &Password, stored: &str, current: &Params) -> Result<PasswordCheck, AuthError> {
    let parsed = PasswordHash::new(stored).map_err(|e| AuthError::MalformedHash(e.to_string()))?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| AuthError::MalformedHash(e.to_string()))?;
    let stored_params = Params::try_from(&parsed).map_err(|e| AuthError::MalformedHash(e.to_string()))?;
    if stored_params.m_cost() > MAX_MEMORY_KIB || stored_params.t_cost() > MAX_PASSES {
        return Err(AuthError::MalformedHash(format!(
            "parameters m={}, t={} exceed the limits m={MAX_MEMORY_KIB}, t={MAX_PASSES}",
            stored_params.m_cost(),
            stored_params.t_cost()
        )));
    }
    if parsed.salt.is_none() || parsed.hash.is_none() {
        return Err(AuthError::MalformedHash("salt or hash missing".into()));
    }
    let version = parsed.version.unwrap_or(Version::V0x13 as u32);
    let matched = match Argon2::default().verify_password(password.expose().as_bytes(), &parsed) {
        Ok(()) => true,
        Err(argon2::password_hash::Error::Password) => false,
        Err(e) => return Err(AuthError::MalformedHash(e.to_string())),
    };
    let rehash = algorithm != Algorithm::Argon2id
        || version != Version::V0x13 as u32
        || stored_params.m_cost() != current.m_cost()
        || stored_params.t_cost() != current.t_cost()
        || stored_params.p_cost() != current.p_cost()
        || output_len(&stored_params) != output_len(current);
    Ok(PasswordCheck { matched, rehash })
}

/// The length of the hash output, with Argon2's default when unset.
fn output_len(params: &Params) -> usize {
    params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)
}

/// A fixed salt and output for the dummy hash: 16 and 32 bytes of zeros in PHC's base64.
const DUMMY_SALT: &str = "AAAAAAAAAAAAAAAAAAAAAA";
const DUMMY_HASH: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// For a login that does not exist: runs Argon2id with the current parameters against a fixed dummy hash
/// and throws the result away, so the answer takes as long as for an existing account. The caller answers
/// "Anmeldename oder Passwort ist falsch" either way.
pub fn verify_unknown_login(password: &Password) -> Result<(), AuthError> {
    verify_unknown_login_with(password, &default_params())
}

/// [`verify_unknown_login`] with the parameters the caller's existing hashes use.
pub fn verify_unknown_login_with(password: &Password, current: &Params) -> Result<(), AuthError> {
    let dummy = format!(
        "$argon2id$v=19$m={},t={},p={}${DUMMY_SALT}${DUMMY_HASH}",
        current.m_cost(),
        current.t_cost(),
        current.p_cost()
    );
    // The dummy hash has the standard 32-byte output; whether it "matched" means nothing.
    verify_password_with(password, &dummy, current).map(|_| ())
}
