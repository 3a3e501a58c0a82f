//! Names and lifetimes: what the portal serves where, and how long each signature counts.
//!
//! The portal serves the repository under `/forms/v1/`: `metadata/` (`N.root.json`, `timestamp.json`,
//! `N.snapshot.json`, `N.targets.json`, `N.forms.json`) and `targets/` (`<sha256>.<name>`, consistent
//! snapshots, so a desk reading while the administrators publish still sees one whole set).
//!
//! Target names are flat and content-unique: `set.<channel>.json` for a channel's manifest,
//! `form.<id>.<sha256 prefix>.json`, `codelist.<name>.<sha256 prefix>.json`, `municipality.<prefix>.json`,
//! `logo.<prefix>.<ext>`. In the portal's single repository from before tenants ([`Scope::Shared`], served
//! under `/forms/v1/`) the top-level targets delegate every name (`*`) to the role `forms`. Each tenant
//! (municipality) has a repository of its own ([`Scope::Tenant`], served under `/forms/v1/t<ARS>/`) whose
//! top-level targets delegate `t<ARS>.*` (terminating) to the role `t<ARS>`, held by the tenant's form
//! editor; there every name carries the prefix `t<ARS>.` (`t<ARS>.set.all.json`, `t<ARS>.form.…`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The delegated role that signs the form sets.
pub const FORMS_ROLE: &str = "forms";
/// The pattern of target names delegated to [`FORMS_ROLE`].
pub const FORMS_PATHS: &str = "*";
/// The delegated role of the shared catalogue ("Einer für Alle") in every tenant's repository, signed with
/// the computing centre's `forms` key: forms one editorial team keeps for all municipalities, which a tenant
/// takes over into its own set ([`crate::catalogue`]).
pub const CATALOGUE_ROLE: &str = "catalog";
/// The names delegated to [`CATALOGUE_ROLE`].
pub const CATALOGUE_PATHS: &str = "catalog.*";
/// What every catalogue target name starts with.
pub const CATALOGUE_PREFIX: &str = "catalog.";
/// The URL path below the portal's address where the repository is served.
pub const URL_PREFIX: &str = "/forms/v1/";
/// The metadata folder inside the repository.
pub const METADATA_DIR: &str = "metadata";
/// The target files' folder inside the repository.
pub const TARGETS_DIR: &str = "targets";

/// How long a root (offline) counts.
pub const ROOT_DAYS: i64 = 730;
/// How long the top-level targets (offline) count.
pub const TARGETS_DAYS: i64 = 730;
/// How long a published form set's signature (offline) counts; publish at least once a year.
pub const FORMS_DAYS: i64 = 365;
/// How long a snapshot (online) counts; the portal renews it at half of that.
pub const SNAPSHOT_HOURS: i64 = 7 * 24;
/// How long a timestamp (online) counts; the portal renews it at half of that.
pub const TIMESTAMP_HOURS: i64 = 24;

/// Whose repository: the portal's single one from before tenants, or a tenant's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The single repository at `/forms/v1/`: the role `forms` signs every name.
    Shared,
    /// A tenant's repository at `/forms/v1/t<ARS>/`: the role `t<ARS>` signs the names `t<ARS>.*`. Holds the
    /// tenant's regional key (ARS, 12 digits).
    Tenant(String),
}

impl Scope {
    /// The repository of the tenant with regional key `ars` (12 digits).
    pub fn tenant(ars: &str) -> Result<Scope, String> {
        if ars.len() == 12 && ars.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Scope::Tenant(ars.to_owned()))
        } else {
            Err(format!("'{ars}' ist kein Amtlicher Regionalschlüssel (12 Ziffern)"))
        }
    }

    /// The scope a folder name `t<ARS>` stands for (as served: `/forms/v1/t<ARS>/`).
    pub fn from_folder(folder: &str) -> Option<Scope> {
        Scope::tenant(folder.strip_prefix('t')?).ok()
    }

    /// The tenant's ARS, if this is a tenant's repository.
    pub fn ars(&self) -> Option<&str> {
        match self {
            Scope::Shared => None,
            Scope::Tenant(ars) => Some(ars),
        }
    }

    /// The delegated role that signs the form sets: `forms`, or `t<ARS>`.
    pub fn role(&self) -> String {
        match self {
            Scope::Shared => FORMS_ROLE.to_owned(),
            Scope::Tenant(ars) => format!("t{ars}"),
        }
    }

    /// The pattern of target names delegated to [`Scope::role`]: `*`, or `t<ARS>.*`.
    pub fn paths(&self) -> String {
        match self {
            Scope::Shared => FORMS_PATHS.to_owned(),
            Scope::Tenant(ars) => format!("t{ars}.*"),
        }
    }

    /// What every target name starts with: nothing, or `t<ARS>.`.
    pub fn name_prefix(&self) -> String {
        match self {
            Scope::Shared => String::new(),
            Scope::Tenant(ars) => format!("t{ars}."),
        }
    }

    /// The folder of a tenant's repository inside the portal's channel folder, and its URL segment.
    pub fn folder(&self) -> Option<String> {
        self.ars().map(|ars| format!("t{ars}"))
    }

    /// The URL path of the repository below the portal's address: `/forms/v1/` or `/forms/v1/t<ARS>/`.
    pub fn url_prefix(&self) -> String {
        match self.folder() {
            None => URL_PREFIX.to_owned(),
            Some(folder) => format!("{URL_PREFIX}{folder}/"),
        }
    }

    /// The target name of a channel's manifest in this repository.
    pub fn manifest_name(&self, channel: Channel) -> String {
        format!("{}{}", self.name_prefix(), channel.target_name())
    }
}

/// Who gets a form set first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// The pilot desks, named by the administrators.
    Pilot,
    /// Every desk.
    All,
}

impl Channel {
    /// The target name of this channel's manifest.
    pub fn target_name(self) -> String {
        format!("set.{self}.json")
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Channel::Pilot => "pilot",
            Channel::All => "all",
        })
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Channel, String> {
        match s {
            "pilot" => Ok(Channel::Pilot),
            "all" => Ok(Channel::All),
            other => Err(format!("'{other}' ist kein Kanal (pilot oder all)")),
        }
    }
}

/// A content-unique target name: `<kind>.<stem>.<first 16 hex digits of the hash>.<ext>`.
pub fn target_name(kind: &str, stem: &str, sha256: &str, ext: &str) -> String {
    let prefix = sha256.get(..16).unwrap_or(sha256);
    let stem: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    format!("{kind}.{stem}.{prefix}.{ext}")
}
