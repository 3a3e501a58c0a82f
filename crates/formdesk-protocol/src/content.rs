//! What the desk seals for the authority, before it is sealed.
//!
//! A submission travels as three kinds of JWE: its [`Metadata`], its [`SubmissionData`] and one per
//! attachment (the file's bytes). As in FIT-Connect, the metadata describes the content structure and hashes
//! every other part's plaintext, so the authority can check that what it decrypted is what the desk sealed.
//! The portal never sees any of this in plaintext.

use serde::{Deserialize, Serialize};

/// The version of [`Metadata`] and [`SubmissionData`]. 2: the form is named by the SHA-256 of its text and of
/// the form set it came from ([`FormRef::sha256`], [`FormRef::set_sha256`]); version 1, without them, is
/// read the same way.
pub const CONTENT_VERSION: u32 = 2;

/// The submission's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// [`CONTENT_VERSION`].
    pub format_version: u32,
    /// The desk's id of the submission.
    pub submission_id: String,
    /// The authority it is for.
    pub destination_id: String,
    /// The form that was filled in.
    pub form: FormRef,
    /// The citizen's receipt reference (`HUND-7K3F-Q9XN`), which the citizen will quote.
    pub reference: String,
    /// When the clerk finalized it, RFC 3339 with the desk's offset.
    pub finalized_at: String,
    /// SHA-256 of the data's plaintext (the JSON bytes), lowercase hex.
    pub data_sha256: String,
    /// Every attachment, in announced order.
    pub attachments: Vec<AttachmentMeta>,
}

/// Which form, in which version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormRef {
    /// The form's id (`hundeanmeldung`).
    pub id: String,
    /// Its version.
    pub version: String,
    /// Its German title.
    pub title: String,
    /// SHA-256 of the form's definition as the desk used it (lowercase hex): exactly which text was filled
    /// in. Absent in version 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// SHA-256 of the manifest of the form set the definition came from (lowercase hex). Absent in version 1
    /// and from a desk without installed form sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_sha256: Option<String>,
}

/// What the authority needs to know of an attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentMeta {
    /// The attachment's id in the protocol.
    pub id: String,
    /// The file's name as attached.
    pub filename: String,
    /// Its media type.
    pub media_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// The submission's data: the answers as the form's engine keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionData {
    /// [`CONTENT_VERSION`].
    pub format_version: u32,
    /// The form that was filled in.
    pub form: FormRef,
    /// The answers, keyed by field id; files are named by their attachment id.
    pub answers: serde_json::Value,
    /// The clerk who finalized it.
    pub clerk: String,
    /// The citizen's language for the form, if not German.
    pub citizen_language: Option<String>,
}
