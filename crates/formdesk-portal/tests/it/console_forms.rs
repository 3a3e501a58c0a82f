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
    let data = env.dir.path().join("data").display().to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--data-dir", &data]);
    let out = env.run(&all);
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
    // B publishes the Brauchtumsfeuer, which A's sets do not have: for A it does not exist.
    let out = channel_ok(&env, &["forms", "publish", &full, "--tenant", B, "--keys", &b_editor]);
    assert!(out.contains("brauchtumsfeuer"), "{out}");
    let theirs = browser.get("/admin/formulare/brauchtumsfeuer");
    let never = browser.get(&format!("/admin/formulare/{}", uuid()));
    assert_eq!(theirs.status, 404, "{}", theirs.body);
    assert_eq!((theirs.status, &theirs.body), (never.status, &never.body));

    // The uploads are in the tenant's audit trail, which is whole.
    let log = browser.get("/admin/protokoll");
    assert!(log.body.matches("Formularstand hochgeladen").count() >= 2, "{}", log.body);
    assert!(env.cli_ok(&["audit", "verify", "--tenant", ARS]).contains("in Ordnung"));
    drop(portal);
}

crate::on_both_backends!(publishing_through_the_console);
