//! The desk's configuration files. For now one: the municipality whose receipts the desk issues, as JSON:
//!
//! ```json
//! { "formatVersion": 1, "name": "Gemeinde Musterstadt",
//!   "address": ["Bürgerbüro, Rathausplatz 1", "12345 Musterstadt"], "logo": "wappen.png" }
//! ```
//!
//! `logo` (PNG or JPEG) is optional and relative to the file. A form set may carry the same file with its
//! logo ([`municipality_from`]); the file given to the desk comes first.

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
    let file = parse(&text).map_err(bad)?;
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

/// A municipality file given as text with its logo's bytes, as a form set carries them (`name` names the
/// file in errors).
pub fn municipality_from(name: &str, text: &str, logo: Option<&[u8]>) -> Result<Municipality, DeskError> {
    let bad = |why: String| DeskError::Config(format!("{name}: {why}"));
    let file = parse(text).map_err(bad)?;
    Municipality::new(file.name.trim(), file.address, logo).map_err(|e| bad(e.to_string()))
}

fn parse(text: &str) -> Result<MunicipalityFile, String> {
    let file: MunicipalityFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if file.format_version != MUNICIPALITY_FORMAT {
        return Err(format!(
            "formatVersion {} is not known to this Formdesk (it reads {MUNICIPALITY_FORMAT})",
            file.format_version
        ));
    }
    if file.name.trim().is_empty() {
        return Err("name: the municipality needs a name".into());
    }
    Ok(file)
}
