//! Publishing through the console (docs/tenants.md, section 3): the form editor signs on their own machine
//! (`forms publish|promote --tenant --out --portal`, against the running portal's public channel), uploads
//! the bundle at "Formularstand hochladen", and the portal checks and installs it. Refused: a replay, a file
//! that is no bundle, no file at all, another tenant's bundle; a key the delegation does not name cannot
//! even make one. The form page shows the versions, who uploaded them and which desks run them; another
//! tenant's form is the 404 page of a form that never existed. Against the real `formdesk-portal serve` on
//! SQLite and PostgreSQL.

use crate::console::{B, Browser, Served, add_account, set_up};
use crate::support::{ARS, Env, text, uuid};
use std::path::{Path, PathBuf};

fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms")
}

/// A command of the form channel on this portal's data folder, which must succeed.
fn channel_ok(env: &Env, args: &[&str]) -> String {
    let out = crate::channel::channel_cli(env, args);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// `keys init` for the operator, the editor's key for `ars`, and the tenant's repository.
fn tenant_channel(env: &Env, ars: &str) -> String {
    let operator = env.dir.path().join("operator-keys").display().to_string();
    if !Path::new(&operator).join("root.key").exists() {
        channel_ok(env, &["keys", "init", "--keys", &operator]);
    }
    let editor = env.dir.path().join(format!("editor-{ars}")).display().to_string();
    channel_ok(env, &["keys", "init", "--tenant", ars, "--keys", &editor]);
    let public = format!("{editor}/t{ars}.pub");
    env.cli_of(ars, &["forms", "channel-init", "--keys", &operator, "--editor-key", &public]);
    editor
}

/// The editor's command for a bundle; its output, or its error if it failed.
fn make_bundle(env: &Env, args: &[&str], editor: &str, ars: &str, base: &str, out: &Path) -> Result<String, String> {
    let mut all: Vec<&str> = args.to_vec();
    let out_text = out.display().to_string();
    all.extend(["--tenant", ars, "--keys", editor, "--out", &out_text, "--portal", base]);
    let run = env.run(&all);
    if run.status.success() { Ok(text(&run.stdout)) } else { Err(text(&run.stderr)) }
}

fn form_editor(env: &Env, base: &str) -> Browser {
    let path =
        add_account(env, &["--tenant", ARS, "--login", "f.form", "--name", "Frieda Form", "--role", "formulare"]);
    let mut browser = Browser::new(base);
    set_up(&mut browser, &path);
    browser
}

fn upload(browser: &mut Browser, bytes: &[u8]) -> crate::console::Reply {
    browser.get("/admin/formulare");
    browser.post_file("/admin/formulare", "paket", "formularstand.fdb", bytes)
}

fn publishing_through_the_console(env: Env) {
    let editor = tenant_channel(&env, ARS);
    let portal = Served::start(&env);
    let base = portal.base.clone();
    let mut browser = form_editor(&env, &base);
    let empty = browser.get("/admin/formulare");
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert!(empty.body.contains("Es sind noch keine Formulare veröffentlicht."), "{}", empty.body);

    // A copy of the forms without the Brauchtumsfeuer, published to the pilot desks.
    let forms = env.dir.path().join("forms");
    crate::channel::copy_dir(&forms_dir(), &forms);
    std::fs::remove_dir_all(forms.join("brauchtumsfeuer")).expect("remove a form");
    // And a form freshly imported from a FIM schema, with its import report.
    let fim = forms_dir().join("../crates/formdesk-fim/tests/data/hundesteuer/v2");
    let imported = forms.join("hundesteuer-fim").display().to_string();
    let schema = fim.join("S60000001.xml").display().to_string();
    let fim_text = fim.display().to_string();
    let import = env.run(&[
        "forms",
        "import",
        &schema,
        "--codelists",
        &fim_text,
        "--id",
        "hundesteuer-fim",
        "--destination",
        "steueramt",
        "--out",
        &imported,
    ]);
    assert!(import.status.success(), "{}", text(&import.stderr));
    let forms_text = forms.display().to_string();
    let first = env.dir.path().join("pilot.fdb");
    let said = make_bundle(&env, &["forms", "publish", &forms_text, "--channel", "pilot"], &editor, ARS, &base, &first)
        .expect("the editor makes a bundle");
    assert!(said.contains("Formularstand hochladen"), "{said}");
    let first_bytes = std::fs::read(&first).expect("bundle");

    // Nothing chosen, and a file that is no bundle: refused, named, nothing installed.
    let none = browser.post_file("/admin/formulare", "paket", "", b"");
    assert_eq!(none.status, 422, "{}", none.body);
    assert!(none.body.contains("Bitte wählen Sie ein Formularpaket"), "{}", none.body);
    let garbage = upload(&mut browser, b"PK\x03\x04 not a bundle");
    assert_eq!(garbage.status, 422, "{}", garbage.body);
    assert!(garbage.body.contains("kein Formularpaket"), "{}", garbage.body);
    // A file of 21 MB (a city's first bundle of 300 forms in six languages is that large) is read and judged.
    let large = upload(&mut browser, &vec![b'x'; 21 * 1024 * 1024]);
    assert_eq!(large.status, 422, "{}", large.body);
    assert!(large.body.contains("kein Formularpaket"), "{}", large.body);

    let done = upload(&mut browser, &first_bytes);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Formularpaket übernommen: Formularstand 1 für die Pilotgeräte"), "{}", done.body);
    assert!(
        done.body.contains("Hund anmelden (Hundesteuer)") && done.body.contains("nur Pilotgeräte"),
        "{}",
        done.body
    );
    // The same bundle again is a replay.
    let again = upload(&mut browser, &first_bytes);
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.body.contains("veraltet"), "{}", again.body);

    // Promoting is a second bundle, built on what the portal now serves.
    let second = env.dir.path().join("promote.fdb");
    make_bundle(&env, &["forms", "promote"], &editor, ARS, &base, &second).expect("promote bundle");
    let promoted = upload(&mut browser, &std::fs::read(&second).expect("bundle"));
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    assert!(promoted.body.contains("Formularstand 2 für alle Geräte"), "{}", promoted.body);
    assert!(promoted.body.contains("alle Geräte"), "{}", promoted.body);
    let status = env.cli_of(ARS, &["forms", "status"]);
    assert!(status.contains("channel all: set 2") && status.contains("channel pilot: set 1"), "{status}");

    // A key that is not the delegated one cannot even make a bundle.
    let thief = env.dir.path().join("thief").display().to_string();
    channel_ok(&env, &["keys", "init", "--tenant", ARS, "--keys", &thief]);
    let refused = make_bundle(&env, &["forms", "promote"], &thief, ARS, &base, &env.dir.path().join("thief.fdb"))
        .expect_err("a foreign key");
    assert!(refused.contains("nicht der Schlüssel"), "{refused}");
    assert!(!env.dir.path().join("thief.fdb").exists());

    // Tenant B's own bundle, uploaded by A's editor: refused by its role.
    env.cli_ok(&["tenants", "add", "--ars", B, "--name", "Gemeinde Anders"]);
    let b_editor = tenant_channel(&env, B);
    let b_bundle = env.dir.path().join("b.fdb");
    let full = forms_dir().display().to_string();
    make_bundle(&env, &["forms", "publish", &full], &b_editor, B, &base, &b_bundle).expect("B's bundle");
    let foreign = upload(&mut browser, &std::fs::read(&b_bundle).expect("bundle"));
    assert_eq!(foreign.status, 422, "{}", foreign.body);
    assert!(foreign.body.contains(&format!("Rolle &#39;t{B}&#39;")), "{}", foreign.body);
    assert!(env.cli_of(B, &["forms", "status"]).contains("channel all: nothing published"));

    // One form: its versions and who uploaded them.
    let form = browser.get("/admin/formulare/hundeanmeldung");
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("Hund anmelden (Hundesteuer)") && form.body.contains("von Frieda Form"),
        "{}",
        form.body
    );
    assert!(form.body.contains("alle Geräte"), "{}", form.body);
    // The imported form's page has its import report, also to download as the import wrote it.
    let imported_page = browser.get("/admin/formulare/hundesteuer-fim");
    assert_eq!(imported_page.status, 200, "{}", imported_page.body);
    assert!(imported_page.body.contains("<h2>Importbericht</h2>"), "{}", imported_page.body);
    assert!(imported_page.body.contains("S60000001"), "{}", imported_page.body);
    let json = browser.get("/admin/formulare/hundesteuer-fim/bericht");
    assert_eq!(json.status, 200, "{}", json.body);
    let written = std::fs::read_to_string(forms.join("hundesteuer-fim").join("import-report.json")).expect("report");
    let as_json = |t: &str| serde_json::from_str::<serde_json::Value>(t).expect("json");
    assert_eq!(as_json(&json.body), as_json(&written));
    assert!(!form.body.contains("Importbericht"), "a written form has no import report");
    let no_report = browser.get("/admin/formulare/hundeanmeldung/bericht");
    let never_report = browser.get(&format!("/admin/formulare/{}/bericht", uuid()));
    assert_eq!((no_report.status, &no_report.body), (never_report.status, &never_report.body));
    // B publishes the Brauchtumsfeuer, which A's sets do not have: for A it does not exist.
    let out = channel_ok(&env, &["forms", "publish", &full, "--tenant", B, "--keys", &b_editor]);
    assert!(out.contains("brauchtumsfeuer"), "{out}");
    let theirs = browser.get("/admin/formulare/brauchtumsfeuer");
    let never = browser.get(&format!("/admin/formulare/{}", uuid()));
    assert_eq!(theirs.status, 404, "{}", theirs.body);
    assert_eq!((theirs.status, &theirs.body), (never.status, &never.body));
    let theirs = browser.get("/admin/formulare/brauchtumsfeuer/bericht");
    assert_eq!((theirs.status, &theirs.body), (never_report.status, &never_report.body));

    // The uploads are in the tenant's audit trail, which is whole.
    let log = browser.get("/admin/protokoll");
    assert!(log.body.matches("Formularstand hochgeladen").count() >= 2, "{}", log.body);
    assert!(env.cli_ok(&["audit", "verify", "--tenant", ARS]).contains("in Ordnung"));
    drop(portal);
}

/// "Ziel hinzufügen" with the authority's PEM file, its refusals, the forms per destination and the forms
/// without one; a desk put on the pilot channel and back.
fn destinations_and_pilot_desks(env: Env) {
    let editor = tenant_channel(&env, ARS);
    let portal = Served::start(&env);
    let base = portal.base.clone();
    let published =
        channel_ok(&env, &["forms", "publish", &forms_dir().display().to_string(), "--tenant", ARS, "--keys", &editor]);
    assert!(published.contains("hundeanmeldung"), "{published}");
    // Publishing on the portal's machine is in the tenant's audit trail too.
    let log = env.cli_ok(&["audit", "list", "--tenant", ARS]);
    assert!(log.lines().any(|l| l.contains("forms_upload") && l.contains("channels=all")), "{log}");
    let mut browser = form_editor(&env, &base);
    let empty = browser.get("/admin/ziele");
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert!(empty.body.contains("Formulare ohne Ziel") && empty.body.contains("Hund anmelden (Hundesteuer)"));

    let pem = crate::support::other_authority().public().to_pem();
    let add = |browser: &mut Browser, fields: &[(&str, &str)], key: &[u8]| {
        browser.get("/admin/ziele");
        browser.post_form_file("/admin/ziele", fields, "schluessel", "steueramt.pem", key)
    };
    for (fields, key, says) in [
        (&[("name", ""), ("kennung", "steueramt")][..], pem.as_bytes(), "Bitte geben Sie der Stelle einen Namen"),
        (&[("name", "Steueramt"), ("kennung", "Steuer Amt")][..], pem.as_bytes(), "nur Kleinbuchstaben"),
        (
            &[("name", "Steueramt"), ("kennung", "steueramt")][..],
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n".as_slice(),
            "keinen öffentlichen Schlüssel",
        ),
    ] {
        let refused = add(&mut browser, fields, key);
        assert_eq!(refused.status, 422, "{says}: {}", refused.body);
        assert!(refused.body.contains(says), "{says}: {}", refused.body);
    }
    assert!(env.cli_of(ARS, &["destinations", "list"]).contains("0 destination(s)"));
    let added = add(&mut browser, &[("name", "Steueramt"), ("kennung", "steueramt")], pem.as_bytes());
    assert_eq!((added.status, added.location.as_str()), (303, "/admin/ziele"), "{}", added.body);
    let listed = browser.get("/admin/ziele");
    assert!(listed.body.contains("Steueramt") && listed.body.contains("Hund abmelden"), "{}", listed.body);
    let kid = crate::support::other_authority().public().key_id();
    assert!(listed.body.contains(&kid), "{}", listed.body);
    let taken = add(&mut browser, &[("name", "Anderes Amt"), ("kennung", "steueramt")], pem.as_bytes());
    assert_eq!(taken.status, 422, "{}", taken.body);
    assert!(taken.body.contains("schon vergeben"), "{}", taken.body);
    assert!(env.cli_of(ARS, &["destinations", "list"]).contains("steueramt  Steueramt"));

    // A desk on the pilot channel and back, by the form editor.
    let out = env.cli_of(ARS, &["devices", "enrol", "--name", "Bürgerbus"]);
    let device = out.lines().find_map(|l| l.strip_prefix("device ")).expect("id").trim().to_owned();
    let devices = browser.get("/admin/geraete");
    assert!(devices.body.contains("Zum Pilotgerät machen"), "{}", devices.body);
    let moved = browser.post(&format!("/admin/geraete/{device}/kanal"), &[("kanal", "pilot")]);
    assert_eq!((moved.status, moved.location.as_str()), (303, "/admin/geraete"), "{}", moved.body);
    assert!(browser.get("/admin/geraete").body.contains("Auf alle Geräte stellen"));
    assert!(env.cli_of(ARS, &["forms", "status"]).contains("pilot"));
    browser.get("/admin/geraete");
    let back = browser.post(&format!("/admin/geraete/{device}/kanal"), &[("kanal", "alle")]);
    assert_eq!(back.status, 303, "{}", back.body);
    assert!(browser.get("/admin/geraete").body.contains("Zum Pilotgerät machen"));
    let log = browser.get("/admin/protokoll");
    assert!(log.body.contains("Ziel gespeichert"), "{}", log.body);
    assert_eq!(log.body.matches("Kanal eines Geräts geändert").count(), 2, "{}", log.body);
    drop(portal);
}

/// A form editor's key is lost: the operator delegates to the new key; the old key signs nothing the desks or
/// the portal take any more, and the new key's bundle starts the channel anew.
fn tenant_key_changed(env: Env) {
    let editor = tenant_channel(&env, ARS);
    let forms = forms_dir().display().to_string();
    channel_ok(&env, &["forms", "publish", &forms, "--tenant", ARS, "--keys", &editor]);
    let new_editor = env.dir.path().join("editor-new").display().to_string();
    channel_ok(&env, &["keys", "init", "--tenant", ARS, "--keys", &new_editor]);
    let operator = env.dir.path().join("operator-keys").display().to_string();
    let public = format!("{new_editor}/t{ARS}.pub");
    let rotated = channel_ok(&env, &["keys", "rotate", "--keys", &operator, "--tenant", ARS, "--editor-key", &public]);
    assert!(rotated.contains("from now on"), "{rotated}");
    let old = crate::channel::channel_cli(&env, &["forms", "promote", "--tenant", ARS, "--keys", &editor]);
    assert!(!old.status.success(), "the old key still signs");
    assert!(text(&old.stderr).contains(&format!("is not the key of role t{ARS}")), "{}", text(&old.stderr));

    let portal = Served::start(&env);
    let base = portal.base.clone();
    let out = env.dir.path().join("new.fdb");
    let said = make_bundle(&env, &["forms", "publish", &forms], &new_editor, ARS, &base, &out).expect("bundle");
    assert!(said.contains("key was changed"), "{said}");
    let mut browser = form_editor(&env, &base);
    let done = upload(&mut browser, &std::fs::read(&out).expect("bundle"));
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Formularstand 2 für alle Geräte"), "{}", done.body);
    drop(portal);
}

crate::on_both_backends!(
    tenant_key_changed,
    publishing_through_the_console,
    destinations_and_pilot_desks,
    the_shared_catalogue,
    operator_health,
);

/// The shared catalogue ("Einer für Alle"): the computing centre publishes it into every tenant's channel,
/// the form editor takes a form over in a bundle, the console lists it as from the catalogue, a desk of the
/// tenant installs the set over HTTP with the catalogue's file verified through its delegation, and a tenant
/// whose channel is made later gets the catalogue copied in.
fn the_shared_catalogue(env: Env) {
    let editor = tenant_channel(&env, ARS);
    let operator = env.dir.path().join("operator-keys").display().to_string();
    let published =
        channel_ok(&env, &["forms", "catalogue-publish", &forms_dir().display().to_string(), "--keys", &operator]);
    assert!(published.contains(&format!("tenant {ARS}: catalogue set 1")), "{published}");
    let portal = Served::start(&env);
    let base = portal.base.clone();

    let forms = env.dir.path().join("own-forms");
    crate::channel::copy_dir(&forms_dir(), &forms);
    std::fs::remove_dir_all(forms.join("hundeanmeldung")).expect("remove a form");
    let own = forms.display().to_string();
    let out = env.dir.path().join("taken.fdb");
    let said =
        make_bundle(&env, &["forms", "publish", &own, "--from-catalogue", "hundeanmeldung"], &editor, ARS, &base, &out)
            .expect("bundle");
    assert!(said.contains("hundeanmeldung"), "{said}");
    let refused = make_bundle(
        &env,
        &["forms", "publish", &own, "--from-catalogue", "gibt-es-nicht"],
        &editor,
        ARS,
        &base,
        &env.dir.path().join("nothing.fdb"),
    )
    .expect_err("not in the catalogue");
    assert!(refused.contains("kein Formular 'gibt-es-nicht'"), "{refused}");

    let mut browser = form_editor(&env, &base);
    let done = upload(&mut browser, &std::fs::read(&out).expect("bundle"));
    assert_eq!(done.status, 200, "{}", done.body);
    let row = done.body.split("<tr>").find(|r| r.contains("/admin/formulare/hundeanmeldung\"")).expect("listed");
    assert!(row.contains("gemeinsamer Katalog"), "{row}");
    let row = done.body.split("<tr>").find(|r| r.contains("/admin/formulare/hundeabmeldung\"")).expect("listed");
    assert!(row.contains("eigenes Formular"), "{row}");

    // A desk of the tenant installs it over HTTP.
    let root = std::fs::read(env.dir.path().join(format!("data/channel/t{ARS}/metadata/root.json"))).expect("root");
    let store = formdesk_channel::FormStore::open(&env.dir.path().join("desk")).expect("store");
    let scope = formdesk_channel::Scope::tenant(ARS).expect("ARS");
    store.pin_repository(&root, &scope).expect("pin");
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let source = formdesk_channel::Source::portal_of(client, &base, scope).expect("source");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let checked = runtime
        .block_on(formdesk_channel::check(&store, &source, formdesk_channel::Channel::All))
        .expect("the desk installs the set");
    let taken = checked.set().manifest.form("hundeanmeldung").expect("taken over").clone();
    assert!(taken.file.target.starts_with("catalog."), "{}", taken.file.target);
    assert!(store.object(&taken.file).is_ok());

    // A tenant whose channel is made later has the catalogue at once.
    env.cli_ok(&["tenants", "add", "--ars", B, "--name", "Gemeinde Anders"]);
    let b_editor = env.dir.path().join("editor-b").display().to_string();
    channel_ok(&env, &["keys", "init", "--tenant", B, "--keys", &b_editor]);
    let public = format!("{b_editor}/t{B}.pub");
    let made = env.cli_of(B, &["forms", "channel-init", "--keys", &operator, "--editor-key", &public]);
    assert!(made.contains("catalogue set 1 copied in"), "{made}");
    let published = channel_ok(
        &env,
        &["forms", "publish", &own, "--tenant", B, "--keys", &b_editor, "--from-catalogue", "hundeanmeldung"],
    );
    assert!(published.contains("hundeanmeldung"), "{published}");
    let status = env.cli_of(B, &["forms", "status"]);
    assert!(
        status.contains("signature catalog: ends") && status.contains(&format!("signature t{B}: ends")),
        "{status}"
    );
    drop(portal);
}

/// The operator's "Zustand": each tenant's channel signatures with their days left, and the audit
/// checkpoints, checked on request; a changed entry shows as a chain that does not fit.
fn operator_health(env: Env) {
    tenant_channel(&env, ARS);
    env.cli_ok(&["devices", "enrol", "--name", "Bürgerbüro"]);
    env.cli_ok(&["audit", "checkpoint"]);
    let portal = Served::start(&env);
    let path = add_account(&env, &["--operator", "--login", "r.betrieb", "--name", "Rechenzentrum"]);
    let mut browser = Browser::new(&portal.base);
    set_up(&mut browser, &path);
    crate::console::enable_totp(&mut browser);
    let health = browser.get("/admin/betrieb/zustand");
    assert_eq!(health.status, 200, "{}", health.body);
    for shown in ["Wurzelschlüssel (Root)", "gemeinsamer Katalog", "<td class=\"num\">36", "nicht geprüft"] {
        assert!(health.body.contains(shown), "{shown}: {}", health.body);
    }
    assert!(!health.body.contains("Zeitstempel"), "a timestamp renewed in time is not listed: {}", health.body);
    assert!(health.body.contains("0 abgeholte Anträge warten noch auf das Löschen."), "{}", health.body);
    // A timestamp the portal did not renew: listed.
    let path = env.dir.path().join(format!("data/channel/t{ARS}/metadata/timestamp.json"));
    let mut stamp: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("timestamp")).expect("json");
    let soon = chrono::Utc::now() + chrono::Duration::hours(2);
    stamp["signed"]["expires"] = soon.format("%Y-%m-%dT%H:%M:%SZ").to_string().into();
    std::fs::write(&path, serde_json::to_vec(&stamp).expect("json")).expect("write");
    let late = browser.get("/admin/betrieb/zustand");
    assert!(late.body.contains("Zeitstempel: nicht rechtzeitig erneuert"), "{}", late.body);
    let checked = browser.get("/admin/betrieb/zustand?pruefen=1");
    assert_eq!(checked.body.matches("unverändert").count(), 2, "operator and tenant: {}", checked.body);
    assert!(!checked.body.contains("Kette passt nicht"), "{}", checked.body);
    env.execute(&format!("UPDATE audit_entries SET object = 'anders' WHERE log = 't{ARS}' AND seq = 1"));
    let broken = browser.get("/admin/betrieb/zustand?pruefen=1");
    assert!(broken.body.contains("Kette passt nicht"), "{}", broken.body);
    drop(portal);
}
