//! Names and lifetimes: what the portal serves where, and how long each signature counts.
//!
//! The portal serves the repository under `/forms/v1/`: `metadata/` (`N.root.json`, `timestamp.json`,
//! `N.snapshot.json`, `N.targets.json`, `N.forms.json`) and `targets/` (`<sha256>.<name>`, consistent
//! snapshots, so a desk reading while the administrators publish still sees one whole set).
//!
//! Target names are flat and content-unique: `set.<channel>.json` for a channel's manifest,
//! `form.<id>.<sha256 prefix>.json`, `codelist.<name>.<sha256 prefix>.json`, `municipality.<prefix>.json`,
//! `logo.<prefix>.<ext>`. The top-level targets delegate every name (`*`) to the role `forms` today; when
//! each municipality gets a role of its own, its names get the prefix `t<ARS>.` and its role the pattern
//! `t<ARS>.*`, and the shared catalogue keeps the names it has.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The delegated role that signs the form sets.
pub const FORMS_ROLE: &str = "forms";
/// The pattern of target names delegated to [`FORMS_ROLE`].
pub const FORMS_PATHS: &str = "*";
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
