//! Tenants at the command line, and the migration of a portal before tenants (schema version 1 or 2) by
//! `tenants adopt`, on SQLite and PostgreSQL.

use crate::support::{ARS, Backend, Desk, Env, authority, sealed_submission, text, uuid};

const OTHER: &str = "057660020020";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A blob literal of this backend.
fn blob(env: &Env, bytes: &[u8]) -> String {
    blob_hex(env, &hex(bytes))
}

fn blob_hex(env: &Env, hex: &str) -> String {
    match env.backend {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("decode('{hex}', 'hex')"),
    }
}

/// Writes the database of a portal before tenants, of schema `version` (1 or 2), from the committed schema,
/// with an enrolled device of `desk`, a revoked one, destination `steueramt` and an announced submission.
fn old_database(env: &Env, version: i64, desk: &Desk, submission: &str) {
    let schema = match env.backend {
        Backend::Sqlite => include_str!("fixtures/schema-v2-sqlite.sql"),
        Backend::Postgres => include_str!("fixtures/schema-v2-postgres.sql"),
    };
    let schema = if version == 1 { schema.split("\n-- 2:").next().expect("version 1") } else { schema };
    let mark = match env.backend {
        Backend::Sqlite => {
            std::fs::create_dir_all(env.dir.path().join("data")).expect("mkdir");
            format!("PRAGMA user_version = {version};")
        }
        Backend::Postgres => {
            format!(
                "CREATE TABLE schema_version (version BIGINT NOT NULL); INSERT INTO schema_version VALUES ({version});"
            )
        }
    };
    let key = authority().public();
    let rows = format!(
        "INSERT INTO devices (id, name, public_key, code_hash, code_expires_at, created_at, enrolled_at)
             VALUES ('{device}', 'Bürgerbus 1', {public}, '{code}', 10, 1, 2);
         INSERT INTO devices (id, name, public_key, code_hash, code_expires_at, created_at, enrolled_at, revoked_at)
             VALUES ('{revoked}', 'Bürgerbus 2', {other}, '{code2}', 10, 1, 2, 3);
         INSERT INTO destinations (id, name, key_id, public_key) VALUES ('steueramt', 'Steueramt', '{kid}', {spki});
         INSERT INTO submissions (id, device_id, destination_id, attachments, state, announced_at)
             VALUES ('{submission}', '{device}', 'steueramt', '[]', 'announced', 4);",
        device = desk.device_id,
        public = blob_hex(env, &desk.public_key_hex()),
        code = "a".repeat(64),
        revoked = uuid(),
        other = blob(env, &[7; 32]),
        code2 = "b".repeat(64),
        kid = key.key_id(),
        spki = blob(env, &key.to_spki_der()),
    );
    env.execute(&format!("{schema}\n{rows}\n{mark}"));
}

fn old_portal_is_adopted(env: Env, version: i64) {
    let mut desk = Desk::unattached();
    let submission = uuid();
    old_database(&env, version, &desk, &submission);

    // Every command refuses the old database, and says what to do; nothing is changed.
    for args in [&["devices", "list"][..], &["tenants", "list"], &["serve", "--listen", "127.0.0.1:0"]] {
        let out = env.cli(args);
        assert!(!out.status.success(), "{args:?}: {}", text(&out.stdout));
        let said = text(&out.stderr);
        assert!(said.contains(&format!("schema version {version}")), "{args:?}: {said}");
        assert!(said.contains("formdesk-portal tenants adopt --ars … --name …"), "{args:?}: {said}");
    }
    let version_now = match env.backend {
        Backend::Sqlite => env.query("PRAGMA user_version"),
        Backend::Postgres => env.query("SELECT version FROM schema_version"),
    };
    assert_eq!(version_now, version.to_string());
    // A wrong ARS is refused before anything is written.
    let out = env.cli(&["tenants", "adopt", "--ars", "990000000000", "--name", "Stadt Musterstadt"]);
    assert!(text(&out.stderr).contains("\"990000000000\""), "{}", text(&out.stderr));
    assert_eq!(
        match env.backend {
            Backend::Sqlite => env.query("PRAGMA user_version"),
            Backend::Postgres => env.query("SELECT version FROM schema_version"),
        },
        version.to_string()
    );

    let adopted = env.cli_ok(&["tenants", "adopt", "--ars", ARS, "--name", "Stadt Musterstadt"]);
    assert!(adopted.contains(&format!("tenant {ARS} adopted: its 2 device(s) and 1 destination(s)")), "{adopted}");
    let listed = env.cli_ok(&["tenants", "list"]);
    assert!(listed.contains(ARS) && listed.contains("Stadt Musterstadt") && listed.contains("1 tenant(s)"), "{listed}");
    // Adopting twice is refused.
    let again = env.cli(&["tenants", "adopt", "--ars", OTHER, "--name", "Gemeinde Anders"]);
    assert!(!again.status.success() && text(&again.stderr).contains("tenants add"), "{}", text(&again.stderr));

    // The desk's key works as before, its submission is there and can be completed.
    let portal = env.serve(&[]);
    desk = desk.via(&portal);
    let status = desk.status(&submission).ok(200);
    assert_eq!((status["state"].as_str(), status["destinationId"].as_str()), (Some("announced"), Some("steueramt")));
    let destinations = desk.signed("GET", "/v1/destinations", b"").ok(200);
    assert_eq!(destinations[0]["keyId"], authority().public().key_id());
    let mut sealed = sealed_submission(&authority().public(), "steueramt", 0);
    sealed.id = submission.clone();
    let accepted = desk.submit(&submission, &sealed).ok(200);
    assert!(accepted["acceptance"].is_string(), "{accepted}");
    let report = serde_json::json!({
        "channel": "all", "setVersion": 1, "manifestSha256": "ab".repeat(32), "published": "2026-12-06T10:00:00Z",
    });
    assert_eq!(desk.signed("POST", "/v1/forms/report", report.to_string().as_bytes()).ok(200)["channel"], "all");
    let devices = env.cli_ok(&["devices", "list"]);
    assert!(
        devices.contains("Bürgerbus 1") && devices.contains("revoked") && devices.contains("2 device(s)"),
        "{devices}"
    );
    // The next tenant is added beside it.
    env.cli_ok(&["tenants", "add", "--ars", OTHER, "--name", "Gemeinde Anders"]);
    assert_eq!(env.query(&format!("SELECT id FROM tenants WHERE ars = '{OTHER}'")), "2");
}

fn a_version_2_portal_is_adopted(env: Env) {
    old_portal_is_adopted(env, 2);
}

fn a_version_1_portal_is_adopted(env: Env) {
    old_portal_is_adopted(env, 1);
}

fn tenants_at_the_command_line(backend: Backend) {
    let env = Env::bare(backend);
    // A fresh database has no tenant, and the commands on a tenant's data say how to add one.
    assert!(env.cli_ok(&["tenants", "list"]).contains("0 tenant(s)"));
    let out = env.cli(&["devices", "list"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("serves no municipality yet: add one with `formdesk-portal tenants add"));

    let added = env.cli_ok(&["tenants", "add", "--ars", ARS, "--name", "Stadt Musterstadt"]);
    assert_eq!(added, format!("tenant {ARS} (Stadt Musterstadt) added\n"));
    // One tenant: --tenant may be left out.
    env.cli_ok(&["devices", "enrol", "--name", "Bürgerbus 1"]);
    let letterhead = env.dir.path().join("anders.json");
    std::fs::write(&letterhead, r#"{"formatVersion": 1, "name": "Gemeinde Anders", "address": ["Markt 1"]}"#)
        .expect("write");
    env.cli_ok(&[
        "tenants",
        "add",
        "--ars",
        OTHER,
        "--name",
        "Gemeinde Anders",
        "--letterhead",
        letterhead.to_str().expect("utf-8"),
    ]);
    assert!(env.query(&format!("SELECT letterhead FROM tenants WHERE ars = '{OTHER}'")).contains("Markt 1"));
    // The same ARS twice, and ARS of the wrong shape, are refused naming the input.
    let twice = env.cli(&["tenants", "add", "--ars", OTHER, "--name", "Noch einmal"]);
    assert!(text(&twice.stderr).contains(&format!("a tenant with ARS {OTHER} exists already")));
    let bad = env.cli(&["tenants", "add", "--ars", "12345", "--name", "X"]);
    assert!(text(&bad.stderr).contains("--ars: ARS \"12345\" must be exactly 12 digits"), "{}", text(&bad.stderr));

    // Two tenants: the choice must be made, and the error names it.
    let out = env.cli(&["devices", "list"]);
    assert!(!out.status.success());
    let said = text(&out.stderr);
    assert!(said.contains("serves 2 municipalities; choose one with --tenant ARS"), "{said}");
    assert!(said.contains(&format!("{ARS} (Stadt Musterstadt)")) && said.contains(OTHER), "{said}");
    assert!(env.cli_of(ARS, &["devices", "list"]).contains("1 device(s)"));
    assert!(env.cli_of(OTHER, &["devices", "list"]).contains("0 device(s)"));
    let unknown = env.cli(&["devices", "list", "--tenant", "010010000000"]);
    assert!(text(&unknown.stderr).contains("no tenant has the ARS 010010000000"), "{}", text(&unknown.stderr));

    // Suspending.
    let suspended = env.cli_ok(&["tenants", "suspend", "--ars", OTHER]);
    assert!(suspended.starts_with(&format!("tenant {OTHER} (Gemeinde Anders) suspended since")), "{suspended}");
    let listed = env.cli_ok(&["tenants", "list"]);
    assert!(listed.contains(&format!("{OTHER}  suspended since")), "{listed}");
    assert!(listed.contains(&format!("{ARS}  active    since")), "{listed}");
    assert!(listed.ends_with("2 tenant(s)\n"), "{listed}");
}

mod cli {
    use super::*;

    #[test]
    fn sqlite() {
        tenants_at_the_command_line(Backend::Sqlite);
    }

    #[test]
    fn postgres() {
        tenants_at_the_command_line(Backend::Postgres);
    }
}

crate::on_both_backends_bare!(a_version_2_portal_is_adopted, a_version_1_portal_is_adopted);
