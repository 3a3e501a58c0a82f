//! Properties over arbitrary input: `open` and `header` never panic and never accept what was not sealed, and
//! whatever is sealed opens. Case counts are modest because every case does RSA-4096.

use formdesk_seal::{header, open, seal};
use proptest::prelude::*;
use ring::rand::SystemRandom;

use crate::fixtures::{AUTHORITY_A_KID, authority_a, encoded};

fn base64url(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<u8>(), 0..max).prop_map(|bytes| encoded(&bytes))
}

/// A protected header: the real one, one close to it, or anything.
fn header_part() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(encoded(format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{AUTHORITY_A_KID}"}}"#).as_bytes())),
        2 => Just(encoded(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#)),
        1 => "[ -~]{0,80}".prop_map(|json| encoded(json.as_bytes())),
        1 => "[A-Za-z0-9_-]{0,80}",
    ]
}

/// Five parts of base64url, mostly of the right lengths so that most cases get as far as RSA and AES-GCM, with
/// now and then a few stray characters.
fn five_parts() -> impl Strategy<Value = String> {
    (
        header_part(),
        prop_oneof![1 => base64url(520), 3 => proptest::collection::vec(any::<u8>(), 512).prop_map(|b| encoded(&b))],
        prop_oneof![1 => base64url(16), 3 => Just(encoded(&[7; 12]))],
        base64url(100),
        prop_oneof![1 => base64url(20), 3 => Just(encoded(&[9; 16]))],
        prop_oneof![3 => Just(String::new()), 1 => "[A-Za-z0-9_+/=.-]{1,8}"],
    )
        .prop_map(|(h, k, iv, c, t, noise)| {
            if noise.is_empty() { format!("{h}.{k}.{iv}.{c}.{t}") } else { format!("{h}.{k}.{iv}{noise}.{c}.{t}") }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_strings_are_refused_without_panicking(text in any::<String>()) {
        prop_assert!(header(&text).is_err());
        prop_assert!(open(authority_a(), &text).is_err());
    }

    #[test]
    fn arbitrary_dotted_strings_are_refused_without_panicking(text in "[A-Za-z0-9_.-]{0,200}") {
        prop_assert!(open(authority_a(), &text).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_five_part_jwes_are_refused_without_panicking(jwe in five_parts()) {
        let _ = header(&jwe);
        prop_assert!(open(authority_a(), &jwe).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn arbitrary_bytes_round_trip(plaintext in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let jwe = seal(&authority_a().public(), &plaintext, &SystemRandom::new()).unwrap();
        let kid = header(&jwe).unwrap().kid;
        prop_assert_eq!(kid.as_deref(), Some(AUTHORITY_A_KID));
        prop_assert_eq!(open(authority_a(), &jwe).unwrap(), plaintext);
    }
}
