//! Accounts: passwords, password rules, TOTP, throttling, sessions, cookies, the origin check and roles.
//!
//! Most password tests use cheap Argon2 parameters; one test hashes with the defaults to prove them.

use argon2::Params;
use formdesk_console::auth::session::{ABSOLUTE_SECONDS, IDLE_SECONDS};
use formdesk_console::auth::*;
use ring::rand::SystemRandom;
use std::net::IpAddr;

/// Parameters that make a hash take microseconds; never for real accounts.
fn cheap() -> Params {
    Params::new(64, 1, 1, None).expect("valid parameters")
}

fn stronger_cheap() -> Params {
    Params::new(128, 2, 1, None).expect("valid parameters")
}

// --- Passwords ----------------------------------------------------------------------------------------

#[test]
fn default_parameters_are_64_mib_3_passes_4_lanes_and_are_what_a_hash_records() {
    let params = default_params();
    assert_eq!((params.m_cost(), params.t_cost(), params.p_cost()), (65536, 3, 4));

    let rng = SystemRandom::new();
    let password = Password::new("Kreisverwaltung Herford 7");
    let stored = hash_password(&password, &rng).expect("hash");
    assert!(stored.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"), "{stored}");
    let check = verify_password(&password, &stored).expect("verify");
    assert_eq!(check, PasswordCheck { matched: true, rehash: false });
}

#[test]
fn a_hash_verifies_its_password_and_refuses_others() {
    let rng = SystemRandom::new();
    let stored = hash_password_with(&Password::new("richtiges Pferd Batterie"), &cheap(), &rng).expect("hash");
    let right = verify_password_with(&Password::new("richtiges Pferd Batterie"), &stored, &cheap()).expect("verify");
    assert_eq!(right, PasswordCheck { matched: true, rehash: false });
    let wrong = verify_password_with(&Password::new("richtiges Pferd Batteri"), &stored, &cheap()).expect("verify");
    assert_eq!(wrong, PasswordCheck { matched: false, rehash: false });
}

#[test]
fn each_hash_has_its_own_16_byte_salt() {
    let rng = SystemRandom::new();
    let password = Password::new("dasselbe Passwort zweimal");
    let first = hash_password_with(&password, &cheap(), &rng).expect("hash");
    let second = hash_password_with(&password, &cheap(), &rng).expect("hash");
    assert_ne!(first, second);
    // $argon2id$v=19$m=64,t=1,p=1$<salt>$<hash>: 16 bytes of salt are 22 characters of unpadded base64.
    let salt = first.split('$').nth(4).expect("salt field");
    assert_eq!(salt.len(), 22, "{first}");
}

#[test]
fn a_hash_with_other_parameters_matches_and_asks_for_a_rehash() {
    let rng = SystemRandom::new();
    let password = Password::new("altes Passwort mit alten Parametern");
    let stored = hash_password_with(&password, &cheap(), &rng).expect("hash");
    let check = verify_password_with(&password, &stored, &stronger_cheap()).expect("verify");
    assert_eq!(check, PasswordCheck { matched: true, rehash: true });
    // A wrong password against an old hash: not matched (the caller then ignores `rehash`).
    let wrong = verify_password_with(&Password::new("falsch"), &stored, &stronger_cheap()).expect("verify");
    assert!(!wrong.matched);
}

#[test]
fn an_argon2i_hash_is_verified_and_asks_for_a_rehash_to_argon2id() {
    // Same salt and parameters, computed as Argon2i: verification follows the stored variant.
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(&[7u8; 16]).expect("salt");
    let argon2i = argon2::Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x13, cheap());
    let stored = argon2i.hash_password(b"ein altes Verfahren", &salt).expect("hash").to_string();
    assert!(stored.starts_with("$argon2i$"));
    let check = verify_password_with(&Password::new("ein altes Verfahren"), &stored, &cheap()).expect("verify");
    assert_eq!(check, PasswordCheck { matched: true, rehash: true });
}

#[test]
fn malformed_stored_hashes_are_errors_not_panics() {
    let password = Password::new("irgendein Passwort");
    let cases = [
        "",
        "kein Hash",
        "$argon2id$",
        "$argon2id$v=19$m=abc,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=64,t=1,p=1",
        "$argon2id$v=17$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=4294967295,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=64,t=4000000,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=64,t=1,p=1$***$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$pbkdf2-sha256$i=1000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    ];
    for stored in cases {
        let result = verify_password_with(&password, stored, &cheap());
        assert!(matches!(result, Err(AuthError::MalformedHash(_))), "{stored:?} gave {result:?}");
    }
}

#[test]
fn an_unknown_login_runs_argon2_against_the_dummy_hash_without_error() {
    verify_unknown_login_with(&Password::new("geratenes Passwort"), &cheap()).expect("dummy verification");
    verify_unknown_login_with(&Password::new(""), &stronger_cheap()).expect("dummy verification");
}

// --- Password rules -----------------------------------------------------------------------------------

#[test]
fn length_is_counted_in_characters_from_12_to_128() {
    // 11 umlauts are 22 bytes but 11 characters: too short.
    assert_eq!(check_password_rules("äöüäöüäöüäö", "anna"), Err(PasswordRefusal::TooShort));
    assert_eq!(check_password_rules("äöüäöüäöüäöü", "anna"), Ok(()));
    assert_eq!(check_password_rules("", "anna"), Err(PasswordRefusal::TooShort));
    let longest: String = "Grünkohl ".repeat(15).chars().take(128).collect();
    assert_eq!(check_password_rules(&longest, "anna"), Ok(()));
    let too_long: String = "Grünkohl ".repeat(15).chars().take(129).collect();
    assert_eq!(check_password_rules(&too_long, "anna"), Err(PasswordRefusal::TooLong));
}

#[test]
fn the_login_is_refused_as_password_or_part_of_it_in_any_case() {
    for password in ["mueller.herford", "MUELLER.HERFORD", "Mueller.Herford2026!", "xx mueller.herford xx"] {
        assert_eq!(
            check_password_rules(password, "Mueller.Herford"),
            Err(PasswordRefusal::ContainsLogin),
            "{password}"
        );
    }
    assert_eq!(check_password_rules("Sandkasten im Garten", "mueller.herford"), Ok(()));
}

#[test]
fn common_passwords_are_refused_whatever_their_case() {
    for password in ["passwort1234", "Passwort1234", "QWERTZUIOP123", "ichliebedich123", "Willkommen2026"] {
        assert_eq!(check_password_rules(password, "anna"), Err(PasswordRefusal::Common), "{password}");
    }
}

#[test]
fn every_entry_of_the_common_list_is_refused() {
    let entries: Vec<&str> = rules::common_passwords().collect();
    assert!((100..=300).contains(&entries.len()), "{} entries", entries.len());
    assert!(entries.contains(&"passwort123"));
    for entry in entries {
        assert!(check_password_rules(entry, "anna").is_err(), "{entry:?} was accepted");
    }
}

#[test]
fn refusals_speak_german() {
    assert_eq!(PasswordRefusal::TooShort.message(), "Das Passwort muss mindestens 12 Zeichen lang sein.");
    assert_eq!(PasswordRefusal::TooLong.message(), "Das Passwort darf höchstens 128 Zeichen lang sein.");
    assert_eq!(PasswordRefusal::ContainsLogin.message(), "Das Passwort darf den Anmeldenamen nicht enthalten.");
    assert!(PasswordRefusal::Common.message().starts_with("Dieses Passwort ist zu verbreitet"));
    assert_eq!(PasswordRefusal::TooShort.to_string(), PasswordRefusal::TooShort.message());
}

// --- TOTP ---------------------------------------------------------------------------------------------

/// RFC 6238 appendix B's SHA-1 seed.
fn rfc_secret() -> TotpSecret {
    TotpSecret::from_bytes(b"12345678901234567890").expect("20 bytes")
}

#[test]
fn codes_match_rfc_6238_appendix_b_in_six_digits() {
    // The 6-digit code is the last six digits of the RFC's 8-digit value (both are the same number modulo
    // a power of ten); the 8-digit rows are checked in the module's unit test.
    let rows: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];
    let secret = rfc_secret();
    for (time, eight) in rows {
        assert_eq!(secret.code_at(time).as_deref(), Some(&eight[2..]), "time {time}");
    }
    assert_eq!(secret.code_at(-1), None);
}

#[test]
fn a_code_is_accepted_one_step_either_side_and_returns_its_step() {
    let secret = rfc_secret();
    let now = 1_111_111_111; // step 37037037
    let step = now / 30;
    for (offset, expected) in [(-30, Ok(step - 1)), (0, Ok(step)), (30, Ok(step + 1))] {
        let code = secret.code_at(now + offset).expect("code");
        assert_eq!(verify_totp(&secret, &code, now, None), expected, "offset {offset}");
    }
    for offset in [-60, 60, 3600] {
        let code = secret.code_at(now + offset).expect("code");
        assert_eq!(verify_totp(&secret, &code, now, None), Err(TotpRefusal::Wrong), "offset {offset}");
    }
}

#[test]
fn a_used_step_and_earlier_ones_are_refused() {
    let secret = rfc_secret();
    let now = 1_234_567_890;
    let code = secret.code_at(now).expect("code");
    let step = verify_totp(&secret, &code, now, None).expect("first use");
    assert_eq!(verify_totp(&secret, &code, now, Some(step)), Err(TotpRefusal::Reused));
    assert_eq!(verify_totp(&secret, &code, now + 10, Some(step)), Err(TotpRefusal::Reused));
    // The previous step's code is also older than the last used one.
    let previous = secret.code_at(now - 30).expect("code");
    assert_eq!(verify_totp(&secret, &previous, now, Some(step)), Err(TotpRefusal::Reused));
    // The next step's code is fine.
    let next = secret.code_at(now + 30).expect("code");
    assert_eq!(verify_totp(&secret, &next, now + 30, Some(step)), Ok(step + 1));
}

#[test]
fn codes_that_are_not_six_digits_are_malformed_and_spaces_are_ignored() {
    let secret = rfc_secret();
    for code in ["", "12345", "1234567", "12345a", "１２３４５６", "-12345", "287 08"] {
        assert_eq!(verify_totp(&secret, code, 59, None), Err(TotpRefusal::Malformed), "{code:?}");
    }
    assert_eq!(verify_totp(&secret, " 287 082 ", 59, None), Ok(1));
    assert_eq!(
        TotpRefusal::Reused.message(),
        "Dieser Code wurde schon verwendet. Bitte warten Sie auf den nächsten Code."
    );
}

#[test]
fn a_new_secret_has_20_bytes_and_survives_base32() {
    let rng = SystemRandom::new();
    let secret = TotpSecret::generate(&rng).expect("secret");
    assert_eq!(secret.expose().len(), 20);
    let text = secret.to_base32();
    assert_eq!(text.len(), 32);
    assert!(text.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)), "{}", text.as_str());
    let back = TotpSecret::from_base32(&text).expect("base32");
    assert_eq!(back.expose(), secret.expose());
    // As people copy it: lower case, in groups, with padding.
    let spaced: String = text.to_lowercase().as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c) + " ").collect();
    assert_eq!(TotpSecret::from_base32(&spaced).expect("spaced").expose(), secret.expose());
    assert_ne!(TotpSecret::generate(&rng).expect("secret").expose(), secret.expose());
}

#[test]
fn malformed_or_short_secrets_are_errors() {
    for text in ["", "not base32!", "01189", "MZXW6YTBOI"] {
        let result = TotpSecret::from_base32(text);
        assert!(matches!(result, Err(AuthError::MalformedTotpSecret(_))), "{text:?}");
    }
    assert!(matches!(TotpSecret::from_bytes(&[1; 15]), Err(AuthError::MalformedTotpSecret(_))));
}

#[test]
fn the_otpauth_uri_names_formdesk_and_the_percent_encoded_login() {
    let uri = rfc_secret().otpauth_uri("jörg.müller@kreis herford");
    assert_eq!(
        uri.as_str(),
        "otpauth://totp/Formdesk:j%C3%B6rg.m%C3%BCller%40kreis%20herford\
         ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Formdesk"
    );
    let plain = rfc_secret().otpauth_uri("betrieb");
    assert!(plain.starts_with("otpauth://totp/Formdesk:betrieb?secret="));
}

// --- Throttling ---------------------------------------------------------------------------------------

const T0: i64 = 1_800_000_000;

#[test]
fn up_to_three_failures_do_not_slow_anyone() {
    assert_eq!(throttle(0, 0, 0, T0), Throttle::Allowed { fresh_window: true });
    for failures in 1..=3 {
        assert_eq!(throttle(failures, T0, T0 + 10, T0 + 10), Throttle::Allowed { fresh_window: false });
    }
}

#[test]
fn from_the_fourth_failure_each_attempt_waits_twice_as_long() {
    // After n failures the next attempt waits 2^(n-4) seconds after the last one.
    for (failures, wait) in [(4u32, 1i64), (5, 2), (6, 4), (7, 8), (8, 16), (9, 32)] {
        let last = T0 + 100;
        assert_eq!(throttle(failures, T0, last, last), Throttle::Wait { seconds: wait }, "n = {failures}");
        assert_eq!(throttle(failures, T0, last, last + wait - 1), Throttle::Wait { seconds: 1 });
        assert_eq!(throttle(failures, T0, last, last + wait), Throttle::Allowed { fresh_window: false });
    }
    let message = throttle(7, T0, T0, T0).message();
    assert_eq!(message.as_deref(), Some("Zu viele Versuche. Bitte in 8 Sekunden erneut versuchen."));
    let message = throttle(4, T0, T0, T0).message();
    assert_eq!(message.as_deref(), Some("Zu viele Versuche. Bitte in 1 Sekunde erneut versuchen."));
    assert_eq!(throttle(1, T0, T0, T0).message(), None);
}

#[test]
fn the_tenth_failure_locks_for_fifteen_minutes() {
    let last = T0 + 300;
    let locked = throttle(10, T0, last, last);
    assert_eq!(locked, Throttle::Locked { until: last + 900, seconds: 900 });
    assert!(!locked.is_allowed());
    assert_eq!(
        locked.message().as_deref(),
        Some("Zu viele Versuche. Die Anmeldung ist gesperrt. Bitte in 15 Minuten erneut versuchen.")
    );
    // The lock outlasts the window that began earlier.
    assert_eq!(throttle(10, T0, last, T0 + 900), Throttle::Locked { until: last + 900, seconds: 300 });
    assert_eq!(throttle(12, T0, last, last + 899), Throttle::Locked { until: last + 900, seconds: 1 });
    assert_eq!(throttle(10, T0, last, last + 900), Throttle::Allowed { fresh_window: true });
}

#[test]
fn a_window_older_than_fifteen_minutes_no_longer_counts() {
    assert_eq!(throttle(9, T0, T0 + 880, T0 + 899), Throttle::Wait { seconds: 13 });
    assert_eq!(throttle(9, T0, T0 + 890, T0 + 900), Throttle::Allowed { fresh_window: true });
    assert_eq!(throttle(3, T0, T0, T0 + 2000), Throttle::Allowed { fresh_window: true });
}

#[test]
fn a_clock_that_went_backwards_does_not_shorten_a_wait() {
    assert_eq!(throttle(6, T0, T0 + 50, T0 + 40), Throttle::Wait { seconds: 4 });
    assert_eq!(throttle(10, T0, T0 + 50, T0 + 40), Throttle::Locked { until: T0 + 950, seconds: 900 });
}

#[test]
fn throttling_keys_are_opaque_and_group_what_belongs_together() {
    let key = LoginKey::new(b"ein Schluessel des Portals, 32 B!");
    let account = account_key("Mueller.Herford", &key);
    assert_eq!(account, account_key(" mueller.herford ", &key));
    assert_ne!(account, account_key("meier.herford", &key));
    assert!(account.starts_with("account:"));
    assert!(!account.to_lowercase().contains("mueller"));

    let v4: IpAddr = "203.0.113.7".parse().expect("address");
    assert_eq!(address_key(v4), "address:203.0.113.7");
    let mapped: IpAddr = "::ffff:203.0.113.7".parse().expect("address");
    assert_eq!(address_key(mapped), "address:203.0.113.7");
    let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("address");
    let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("address");
    let c: IpAddr = "2001:db8:1:3::1".parse().expect("address");
    assert_eq!(address_key(a), "address:2001:db8:1:2::/64");
    assert_eq!(address_key(a), address_key(b));
    assert_ne!(address_key(a), address_key(c));
}

// --- Sessions -----------------------------------------------------------------------------------------

#[test]
fn a_session_token_is_32_bytes_of_base64url_and_the_server_keeps_its_sha256() {
    let rng = SystemRandom::new();
    let token = SessionToken::generate(&rng).expect("token");
    let value = token.cookie_value();
    assert_eq!(value.len(), 43);
    assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{}", value.as_str());
    let again = SessionToken::from_cookie_value(&value).expect("parse");
    assert_eq!(again.sha256(), token.sha256());
    let raw = data_encoding::BASE64URL_NOPAD.decode(value.as_bytes()).expect("base64url");
    assert_eq!(raw.len(), 32);
    assert_eq!(token.sha256().as_slice(), ring::digest::digest(&ring::digest::SHA256, &raw).as_ref());
    assert_ne!(SessionToken::generate(&rng).expect("token").sha256(), token.sha256());
}

#[test]
fn malformed_session_tokens_are_errors() {
    let good = "A".repeat(43);
    assert!(SessionToken::from_cookie_value(&good).is_ok());
    for text in [
        String::new(),
        "A".repeat(42),
        "A".repeat(44),
        format!("{}=", "A".repeat(42)),
        "+".repeat(43),
        "A".repeat(4000),
    ] {
        assert!(matches!(SessionToken::from_cookie_value(&text), Err(AuthError::MalformedToken)), "{text:?}");
    }
    // 43 characters whose last one has bits beyond the 32 bytes are not canonical base64url.
    assert!(SessionToken::from_cookie_value(&format!("{}B", "A".repeat(42))).is_err());
}

#[test]
fn a_csrf_token_matches_only_its_own_value() {
    let rng = SystemRandom::new();
    let csrf = CsrfToken::generate(&rng).expect("csrf");
    let value = csrf.form_value();
    assert!(csrf.matches(&value));
    let stored = CsrfToken::from_bytes(csrf.expose()).expect("stored");
    assert!(stored.matches(&value));
    let other = CsrfToken::generate(&rng).expect("csrf");
    assert!(!csrf.matches(&other.form_value()));
    assert!(!csrf.matches(""));
    assert!(!csrf.matches(&value[..42]));
    assert!(!csrf.matches(&format!("{}x", value.as_str())));
    assert!(matches!(CsrfToken::from_bytes(&[0; 31]), Err(AuthError::MalformedToken)));
}

#[test]
fn sessions_end_after_30_idle_minutes_or_10_hours_and_are_touched_once_a_minute() {
    let created = T0;
    assert_eq!(IDLE_SECONDS, 1800);
    assert_eq!(ABSOLUTE_SECONDS, 36_000);
    assert_eq!(session_state(created, created, created), SessionState::Live);
    assert_eq!(session_state(created, created, created + 59), SessionState::Live);
    assert_eq!(session_state(created, created, created + 60), SessionState::NeedsTouch);
    assert_eq!(session_state(created, created, created + 1799), SessionState::NeedsTouch);
    assert_eq!(session_state(created, created, created + 1800), SessionState::IdleExpired);
    // Active all day: still ends after ten hours.
    assert_eq!(session_state(created, created + 35_990, created + 35_999), SessionState::Live);
    assert_eq!(session_state(created, created + 35_990, created + 36_000), SessionState::Expired);
    // A clock that went backwards.
    assert_eq!(session_state(created, created + 100, created + 50), SessionState::Live);
    assert!(SessionState::NeedsTouch.is_valid());
    assert!(!SessionState::IdleExpired.is_valid());
    assert!(!SessionState::Expired.is_valid());
}

#[test]
fn the_audit_digest_of_a_login_is_keyed_stable_and_not_the_login() {
    let key = LoginKey::new(b"Schluessel A fuer das Protokoll!");
    let other = LoginKey::new(b"Schluessel B fuer das Protokoll!");
    let digest = key.digest("betrieb");
    assert_eq!(digest, key.digest("Betrieb"));
    assert_ne!(digest, other.digest("betrieb"));
    assert_ne!(digest, key.digest("betrieb2"));
    assert_eq!(digest.len(), 43);
    assert!(!digest.contains("betrieb"));
    // HMAC-SHA-256 as RFC 2104 defines it, checked against ring's own.
    let expected = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"Schluessel A fuer das Protokoll!"),
        b"betrieb",
    );
    assert_eq!(digest, data_encoding::BASE64URL_NOPAD.encode(expected.as_ref()));
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let rng = SystemRandom::new();
    let password = Password::new("GeheimesPasswort-4711");
    let token = SessionToken::generate(&rng).expect("token");
    let csrf = CsrfToken::generate(&rng).expect("csrf");
    let secret = TotpSecret::generate(&rng).expect("secret");
    let key = LoginKey::new(b"Schluessel-im-Klartext");
    let printed = format!("{password:?} {token:?} {csrf:?} {secret:?} {key:?} {:#?}", (&password, &secret));
    for value in [
        "GeheimesPasswort-4711".to_string(),
        token.cookie_value().to_string(),
        csrf.form_value().to_string(),
        secret.to_base32().to_string(),
        format!("{:?}", secret.expose()),
        "Schluessel-im-Klartext".to_string(),
    ] {
        assert!(!printed.contains(&value), "{value} in {printed}");
    }
    assert!(printed.contains("Password(…)"));
}

#[test]
fn a_setup_link_carries_a_token_whose_hash_is_stored_and_lasts_72_hours() {
    let rng = SystemRandom::new();
    let token = SetupToken::generate(&rng).expect("token");
    let link = token.link("https://portal.example.de/");
    let segment = link.strip_prefix("https://portal.example.de/admin/einrichten/").expect("setup path");
    assert_eq!(segment.len(), 43);
    let again = SetupToken::from_path_segment(segment).expect("token from the link");
    assert_eq!(again.sha256(), token.sha256());
    assert!(matches!(SetupToken::from_path_segment("../../etc/passwd"), Err(AuthError::MalformedToken)));

    let expires = SetupToken::expires_at(T0);
    assert_eq!(expires, T0 + 72 * 3600);
    assert!(setup_link_valid(expires, expires - 1));
    assert!(!setup_link_valid(expires, expires));
    assert!(!format!("{token:?}").contains(segment));
}

// --- Cookies ------------------------------------------------------------------------------------------

#[test]
fn the_session_cookie_is_host_only_secure_http_only_strict_and_ends_with_the_browser() {
    let token = SessionToken::from_cookie_value(&"A".repeat(43)).expect("token");
    assert_eq!(
        session_cookie(&token).as_str(),
        format!("__Host-formdesk={}; Path=/; Secure; HttpOnly; SameSite=Strict", "A".repeat(43))
    );
    assert!(!session_cookie(&token).contains("Domain"));
    assert!(!session_cookie(&token).contains("Max-Age"));
    assert_eq!(session_cookie_removal(), "__Host-formdesk=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
}

#[test]
fn the_pre_session_cookie_lives_ten_minutes() {
    let csrf = CsrfToken::from_bytes(&[0xff; 32]).expect("csrf");
    assert_eq!(
        pre_session_cookie(&csrf).as_str(),
        format!(
            "__Host-formdesk-pre={}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=600",
            csrf.form_value().as_str()
        )
    );
    assert_eq!(
        pre_session_cookie_removal(),
        "__Host-formdesk-pre=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
    );
}

#[test]
fn the_session_token_is_read_from_a_cookie_header_with_other_cookies() {
    let rng = SystemRandom::new();
    let token = SessionToken::generate(&rng).expect("token");
    let csrf = CsrfToken::generate(&rng).expect("csrf");
    let header = format!(
        "theme=dark;  __Host-formdesk-pre={} ; __Host-formdesk={};lang=\"de\";",
        csrf.form_value().as_str(),
        token.cookie_value().as_str()
    );
    let read = session_token_from_cookies(&header).expect("header").expect("session cookie");
    assert_eq!(read.sha256(), token.sha256());
    let pre = pre_session_csrf_from_cookies(&header).expect("header").expect("pre-session cookie");
    assert!(csrf.matches(&pre.form_value()));

    // Only the pre-session cookie: no session, and the pre-session name is not mistaken for it.
    let only_pre = format!("__Host-formdesk-pre={}", csrf.form_value().as_str());
    assert!(session_token_from_cookies(&only_pre).expect("header").is_none());
    assert!(session_token_from_cookies("").expect("empty header").is_none());
    assert!(session_token_from_cookies("a=b; c=d").expect("header").is_none());
}

#[test]
fn malformed_cookie_headers_are_errors() {
    let token = "A".repeat(43);
    let cases = [
        format!("__Host-formdesk={token}; __Host-formdesk={token}"),
        format!("__Host-formdesk={token};; a=b"),
        format!("__Host-formdesk={token}; flag"),
        format!("=x; __Host-formdesk={token}"),
        format!("a b=c; __Host-formdesk={token}"),
        format!("__Host-formdesk={token}\\"),
        "__Host-formdesk=kurz".to_string(),
        "__Host-formdesk=".to_string(),
        format!("a={}; __Host-formdesk={token}", "x".repeat(9000)),
    ];
    for header in cases {
        let result = session_token_from_cookies(&header);
        assert!(
            matches!(result, Err(AuthError::MalformedCookie(_) | AuthError::MalformedToken)),
            "{header:?} gave {result:?}"
        );
    }
}

// --- Origin -------------------------------------------------------------------------------------------

#[test]
fn only_the_console_origin_may_post() {
    let console = "https://portal.example.de";
    let cases: [(Option<&str>, Option<&str>, bool); 16] = [
        (Some("https://portal.example.de"), None, true),
        (Some("https://portal.example.de"), Some("https://evil.example/"), true),
        (Some("https://evil.example"), Some("https://portal.example.de/admin/"), false),
        (Some("https://portal.example.de/"), None, false),
        (Some("http://portal.example.de"), None, false),
        (Some("https://portal.example.de:8443"), None, false),
        (Some("https://PORTAL.example.de"), None, false),
        (Some("https://sub.portal.example.de"), None, false),
        (Some("null"), Some("https://portal.example.de/admin/"), false),
        (None, Some("https://portal.example.de/admin/geraete?x=1"), true),
        (None, Some("https://portal.example.de"), true),
        (None, Some("https://portal.example.de.evil.example/admin/"), false),
        (None, Some("https://portal.example.de@evil.example/admin/"), false),
        (None, Some("/admin/geraete"), false),
        (None, Some("null"), false),
        (None, None, false),
    ];
    for (origin, referer, expected) in cases {
        assert_eq!(origin_allowed(origin, referer, console), expected, "Origin {origin:?}, Referer {referer:?}");
    }
    assert!(!origin_allowed(Some(""), None, ""));
    assert!(origin_allowed(Some("https://127.0.0.1:8443"), None, "https://127.0.0.1:8443"));
}

// --- Roles --------------------------------------------------------------------------------------------

#[test]
fn roles_have_stable_database_names_and_german_labels() {
    let table = [
        (Role::Operator, "betrieb", "Betrieb"),
        (Role::FormEditor, "formulare", "Formularverwaltung"),
        (Role::DeviceAdmin, "geraete", "Geräteverwaltung"),
        (Role::InboxUser, "eingang", "Posteingang"),
    ];
    for (role, name, label) in table {
        assert_eq!(role.db_name(), name);
        assert_eq!(role.label(), label);
        assert_eq!(name.parse::<Role>().expect("known role"), role);
        assert_eq!(role.to_string(), name);
    }
    assert_eq!(Role::ALL.len(), table.len());
}

#[test]
fn unknown_role_names_are_errors() {
    for name in ["", "Betrieb", "admin", "geräte", "eingang "] {
        let result = name.parse::<Role>();
        assert!(matches!(result, Err(AuthError::UnknownRole(_))), "{name:?} gave {result:?}");
    }
}

// --- Outside input never panics ------------------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_cookie_header_is_read_or_refused(header in ".{0,200}", token in "[A-Za-z0-9_-]{43}") {
            let _ = session_token_from_cookies(&header);
            let _ = pre_session_csrf_from_cookies(&header);
            // A valid session cookie after any well-formed cookie is found.
            let with_session = format!("a=b; __Host-formdesk={token}");
            let parsed = session_token_from_cookies(&with_session);
            // 43 characters of base64url are a token unless the last one carries bits beyond 32 bytes.
            prop_assert!(matches!(parsed, Ok(Some(_)) | Err(AuthError::MalformedToken)));
        }

        #[test]
        fn any_origin_or_referer_is_answered(origin in proptest::option::of(".{0,60}"),
                                             referer in proptest::option::of(".{0,80}")) {
            let allowed = origin_allowed(origin.as_deref(), referer.as_deref(), "https://portal.example.de");
            if allowed {
                match origin.as_deref() {
                    Some(origin) => prop_assert_eq!(origin, "https://portal.example.de"),
                    None => prop_assert!(referer.unwrap_or_default().starts_with("https://portal.example.de")),
                }
            }
        }

        #[test]
        fn any_code_at_any_time_is_answered(code in ".{0,12}", now in any::<i64>(),
                                            last in proptest::option::of(any::<i64>())) {
            let secret = TotpSecret::from_bytes(b"12345678901234567890").expect("secret");
            if let Ok(step) = verify_totp(&secret, &code, now, last) {
                prop_assert!(last.is_none_or(|last| step > last));
                prop_assert!((step - now.div_euclid(30)).abs() <= 1);
            }
        }

        #[test]
        fn any_stored_hash_text_is_verified_or_refused(stored in "\\$argon2id?\\$[a-z0-9=,$/+]{0,80}|.{0,80}") {
            let _ = verify_password_with(&Password::new("Passwort"), &stored, &cheap());
        }

        #[test]
        fn waits_and_locks_stay_within_their_bounds(failures in 0u32..40, start in -2_000i64..2_000,
                                                     since_start in 0i64..1_000, later in -100i64..2_000) {
            let last = start + since_start;
            let now = last + later;
            match throttle(failures, start, last, now) {
                Throttle::Allowed { .. } => prop_assert!(failures < 10 || now >= last + 900),
                Throttle::Wait { seconds } => {
                    prop_assert!((4..10).contains(&failures));
                    prop_assert!((1..=32).contains(&seconds));
                }
                Throttle::Locked { until, seconds } => {
                    prop_assert!(failures >= 10);
                    prop_assert_eq!(until, last + 900);
                    prop_assert!((1..=900).contains(&seconds));
                }
            }
            // Fifteen minutes after the last failure every key may try again.
            prop_assert!(throttle(failures, start, last, last + 900).is_allowed());
        }

        #[test]
        fn any_password_and_login_get_an_answer(password in ".{0,140}", login in ".{0,20}") {
            if check_password_rules(&password, &login).is_ok() {
                let len = password.chars().count();
                prop_assert!((12..=128).contains(&len));
            }
        }
    }
}
