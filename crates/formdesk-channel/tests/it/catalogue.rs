//! The shared catalogue ("Einer für Alle") in each tenant's repository: the computing centre's `forms` key
//! signs `catalog.*`, a tenant takes forms over by naming them, and its desks verify those files through the
//! catalogue's delegation. A tenant keeps the text it took until it publishes again; a name the catalogue
//! does not have cannot be taken or smuggled in through a bundle.

use crate::support::*;
use formdesk_channel::bundle::Staging;
use formdesk_channel::catalogue::Catalogue;
use formdesk_channel::{Channel, ChannelError, Checked, FormStore, OfflineKeys, Repo, SetFiles, SigningKey, Source};
use std::path::Path;
use tempfile::TempDir;

const A: &str = "057580012012";
const B: &str = "057580004004";

struct Centre {
    tmp: TempDir,
    operator: OfflineKeys,
    a: Repo,
    b: Repo,
    a_key: SigningKey,
}

/// A tenant's repository that delegates the catalogue (once, however often asked).
fn tenant(tmp: &Path, operator: &OfflineKeys, ars: &str) -> (Repo, SigningKey) {
    let (repo, editor) = tenant_repo(tmp, operator, ars);
    assert!(repo.attach_catalogue(&operator.targets, &operator.forms, now()).expect("attach"));
    assert!(!repo.attach_catalogue(&operator.targets, &operator.forms, now()).expect("attach once"));
    (repo, editor)
}

impl Centre {
    fn new() -> Centre {
        let tmp = tempfile::tempdir().expect("tempdir");
        let operator = OfflineKeys::generate().expect("keys");
        let (a, a_key) = tenant(tmp.path(), &operator, A);
        let (b, _) = tenant(tmp.path(), &operator, B);
        Centre { tmp, operator, a, b, a_key }
    }

    fn publish_catalogue(&self, files: &SetFiles, version: u64) {
        let catalogue = Catalogue::from_files(files, version, now());
        for repo in [&self.a, &self.b] {
            repo.publish_catalogue(&self.operator.forms, &catalogue, now()).expect("catalogue");
        }
    }

    fn desk(&self, name: &str) -> FormStore {
        let store = FormStore::open(&self.tmp.path().join(name)).expect("store");
        store.pin_repository(&self.a.root_bytes().expect("root"), self.a.scope()).expect("pin");
        store
    }

    fn check(&self, store: &FormStore) -> Result<Checked, ChannelError> {
        let source = Source::dir(self.a.dir()).expect("source").scoped(store.repository().expect("repository"));
        runtime().block_on(formdesk_channel::check(store, &source, Channel::All))
    }
}

/// The shipped forms without the Hundeanmeldung: A's own folder.
fn own_forms() -> SetFiles {
    let mut files = shipped();
    files.forms.retain(|(id, _, _)| id != "hundeanmeldung");
    files
}

/// The version of the Hundeanmeldung the desk installed, taken over from the catalogue (its bytes are there).
fn fee_of(store: &FormStore) -> String {
    let set = store.current().expect("current").expect("a set");
    let entry = set.manifest.form("hundeanmeldung").expect("taken over").clone();
    assert!(entry.file.target.starts_with("catalog."), "{}", entry.file.target);
    let bytes = store.object(&entry.file).expect("installed");
    assert_eq!(formdesk_channel::sha256_hex(&bytes), entry.file.sha256);
    entry.version
}

#[test]
fn a_tenant_takes_a_catalogue_form_and_its_desk_verifies_it_through_the_catalogue() {
    let c = Centre::new();
    c.publish_catalogue(&shipped(), 1);
    let take = vec!["hundeanmeldung".to_owned()];
    let manifest = c.a.publish_taking(&c.a_key, &own_forms(), &take, Channel::All, now()).expect("publish");
    assert!(manifest.form("hundeanmeldung").expect("taken").file.target.starts_with("catalog."));
    assert!(manifest.form("hundeabmeldung").expect("own").file.target.starts_with(&format!("t{A}.")));

    let desk = c.desk("desk");
    let checked = c.check(&desk).expect("the desk checks");
    assert!(matches!(checked, Checked::Installed { .. }), "{checked:?}");
    let before = fee_of(&desk);

    // The catalogue changes: A keeps the text it took until its editor publishes again.
    c.publish_catalogue(&with_new_fee(), 2);
    assert!(matches!(c.check(&desk).expect("check"), Checked::Unchanged(_)));
    let new_desk = c.desk("new-desk");
    c.check(&new_desk).expect("a new desk installs the set that names the older catalogue text");
    assert_eq!(fee_of(&new_desk), before);
    c.a.publish_taking(&c.a_key, &own_forms(), &take, Channel::All, now()).expect("publish again");
    assert!(matches!(c.check(&desk).expect("check"), Checked::Installed { .. }));
    assert_ne!(fee_of(&desk), before, "the catalogue's new text arrived with A's new publication");
}

#[test]
fn what_the_catalogue_does_not_have_cannot_be_taken_or_smuggled() {
    let c = Centre::new();
    let take = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let error = c.a.publish_taking(&c.a_key, &own_forms(), &take(&["hundeanmeldung"]), Channel::All, now());
    assert!(error.expect_err("no catalogue yet").to_string().contains("noch nicht veröffentlicht"));
    c.publish_catalogue(&own_forms(), 1);
    let error = c.a.publish_taking(&c.a_key, &own_forms(), &take(&["hundeanmeldung"]), Channel::All, now());
    assert!(error.expect_err("not in the catalogue").to_string().contains("kein Formular 'hundeanmeldung'"));
    let error = c.a.publish_taking(&c.a_key, &own_forms(), &take(&["hundeabmeldung"]), Channel::All, now());
    assert!(error.expect_err("both").to_string().contains("nur eins von beiden"));

    // An editor's bundle whose manifest names a catalogue file the catalogue does not list.
    let staging =
        Staging::fetch(&c.tmp.path().join("editor"), c.a.scope(), &c.a_key, served(c.a.dir())).expect("working copy");
    staging
        .repo()
        .publish_taking(&c.a_key, &shipped(), &take(&[]), Channel::All, now())
        .expect("publish in the working copy");
    let mut bundle = staging.bundle("publish", Vec::new(), now()).expect("bundle");
    // Rename the Hundeanmeldung's file into the catalogue's names, in the manifest and the role alike.
    let manifest_file = bundle.files.iter_mut().find(|f| f.target.ends_with(".set.all.json")).expect("manifest");
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&b64.decode(&manifest_file.data).expect("b64")).expect("json");
    for form in manifest["forms"].as_array_mut().expect("forms") {
        if form["id"] == "hundeanmeldung" {
            let target = form["file"]["target"].as_str().expect("target").replacen(&format!("t{A}."), "catalog.", 1);
            form["file"]["target"] = target.into();
        }
    }
    let bytes = serde_json::to_vec_pretty(&manifest).expect("json");
    manifest_file.data = b64.encode(&bytes);
    let mut role: tough::schema::Signed<tough::schema::Targets> =
        serde_json::from_slice(&b64.decode(&bundle.metadata).expect("b64")).expect("role");
    let name = tough::TargetName::new(format!("t{A}.set.all.json")).expect("name");
    let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
    let target = role.signed.targets.get_mut(&name).expect("listed");
    target.hashes.sha256 = digest.as_ref().to_vec().into();
    target.length = bytes.len() as u64;
    let resigned = formdesk_channel::sign::signed(role.signed, &[&c.a_key]).expect("sign");
    bundle.metadata = b64.encode(formdesk_channel::sign::to_bytes(&resigned).expect("bytes"));
    let error = c.a.install_bundle(&bundle, "x", now(), |_| Ok(())).expect_err("smuggled").to_string();
    assert!(error.contains("die der gemeinsame Katalog nicht hat"), "{error}");
}

#[test]
fn an_editors_bundle_takes_over_from_the_catalogue() {
    let c = Centre::new();
    c.publish_catalogue(&shipped(), 1);
    let staging =
        Staging::fetch(&c.tmp.path().join("editor"), c.a.scope(), &c.a_key, served(c.a.dir())).expect("working copy");
    let take = vec!["hundeanmeldung".to_owned()];
    staging.repo().publish_taking(&c.a_key, &own_forms(), &take, Channel::All, now()).expect("publish");
    let bundle = staging.bundle("publish all", Vec::new(), now()).expect("bundle");
    assert!(bundle.files.iter().all(|f| !f.target.starts_with("catalog.")), "catalogue files never travel");
    c.a.install_bundle(&bundle, "Erika Muster", now(), |_| Ok(())).expect("install");
    let desk = c.desk("desk");
    c.check(&desk).expect("check");
    fee_of(&desk);
}

#[test]
fn a_delegated_catalogue_not_yet_published_does_not_stop_the_tenants_desks() {
    let c = Centre::new();
    c.a.publish(&c.a_key, &own_forms(), Channel::All, now()).expect("publish");
    let desk = c.desk("desk");
    let checked = c.check(&desk).expect("the desk installs the tenant's own set");
    assert!(matches!(checked, Checked::Installed { .. }), "{checked:?}");
}
