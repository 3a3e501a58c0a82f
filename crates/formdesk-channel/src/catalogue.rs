//! The shared catalogue ("Einer für Alle"): forms one editorial team of the computing centre keeps for all
//! municipalities. Each tenant's repository delegates the names `catalog.*` (terminating) to the role
//! [`layout::CATALOGUE_ROLE`], signed with the computing centre's `forms` key; the tenant's own role signs
//! only `t<ARS>.*`. A tenant takes a catalogue form over by naming it when it publishes: its manifest then
//! names the catalogue's file (`catalog.form.<id>.<sha>.json`) by hash, so the tenant's set keeps exactly
//! that text until its editor publishes again, and a desk verifies the file through the catalogue's
//! delegation. The catalogue role lists every file it ever published, so a set that still names an older
//! catalogue text stays installable.
//!
//! The catalogue is written into each tenant's repository (one repository per tenant, docs/tenants.md
//! section 3): tough loads every delegated role of a repository, so the catalogue's signature must be kept
//! fresh by publishing it at least once a year ([`layout::FORMS_DAYS`]), as the tenants' own sets.

use crate::error::ChannelError;
use crate::keys::SigningKey;
use crate::layout::{self, Scope};
use crate::manifest::{FileEntry, SetFiles, SetManifest};
use crate::repo::{Repo, rfc3339, write_atomic};
use crate::sign;
use chrono::{DateTime, Duration, Utc};
use tough::schema::{DelegatedRole, PathPattern, PathSet, Signed, Targets};

/// The catalogue's manifest target name.
pub fn manifest_name() -> String {
    format!("{}set.json", layout::CATALOGUE_PREFIX)
}

/// A catalogue as published: its manifest and every file's bytes.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// Its manifest (channel `catalog`).
    pub manifest: SetManifest,
    /// `(entry, bytes)` of every file it names.
    pub contents: Vec<(FileEntry, Vec<u8>)>,
}

impl Catalogue {
    /// A forms folder as the catalogue's next version `set_version`.
    pub fn from_files(files: &SetFiles, set_version: u64, now: DateTime<Utc>) -> Catalogue {
        let mut manifest = files.manifest(layout::CATALOGUE_ROLE, set_version, rfc3339(now));
        let mut contents: Vec<(FileEntry, Vec<u8>)> =
            files.contents(&manifest).into_iter().map(|(e, b)| (e.clone(), b.to_vec())).collect();
        for file in manifest.files_mut() {
            file.target = format!("{}{}", layout::CATALOGUE_PREFIX, file.target);
        }
        for (entry, _) in &mut contents {
            entry.target = format!("{}{}", layout::CATALOGUE_PREFIX, entry.target);
        }
        Catalogue { manifest, contents }
    }
}

fn refuse(message: impl Into<String>) -> ChannelError {
    ChannelError::Admin(message.into())
}

impl Repo {
    /// Whether the top-level targets delegate the catalogue.
    pub fn has_catalogue_delegation(&self) -> Result<bool, ChannelError> {
        let top: Signed<Targets> = self.read("targets.json")?;
        Ok(top.signed.delegations.as_ref().is_some_and(|d| d.roles.iter().any(|r| r.name == layout::CATALOGUE_ROLE)))
    }

    /// Adds the catalogue's delegation (names `catalog.*`, terminating, to `catalogue_key`) to a tenant's
    /// top-level targets, signed anew with the operator's `targets_key`, and an empty catalogue role signed
    /// with `catalogue_key`. Returns whether it was missing.
    pub fn attach_catalogue(
        &self,
        targets_key: &SigningKey,
        catalogue_key: &SigningKey,
        now: DateTime<Utc>,
    ) -> Result<bool, ChannelError> {
        if *self.scope() == Scope::Shared {
            return Err(refuse("Der gemeinsame Katalog gehört in die Formularkanäle der Mandanten."));
        }
        let _lock = self.lock()?;
        if self.has_catalogue_delegation()? {
            return Ok(false);
        }
        let old: Signed<Targets> = self.read("targets.json")?;
        let mut top = old.signed.clone();
        top.version = top.version.checked_add(1).unwrap_or(top.version);
        top.expires = crate::repo::ts(now + Duration::days(layout::TARGETS_DAYS));
        let delegations = top.delegations.get_or_insert_with(tough::schema::Delegations::new);
        let key = catalogue_key.tuf_key();
        let id = catalogue_key.key_id()?;
        delegations.keys.insert(id.clone(), key);
        let pattern = PathPattern::new(layout::CATALOGUE_PATHS).map_err(|e| refuse(format!("path pattern: {e}")))?;
        delegations.roles.push(DelegatedRole {
            name: layout::CATALOGUE_ROLE.to_owned(),
            keyids: vec![id],
            threshold: std::num::NonZeroU64::MIN,
            paths: PathSet::Paths(vec![pattern]),
            terminating: true,
            targets: None,
        });
        let signed = sign::signed(top, &[targets_key])?;
        self.write_role("targets", &signed)?;
        // An empty catalogue role at once: a desk's client loads every delegated role the targets name, so
        // a delegation without its role would hide the tenant's own set too.
        if self.catalogue_role()?.is_none() {
            let expires = crate::repo::ts(now + Duration::days(layout::FORMS_DAYS));
            let empty = Targets::new("1.0.0".into(), std::num::NonZeroU64::MIN, expires);
            self.write_role(layout::CATALOGUE_ROLE, &sign::signed(empty, &[catalogue_key])?)?;
        }
        let online = self.online_key()?;
        self.sign_online(&online, now, true)?;
        Ok(true)
    }

    /// The catalogue's role metadata, `None` before its first publication here.
    pub(crate) fn catalogue_role(&self) -> Result<Option<Signed<Targets>>, ChannelError> {
        let name = format!("{}.json", layout::CATALOGUE_ROLE);
        if !self.metadata(&name).is_file() {
            return Ok(None);
        }
        self.read(&name).map(Some)
    }

    /// The catalogue as this repository has it now, `None` before its first publication here.
    pub fn catalogue(&self) -> Result<Option<SetManifest>, ChannelError> {
        let Some(role) = self.catalogue_role()? else { return Ok(None) };
        let name = manifest_name();
        let Some((_, target)) = role.signed.targets.iter().find(|(n, _)| n.raw() == name) else { return Ok(None) };
        let path = self.target_path(&name, &crate::repo::hex_of(&target.hashes.sha256));
        let bytes = std::fs::read(&path).map_err(ChannelError::io(&path))?;
        SetManifest::from_json(&bytes).map(Some).map_err(|e| refuse(format!("{}: {e}", path.display())))
    }

    /// Whether the catalogue's role lists `entry` (its name with this hash).
    pub(crate) fn catalogue_lists(&self, entry: &FileEntry) -> Result<bool, ChannelError> {
        let Some(role) = self.catalogue_role()? else { return Ok(false) };
        Ok(role
            .signed
            .targets
            .iter()
            .any(|(n, t)| n.raw() == entry.target && crate::repo::hex_of(&t.hashes.sha256) == entry.sha256))
    }

    /// Publishes `catalogue` into this tenant's repository with the catalogue key: its files, its manifest,
    /// and the catalogue role listing them beside every file it listed before; then snapshot and timestamp.
    pub fn publish_catalogue(
        &self,
        catalogue_key: &SigningKey,
        catalogue: &Catalogue,
        now: DateTime<Utc>,
    ) -> Result<(), ChannelError> {
        let _lock = self.lock()?;
        let top: Signed<Targets> = self.read("targets.json")?;
        let id = catalogue_key.key_id()?;
        let delegated = top
            .signed
            .delegations
            .as_ref()
            .and_then(|d| d.roles.iter().find(|r| r.name == layout::CATALOGUE_ROLE))
            .is_some_and(|r| r.keyids.contains(&id));
        if !delegated {
            return Err(refuse(format!(
                "Der Formularkanal in {} delegiert den Katalog nicht an diesen Schlüssel.",
                self.dir().display()
            )));
        }
        for (entry, bytes) in &catalogue.contents {
            if crate::sha256_hex(bytes) != entry.sha256 || !entry.target.starts_with(layout::CATALOGUE_PREFIX) {
                return Err(refuse(format!("{}: Inhalt und Name passen nicht zum Katalog.", entry.target)));
            }
            let path = self.target_path(&entry.target, &entry.sha256);
            if !path.exists() {
                write_atomic(&path, bytes)?;
            }
        }
        let manifest_bytes = catalogue.manifest.to_json();
        let manifest_sha = crate::sha256_hex(&manifest_bytes);
        write_atomic(&self.target_path(&manifest_name(), &manifest_sha), &manifest_bytes)?;
        let old = self.catalogue_role()?;
        let version = old
            .as_ref()
            .map_or(std::num::NonZeroU64::MIN, |o| o.signed.version.checked_add(1).unwrap_or(o.signed.version));
        let mut role = Targets::new("1.0.0".into(), version, crate::repo::ts(now + Duration::days(layout::FORMS_DAYS)));
        if let Some(old) = old {
            for (name, target) in old.signed.targets {
                if name.raw() != manifest_name() {
                    role.targets.insert(name, target);
                }
            }
        }
        role.add_target(
            crate::repo::target_name(&manifest_name())?,
            crate::repo::target(&manifest_sha, manifest_bytes.len() as u64)?,
        );
        for entry in catalogue.manifest.files() {
            role.add_target(
                crate::repo::target_name(&entry.target)?,
                crate::repo::target(&entry.sha256, entry.length)?,
            );
        }
        self.write_role(layout::CATALOGUE_ROLE, &sign::signed(role, &[catalogue_key])?)?;
        if !self.staging() {
            let online = self.online_key()?;
            self.sign_online(&online, now, true)?;
        }
        Ok(())
    }

    /// A copy of the catalogue this repository has, with its files, to publish into another tenant's.
    pub fn catalogue_copy(&self) -> Result<Option<Catalogue>, ChannelError> {
        let Some(manifest) = self.catalogue()? else { return Ok(None) };
        let mut contents = Vec::new();
        for entry in manifest.files() {
            contents.push((entry.clone(), self.file(entry)?));
        }
        Ok(Some(Catalogue { manifest, contents }))
    }
}
