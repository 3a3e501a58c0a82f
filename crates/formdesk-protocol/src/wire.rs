//! The portal's HTTP API, version 1: its paths and JSON bodies.
//!
//! Modelled on the FIT-Connect Submission API: the desk announces a submission under an id of its own choice
//! with the ids of its attachments, uploads each attachment, then submits metadata and data. Every part is a
//! JWE for the destination's key; the portal stores and relays the text as it is.
//!
//! | call | auth | body → answer |
//! |---|---|---|
//! | `GET /healthz` | – | 200 once the database answers |
//! | `GET /v1/portal` | – | → [`PortalInfo`] |
//! | `POST /v1/enrolment` | – | [`EnrolRequest`] → [`EnrolResponse`] |
//! | `GET /v1/destinations` | device | → `[`[`Destination`]`]` |
//! | `PUT /v1/submissions/{id}` | device | [`Announce`] → 201 or 200 [`SubmissionStatus`] |
//! | `GET /v1/submissions/{id}` | device | → [`SubmissionStatus`] |
//! | `PUT /v1/submissions/{id}/attachments/{att}?offset=N&total=T` | device | bytes `N..` of the part → [`AttachmentStatus`] |
//! | `POST /v1/submissions/{id}/submit` | device | [`Submit`] → [`Submitted`] |
//!
//! Every step can be repeated: the same call with the same content answers as the first one did; the same id
//! with other content is a 409. An error answers with an [`ErrorBody`].

use serde::{Deserialize, Serialize};

/// The path of a submission.
pub fn submission_path(id: &str) -> String {
    format!("/v1/submissions/{id}")
}

/// The path to upload part of an attachment, starting at byte `offset` of a part of `total` bytes.
pub fn attachment_path(id: &str, attachment: &str, offset: u64, total: u64) -> String {
    format!("/v1/submissions/{id}/attachments/{attachment}?offset={offset}&total={total}")
}

/// The path that completes a submission.
pub fn submit_path(id: &str) -> String {
    format!("/v1/submissions/{id}/submit")
}

/// What every error answer says. The desk switches on `code`, and shows `message` to nobody but a log: its own
/// texts for the clerk are German.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// A stable code: `bad_request`, `unauthorized`, `not_found`, `conflict`, `incomplete`,
    /// `payload_too_large`, `unknown_destination`, `invalid_part` (a part that is not a JWE for the
    /// destination's key), `unavailable`, `internal`.
    pub code: String,
    /// What was wrong, in English, naming the field or id.
    pub message: String,
}

/// The portal's public facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalInfo {
    /// The API version the portal speaks.
    pub protocol_version: u32,
    /// The Ed25519 key that signs acceptances, base64url.
    pub portal_key: String,
}

/// A desk trades a one-time enrolment code for its registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnrolRequest {
    /// The code as the administrator handed it out (read leniently, see [`crate::ids`]).
    pub code: String,
    /// The desk's Ed25519 public key, base64url of 32 bytes.
    pub public_key: String,
}

/// The desk's registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrolResponse {
    /// The id the desk names in every request.
    pub device_id: String,
    /// The name the administrator gave the desk.
    pub name: String,
    /// The portal's acceptance key, base64url.
    pub portal_key: String,
}

/// An authority's department that receives submissions, and the key to seal for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    /// The destination's id, which forms name.
    pub id: String,
    /// Its name, for people.
    pub name: String,
    /// The key's id (`kid`), as the JWE headers carry it.
    pub key_id: String,
    /// The RSA public key as SubjectPublicKeyInfo DER, base64url.
    pub public_key: String,
}

/// Announces a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Announce {
    /// The destination it is for.
    pub destination_id: String,
    /// The ids of the attachments that will follow, in order.
    pub attachments: Vec<String>,
}

/// Where a submission stands at the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionStatus {
    /// The desk's id of it.
    pub id: String,
    /// The destination it is for.
    pub destination_id: String,
    /// `announced`, `submitted` (accepted, waiting for the authority) or `picked_up`.
    pub state: String,
    /// Each announced attachment.
    pub attachments: Vec<AttachmentStatus>,
    /// The signed acceptance, once submitted.
    pub acceptance: Option<String>,
}

/// How much of an attachment the portal has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentStatus {
    /// The attachment's id.
    pub id: String,
    /// Bytes received so far; an upload resumes here.
    pub received: u64,
    /// The size the desk announced with its first piece, once it sent one.
    pub total: Option<u64>,
    /// Whether all of it is there.
    pub complete: bool,
}

/// The 409 answer to a piece of an attachment that starts beyond the bytes the portal has: the error, and the
/// attachment's status, whose `received` is where the upload resumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadConflict {
    /// The error, as in every error answer (its members are at the top level of the JSON).
    #[serde(flatten)]
    pub error: ErrorBody,
    /// How much of the attachment the portal has.
    pub attachment: AttachmentStatus,
}

/// Completes a submission with its metadata and data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Submit {
    /// The metadata ([`crate::content::Metadata`]) as JWE.
    pub metadata: String,
    /// The data ([`crate::content::SubmissionData`]) as JWE.
    pub data: String,
}

/// The answer to a complete submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    /// The signed [`crate::acceptance::Acceptance`].
    pub acceptance: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_use_the_documented_names() {
        let announce: Announce =
            serde_json::from_str(r#"{"destinationId":"ordnungsamt","attachments":["a"]}"#).unwrap();
        assert_eq!(announce.destination_id, "ordnungsamt");
        let err = serde_json::from_str::<Announce>(r#"{"destination":"x","attachments":[]}"#).unwrap_err();
        assert!(err.to_string().contains("destination"), "{err}");
        assert_eq!(attachment_path("s", "a", 5, 9), "/v1/submissions/s/attachments/a?offset=5&total=9");
    }
}
