//! Reading and writing keys: the encodings that are accepted, and the ones refused with a reason.

use formdesk_seal::{DecryptionKey, RecipientKey, SealError};

use crate::fixtures::{
    AUTHORITY_3072_KID, AUTHORITY_A_KID, AUTHORITY_A_PEM, AUTHORITY_A_PUBLIC_PEM, AUTHORITY_B_KID, authority_a,
    authority_b,
};

const AUTHORITY_3072_PEM: &str = include_str!("../keys/authority-3072.pem");
const AUTHORITY_3072_PUBLIC_PEM: &str = include_str!("../keys/authority-3072.pub.pem");
const AUTHORITY_3072_PKCS1_PEM: &str = include_str!("../keys/authority-3072.pkcs1.pem");
const AUTHORITY_3072_PKCS1_PUBLIC_PEM: &str = include_str!("../keys/authority-3072.pkcs1.pub.pem");
const TOO_SMALL_2048_PEM: &str = include_str!("../keys/too-small-2048.pem");
const TOO_SMALL_2048_PUBLIC_PEM: &str = include_str!("../keys/too-small-2048.pub.pem");
const TOO_SMALL_1024_PEM: &str = include_str!("../keys/too-small-1024.pem");
const TOO_SMALL_1024_PUBLIC_PEM: &str = include_str!("../keys/too-small-1024.pub.pem");
const EC_PUBLIC_PEM: &str = include_str!("../keys/ec-p256.pub.pem");

/// The DER inside a PEM file, read independently of the crate's own PEM reader.
fn der_of(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).expect("base64 in a PEM file")
}

#[test]
fn key_ids_are_rfc_7638_thumbprints() {
    assert_eq!(RecipientKey::from_pem(AUTHORITY_A_PUBLIC_PEM).unwrap().key_id(), AUTHORITY_A_KID);
    assert_eq!(authority_a().public().key_id(), AUTHORITY_A_KID);
    assert_eq!(authority_b().public().key_id(), AUTHORITY_B_KID);
    assert_eq!(RecipientKey::from_pem(AUTHORITY_3072_PUBLIC_PEM).unwrap().key_id(), AUTHORITY_3072_KID);
}

#[test]
fn public_key_writes_back_what_openssl_wrote() {
    let key = RecipientKey::from_pem(AUTHORITY_A_PUBLIC_PEM).unwrap();
    assert_eq!(key.to_pem(), AUTHORITY_A_PUBLIC_PEM);
    assert_eq!(key.to_spki_der(), der_of(AUTHORITY_A_PUBLIC_PEM));
    assert_eq!(RecipientKey::from_spki_der(&key.to_spki_der()).unwrap(), key);
    assert_eq!(key.bits(), 4096);
}

#[test]
fn private_key_survives_pkcs8_pem() {
    let pem = authority_a().to_pkcs8_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{}", &pem[..40]);
    assert_eq!(DecryptionKey::from_pem(&pem).unwrap().public(), authority_a().public());
}

#[test]
fn pkcs1_keys_are_accepted() {
    let public = RecipientKey::from_pem(AUTHORITY_3072_PKCS1_PUBLIC_PEM).unwrap();
    assert_eq!(public.key_id(), AUTHORITY_3072_KID);
    assert_eq!(public.to_pem(), AUTHORITY_3072_PUBLIC_PEM);
    let private = DecryptionKey::from_pem(AUTHORITY_3072_PKCS1_PEM).unwrap();
    assert_eq!(private.public(), public);
    assert_eq!(DecryptionKey::from_pem(AUTHORITY_3072_PEM).unwrap().public(), public);
    assert_eq!(public.bits(), 3072);
}

#[test]
fn crlf_line_endings_and_surrounding_whitespace_are_accepted() {
    let crlf = format!("\r\n  {}  \r\n\t\r\n", AUTHORITY_A_PUBLIC_PEM.replace('\n', "\r\n"));
    assert_eq!(RecipientKey::from_pem(&crlf).unwrap().key_id(), AUTHORITY_A_KID);
    let spaces = AUTHORITY_A_PEM.replace('\n', " \n");
    assert_eq!(DecryptionKey::from_pem(&spaces).unwrap().public().key_id(), AUTHORITY_A_KID);
}

#[test]
fn a_pem_with_the_wrong_label_is_refused() {
    let err = RecipientKey::from_pem(AUTHORITY_A_PEM).unwrap_err();
    assert_eq!(err, SealError::NotPem { expected: "PUBLIC KEY", found: Some("PRIVATE KEY".into()) });
    assert_eq!(err.to_string(), "not a PEM block labelled PUBLIC KEY, found one labelled \"PRIVATE KEY\"");

    let err = DecryptionKey::from_pem(AUTHORITY_A_PUBLIC_PEM).unwrap_err();
    assert_eq!(err, SealError::NotPem { expected: "PRIVATE KEY", found: Some("PUBLIC KEY".into()) });

    let certificate = AUTHORITY_A_PUBLIC_PEM.replace("PUBLIC KEY", "CERTIFICATE");
    assert_eq!(
        RecipientKey::from_pem(&certificate).unwrap_err(),
        SealError::NotPem { expected: "PUBLIC KEY", found: Some("CERTIFICATE".into()) }
    );
    let encrypted = AUTHORITY_A_PEM.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY");
    assert_eq!(
        DecryptionKey::from_pem(&encrypted).unwrap_err(),
        SealError::NotPem { expected: "PRIVATE KEY", found: Some("ENCRYPTED PRIVATE KEY".into()) }
    );
    assert_eq!(
        RecipientKey::from_pem("just some text").unwrap_err().to_string(),
        "not a PEM block labelled PUBLIC KEY, found no PEM block"
    );
}

#[test]
fn garbage_base64_is_refused() {
    let garbage = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq!!!hkiG9w0BAQEFAAOC\n-----END PUBLIC KEY-----\n";
    let err = RecipientKey::from_pem(garbage).unwrap_err();
    assert_eq!(err, SealError::PemBase64 { label: "PUBLIC KEY" });
    assert_eq!(err.to_string(), "the PEM block labelled PUBLIC KEY does not hold valid base64");

    let not_a_key = "-----BEGIN PUBLIC KEY-----\nSGVsbG8sIFdlbHQh\n-----END PUBLIC KEY-----\n";
    assert!(matches!(RecipientKey::from_pem(not_a_key).unwrap_err(), SealError::InvalidKey { .. }));
    let not_a_key = not_a_key.replace("PUBLIC", "PRIVATE");
    assert!(matches!(DecryptionKey::from_pem(&not_a_key).unwrap_err(), SealError::InvalidKey { .. }));

    let cut = &AUTHORITY_A_PUBLIC_PEM[..AUTHORITY_A_PUBLIC_PEM.len() - 10];
    assert_eq!(RecipientKey::from_pem(cut).unwrap_err(), SealError::PemEnd { label: "PUBLIC KEY" });
}

#[test]
fn a_2048_bit_key_is_too_small() {
    let expected = SealError::KeyTooSmall { bits: Some(2048) };
    let err = RecipientKey::from_pem(TOO_SMALL_2048_PUBLIC_PEM).unwrap_err();
    assert_eq!(err, expected);
    assert_eq!(err.to_string(), "RSA key of 2048 bits is too small, at least 3072 are required");
    assert_eq!(DecryptionKey::from_pem(TOO_SMALL_2048_PEM).unwrap_err(), expected);
}

#[test]
fn a_1024_bit_key_is_too_small() {
    assert_eq!(
        RecipientKey::from_pem(TOO_SMALL_1024_PUBLIC_PEM).unwrap_err(),
        SealError::KeyTooSmall { bits: Some(1024) }
    );
    let err = DecryptionKey::from_pem(TOO_SMALL_1024_PEM).unwrap_err();
    assert!(matches!(err, SealError::KeyTooSmall { .. }), "{err}");
    assert!(err.to_string().ends_with("is too small, at least 3072 are required"), "{err}");
}

#[test]
fn keys_that_are_not_rsa_or_not_the_announced_encoding_are_refused() {
    let err = RecipientKey::from_pem(EC_PUBLIC_PEM).unwrap_err();
    assert!(matches!(err, SealError::InvalidKey { .. }), "{err}");

    // PKCS#1 bytes under the SubjectPublicKeyInfo label, and the other way round.
    let pkcs1 = der_of(AUTHORITY_3072_PKCS1_PUBLIC_PEM);
    assert!(matches!(RecipientKey::from_spki_der(&pkcs1).unwrap_err(), SealError::InvalidKey { .. }));
    let relabelled = AUTHORITY_3072_PUBLIC_PEM.replace("PUBLIC KEY", "RSA PUBLIC KEY");
    assert!(matches!(RecipientKey::from_pem(&relabelled).unwrap_err(), SealError::InvalidKey { .. }));
    let relabelled = AUTHORITY_3072_PKCS1_PEM.replace("RSA PRIVATE KEY", "PRIVATE KEY");
    assert!(matches!(DecryptionKey::from_pem(&relabelled).unwrap_err(), SealError::InvalidKey { .. }));

    assert!(matches!(RecipientKey::from_spki_der(&[]).unwrap_err(), SealError::InvalidKey { .. }));
    assert!(matches!(DecryptionKey::from_pkcs8_der(&[0x30, 0x00]).unwrap_err(), SealError::InvalidKey { .. }));
}

#[test]
fn debug_shows_the_key_id_and_no_key_material() {
    let public = format!("{:?}", authority_a().public());
    assert_eq!(public, format!("RecipientKey {{ kid: \"{AUTHORITY_A_KID}\", bits: 4096, .. }}"));
    let private = format!("{:?}", authority_a());
    assert_eq!(private, format!("DecryptionKey {{ kid: \"{AUTHORITY_A_KID}\", .. }}"));
    for line in AUTHORITY_A_PEM.lines().filter(|line| !line.starts_with("-----")) {
        assert!(!private.contains(&line[..16]));
    }
}
