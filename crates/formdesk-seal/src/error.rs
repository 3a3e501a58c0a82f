//! The one error type of the crate: what was wrong with a key or a JWE, in words a reader of a log can act on.
//!
//! Non-goal: telling apart why a JWE could not be decrypted. A wrong key, a damaged encrypted key and a failed
//! authentication tag are all [`SealError::Tampered`], so that nobody can use `open` as an oracle.

use std::fmt;

/// The five parts of a JWE in compact serialisation, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JwePart {
    /// The base64url protected header (part 1).
    Header,
    /// The content encryption key, encrypted with RSA-OAEP-256 (part 2).
    EncryptedKey,
    /// The AES-GCM initialization vector (part 3).
    Iv,
    /// The AES-GCM ciphertext (part 4).
    Ciphertext,
    /// The AES-GCM authentication tag (part 5).
    Tag,
}

impl fmt::Display for JwePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JwePart::Header => "protected header",
            JwePart::EncryptedKey => "encrypted key",
            JwePart::Iv => "initialization vector",
            JwePart::Ciphertext => "ciphertext",
            JwePart::Tag => "authentication tag",
        })
    }
}

/// Everything that can go wrong reading keys, sealing and opening.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The text holds no PEM block with the expected label.
    #[error("not a PEM block labelled {expected}{}", found_label(.found))]
    NotPem {
        /// The label that was expected, e.g. `PUBLIC KEY`.
        expected: &'static str,
        /// The label of the first PEM block found instead, if there was one.
        found: Option<String>,
    },
    /// The PEM block has no matching `-----END …-----` line.
    #[error("the PEM block labelled {label} has no line -----END {label}-----")]
    PemEnd {
        /// The label of the block.
        label: &'static str,
    },
    /// The body of the PEM block is not base64.
    #[error("the PEM block labelled {label} does not hold valid base64")]
    PemBase64 {
        /// The label of the block.
        label: &'static str,
    },
    /// The bytes are not a key of the expected kind and encoding.
    #[error("not a valid key: {reason}")]
    InvalidKey {
        /// What was expected, e.g. "an RSA SubjectPublicKeyInfo in DER".
        reason: &'static str,
    },
    /// The RSA key is smaller than [`MIN_KEY_BITS`](crate::MIN_KEY_BITS) (BSI TR-02102).
    #[error("RSA key of {} is too small, at least {} are required", size(.bits), crate::MIN_KEY_BITS)]
    KeyTooSmall {
        /// The size of the key, when it could be read (keys below 2048 bits are refused before that).
        bits: Option<usize>,
    },
    /// The RSA key is larger than 8192 bits, which the RSA implementation does not take.
    #[error("RSA key of {} is too large, at most 8192 bits are supported", large_size(.bits))]
    KeyTooLarge {
        /// The size of the key, when it could be read.
        bits: Option<usize>,
    },
    /// A key of this size cannot be generated.
    #[error("cannot generate an RSA key of {bits} bits, only of 3072 or 4096")]
    UnsupportedKeySize {
        /// The size that was asked for.
        bits: usize,
    },
    /// The random source failed.
    #[error("the random source failed")]
    RandomSource,
    /// The cryptographic library refused an operation on valid input; this is not the input's fault.
    #[error("the cryptographic library failed to {operation}")]
    Crypto {
        /// What it was asked to do.
        operation: &'static str,
    },
    /// The JWE does not have five dot-separated parts.
    #[error("JWE has {found} parts, expected 5")]
    PartCount {
        /// How many parts there are.
        found: usize,
    },
    /// A part of the JWE is not base64url without padding.
    #[error("JWE {part} is not valid base64url without padding")]
    Base64 {
        /// The part.
        part: JwePart,
    },
    /// A part of the JWE has the wrong length.
    #[error("JWE {part} is {found} bytes long, expected {expected}")]
    PartLength {
        /// The part.
        part: JwePart,
        /// Its length in bytes.
        found: usize,
        /// The length it must have.
        expected: usize,
    },
    /// The protected header is not a JSON object with string members `alg` and `enc`.
    #[error("JWE protected header is not valid: {reason}")]
    InvalidHeader {
        /// What the JSON parser found wrong.
        reason: String,
    },
    /// The key management algorithm is not RSA-OAEP-256.
    #[error("unsupported alg {found:?}, expected {}", crate::ALG)]
    UnsupportedAlg {
        /// The `alg` of the header.
        found: String,
    },
    /// The content encryption algorithm is not A256GCM.
    #[error("unsupported enc {found:?}, expected {}", crate::ENC)]
    UnsupportedEnc {
        /// The `enc` of the header.
        found: String,
    },
    /// The header asks for the plaintext to be decompressed; sealed parts are never compressed.
    #[error("JWE header asks for compression (zip {found}), which is not supported")]
    UnsupportedZip {
        /// The `zip` member as JSON.
        found: String,
    },
    /// The header marks extensions as critical; none are supported.
    #[error("JWE header marks {found} as critical, and no extension is supported")]
    CriticalExtensions {
        /// The `crit` member as JSON.
        found: String,
    },
    /// The JWE names, by `kid`, a different key from the one it is being opened with.
    #[error("JWE is sealed for key {found:?}, but this is key {expected:?}")]
    WrongKey {
        /// The key id of the key at hand.
        expected: String,
        /// The key id in the JWE's header.
        found: String,
    },
    /// The JWE could not be decrypted: it was damaged or altered, or it was not sealed for this key.
    #[error("JWE could not be decrypted: it is damaged or was not sealed for this key")]
    Tampered,
}

fn found_label(found: &Option<String>) -> String {
    match found {
        Some(label) => format!(", found one labelled {label:?}"),
        None => ", found no PEM block".to_owned(),
    }
}

fn size(bits: &Option<usize>) -> String {
    match bits {
        Some(bits) => format!("{bits} bits"),
        None => "fewer than 2048 bits".to_owned(),
    }
}

fn large_size(bits: &Option<usize>) -> String {
    match bits {
        Some(bits) => format!("{bits} bits"),
        None => "more than 8192 bits".to_owned(),
    }
}
