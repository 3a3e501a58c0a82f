//! The form-update channel: the administrators' commands, the files the portal serves, a desk's check over
//! HTTP with the root from its enrolment, and the desks' reports in `forms status`.

use crate::on_both_backends;
use crate::support::{ARS, Answer, Backend, Desk, Env, Portal, http, send, text};
use formdesk_channel::{Channel, Checked, FormState, FormStore, Scope, Source};
use std::path::{Path, PathBuf};
use std::process::Output;

fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms")
}

fn data_dir(env: &Env) -> String {
    env.dir.path().join("data").display().to_string()
}

fn keys_dir(env: &Env) -> String {
    env.dir.path().join("keys").display().to_string()
}

/// Runs a command of the channel on this portal's data folder (and, for the signing commands that write the
/// audit trail, its database).
pub(crate) fn channel_cli(env: &Env, args: &[&str]) -> Output {
    if args.len() > 1 && args[0] == "forms" && ["publish", "promote", "withdraw"].contains(&args[1]) {
        return env.cli(args);
    }
    let data = data_dir(env);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--data-dir", &data]);
    env.run(&all)
}

#[track_caller]
fn channel_ok(env: &Env, args: &[&str]) -> String {
    let out = channel_cli(env, args);
    assert!(out.status.success(), "{args:?}: {}\n{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

#[track_caller]
fn channel_fails(env: &Env, args: &[&str], says: &str) {
    let out = channel_cli(env, args);
    assert!(!out.status.success(), "{args:?} succeeded: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains(says), "{says:?} not in {err}");
}

/// `keys init` and the shipped forms published to `all`.
fn with_channel(env: &Env) {
    let keys = keys_dir(env);
    let out = channel_ok(env, &["keys", "init", "--keys", &keys]);
    assert!(out.contains(&format!("Keep {keys} offline")), "{out}");
    let forms = forms_dir().display().to_string();
    let out = channel_ok(env, &["forms", "publish", &forms, "--keys", &keys]);
    assert!(out.starts_with("published set 1 to channel all at "), "{out}");
    assert!(out.contains("  hundeanmeldung 1.0.0\n"), "{out}");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

/// A desk's form store that pins the root its enrolment brought.
fn desk_store(dir: &Path, enrolment: &serde_json::Value) -> FormStore {
    let root = enrolment["formsRoot"].as_str().expect("the enrolment brings the channel's root");
    let store = FormStore::open(dir).expect("form store");
    store.pin_root(root.as_bytes()).expect("pin the root");
    store
}

fn check(store: &FormStore, portal: &Portal, channel: Channel) -> Checked {
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let source = Source::portal(client, &portal.base).expect("source");
    runtime().block_on(formdesk_channel::check(store, &source, channel)).expect("the desk's check")
}

fn report(desk: &Desk, set_version: u64, error: Option<&str>) -> Answer {
    let body = serde_json::json!({
        "channel": "all",
        "setVersion": set_version,
        "manifestSha256": "ab".repeat(32),
        "published": "2026-12-06T10:00:00Z",
        "error": error,
    });
    desk.signed("POST", "/v1/forms/report", body.to_string().as_bytes())
}

#[test]
fn a_desk_installs_the_published_set_over_http_with_the_root_from_its_enrolment() {
    let env = Env::new(Backend::Sqlite);
    with_channel(&env);
    let portal = env.serve(&[]);
    let mut desk = Desk::new(&portal);
    let (_, code) = env.enrol_code("Bürgerbus 1");
    let enrolment = desk.enrol(&code).ok(200);
    let store = desk_store(&env.dir.path().join("desk"), &enrolment);

    let first = check(&store, &portal, Channel::All);
    let Checked::Installed { set, .. } = &first else { panic!("nothing installed: {first:?}") };
    assert_eq!(set.manifest.set_version, 1);
    assert!(set.manifest.form("hundeanmeldung").is_some());
    assert!(matches!(check(&store, &portal, Channel::All), Checked::Unchanged(_)));

    // The pilot channel first, then promoted to every desk; a pilot desk reads `all` until then.
    let keys = keys_dir(&env);
    let forms = forms_dir().display().to_string();
    let pilot_store = desk_store(&env.dir.path().join("pilot"), &enrolment);
    assert_eq!(check(&pilot_store, &portal, Channel::Pilot).set().manifest.channel, "all");
    channel_ok(&env, &["forms", "publish", &forms, "--keys", &keys, "--channel", "pilot"]);
    assert_eq!(check(&pilot_store, &portal, Channel::Pilot).set().manifest.set_version, 2);
    assert_eq!(check(&store, &portal, Channel::All).set().manifest.set_version, 1);
    let out = channel_ok(&env, &["forms", "promote", "--keys", &keys]);
    assert!(out.contains("as set 3"), "{out}");
    assert_eq!(check(&store, &portal, Channel::All).set().manifest.set_version, 3);

    // Withdrawn: closing first, then at once.
    let out = channel_ok(&env, &["forms", "withdraw", "hundeabmeldung", "--keys", &keys]);
    assert!(out.contains("form hundeabmeldung closing"), "{out}");
    let state = |c: &Checked| c.set().manifest.form("hundeabmeldung").map(|f| f.state);
    assert_eq!(state(&check(&store, &portal, Channel::All)), Some(FormState::Closing));
    channel_ok(&env, &["forms", "withdraw", "hundeabmeldung", "--now", "--keys", &keys]);
    assert_eq!(state(&check(&store, &portal, Channel::All)), Some(FormState::Withdrawn));

    // A new forms key: the desk follows the rotated root and takes what the new key signed.
    let out = channel_ok(&env, &["keys", "rotate", "--keys", &keys, "--role", "forms"]);
    assert!(out.contains("root version 2"), "{out}");
    channel_ok(&env, &["forms", "publish", &forms, "--keys", &keys]);
    let after = check(&store, &portal, Channel::All);
    assert_eq!(state(&after), Some(FormState::Open), "the new publication opens the form again");
    assert_eq!(after.set().manifest.set_version, 6);
}

#[test]
fn the_channels_files_are_served_as_they_are_and_nothing_else() {
    let env = Env::new(Backend::Sqlite);
    with_channel(&env);
    let portal = env.serve(&[]);
    let client = http();
    let get = |path: &str| {
        let response = client.get(portal.url(path)).send().expect("the portal answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.bytes().expect("body").to_vec())
    };
    let (status, headers, body) = get("/forms/v1/metadata/timestamp.json");
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["cache-control"], "no-store");
    let on_disk = std::fs::read(env.dir.path().join("data/channel/metadata/timestamp.json")).expect("timestamp");
    assert_eq!(body, on_disk);
    let (status, headers, _) = get("/forms/v1/metadata/1.root.json");
    assert_eq!(status, 200);
    assert!(headers.get("cache-control").is_none());
    let target = std::fs::read_dir(env.dir.path().join("data/channel/targets"))
        .expect("targets")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".set.all.json"))
        .expect("the manifest of all");
    assert_eq!(get(&format!("/forms/v1/targets/{target}")).0, 200);

    // The online key and the lock lie one folder up; nothing that names them, or any other folder, is served.
    for bad in [
        "/forms/v1/metadata/..%2Fonline.key",
        "/forms/v1/metadata/%2E%2E%2Fonline.key",
        "/forms/v1/metadata/..%5Conline.key",
        "/forms/v1/metadata/.lock",
        "/forms/v1/metadata/..",
        "/forms/v1/metadata/.timestamp.json.tmp",
        "/forms/v1/metadata/a%20b.json",
        "/forms/v1/targets/..%2F..%2Fportal.sqlite",
        "/forms/v1/targets/x..json",
        "/forms/v1/metadata/nothing.json",
        "/forms/v1/online.key",
    ] {
        let (status, _, body) = get(bad);
        assert_eq!(status, 404, "{bad}: {}", text(&body));
    }
    // Not even with the dots left to the server.
    let mut stream = std::net::TcpStream::connect(portal.base.trim_start_matches("http://")).expect("connect");
    std::io::Write::write_all(
        &mut stream,
        b"GET /forms/v1/metadata/../online.key HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .expect("send");
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(!answer.contains("pkcs8"), "{answer}");
}

#[test]
fn the_serving_portal_renews_a_timestamp_past_half_its_life_at_start() {
    let env = Env::new(Backend::Sqlite);
    with_channel(&env);
    // A timestamp that ends in an hour, as one signed 23 hours ago would (its signature no longer fits, which
    // only a renewal mends).
    let path = env.dir.path().join("data/channel/metadata/timestamp.json");
    let mut old: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("timestamp")).expect("json");
    let soon = chrono::Utc::now() + chrono::Duration::hours(1);
    old["signed"]["expires"] = soon.format("%Y-%m-%dT%H:%M:%SZ").to_string().into();
    std::fs::write(&path, serde_json::to_vec(&old).expect("json")).expect("write");
    let version = old["signed"]["version"].as_u64().expect("version");

    let portal = env.serve(&[]);
    let client = http();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let renewed = loop {
        let answer = send(&client, client.get(portal.url("/forms/v1/metadata/timestamp.json"))).ok(200);
        if answer["signed"]["version"].as_u64() > Some(version) {
            break answer;
        }
        assert!(std::time::Instant::now() < deadline, "the timestamp was not renewed: {answer}");
        std::thread::yield_now();
    };
    let expires = renewed["signed"]["expires"].as_str().expect("expires");
    let expires = chrono::DateTime::parse_from_rfc3339(expires).expect("a time");
    assert!(expires > soon + chrono::Duration::hours(20), "{expires}");

    let mut desk = Desk::new(&portal);
    let (_, code) = env.enrol_code("Bürgerbus 1");
    let enrolment = desk.enrol(&code).ok(200);
    let store = desk_store(&env.dir.path().join("desk"), &enrolment);
    assert_eq!(check(&store, &portal, Channel::All).set().manifest.set_version, 1);
}

#[test]
fn a_portal_without_a_channel_serves_nothing_of_it_and_enrols_without_a_root() {
    let env = Env::new(Backend::Sqlite);
    let portal = env.serve(&[]);
    let client = http();
    for path in ["/forms/v1/metadata/timestamp.json", "/forms/v1/metadata/1.root.json"] {
        send(&client, client.get(portal.url(path))).error(404, "not_found", "no form channel");
    }
    let mut desk = Desk::new(&portal);
    let (_, code) = env.enrol_code("Bürgerbus 1");
    let enrolment = desk.enrol(&code).ok(200);
    assert!(enrolment.get("formsRoot").is_none(), "{enrolment}");
    assert_eq!(report(&desk, 0, None).ok(200)["channel"], "all");
}

#[test]
fn publishing_a_folder_with_an_invalid_form_is_refused_with_every_error() {
    let env = Env::new(Backend::Sqlite);
    with_channel(&env);
    let broken = env.dir.path().join("forms");
    copy_dir(&forms_dir(), &broken);
    let form = broken.join("hundeanmeldung/form.json");
    let definition = std::fs::read_to_string(&form).expect("form");
    let changed = definition.replace(r#""relevant": "zahlungsart == \"sepa\"""#, r#""relevant": "zahlungsart == 5 +""#);
    assert_ne!(changed, definition, "the condition was found");
    std::fs::write(&form, changed).expect("write");
    let keys = keys_dir(&env);
    let out = channel_cli(&env, &["forms", "publish", broken.to_str().expect("utf-8"), "--keys", &keys]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("hundeanmeldung/form.json: $.steps["), "{err}");
    assert!(err.contains("expected a value, found the end of the expression"), "{err}");
    assert!(err.contains("nothing was published"), "{err}");
    let status = env.cli_ok(&["forms", "status"]);
    assert!(status.contains("channel all: set 1,"), "still the first set: {status}");
}

#[test]
fn commands_without_the_right_keys_or_channel_say_what_is_wrong() {
    let env = Env::new(Backend::Sqlite);
    let keys = keys_dir(&env);
    let forms = forms_dir().display().to_string();
    channel_fails(&env, &["forms", "promote", "--keys", &keys], "run `formdesk-portal keys init` first");
    channel_fails(&env, &["forms", "publish", &forms, "--keys", &keys], "run `formdesk-portal keys init` first");
    let out = env.cli(&["forms", "status"]);
    assert!(text(&out.stderr).contains("run `formdesk-portal keys init` first"), "{}", text(&out.stderr));

    with_channel(&env);
    channel_fails(&env, &["keys", "init", "--keys", &keys], "already holds a form channel");
    let missing = env.dir.path().join("stick").display().to_string();
    channel_fails(&env, &["forms", "promote", "--keys", &missing], &format!("the key folder {missing} does not exist"));

    // Another portal's keys sign nothing here.
    let other = Env::new(Backend::Sqlite);
    channel_ok(&other, &["keys", "init", "--keys", &keys_dir(&other)]);
    channel_fails(&env, &["forms", "publish", &forms, "--keys", &keys_dir(&other)], "is not the root key");

    // A key file of the wrong role.
    std::fs::remove_file(Path::new(&keys).join("forms.key")).expect("remove");
    channel_fails(&env, &["forms", "withdraw", "x", "--keys", &keys], "has no forms.key");
    std::fs::copy(Path::new(&keys).join("targets.key"), Path::new(&keys).join("forms.key")).expect("copy");
    channel_fails(&env, &["forms", "withdraw", "x", "--keys", &keys], "forms.key");
}

fn reports_and_status(env: Env) {
    with_channel(&env);
    let portal = env.serve(&[]);
    let desk = Desk::enrolled(&env, &portal, "Bürgerbus 1");
    let other = Desk::enrolled(&env, &portal, "Rathaus 2");

    let status = env.cli_ok(&["forms", "status"]);
    assert!(status.contains("Bürgerbus 1  channel all  never reported"), "{status}");

    assert_eq!(report(&desk, 0, None).ok(200), serde_json::json!({ "channel": "all" }));
    let status = env.cli_ok(&["forms", "status"]);
    let line = status.lines().find(|l| l.contains("Bürgerbus 1")).expect("the desk's line");
    assert!(line.contains("set 0  last check "), "{line}");
    assert!(line.ends_with("behind (channel all has set 1)"), "{line}");
    let when = line.split("last check ").nth(1).expect("a time");
    let digits: String = when.chars().take(16).collect();
    assert!(
        digits.chars().enumerate().all(|(i, c)| match i {
            2 | 5 => c == '.',
            10 => c == ' ',
            13 => c == ':',
            _ => c.is_ascii_digit(),
        }),
        "dd.mm.yyyy hh:mm: {when}"
    );

    report(&desk, 1, None).ok(200);
    let status = env.cli_ok(&["forms", "status"]);
    let line = status.lines().find(|l| l.contains("Bürgerbus 1")).expect("the desk's line");
    assert!(line.contains("set 1") && line.ends_with("current"), "{line}");

    // Into the pilot channel: the next report's answer says so, and the desk is measured against pilot.
    let out = env.cli_ok(&["devices", "channel", "Bürgerbus 1", "pilot"]);
    assert!(out.contains("reads channel pilot"), "{out}");
    assert_eq!(report(&desk, 1, None).ok(200)["channel"], "pilot");
    assert_eq!(report(&other, 1, None).ok(200)["channel"], "all");
    let forms = forms_dir().display().to_string();
    channel_ok(&env, &["forms", "publish", &forms, "--keys", &keys_dir(&env), "--channel", "pilot"]);
    let error = "Der Portalserver ist nicht erreichbar; die Formulare werden später aktualisiert.";
    report(&desk, 1, Some(error)).ok(200);
    let status = env.cli_ok(&["forms", "status"]);
    let line = status.lines().find(|l| l.contains("Bürgerbus 1")).expect("the desk's line");
    assert!(line.contains("channel pilot  set 1"), "{line}");
    assert!(line.contains("behind (channel pilot has set 2)"), "{line}");
    assert!(line.ends_with(&format!("error: {error}")), "{line}");
    let line = status.lines().find(|l| l.contains("Rathaus 2")).expect("the other desk's line");
    assert!(line.ends_with("current"), "{line}");
    assert!(status.ends_with("2 desk(s)\n"), "{status}");

    // By id too; back to all.
    env.cli_ok(&["devices", "channel", &desk.device_id, "all"]);
    assert_eq!(report(&desk, 2, None).ok(200)["channel"], "all");

    // Reports are checked like every body, and signed like every device request.
    let bad = serde_json::json!({
        "channel": "all", "setVersion": 1, "manifestSha256": "xyz", "published": "2026-12-06T10:00:00Z"
    });
    desk.signed("POST", "/v1/forms/report", bad.to_string().as_bytes()).error(400, "bad_request", "manifestSha256");
    let client = http();
    send(&client, client.post(portal.url("/v1/forms/report")).body("{}")).error(401, "unauthorized", "Authorization");
    let out = env.cli(&["devices", "channel", "Niemand", "pilot"]);
    assert!(text(&out.stderr).contains("no device \"Niemand\""), "{}", text(&out.stderr));
}

on_both_backends!(reports_and_status);

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").filter_map(Result::ok) {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Tenant B of the tests with two municipalities.
const B: &str = "057660020020";

/// A desk's form store that pins the root of the repository its enrolment names, as the sync crate does.
fn tenant_desk_store(dir: &Path, enrolment: &serde_json::Value) -> FormStore {
    let root = enrolment["formsRoot"].as_str().expect("the enrolment brings the tenant's root");
    let ars = enrolment["tenant"]["ars"].as_str().expect("the enrolment names the tenant");
    assert!(enrolment.get("formsShared").is_none(), "{enrolment}");
    let store = FormStore::open(dir).expect("form store");
    store.pin_repository(root.as_bytes(), &Scope::tenant(ars).expect("ARS")).expect("pin the root");
    store
}

/// A desk's one-time code from tenant `ars`.
fn code_of(env: &Env, ars: &str, name: &str) -> String {
    let out = env.cli_of(ars, &["devices", "enrol", "--name", name]);
    out.lines().find_map(|l| l.strip_prefix("code ")).expect("a code").trim().to_owned()
}

fn check_scoped(store: &FormStore, portal: &Portal, scope: Scope) -> Result<Checked, formdesk_channel::ChannelError> {
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let source = Source::portal_of(client, &portal.base, scope).expect("source");
    runtime().block_on(formdesk_channel::check(store, &source, Channel::All))
}

fn form_ids(checked: &Checked) -> Vec<String> {
    checked.set().manifest.forms.iter().map(|f| f.id.clone()).collect()
}

/// Two municipalities, each with its own repository and editor's key: each publishes its own set, and each
/// one's desks install only that set. Tenant 1 keeps the portal's single repository until it has its own.
fn two_tenants_each_publish_their_own_set(env: Env) {
    let operator = keys_dir(&env);
    env.cli_ok(&["tenants", "add", "--ars", B, "--name", "Gemeinde Anders"]);
    with_channel(&env);
    let mut portal = env.serve(&[]);

    // Before they have repositories of their own: tenant 1's desks read the single one, B's nothing.
    let mut a_old = Desk::new(&portal);
    let a_old_enrolment = a_old.enrol(&code_of(&env, ARS, "Bürgerbus alt")).ok(200);
    assert_eq!(a_old_enrolment["tenant"], serde_json::json!({ "ars": ARS, "name": "Stadt Musterstadt" }));
    assert_eq!(a_old_enrolment["formsShared"], true, "{a_old_enrolment}");
    let code = code_of(&env, B, "Bürgerbus B alt");
    let b_old_enrolment = Desk::new(&portal).enrol(&code).ok(200);
    assert_eq!(b_old_enrolment["tenant"]["name"], "Gemeinde Anders");
    assert!(b_old_enrolment.get("formsRoot").is_none(), "B has no channel yet: {b_old_enrolment}");
    channel_fails(
        &env,
        &["forms", "publish", &forms_dir().display().to_string(), "--tenant", B, "--keys", &operator],
        "forms channel-init",
    );

    // Each editor makes a key; the operator makes each repository with the editor's public key only.
    let b_forms = env.dir.path().join("b-forms");
    copy_dir(&forms_dir(), &b_forms);
    std::fs::remove_dir_all(b_forms.join("brauchtumsfeuer")).expect("remove a form");
    for (ars, forms) in [(ARS, forms_dir()), (B, b_forms.clone())] {
        let editor = env.dir.path().join(format!("editor-{ars}")).display().to_string();
        let out = channel_ok(&env, &["keys", "init", "--tenant", ars, "--keys", &editor]);
        assert!(out.contains(&format!("t{ars}.pub")), "{out}");
        assert!(!Path::new(&editor).join("root.key").exists());
        let public = format!("{editor}/t{ars}.pub");
        let out = env.cli_of(ars, &["forms", "channel-init", "--keys", &operator, "--editor-key", &public]);
        assert!(out.contains(&format!("/forms/v1/t{ars}/")), "{out}");
        let forms = forms.display().to_string();
        let out = channel_ok(&env, &["forms", "publish", &forms, "--tenant", ars, "--keys", &editor]);
        assert!(out.starts_with("published set 1 to channel all"), "{out}");
    }
    // The editor's key of one municipality signs nothing of another's.
    let a_editor = env.dir.path().join(format!("editor-{ARS}")).display().to_string();
    channel_fails(
        &env,
        &["forms", "publish", &b_forms.display().to_string(), "--tenant", B, "--keys", &a_editor],
        &format!("has no t{B}.key"),
    );
    let stolen = env.dir.path().join("stolen");
    std::fs::create_dir_all(&stolen).expect("mkdir");
    std::fs::copy(format!("{a_editor}/t{ARS}.key"), stolen.join(format!("t{B}.key"))).expect("copy");
    channel_fails(
        &env,
        &["forms", "promote", "--tenant", B, "--keys", &stolen.display().to_string()],
        &format!("nicht zu 't{B}'"),
    );
    // The portal started before the repositories existed serves them without a restart.
    let mut a_desk = Desk::new(&portal);
    let a_enrolment = a_desk.enrol(&code_of(&env, ARS, "Bürgerbus A")).ok(200);
    let code = code_of(&env, B, "Bürgerbus B");
    let b_enrolment = Desk::new(&portal).enrol(&code).ok(200);
    assert_ne!(a_enrolment["formsRoot"], b_enrolment["formsRoot"]);

    let a_store = tenant_desk_store(&env.dir.path().join("a-desk"), &a_enrolment);
    let b_store = tenant_desk_store(&env.dir.path().join("b-desk"), &b_enrolment);
    let a_set = check_scoped(&a_store, &portal, Scope::tenant(ARS).expect("ARS")).expect("A's check");
    let b_set = check_scoped(&b_store, &portal, Scope::tenant(B).expect("ARS")).expect("B's check");
    assert!(form_ids(&a_set).contains(&"brauchtumsfeuer".to_owned()));
    assert!(!form_ids(&b_set).contains(&"brauchtumsfeuer".to_owned()), "B's own set");
    assert!(b_set.set().manifest.files().all(|f| f.target.starts_with(&format!("t{B}."))));
    // B's desk pointed at A's repository finds nothing it trusts; its set stays.
    let error = check_scoped(&b_store, &portal, Scope::tenant(ARS).expect("ARS")).expect_err("A's repository");
    assert!(matches!(error, formdesk_channel::ChannelError::Rejected(..)), "{error:?}");
    assert_eq!(b_store.current().expect("current").map(|s| s.sha256), Some(b_set.set().sha256.clone()));

    // The tenant-1 desk enrolled before keeps its single repository; status per tenant.
    let old_store = desk_store(&env.dir.path().join("a-old"), &a_old_enrolment);
    assert_eq!(old_store.repository().expect("repository"), Scope::Shared);
    assert!(matches!(check(&old_store, &portal, Channel::All), Checked::Installed { .. }));
    let status = env.cli_of(B, &["forms", "status"]);
    assert!(status.contains("channel all: set 1") && !status.contains("brauchtumsfeuer"), "{status}");
    let status = env.cli_of(ARS, &["forms", "status"]);
    assert!(status.contains("brauchtumsfeuer"), "{status}");

    // A withdrawal in B's channel reaches B's desks only; both repositories are renewed by the portal.
    let b_editor = env.dir.path().join(format!("editor-{B}")).display().to_string();
    channel_ok(&env, &["forms", "withdraw", "hundeanmeldung", "--now", "--tenant", B, "--keys", &b_editor]);
    let state = |c: &Checked| c.set().manifest.form("hundeanmeldung").map(|f| f.state);
    let b_after = check_scoped(&b_store, &portal, Scope::tenant(B).expect("ARS")).expect("B's check");
    assert_eq!(state(&b_after), Some(FormState::Withdrawn));
    let a_after = check_scoped(&a_store, &portal, Scope::tenant(ARS).expect("ARS")).expect("A's check");
    assert_eq!(state(&a_after), Some(FormState::Open));
    assert!(matches!(a_after, Checked::Unchanged(_)));
    portal.stop();
}

on_both_backends!(two_tenants_each_publish_their_own_set);

#[test]
fn the_serving_portal_renews_a_tenants_timestamp_too() {
    let env = Env::new(Backend::Sqlite);
    let operator = keys_dir(&env);
    let editor = env.dir.path().join("editor").display().to_string();
    channel_ok(&env, &["keys", "init", "--keys", &operator]);
    channel_ok(&env, &["keys", "init", "--tenant", ARS, "--keys", &editor]);
    let public = format!("{editor}/t{ARS}.pub");
    env.cli_ok(&["forms", "channel-init", "--keys", &operator, "--editor-key", &public]);
    let forms = forms_dir().display().to_string();
    channel_ok(&env, &["forms", "publish", &forms, "--tenant", ARS, "--keys", &editor]);
    let path = env.dir.path().join(format!("data/channel/t{ARS}/metadata/timestamp.json"));
    let mut old: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("timestamp")).expect("json");
    let soon = chrono::Utc::now() + chrono::Duration::hours(1);
    old["signed"]["expires"] = soon.format("%Y-%m-%dT%H:%M:%SZ").to_string().into();
    std::fs::write(&path, serde_json::to_vec(&old).expect("json")).expect("write");
    let version = old["signed"]["version"].as_u64().expect("version");

    let portal = env.serve(&[]);
    let client = http();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let url = portal.url(&format!("/forms/v1/t{ARS}/metadata/timestamp.json"));
    loop {
        let answer = send(&client, client.get(&url)).ok(200);
        if answer["signed"]["version"].as_u64() > Some(version) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the tenant's timestamp was not renewed: {answer}");
        std::thread::yield_now();
    }
    let enrolment = Desk::new(&portal).enrol(&code_of(&env, ARS, "Bürgerbus 1")).ok(200);
    // Tenant 1 has a repository of its own now: new desks read it.
    let store = tenant_desk_store(&env.dir.path().join("desk"), &enrolment);
    let checked = check_scoped(&store, &portal, Scope::tenant(ARS).expect("ARS")).expect("the check");
    assert_eq!(checked.set().manifest.set_version, 1);
}

/// `devices enrol --provisioning`: the file names the portal and the tenant, carries the channel's root as the
/// enrolment gives it and a code that enrols once; it is the owner's alone. Checked before a desk is
/// registered: an existing file and an address desks would refuse.
#[test]
fn a_provisioning_file_carries_the_portal_the_tenant_the_root_and_a_code_that_works_once() {
    use formdesk_protocol::provisioning::Provisioning;
    use std::os::unix::fs::PermissionsExt as _;
    let env = Env::new(Backend::Sqlite);
    with_channel(&env);
    let portal = env.serve(&[]);
    let path = env.dir.path().join("bus-1.formdesk");
    let file = path.display().to_string();
    let update_key = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/app-update.key.pub");
    let update_key = update_key.display().to_string();
    let args = [
        "devices",
        "enrol",
        "--name",
        "Bürgerbus 1",
        "--provisioning",
        &file,
        "--portal-url",
        &portal.base,
        "--app-update-key",
        &update_key,
    ];
    let out = env.cli_ok(&args);
    assert!(out.contains(&format!("file     {file}")), "{out}");
    let mode = std::fs::metadata(&path).expect("the file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the file holds the code: its owner's alone");
    let provisioning = Provisioning::parse(&std::fs::read(&path).expect("read")).expect("a provisioning file");
    assert_eq!(provisioning.portal, portal.base);
    assert_eq!((provisioning.tenant.ars.as_str(), provisioning.tenant.name.as_str()), (ARS, "Stadt Musterstadt"));
    assert_eq!(provisioning.device_name, "Bürgerbus 1");
    let key_file = std::fs::read_to_string(&update_key).expect("the key");
    assert_eq!(provisioning.app_update_key.as_deref(), Some(key_file.trim()), "the app-update key, as given");
    let printed = out.lines().find_map(|l| l.strip_prefix("code ")).expect("a code").trim();
    assert_eq!(provisioning.code, printed);
    let days = (provisioning.expires_at - crate::support::now()) as f64 / 86_400.0;
    assert!((6.9..=7.0).contains(&days), "valid for the default 7 days, not {days}");

    let mut desk = Desk::new(&portal);
    let enrolment = desk.enrol(&provisioning.code).ok(200);
    assert_eq!(provisioning.forms_root.as_deref(), enrolment["formsRoot"].as_str(), "the root the portal serves");
    let again = Desk::new(&portal).enrol(&provisioning.code);
    again.error(409, "enrolment_code_used", "already used");

    // Refused before a desk is registered: the file exists, or the address is one no desk takes.
    let devices = || env.cli_ok(&["devices", "list"]).lines().count();
    let before = devices();
    let out = env.cli(&args);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("exists already"), "{}", text(&out.stderr));
    let other = env.dir.path().join("bus-2.formdesk").display().to_string();
    for (url, says) in [
        ("http://portal.example.de", "https only"),
        ("https://portal.example.de/formdesk", "without a path"),
        ("portal.example.de", "expected an address"),
    ] {
        let out = env.cli(&["devices", "enrol", "--name", "Bus 2", "--provisioning", &other, "--portal-url", url]);
        assert!(!out.status.success() && text(&out.stderr).contains(says), "{url}: {}", text(&out.stderr));
    }
    assert_eq!(devices(), before, "no desk registered by a refused command");
    assert!(!Path::new(&other).exists());
    // A file that is no update key.
    let out = env.cli(&[
        "devices",
        "enrol",
        "--name",
        "Bus 2",
        "--provisioning",
        &other,
        "--portal-url",
        &portal.base,
        "--app-update-key",
        &file,
    ]);
    assert!(text(&out.stderr).contains("not an update signing key"), "{}", text(&out.stderr));
    assert_eq!(devices(), before);
    // The two options come together.
    let out = env.cli(&["devices", "enrol", "--name", "Bus 2", "--provisioning", &other]);
    assert!(text(&out.stderr).contains("--portal-url <URL>"), "{}", text(&out.stderr));
}
