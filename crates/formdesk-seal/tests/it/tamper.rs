//! A damaged, altered or misdirected JWE never opens, and never panics.

use formdesk_seal::{JwePart, SealError, open, seal};
use ring::rand::SystemRandom;

use crate::fixtures::{AUTHORITY_A_KID, AUTHORITY_B_KID, authority_a, authority_b, bytes, decoded, encoded, parts};

fn sealed_for_a(plaintext: &[u8]) -> String {
    seal(&authority_a().public(), plaintext, &SystemRandom::new()).expect("seal")
}

/// Another base64url character than `c`.
fn other_char(c: char) -> char {
    if c == 'A' { 'B' } else { 'A' }
}

#[test]
fn a_changed_character_in_any_part_is_refused() {
    let jwe = sealed_for_a(&bytes(100));
    let parts = parts(&jwe);
    for (index, part) in parts.iter().enumerate() {
        let chars: Vec<char> = part.chars().collect();
        for position in [0, chars.len() / 2, chars.len() - 1] {
            let mut changed_part = chars.clone();
            changed_part[position] = other_char(chars[position]);
            let mut changed = parts.clone();
            changed[index] = changed_part.into_iter().collect();
            let result = open(authority_a(), &changed.join("."));
            assert!(result.is_err(), "part {index}, character {position} opened: {result:?}");
        }
    }
}

#[test]
fn a_flipped_bit_in_any_part_is_refused() {
    let jwe = sealed_for_a(&bytes(100));
    let parts = parts(&jwe);
    for (index, part) in parts.iter().enumerate() {
        let original = decoded(part);
        for position in [0, original.len() / 2, original.len() - 1] {
            for bit in [0x01, 0x80] {
                let mut flipped = original.clone();
                flipped[position] ^= bit;
                let mut changed = parts.clone();
                changed[index] = encoded(&flipped);
                let result = open(authority_a(), &changed.join("."));
                if index == 0 {
                    // A changed header may no longer be JSON or name another key; it must fail all the same.
                    assert!(result.is_err(), "header byte {position} opened: {result:?}");
                } else {
                    assert_eq!(result, Err(SealError::Tampered), "part {index}, byte {position}, bit {bit:#x}");
                }
            }
        }
    }
}

#[test]
fn swapped_ciphertexts_are_refused() {
    let first = parts(&sealed_for_a(b"Antrag von Erika Mustermann"));
    let second = parts(&sealed_for_a(b"Antrag von Max Mustermannnn"));
    for swapped_part in [1, 3, 4] {
        let mut mixed = first.clone();
        mixed[swapped_part] = second[swapped_part].clone();
        assert_eq!(open(authority_a(), &mixed.join(".")), Err(SealError::Tampered), "part {swapped_part}");
    }
}

#[test]
fn truncated_or_extended_parts_are_refused() {
    let parts = parts(&sealed_for_a(&bytes(64)));

    let mut short_key = parts.clone();
    short_key[1] = encoded(&decoded(&parts[1])[..511]);
    assert_eq!(open(authority_a(), &short_key.join(".")), Err(SealError::Tampered));

    let mut long_ciphertext = parts.clone();
    long_ciphertext[3] = encoded(&[decoded(&parts[3]), vec![0]].concat());
    assert_eq!(open(authority_a(), &long_ciphertext.join(".")), Err(SealError::Tampered));

    let mut short_tag = parts.clone();
    short_tag[4] = encoded(&decoded(&parts[4])[..12]);
    assert_eq!(
        open(authority_a(), &short_tag.join(".")),
        Err(SealError::PartLength { part: JwePart::Tag, found: 12, expected: 16 })
    );

    let jwe = parts.join(".");
    assert_eq!(open(authority_a(), &jwe[..jwe.len() - 1]), Err(SealError::Base64 { part: JwePart::Tag }));
    assert_eq!(open(authority_a(), &format!("{jwe}.")), Err(SealError::PartCount { found: 6 }));
    assert_eq!(open(authority_a(), &format!("{jwe}\n")), Err(SealError::Base64 { part: JwePart::Tag }));
}

#[test]
fn a_jwe_for_another_key_names_both_keys() {
    let jwe = sealed_for_a(b"Hundesteuer");
    let err = open(authority_b(), &jwe).unwrap_err();
    assert_eq!(err, SealError::WrongKey { expected: AUTHORITY_B_KID.into(), found: AUTHORITY_A_KID.into() });
    assert_eq!(
        err.to_string(),
        format!("JWE is sealed for key \"{AUTHORITY_A_KID}\", but this is key \"{AUTHORITY_B_KID}\"")
    );
}

#[test]
fn removing_the_kid_breaks_the_associated_data() {
    let mut parts = parts(&sealed_for_a(b"Hundesteuer"));
    parts[0] = encoded(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#);
    let without_kid = parts.join(".");
    assert_eq!(formdesk_seal::header(&without_kid).unwrap().kid, None);
    // With the other key the encrypted key does not unwrap; with the right one the tag does not match.
    assert_eq!(open(authority_b(), &without_kid), Err(SealError::Tampered));
    assert_eq!(open(authority_a(), &without_kid), Err(SealError::Tampered));
}

#[test]
fn a_header_with_another_alg_is_refused_before_decrypting() {
    let mut parts = parts(&sealed_for_a(b"Hundesteuer"));
    parts[0] = encoded(format!(r#"{{"alg":"RSA1_5","enc":"A256GCM","kid":"{AUTHORITY_A_KID}"}}"#).as_bytes());
    let err = open(authority_a(), &parts.join(".")).unwrap_err();
    assert_eq!(err.to_string(), "unsupported alg \"RSA1_5\", expected RSA-OAEP-256");
}

#[test]
fn a_header_with_crit_is_refused() {
    let mut parts = parts(&sealed_for_a(b"Hundesteuer"));
    parts[0] = encoded(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","crit":["b64"],"b64":false}"#);
    assert_eq!(
        open(authority_a(), &parts.join(".")),
        Err(SealError::CriticalExtensions { found: r#"["b64"]"#.into() })
    );
}

#[test]
fn the_error_for_damage_does_not_say_which_check_failed() {
    assert_eq!(
        SealError::Tampered.to_string(),
        "JWE could not be decrypted: it is damaged or was not sealed for this key"
    );
}
