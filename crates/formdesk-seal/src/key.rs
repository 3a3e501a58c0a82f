//! The RSA keys: the destination's public key that parts are sealed for, and the authority's private key that
//! opens them.
//!
//! Keys are read from PEM or DER and refused below [`MIN_KEY_BITS`] (BSI TR-02102-1 asks for at least 3000 bits
//! for RSA; FIT-Connect uses 4096). A public key is named by its JWK thumbprint (RFC 7638), which is the `kid`
//! of every JWE sealed for it. Non-goals: JWK parsing, certificates and their chains, key storage; the portal
//! fetches and checks a destination's key, the desk keeps keys in the vault.

use std::fmt;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{self, KeySize, PrivateDecryptingKey, PublicEncryptingKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest;
use zeroize::Zeroizing;

use crate::{SealError, pem};

/// The smallest RSA modulus, in bits, that is accepted for sealing or opening (BSI TR-02102-1).
pub const MIN_KEY_BITS: usize = 3072;

/// The largest RSA modulus, in bits, that the RSA implementation takes.
const MAX_KEY_BITS: usize = 8192;

const PUBLIC_KEY: &str = "PUBLIC KEY";
const RSA_PUBLIC_KEY: &str = "RSA PUBLIC KEY";
const PRIVATE_KEY: &str = "PRIVATE KEY";
const RSA_PRIVATE_KEY: &str = "RSA PRIVATE KEY";

/// The RSA public key of a destination (the receiving authority), which parts are sealed for.
///
/// Cheap to clone. Two keys are equal when their SubjectPublicKeyInfo is.
#[derive(Clone)]
pub struct RecipientKey {
    key: PublicEncryptingKey,
    spki: Vec<u8>,
    bits: usize,
    kid: String,
}

impl RecipientKey {
    /// Reads a PEM block labelled `PUBLIC KEY` (X.509 SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1).
    ///
    /// Text before the block, CRLF line endings and trailing whitespace are accepted.
    pub fn from_pem(pem: &str) -> Result<Self, SealError> {
        let (label, der) = pem::decode(pem, &[PUBLIC_KEY, RSA_PUBLIC_KEY])?;
        if label == PUBLIC_KEY { Self::from_spki_der(&der) } else { Self::from_pkcs1_der(&der) }
    }

    /// Reads a DER-encoded X.509 SubjectPublicKeyInfo holding an RSA key.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, SealError> {
        match PublicEncryptingKey::from_der(der) {
            Ok(key) => Self::from_key(key),
            // The RSA implementation refuses keys below 2048 bits before their size can be asked; read the
            // modulus on its own to say how small the key is.
            Err(_) => match rsa::PublicKey::from_der(der) {
                Ok(parsed) if modulus_bits(&parsed) < MIN_KEY_BITS => {
                    Err(SealError::KeyTooSmall { bits: Some(modulus_bits(&parsed)) })
                }
                Ok(parsed) if modulus_bits(&parsed) > MAX_KEY_BITS => {
                    Err(SealError::KeyTooLarge { bits: Some(modulus_bits(&parsed)) })
                }
                _ => Err(SealError::InvalidKey { reason: "expected an RSA SubjectPublicKeyInfo in DER" }),
            },
        }
    }

    /// Reads a DER-encoded PKCS#1 `RSAPublicKey`.
    fn from_pkcs1_der(der: &[u8]) -> Result<Self, SealError> {
        let invalid = SealError::InvalidKey { reason: "expected a PKCS#1 RSAPublicKey in DER" };
        let parsed = rsa::PublicKey::from_der(der).map_err(|_| invalid.clone())?;
        // `from_der` also takes a SubjectPublicKeyInfo; a PKCS#1 key is one that it encodes back to the same bytes.
        if parsed.as_ref() != der {
            return Err(invalid);
        }
        check_size(modulus_bits(&parsed))?;
        let spki = parsed.as_der().map_err(|_| SealError::Crypto { operation: "encode an RSA public key" })?;
        Self::from_spki_der(spki.as_ref())
    }

    fn from_key(key: PublicEncryptingKey) -> Result<Self, SealError> {
        let bits = key.key_size_bits();
        check_size(bits)?;
        let spki = AsDer::<PublicKeyX509Der>::as_der(&key)
            .map_err(|_| SealError::Crypto { operation: "encode an RSA public key" })?
            .as_ref()
            .to_vec();
        let parsed =
            rsa::PublicKey::from_der(&spki).map_err(|_| SealError::Crypto { operation: "read an RSA public key" })?;
        let kid = thumbprint(
            parsed.exponent().big_endian_without_leading_zero(),
            parsed.modulus().big_endian_without_leading_zero(),
        );
        Ok(Self { key, spki, bits, kid })
    }

    /// The key as a DER-encoded X.509 SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> Vec<u8> {
        self.spki.clone()
    }

    /// The key as a PEM block labelled `PUBLIC KEY`.
    pub fn to_pem(&self) -> String {
        pem::encode(PUBLIC_KEY, &self.spki).as_str().to_owned()
    }

    /// The size of the RSA modulus in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The key's id: its JWK thumbprint (RFC 7638), base64url of the SHA-256 of `{"e":…,"kty":"RSA","n":…}`.
    ///
    /// This is the `kid` of every JWE sealed for the key.
    pub fn key_id(&self) -> String {
        self.kid.clone()
    }

    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    pub(crate) fn encrypting_key(&self) -> &PublicEncryptingKey {
        &self.key
    }
}

impl PartialEq for RecipientKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki == other.spki
    }
}

impl Eq for RecipientKey {}

impl fmt::Debug for RecipientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecipientKey").field("kid", &self.kid).field("bits", &self.bits).finish_non_exhaustive()
    }
}

/// The RSA private key of the receiving authority, which opens what was sealed for its [`RecipientKey`].
///
/// Cheap to clone. Its `Debug` shows only the public key's id.
#[derive(Clone)]
pub struct DecryptionKey {
    key: PrivateDecryptingKey,
    public: RecipientKey,
}

impl DecryptionKey {
    /// Reads a PEM block labelled `PRIVATE KEY` (unencrypted PKCS#8) or `RSA PRIVATE KEY` (PKCS#1).
    ///
    /// Text before the block, CRLF line endings and trailing whitespace are accepted.
    pub fn from_pem(pem: &str) -> Result<Self, SealError> {
        let (label, der) = pem::decode(pem, &[PRIVATE_KEY, RSA_PRIVATE_KEY])?;
        if label == PRIVATE_KEY { Self::from_pkcs8_der(&der) } else { Self::from_pkcs1_der(&der) }
    }

    /// Reads a DER-encoded, unencrypted PKCS#8 `PrivateKeyInfo` holding an RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, SealError> {
        let key = PrivateDecryptingKey::from_pkcs8(der)
            .map_err(|rejected| rejected_private(rejected, "expected an RSA PKCS#8 private key in DER"))?;
        Self::from_key(key)
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self, SealError> {
        let pair = rsa::KeyPair::from_der(der)
            .map_err(|rejected| rejected_private(rejected, "expected a PKCS#1 RSAPrivateKey in DER"))?;
        let pkcs8 = AsDer::<Pkcs8V1Der>::as_der(&pair)
            .map_err(|_| SealError::Crypto { operation: "encode an RSA private key" })?;
        Self::from_pkcs8_der(pkcs8.as_ref())
    }

    fn from_key(key: PrivateDecryptingKey) -> Result<Self, SealError> {
        check_size(key.key_size_bits())?;
        let public = RecipientKey::from_key(key.public_key())?;
        Ok(Self { key, public })
    }

    /// Generates a new key of 3072 or 4096 bits (4096 is what FIT-Connect uses). Takes a few seconds.
    pub fn generate(bits: usize) -> Result<Self, SealError> {
        let size = match bits {
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            _ => return Err(SealError::UnsupportedKeySize { bits }),
        };
        let key =
            PrivateDecryptingKey::generate(size).map_err(|_| SealError::Crypto { operation: "generate an RSA key" })?;
        Self::from_key(key)
    }

    /// The key as an unencrypted PKCS#8 PEM block labelled `PRIVATE KEY`, wiped from memory when dropped.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, SealError> {
        let der = AsDer::<Pkcs8V1Der>::as_der(&self.key)
            .map_err(|_| SealError::Crypto { operation: "encode an RSA private key" })?;
        Ok(pem::encode(PRIVATE_KEY, der.as_ref()))
    }

    /// The public half, to seal for this key.
    pub fn public(&self) -> RecipientKey {
        self.public.clone()
    }

    pub(crate) fn recipient(&self) -> &RecipientKey {
        &self.public
    }

    pub(crate) fn decrypting_key(&self) -> &PrivateDecryptingKey {
        &self.key
    }
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionKey").field("kid", &self.public.kid).finish_non_exhaustive()
    }
}

fn check_size(bits: usize) -> Result<(), SealError> {
    if bits < MIN_KEY_BITS {
        Err(SealError::KeyTooSmall { bits: Some(bits) })
    } else if bits > MAX_KEY_BITS {
        Err(SealError::KeyTooLarge { bits: Some(bits) })
    } else {
        Ok(())
    }
}

/// The RSA implementation refuses private keys outside 2048 to 8192 bits without saying their size.
fn rejected_private(rejected: aws_lc_rs::error::KeyRejected, reason: &'static str) -> SealError {
    match rejected.description_() {
        "TooSmall" => SealError::KeyTooSmall { bits: None },
        "TooLarge" => SealError::KeyTooLarge { bits: None },
        _ => SealError::InvalidKey { reason },
    }
}

fn modulus_bits(key: &rsa::PublicKey) -> usize {
    let n = key.modulus().big_endian_without_leading_zero();
    match n.first() {
        Some(&first) => n.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

/// The JWK thumbprint (RFC 7638) of the RSA key with exponent `e` and modulus `n`, both big-endian without
/// leading zeros. The members are in the lexicographic order the RFC prescribes, with no whitespace.
fn thumbprint(e: &[u8], n: &[u8]) -> String {
    let jwk = format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, URL_SAFE_NO_PAD.encode(e), URL_SAFE_NO_PAD.encode(n));
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, jwk.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTHORITY_A: &str = include_str!("../tests/keys/authority-a-4096.pem");
    const AUTHORITY_A_PUBLIC: &str = include_str!("../tests/keys/authority-a-4096.pub.pem");

    #[test]
    fn thumbprint_matches_rfc_7638_example() {
        // RFC 7638, section 3.1.
        let n = URL_SAFE_NO_PAD
            .decode(
                "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_B\
                 JECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_F\
                 DW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4\
                 vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            )
            .unwrap();
        assert_eq!(thumbprint(&[1, 0, 1], &n), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn modulus_bits_counts_from_the_top_bit() {
        let key = RecipientKey::from_pem(AUTHORITY_A_PUBLIC).unwrap();
        let parsed = rsa::PublicKey::from_der(&key.spki).unwrap();
        assert_eq!(modulus_bits(&parsed), 4096);
        assert_eq!(key.bits(), 4096);
    }

    #[test]
    fn private_and_public_key_agree() {
        let private = DecryptionKey::from_pem(AUTHORITY_A).unwrap();
        let public = RecipientKey::from_pem(AUTHORITY_A_PUBLIC).unwrap();
        assert_eq!(private.public(), public);
        assert_eq!(private.recipient().kid(), public.kid());
    }

    #[test]
    fn generates_only_3072_or_4096_bits() {
        for bits in [0, 1024, 2048, 3000, 8192] {
            assert_eq!(DecryptionKey::generate(bits).unwrap_err(), SealError::UnsupportedKeySize { bits });
        }
        let key = DecryptionKey::generate(3072).unwrap();
        assert_eq!(key.public().bits(), 3072);
        let again = DecryptionKey::from_pem(&key.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(again.public(), key.public());
    }

    #[test]
    fn size_limits() {
        assert_eq!(check_size(3071), Err(SealError::KeyTooSmall { bits: Some(3071) }));
        assert_eq!(check_size(3072), Ok(()));
        assert_eq!(check_size(8192), Ok(()));
        assert_eq!(check_size(8193), Err(SealError::KeyTooLarge { bits: Some(8193) }));
    }
}
