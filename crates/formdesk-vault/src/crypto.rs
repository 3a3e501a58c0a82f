//! The vault's cryptography, all from ring: AES-256-GCM envelopes, key wrapping, HKDF, randomness.
//!
//! An envelope is `magic (4) | format version (1) | nonce (12) | ciphertext | tag (16)`. Nonces are random:
//! every key encrypts few messages (a submission's key encrypts that submission's rows only), far below the
//! 2^32 messages after which random 96-bit nonces would become a risk. The associated data names what the
//! ciphertext is (see [`Aad`]); a ciphertext copied to another row, column or schema version fails to open.
//!
//! Keys live in [`Key`], which zeroizes its bytes when dropped. ring's expanded AES key schedule is built per
//! operation and not zeroized by ring; it lives only for the duration of one call.

use ring::aead::{AES_256_GCM, Aad as RingAad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// The first bytes of every envelope.
pub const MAGIC: &[u8; 4] = b"FDVE";
/// The envelope format this code writes and reads.
pub const ENVELOPE_VERSION: u8 = 1;
/// The version of the table layout that the associated data names. A migration that changes what a column
/// means re-encrypts it under a new version, so old ciphertext can never be read as the new meaning.
pub const AAD_SCHEMA: u32 = 1;

const HEADER_LEN: usize = MAGIC.len() + 1 + NONCE_LEN;
const TAG_LEN: usize = 16;

/// A 256-bit key, zeroized on drop.
pub struct Key(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    /// A fresh random key.
    pub fn random() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        SystemRandom::new().fill(bytes.as_mut()).map_err(|_| CryptoError::Random)?;
        Ok(Self(bytes))
    }

    /// A key made of exactly 32 bytes; anything else is refused.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Malformed)?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// The key's bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn aead(&self) -> Result<LessSafeKey, CryptoError> {
        UnboundKey::new(&AES_256_GCM, self.0.as_ref()).map(LessSafeKey::new).map_err(|_| CryptoError::Malformed)
    }

    /// Encrypts `plaintext` for the place `aad` names.
    pub fn seal(&self, aad: &Aad, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| CryptoError::Random)?;
        let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
        out.extend_from_slice(MAGIC);
        out.push(ENVELOPE_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let tag = self
            .aead()?
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                RingAad::from(aad.0.as_bytes()),
                &mut out[HEADER_LEN..],
            )
            .map_err(|_| CryptoError::Random)?;
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Decrypts an envelope written by [`Key::seal`] for the same `aad`. The plaintext is zeroized on drop.
    pub fn open(&self, aad: &Aad, envelope: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if envelope.len() < HEADER_LEN + TAG_LEN || &envelope[..MAGIC.len()] != MAGIC {
            return Err(CryptoError::Malformed);
        }
        let version = envelope[MAGIC.len()];
        if version != ENVELOPE_VERSION {
            return Err(CryptoError::UnknownVersion(version));
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&envelope[MAGIC.len() + 1..HEADER_LEN]);
        let mut buffer = Zeroizing::new(envelope[HEADER_LEN..].to_vec());
        let len = self
            .aead()?
            .open_in_place(Nonce::assume_unique_for_key(nonce), RingAad::from(aad.0.as_bytes()), &mut buffer)
            .map_err(|_| CryptoError::Authentication)?
            .len();
        buffer.truncate(len);
        Ok(buffer)
    }

    /// Wraps `key` under this key, for the place `aad` names.
    pub fn wrap(&self, aad: &Aad, key: &Key) -> Result<Vec<u8>, CryptoError> {
        self.seal(aad, key.bytes())
    }

    /// Unwraps a key wrapped by [`Key::wrap`].
    pub fn unwrap_key(&self, aad: &Aad, wrapped: &[u8]) -> Result<Key, CryptoError> {
        Key::from_slice(&self.open(aad, wrapped)?)
    }
}

/// HKDF-SHA256 of high-entropy `secret` into a 256-bit key for `purpose`.
pub fn derive(secret: &[u8], salt: &[u8], purpose: &str) -> Result<Key, CryptoError> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(secret);
    let info = [purpose.as_bytes()];
    let okm = prk.expand(&info, hkdf::HKDF_SHA256).map_err(|_| CryptoError::Malformed)?;
    let mut bytes = Zeroizing::new([0u8; 32]);
    okm.fill(bytes.as_mut()).map_err(|_| CryptoError::Malformed)?;
    Ok(Key(bytes))
}

/// `N` random bytes.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut bytes = [0u8; N];
    SystemRandom::new().fill(&mut bytes).map_err(|_| CryptoError::Random)?;
    Ok(bytes)
}

/// Associated data: which table, column, row (and part of the row) a ciphertext belongs to, under which
/// table layout. `formdesk-vault/1/submissions/data/42`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aad(String);

impl Aad {
    /// The associated data of `table.column` in row `row`.
    pub fn new(table: &str, column: &str, row: impl std::fmt::Display) -> Self {
        Self(format!("formdesk-vault/{AAD_SCHEMA}/{table}/{column}/{row}"))
    }

    /// The same place, narrowed to `part` (a chunk of an attachment).
    #[must_use]
    pub fn part(&self, part: impl std::fmt::Display) -> Self {
        Self(format!("{}/{part}", self.0))
    }
}

/// Why a cryptographic operation failed. Deliberately coarse: a failed authentication says nothing about
/// which byte was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the system's random number generator failed")]
    Random,
    #[error("not an envelope of the vault (wrong magic, too short, or a key of the wrong length)")]
    Malformed,
    #[error("envelope format version {0} is unknown to this Formdesk")]
    UnknownVersion(u8),
    #[error("the ciphertext does not authenticate: changed, moved to another place, or the wrong key")]
    Authentication,
}

/// A new Ed25519 signing key as a PKCS#8 document (ring), wiped when dropped.
pub fn new_signing_key() -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let document =
        ring::signature::Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| CryptoError::Random)?;
    Ok(Zeroizing::new(document.as_ref().to_vec()))
}

/// The public key (32 bytes) of an Ed25519 key in PKCS#8.
pub fn signing_public_key(pkcs8: &[u8]) -> Result<Vec<u8>, CryptoError> {
    use ring::signature::KeyPair as _;
    let pair = ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| CryptoError::Malformed)?;
    Ok(pair.public_key().as_ref().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_opens_only_with_its_key_and_place() {
        let key = Key::random().unwrap();
        let aad = Aad::new("submissions", "data", 7);
        let envelope = key.seal(&aad, b"Erika Mustermann").unwrap();
        assert_eq!(&envelope[..4], MAGIC);
        assert_eq!(envelope[4], ENVELOPE_VERSION);
        assert_eq!(envelope.len(), 4 + 1 + 12 + 16 + 16);
        assert_eq!(key.open(&aad, &envelope).unwrap().as_slice(), b"Erika Mustermann");

        assert_eq!(key.open(&Aad::new("submissions", "data", 8), &envelope), Err(CryptoError::Authentication));
        assert_eq!(key.open(&Aad::new("submissions", "summary", 7), &envelope), Err(CryptoError::Authentication));
        assert_eq!(Key::random().unwrap().open(&aad, &envelope), Err(CryptoError::Authentication));
    }

    #[test]
    fn every_flipped_bit_is_detected() {
        let key = Key::random().unwrap();
        let aad = Aad::new("t", "c", 1);
        let envelope = key.seal(&aad, b"DE89370400440532013000").unwrap();
        for byte in 0..envelope.len() {
            for bit in 0..8 {
                let mut bad = envelope.clone();
                bad[byte] ^= 1 << bit;
                let result = key.open(&aad, &bad);
                assert!(result.is_err(), "byte {byte} bit {bit} went unnoticed");
            }
        }
    }

    #[test]
    fn a_truncated_or_foreign_envelope_is_malformed_and_a_newer_one_is_named() {
        let key = Key::random().unwrap();
        let aad = Aad::new("t", "c", 1);
        let envelope = key.seal(&aad, b"x").unwrap();
        assert_eq!(key.open(&aad, &envelope[..20]), Err(CryptoError::Malformed));
        assert_eq!(key.open(&aad, b"plain text, not an envelope at all"), Err(CryptoError::Malformed));
        let mut newer = envelope.clone();
        newer[4] = 2;
        assert_eq!(key.open(&aad, &newer), Err(CryptoError::UnknownVersion(2)));
    }

    #[test]
    fn wrapped_keys_unwrap_to_the_same_key_and_nonces_differ() {
        let kek = Key::random().unwrap();
        let key = Key::random().unwrap();
        let aad = Aad::new("submissions", "key", 3);
        let a = kek.wrap(&aad, &key).unwrap();
        let b = kek.wrap(&aad, &key).unwrap();
        assert_ne!(a, b, "a fresh nonce each time");
        assert_eq!(kek.unwrap_key(&aad, &a).unwrap().bytes(), key.bytes());
        assert!(format!("{key:?}").contains('…'), "Debug never shows key bytes");
    }

    #[test]
    fn hkdf_is_deterministic_per_salt_and_purpose() {
        let a = derive(b"secret", b"salt", "recovery").unwrap();
        assert_eq!(a.bytes(), derive(b"secret", b"salt", "recovery").unwrap().bytes());
        assert_ne!(a.bytes(), derive(b"secret", b"salt", "index").unwrap().bytes());
        assert_ne!(a.bytes(), derive(b"secret", b"other", "recovery").unwrap().bytes());
    }
}
