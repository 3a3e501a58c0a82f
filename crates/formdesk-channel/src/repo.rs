//! The repository the portal serves: made and changed by the administrators' commands with their offline
//! keys, kept fresh by the portal with its online key.
//!
//! Everything is written file by file with a rename, in the order a reading desk needs: target files first,
//! then the signed roles that name them, the timestamp last. A lock file keeps two writers (an
//! administrator's command and the portal's refresh) from interleaving.
//!
//! A repository is either the portal's single one from before tenants or a tenant's ([`Scope`]); which, its
//! top-level targets say (the delegated role's name), so [`Repo::open`] needs no more than the folder. A
//! tenant's repository is made by the operator with the root and targets keys and the tenant editor's public
//! key ([`Repo::init_tenant`]); its role `t<ARS>` is first signed by the editor's first publication.

use crate::error::ChannelError;
use crate::keys::{self, OfflineKeys, SigningKey};
use crate::layout::{self, Channel, Scope};
use crate::manifest::{FormState, SetFiles, SetManifest};
use crate::sign;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use tough::schema::decoded::{Decoded, Hex};
use tough::schema::{
    DelegatedRole, Delegations, Hashes, Metafile, PathPattern, PathSet, RoleKeys, RoleType, Root, Signed, Snapshot,
    Target, Targets, Timestamp,
};

const SPEC_VERSION: &str = "1.0.0";

/// The repository folder: `metadata/`, `targets/` (both served) and the online key (never served).
#[derive(Debug, Clone)]
pub struct Repo {
    dir: PathBuf,
    scope: Scope,
    /// A form editor's working copy for a bundle ([`crate::bundle`]): no online key, so nothing is signed
    /// online; the portal does that when it installs the bundle.
    staging: bool,
    /// In a working copy after the tenant's key was changed: what the role signed with the old key had,
    /// which the new role must go beyond (its version, the set version) and keep (withdrawn texts).
    floor: Option<Floor>,
}

/// What a role signed with a tenant's old key had ([`Repo::rotate_editor`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Floor {
    /// The old role's version.
    pub(crate) role_version: u64,
    /// The highest set version of its manifests.
    pub(crate) set_version: u64,
    /// Every form text withdrawn with `--now` in its manifests.
    pub(crate) withdrawn: std::collections::BTreeSet<String>,
}

/// A role whose key [`Repo::rotate`] replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// The root key (offline).
    Root,
    /// The top-level targets key (offline).
    Targets,
    /// The form editors' key (offline).
    Forms,
    /// The portal's online key (snapshot and timestamp).
    Online,
}

impl std::str::FromStr for KeyRole {
    type Err = String;
    fn from_str(s: &str) -> Result<KeyRole, String> {
        match s {
            "root" => Ok(KeyRole::Root),
            "targets" => Ok(KeyRole::Targets),
            "forms" => Ok(KeyRole::Forms),
            "online" => Ok(KeyRole::Online),
            other => Err(format!("'{other}' ist keine Rolle (root, targets, forms oder online)")),
        }
    }
}

/// What the repository holds now.
#[derive(Debug, Clone)]
pub struct Status {
    /// The root's version.
    pub root_version: u64,
    /// The manifest of each channel that has one.
    pub channels: Vec<SetManifest>,
    /// When the timestamp's signature ends.
    pub timestamp_expires: String,
    /// When the form editors' signature ends.
    pub forms_expires: String,
}

pub(crate) fn ts(at: DateTime<Utc>) -> jiff::Timestamp {
    jiff::Timestamp::from_second(at.timestamp()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn next(v: NonZeroU64) -> NonZeroU64 {
    v.checked_add(1).unwrap_or(v)
}

fn one() -> NonZeroU64 {
    NonZeroU64::MIN
}

fn role_keys(key: &SigningKey) -> Result<RoleKeys, ChannelError> {
    Ok(RoleKeys { keyids: vec![key.key_id()?], threshold: one(), _extra: HashMap::new() })
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ChannelError + '_ {
    move |e| ChannelError::Io(path.to_owned(), e)
}

/// Writes `bytes` to `path` through a temporary file and a rename, synced with its folder.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ChannelError> {
    write_file(path, bytes)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// Syncs a folder, so the renames in it are durable.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// As [`write_atomic`] without syncing the folder: for many files in one folder, synced once after them.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ChannelError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp =
        dir.join(format!(".{}.tmp", path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()));
    let mut file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    file.write_all(bytes).map_err(io(&tmp))?;
    file.sync_all().map_err(io(&tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io(path))
}

pub(crate) struct Lock(#[allow(dead_code)] std::fs::File);

impl Repo {
    /// Makes a new repository in `dir` (which must not hold one) with the offline keys and a new online key,
    /// and returns it. Root, targets and the empty form set are version 1.
    pub fn init(dir: &Path, keys: &OfflineKeys, now: DateTime<Utc>) -> Result<Repo, ChannelError> {
        let (repo, online, _lock) = Repo::begin(dir, Scope::Shared)?;
        let root = root_for(one(), &keys.root, &keys.targets, &online, now)?;
        repo.write_root(&sign::signed(root, &[&keys.root])?)?;
        let targets = top_targets(one(), &Scope::Shared, keys.forms.tuf_key(), now)?;
        repo.write_role("targets", &sign::signed(targets, &[&keys.targets])?)?;
        let forms = Targets::new(SPEC_VERSION.into(), one(), ts(now + Duration::days(layout::FORMS_DAYS)));
        repo.write_role(layout::FORMS_ROLE, &sign::signed(forms, &[&keys.forms])?)?;
        repo.sign_online(&online, now, true)?;
        Ok(repo)
    }

    /// Makes a tenant's repository in `dir` (which must not hold one): root and top-level targets signed with
    /// the operator's offline keys, the targets delegating `t<ARS>.*` (terminating) to the role `t<ARS>` with
    /// the tenant editor's public key `editor`, and a new online key. The role `t<ARS>` itself is signed by
    /// the editor's first publication; until then a desk finds nothing published.
    pub fn init_tenant(
        dir: &Path,
        scope: &Scope,
        root: &SigningKey,
        targets: &SigningKey,
        editor: tough::schema::key::Key,
        now: DateTime<Utc>,
    ) -> Result<Repo, ChannelError> {
        if *scope == Scope::Shared {
            return Err(ChannelError::Admin("Ein Formularkanal eines Mandanten braucht dessen ARS.".into()));
        }
        let (repo, online, _lock) = Repo::begin(dir, scope.clone())?;
        let signed_root = sign::signed(root_for(one(), root, targets, &online, now)?, &[root])?;
        repo.write_root(&signed_root)?;
        let top = top_targets(one(), scope, editor, now)?;
        repo.write_role("targets", &sign::signed(top, &[targets])?)?;
        repo.sign_online(&online, now, true)?;
        Ok(repo)
    }

    /// The folders and the online key of a new repository, locked.
    fn begin(dir: &Path, scope: Scope) -> Result<(Repo, SigningKey, Lock), ChannelError> {
        let repo = Repo { dir: dir.to_owned(), scope, staging: false, floor: None };
        if repo.metadata("1.root.json").exists() {
            return Err(ChannelError::Admin(format!("{} enthält schon einen Formularkanal.", dir.display())));
        }
        keys::create_private_dir(dir)?;
        std::fs::create_dir_all(repo.metadata_dir()).map_err(io(dir))?;
        std::fs::create_dir_all(repo.targets_dir()).map_err(io(dir))?;
        let online = SigningKey::generate()?;
        online.write(&repo.online_key_path(), "online")?;
        let lock = repo.lock()?;
        Ok((repo, online, lock))
    }

    /// The repository in `dir`; whose it is, its top-level targets say.
    pub fn open(dir: &Path) -> Result<Repo, ChannelError> {
        let mut repo = Repo { dir: dir.to_owned(), scope: Scope::Shared, staging: false, floor: None };
        if !repo.metadata("root.json").is_file() {
            return Err(ChannelError::Admin(format!(
                "{} enthält keinen Formularkanal; zuerst `formdesk-portal keys init`.",
                dir.display()
            )));
        }
        let targets: Signed<Targets> = repo.read("targets.json")?;
        let delegated = targets.signed.delegations.as_ref().and_then(|d| d.roles.first()).map(|r| r.name.clone());
        repo.scope = match delegated {
            Some(name) if name == layout::FORMS_ROLE => Scope::Shared,
            Some(name) => Scope::from_folder(&name).ok_or_else(|| {
                ChannelError::Admin(format!("{}: unbekannte Rolle '{name}' in targets.json", dir.display()))
            })?,
            None => return Err(ChannelError::Admin(format!("{}: targets.json delegiert keine Rolle", dir.display()))),
        };
        Ok(repo)
    }

    /// A form editor's working copy in `dir` ([`crate::bundle::Staging`]): changed like the portal's
    /// repository, never signed online.
    pub(crate) fn open_staging(dir: &Path) -> Result<Repo, ChannelError> {
        Ok(Repo { staging: true, ..Repo::open(dir)? })
    }

    /// A working copy whose role was signed with the tenant's old key: it starts anew above `floor`.
    pub(crate) fn open_staging_rekeyed(dir: &Path, floor: Floor) -> Result<Repo, ChannelError> {
        Ok(Repo { staging: true, floor: Some(floor), ..Repo::open(dir)? })
    }

    /// Whether this is a form editor's working copy.
    pub(crate) fn staging(&self) -> bool {
        self.staging
    }

    /// Whose repository this is.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The delegated role that signs the form sets here (`forms` or `t<ARS>`).
    pub(crate) fn role(&self) -> String {
        self.scope.role()
    }

    /// The delegated role's signed metadata, `None` before its first publication.
    pub(crate) fn role_metadata(&self) -> Result<Option<Signed<Targets>>, ChannelError> {
        let name = format!("{}.json", self.role());
        if !self.metadata(&name).is_file() {
            return Ok(None);
        }
        self.read(&name).map(Some)
    }

    /// Whether `role`'s metadata is signed as the top-level targets' delegation named `name` requires.
    pub(crate) fn delegation_verifies(&self, role: &Signed<Targets>, name: &str) -> Result<bool, ChannelError> {
        let top: Signed<Targets> = self.read("targets.json")?;
        Ok(top.signed.delegations.as_ref().is_some_and(|d| d.verify_role(role, name).is_ok()))
    }

    /// Refuses `key` unless the top-level targets delegate the form sets to it: what another key signed, no
    /// desk would take.
    pub fn check_signing_key(&self, key: &SigningKey) -> Result<(), ChannelError> {
        let targets: Signed<Targets> = self.read("targets.json")?;
        let id = key.key_id()?;
        let role = self.role();
        let delegated = targets
            .signed
            .delegations
            .as_ref()
            .and_then(|d| d.roles.iter().find(|r| r.name == role))
            .is_some_and(|r| r.keyids.contains(&id));
        if delegated {
            Ok(())
        } else {
            Err(ChannelError::Admin(format!(
                "Der Schlüssel ist nicht der Schlüssel der Rolle '{role}' des Formularkanals in {}.",
                self.dir.display()
            )))
        }
    }

    /// The repository folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The served metadata folder.
    pub fn metadata_dir(&self) -> PathBuf {
        self.dir.join(layout::METADATA_DIR)
    }

    /// The served target files' folder.
    pub fn targets_dir(&self) -> PathBuf {
        self.dir.join(layout::TARGETS_DIR)
    }

    pub(crate) fn metadata(&self, name: &str) -> PathBuf {
        self.metadata_dir().join(name)
    }

    fn online_key_path(&self) -> PathBuf {
        self.dir.join(keys::ONLINE_KEY)
    }

    /// The portal's online key.
    pub fn online_key(&self) -> Result<SigningKey, ChannelError> {
        SigningKey::read(&self.online_key_path(), "online")
    }

    pub(crate) fn lock(&self) -> Result<Lock, ChannelError> {
        let path = self.dir.join(".lock");
        let file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io(&path))?;
        file.lock().map_err(io(&path))?;
        Ok(Lock(file))
    }

    pub(crate) fn read<T: DeserializeOwned>(&self, name: &str) -> Result<T, ChannelError> {
        let path = self.metadata(name);
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        serde_json::from_slice(&bytes).map_err(|e| ChannelError::Admin(format!("{}: {e}", path.display())))
    }

    /// The newest root, as a desk pins it.
    pub fn root_bytes(&self) -> Result<Vec<u8>, ChannelError> {
        let path = self.metadata("root.json");
        std::fs::read(&path).map_err(io(&path))
    }

    fn root(&self) -> Result<Signed<Root>, ChannelError> {
        self.read("root.json")
    }

    fn write_root(&self, root: &Signed<Root>) -> Result<(), ChannelError> {
        let bytes = sign::to_bytes(root)?;
        write_atomic(&self.metadata(&format!("{}.root.json", root.signed.version)), &bytes)?;
        write_atomic(&self.metadata("root.json"), &bytes)
    }

    pub(crate) fn write_role<T>(&self, name: &str, role: &Signed<T>) -> Result<u64, ChannelError>
    where
        T: Serialize + tough::schema::Role,
    {
        let bytes = sign::to_bytes(role)?;
        let version = role.signed.version().get();
        write_atomic(&self.metadata(&format!("{version}.{name}.json")), &bytes)?;
        write_atomic(&self.metadata(&format!("{name}.json")), &bytes)?;
        Ok(version)
    }

    /// Signs a new snapshot (if `snapshot`, or if the current one passed half its life) and a new timestamp
    /// with the online key. Call it with the repository locked.
    pub(crate) fn sign_online(
        &self,
        online: &SigningKey,
        now: DateTime<Utc>,
        snapshot: bool,
    ) -> Result<(), ChannelError> {
        // The snapshot's bytes as served: the timestamp names their hash, so they are never re-serialized.
        let served = std::fs::read(self.metadata("snapshot.json")).ok();
        let previous = served.as_ref().and_then(|b| serde_json::from_slice::<Signed<Snapshot>>(b).ok());
        let snapshot_bytes = match (served, previous) {
            (Some(bytes), Some(old)) if !snapshot && !half_gone(&old.signed.expires, layout::SNAPSHOT_HOURS, now) => {
                bytes
            }
            (_, old) => {
                let version = old.map_or(one(), |o| next(o.signed.version));
                let mut new =
                    Snapshot::new(SPEC_VERSION.into(), version, ts(now + Duration::hours(layout::SNAPSHOT_HOURS)));
                let targets: Signed<Targets> = self.read("targets.json")?;
                new.meta.insert("targets.json".into(), metafile(targets.signed.version, None));
                // A tenant's role is listed from its first publication on.
                if let Some(role) = self.role_metadata()? {
                    new.meta.insert(format!("{}.json", self.role()), metafile(role.signed.version, None));
                }
                if let Some(catalogue) = self.catalogue_role()? {
                    let name = format!("{}.json", layout::CATALOGUE_ROLE);
                    new.meta.insert(name, metafile(catalogue.signed.version, None));
                }
                let signed = sign::signed(new, &[online])?;
                let bytes = sign::to_bytes(&signed)?;
                write_atomic(&self.metadata(&format!("{version}.snapshot.json")), &bytes)?;
                write_atomic(&self.metadata("snapshot.json"), &bytes)?;
                bytes
            }
        };
        let snapshot: Signed<Snapshot> =
            serde_json::from_slice(&snapshot_bytes).map_err(|e| ChannelError::Admin(e.to_string()))?;
        let version = self.read::<Signed<Timestamp>>("timestamp.json").map_or(one(), |t| next(t.signed.version));
        let mut timestamp =
            Timestamp::new(SPEC_VERSION.into(), version, ts(now + Duration::hours(layout::TIMESTAMP_HOURS)));
        timestamp.meta.insert("snapshot.json".into(), metafile(snapshot.signed.version, Some(&snapshot_bytes)));
        let signed = sign::signed(timestamp, &[online])?;
        write_atomic(&self.metadata("timestamp.json"), &sign::to_bytes(&signed)?)
    }

    /// Renews the timestamp (and the snapshot) once half of its life has gone; the portal calls this
    /// regularly. Returns whether anything was signed.
    pub fn refresh(&self, online: &SigningKey, now: DateTime<Utc>) -> Result<bool, ChannelError> {
        let _lock = self.lock()?;
        let timestamp: Signed<Timestamp> = self.read("timestamp.json")?;
        if !half_gone(&timestamp.signed.expires, layout::TIMESTAMP_HOURS, now) {
            return Ok(false);
        }
        self.sign_online(online, now, false)?;
        Ok(true)
    }

    /// The manifest a channel has now.
    pub fn manifest(&self, channel: Channel) -> Result<Option<SetManifest>, ChannelError> {
        let Some(forms) = self.role_metadata()? else { return Ok(None) };
        let name = self.scope.manifest_name(channel);
        let Some((_, target)) = forms.signed.targets.iter().find(|(n, _)| n.raw() == name) else {
            return Ok(None);
        };
        let path = self.target_path(&name, &hex_of(&target.hashes.sha256));
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        SetManifest::from_json(&bytes).map(Some).map_err(|e| ChannelError::Admin(format!("{}: {e}", path.display())))
    }

    /// The manifest a channel had when its SHA-256 was `sha256` (a desk reports the one it runs), if the
    /// repository still has it.
    pub fn manifest_by_sha(&self, channel: Channel, sha256: &str) -> Option<SetManifest> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let bytes = std::fs::read(self.target_path(&self.scope.manifest_name(channel), sha256)).ok()?;
        SetManifest::from_json(&bytes).ok()
    }

    /// The bytes of a file a manifest of this repository names.
    pub fn file(&self, entry: &crate::manifest::FileEntry) -> Result<Vec<u8>, ChannelError> {
        let path = self.target_path(&entry.target, &entry.sha256);
        std::fs::read(&path).map_err(io(&path))
    }

    pub(crate) fn target_path(&self, name: &str, sha256: &str) -> PathBuf {
        self.targets_dir().join(format!("{sha256}.{name}"))
    }

    /// Every form text withdrawn with `--now` so far, by either channel.
    fn withdrawn_so_far(&self) -> Result<std::collections::BTreeSet<String>, ChannelError> {
        let mut out = self.floor.as_ref().map(|f| f.withdrawn.clone()).unwrap_or_default();
        for channel in [Channel::Pilot, Channel::All] {
            if let Some(m) = self.manifest(channel)? {
                out.extend(m.withdrawn_texts());
            }
        }
        Ok(out)
    }

    fn next_set_version(&self) -> Result<u64, ChannelError> {
        let mut highest = self.floor.as_ref().map_or(0, |f| f.set_version);
        for channel in [Channel::Pilot, Channel::All] {
            if let Some(m) = self.manifest(channel)? {
                highest = highest.max(m.set_version);
            }
        }
        Ok(highest + 1)
    }

    /// Signs and publishes the forms folder's files to `channel`; returns the new manifest. Every form starts
    /// open; what the channel had before and the folder no longer has is no longer offered.
    pub fn publish(
        &self,
        forms_key: &SigningKey,
        files: &SetFiles,
        channel: Channel,
        now: DateTime<Utc>,
    ) -> Result<SetManifest, ChannelError> {
        self.publish_taking(forms_key, files, &[], channel, now)
    }

    /// As [`Repo::publish`], with the forms `take` taken over from the shared catalogue as it is now (and the
    /// catalogue's code lists the folder has no list of the same name for). A form both in the folder and
    /// taken, or not in the catalogue, is refused.
    pub fn publish_taking(
        &self,
        forms_key: &SigningKey,
        files: &SetFiles,
        take: &[String],
        channel: Channel,
        now: DateTime<Utc>,
    ) -> Result<SetManifest, ChannelError> {
        let _lock = self.lock()?;
        self.check_signing_key(forms_key)?;
        let mut manifest = files.manifest(&channel.to_string(), self.next_set_version()?, rfc3339(now));
        manifest.channel = channel.to_string();
        let prefix = self.scope.name_prefix();
        for file in manifest.files_mut() {
            file.target = format!("{prefix}{}", file.target);
        }
        // The folder's own files, paired while the manifest lists them in the folder's order.
        let own: Vec<(crate::manifest::FileEntry, Vec<u8>)> =
            files.contents(&manifest).into_iter().map(|(e, b)| (e.clone(), b.to_vec())).collect();
        if !take.is_empty() {
            let catalogue = self.catalogue()?.ok_or_else(|| {
                ChannelError::Admin(
                    "Der gemeinsame Katalog ist in diesem Formularkanal noch nicht veröffentlicht.".into(),
                )
            })?;
            for id in take {
                if manifest.form(id).is_some() {
                    return Err(ChannelError::Admin(format!(
                        "Das Formular '{id}' ist im Ordner und soll aus dem Katalog kommen; bitte nur eins von beiden."
                    )));
                }
                let entry = catalogue
                    .form(id)
                    .ok_or_else(|| ChannelError::Admin(format!("Der gemeinsame Katalog hat kein Formular '{id}'.")))?;
                manifest.forms.push(entry.clone());
            }
            for list in &catalogue.code_lists {
                if !manifest.code_lists.iter().any(|own| own.name == list.name) {
                    manifest.code_lists.push(list.clone());
                }
            }
            manifest.forms.sort_by(|a, b| a.id.cmp(&b.id));
        }
        manifest.withdrawn = self.withdrawn_so_far()?.into_iter().collect();
        for (entry, bytes) in own {
            let path = self.target_path(&entry.target, &entry.sha256);
            if !path.exists() {
                write_atomic(&path, &bytes)?;
            }
        }
        self.replace_manifest(forms_key, channel, &manifest, now)?;
        Ok(manifest)
    }

    /// Gives every desk what the pilot desks have; returns the new manifest of `all`.
    pub fn promote(&self, forms_key: &SigningKey, now: DateTime<Utc>) -> Result<SetManifest, ChannelError> {
        let _lock = self.lock()?;
        self.check_signing_key(forms_key)?;
        let Some(mut manifest) = self.manifest(Channel::Pilot)? else {
            return Err(ChannelError::Admin("Im Kanal pilot ist nichts veröffentlicht.".into()));
        };
        manifest.channel = Channel::All.to_string();
        manifest.set_version = self.next_set_version()?;
        manifest.withdrawn = self.withdrawn_so_far()?.into_iter().collect();
        manifest.published = rfc3339(now);
        self.replace_manifest(forms_key, Channel::All, &manifest, now)?;
        Ok(manifest)
    }

    /// Withdraws a form in every channel that has it: closing (no new cases) or, with `now_too`, withdrawn
    /// (no finalizing either). Returns the channels changed.
    pub fn withdraw(
        &self,
        forms_key: &SigningKey,
        id: &str,
        immediately: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<Channel>, ChannelError> {
        let _lock = self.lock()?;
        self.check_signing_key(forms_key)?;
        let mut changed = Vec::new();
        let version = self.next_set_version()?;
        for channel in [Channel::Pilot, Channel::All] {
            let Some(mut manifest) = self.manifest(channel)? else { continue };
            let Some(form) = manifest.forms.iter_mut().find(|f| f.id == id) else { continue };
            form.state = if immediately { FormState::Withdrawn } else { FormState::Closing };
            if immediately && !manifest.withdrawn.contains(&form.file.sha256) {
                manifest.withdrawn.push(form.file.sha256.clone());
                manifest.withdrawn.sort();
            }
            manifest.set_version = version;
            manifest.published = rfc3339(now);
            self.replace_manifest(forms_key, channel, &manifest, now)?;
            changed.push(channel);
        }
        if changed.is_empty() {
            return Err(ChannelError::Admin(format!("Das Formular '{id}' ist in keinem Kanal veröffentlicht.")));
        }
        Ok(changed)
    }

    /// Writes a channel's manifest and re-signs the form editors' role over both channels' files, then the
    /// snapshot and timestamp. Call it with the repository locked.
    fn replace_manifest(
        &self,
        forms_key: &SigningKey,
        channel: Channel,
        manifest: &SetManifest,
        now: DateTime<Utc>,
    ) -> Result<(), ChannelError> {
        let bytes = manifest.to_json();
        let sha = crate::sha256_hex(&bytes);
        write_atomic(&self.target_path(&self.scope.manifest_name(channel), &sha), &bytes)?;
        let mut version = self.role_metadata()?.map_or(one(), |old| next(old.signed.version));
        if let Some(floor) = &self.floor {
            version = version.max(NonZeroU64::new(floor.role_version + 1).unwrap_or(version));
        }
        let mut forms = Targets::new(SPEC_VERSION.into(), version, ts(now + Duration::days(layout::FORMS_DAYS)));
        let mut manifests = vec![(self.scope.manifest_name(channel), bytes.clone(), manifest.clone())];
        let other = if channel == Channel::Pilot { Channel::All } else { Channel::Pilot };
        if let Some(m) = self.manifest(other)? {
            manifests.push((self.scope.manifest_name(other), m.to_json(), m));
        }
        for (name, bytes, manifest) in &manifests {
            forms.add_target(target_name(name)?, target(&crate::sha256_hex(bytes), bytes.len() as u64)?);
            // The catalogue's files are signed by the catalogue's role, never by the tenant's.
            for file in manifest.files().filter(|f| !f.target.starts_with(layout::CATALOGUE_PREFIX)) {
                forms.add_target(target_name(&file.target)?, target(&file.sha256, file.length)?);
            }
        }
        self.write_role(&self.role(), &sign::signed(forms, &[forms_key])?)?;
        if self.staging {
            return Ok(());
        }
        let online = self.online_key()?;
        self.sign_online(&online, now, true)
    }

    /// Replaces the key of `role`. The new root is signed by the old and the new root keys, so a desk that
    /// pinned the old root follows; the new key file is written to `keys_dir` (the old one kept as
    /// `<name>.retired-<root version>`), or for the online key to the repository folder. Returns the new
    /// root's version.
    pub fn rotate(&self, keys_dir: &Path, role: KeyRole, now: DateTime<Utc>) -> Result<u64, ChannelError> {
        if self.scope != Scope::Shared {
            return Err(ChannelError::Admin(format!(
                "Schlüssel des Formularkanals eines Mandanten ({}) können noch nicht gewechselt werden.",
                self.dir.display()
            )));
        }
        let _lock = self.lock()?;
        let mut keys = OfflineKeys::read(keys_dir)?;
        let mut online = self.online_key()?;
        let old_root = self.root()?;
        let version = next(old_root.signed.version);
        let (name, dir) = match role {
            KeyRole::Root => (keys::ROOT_KEY, keys_dir.to_owned()),
            KeyRole::Targets => (keys::TARGETS_KEY, keys_dir.to_owned()),
            KeyRole::Forms => (keys::FORMS_KEY, keys_dir.to_owned()),
            KeyRole::Online => (keys::ONLINE_KEY, self.dir.clone()),
        };
        let slot = match role {
            KeyRole::Root => &mut keys.root,
            KeyRole::Targets => &mut keys.targets,
            KeyRole::Forms => &mut keys.forms,
            KeyRole::Online => &mut online,
        };
        let retired = std::mem::replace(slot, SigningKey::generate()?);
        let root = root_for(version, &keys.root, &keys.targets, &online, now)?;
        let signers: Vec<&SigningKey> =
            if role == KeyRole::Root { vec![&retired, &keys.root] } else { vec![&keys.root] };
        let signed_root = sign::signed(root, &signers)?;
        // The new key file first: if anything after fails, the administrators still hold every key in use.
        let fresh = dir.join(format!("{name}.new"));
        let _ = std::fs::remove_file(&fresh);
        let new_key = match role {
            KeyRole::Root => &keys.root,
            KeyRole::Targets => &keys.targets,
            KeyRole::Forms => &keys.forms,
            KeyRole::Online => &online,
        };
        new_key.write(&fresh, role.name())?;
        std::fs::rename(dir.join(name), keys::retired(&dir, name, version.get())).map_err(io(&dir))?;
        std::fs::rename(&fresh, dir.join(name)).map_err(io(&dir))?;
        self.write_root(&signed_root)?;
        if matches!(role, KeyRole::Targets | KeyRole::Forms) {
            let old: Signed<Targets> = self.read("targets.json")?;
            let targets = top_targets(next(old.signed.version), &Scope::Shared, keys.forms.tuf_key(), now)?;
            self.write_role("targets", &sign::signed(targets, &[&keys.targets])?)?;
        }
        if role == KeyRole::Forms {
            let old: Signed<Targets> = self.read(&format!("{}.json", layout::FORMS_ROLE))?;
            let mut forms = old.signed;
            forms.version = next(forms.version);
            forms.expires = ts(now + Duration::days(layout::FORMS_DAYS));
            self.write_role(layout::FORMS_ROLE, &sign::signed(forms, &[&keys.forms])?)?;
        }
        self.sign_online(&online, now, true)?;
        Ok(version.get())
    }

    /// Changes the key of a tenant's form editor (a key lost or leaving with a person): the top-level
    /// targets delegate `t<ARS>.*` to `editor` from now on, signed with the operator's `targets_key`. Desks
    /// refuse what the old key signed from their next check on and keep their installed set until the editor
    /// publishes with the new key (a bundle made with it starts the channel anew above the old role).
    /// Returns the top-level targets' new version.
    pub fn rotate_editor(
        &self,
        targets_key: &SigningKey,
        editor: tough::schema::key::Key,
        now: DateTime<Utc>,
    ) -> Result<u64, ChannelError> {
        if self.scope == Scope::Shared {
            return Err(ChannelError::Admin("Der einzelne Formularkanal hat keinen Schlüssel eines Mandanten.".into()));
        }
        let _lock = self.lock()?;
        let old: Signed<Targets> = self.read("targets.json")?;
        let mut top = old.signed.clone();
        top.version = next(top.version);
        top.expires = ts(now + Duration::days(layout::TARGETS_DAYS));
        let id = editor.key_id().map_err(|e| ChannelError::Admin(format!("key id: {e}")))?;
        let role = self.role();
        let delegations =
            top.delegations.as_mut().ok_or_else(|| ChannelError::Admin("targets.json delegiert keine Rolle".into()))?;
        let mut retired = Vec::new();
        for r in delegations.roles.iter_mut().filter(|r| r.name == role) {
            if r.keyids.contains(&id) {
                return Err(ChannelError::Admin(format!("Die Rolle '{role}' hat diesen Schlüssel schon.")));
            }
            retired.extend(std::mem::replace(&mut r.keyids, vec![id.clone()]));
        }
        delegations.keys.insert(id, editor);
        // A key no role names any more leaves the metadata.
        for old_id in retired {
            if !delegations.roles.iter().any(|r| r.keyids.contains(&old_id)) {
                delegations.keys.remove(&old_id);
            }
        }
        let signed = sign::signed(top, &[targets_key])?;
        let version = self.write_role("targets", &signed)?;
        let online = self.online_key()?;
        self.sign_online(&online, now, true)?;
        Ok(version)
    }

    /// When each signature of this repository ends, Unix seconds, soonest first: `root`, `targets`, the
    /// tenant's role (`forms` or `t<ARS>`), the shared catalogue's (`catalog`), `snapshot` and `timestamp`.
    /// A role not published yet is left out.
    pub fn expiries(&self) -> Result<Vec<(String, i64)>, ChannelError> {
        let mut out = vec![
            ("root".to_owned(), self.root()?.signed.expires.as_second()),
            ("targets".to_owned(), self.read::<Signed<Targets>>("targets.json")?.signed.expires.as_second()),
        ];
        if let Some(role) = self.role_metadata()? {
            out.push((self.role(), role.signed.expires.as_second()));
        }
        if let Some(role) = self.catalogue_role()? {
            out.push((layout::CATALOGUE_ROLE.to_owned(), role.signed.expires.as_second()));
        }
        out.push(("snapshot".to_owned(), self.read::<Signed<Snapshot>>("snapshot.json")?.signed.expires.as_second()));
        out.push((
            "timestamp".to_owned(),
            self.read::<Signed<Timestamp>>("timestamp.json")?.signed.expires.as_second(),
        ));
        out.sort_by_key(|(_, at)| *at);
        Ok(out)
    }

    /// The version of the role that signs the form sets here, `None` before its first publication.
    pub fn role_version(&self) -> Option<u64> {
        self.role_metadata().ok().flatten().map(|r| r.signed.version.get())
    }

    /// What the repository holds now.
    pub fn status(&self) -> Result<Status, ChannelError> {
        let root = self.root()?;
        let timestamp: Signed<Timestamp> = self.read("timestamp.json")?;
        let forms = self.role_metadata()?;
        let mut channels = Vec::new();
        for channel in [Channel::Pilot, Channel::All] {
            channels.extend(self.manifest(channel)?);
        }
        Ok(Status {
            root_version: root.signed.version.get(),
            channels,
            timestamp_expires: timestamp.signed.expires.to_string(),
            forms_expires: forms.map(|f| f.signed.expires.to_string()).unwrap_or_default(),
        })
    }
}

impl KeyRole {
    /// The role's name, as key files and the command line write it.
    pub fn name(self) -> &'static str {
        match self {
            KeyRole::Root => "root",
            KeyRole::Targets => "targets",
            KeyRole::Forms => "forms",
            KeyRole::Online => "online",
        }
    }
}

impl std::fmt::Display for KeyRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// RFC 3339 in UTC, seconds.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn half_gone(expires: &jiff::Timestamp, hours: i64, now: DateTime<Utc>) -> bool {
    expires.as_second() - now.timestamp() < hours * 3600 / 2
}

pub(crate) fn hex_of(d: &Decoded<Hex>) -> String {
    keys::hex(d)
}

pub(crate) fn target_name(name: &str) -> Result<tough::TargetName, ChannelError> {
    tough::TargetName::new(name).map_err(|e| ChannelError::Admin(format!("target name {name}: {e}")))
}

pub(crate) fn target(sha256: &str, length: u64) -> Result<Target, ChannelError> {
    let bytes = keys::unhex(sha256).ok_or_else(|| ChannelError::Admin(format!("'{sha256}' is not a SHA-256")))?;
    Ok(Target {
        length,
        hashes: Hashes { sha256: bytes.into(), _extra: HashMap::new() },
        custom: HashMap::new(),
        _extra: HashMap::new(),
    })
}

fn metafile(version: NonZeroU64, bytes: Option<&[u8]>) -> Metafile {
    Metafile {
        length: bytes.map(|b| b.len() as u64),
        hashes: bytes.map(|b| Hashes {
            sha256: ring::digest::digest(&ring::digest::SHA256, b).as_ref().to_vec().into(),
            _extra: HashMap::new(),
        }),
        version,
        _extra: HashMap::new(),
    }
}

fn root_for(
    version: NonZeroU64,
    root: &SigningKey,
    targets: &SigningKey,
    online: &SigningKey,
    now: DateTime<Utc>,
) -> Result<Root, ChannelError> {
    let mut keys = HashMap::new();
    for key in [root, targets, online] {
        keys.insert(key.key_id()?, key.tuf_key());
    }
    let mut roles = HashMap::new();
    roles.insert(RoleType::Root, role_keys(root)?);
    roles.insert(RoleType::Targets, role_keys(targets)?);
    roles.insert(RoleType::Snapshot, role_keys(online)?);
    roles.insert(RoleType::Timestamp, role_keys(online)?);
    Ok(Root {
        spec_version: SPEC_VERSION.into(),
        consistent_snapshot: true,
        version,
        expires: ts(now + Duration::days(layout::ROOT_DAYS)),
        keys,
        roles,
        _extra: HashMap::new(),
    })
}

/// The top-level targets: the scope's names (`*` or `t<ARS>.*`), terminating, delegated to its role with
/// the key `forms`.
fn top_targets(
    version: NonZeroU64,
    scope: &Scope,
    forms: tough::schema::key::Key,
    now: DateTime<Utc>,
) -> Result<Targets, ChannelError> {
    let mut targets = Targets::new(SPEC_VERSION.into(), version, ts(now + Duration::days(layout::TARGETS_DAYS)));
    let mut delegations = Delegations::new();
    let id = forms.key_id().map_err(|e| ChannelError::Admin(format!("key id: {e}")))?;
    delegations.keys.insert(id.clone(), forms);
    let pattern = PathPattern::new(scope.paths()).map_err(|e| ChannelError::Admin(format!("path pattern: {e}")))?;
    delegations.roles.push(DelegatedRole {
        name: scope.role(),
        keyids: vec![id],
        threshold: one(),
        paths: PathSet::Paths(vec![pattern]),
        terminating: true,
        targets: None,
    });
    targets.delegations = Some(delegations);
    Ok(targets)
}
