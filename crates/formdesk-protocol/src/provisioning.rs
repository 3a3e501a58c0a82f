//! The provisioning file: what an IT department hands a new desk so that it is set up for its municipality
//! without an address typed.
//!
//! `formdesk-portal devices enrol --provisioning FILE` writes one; the desk reads it at first start
//! (`formdesk --provision FILE`, or "Einrichtungsdatei wählen" in the setup). It names the portal, the tenant,
//! the root of the tenant's form channel (pinned from the file instead of from the enrolment answer), the key
//! that signs the app's updates, the desk's name and its one-time enrolment code with the code's expiry.
//!
//! The file holds a secret (the code) until it is used: the portal writes it readable by its owner only, and
//! the code works once. Versioned as `{"format": "formdesk-provisioning", "formatVersion": 1, …}`; a desk
//! refuses a file of another format or a newer version by name.

use serde::{Deserialize, Serialize};

/// The `format` member of every provisioning file.
pub const FORMAT: &str = "formdesk-provisioning";

/// The version of the provisioning file this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The largest provisioning file read, in bytes (a root with a few keys is a few KiB).
pub const MAX_LEN: usize = 256 * 1024;

/// A provisioning file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Provisioning {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] when written by this build.
    pub format_version: u32,
    /// The portal's address (an origin: `https://portal.example.de`).
    pub portal: String,
    /// The municipality (tenant) the desk belongs to.
    pub tenant: crate::wire::EnrolledTenant,
    /// The name the administrator gave the desk.
    pub device_name: String,
    /// The one-time enrolment code.
    pub code: String,
    /// When the code expires, Unix seconds.
    pub expires_at: i64,
    /// The root (`root.json`, as the portal serves it) of the tenant's form channel; absent when the portal
    /// has no form channel yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forms_root: Option<String>,
    /// The public key that signs the desk app's updates (a minisign key as `tauri signer generate` writes it,
    /// base64); absent when the portal hands out no app updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_update_key: Option<String>,
}

/// What is wrong with a provisioning file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProvisioningError {
    /// Not JSON, or not of the shape of a provisioning file.
    #[error("this is no Formdesk provisioning file ({0})")]
    NotProvisioning(String),
    /// Larger than [`MAX_LEN`].
    #[error("the file has {0} bytes; a provisioning file has at most {MAX_LEN}")]
    TooLarge(usize),
    /// Written by a newer Formdesk.
    #[error("the provisioning file has format version {0}; this desk reads version {FORMAT_VERSION}: update the app")]
    NewerVersion(u32),
    /// The enrolment code's time is over.
    #[error("the provisioning file expired at {0} (Unix time); ask the administrator for a new one")]
    Expired(i64),
}

impl Provisioning {
    /// Reads a provisioning file's bytes; checks the format and version, not the expiry.
    pub fn parse(bytes: &[u8]) -> Result<Provisioning, ProvisioningError> {
        if bytes.len() > MAX_LEN {
            return Err(ProvisioningError::TooLarge(bytes.len()));
        }
        // The format first, so that a newer file is named as such even where its members changed.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Head {
            format: String,
            format_version: u32,
        }
        let head: Head =
            serde_json::from_slice(bytes).map_err(|e| ProvisioningError::NotProvisioning(e.to_string()))?;
        if head.format != FORMAT {
            return Err(ProvisioningError::NotProvisioning(format!("format {:?}, expected {FORMAT:?}", head.format)));
        }
        if head.format_version > FORMAT_VERSION {
            return Err(ProvisioningError::NewerVersion(head.format_version));
        }
        let file: Provisioning =
            serde_json::from_slice(bytes).map_err(|e| ProvisioningError::NotProvisioning(e.to_string()))?;
        crate::ids::normalize_enrolment_code(&file.code)
            .map_err(|e| ProvisioningError::NotProvisioning(format!("code: {e}")))?;
        crate::ids::Ars::parse(&file.tenant.ars)
            .map_err(|e| ProvisioningError::NotProvisioning(format!("tenant: {e}")))?;
        if file.portal.trim().is_empty() {
            return Err(ProvisioningError::NotProvisioning("no portal address".into()));
        }
        Ok(file)
    }

    /// Refuses the file when its code expired before `now` (Unix seconds).
    pub fn check_current(&self, now: i64) -> Result<(), ProvisioningError> {
        if now >= self.expires_at {
            return Err(ProvisioningError::Expired(self.expires_at));
        }
        Ok(())
    }

    /// The file as written: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Provisioning {
        Provisioning {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            portal: "https://portal.example.de".into(),
            tenant: crate::wire::EnrolledTenant { ars: "057580012012".into(), name: "Stadt Herford".into() },
            device_name: "Bürgerbus 1".into(),
            code: "K7QF-3MZX-9RTA-W2HC".into(),
            expires_at: 1_800_000_000,
            forms_root: Some("{\"signed\":{}}".into()),
            app_update_key: Some("dW50cnVzdGVkIGNvbW1lbnQ6".into()),
        }
    }

    #[test]
    fn a_written_file_reads_back_the_same() {
        let file = sample();
        assert_eq!(Provisioning::parse(file.to_json().as_bytes()).unwrap(), file);
        let without_root = Provisioning { forms_root: None, app_update_key: None, ..sample() };
        assert!(!without_root.to_json().contains("formsRoot") && !without_root.to_json().contains("appUpdateKey"));
        assert_eq!(Provisioning::parse(without_root.to_json().as_bytes()).unwrap(), without_root);
    }

    #[test]
    fn an_expired_file_is_refused_from_its_expiry_on() {
        let file = sample();
        assert_eq!(file.check_current(1_799_999_999), Ok(()));
        assert_eq!(file.check_current(1_800_000_000), Err(ProvisioningError::Expired(1_800_000_000)));
    }

    #[test]
    fn other_files_are_refused_by_what_is_wrong() {
        let refuse = |text: &str| Provisioning::parse(text.as_bytes()).unwrap_err();
        assert!(matches!(refuse("not json"), ProvisioningError::NotProvisioning(_)));
        assert!(refuse(r#"{"format":"formdesk-forms-bundle","formatVersion":1}"#).to_string().contains("format"));
        let newer = sample().to_json().replace("\"formatVersion\": 1", "\"formatVersion\": 2");
        assert_eq!(refuse(&newer), ProvisioningError::NewerVersion(2));
        let bad_code = sample().to_json().replace("K7QF-3MZX-9RTA-W2HC", "nonsense");
        assert!(refuse(&bad_code).to_string().contains("code"), "{}", refuse(&bad_code));
        let bad_ars = sample().to_json().replace("057580012012", "99");
        assert!(refuse(&bad_ars).to_string().contains("tenant"));
        let unknown = sample().to_json().replace("\"portal\"", "\"smuggled\": 1, \"portal\"");
        assert!(matches!(refuse(&unknown), ProvisioningError::NotProvisioning(_)));
        assert_eq!(
            Provisioning::parse(&vec![b' '; MAX_LEN + 1]).unwrap_err(),
            ProvisioningError::TooLarge(MAX_LEN + 1)
        );
    }
}
