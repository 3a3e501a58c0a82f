//! What is sealed opens to the same bytes, with the header FIT-Connect expects.

use formdesk_seal::{DecryptionKey, Header, header, open, seal, sha256_hex};
use ring::rand::SystemRandom;

use crate::fixtures::{AUTHORITY_A_KID, authority_a, bytes, decoded, parts};

fn round_trip(len: usize) {
    let key = authority_a();
    let plaintext = bytes(len);
    let jwe = seal(&key.public(), &plaintext, &SystemRandom::new()).expect("seal");
    assert_eq!(open(key, &jwe).expect("open"), plaintext);
}

#[test]
fn empty_part_round_trips() {
    round_trip(0);
}

#[test]
fn one_byte_round_trips() {
    round_trip(1);
}

#[test]
fn fifty_kilobytes_round_trip() {
    round_trip(50 * 1024);
}

#[test]
fn five_megabytes_round_trip() {
    round_trip(5 * 1024 * 1024);
}

#[test]
fn header_is_exactly_the_fit_connect_one() {
    let jwe = seal(&authority_a().public(), b"Hundesteuer", &SystemRandom::new()).unwrap();
    let parts = parts(&jwe);
    let json = String::from_utf8(decoded(&parts[0])).unwrap();
    assert_eq!(json, format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{AUTHORITY_A_KID}"}}"#));
    assert_eq!(decoded(&parts[1]).len(), 512, "RSA-4096 wraps the key into 512 bytes");
    assert_eq!(decoded(&parts[2]).len(), 12);
    assert_eq!(decoded(&parts[3]).len(), b"Hundesteuer".len());
    assert_eq!(decoded(&parts[4]).len(), 16);
    assert_eq!(
        header(&jwe).unwrap(),
        Header { alg: "RSA-OAEP-256".into(), enc: "A256GCM".into(), kid: Some(AUTHORITY_A_KID.into()) }
    );
}

#[test]
fn every_seal_is_fresh() {
    let key = authority_a().public();
    let rng = SystemRandom::new();
    let first = parts(&seal(&key, b"same", &rng).unwrap());
    let second = parts(&seal(&key, b"same", &rng).unwrap());
    assert_eq!(first[0], second[0]);
    for index in 1..5 {
        assert_ne!(first[index], second[index], "part {index}");
    }
}

#[test]
fn a_generated_key_round_trips_and_survives_pem() {
    let key = DecryptionKey::generate(4096).unwrap();
    let public = key.public();
    assert_eq!(public.bits(), 4096);
    let jwe = seal(&public, b"Eingangsbestaetigung", &SystemRandom::new()).unwrap();

    let reread = DecryptionKey::from_pem(&key.to_pkcs8_pem().unwrap()).unwrap();
    assert_eq!(reread.public(), public);
    assert_eq!(open(&reread, &jwe).unwrap(), b"Eingangsbestaetigung");
    assert_eq!(formdesk_seal::RecipientKey::from_pem(&public.to_pem()).unwrap().key_id(), public.key_id());
}

#[test]
fn part_hashes_are_lowercase_sha256() {
    assert_eq!(sha256_hex(&bytes(0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // Computed apart from this crate with Python's hashlib over the same filler bytes.
    assert_eq!(sha256_hex(&bytes(50 * 1024)), "5ed1714a2e797afefde99ea1576fe78837fb28d37534a587c9ecaaee0d1d7233");
}
