//! The desk's installed form sets: content-addressed files, the manifests still needed, and which one is
//! current.
//!
//! ```text
//! <dir>/objects/<sha256>      every file of every kept set, named by its hash
//! <dir>/sets/<sha256>.json    the manifests kept: the current one and every one a draft is pinned to
//! <dir>/current               the hash of the current manifest
//! <dir>/tuf/root.json         the root this desk trusts (pinned at enrolment, followed through rotations)
//! <dir>/tuf/repository.json   whose repository that root is (a tenant's ARS); absent: the portal's single one
//! <dir>/tuf/datastore/        what tough remembers between checks (against replays)
//! ```
//!
//! An install writes the files, then the manifest, then `current`, each through a temporary file and a
//! rename: a kill at any moment leaves the old set or the new one, whole. Clean-up ([`FormStore::collect`])
//! runs after an install and deletes only what neither the current set nor a pinned one needs.

use crate::error::ChannelError;
use crate::layout::Scope;
use crate::manifest::{FileEntry, SHIPPED, SetFiles, SetManifest};
use crate::repo::{sync_dir, write_atomic, write_file};
use crate::sha256_hex;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The file naming the pinned root's repository, and its format's version.
const REPOSITORY_FILE: &str = "repository.json";
const REPOSITORY_FORMAT: u32 = 1;

/// The desk's form store.
#[derive(Debug, Clone)]
pub struct FormStore {
    dir: PathBuf,
}

/// An installed set: its manifest and the manifest's hash (what drafts are pinned to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The manifest.
    pub manifest: SetManifest,
    /// The SHA-256 of the manifest as installed.
    pub sha256: String,
}

/// What [`FormStore::collect`] deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collected {
    /// Manifests deleted.
    pub sets: usize,
    /// Files deleted.
    pub objects: usize,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ChannelError + '_ {
    move |e| ChannelError::Io(path.to_owned(), e)
}

fn is_hash(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl FormStore {
    /// Opens (or makes) the store in `dir` and removes what an interrupted write left behind.
    pub fn open(dir: &Path) -> Result<FormStore, ChannelError> {
        let store = FormStore { dir: dir.to_owned() };
        for sub in [store.objects(), store.sets(), store.tuf().join("datastore")] {
            crate::keys::create_private_dir(&sub)?;
        }
        for sub in [store.dir.clone(), store.objects(), store.sets(), store.tuf()] {
            for entry in std::fs::read_dir(&sub).map_err(io(&sub))?.flatten() {
                let name = entry.file_name();
                if name.to_string_lossy().ends_with(".tmp") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Ok(store)
    }

    /// The store's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn objects(&self) -> PathBuf {
        self.dir.join("objects")
    }

    fn sets(&self) -> PathBuf {
        self.dir.join("sets")
    }

    pub(crate) fn tuf(&self) -> PathBuf {
        self.dir.join("tuf")
    }

    pub(crate) fn datastore(&self) -> PathBuf {
        self.tuf().join("datastore")
    }

    /// The root this desk trusts, if it has one.
    pub fn trusted_root(&self) -> Option<Vec<u8>> {
        std::fs::read(self.tuf().join("root.json")).ok()
    }

    /// Trusts `root` from now on: at enrolment (the portal's root) or from the app (the shipped root), and
    /// after a verified rotation. The root must be signed by its own root keys.
    pub fn pin_root(&self, root: &[u8]) -> Result<(), ChannelError> {
        let parsed: tough::schema::Signed<tough::schema::Root> = serde_json::from_slice(root)
            .map_err(|e| ChannelError::Rejected(crate::Rejection::Malformed, format!("root: {e}")))?;
        parsed
            .signed
            .verify_role(&parsed)
            .map_err(|e| ChannelError::Rejected(crate::Rejection::Root, format!("root: {e}")))?;
        write_atomic(&self.tuf().join("root.json"), root)
    }

    /// Trusts `root` as the root of the repository `scope` (at enrolment): the desk reads that repository
    /// from now on. A repository other than the one pinned before starts with versions of its own, so what
    /// tough remembered of the old one is forgotten.
    pub fn pin_repository(&self, root: &[u8], scope: &Scope) -> Result<(), ChannelError> {
        let before = self.repository()?;
        self.pin_root(root)?;
        let path = self.tuf().join(REPOSITORY_FILE);
        match scope.ars() {
            Some(ars) => {
                let text = serde_json::json!({ "formatVersion": REPOSITORY_FORMAT, "ars": ars }).to_string();
                write_atomic(&path, text.as_bytes())?;
            }
            None => match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ChannelError::Io(path, e)),
            },
        }
        if before != *scope {
            let datastore = self.datastore();
            for entry in std::fs::read_dir(&datastore).map_err(io(&datastore))?.flatten() {
                std::fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
            }
        }
        Ok(())
    }

    /// Whose repository the pinned root is: a tenant's, or (also without a root) the portal's single one.
    pub fn repository(&self) -> Result<Scope, ChannelError> {
        let path = self.tuf().join(REPOSITORY_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Scope::Shared),
            Err(e) => return Err(ChannelError::Io(path, e)),
        };
        let bad = |why: String| ChannelError::Admin(format!("{}: {why}", path.display()));
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
        if value["formatVersion"] != REPOSITORY_FORMAT {
            return Err(bad(format!("formatVersion {} (this desk reads {REPOSITORY_FORMAT})", value["formatVersion"])));
        }
        let ars = value["ars"].as_str().ok_or_else(|| bad("no ars".into()))?;
        Scope::tenant(ars).map_err(bad)
    }

    /// Whether the store has this file.
    pub fn has_object(&self, sha256: &str) -> bool {
        is_hash(sha256) && self.objects().join(sha256).is_file()
    }

    /// Adds a file after checking its hash and length.
    pub fn add_object(&self, entry: &FileEntry, bytes: &[u8]) -> Result<(), ChannelError> {
        if !is_hash(&entry.sha256) || sha256_hex(bytes) != entry.sha256 || bytes.len() as u64 != entry.length {
            return Err(ChannelError::Rejected(crate::Rejection::Tampered, format!("{}: hash or length", entry.name)));
        }
        if self.has_object(&entry.sha256) {
            return Ok(());
        }
        // The file itself is synced; the folder once, by the install that names it.
        write_file(&self.objects().join(&entry.sha256), bytes)
    }

    /// A file's contents, checked against its hash.
    pub fn object(&self, entry: &FileEntry) -> Result<Vec<u8>, ChannelError> {
        if !is_hash(&entry.sha256) {
            return Err(ChannelError::Rejected(crate::Rejection::Malformed, format!("{}: hash", entry.name)));
        }
        let path = self.objects().join(&entry.sha256);
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        if sha256_hex(&bytes) != entry.sha256 {
            return Err(ChannelError::Io(path, std::io::Error::other("the file no longer matches its hash")));
        }
        Ok(bytes)
    }

    /// Installs a manifest whose files are all in the store and makes it current.
    pub fn install(&self, manifest_bytes: &[u8]) -> Result<Installed, ChannelError> {
        let manifest = SetManifest::from_json(manifest_bytes)
            .map_err(|e| ChannelError::Rejected(crate::Rejection::Malformed, e))?;
        for file in manifest.files() {
            if !self.has_object(&file.sha256) {
                return Err(ChannelError::Io(
                    self.objects().join(&file.sha256),
                    std::io::Error::other(format!("{} is missing", file.name)),
                ));
            }
        }
        sync_dir(&self.objects());
        let sha256 = sha256_hex(manifest_bytes);
        let set = self.sets().join(format!("{sha256}.json"));
        if !set.is_file() {
            write_atomic(&set, manifest_bytes)?;
        }
        write_atomic(&self.dir.join("current"), sha256.as_bytes())?;
        Ok(Installed { manifest, sha256 })
    }

    /// Installs the set shipped inside the app (`app`, version 0) when the store has no set yet, and
    /// returns the current set.
    pub fn install_shipped(&self, files: &SetFiles, published: &str) -> Result<Installed, ChannelError> {
        if let Some(current) = self.current()? {
            return Ok(current);
        }
        let manifest = files.manifest(SHIPPED, 0, published.to_owned());
        for (entry, bytes) in files.contents(&manifest) {
            self.add_object(entry, bytes)?;
        }
        self.install(&manifest.to_json())
    }

    /// The current set, if one was installed.
    pub fn current(&self) -> Result<Option<Installed>, ChannelError> {
        let path = self.dir.join("current");
        let sha = match std::fs::read_to_string(&path) {
            Ok(sha) => sha,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ChannelError::Io(path, e)),
        };
        self.set(sha.trim()).map(Some)
    }

    /// A kept set by its manifest's hash, with every file checked to be there.
    pub fn set(&self, sha256: &str) -> Result<Installed, ChannelError> {
        if !is_hash(sha256) {
            return Err(ChannelError::Io(self.sets(), std::io::Error::other(format!("'{sha256}' is not a hash"))));
        }
        let path = self.sets().join(format!("{sha256}.json"));
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        if sha256_hex(&bytes) != sha256 {
            return Err(ChannelError::Io(path, std::io::Error::other("the manifest no longer matches its hash")));
        }
        let manifest =
            SetManifest::from_json(&bytes).map_err(|e| ChannelError::Io(path.clone(), std::io::Error::other(e)))?;
        for file in manifest.files() {
            if !self.has_object(&file.sha256) {
                return Err(ChannelError::Io(
                    self.objects().join(&file.sha256),
                    std::io::Error::other(format!("{} of set {sha256} is missing", file.name)),
                ));
            }
        }
        Ok(Installed { manifest, sha256: sha256.to_owned() })
    }

    /// The hashes of every kept manifest.
    pub fn kept_sets(&self) -> Result<BTreeSet<String>, ChannelError> {
        let dir = self.sets();
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let name = entry.map_err(io(&dir))?.file_name().to_string_lossy().into_owned();
            if let Some(sha) = name.strip_suffix(".json").filter(|s| is_hash(s)) {
                out.insert(sha.to_owned());
            }
        }
        Ok(out)
    }

    /// Deletes every manifest that is neither current nor in `pinned`, and every file no kept manifest
    /// names. A pinned set that is not there is left alone (it may be another desk's draft restored).
    pub fn collect(&self, pinned: &BTreeSet<String>) -> Result<Collected, ChannelError> {
        let mut keep: BTreeSet<String> = pinned.clone();
        if let Some(current) = self.current()? {
            keep.insert(current.sha256);
        }
        let mut collected = Collected::default();
        let mut needed = BTreeSet::new();
        for sha in self.kept_sets()? {
            if keep.contains(&sha) {
                if let Ok(set) = self.set(&sha) {
                    needed.extend(set.manifest.files().map(|f| f.sha256.clone()));
                } else {
                    // A kept set with a file missing still keeps what it has.
                    let path = self.sets().join(format!("{sha}.json"));
                    if let Ok(m) = std::fs::read(&path).map(|b| SetManifest::from_json(&b)) {
                        needed.extend(m.iter().flat_map(|m| m.files().map(|f| f.sha256.clone())));
                    }
                }
                continue;
            }
            let path = self.sets().join(format!("{sha}.json"));
            std::fs::remove_file(&path).map_err(io(&path))?;
            collected.sets += 1;
        }
        let dir = self.objects();
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_hash(&name) && !needed.contains(&name) {
                std::fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
                collected.objects += 1;
            }
        }
        Ok(collected)
    }
}
