//! The audit trail on SQLite and PostgreSQL: the administrators' commands leave their entries, `audit verify`
//! (the real process) finds a changed, a removed and a reordered entry and a log rewritten after a checkpoint,
//! tenants' logs are verified apart, and a desk's upload (`POST /v1/audit`) arrives, verifies, is refused
//! when it forks and reaches no other device's log.

use crate::support::{ARS, Backend, Desk, Env, authority, text, uuid};
use formdesk_protocol::audit::{self, Action, Entry, Head, Record, UploadEntry};
use std::collections::BTreeMap;

const OTHER: &str = "057660020020";

fn tenant_log(ars: &str) -> String {
    format!("t{ars}")
}

/// The actions of `log`, in seq order, comma-separated.
fn actions(env: &Env, log: &str) -> String {
    env.query(&match env.backend {
        Backend::Sqlite => format!(
            "SELECT group_concat(action, ',') FROM (SELECT action FROM audit_entries WHERE log = '{log}' ORDER BY seq)"
        ),
        Backend::Postgres => {
            format!("SELECT string_agg(action, ',' ORDER BY seq) FROM audit_entries WHERE log = '{log}'")
        }
    })
}

fn hex_of(env: &Env, column: &str) -> String {
    match env.backend {
        Backend::Sqlite => format!("lower(hex({column}))"),
        Backend::Postgres => format!("encode({column}, 'hex')"),
    }
}

fn blob(env: &Env, hex: &str) -> String {
    match env.backend {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("decode('{hex}', 'hex')"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `audit verify` with `args`: its exit code and standard output.
fn verify(env: &Env, args: &[&str]) -> (i32, String) {
    let mut all = vec!["audit", "verify"];
    all.extend(args);
    let out = env.cli(&all);
    (out.status.code().unwrap_or(-1), format!("{}{}", text(&out.stdout), text(&out.stderr)))
}

/// A tenant log with four entries: three devices registered and one revoked.
fn four_entries(env: &Env) -> String {
    let ids: Vec<String> = ["Bus 1", "Bus 2", "Bus 3"].iter().map(|n| env.enrol_code(n).0).collect();
    env.cli_ok(&["devices", "revoke", &ids[0]]);
    let log = tenant_log(ARS);
    assert_eq!(actions(env, &log), "device_add,device_add,device_add,device_revoke");
    let (code, out) = verify(env, &["--tenant", ARS]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("Protokoll {log}: in Ordnung: 4 Einträge")), "{out}");
    log
}

fn command_line_actions_leave_their_entries(env: Env) {
    assert_eq!(actions(&env, "operator"), "tenant_add");
    assert_eq!(env.query("SELECT object FROM audit_entries WHERE log = 'operator' AND seq = 1"), ARS);
    let (device, code) = env.enrol_code("Bürgerbus 1");
    env.add_destination("ordnungsamt", authority());
    env.cli_ok(&["devices", "channel", &device, "pilot"]);
    let mut portal = env.serve(&[]);
    let mut desk = Desk::new(&portal);
    desk.enrol(&code).ok(200);
    portal.stop();
    env.cli_ok(&["devices", "revoke", &device]);
    // Revoking again changes nothing and records nothing.
    env.cli_ok(&["devices", "revoke", &device]);

    let log = tenant_log(ARS);
    assert_eq!(actions(&env, &log), "device_add,destination_put,device_channel,device_enrolled,device_revoke");
    let actor = |seq: u64| env.query(&format!("SELECT actor FROM audit_entries WHERE log = '{log}' AND seq = {seq}"));
    assert_eq!((actor(1), actor(4), actor(5)), ("cli".to_owned(), device.clone(), "cli".to_owned()));
    let object = |seq: u64| env.query(&format!("SELECT object FROM audit_entries WHERE log = '{log}' AND seq = {seq}"));
    assert_eq!((object(1), object(2), object(4)), (device.clone(), "ordnungsamt".to_owned(), device.clone()));
    let detail = env.query(&format!("SELECT detail FROM audit_entries WHERE log = '{log}' AND seq = 3"));
    assert_eq!(detail, r#"{"channel":"pilot"}"#);
    // Ids only: the device's name and the destination's name are nowhere in the log.
    let names = env.query(&format!(
        "SELECT count(*) FROM audit_entries WHERE log = '{log}' AND (detail LIKE '%Bürgerbus%' OR object LIKE '%Bürgerbus%'
         OR detail LIKE '%Ordnungsamt%')"
    ));
    assert_eq!(names, "0");

    let listed = env.cli_ok(&["audit", "list", "--tenant", ARS, "--limit", "2"]);
    let lines: Vec<&str> = listed.lines().filter(|l| l.contains("device_")).collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(lines[0].contains("device_revoke") && lines[1].contains("device_enrolled"), "{listed}");

    let (code, out) = verify(&env, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Protokoll operator: in Ordnung: 1 Einträge"), "{out}");
    assert!(out.contains(&format!("Protokoll {log}: in Ordnung: 5 Einträge")), "{out}");
}

fn a_changed_entry_is_found(env: Env) {
    let log = four_entries(&env);
    env.execute(&format!("UPDATE audit_entries SET actor = 'jemand' WHERE log = '{log}' AND seq = 2"));
    let (code, out) = verify(&env, &["--tenant", ARS]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FEHLER bei Eintrag 2: verändert (changed)"), "{out}");
}

fn a_removed_entry_is_found(env: Env) {
    let log = four_entries(&env);
    env.execute(&format!("DELETE FROM audit_entries WHERE log = '{log}' AND seq = 2"));
    let (code, out) = verify(&env, &["--tenant", ARS]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FEHLER bei Eintrag 2: entfernt (removed)"), "{out}");
}

fn reordered_entries_are_found(env: Env) {
    let log = four_entries(&env);
    env.execute(&format!("UPDATE audit_entries SET seq = 100 WHERE log = '{log}' AND seq = 2"));
    env.execute(&format!("UPDATE audit_entries SET seq = 2 WHERE log = '{log}' AND seq = 3"));
    env.execute(&format!("UPDATE audit_entries SET seq = 3 WHERE log = '{log}' AND seq = 100"));
    let (code, out) = verify(&env, &["--tenant", ARS]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FEHLER bei Eintrag 2: umgestellt (reordered)"), "{out}");
}

fn a_log_rewritten_after_a_checkpoint_is_found(env: Env) {
    let log = four_entries(&env);
    // The checkpoints are also copied outside the database, with the portal's public key.
    let outside = env.dir.path().join("pruefpunkte");
    let outside_text = outside.display().to_string();
    let checkpoints = env.cli_ok(&["audit", "checkpoint", "--out", &outside_text]);
    assert!(checkpoints.contains(&format!("Prüfpunkt {log}: Eintrag 4")), "{checkpoints}");
    assert!(outside.join(format!("{log}.4.json")).is_file(), "{checkpoints}");
    let key = outside.join("portal-key.pub").display().to_string();
    // The last entry is made anew with another object and its hash recomputed: the chain is consistent, but
    // the signed checkpoint names the old hash.
    let field =
        |column: &str| env.query(&format!("SELECT {column} FROM audit_entries WHERE log = '{log}' AND seq = 4"));
    let prev_hex = field(&hex_of(&env, "prev"));
    let mut prev = [0u8; 32];
    for (i, byte) in prev.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&prev_hex[2 * i..2 * i + 2], 16).expect("hex");
    }
    let record = Record {
        version: audit::FORMAT_VERSION,
        log: log.clone(),
        seq: 4,
        at: field("at").parse().expect("at"),
        actor: field("actor"),
        action: Action::DeviceRevoke,
        object: uuid(),
        detail: BTreeMap::new(),
    };
    let hash = hex(&audit::entry_hash(&prev, &record).expect("hash"));
    env.execute(&format!(
        "UPDATE audit_entries SET object = '{}', detail = '{{}}', hash = {} WHERE log = '{log}' AND seq = 4",
        record.object,
        blob(&env, &hash)
    ));
    env.execute(&format!("UPDATE audit_heads SET hash = {} WHERE log = '{log}'", blob(&env, &hash)));
    let (code, out) = verify(&env, &["--tenant", ARS]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FEHLER bei Eintrag 4: nach einem Prüfpunkt neu geschrieben (rewritten)"), "{out}");

    // Whoever can change the database can remove its checkpoints too: then only the copy outside finds it.
    env.execute(&format!("DELETE FROM audit_checkpoints WHERE log = '{log}'"));
    let (code, out) = verify(&env, &["--tenant", ARS]);
    assert_eq!(code, 0, "without its checkpoints the database alone cannot tell: {out}");
    let (code, out) = verify(&env, &["--tenant", ARS, "--checkpoints", &outside_text, "--key", &key]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FEHLER bei Eintrag 4: nach einem Prüfpunkt neu geschrieben (rewritten)"), "{out}");
    // A key that is not the database's: said, and every checkpoint checked against the one brought along.
    let other = env.dir.path().join("other-key.pub");
    std::fs::write(&other, format!("{}\n", "ab".repeat(32))).expect("write");
    let other = other.display().to_string();
    let (code, out) = verify(&env, &["--tenant", ARS, "--checkpoints", &outside_text, "--key", &other]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("er wurde ersetzt") && out.contains("Prüfpunkt mit ungültiger Signatur"), "{out}");
    // An unreadable key file is named.
    std::fs::write(outside.join("kaputt.pub"), "nicht hex").expect("write");
    let bad = outside.join("kaputt.pub").display().to_string();
    let (code, out) = verify(&env, &["--tenant", ARS, "--checkpoints", &outside_text, "--key", &bad]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("kaputt.pub: not a public key"), "{out}");
}

fn tenant_logs_are_verified_apart(env: Env) {
    env.cli_ok(&["tenants", "add", "--ars", OTHER, "--name", "Gemeinde Anders"]);
    env.cli_of(ARS, &["devices", "enrol", "--name", "Bus A"]);
    env.cli_of(OTHER, &["devices", "enrol", "--name", "Bus B"]);
    env.execute(&format!("UPDATE audit_entries SET actor = 'jemand' WHERE log = '{}'", tenant_log(OTHER)));

    let (code, out) = verify(&env, &["--tenant", ARS]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("Protokoll {}: in Ordnung: 1 Einträge", tenant_log(ARS))), "{out}");
    assert!(!out.contains(OTHER), "A's verify read B's log: {out}");
    let listed = env.cli_ok(&["audit", "list", "--tenant", ARS]);
    assert!(!listed.contains(OTHER) && listed.contains(&tenant_log(ARS)), "{listed}");

    let (code, out) = verify(&env, &["--tenant", OTHER]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("Protokoll {}: FEHLER bei Eintrag 1", tenant_log(OTHER))), "{out}");
    assert!(!out.contains(&tenant_log(ARS)), "{out}");
    // Without an option every log is verified, and the broken one fails the whole.
    let (code, out) = verify(&env, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Protokoll operator: in Ordnung: 2 Einträge"), "{out}");
}

/// A desk's own chain: `n` entries of log `desk` after `head`.
fn desk_entries(head: &Head, n: u64, actor: &str) -> Vec<Entry> {
    let mut head = head.clone();
    let mut out = Vec::new();
    for _ in 0..n {
        let seq = head.seq + 1;
        let record = Record {
            version: audit::FORMAT_VERSION,
            log: "desk".into(),
            seq,
            at: 1_800_000_000 + i64::try_from(seq).expect("seq"),
            actor: actor.into(),
            action: if seq.is_multiple_of(2) { Action::Lock } else { Action::Unlock },
            object: String::new(),
            detail: BTreeMap::new(),
        };
        let entry = audit::next(&head, record).expect("next");
        head = entry.head();
        out.push(entry);
    }
    out
}

fn upload(desk: &Desk, entries: &[Entry]) -> crate::support::Answer {
    let body = audit::Upload { entries: entries.iter().cloned().map(UploadEntry::from).collect() };
    desk.signed("POST", audit::UPLOAD_PATH, serde_json::to_string(&body).expect("json").as_bytes())
}

fn count(env: &Env, log: &str) -> String {
    env.query(&format!("SELECT count(*) FROM audit_entries WHERE log = '{log}'"))
}

fn a_desks_entries_arrive_and_verify(env: Env) {
    let portal = env.serve(&[]);
    let desk = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let log = format!("d{}", desk.device_id);
    let first = desk_entries(&Head::empty("desk"), 3, "1");
    let answer = upload(&desk, &first).ok(200);
    assert_eq!(answer["seq"], 3);
    assert_eq!(answer["hash"], hex(&first[2].hash));
    assert_eq!(answer["checkpoint"]["checkpoint"]["log"], log.as_str());
    // The checkpoint is signed with the portal's acceptance key.
    let signed: audit::SignedCheckpoint = serde_json::from_value(answer["checkpoint"].clone()).expect("checkpoint");
    let info = crate::support::http().get(portal.url("/v1/portal")).send().expect("portal").text().expect("text");
    let key: serde_json::Value = serde_json::from_str(&info).expect("json");
    let public = formdesk_protocol::decode_base64url(key["portalKey"].as_str().expect("portalKey")).expect("base64url");
    assert_eq!(signed.verify(&public).expect("signature").seq, 3);

    let more = desk_entries(&first[2].head(), 2, "1");
    assert_eq!(upload(&desk, &more).ok(200)["seq"], 5);
    // The same upload again does not continue the chain: nothing is appended twice.
    let answer = upload(&desk, &more);
    answer.error(409, "audit_fork", "do not continue");
    assert_eq!(count(&env, &log), "5");
    // The tenant's log names the uploads.
    assert_eq!(actions(&env, &tenant_log(ARS)), "device_add,device_enrolled,desk_checkpoint,desk_checkpoint");

    let (code, out) = verify(&env, &["--device", &desk.device_id]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("Protokoll {log}: in Ordnung: 5 Einträge")), "{out}");
    let (code, out) = verify(&env, &["--tenant", ARS]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&log), "a tenant's verify covers its desks' logs: {out}");

    env.execute(&format!("UPDATE audit_entries SET actor = '2' WHERE log = '{log}' AND seq = 4"));
    let (code, out) = verify(&env, &["--device", &desk.device_id]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FEHLER bei Eintrag 4: verändert"), "{out}");
}

fn a_forked_chain_is_refused_and_nothing_appended(env: Env) {
    let portal = env.serve(&[]);
    let desk = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let log = format!("d{}", desk.device_id);
    let first = desk_entries(&Head::empty("desk"), 2, "1");
    upload(&desk, &first).ok(200);
    // A restored backup: the same seqs with other entries.
    let other = desk_entries(&first[0].head(), 3, "7");
    upload(&desk, &other).error(409, "audit_fork", "do not continue");
    // A gap: entries that start after the portal's head.
    let later = desk_entries(&first[1].head(), 3, "1");
    upload(&desk, &later[1..]).error(409, "audit_fork", "do not continue");
    // A record of another log.
    let mut foreign = desk_entries(&first[1].head(), 1, "1");
    foreign[0].record.log = "operator".into();
    upload(&desk, &foreign).error(409, "audit_fork", "do not continue");
    assert_eq!(count(&env, &log), "2");
    let (code, out) = verify(&env, &["--device", &desk.device_id]);
    assert_eq!((code, out.contains("in Ordnung: 2 Einträge")), (0, true), "{out}");
    // The chain still continues where it stood.
    assert_eq!(upload(&desk, &later).ok(200)["seq"], 5);
}

fn another_tenants_device_reaches_no_other_log(env: Env) {
    env.cli_ok(&["tenants", "add", "--ars", OTHER, "--name", "Gemeinde Anders"]);
    let portal = env.serve(&[]);
    let enrolled = |ars: &str, name: &str| {
        let out = env.cli_of(ars, &["devices", "enrol", "--name", name]);
        let code = out.lines().find_map(|l| l.strip_prefix("code ")).expect("code").trim().to_owned();
        let mut desk = Desk::new(&portal);
        desk.enrol(&code).ok(200);
        desk
    };
    let (a, b) = (enrolled(ARS, "Bus A"), enrolled(OTHER, "Bus B"));
    let a_log = format!("d{}", a.device_id);
    upload(&a, &desk_entries(&Head::empty("desk"), 2, "1")).ok(200);
    // B's desk uploads a continuation of A's chain: it lands in B's own log (which it does not continue), never
    // in A's.
    let a_head = desk_entries(&Head::empty("desk"), 2, "1")[1].head();
    upload(&b, &desk_entries(&a_head, 1, "1")).error(409, "audit_fork", "do not continue");
    upload(&b, &desk_entries(&Head::empty("desk"), 1, "9")).ok(200);
    assert_eq!(count(&env, &a_log), "2");
    assert_eq!(count(&env, &format!("d{}", b.device_id)), "1");
    assert_eq!(env.query(&format!("SELECT count(*) FROM audit_entries WHERE log = '{a_log}' AND actor = '9'")), "0");
    // A's device is no device of B's: B's tenant does not reach its log.
    let (code, out) = verify(&env, &["--tenant", OTHER, "--device", &a.device_id]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains(&format!("no device {} belongs to tenant {OTHER}", a.device_id)), "{out}");
    let (code, out) = verify(&env, &["--tenant", ARS, "--device", &a.device_id]);
    assert_eq!((code, out.contains("in Ordnung: 2 Einträge")), (0, true), "{out}");
    let listed = env.cli_ok(&["audit", "list", "--tenant", OTHER]);
    assert!(!listed.contains(&a.device_id), "{listed}");
}

crate::on_both_backends!(
    command_line_actions_leave_their_entries,
    a_changed_entry_is_found,
    a_removed_entry_is_found,
    reordered_entries_are_found,
    a_log_rewritten_after_a_checkpoint_is_found,
    tenant_logs_are_verified_apart,
    a_desks_entries_arrive_and_verify,
    a_forked_chain_is_refused_and_nothing_appended,
    another_tenants_device_reaches_no_other_log,
);
