//! Interoperability with josekit, a JOSE implementation on OpenSSL that shares no code with this crate.

use formdesk_seal::{SealError, open, seal};
use josekit::jwe::{self, JweHeader, RSA_OAEP, RSA_OAEP_256};
use ring::rand::SystemRandom;

use crate::fixtures::{AUTHORITY_A_KID, AUTHORITY_A_PEM, AUTHORITY_A_PUBLIC_PEM, AUTHORITY_B_PEM, authority_a, bytes};

/// A JWE that josekit makes for authority A's public key.
fn josekit_jwe(alg: &dyn jwe::JweEncrypter, enc: &str, kid: Option<&str>, zip: Option<&str>, payload: &[u8]) -> String {
    let mut header = JweHeader::new();
    header.set_content_encryption(enc);
    if let Some(kid) = kid {
        header.set_key_id(kid);
    }
    if let Some(zip) = zip {
        header.set_compression(zip);
    }
    jwe::serialize_compact(payload, &header, alg).expect("josekit seals")
}

#[test]
fn josekit_opens_what_we_seal() {
    let decrypter = RSA_OAEP_256.decrypter_from_pem(AUTHORITY_A_PEM).unwrap();
    for len in [0, 1, 50 * 1024] {
        let plaintext = bytes(len);
        let sealed = seal(&authority_a().public(), &plaintext, &SystemRandom::new()).unwrap();
        let (opened, header) = jwe::deserialize_compact(&sealed, &decrypter).unwrap();
        assert_eq!(opened, plaintext);
        assert_eq!(header.algorithm(), Some("RSA-OAEP-256"));
        assert_eq!(header.content_encryption(), Some("A256GCM"));
        assert_eq!(header.key_id(), Some(AUTHORITY_A_KID));
    }
}

#[test]
fn josekit_with_another_key_cannot_open_what_we_seal() {
    let decrypter = RSA_OAEP_256.decrypter_from_pem(AUTHORITY_B_PEM).unwrap();
    let sealed = seal(&authority_a().public(), b"Hundesteuer", &SystemRandom::new()).unwrap();
    assert!(jwe::deserialize_compact(&sealed, &decrypter).is_err());
}

#[test]
fn we_open_what_josekit_seals() {
    let encrypter = RSA_OAEP_256.encrypter_from_pem(AUTHORITY_A_PUBLIC_PEM).unwrap();
    for (kid, len) in [(Some(AUTHORITY_A_KID), 0), (Some(AUTHORITY_A_KID), 50 * 1024), (None, 1), (None, 3000)] {
        let plaintext = bytes(len);
        let sealed = josekit_jwe(&encrypter, "A256GCM", kid, None, &plaintext);
        assert_eq!(open(authority_a(), &sealed).unwrap(), plaintext, "kid {kid:?}, {len} bytes");
        assert_eq!(formdesk_seal::header(&sealed).unwrap().kid.as_deref(), kid);
    }
}

#[test]
fn josekit_jwe_with_rsa_oaep_sha1_is_refused() {
    let encrypter = RSA_OAEP.encrypter_from_pem(AUTHORITY_A_PUBLIC_PEM).unwrap();
    let sealed = josekit_jwe(&encrypter, "A256GCM", Some(AUTHORITY_A_KID), None, b"Hundesteuer");
    let err = open(authority_a(), &sealed).unwrap_err();
    assert_eq!(err, SealError::UnsupportedAlg { found: "RSA-OAEP".into() });
    assert_eq!(err.to_string(), "unsupported alg \"RSA-OAEP\", expected RSA-OAEP-256");
}

#[test]
fn josekit_jwe_with_a128gcm_is_refused() {
    let encrypter = RSA_OAEP_256.encrypter_from_pem(AUTHORITY_A_PUBLIC_PEM).unwrap();
    for enc in ["A128GCM", "A256CBC-HS512"] {
        let sealed = josekit_jwe(&encrypter, enc, None, None, b"Hundesteuer");
        assert_eq!(open(authority_a(), &sealed).unwrap_err(), SealError::UnsupportedEnc { found: enc.into() });
    }
}

#[test]
fn josekit_jwe_with_compression_is_refused() {
    let encrypter = RSA_OAEP_256.encrypter_from_pem(AUTHORITY_A_PUBLIC_PEM).unwrap();
    let sealed = josekit_jwe(&encrypter, "A256GCM", None, Some("DEF"), &bytes(1000));
    let err = open(authority_a(), &sealed).unwrap_err();
    assert_eq!(err, SealError::UnsupportedZip { found: "\"DEF\"".into() });
    assert_eq!(err.to_string(), "JWE header asks for compression (zip \"DEF\"), which is not supported");
}
