//! A tenant's form editor signs on their own machine; the portal installs what they signed.
//!
//! The editor's key never reaches the portal (docs/tenants.md, section 3). Publishing, promoting and
//! withdrawing therefore run against a working copy of the tenant's published repository ([`Staging`]),
//! read from the portal's public channel URL: its top-level targets, the tenant's role and the two channel
//! manifests. The editor's command changes the copy exactly as it would change the portal's repository, and
//! what changed (the newly signed role and the new target files) becomes a [`Bundle`], one JSON file. The
//! editor uploads it in the console; [`Repo::install_bundle`] checks it against the repository (signed by the
//! key the delegation names, the role's version one up, only the tenant's own names, every file present with
//! its hash, the manifests readable and the forms checked by the caller) before it writes anything, then signs
//! snapshot and timestamp online. A bundle that fails a check changes nothing.
//!
//! Format: `{"format": "formdesk-forms-bundle", "formatVersion": 1, …}` with the role metadata and the files
//! base64-encoded as they were signed. Form sets are small (definitions, code lists, a logo), so one JSON
//! document is simpler for everyone than an archive format.

use crate::error::ChannelError;
use crate::keys::SigningKey;
use crate::layout::{self, Channel, Scope};
use crate::manifest::{FileEntry, SetManifest};
use crate::repo::{Repo, rfc3339, write_atomic, write_file};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tough::schema::{Signed, Targets};

/// The `format` of a bundle file.
pub const BUNDLE_FORMAT: &str = "formdesk-forms-bundle";
/// The version of the bundle format this code writes and reads.
pub const BUNDLE_FORMAT_VERSION: u32 = 1;
/// The file name ending the console asks for.
pub const BUNDLE_EXTENSION: &str = "fdb";

/// A form editor's signed change to a tenant's repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// [`BUNDLE_FORMAT_VERSION`].
    pub format_version: u32,
    /// The delegated role that signed it (`t<ARS>`).
    pub role: String,
    /// What the editor did, for people ("publish pilot", "promote", "withdraw hundeanmeldung"); not trusted.
    pub action: String,
    /// When it was made (RFC 3339, UTC).
    pub created: String,
    /// The role's new signed metadata, base64 of the bytes as signed.
    pub metadata: String,
    /// The target files the repository does not have yet.
    pub files: Vec<BundleFile>,
    /// The import reports of imported forms in the set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<BundleReport>,
}

/// One target file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BundleFile {
    /// Its TUF target name.
    pub target: String,
    /// Its bytes, base64.
    pub data: String,
}

/// The import report of one form version (`import-report.json` of its folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BundleReport {
    /// The form's id.
    pub form: String,
    /// The form's version.
    pub version: String,
    /// The report as the import wrote it.
    pub report: serde_json::Value,
}

impl Bundle {
    /// The bundle as written to its file.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a bundle file, with a German message for a file that is none.
    pub fn from_json(bytes: &[u8]) -> Result<Bundle, ChannelError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Head {
            format: Option<String>,
            format_version: Option<u32>,
        }
        let not_one =
            || ChannelError::Admin("Die Datei ist kein Formularpaket (erstellt mit `forms publish … --out`).".into());
        let head: Head = serde_json::from_slice(bytes).map_err(|_| not_one())?;
        if head.format.as_deref() != Some(BUNDLE_FORMAT) {
            return Err(not_one());
        }
        if head.format_version != Some(BUNDLE_FORMAT_VERSION) {
            return Err(ChannelError::Admin(format!(
                "Das Formularpaket hat das Format {}; dieses Portal liest Format {BUNDLE_FORMAT_VERSION}.",
                head.format_version.map_or_else(|| "?".to_owned(), |v| v.to_string())
            )));
        }
        serde_json::from_slice(bytes)
            .map_err(|e| ChannelError::Admin(format!("Das Formularpaket ist unvollständig: {e}")))
    }
}

/// What a checked bundle would install; handed to the caller's own check before anything is written.
#[derive(Debug)]
pub struct Accepted<'a> {
    repo: &'a Repo,
    files: BTreeMap<String, Vec<u8>>,
    /// The manifests the bundle changes, by channel.
    pub changed: Vec<(Channel, SetManifest)>,
}

impl Accepted<'_> {
    /// The bytes of a file a manifest names: from the bundle, or the one the repository has.
    pub fn file(&self, entry: &FileEntry) -> Result<Vec<u8>, ChannelError> {
        if let Some(bytes) = self.files.get(&entry.target) {
            return Ok(bytes.clone());
        }
        let path = self.repo.target_path(&entry.target, &entry.sha256);
        std::fs::read(&path).map_err(ChannelError::io(&path))
    }
}

/// What [`Repo::install_bundle`] installed.
#[derive(Debug, Clone)]
pub struct InstalledBundle {
    /// The role's new version.
    pub role_version: u64,
    /// The manifests that changed, by channel.
    pub changed: Vec<(Channel, SetManifest)>,
    /// What the editor said they did.
    pub action: String,
}

/// One upload, as the repository keeps it beside its files (`uploads/<role version>.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    /// The role's version it installed.
    pub role_version: u64,
    /// When (RFC 3339, UTC).
    pub uploaded_at: String,
    /// Who (the console account's display name).
    pub uploaded_by: String,
    /// What the editor said they did.
    pub action: String,
    /// `(form id, version, sha256)` of every form in the manifests it changed.
    pub forms: Vec<(String, String, String)>,
}

fn refuse(message: impl Into<String>) -> ChannelError {
    ChannelError::Admin(message.into())
}

fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

impl Repo {
    /// Checks `bundle` against this repository and installs it: the new target files, the role's new
    /// metadata as signed, then snapshot and timestamp. `check` sees the changed manifests and their files
    /// first (the portal runs `forms check` on them); its refusal, like every failed check, writes nothing.
    /// `by` names the uploader in the upload record.
    pub fn install_bundle(
        &self,
        bundle: &Bundle,
        by: &str,
        now: DateTime<Utc>,
        check: impl FnOnce(&Accepted<'_>) -> Result<(), String>,
    ) -> Result<InstalledBundle, ChannelError> {
        let _lock = self.lock()?;
        let role_name = self.role();
        if bundle.role != role_name {
            return Err(refuse(format!(
                "Das Formularpaket ist für die Rolle '{}' signiert, diese Verwaltung hat die Rolle '{role_name}'; \
                 nichts wurde übernommen.",
                bundle.role
            )));
        }
        let metadata =
            B64.decode(&bundle.metadata).map_err(|_| refuse("Die Rollendaten im Formularpaket sind beschädigt."))?;
        let role: Signed<Targets> = serde_json::from_slice(&metadata)
            .map_err(|e| refuse(format!("Die Rollendaten im Formularpaket sind unlesbar: {e}")))?;
        if !self.delegation_verifies(&role, &role_name)? {
            return Err(refuse(
                "Das Formularpaket ist nicht mit dem Schlüssel dieser Verwaltung signiert; nichts wurde übernommen.",
            ));
        }
        let current = self.role_metadata()?.map_or(0, |r| r.signed.version.get());
        let version = role.signed.version.get();
        if version <= current {
            return Err(refuse(format!(
                "Das Formularpaket ist veraltet: es wurde vor dem zuletzt hochgeladenen Formularpaket erstellt \
                 (Paket: Stand {version}, Portal: Stand {current}). Erstellen Sie es neu; nichts wurde übernommen."
            )));
        }
        if version != current + 1 {
            return Err(refuse(format!(
                "Das Formularpaket bringt Stand {version} der Rolle, das Portal erwartet Stand {}; nichts wurde \
                 übernommen.",
                current + 1
            )));
        }
        if role.signed.expires.as_second() <= now.timestamp() {
            return Err(refuse("Die Signatur des Formularpakets ist abgelaufen; nichts wurde übernommen."));
        }
        let prefix = self.scope().name_prefix();
        let mut listed: BTreeMap<String, (String, u64)> = BTreeMap::new();
        for (name, target) in &role.signed.targets {
            let name = name.raw().to_owned();
            if !name.starts_with(&prefix) || !plain_name(&name) {
                return Err(refuse(format!(
                    "Das Formularpaket nennt die Datei '{name}', die nicht zu dieser Verwaltung gehört (erlaubt: \
                     {prefix}…); nichts wurde übernommen."
                )));
            }
            listed.insert(name, (crate::repo::hex_of(&target.hashes.sha256), target.length));
        }
        let mut files = BTreeMap::new();
        for file in &bundle.files {
            let Some((sha, length)) = listed.get(&file.target) else {
                return Err(refuse(format!(
                    "Das Formularpaket enthält die Datei '{}', die seine Signatur nicht nennt; nichts wurde übernommen.",
                    file.target
                )));
            };
            let bytes =
                B64.decode(&file.data).map_err(|_| refuse(format!("Die Datei '{}' ist beschädigt.", file.target)))?;
            if crate::sha256_hex(&bytes) != *sha || bytes.len() as u64 != *length {
                return Err(refuse(format!(
                    "Der Inhalt der Datei '{}' passt nicht zur Signatur; nichts wurde übernommen.",
                    file.target
                )));
            }
            files.insert(file.target.clone(), bytes);
        }
        for (name, (sha, _)) in &listed {
            if !files.contains_key(name) && !self.target_path(name, sha).is_file() {
                return Err(refuse(format!(
                    "Dem Formularpaket fehlt die Datei '{name}', und das Portal hat sie nicht; nichts wurde übernommen."
                )));
            }
        }
        let mut changed = Vec::new();
        for channel in [Channel::Pilot, Channel::All] {
            let name = self.scope().manifest_name(channel);
            let Some((sha, _)) = listed.get(&name) else { continue };
            let bytes = match files.get(&name) {
                Some(b) => b.clone(),
                None => {
                    let path = self.target_path(&name, sha);
                    std::fs::read(&path).map_err(ChannelError::io(&path))?
                }
            };
            let manifest = SetManifest::from_json(&bytes)
                .map_err(|e| refuse(format!("Der Formularstand für '{channel}' ist unlesbar: {e}")))?;
            for entry in manifest.files() {
                if entry.target.starts_with(layout::CATALOGUE_PREFIX) {
                    // Taken over from the shared catalogue: its role must list that very text.
                    if !self.catalogue_lists(entry)? || !self.target_path(&entry.target, &entry.sha256).is_file() {
                        return Err(refuse(format!(
                            "Der Formularstand für '{channel}' nennt die Datei '{}', die der gemeinsame Katalog \
                             nicht hat; nichts wurde übernommen.",
                            entry.target
                        )));
                    }
                    continue;
                }
                if listed.get(&entry.target).map(|(s, _)| s) != Some(&entry.sha256) {
                    return Err(refuse(format!(
                        "Der Formularstand für '{channel}' nennt die Datei '{}', die seine Signatur nicht deckt; \
                         nichts wurde übernommen.",
                        entry.target
                    )));
                }
            }
            let before = self.manifest(channel)?;
            if before.as_ref() != Some(&manifest) {
                changed.push((channel, manifest));
            }
        }
        let accepted = Accepted { repo: self, files, changed };
        check(&accepted).map_err(refuse)?;
        let Accepted { files, changed, .. } = accepted;
        for (name, bytes) in &files {
            let (sha, _) = &listed[name];
            write_file(&self.target_path(name, sha), bytes)?;
        }
        crate::repo::sync_dir(&self.targets_dir());
        // The metadata as signed, byte for byte, under its versioned name and as the newest.
        write_atomic(&self.metadata(&format!("{version}.{role_name}.json")), &metadata)?;
        write_atomic(&self.metadata(&format!("{role_name}.json")), &metadata)?;
        self.keep_upload(bundle, by, version, &changed, now)?;
        if !self.staging() {
            let online = self.online_key()?;
            self.sign_online(&online, now, true)?;
        }
        Ok(InstalledBundle { role_version: version, changed, action: bundle.action.clone() })
    }

    /// Records the upload and keeps the import reports of the forms it changed (`uploads/`, `reports/`; the
    /// repository folder's, never served).
    fn keep_upload(
        &self,
        bundle: &Bundle,
        by: &str,
        version: u64,
        changed: &[(Channel, SetManifest)],
        now: DateTime<Utc>,
    ) -> Result<(), ChannelError> {
        let mut forms: BTreeSet<(String, String, String)> = BTreeSet::new();
        for (_, m) in changed {
            forms.extend(m.forms.iter().map(|f| (f.id.clone(), f.version.clone(), f.file.sha256.clone())));
        }
        let reports = self.dir().join("reports");
        for report in &bundle.reports {
            let known = forms.iter().any(|(id, v, _)| *id == report.form && *v == report.version);
            if known && plain_name(&report.form) && plain_name(&report.version) {
                std::fs::create_dir_all(&reports).map_err(ChannelError::io(&reports))?;
                let bytes = serde_json::to_vec_pretty(&report.report).unwrap_or_default();
                write_atomic(&reports.join(format!("{}@{}.json", report.form, report.version)), &bytes)?;
            }
        }
        let uploads = self.dir().join("uploads");
        std::fs::create_dir_all(&uploads).map_err(ChannelError::io(&uploads))?;
        let record = Upload {
            role_version: version,
            uploaded_at: rfc3339(now),
            uploaded_by: by.to_owned(),
            action: bundle.action.clone(),
            forms: forms.into_iter().collect(),
        };
        write_atomic(&uploads.join(format!("{version}.json")), &serde_json::to_vec_pretty(&record).unwrap_or_default())
    }

    /// Every upload recorded, oldest first.
    pub fn uploads(&self) -> Vec<Upload> {
        let mut out: Vec<Upload> = std::fs::read_dir(self.dir().join("uploads"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read(e.path()).ok())
            .filter_map(|b| serde_json::from_slice(&b).ok())
            .collect();
        out.sort_by_key(|u: &Upload| u.role_version);
        out
    }

    /// The import report kept for a form version, if its upload carried one.
    pub fn import_report(&self, form: &str, version: &str) -> Option<serde_json::Value> {
        if !plain_name(form) || !plain_name(version) {
            return None;
        }
        let bytes = std::fs::read(self.dir().join("reports").join(format!("{form}@{version}.json"))).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// A form editor's working copy of their tenant's repository, to sign a change into a [`Bundle`].
#[derive(Debug)]
pub struct Staging {
    repo: Repo,
    before: Option<Vec<u8>>,
    fetched: BTreeSet<String>,
    rekeyed: bool,
}

impl Staging {
    /// Reads the tenant's published repository through `get` (a path below the repository's URL, such as
    /// `metadata/targets.json`; `Ok(None)` for a file that is not there) into the empty folder `dir`.
    /// `editor` must be the key the delegation names. The role's metadata signed with it is the copy's; a
    /// role signed with a key the delegation no longer names (the key was changed) is not taken over: the copy
    /// starts anew above its versions, keeping what it withdrew ([`Staging::rekeyed`]).
    pub fn fetch(
        dir: &Path,
        scope: &Scope,
        editor: &SigningKey,
        mut get: impl FnMut(&str) -> Result<Option<Vec<u8>>, ChannelError>,
    ) -> Result<Staging, ChannelError> {
        let metadata_dir = dir.join(layout::METADATA_DIR);
        let targets_dir = dir.join(layout::TARGETS_DIR);
        std::fs::create_dir_all(&metadata_dir).map_err(ChannelError::io(dir))?;
        std::fs::create_dir_all(&targets_dir).map_err(ChannelError::io(dir))?;
        fn need(got: Option<Vec<u8>>, path: &str) -> Result<Vec<u8>, ChannelError> {
            got.ok_or_else(|| refuse(format!("Der Formularkanal hat die Datei {path} nicht.")))
        }
        for name in ["root.json", "targets.json"] {
            let path = format!("{}/{name}", layout::METADATA_DIR);
            let bytes = need(get(&path)?, &path)?;
            write_atomic(&metadata_dir.join(name), &bytes)?;
        }
        let repo = Repo::open_staging(dir)?;
        if repo.scope() != scope {
            return Err(refuse(format!(
                "Der Formularkanal unter dieser Adresse gehört zur Rolle '{}', nicht zu '{}'.",
                repo.scope().role(),
                scope.role()
            )));
        }
        repo.check_signing_key(editor)?;
        let mut fetched = BTreeSet::new();
        /// A target `role` lists, fetched and checked against the hash the role gives: `(file name, bytes)`.
        fn listed(
            get: &mut impl FnMut(&str) -> Result<Option<Vec<u8>>, ChannelError>,
            role: &Signed<Targets>,
            name: &str,
        ) -> Result<Option<(String, Vec<u8>)>, ChannelError> {
            let Some((_, target)) = role.signed.targets.iter().find(|(n, _)| n.raw() == name) else { return Ok(None) };
            let sha = crate::repo::hex_of(&target.hashes.sha256);
            let file = format!("{sha}.{name}");
            let path = format!("{}/{file}", layout::TARGETS_DIR);
            let bytes = need(get(&path)?, &path)?;
            if crate::sha256_hex(&bytes) != sha {
                return Err(refuse(format!("{name} des Formularkanals passt nicht zu seiner Signatur.")));
            }
            Ok(Some((file, bytes)))
        }
        let catalogue_path = format!("{}/{}.json", layout::METADATA_DIR, layout::CATALOGUE_ROLE);
        if let Some(bytes) = get(&catalogue_path)? {
            let role: Signed<Targets> = serde_json::from_slice(&bytes)
                .map_err(|e| refuse(format!("Der Katalog des Formularkanals ist unlesbar: {e}")))?;
            if !repo.delegation_verifies(&role, layout::CATALOGUE_ROLE)? {
                return Err(refuse(
                    "Der Katalog des Formularkanals ist nicht richtig signiert; nichts wurde erstellt.",
                ));
            }
            write_atomic(&metadata_dir.join(format!("{}.json", layout::CATALOGUE_ROLE)), &bytes)?;
            if let Some((file, bytes)) = listed(&mut get, &role, &crate::catalogue::manifest_name())? {
                write_atomic(&targets_dir.join(&file), &bytes)?;
                fetched.insert(file);
            }
        }
        let role_name = repo.role();
        let mut before = get(&format!("{}/{role_name}.json", layout::METADATA_DIR))?;
        let mut rekeyed = false;
        let mut repo = repo;
        if let Some(bytes) = before.clone() {
            let role: Signed<Targets> = serde_json::from_slice(&bytes)
                .map_err(|e| refuse(format!("{role_name}.json des Formularkanals ist unlesbar: {e}")))?;
            let mut manifests = Vec::new();
            for channel in [Channel::Pilot, Channel::All] {
                manifests.extend(listed(&mut get, &role, &scope.manifest_name(channel))?);
            }
            if repo.delegation_verifies(&role, &role_name)? {
                write_atomic(&repo.metadata(&format!("{role_name}.json")), &bytes)?;
                for (file, bytes) in manifests {
                    write_atomic(&targets_dir.join(&file), &bytes)?;
                    fetched.insert(file);
                }
            } else {
                // Signed with a key the delegation no longer names: the tenant's key was changed
                // (`keys rotate --tenant`). Nothing of it is signed again; the new role only goes beyond its
                // versions and keeps what it withdrew.
                let mut floor = crate::repo::Floor { role_version: role.signed.version.get(), ..Default::default() };
                for (_, bytes) in &manifests {
                    let Ok(m) = SetManifest::from_json(bytes) else { continue };
                    floor.set_version = floor.set_version.max(m.set_version);
                    floor.withdrawn.extend(m.withdrawn_texts());
                }
                repo = Repo::open_staging_rekeyed(dir, floor)?;
                before = None;
                rekeyed = true;
            }
        }
        Ok(Staging { repo, before, fetched, rekeyed })
    }

    /// Whether the tenant's key was changed since the role the portal serves was signed: the bundle then
    /// starts the channel anew with what is published into it now (promote and withdraw find nothing).
    pub fn rekeyed(&self) -> bool {
        self.rekeyed
    }

    /// The working copy, to publish, promote or withdraw in with the editor's key.
    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    /// What changed in the working copy, as a bundle: the role's new metadata and the new target files.
    pub fn bundle(&self, action: &str, reports: Vec<BundleReport>, now: DateTime<Utc>) -> Result<Bundle, ChannelError> {
        let role_name = self.repo.role();
        let path = self.repo.metadata(&format!("{role_name}.json"));
        let metadata = std::fs::read(&path).map_err(ChannelError::io(&path))?;
        if self.before.as_deref() == Some(metadata.as_slice()) {
            return Err(refuse("Es hat sich nichts geändert; kein Formularpaket erstellt."));
        }
        let mut files = Vec::new();
        let targets = self.repo.targets_dir();
        let mut names: Vec<PathBuf> =
            std::fs::read_dir(&targets).map_err(ChannelError::io(&targets))?.flatten().map(|e| e.path()).collect();
        names.sort();
        for path in names {
            let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if file.starts_with('.') || self.fetched.contains(&file) {
                continue;
            }
            let Some((_, target)) = file.split_once('.') else { continue };
            let bytes = std::fs::read(&path).map_err(ChannelError::io(&path))?;
            files.push(BundleFile { target: target.to_owned(), data: B64.encode(bytes) });
        }
        Ok(Bundle {
            format: BUNDLE_FORMAT.to_owned(),
            format_version: BUNDLE_FORMAT_VERSION,
            role: role_name,
            action: action.to_owned(),
            created: rfc3339(now),
            metadata: B64.encode(&metadata),
            files,
            reports,
        })
    }
}
