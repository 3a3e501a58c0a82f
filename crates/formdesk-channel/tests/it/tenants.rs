//! One repository per tenant: the operator's root and targets keys for all, each tenant's names delegated to
//! its own editor's key. A tenant's desk installs only what that tenant's key signed, and another tenant's
//! lapsed role does not touch it.

use crate::support::*;
use chrono::Duration;
use formdesk_channel::sign::{signed, to_bytes};
use formdesk_channel::{Channel, ChannelError, Checked, FormStore, OfflineKeys, Rejection, Repo, Scope, SigningKey};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use tough::schema::{Hashes, Signed, Snapshot, Target, Targets, Timestamp};

const A: &str = "057580012012";
const B: &str = "057580004004";

/// Two tenants' repositories made with one operator's keys, and each tenant editor's key.
struct Tenants {
    tmp: TempDir,
    a: Repo,
    b: Repo,
    a_key: SigningKey,
    b_key: SigningKey,
}

impl Tenants {
    fn new() -> Tenants {
        let tmp = tempfile::tempdir().expect("tempdir");
        let operator = OfflineKeys::generate().expect("keys");
        let (a, a_key) = tenant_repo(tmp.path(), &operator, A);
        let (b, b_key) = tenant_repo(tmp.path(), &operator, B);
        Tenants { tmp, a, b, a_key, b_key }
    }

    /// A desk of `repo`'s tenant that pinned its root.
    fn desk(&self, repo: &Repo, name: &str) -> FormStore {
        let store = FormStore::open(&self.tmp.path().join(name)).expect("store");
        store.pin_repository(&repo.root_bytes().expect("root"), repo.scope()).expect("pin");
        store
    }

    fn check(&self, store: &FormStore, dir: &Path) -> Result<Checked, ChannelError> {
        let source = Source::dir(dir).expect("source").scoped(store.repository().expect("repository"));
        runtime().block_on(formdesk_channel::check(store, &source, Channel::All))
    }
}

use formdesk_channel::Source;

fn read<T: serde::de::DeserializeOwned>(repo: &Repo, name: &str) -> T {
    serde_json::from_slice(&std::fs::read(repo.metadata_dir().join(name)).expect("read")).expect("parse")
}

fn hundeanmeldung_version(store: &FormStore) -> Option<String> {
    store.current().expect("current").and_then(|s| s.manifest.form("hundeanmeldung").map(|f| f.version.clone()))
}

#[test]
fn each_tenant_publishes_with_its_own_key_and_its_desk_installs_its_own_set() {
    let t = Tenants::new();
    t.a.publish(&t.a_key, &shipped(), Channel::All, now()).expect("A publishes");
    t.b.publish(&t.b_key, &with_new_fee(), Channel::All, now()).expect("B publishes");
    let status = t.a.status().expect("status");
    let manifest = &status.channels[0];
    assert!(manifest.files().all(|f| f.target.starts_with(&format!("t{A}."))), "{manifest:?}");

    let a_desk = t.desk(&t.a, "a-desk");
    let b_desk = t.desk(&t.b, "b-desk");
    assert!(matches!(t.check(&a_desk, t.a.dir()), Ok(Checked::Installed { .. })));
    assert!(matches!(t.check(&b_desk, t.b.dir()), Ok(Checked::Installed { .. })));
    assert_eq!(hundeanmeldung_version(&a_desk).as_deref(), Some("1.0.0"));
    assert_eq!(hundeanmeldung_version(&b_desk).as_deref(), Some("1.1.0"));

    // A desk that reads the repository as the portal's single one asks for `set.all.json`, which no tenant
    // signs: it finds nothing.
    let shared = FormStore::open(&t.tmp.path().join("shared-desk")).expect("store");
    shared.pin_root(&t.a.root_bytes().expect("root")).expect("pin");
    let error = t.check(&shared, t.a.dir()).expect_err("nothing under the shared names");
    assert!(matches!(error, ChannelError::Admin(_)), "{error:?}");
}

#[test]
fn a_set_signed_by_another_tenants_key_is_refused_by_the_repository() {
    let t = Tenants::new();
    t.a.publish(&t.a_key, &shipped(), Channel::All, now()).expect("A publishes");
    let before = std::fs::read(t.a.metadata_dir().join(format!("t{A}.json"))).expect("role");
    let error = t.a.publish(&t.b_key, &with_new_fee(), Channel::All, now()).expect_err("B's key signs nothing of A");
    assert!(error.to_string().contains(&format!("t{A}")), "{error}");
    for refused in
        [t.a.promote(&t.b_key, now()).map(|_| ()), t.a.withdraw(&t.b_key, "hundeanmeldung", true, now()).map(|_| ())]
    {
        assert!(matches!(refused, Err(ChannelError::Admin(_))), "{refused:?}");
    }
    assert_eq!(std::fs::read(t.a.metadata_dir().join(format!("t{A}.json"))).expect("role"), before);
    let a_desk = t.desk(&t.a, "a-desk");
    t.check(&a_desk, t.a.dir()).expect("A's own set");
    assert_eq!(hundeanmeldung_version(&a_desk).as_deref(), Some("1.0.0"));
}

/// What someone holding B's editor key and the portal could do to A's repository: sign A's role with B's key
/// (listing A's names), and make snapshot and timestamp name it with the online key.
fn forge_role_of_a_with_key_of_b(t: &Tenants) {
    let repo = &t.a;
    let role = format!("t{A}");
    let honest: Signed<Targets> = read(repo, &format!("{role}.json"));
    let mut forged = honest.signed.clone();
    forged.version = forged.version.checked_add(1).expect("version");
    let manifest = t.a.status().expect("status").channels[0].clone();
    let mut changed = manifest.clone();
    changed.set_version += 1;
    changed.forms.retain(|f| f.id != "hundeanmeldung");
    let bytes = changed.to_json();
    let sha = formdesk_channel::sha256_hex(&bytes);
    let name = format!("t{A}.set.all.json");
    std::fs::write(repo.targets_dir().join(format!("{sha}.{name}")), &bytes).expect("write manifest");
    forged.targets.insert(
        tough::TargetName::new(&name).expect("name"),
        Target {
            length: bytes.len() as u64,
            hashes: Hashes { sha256: hex(&sha).into(), _extra: HashMap::new() },
            custom: HashMap::new(),
            _extra: HashMap::new(),
        },
    );
    let forged = signed(forged, &[&t.b_key]).expect("sign with B's key");
    let version = forged.signed.version;
    let forged_bytes = to_bytes(&forged).expect("bytes");
    std::fs::write(repo.metadata_dir().join(format!("{version}.{role}.json")), &forged_bytes).expect("write");
    std::fs::write(repo.metadata_dir().join(format!("{role}.json")), &forged_bytes).expect("write");

    let online = repo.online_key().expect("online key");
    let mut snapshot: Signed<Snapshot> = read(repo, "snapshot.json");
    snapshot.signed.version = snapshot.signed.version.checked_add(1).expect("version");
    snapshot.signed.meta.get_mut(&format!("{role}.json")).expect("role meta").version = version;
    let snapshot = signed(snapshot.signed, &[&online]).expect("sign snapshot");
    let snapshot_bytes = to_bytes(&snapshot).expect("bytes");
    std::fs::write(repo.metadata_dir().join(format!("{}.snapshot.json", snapshot.signed.version)), &snapshot_bytes)
        .expect("write");
    let mut timestamp: Signed<Timestamp> = read(repo, "timestamp.json");
    timestamp.signed.version = timestamp.signed.version.checked_add(1).expect("version");
    let meta = timestamp.signed.meta.get_mut("snapshot.json").expect("snapshot meta");
    meta.version = snapshot.signed.version;
    meta.length = Some(snapshot_bytes.len() as u64);
    meta.hashes = Some(Hashes {
        sha256: ring::digest::digest(&ring::digest::SHA256, &snapshot_bytes).as_ref().to_vec().into(),
        _extra: HashMap::new(),
    });
    let timestamp = signed(timestamp.signed, &[&online]).expect("sign timestamp");
    std::fs::write(repo.metadata_dir().join("timestamp.json"), to_bytes(&timestamp).expect("bytes")).expect("write");
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

#[test]
fn a_tenants_role_signed_by_another_tenants_key_is_refused_on_its_desk() {
    let t = Tenants::new();
    t.a.publish(&t.a_key, &shipped(), Channel::All, now()).expect("A publishes");
    let a_desk = t.desk(&t.a, "a-desk");
    t.check(&a_desk, t.a.dir()).expect("A's own set");
    forge_role_of_a_with_key_of_b(&t);
    let error = t.check(&a_desk, t.a.dir()).expect_err("B's signature does not count for A's names");
    assert!(matches!(error, ChannelError::Rejected(Rejection::Signature, _)), "{error:?}: {}", error.detail());
    assert_eq!(hundeanmeldung_version(&a_desk).as_deref(), Some("1.0.0"), "A's set stays");
}

/// Copies a repository's served folders to `to`, where a desk of another tenant reads: a portal serving the
/// wrong folder.
fn serve_in_place_of(from: &Repo, to: &Path) -> PathBuf {
    let place = to.to_owned();
    for folder in ["metadata", "targets"] {
        let target = place.join(folder);
        std::fs::create_dir_all(&target).expect("mkdir");
        for entry in std::fs::read_dir(from.dir().join(folder)).expect("read dir").flatten() {
            std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy");
        }
    }
    place
}

#[test]
fn another_tenants_repository_served_in_place_of_ones_own_installs_nothing() {
    let t = Tenants::new();
    t.a.publish(&t.a_key, &shipped(), Channel::All, now()).expect("A publishes");
    t.b.publish(&t.b_key, &with_new_fee(), Channel::All, now()).expect("B publishes");
    let a_desk = t.desk(&t.a, "a-desk");
    t.check(&a_desk, t.a.dir()).expect("A's own set");
    let place = serve_in_place_of(&t.b, &t.tmp.path().join("served-as-a"));
    let error = t.check(&a_desk, &place).expect_err("B's repository is not A's");
    assert!(matches!(error, ChannelError::Rejected(..) | ChannelError::Admin(_)), "{error:?}");
    assert_eq!(hundeanmeldung_version(&a_desk).as_deref(), Some("1.0.0"), "A's set stays");
}

#[test]
fn another_tenants_expired_role_does_not_stop_a_tenants_updates() {
    let t = Tenants::new();
    // B published once, more than a year ago, and never again: its role (and all its metadata) expired.
    t.b.publish(&t.b_key, &shipped(), Channel::All, now() - Duration::days(400)).expect("B publishes");
    let b_desk = t.desk(&t.b, "b-desk");
    let error = t.check(&b_desk, t.b.dir()).expect_err("B's lapsed metadata is refused");
    assert!(matches!(error, ChannelError::Rejected(Rejection::Expired, _)), "{error:?}");

    t.a.publish(&t.a_key, &shipped(), Channel::All, now()).expect("A publishes");
    let a_desk = t.desk(&t.a, "a-desk");
    assert!(matches!(t.check(&a_desk, t.a.dir()), Ok(Checked::Installed { .. })));
    t.a.publish(&t.a_key, &with_new_fee(), Channel::All, now()).expect("A publishes again");
    assert!(matches!(t.check(&a_desk, t.a.dir()), Ok(Checked::Installed { .. })));
    assert_eq!(hundeanmeldung_version(&a_desk).as_deref(), Some("1.1.0"));
}

#[test]
fn a_tenants_repository_before_its_first_publication_has_nothing_and_reopens_as_the_tenants() {
    let t = Tenants::new();
    let reopened = Repo::open(t.a.dir()).expect("open");
    assert_eq!(reopened.scope(), &Scope::tenant(A).expect("ARS"));
    assert!(reopened.manifest(Channel::All).expect("manifest").is_none());
    let a_desk = t.desk(&t.a, "a-desk");
    assert_eq!(a_desk.repository().expect("repository"), Scope::tenant(A).expect("ARS"));
    let error = t.check(&a_desk, t.a.dir()).expect_err("nothing published yet");
    assert!(matches!(error, ChannelError::Admin(_)), "{error:?}: {}", error.detail());
    // The editor's first publication signs the role; the desk installs it.
    reopened.publish(&t.a_key, &shipped(), Channel::Pilot, now()).expect("publish to pilot");
    let source = Source::dir(t.a.dir()).expect("source").scoped(a_desk.repository().expect("repository"));
    let checked = runtime().block_on(formdesk_channel::check(&a_desk, &source, Channel::Pilot)).expect("pilot");
    assert_eq!(checked.set().manifest.channel, "pilot");
    assert!(Scope::tenant("05758001201").is_err() && Scope::tenant("05758001201x").is_err());
}
