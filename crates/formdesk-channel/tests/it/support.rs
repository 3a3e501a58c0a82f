//! A repository with keys in a temporary folder, a desk store that trusts its root, and the repository's
//! own forms to publish.

use chrono::{DateTime, Utc};
use formdesk_channel::{Channel, ChannelError, Checked, FormStore, OfflineKeys, Repo, SetFiles, Source};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub struct World {
    pub tmp: TempDir,
    pub repo: Repo,
    pub keys: PathBuf,
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

impl World {
    pub fn new() -> World {
        let tmp = tempfile::tempdir().expect("tempdir");
        let keys = tmp.path().join("keys");
        let offline = OfflineKeys::generate().expect("keys");
        offline.write(&keys).expect("write keys");
        let repo = Repo::init(&tmp.path().join("repo"), &offline, now()).expect("init");
        World { tmp, repo, keys }
    }

    pub fn offline(&self) -> OfflineKeys {
        OfflineKeys::read(&self.keys).expect("read keys")
    }

    pub fn publish(&self, files: &SetFiles, channel: Channel) {
        self.repo.publish(&self.offline().forms, files, channel, now()).expect("publish");
    }

    /// A desk store in the world's folder that trusts the repository's current root.
    pub fn desk(&self, name: &str) -> FormStore {
        let store = FormStore::open(&self.tmp.path().join(name)).expect("store");
        store.pin_root(&self.repo.root_bytes().expect("root")).expect("pin");
        store
    }

    pub fn source(&self) -> Source {
        Source::dir(self.repo.dir()).expect("source")
    }

    pub fn check(&self, store: &FormStore, channel: Channel) -> Result<Checked, ChannelError> {
        runtime().block_on(formdesk_channel::check(store, &self.source(), channel))
    }
}

pub fn shipped() -> SetFiles {
    SetFiles::read_dir(&forms_dir()).expect("forms")
}

/// The shipped forms with the Hundeanmeldung's first-dog fee changed and its version raised.
pub fn with_new_fee() -> SetFiles {
    let mut files = shipped();
    let form = files.forms.iter_mut().find(|(id, _, _)| id == "hundeanmeldung").expect("hundeanmeldung");
    let text = String::from_utf8(form.2.clone()).expect("utf-8");
    let changed = text
        .replacen("\"version\": \"1.0.0\"", "\"version\": \"1.1.0\"", 1)
        .replace("anzahl_hunde_regulaer == 1 ? 96.00 :", "anzahl_hunde_regulaer == 1 ? 108.00 :")
        .replace("96,00", "108,00");
    assert_ne!(changed, text, "the fee text was found");
    form.1 = "1.1.0".into();
    form.2 = changed.into_bytes();
    files
}

/// The path of a served metadata file.
pub fn metadata(world: &World, name: &str) -> PathBuf {
    world.repo.metadata_dir().join(name)
}

/// Flips one byte in the middle of a file.
pub fn flip(path: &Path) {
    let mut bytes = std::fs::read(path).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(path, bytes).expect("write");
}

/// The newest version of a versioned role on the server (`snapshot`, `targets`, `forms`).
pub fn latest(world: &World, role: &str) -> u64 {
    std::fs::read_dir(world.repo.metadata_dir())
        .expect("metadata")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(&format!(".{role}.json"))?.parse::<u64>().ok()
        })
        .max()
        .expect("a version")
}

/// Changes a signed role's content the way an attacker would (a later expiry), keeping its signatures.
pub fn extend_expiry(path: &Path) {
    let mut value: serde_json::Value = serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
    let expires = value["signed"]["expires"].as_str().expect("expires").to_owned();
    let year: i32 = expires.get(..4).and_then(|y| y.parse().ok()).expect("year");
    value["signed"]["expires"] = format!("{}{}", year + 5, &expires[4..]).into();
    std::fs::write(path, serde_json::to_vec(&value).expect("json")).expect("write");
}

/// A tenant's repository in `tmp/channel/t<ARS>`, made with the operator's keys, and its form editor's key:
/// the editor hands over only the public key file.
pub fn tenant_repo(tmp: &Path, operator: &OfflineKeys, ars: &str) -> (Repo, formdesk_channel::SigningKey) {
    let scope = formdesk_channel::Scope::tenant(ars).expect("ARS");
    let editor = formdesk_channel::SigningKey::generate().expect("editor key");
    let public = tmp.join(format!("t{ars}.pub"));
    editor.write_public(&public, &scope.role()).expect("public key file");
    let key = formdesk_channel::keys::read_public(&public, &scope.role()).expect("read public key");
    let dir = tmp.join("channel").join(scope.folder().expect("folder"));
    let repo = Repo::init_tenant(&dir, &scope, &operator.root, &operator.targets, key, now()).expect("init");
    (repo, editor)
}

/// A served repository folder read the way a form editor's command reads the portal's URL (`None` for a file
/// that is not there).
pub fn served(dir: &Path) -> impl FnMut(&str) -> Result<Option<Vec<u8>>, ChannelError> + use<> {
    let dir = dir.to_owned();
    move |path: &str| match std::fs::read(dir.join(path)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ChannelError::Io(dir.join(path), e)),
    }
}
