//! A tenant's form editor signs a change on their own machine into a bundle; the portal checks and installs
//! it. Every check is attacked: another tenant's key, a foreign name, a replay, a skipped version, a changed,
//! missing or smuggled file, the caller's own refusal. A refused bundle changes nothing.

use crate::support::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use formdesk_channel::bundle::{Bundle, BundleFile, BundleReport, Staging};
use formdesk_channel::keys::read_public;
use formdesk_channel::{Channel, ChannelError, FormStore, OfflineKeys, Repo, SigningKey, Source};
use std::collections::BTreeMap;
use std::path::PathBuf;
use tempfile::TempDir;
use tough::schema::{Signed, Targets};

const A: &str = "057580012012";
const B: &str = "057580004004";

struct Portal {
    tmp: TempDir,
    operator: OfflineKeys,
    a: Repo,
    b: Repo,
    a_key: SigningKey,
    b_key: SigningKey,
}

impl Portal {
    fn new() -> Portal {
        let tmp = tempfile::tempdir().expect("tempdir");
        let operator = OfflineKeys::generate().expect("keys");
        let (a, a_key) = tenant_repo(tmp.path(), &operator, A);
        let (b, b_key) = tenant_repo(tmp.path(), &operator, B);
        Portal { tmp, operator, a, b, a_key, b_key }
    }

    /// The editor's working copy of `repo`, read the way the editor's command reads the portal's URL.
    fn staging(&self, repo: &Repo, key: &SigningKey, name: &str) -> Result<Staging, ChannelError> {
        Staging::fetch(&self.tmp.path().join(name), repo.scope(), key, served(repo.dir()))
    }

    fn publish_bundle(&self, repo: &Repo, key: &SigningKey, name: &str, channel: Channel) -> Bundle {
        let staging = self.staging(repo, key, name).expect("working copy");
        staging.repo().publish(key, &shipped(), channel, now()).expect("publish in the working copy");
        let report = BundleReport {
            form: "hundeanmeldung".into(),
            version: shipped().forms.iter().find(|f| f.0 == "hundeanmeldung").expect("form").1.clone(),
            report: serde_json::json!({"formatVersion": 1, "entries": []}),
        };
        let bundle = staging.bundle(&format!("publish {channel}"), vec![report], now()).expect("bundle");
        // Through its file, as the console receives it.
        Bundle::from_json(&bundle.to_json()).expect("read back")
    }

    fn desk(&self, repo: &Repo, name: &str) -> FormStore {
        let store = FormStore::open(&self.tmp.path().join(name)).expect("store");
        store.pin_repository(&repo.root_bytes().expect("root"), repo.scope()).expect("pin");
        store
    }

    fn check(
        &self,
        store: &FormStore,
        repo: &Repo,
        channel: Channel,
    ) -> Result<formdesk_channel::Checked, ChannelError> {
        let source = Source::dir(repo.dir()).expect("source").scoped(store.repository().expect("repository"));
        runtime().block_on(formdesk_channel::check(store, &source, channel))
    }
}

/// Every file of the repository's served folders and its records, with contents.
fn files(repo: &Repo) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for dir in [repo.metadata_dir(), repo.targets_dir(), repo.dir().join("uploads"), repo.dir().join("reports")] {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            out.insert(entry.path(), std::fs::read(entry.path()).expect("read"));
        }
    }
    out
}

fn install(repo: &Repo, bundle: &Bundle) -> Result<formdesk_channel::bundle::InstalledBundle, ChannelError> {
    repo.install_bundle(bundle, "Erika Muster", now(), |_| Ok(()))
}

fn refused(repo: &Repo, bundle: &Bundle, expected: &str) {
    let before = files(repo);
    let error = install(repo, bundle).expect_err("refused").to_string();
    assert!(error.contains(expected), "{error}");
    assert_eq!(files(repo), before, "a refused bundle changed the repository");
}

fn role_of(bundle: &Bundle) -> Signed<Targets> {
    serde_json::from_slice(&B64.decode(&bundle.metadata).expect("base64")).expect("role")
}

#[test]
fn an_editors_bundle_is_installed_and_the_tenants_desks_get_it_pilot_first() {
    let p = Portal::new();
    let bundle = p.publish_bundle(&p.a, &p.a_key, "editor-1", Channel::Pilot);
    assert_eq!(bundle.role, format!("t{A}"));
    assert!(bundle.files.iter().all(|f| f.target.starts_with(&format!("t{A}."))), "{:?}", bundle.files.len());
    let installed = install(&p.a, &bundle).expect("install");
    assert_eq!(installed.role_version, 1);
    assert_eq!(installed.changed.len(), 1);
    assert_eq!(installed.changed[0].0, Channel::Pilot);

    let pilot = p.desk(&p.a, "pilot-desk");
    let checked = p.check(&pilot, &p.a, Channel::Pilot).expect("pilot desk checks");
    assert!(matches!(checked, formdesk_channel::Checked::Installed { .. }), "{checked:?}");
    assert!(pilot.current().expect("current").is_some());
    let all = p.desk(&p.a, "all-desk");
    let nothing = p.check(&all, &p.a, Channel::All).expect_err("nothing for 'all' yet").to_string();
    assert!(nothing.contains("nichts veröffentlicht"), "{nothing}");
    assert!(all.current().expect("current").is_none(), "a desk on 'all' got the pilot set");

    // Promoting is a second bundle, made from what the portal now serves.
    let staging = p.staging(&p.a, &p.a_key, "editor-2").expect("working copy");
    staging.repo().promote(&p.a_key, now()).expect("promote");
    let promote = staging.bundle("promote", Vec::new(), now()).expect("bundle");
    assert!(promote.files.iter().all(|f| f.target.ends_with(".set.all.json")), "only the new manifest travels");
    let installed = install(&p.a, &promote).expect("install promote");
    assert_eq!(installed.role_version, 2);
    p.check(&all, &p.a, Channel::All).expect("desk on all checks again");
    assert!(all.current().expect("current").is_some(), "promoted set not installed");

    let uploads = p.a.uploads();
    assert_eq!(uploads.iter().map(|u| u.role_version).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(uploads[0].uploaded_by, "Erika Muster");
    assert!(uploads[0].forms.iter().any(|(id, _, _)| id == "hundeanmeldung"));
    let version = &uploads[0].forms.iter().find(|f| f.0 == "hundeanmeldung").expect("form").1;
    assert_eq!(p.a.import_report("hundeanmeldung", version).expect("report kept")["formatVersion"], 1);
    assert!(p.a.import_report("../hundeanmeldung", version).is_none());

    // Nothing changed, nothing to bundle.
    let staging = p.staging(&p.a, &p.a_key, "editor-3").expect("working copy");
    let error = staging.bundle("nothing", Vec::new(), now()).expect_err("nothing changed").to_string();
    assert!(error.contains("nichts geändert"), "{error}");
}

#[test]
fn another_tenants_key_cannot_make_or_smuggle_a_bundle() {
    let p = Portal::new();
    // B's editor cannot even make a working copy of A's channel with B's key.
    let error = p.staging(&p.a, &p.b_key, "b-on-a").expect_err("foreign key").to_string();
    assert!(error.contains("nicht der Schlüssel"), "{error}");
    // B's own bundle, uploaded to A, is refused by its role…
    let b_bundle = p.publish_bundle(&p.b, &p.b_key, "b-editor", Channel::All);
    refused(&p.a, &b_bundle, "Rolle");
    // …and, claiming A's role, by its signature (attack test 13).
    let mut claimed = b_bundle.clone();
    claimed.role = format!("t{A}");
    refused(&p.a, &claimed, "nicht mit dem Schlüssel dieser Verwaltung signiert");
    // A's key signing B's names: refused by name.
    let a_bundle = p.publish_bundle(&p.a, &p.a_key, "a-editor", Channel::All);
    let mut role = role_of(&a_bundle);
    let (name, target) = role.signed.targets.iter().next().map(|(n, t)| (n.clone(), t.clone())).expect("target");
    let foreign = tough::TargetName::new(name.raw().replacen(A, B, 1)).expect("name");
    role.signed.targets.insert(foreign, target);
    let resigned = formdesk_channel::sign::signed(role.signed, &[&p.a_key]).expect("sign");
    let mut foreign_names = a_bundle.clone();
    foreign_names.metadata = B64.encode(formdesk_channel::sign::to_bytes(&resigned).expect("bytes"));
    refused(&p.a, &foreign_names, "nicht zu dieser Verwaltung");
    // B's repository is untouched by all of it.
    assert!(p.b.uploads().is_empty());
}

#[test]
fn replayed_skipped_changed_missing_and_smuggled_are_refused() {
    let p = Portal::new();
    let first = p.publish_bundle(&p.a, &p.a_key, "editor-1", Channel::All);
    // Made from the same state as `first`: once `first` is in, it is stale.
    let rival = p.publish_bundle(&p.a, &p.a_key, "editor-1b", Channel::Pilot);

    let mut changed = first.clone();
    let file = changed.files.iter_mut().find(|f| f.target.contains(".form.")).expect("a form file");
    let mut bytes = B64.decode(&file.data).expect("base64");
    bytes[10] ^= 1;
    file.data = B64.encode(bytes);
    refused(&p.a, &changed, "passt nicht zur Signatur");

    let mut missing = first.clone();
    missing.files.retain(|f| !f.target.contains(".codelist."));
    refused(&p.a, &missing, "fehlt die Datei");

    let mut smuggled = first.clone();
    smuggled.files.push(BundleFile { target: format!("t{A}.form.extra.json"), data: B64.encode(b"{}") });
    refused(&p.a, &smuggled, "nicht nennt");

    let before = files(&p.a);
    let error = p.a.install_bundle(&first, "x", now(), |_| Err("Formular x: Fehler".into())).expect_err("check");
    assert!(error.to_string().contains("Formular x"), "{error}");
    assert_eq!(files(&p.a), before);

    let mut garbage = first.to_json();
    garbage[3] = b'!';
    assert!(Bundle::from_json(&garbage).expect_err("not a bundle").to_string().contains("kein Formularpaket"));
    let mut future = first.clone();
    future.format_version = 2;
    assert!(Bundle::from_json(&future.to_json()).expect_err("newer format").to_string().contains("Format 2"));

    install(&p.a, &first).expect("install");
    refused(&p.a, &first, "veraltet");
    refused(&p.a, &rival, "veraltet");

    // A version skipped: a role two ahead, signed properly.
    let staging = p.staging(&p.a, &p.a_key, "editor-2").expect("working copy");
    staging.repo().withdraw(&p.a_key, "hundeanmeldung", false, now()).expect("withdraw");
    staging.repo().withdraw(&p.a_key, "hundeabmeldung", false, now()).expect("withdraw another");
    let skipped = staging.bundle("two steps", Vec::new(), now()).expect("bundle");
    let error = install(&p.a, &skipped).expect_err("skipped").to_string();
    assert!(error.contains("erwartet Stand 2"), "{error}");
}

#[test]
fn after_the_tenants_key_is_changed_only_the_new_key_publishes_and_desks_follow() {
    let p = Portal::new();
    install(&p.a, &p.publish_bundle(&p.a, &p.a_key, "old-1", Channel::All)).expect("install");
    let staging = p.staging(&p.a, &p.a_key, "old-2").expect("working copy");
    staging.repo().withdraw(&p.a_key, "hundeabmeldung", true, now()).expect("withdraw now");
    install(&p.a, &staging.bundle("withdraw hundeabmeldung now", Vec::new(), now()).expect("bundle")).expect("in");
    let desk = p.desk(&p.a, "desk");
    p.check(&desk, &p.a, Channel::All).expect("the desk installs");
    let installed = desk.current().expect("current").expect("a set");
    let withdrawn = installed.manifest.withdrawn.clone();
    assert_eq!(withdrawn.len(), 1);
    // A bundle the old key made but nobody uploaded yet.
    let stale = {
        let staging = p.staging(&p.a, &p.a_key, "old-3").expect("working copy");
        staging.repo().promote(&p.a_key, now()).ok();
        staging.repo().publish(&p.a_key, &shipped(), Channel::Pilot, now()).expect("publish");
        staging.bundle("publish pilot", Vec::new(), now()).expect("bundle")
    };

    // The key is lost: the operator delegates to the editor's new key.
    let new_key = SigningKey::generate().expect("key");
    let public = p.tmp.path().join("new.pub");
    new_key.write_public(&public, &format!("t{A}")).expect("public key");
    let tuf = read_public(&public, &format!("t{A}")).expect("read");
    p.a.rotate_editor(&p.operator.targets, tuf, now()).expect("rotate");
    // Desks refuse what the old key signed and keep their set.
    let refused = p.check(&desk, &p.a, Channel::All).expect_err("the old key's role").to_string();
    assert!(refused.contains("Unterschrift"), "{refused}");
    assert_eq!(desk.current().expect("current").map(|s| s.sha256), Some(installed.sha256.clone()));
    // The old key makes nothing any more, and what it made before is refused.
    let error = p.staging(&p.a, &p.a_key, "old-4").expect_err("old key").to_string();
    assert!(error.contains("nicht der Schlüssel"), "{error}");
    refused_bundle(&p.a, &stale, "nicht mit dem Schlüssel dieser Verwaltung signiert");

    // The new key starts the channel anew above the old role, keeping what was withdrawn.
    let staging = p.staging(&p.a, &new_key, "new-1").expect("working copy with the new key");
    assert!(staging.rekeyed());
    assert!(staging.repo().promote(&new_key, now()).is_err(), "nothing of the old role is signed again");
    let manifest = staging.repo().publish(&new_key, &shipped(), Channel::All, now()).expect("publish");
    assert!(manifest.set_version > installed.manifest.set_version, "{}", manifest.set_version);
    assert_eq!(manifest.withdrawn, withdrawn, "the withdrawal survives the new key");
    let bundle = staging.bundle("publish all", Vec::new(), now()).expect("bundle");
    install(&p.a, &bundle).expect("the new key's bundle");
    let checked = p.check(&desk, &p.a, Channel::All).expect("the desk follows the new key");
    assert!(matches!(checked, formdesk_channel::Checked::Installed { .. }), "{checked:?}");
    // And from now on the new key's copy is an ordinary one.
    assert!(!p.staging(&p.a, &new_key, "new-2").expect("working copy").rekeyed());
}

fn refused_bundle(repo: &Repo, bundle: &Bundle, expected: &str) {
    refused(repo, bundle, expected);
}
