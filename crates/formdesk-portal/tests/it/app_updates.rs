//! The desk app's signed updates: `app publish` with real packages (dpkg-deb) and real signatures (the Tauri
//! command line's `signer`), the updater's manifest and the bundles served by the real portal, and `app status`
//! with the app version a desk reports.

use crate::on_both_backends;
use crate::support::{Desk, Env, Portal, http, send, text};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs the Tauri command line from ui's npm dependencies (`npm ci` in ui/ installs it).
fn tauri(args: &[&str]) {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/.bin/tauri");
    let out = Command::new(&cli).args(args).output().expect("the Tauri command line runs (npm ci in ui/)");
    assert!(out.status.success(), "tauri {args:?}: {}", text(&out.stderr));
}

/// A folder with two update keys (`one.key`, `two.key` and their `.pub`) and the bundles a test makes.
struct Kit {
    dir: tempfile::TempDir,
}

impl Kit {
    fn new() -> Kit {
        let kit = Kit { dir: tempfile::tempdir().expect("tempdir") };
        for key in ["one", "two"] {
            tauri(&["signer", "generate", "--ci", "-p", "", "-w", &kit.path(&format!("{key}.key"))]);
        }
        kit
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// A Debian package `name` with the control fields given, built with dpkg-deb.
    fn bundle(&self, name: &str, package: &str, version: &str) -> PathBuf {
        let root = self.dir.path().join(format!("{name}.root"));
        std::fs::create_dir_all(root.join("DEBIAN")).expect("mkdir");
        std::fs::create_dir_all(root.join("usr/bin")).expect("mkdir");
        let control = format!(
            "Package: {package}\nVersion: {version}\nArchitecture: amd64\nMaintainer: Formdesk <formdesk@example.org>\n\
             Description: Formdesk\n"
        );
        std::fs::write(root.join("DEBIAN/control"), control).expect("write");
        std::fs::write(root.join("usr/bin/formdesk"), format!("#!/bin/sh\n# {name}\necho {version}\n")).expect("write");
        let out = self.dir.path().join(name);
        let status = Command::new("dpkg-deb")
            .args(["--root-owner-group", "-Zgzip", "--build"])
            .arg(&root)
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("dpkg-deb runs");
        assert!(status.success());
        out
    }

    /// Signs `bundle` with key `key` (`one` or `two`) as version `version`; returns the `.sig` file.
    fn sign(&self, bundle: &Path, key: &str, version: Option<&str>) -> String {
        let bundle = bundle.display().to_string();
        let key = self.path(&format!("{key}.key"));
        let mut args = vec!["signer", "sign", "-f", &key, "-p", ""];
        if let Some(version) = version {
            args.extend(["--app-version", version]);
        }
        args.push(&bundle);
        tauri(&args);
        format!("{bundle}.sig")
    }

    /// A bundle of the desk app at `version`, signed with key `one` for that version.
    fn signed(&self, version: &str) -> (PathBuf, String) {
        let bundle = self.bundle(&format!("formdesk_{version}_amd64.deb"), "formdesk", version);
        let signature = self.sign(&bundle, "one", Some(version));
        (bundle, signature)
    }

    fn public(&self) -> String {
        self.path("one.key.pub")
    }
}

/// `app publish`, with the kit's key unless the arguments name one.
fn publish(env: &Env, kit: &Kit, bundle: &Path, signature: &str, channel: &str) -> std::process::Output {
    let bundle = bundle.display().to_string();
    env.cli(&["app", "publish", &bundle, "--signature", signature, "--key", &kit.public(), "--channel", channel])
}

/// Every file under `<data>/app`, with its contents.
fn app_files(env: &Env) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push((path.clone(), std::fs::read(&path).expect("read")));
            }
        }
    }
    let mut files = Vec::new();
    walk(&env.dir.path().join("data").join("app"), &mut files);
    files.sort();
    files
}

/// A refused `app publish`: it fails, says `says`, and writes nothing.
fn refused(env: &Env, kit: &Kit, bundle: &Path, signature: &str, channel: &str, says: &str) {
    let before = app_files(env);
    let out = publish(env, kit, bundle, signature, channel);
    let said = text(&out.stderr);
    assert!(!out.status.success(), "published: {}", text(&out.stdout));
    assert!(said.contains(says), "expected {says:?} in: {said}");
    assert_eq!(app_files(env), before, "a refusal wrote something: {said}");
}

fn get(portal: &Portal, path: &str) -> crate::support::Answer {
    let client = http();
    send(&client, client.get(portal.url(path)))
}

fn manifest(portal: &Portal, channel: &str) -> serde_json::Value {
    let answer = get(portal, &format!("/app/v1/{channel}/latest.json"));
    assert_eq!(answer.status, 200, "{}", text(&answer.body));
    answer.json()
}

fn publish_serve_and_refuse(env: Env) {
    let kit = Kit::new();
    let portal = env.serve(&[]);
    // Nothing published: the updater's "no update".
    for channel in ["pilot", "all"] {
        let answer = get(&portal, &format!("/app/v1/{channel}/latest.json"));
        assert_eq!(answer.status, 204, "{channel}: {}", text(&answer.body));
        assert!(answer.body.is_empty());
    }

    // Each refusal names what was wrong and writes nothing.
    let (v2, v2_sig) = kit.signed("0.0.2");
    let other = kit.bundle("other.deb", "formdesk", "0.0.2");
    refused(&env, &kit, &other, &v2_sig, "all", "the signature does not verify");
    let by_two = kit.bundle("by-two.deb", "formdesk", "0.0.2");
    let by_two_sig = kit.sign(&by_two, "two", Some("0.0.2"));
    refused(&env, &kit, &by_two, &by_two_sig, "all", "another key");
    let mislabelled = kit.bundle("mislabelled.deb", "formdesk", "0.0.2");
    let mislabelled_sig = kit.sign(&mislabelled, "one", Some("0.0.9"));
    refused(&env, &kit, &mislabelled, &mislabelled_sig, "all", "the signature is for version 0.0.9");
    let foreign = kit.bundle("foreign.deb", "otherapp", "0.0.2");
    let foreign_sig = kit.sign(&foreign, "one", Some("0.0.2"));
    refused(&env, &kit, &foreign, &foreign_sig, "all", "the package is \"otherapp\", not the desk app");
    let unversioned = kit.bundle("unversioned.deb", "formdesk", "0.0.2");
    let unversioned_sig = kit.sign(&unversioned, "one", None);
    refused(&env, &kit, &unversioned, &unversioned_sig, "all", "names no version");
    assert!(app_files(&env).is_empty());
    assert_eq!(get(&portal, "/app/v1/all/latest.json").status, 204);

    // Accepted: the record, the audit entry, the manifest and the bundle.
    let out = publish(&env, &kit, &v2, &v2_sig, "all");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("app version 0.0.2 published to channel all"), "{}", text(&out.stdout));
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.dir.path().join("data/app/all.json")).expect("the channel's record"))
            .expect("JSON");
    assert_eq!((record["format"].as_str(), record["formatVersion"].as_u64()), (Some("formdesk-app-channel"), Some(1)));
    assert_eq!((record["channel"].as_str(), record["version"].as_str()), (Some("all"), Some("0.0.2")));
    let bundle_bytes = std::fs::read(&v2).expect("the bundle");
    assert_eq!(record["size"].as_u64(), Some(bundle_bytes.len() as u64));
    assert_eq!(
        env.query("SELECT action FROM audit_entries WHERE log = 'operator' ORDER BY seq DESC LIMIT 1"),
        "app_publish"
    );
    assert_eq!(
        env.query("SELECT object FROM audit_entries WHERE log = 'operator' ORDER BY seq DESC LIMIT 1"),
        "app-0.0.2"
    );

    let all = manifest(&portal, "all");
    assert_eq!(all["version"], "0.0.2");
    assert!(chrono::DateTime::parse_from_rfc3339(all["pub_date"].as_str().expect("pub_date")).is_ok(), "{all}");
    let signature = std::fs::read_to_string(&v2_sig).expect("sig");
    for platform in ["linux-x86_64-deb", "linux-x86_64"] {
        assert_eq!(all["platforms"][platform]["signature"].as_str(), Some(signature.trim()), "{platform}");
    }
    let url = all["platforms"]["linux-x86_64-deb"]["url"].as_str().expect("url").to_owned();
    assert!(url.starts_with(&format!("{}/app/v1/bundles/formdesk_0.0.2_amd64_", portal.base)), "{url}");
    let client = http();
    let served = send(&client, client.get(&url));
    assert_eq!(served.status, 200);
    assert!(served.body == bundle_bytes, "the served bundle is the published one");
    let content_type = client.get(&url).send().expect("GET").headers()["content-type"].clone();
    assert_eq!(content_type, "application/vnd.debian.binary-package");
    // The pilot desks get all's bundle while pilot has none.
    assert_eq!(manifest(&portal, "pilot")["version"], "0.0.2");

    // Not newer than what the channel offers: the same version, a downgrade, and on pilot all's version.
    refused(&env, &kit, &v2, &v2_sig, "all", "version 0.0.2 is not newer than version 0.0.2");
    let (v1, v1_sig) = kit.signed("0.0.1");
    refused(&env, &kit, &v1, &v1_sig, "all", "version 0.0.1 is not newer than version 0.0.2");
    refused(&env, &kit, &v2, &v2_sig, "pilot", "not newer than version 0.0.2 that channel pilot offers (channel all)");

    // Pilot goes first, then all overtakes it: pilot answers with the newer of the two.
    let (v3, v3_sig) = kit.signed("0.0.3");
    assert!(publish(&env, &kit, &v3, &v3_sig, "pilot").status.success());
    assert_eq!(
        (manifest(&portal, "pilot")["version"].as_str(), manifest(&portal, "all")["version"].as_str()),
        (Some("0.0.3"), Some("0.0.2"))
    );
    let (v4, v4_sig) = kit.signed("0.0.4");
    assert!(publish(&env, &kit, &v4, &v4_sig, "all").status.success());
    assert_eq!(manifest(&portal, "pilot")["version"], "0.0.4");
    let (v10, v10_sig) = kit.signed("0.0.10");
    assert!(publish(&env, &kit, &v10, &v10_sig, "pilot").status.success(), "0.0.10 is newer than 0.0.4");
    assert_eq!(manifest(&portal, "pilot")["version"], "0.0.10");

    // Nothing but a bundle is served from the bundles folder.
    let bundles = env.dir.path().join("data/app/bundles");
    std::os::unix::fs::symlink(env.dir.path().join("data/app/all.json"), bundles.join("link.deb")).expect("symlink");
    for path in [
        "/app/v1/bundles/..%2Fall.json",
        "/app/v1/bundles/..%2F..%2Fportal.sqlite",
        "/app/v1/bundles/%2E%2E%2Fall.json",
        "/app/v1/bundles/all.json",
        "/app/v1/bundles/link.deb",
        "/app/v1/bundles/..",
        "/app/v1/bundles/formdesk_9.9.9_amd64_0000000000000000.deb",
        "/app/v1/bundles/../all.json",
        "/app/v1/other/latest.json",
        "/app/v1/..%2Fall/latest.json",
    ] {
        let answer = get(&portal, path);
        assert_eq!(answer.status, 404, "{path}: {}", text(&answer.body));
        assert!(!crate::support::contains(&answer.body, b"formdesk-app-channel"), "{path}");
    }
}

/// A desk that reports its app version, one that reports none, and `app status` over them.
fn desks_report_their_app_version(env: Env) {
    let kit = Kit::new();
    let portal = env.serve(&[]);
    let counter = Desk::enrolled(&env, &portal, "Bürgerbüro 1");
    let _silent = Desk::enrolled(&env, &portal, "Bürgerbüro 2");
    let report = |desk: &Desk, app_version: &str| {
        let body = serde_json::json!({
            "channel": "all", "setVersion": 1, "manifestSha256": "ab".repeat(32),
            "published": "2026-12-06T10:00:00Z", "appVersion": app_version,
        });
        desk.signed("POST", "/v1/forms/report", body.to_string().as_bytes())
    };
    report(&counter, "0.0.1").ok(200);
    report(&counter, "0.0.1 ünd mehr").error(400, "bad_request", "appVersion");
    report(&counter, &"1".repeat(65)).error(400, "bad_request", "appVersion");

    let status = env.cli_ok(&["app", "status"]);
    assert!(status.contains("channel pilot: nothing published") && status.contains("channel all: nothing published"));
    let line = |status: &str, desk: &str| {
        status.lines().find(|l| l.contains(desk)).unwrap_or_else(|| panic!("no {desk} in {status}")).to_owned()
    };
    assert!(line(&status, "Bürgerbüro 1").contains("app 0.0.1  channel all  current"), "{status}");
    assert!(line(&status, "Bürgerbüro 2").contains("app -  channel all  never reported"), "{status}");
    assert!(status.contains("2 desk(s)"), "{status}");
    let revoked = Desk::enrolled(&env, &portal, "Bürgerbüro 3");
    report(&revoked, "0.0.1").ok(200);
    env.cli_ok(&["devices", "revoke", &revoked.device_id]);
    assert!(line(&env.cli_ok(&["app", "status"]), "Bürgerbüro 3").contains("app 0.0.1  channel all  revoked"));

    let (v2, v2_sig) = kit.signed("0.0.2");
    assert!(publish(&env, &kit, &v2, &v2_sig, "all").status.success());
    let status = env.cli_ok(&["app", "status"]);
    assert!(status.contains("channel all: version 0.0.2"), "{status}");
    assert!(line(&status, "Bürgerbüro 1").contains("behind (channel all has 0.0.2)"), "{status}");

    // A report without the version keeps the one reported before; a newer report is current.
    let without = serde_json::json!({
        "channel": "all", "setVersion": 1, "manifestSha256": "ab".repeat(32), "published": "2026-12-06T10:00:00Z",
    });
    counter.signed("POST", "/v1/forms/report", without.to_string().as_bytes()).ok(200);
    assert!(line(&env.cli_ok(&["app", "status"]), "Bürgerbüro 1").contains("app 0.0.1"));
    report(&counter, "0.0.2").ok(200);
    let status = env.cli_ok(&["app", "status", "--tenant", crate::support::ARS]);
    assert!(line(&status, "Bürgerbüro 1").contains("app 0.0.2  channel all  current"), "{status}");
    assert!(status.contains("3 desk(s)"), "{status}");

    // A pilot desk is measured against what pilot offers.
    env.cli_ok(&["devices", "channel", "Bürgerbüro 1", "pilot"]);
    let (v3, v3_sig) = kit.signed("0.0.3");
    assert!(publish(&env, &kit, &v3, &v3_sig, "pilot").status.success());
    let status = env.cli_ok(&["app", "status"]);
    assert!(line(&status, "Bürgerbüro 1").contains("channel pilot  behind (channel pilot has 0.0.3)"), "{status}");

    // The console's "Geräte" shows the version in its column "App-Version".
    let setup = crate::console::add_account(
        &env,
        &["--tenant", crate::support::ARS, "--login", "p.schmidt", "--name", "Petra Schmidt", "--role", "geraete"],
    );
    let mut browser = crate::console::Browser::new(&portal.base);
    crate::console::set_up(&mut browser, &setup);
    let page = browser.get("/admin/geraete");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<th scope=\"col\">App-Version</th>"), "{}", page.body);
    let row = page.body.split("<tr>").find(|row| row.contains("Bürgerbüro 1")).expect("the desk's row");
    assert!(row.contains("<td>0.0.2</td>"), "{row}");
    let silent = page.body.split("<tr>").find(|row| row.contains("Bürgerbüro 2")).expect("the desk's row");
    assert!(!silent.contains("0.0."), "{silent}");
}

on_both_backends!(publish_serve_and_refuse, desks_report_their_app_version);

/// A portal serving HTTPS itself names its bundles with https, under the address the desk asked.
#[test]
fn the_manifest_names_https_when_the_portal_serves_tls() {
    let env = Env::new(crate::support::Backend::Sqlite);
    let kit = Kit::new();
    let (cert, key) = (kit.path("portal.pem"), kit.path("portal.key"));
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"])
        .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-keyout", &key, "-out", &cert])
        .output()
        .expect("openssl runs");
    assert!(made.status.success(), "{}", text(&made.stderr));
    let (v2, v2_sig) = kit.signed("0.0.2");
    assert!(publish(&env, &kit, &v2, &v2_sig, "all").status.success());
    let portal = env.serve(&["--tls-cert", &cert, "--tls-key", &key]);
    assert!(portal.base.starts_with("https://127.0.0.1:"), "{}", portal.base);
    let port = portal.base.rsplit(':').next().expect("a port").to_owned();
    // Only the URL's scheme and host are under test here, not the certificate.
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .danger_accept_invalid_certs(true)
        .build()
        .expect("HTTPS client");
    let url = format!("https://localhost:{port}/app/v1/all/latest.json");
    let manifest = send(&client, client.get(&url)).ok(200);
    let bundle_url = manifest["platforms"]["linux-x86_64"]["url"].as_str().expect("url");
    assert!(
        bundle_url.starts_with(&format!("https://localhost:{port}/app/v1/bundles/formdesk_0.0.2_amd64_")),
        "{bundle_url}"
    );
    let served = send(&client, client.get(bundle_url));
    assert_eq!(served.status, 200);
    assert!(served.body == std::fs::read(&v2).expect("the bundle"));
}

/// Two `app publish` of the same version at once: one is taken, the other refused as not newer.
#[test]
fn of_two_publishes_at_once_one_is_taken() {
    let env = Env::new(crate::support::Backend::Sqlite);
    let kit = Kit::new();
    let (v2, v2_sig) = kit.signed("0.0.2");
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_formdesk-portal"))
            .args(["app", "publish", &v2.display().to_string(), "--signature", &v2_sig, "--key", &kit.public()])
            .args(["--channel", "all"])
            .args(env.store_args())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("formdesk-portal runs")
    };
    let (one, two) = (start(), start());
    let outcomes = [one.wait_with_output().expect("exits"), two.wait_with_output().expect("exits")];
    assert_eq!(outcomes.iter().filter(|o| o.status.success()).count(), 1, "{outcomes:?}");
    let refused = outcomes.iter().find(|o| !o.status.success()).expect("one refused");
    assert!(text(&refused.stderr).contains("is not newer than version 0.0.2"), "{}", text(&refused.stderr));
    assert_eq!(env.query("SELECT COUNT(*) FROM audit_entries WHERE action = 'app_publish'"), "1");
}

/// A channel record this portal cannot read stops `app publish` with the file named, and the manifest is a
/// server error rather than "no update".
#[test]
fn a_record_of_another_format_version_is_named() {
    let env = Env::new(crate::support::Backend::Sqlite);
    let kit = Kit::new();
    let app = env.dir.path().join("data/app");
    std::fs::create_dir_all(&app).expect("mkdir");
    let newer = serde_json::json!({
        "format": "formdesk-app-channel", "formatVersion": 2, "channel": "all", "version": "0.0.1", "notes": "",
        "pubDate": "2026-12-07T10:00:00Z", "file": "x.deb", "sha256": "00", "size": 1, "architecture": "amd64",
        "signature": "",
    });
    std::fs::write(app.join("all.json"), newer.to_string()).expect("write");
    let (v2, v2_sig) = kit.signed("0.0.2");
    let out = publish(&env, &kit, &v2, &v2_sig, "all");
    assert!(!out.status.success());
    let said = text(&out.stderr);
    assert!(said.contains("all.json has format formdesk-app-channel version 2; this portal reads"), "{said}");
    let portal = env.serve(&[]);
    assert_eq!(get(&portal, "/app/v1/all/latest.json").status, 500);
}
