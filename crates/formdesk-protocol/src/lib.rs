//! What a desk and the portal say to each other, as types and signature schemes both sides share.
//!
//! - [`wire`]: the JSON bodies of the portal's HTTP API (version [`PROTOCOL_VERSION`]) and its paths.
//! - [`content`]: what the desk seals for the authority: the submission's data and metadata. The portal never
//!   sees these in plaintext; only the desk writes them and only the authority's tool reads them.
//! - [`auth`]: how an enrolled desk signs each request with its Ed25519 device key, and how the portal checks it.
//! - [`acceptance`]: the portal's signed statement that a submission arrived complete, with the hashes of the
//!   ciphertext it received.
//! - [`ids`]: the shapes of client-chosen ids and of enrolment codes.
//! - [`audit`]: the audit trail's hash chain and its signed checkpoints, shared by portal and desk.
//! - [`provisioning`]: the file that sets a new desk up for its municipality without an address typed.
//! - [`app_bundle`]: the desk app's update bundles: a package's control fields and its update signature.
//!
//! Non-goals: no I/O, no clock, no randomness (times and keys are passed in), no HTTP client or server, no
//! encryption of submissions (that is `formdesk-seal`).
#![deny(missing_docs)]

pub mod acceptance;
pub mod app_bundle;
pub mod audit;
pub mod auth;
pub mod content;
pub mod ids;
pub mod provisioning;
pub mod wire;

/// The version of the portal API; it is the `v1` in every path and the `formatVersion` of every body.
pub const PROTOCOL_VERSION: u32 = 1;

/// Everything that can be wrong with a message of this protocol.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    /// The `Authorization` header is missing or not of the form this protocol uses.
    #[error("authorization header: {0}")]
    Authorization(String),
    /// The request's time is too far from the portal's clock.
    #[error("the request was signed at {signed} but the portal's time is {now}: more than {max} s apart")]
    ClockSkew {
        /// When the desk signed, Unix seconds.
        signed: i64,
        /// The portal's time, Unix seconds.
        now: i64,
        /// The allowed difference in seconds.
        max: i64,
    },
    /// A signature does not verify with the key it should have been made with.
    #[error("the signature does not verify")]
    BadSignature,
    /// A public key is not a 32-byte Ed25519 key.
    #[error("not an Ed25519 public key: {0}")]
    BadKey(String),
    /// A signed acceptance that is not `payload.signature` in base64url, or whose payload is not an acceptance.
    #[error("acceptance: {0}")]
    Acceptance(String),
    /// An id or code of the wrong shape.
    #[error("{0}")]
    BadId(String),
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn unb64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

/// Encodes bytes as base64url without padding, as every binary value in this protocol is.
pub fn encode_base64url(bytes: &[u8]) -> String {
    b64(bytes)
}

/// Decodes base64url without padding; `None` if `text` is not that.
pub fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    unb64(text)
}

/// SHA-256 of `bytes` as lowercase hex, the form every hash of this protocol takes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
