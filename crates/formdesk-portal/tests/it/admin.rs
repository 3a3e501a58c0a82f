//! The administrators' commands that do not need the API: destinations, key generation and the check of a
//! citizen's receipt.

use crate::support::{Backend, Desk, Env, authority, text};
use chrono::{FixedOffset, TimeZone};
use formdesk_receipt::payload::{self, Payload};
use formdesk_receipt::{DeviceKey, Reference};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

fn seal_keys() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../formdesk-seal/tests/keys"))
}

#[test]
fn destinations_take_strong_keys_and_can_be_replaced() {
    let env = Env::new(Backend::Sqlite);
    let small = seal_keys().join("too-small-2048.pub.pem");
    let out =
        env.cli(&["destinations", "add", "--id", "amt", "--name", "Amt", "--key", small.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("too-small-2048.pub.pem") && stderr.contains("too small"), "{stderr}");
    let out =
        env.cli(&["destinations", "add", "--id", "Amt", "--name", "Amt", "--key", small.to_str().expect("utf-8")]);
    assert!(text(&out.stderr).contains("destination id \"Amt\""), "{}", text(&out.stderr));

    env.add_destination("ordnungsamt", authority());
    let listed = env.cli_ok(&["destinations", "list"]);
    assert!(listed.contains("ordnungsamt  Ordnungsamt Musterstadt") && listed.contains("4096 bits"), "{listed}");

    // Adding the same id again replaces its name and key.
    let other = seal_keys().join("authority-3072.pub.pem");
    let added = env.cli_ok(&[
        "destinations",
        "add",
        "--id",
        "ordnungsamt",
        "--name",
        "Ordnungsamt Neu",
        "--key",
        other.to_str().expect("utf-8"),
    ]);
    assert!(added.contains("3072 bits"), "{added}");
    let listed = env.cli_ok(&["destinations", "list"]);
    assert!(
        listed.contains("Ordnungsamt Neu") && listed.contains("3072 bits") && listed.contains("1 destination(s)"),
        "{listed}"
    );
}

#[test]
fn keygen_writes_a_private_key_for_the_owner_only() {
    let env = Env::new(Backend::Sqlite);
    let private = env.dir.path().join("private.pem");
    let public = env.dir.path().join("pub.pem");
    let (private_arg, public_arg) = (private.to_str().expect("utf-8"), public.to_str().expect("utf-8"));
    let out = env.run(&["destinations", "keygen", "--out", private_arg, "--public", public_arg, "--bits", "3072"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = text(&out.stdout);
    assert!(out.contains("RSA key of 3072 bits"), "{out}");
    let mode = std::fs::metadata(&private).expect("private key").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let key = formdesk_seal::DecryptionKey::from_pem(&std::fs::read_to_string(&private).expect("read")).expect("pem");
    let recipient =
        formdesk_seal::RecipientKey::from_pem(&std::fs::read_to_string(&public).expect("read")).expect("pem");
    assert_eq!(key.public().key_id(), recipient.key_id());
    // It never overwrites a key.
    let again = env.run(&["destinations", "keygen", "--out", private_arg, "--public", public_arg]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("does not overwrite"), "{}", text(&again.stderr));
}

#[test]
fn receipt_verify_names_the_desk_that_signed() {
    let env = Env::new(Backend::Sqlite);
    let portal = env.serve(&[]);
    let desk = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let _bystander = Desk::enrolled(&env, &portal, "Bürgerbus 2");
    let key = DeviceKey::from_pkcs8(&desk.pkcs8).expect("device key");
    let issued_at =
        FixedOffset::east_opt(3600).expect("offset").with_ymd_and_hms(2026, 11, 24, 10, 42, 0).single().expect("time");
    let signed = payload::sign(
        &Payload {
            reference: Reference::from_random("HUND", [1; 8]).expect("reference"),
            form_id: "hundeanmeldung".into(),
            form_version: "1.0.0".into(),
            issued_at,
            answers_digest: [7; 32],
        },
        &key,
    )
    .expect("signed");

    let out = env.cli_ok(&["receipt", "verify", &signed]);
    assert!(out.contains(&format!("signed by device {} (Bürgerbus 1)", desk.device_id)), "{out}");
    assert!(out.contains("hundeanmeldung 1.0.0") && out.contains("2026-11-24T10:42:00+01:00"), "{out}");
    assert!(!out.contains("revoked"), "{out}");

    // One changed character: no desk signed that.
    let mut tampered = signed.clone().into_bytes();
    let i = tampered.len() / 2;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    let out = env.cli(&["receipt", "verify", &tampered]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("no desk signed") || text(&out.stderr).contains("not a receipt"));
    let out = env.cli(&["receipt", "verify", "not base45 ~"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a receipt payload"), "{}", text(&out.stderr));

    // A receipt of a desk revoked since still verifies, and says so.
    env.cli_ok(&["devices", "revoke", &desk.device_id]);
    let out = env.cli_ok(&["receipt", "verify", &signed]);
    assert!(out.contains("(Bürgerbus 1), revoked since "), "{out}");
}
