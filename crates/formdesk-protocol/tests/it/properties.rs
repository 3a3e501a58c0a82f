//! Property tests of every reader of input from the wire: no input makes one panic, and what they accept
//! means what it should.

use formdesk_protocol::acceptance::{Acceptance, PartHash};
use formdesk_protocol::auth::{Authorization, MAX_CLOCK_SKEW, SCHEME, authorize};
use formdesk_protocol::wire::{Announce, EnrolRequest, ErrorBody, ErrorCode, SubmissionStatus, Submit};
use formdesk_protocol::{ProtocolError, decode_base64url, encode_base64url, ids};
use proptest::prelude::*;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::sync::OnceLock;

fn desk_key() -> &'static Ed25519KeyPair {
    static KEY: OnceLock<Ed25519KeyPair> = OnceLock::new();
    KEY.get_or_init(|| Ed25519KeyPair::from_seed_unchecked(&[7; 32]).unwrap())
}

fn other_key() -> &'static Ed25519KeyPair {
    static KEY: OnceLock<Ed25519KeyPair> = OnceLock::new();
    KEY.get_or_init(|| Ed25519KeyPair::from_seed_unchecked(&[9; 32]).unwrap())
}

fn uuid() -> impl Strategy<Value = String> {
    any::<[u8; 16]>().prop_map(ids::uuid_from_random)
}

fn method() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["GET", "PUT", "POST"]).prop_map(str::to_owned)
}

fn path() -> impl Strategy<Value = String> {
    "/v1/[a-z0-9/?=&-]{0,60}"
}

/// Text that looks a little like what is expected, and anything at all.
fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        (uuid(), any::<i64>(), "[A-Za-z0-9_-]{0,100}").prop_map(|(d, t, s)| format!("{SCHEME} {d}.{t}.{s}")),
        "Formdesk-Device [ -~]{0,200}",
        (uuid(), "[0-9+-]{0,25}", prop::collection::vec(any::<u8>(), 60..70))
            .prop_map(|(d, t, s)| format!("{SCHEME} {d}.{t}.{}", encode_base64url(&s))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_authorization_header_is_read_or_refused_without_panic(header in header_text(), now in any::<i64>()) {
        if let Ok(auth) = Authorization::parse(&header) {
            prop_assert!(ids::check_uuid("device id", &auth.device_id).is_ok());
            // Checking it never panics either, whatever the times.
            let _ = auth.verify(desk_key().public_key().as_ref(), "GET", "/", b"", now);
        }
    }

    #[test]
    fn a_signed_header_round_trips_and_verifies_within_the_skew(
        device in uuid(),
        method in method(),
        path in path(),
        body in prop::collection::vec(any::<u8>(), 0..200),
        time in any::<i64>(),
        offset in -MAX_CLOCK_SKEW..=MAX_CLOCK_SKEW,
    ) {
        let header = authorize(desk_key(), &device, &method, &path, time, &body);
        let auth = Authorization::parse(&header).unwrap();
        prop_assert_eq!(&auth.device_id, &device);
        prop_assert_eq!(auth.time, time);
        let now = time.saturating_add(offset);
        if time.abs_diff(now) <= MAX_CLOCK_SKEW.unsigned_abs() {
            prop_assert_eq!(auth.verify(desk_key().public_key().as_ref(), &method, &path, &body, now), Ok(()));
        }
    }

    #[test]
    fn any_time_outside_the_skew_is_refused_as_clock_skew(time in any::<i64>(), now in any::<i64>()) {
        let header = authorize(desk_key(), &ids::uuid_from_random([1; 16]), "GET", "/v1/destinations", time, b"");
        let auth = Authorization::parse(&header).unwrap();
        let verdict = auth.verify(desk_key().public_key().as_ref(), "GET", "/v1/destinations", b"", now);
        let outside = time.abs_diff(now) > MAX_CLOCK_SKEW.unsigned_abs();
        if outside {
            prop_assert_eq!(verdict, Err(ProtocolError::ClockSkew { signed: time, now, max: MAX_CLOCK_SKEW }));
        } else {
            prop_assert_eq!(verdict, Ok(()));
        }
    }

    #[test]
    fn the_extreme_times_are_never_accepted(edge in prop::sample::select(vec![i64::MIN, i64::MIN + 1, i64::MAX]), now in -4_000_000_000i64..4_000_000_000) {
        let header = authorize(desk_key(), &ids::uuid_from_random([1; 16]), "GET", "/", edge, b"");
        let auth = Authorization::parse(&header).unwrap();
        let is_clock_skew = matches!(auth.check_time(now), Err(ProtocolError::ClockSkew { .. }));
        prop_assert!(is_clock_skew);
    }

    #[test]
    fn a_signature_over_other_bytes_never_verifies(
        method in method(),
        path in path(),
        body in prop::collection::vec(any::<u8>(), 0..100),
        other_body in prop::collection::vec(any::<u8>(), 0..100),
        other_path in path(),
        time in -1_000_000i64..1_000_000,
    ) {
        let device = ids::uuid_from_random([2; 16]);
        let public = desk_key().public_key().as_ref();
        let auth = Authorization::parse(&authorize(desk_key(), &device, &method, &path, time, &body)).unwrap();
        if other_body != body {
            prop_assert_eq!(auth.verify(public, &method, &path, &other_body, time), Err(ProtocolError::BadSignature));
        }
        if other_path != path {
            prop_assert_eq!(auth.verify(public, &method, &other_path, &body, time), Err(ProtocolError::BadSignature));
        }
        prop_assert_eq!(
            auth.verify(other_key().public_key().as_ref(), &method, &path, &body, time),
            Err(ProtocolError::BadSignature)
        );
        // The same request signed at another time is another signature.
        let shifted = Authorization::parse(&authorize(desk_key(), &device, &method, &path, time + 1, &body)).unwrap();
        prop_assert_ne!(shifted.clone(), auth);
    }

    #[test]
    fn any_bytes_as_a_wire_body_are_read_or_refused_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = serde_json::from_slice::<EnrolRequest>(&bytes);
        let _ = serde_json::from_slice::<Announce>(&bytes);
        let _ = serde_json::from_slice::<Submit>(&bytes);
        let _ = serde_json::from_slice::<SubmissionStatus>(&bytes);
        if let Ok(body) = serde_json::from_slice::<ErrorBody>(&bytes) {
            // A code is always one of the closed set.
            prop_assert!(ErrorCode::ALL.contains(&body.code));
        }
    }

    #[test]
    fn wire_bodies_round_trip(destination in "[a-z0-9][a-z0-9-]{0,63}", attachments in prop::collection::vec(uuid(), 0..20), code in any::<String>()) {
        let announce = Announce { destination_id: destination, attachments };
        let json = serde_json::to_vec(&announce).unwrap();
        prop_assert_eq!(serde_json::from_slice::<Announce>(&json).unwrap(), announce);
        let enrol = EnrolRequest { code, public_key: encode_base64url(desk_key().public_key().as_ref()) };
        let json = serde_json::to_vec(&enrol).unwrap();
        prop_assert_eq!(serde_json::from_slice::<EnrolRequest>(&json).unwrap(), enrol);
    }

    #[test]
    fn error_codes_read_any_text(text in any::<String>()) {
        let code = ErrorCode::from(text.as_str());
        prop_assert!(code == ErrorCode::Unknown || code.as_str() == text);
        let json = serde_json::to_string(&serde_json::json!({ "code": text, "message": "" })).unwrap();
        prop_assert_eq!(serde_json::from_str::<ErrorBody>(&json).unwrap().code, code);
    }

    #[test]
    fn enrolment_codes_read_leniently_and_nothing_else(typed in any::<String>(), random in any::<[u8; 10]>(), lower in any::<bool>()) {
        if let Ok(code) = ids::normalize_enrolment_code(&typed) {
            prop_assert_eq!(code.len(), ids::CODE_SYMBOLS);
            prop_assert!(code.bytes().all(|b| ids::CODE_ALPHABET.contains(&b)));
        }
        let made = ids::enrolment_code_from_random(random);
        let typed = if lower { made.to_lowercase().replace('-', " ") } else { made.clone() };
        prop_assert_eq!(ids::normalize_enrolment_code(&typed).unwrap(), made.replace('-', ""));
    }

    #[test]
    fn ids_are_checked_without_panic(text in any::<String>(), random in any::<[u8; 16]>()) {
        if ids::check_uuid("id", &text).is_ok() {
            prop_assert_eq!(text.len(), 36);
        }
        if ids::check_destination_id(&text).is_ok() {
            prop_assert!(!text.is_empty() && text.len() <= 64);
        }
        prop_assert!(ids::check_uuid("id", &ids::uuid_from_random(random)).is_ok());
    }

    #[test]
    fn base64url_reads_any_text_and_round_trips(text in any::<String>(), bytes in prop::collection::vec(any::<u8>(), 0..100)) {
        let _ = decode_base64url(&text);
        prop_assert_eq!(decode_base64url(&encode_base64url(&bytes)), Some(bytes));
    }

    #[test]
    fn any_signed_acceptance_text_is_read_or_refused_without_panic(text in any::<String>(), payload in prop::collection::vec(any::<u8>(), 0..200)) {
        let public = desk_key().public_key().as_ref();
        let _ = Acceptance::verify(&text, public);
        // A payload that is not an acceptance, signed by the right key, is refused too.
        let signature = desk_key().sign(&[b"formdesk-acceptance-v1.".as_slice(), encode_base64url(&payload).as_bytes()].concat());
        let signed = format!("{}.{}", encode_base64url(&payload), encode_base64url(signature.as_ref()));
        if let Ok(acceptance) = Acceptance::verify(&signed, public) {
            prop_assert_eq!(acceptance.format_version, 1);
        }
    }

    #[test]
    fn acceptances_round_trip_and_only_for_their_key(
        submission in uuid(),
        accepted_at in any::<i64>(),
        sizes in prop::collection::vec(any::<u64>(), 0..5),
    ) {
        let acceptance = Acceptance {
            format_version: 1,
            submission_id: submission,
            destination_id: "ordnungsamt".into(),
            device_id: ids::uuid_from_random([3; 16]),
            accepted_at,
            parts: sizes.iter().map(|&size| PartHash { name: "data".into(), sha256: "00".repeat(32), size }).collect(),
        };
        let signed = acceptance.sign(desk_key());
        prop_assert_eq!(Acceptance::verify(&signed, desk_key().public_key().as_ref()).unwrap(), acceptance);
        prop_assert_eq!(Acceptance::verify(&signed, other_key().public_key().as_ref()), Err(ProtocolError::BadSignature));
    }
}
