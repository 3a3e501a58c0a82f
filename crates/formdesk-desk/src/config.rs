//! The desk's configuration files. For now one: the municipality whose receipts the desk issues, as JSON:
//!
//! ```json
//! { "formatVersion": 1, "name": "Gemeinde Musterstadt",
//!   "address": ["Bürgerbüro, Rathausplatz 1", "12345 Musterstadt"], "logo": "wappen.png" }
//! ```
//!
//! `logo` (PNG or JPEG) is optional and relative to the file.

use crate::DeskError;
use formdesk_receipt::Municipality;
use serde::Deserialize;
use std::path::Path;

/// The version of the municipality file this desk reads.
pub const MUNICIPALITY_FORMAT: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MunicipalityFile {
    format_version: u32,
    name: String,
    address: Vec<String>,
    #[serde(default)]
    logo: Option<String>,
}

/// Reads the municipality file at `path`; every error names the file and what is wrong.
pub fn load_municipality(path: &Path) -> Result<Municipality, DeskError> {
    let bad = |why: String| DeskError::Config(format!("{}: {why}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot be read ({e})")))?;
    let file: MunicipalityFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if file.format_version != MUNICIPALITY_FORMAT {
        return Err(bad(format!(
            "formatVersion {} is not known to this Formdesk (it reads {MUNICIPALITY_FORMAT})",
            file.format_version
        )));
    }
    if file.name.trim().is_empty() {
        return Err(bad("name: the municipality needs a name".into()));
    }
    let logo = match &file.logo {
        Some(logo) => {
            let logo_path = path.parent().unwrap_or(Path::new(".")).join(logo);
            Some(
                std::fs::read(&logo_path)
                    .map_err(|e| bad(format!("logo {}: cannot be read ({e})", logo_path.display())))?,
            )
        }
        None => None,
    };
    Municipality::new(file.name.trim(), file.address, logo.as_deref()).map_err(|e| bad(e.to_string()))
}
