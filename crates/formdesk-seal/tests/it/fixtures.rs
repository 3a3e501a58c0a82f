//! The test keys under `tests/keys/`, parsed once per process, and helpers to take JWEs apart.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use formdesk_seal::DecryptionKey;

pub const AUTHORITY_A_PEM: &str = include_str!("../keys/authority-a-4096.pem");
pub const AUTHORITY_A_PUBLIC_PEM: &str = include_str!("../keys/authority-a-4096.pub.pem");
pub const AUTHORITY_B_PEM: &str = include_str!("../keys/authority-b-4096.pem");

/// The RFC 7638 thumbprints of the test keys, computed apart from this crate (see `tests/keys/README.md`).
pub const AUTHORITY_A_KID: &str = "PvcVZYrhdusL2l3wfV3JtxuaBDShUkb7HszuqEhWe88";
pub const AUTHORITY_B_KID: &str = "xXno1s_jJxZJwV9Aeo4r-Htmm2UkE-pDh7CT3hErOf0";
pub const AUTHORITY_3072_KID: &str = "DTBOMFHaxFx1WG2sIUVxy1wo7Z6VONykyHNt8WjRNA8";

pub fn authority_a() -> &'static DecryptionKey {
    static KEY: OnceLock<DecryptionKey> = OnceLock::new();
    KEY.get_or_init(|| DecryptionKey::from_pem(AUTHORITY_A_PEM).expect("authority A's key"))
}

pub fn authority_b() -> &'static DecryptionKey {
    static KEY: OnceLock<DecryptionKey> = OnceLock::new();
    KEY.get_or_init(|| DecryptionKey::from_pem(AUTHORITY_B_PEM).expect("authority B's key"))
}

/// The five parts of a compact JWE.
pub fn parts(jwe: &str) -> Vec<String> {
    let parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    assert_eq!(parts.len(), 5, "{jwe}");
    parts
}

pub fn decoded(part: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(part).expect("base64url")
}

pub fn encoded(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Deterministic filler bytes of the given length.
pub fn bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8).collect()
}
