//! The manifest of a form set: what a channel's desks install, each file named by its hash.

use crate::error::ChannelError;
use crate::layout;
use crate::sha256_hex;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The version of the manifest format.
pub const MANIFEST_FORMAT: u32 = 1;
/// The channel name of the set that ships inside the app.
pub const SHIPPED: &str = "app";

/// One form set, as published to one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetManifest {
    /// [`MANIFEST_FORMAT`].
    pub format_version: u32,
    /// `pilot`, `all`, or `app` for the set shipped with the desk app.
    pub channel: String,
    /// Counts up with every publication of the repository; 0 for the shipped set.
    pub set_version: u64,
    /// When it was published (RFC 3339, UTC).
    pub published: String,
    /// The forms, by id.
    pub forms: Vec<FormEntry>,
    /// The shared code lists.
    pub code_lists: Vec<FileEntry>,
    /// The municipality's letterhead (`municipality.json`), if the set has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<FileEntry>,
    /// The logo the letterhead names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<FileEntry>,
    /// The SHA-256 of every form text ever withdrawn with `--now`, carried from publication to publication:
    /// a desk that never installed the set with the withdrawal still never finalizes a case on such a text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn: Vec<String>,
}

/// One form of a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormEntry {
    /// The form's id.
    pub id: String,
    /// The definition's own version.
    pub version: String,
    /// Whether new cases may be begun and finalized.
    pub state: FormState,
    /// The definition file.
    pub file: FileEntry,
}

/// Whether a form may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FormState {
    /// In use.
    Open,
    /// No new cases; cases begun may still be finalized.
    Closing,
    /// May no longer be finalized (the legal basis changed).
    Withdrawn,
}

/// One file of a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileEntry {
    /// Its name in the forms folder (`hunderassen.json`, `logo.png`).
    pub name: String,
    /// Its TUF target name.
    pub target: String,
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// Bytes.
    pub length: u64,
}

impl FileEntry {
    fn of(kind: &str, name: &str, bytes: &[u8]) -> FileEntry {
        let sha256 = sha256_hex(bytes);
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "bin"));
        FileEntry {
            name: name.to_owned(),
            target: layout::target_name(kind, stem, &sha256, ext),
            sha256,
            length: bytes.len() as u64,
        }
    }
}

impl SetManifest {
    /// Reads a manifest and checks its format.
    pub fn from_json(bytes: &[u8]) -> Result<SetManifest, String> {
        let manifest: SetManifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if manifest.format_version != MANIFEST_FORMAT {
            return Err(format!(
                "manifest formatVersion {} (this desk reads {MANIFEST_FORMAT})",
                manifest.format_version
            ));
        }
        Ok(manifest)
    }

    /// The manifest as stored and signed.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Every file of the set.
    pub fn files(&self) -> impl Iterator<Item = &FileEntry> {
        self.forms.iter().map(|f| &f.file).chain(&self.code_lists).chain(&self.municipality).chain(&self.logo)
    }

    /// Every file of the set, to change (the repository prefixes a tenant's target names).
    pub fn files_mut(&mut self) -> impl Iterator<Item = &mut FileEntry> {
        self.forms
            .iter_mut()
            .map(|f| &mut f.file)
            .chain(&mut self.code_lists)
            .chain(&mut self.municipality)
            .chain(&mut self.logo)
    }

    /// The SHA-256 of every form text this manifest says may not be finalized: those it carries from earlier
    /// withdrawals and those of its forms withdrawn now.
    pub fn withdrawn_texts(&self) -> impl Iterator<Item = String> + '_ {
        self.withdrawn
            .iter()
            .cloned()
            .chain(self.forms.iter().filter(|f| f.state == FormState::Withdrawn).map(|f| f.file.sha256.clone()))
    }

    /// A form by id.
    pub fn form(&self, id: &str) -> Option<&FormEntry> {
        self.forms.iter().find(|f| f.id == id)
    }
}

/// The files of a forms folder, read for publishing: the bytes as they are, each with its name.
#[derive(Debug, Clone, Default)]
pub struct SetFiles {
    /// `(id, version, definition)` per form, by id.
    pub forms: Vec<(String, String, Vec<u8>)>,
    /// `(file name, contents)` per shared code list.
    pub code_lists: Vec<(String, Vec<u8>)>,
    /// The letterhead file, if any.
    pub municipality: Option<Vec<u8>>,
    /// `(file name, contents)` of the logo the letterhead names.
    pub logo: Option<(String, Vec<u8>)>,
}

#[derive(Deserialize)]
struct Head {
    id: String,
    version: String,
}

#[derive(Deserialize)]
struct Letterhead {
    #[serde(default)]
    logo: Option<String>,
}

impl SetFiles {
    /// Reads a forms folder: `codelists/*.json`, `*/form.json`, and `municipality.json` with the logo it
    /// names. The folder should have passed `forms check` first; this only reads ids and versions.
    pub fn read_dir(dir: &Path) -> Result<SetFiles, ChannelError> {
        let mut files = SetFiles::default();
        // The catalog reads the definitions with their translation files merged in: what desks get is one
        // definition per form with every language in it.
        let read = formdesk_catalog::FormFiles::read_dir(dir).map_err(|e| ChannelError::Admin(e.to_string()))?;
        for (folder, text) in read.forms {
            let definition = dir.join(&folder).join(formdesk_catalog::DEFINITION_FILE);
            let head: Head = serde_json::from_str(&text).map_err(|e| {
                ChannelError::Admin(format!("{}: keine Formulardefinition ({e})", definition.display()))
            })?;
            files.forms.push((head.id, head.version, text.into_bytes()));
        }
        for (name, text) in read.code_lists {
            files.code_lists.push((name, text.into_bytes()));
        }
        let letterhead = dir.join("municipality.json");
        if letterhead.is_file() {
            let bytes = std::fs::read(&letterhead).map_err(ChannelError::io(&letterhead))?;
            let head: Letterhead = serde_json::from_slice(&bytes)
                .map_err(|e| ChannelError::Admin(format!("{}: {e}", letterhead.display())))?;
            if let Some(logo) = head.logo {
                let path = dir.join(&logo);
                let bytes = std::fs::read(&path).map_err(ChannelError::io(&path))?;
                files.logo = Some((file_name(&path), bytes));
            }
            files.municipality = Some(bytes);
        }
        if files.forms.is_empty() {
            return Err(ChannelError::Admin(format!("{} enthält keine Formulare (*/form.json).", dir.display())));
        }
        Ok(files)
    }

    /// The manifest of these files for `channel`, with every form in `state`.
    pub fn manifest(&self, channel: &str, set_version: u64, published: String) -> SetManifest {
        SetManifest {
            format_version: MANIFEST_FORMAT,
            channel: channel.to_owned(),
            set_version,
            published,
            forms: self
                .forms
                .iter()
                .map(|(id, version, bytes)| FormEntry {
                    id: id.clone(),
                    version: version.clone(),
                    state: FormState::Open,
                    file: FileEntry::of("form", &format!("{id}.json"), bytes),
                })
                .collect(),
            code_lists: self.code_lists.iter().map(|(name, bytes)| FileEntry::of("codelist", name, bytes)).collect(),
            municipality: self
                .municipality
                .as_ref()
                .map(|bytes| FileEntry::of("municipality", "municipality.json", bytes)),
            logo: self.logo.as_ref().map(|(name, bytes)| FileEntry::of("logo", name, bytes)),
            withdrawn: Vec::new(),
        }
    }

    /// `(entry, bytes)` of every file, as [`SetFiles::manifest`] names them.
    pub fn contents<'a>(&'a self, manifest: &'a SetManifest) -> Vec<(&'a FileEntry, &'a [u8])> {
        let mut out: Vec<(&FileEntry, &[u8])> = Vec::new();
        for (entry, (_, _, bytes)) in manifest.forms.iter().zip(&self.forms) {
            out.push((&entry.file, bytes));
        }
        for (entry, (_, bytes)) in manifest.code_lists.iter().zip(&self.code_lists) {
            out.push((entry, bytes));
        }
        if let (Some(entry), Some(bytes)) = (&manifest.municipality, &self.municipality) {
            out.push((entry, bytes));
        }
        if let (Some(entry), Some((_, bytes))) = (&manifest.logo, &self.logo) {
            out.push((entry, bytes));
        }
        out
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
