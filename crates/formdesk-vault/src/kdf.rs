//! From what people type to keys: Argon2id for clerks' PINs, HKDF for the recovery secret.
//!
//! A PIN has little entropy, so its key comes from Argon2id with at least 64 MiB and 3 passes, as BSI
//! TR-02102-1 recommends; the parameters are stored with each clerk, so they can be raised later without
//! locking anyone out. The recovery secret is 160 random bits, far beyond guessing, so HKDF-SHA256 is enough
//! for it.

use crate::VaultError;
use crate::crypto::{self, Key};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

/// The shortest PIN accepted.
pub const MIN_PIN_LEN: usize = 6;

/// Argon2id's cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub passes: u32,
    /// Degree of parallelism.
    pub lanes: u32,
}

impl KdfParams {
    /// What the desk uses: 64 MiB, 3 passes, 1 lane (BSI TR-02102-1).
    pub const RECOMMENDED: Self = Self { memory_kib: 64 * 1024, passes: 3, lanes: 1 };

    /// Cheap parameters for tests that create many vaults and are not about key derivation. Never for a
    /// real desk: a PIN behind these can be guessed quickly.
    pub const FAST_INSECURE: Self = Self { memory_kib: 64, passes: 1, lanes: 1 };

    pub(crate) fn derive(&self, pin: &str, salt: &[u8]) -> Result<Key, VaultError> {
        let params = Params::new(self.memory_kib, self.passes, self.lanes, Some(32))
            .map_err(|e| VaultError::Corrupt(format!("Argon2 parameters of a clerk are invalid: {e}")))?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(pin.as_bytes(), salt, out.as_mut())
            .map_err(|e| VaultError::Corrupt(format!("Argon2 failed: {e}")))?;
        Ok(Key::from_slice(out.as_ref())?)
    }
}

// BSI TR-02102-1: Argon2id with at least 64 MiB and 3 passes. Checked when compiling.
const _: () = assert!(KdfParams::RECOMMENDED.memory_kib >= 64 * 1024 && KdfParams::RECOMMENDED.passes >= 3);

pub(crate) fn check_pin(pin: &str) -> Result<(), VaultError> {
    if pin.chars().count() < MIN_PIN_LEN {
        return Err(VaultError::PinTooShort { min: MIN_PIN_LEN });
    }
    Ok(())
}

/// Crockford's Base32 alphabet: no I, L, O or U, so the secret reads aloud and types without confusion.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The administrator's recovery secret: 160 random bits as 32 characters in groups of four
/// (`7K3F-Q9XD-…`). Shown once at setup, to be kept on paper in a safe place.
pub struct RecoverySecret(Zeroizing<[u8; 20]>);

impl std::fmt::Debug for RecoverySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoverySecret(…)")
    }
}

impl RecoverySecret {
    pub(crate) fn generate() -> Result<Self, VaultError> {
        Ok(Self(Zeroizing::new(crypto::random_bytes::<20>()?)))
    }

    /// The secret as it is written down: 8 groups of 4 characters.
    pub fn display(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(39));
        let mut bits = 0u32;
        let mut buffer = 0u32;
        let mut count = 0;
        for &byte in self.0.iter() {
            buffer = (buffer << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                if count > 0 && count % 4 == 0 {
                    out.push('-');
                }
                out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
                count += 1;
            }
        }
        out
    }

    /// Reads a secret as typed: case, spaces and dashes do not matter; O is read as 0, I and L as 1.
    pub fn parse(text: &str) -> Result<Self, VaultError> {
        let mut bytes = Zeroizing::new([0u8; 20]);
        let mut buffer = 0u32;
        let mut bits = 0u32;
        let mut at = 0usize;
        let mut symbols = 0usize;
        for c in text.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            let Some(value) = ALPHABET.iter().position(|&a| char::from(a) == c) else {
                return Err(VaultError::MalformedRecoverySecret(format!("{c:?} is not one of its characters")));
            };
            symbols += 1;
            if symbols > 32 {
                return Err(VaultError::MalformedRecoverySecret("it has more than 32 characters".into()));
            }
            buffer = (buffer << 5) | value as u32;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes[at] = (buffer >> bits) as u8;
                at += 1;
            }
        }
        if symbols != 32 {
            return Err(VaultError::MalformedRecoverySecret(format!("it has {symbols} characters instead of 32")));
        }
        Ok(Self(bytes))
    }

    pub(crate) fn key(&self, salt: &[u8]) -> Result<Key, VaultError> {
        Ok(crypto::derive(self.0.as_ref(), salt, "formdesk-vault recovery")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_reads_back_as_written_however_it_is_typed() {
        let secret = RecoverySecret::generate().unwrap();
        let shown = secret.display();
        assert_eq!(shown.len(), 39);
        assert_eq!(shown.matches('-').count(), 7);
        let again = RecoverySecret::parse(&shown).unwrap();
        assert_eq!(again.0.as_ref(), secret.0.as_ref());
        let sloppy = shown.to_lowercase().replace('-', " ").replace('0', "o").replace('1', "l");
        assert_eq!(RecoverySecret::parse(&sloppy).unwrap().0.as_ref(), secret.0.as_ref());
    }

    #[test]
    fn a_wrong_secret_is_named() {
        let message = |text: &str| RecoverySecret::parse(text).unwrap_err().to_string();
        assert!(message("ABCD-EFGH").contains("8 characters instead of 32"), "{}", message("ABCD-EFGH"));
        assert!(message("ABCU").contains("'U' is not one of its characters"));
        assert!(message(&"A".repeat(33)).contains("more than 32"));
    }

    #[test]
    fn argon2id_depends_on_pin_salt_and_parameters() {
        let p = KdfParams::FAST_INSECURE;
        let a = p.derive("123456", b"salt-salt-salt-1").unwrap();
        assert_eq!(a.bytes(), p.derive("123456", b"salt-salt-salt-1").unwrap().bytes());
        assert_ne!(a.bytes(), p.derive("123457", b"salt-salt-salt-1").unwrap().bytes());
        assert_ne!(a.bytes(), p.derive("123456", b"salt-salt-salt-2").unwrap().bytes());
        let more = KdfParams { passes: 2, ..p };
        assert_ne!(a.bytes(), more.derive("123456", b"salt-salt-salt-1").unwrap().bytes());
    }
}
