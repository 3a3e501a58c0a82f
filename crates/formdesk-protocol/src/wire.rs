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
//! | `POST /v1/forms/report` | device | [`FormsReport`] → [`FormsChannel`] |
//! | `POST /v1/audit` | device | [`crate::audit::Upload`] → [`crate::audit::Uploaded`] (409 `audit_fork`) |
//! | `GET /forms/v1/metadata/{file}`, `GET /forms/v1/targets/{file}` | – | the single form-update channel's files |
//! | `GET /forms/v1/t{ARS}/metadata/{file}`, `GET /forms/v1/t{ARS}/targets/{file}` | – | a tenant's channel's files |
//! | `GET /app/v1/{channel}/latest.json` | – | the desk app's update manifest (tauri-plugin-updater's JSON), 204 while none |
//! | `GET /app/v1/bundles/{file}` | – | a signed update bundle of the desk app (docs/app-updates.md) |
//!
//! The form-update channel (`formdesk-channel`) is The Update Framework: its metadata and files are signed
//! by the administrators and checked by the desk, so they are served to anyone without a device signature.
//! A desk learns the channel's root from its enrolment ([`EnrolResponse::forms_root`]) and reports the form
//! set it runs with [`FormsReport`]; the answer says which channel it reads. Each tenant has a repository of
//! its own (`/forms/v1/t<ARS>/`); the enrolment names the desk's tenant ([`EnrolResponse::tenant`]), and
//! the root is that repository's unless [`EnrolResponse::forms_shared`] says it is the portal's single one
//! (`/forms/v1/`, kept for the tenant adopted from a portal before tenants).
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

/// Reads `offset` and `total` from the query of an upload (`offset=N&total=T`, in any order, nothing else);
/// the error names what is wrong.
pub fn parse_upload_query(query: Option<&str>) -> Result<(u64, u64), String> {
    let (mut offset, mut total) = (None, None);
    for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let number =
            || value.parse::<u64>().map_err(|_| format!("query parameter {name}={value:?} is not a number of bytes"));
        match name {
            "offset" => offset = Some(number()?),
            "total" => total = Some(number()?),
            _ => return Err(format!("unknown query parameter {name:?}")),
        }
    }
    match (offset, total) {
        (Some(offset), Some(total)) => Ok((offset, total)),
        _ => Err("an upload needs the query parameters offset and total".to_owned()),
    }
}

/// The path that completes a submission.
pub fn submit_path(id: &str) -> String {
    format!("/v1/submissions/{id}/submit")
}

/// What every error answer says. The desk switches on `code`, and shows `message` to nobody but a log: its own
/// texts for the clerk are German.
///
/// The JSON is `{"code": "...", "message": "..."}`; the codes are the closed set of [`ErrorCode`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// What went wrong, as one of a fixed set of codes.
    pub code: ErrorCode,
    /// What was wrong, in English, naming the field or id.
    pub message: String,
}

/// The codes of error answers, written in snake case on the wire. A desk that meets a code it does not know
/// (from a newer portal, or a proxy's body that happens to parse) reads it as [`ErrorCode::Unknown`] and goes
/// by the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400 (405 for a method the path does not have): the request is malformed; the message names the field.
    BadRequest,
    /// 401: a signed request that is not signed as the protocol asks, by no device the portal knows, by a
    /// device that has not enrolled, or with a signature that does not verify.
    Unauthorized,
    /// 401: the request's time is more than [`crate::auth::MAX_CLOCK_SKEW`] seconds from the portal's clock;
    /// the desk's clock is wrong.
    ClockSkew,
    /// 401: the device was revoked by an administrator (on a signed request, or an enrolment with the code of
    /// a revoked device).
    DeviceRevoked,
    /// 401: nobody handed out this enrolment code at this portal.
    EnrolmentCodeUnknown,
    /// 401: the enrolment code expired before it was used; the administrator makes a new one.
    EnrolmentCodeExpired,
    /// 409: the enrolment code was already used, with another key.
    EnrolmentCodeUsed,
    /// 404: no such path, or no such submission of this device.
    NotFound,
    /// 409: the same id with other content, or a piece that does not continue where the portal stands.
    Conflict,
    /// 409: a submit before every attachment is complete; the message names the first one missing.
    Incomplete,
    /// 413: a body or part larger than the portal takes.
    PayloadTooLarge,
    /// 422: the destination is not known to the portal.
    UnknownDestination,
    /// 422: a part that is not a JWE for the destination's key.
    InvalidPart,
    /// 409: a desk's audit entries do not continue the chain the portal has of that desk (a restored backup,
    /// a rewritten log); nothing was appended.
    AuditFork,
    /// 503: the portal is over its limits of connections, requests or memory for bodies; try again after the
    /// `Retry-After` seconds.
    Busy,
    /// 503: the database cannot be used now.
    Unavailable,
    /// 500: the portal's database failed.
    Internal,
    /// A code this version of the protocol does not know.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The code as the wire writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::ClockSkew => "clock_skew",
            ErrorCode::DeviceRevoked => "device_revoked",
            ErrorCode::EnrolmentCodeUnknown => "enrolment_code_unknown",
            ErrorCode::EnrolmentCodeExpired => "enrolment_code_expired",
            ErrorCode::EnrolmentCodeUsed => "enrolment_code_used",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Incomplete => "incomplete",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnknownDestination => "unknown_destination",
            ErrorCode::InvalidPart => "invalid_part",
            ErrorCode::AuditFork => "audit_fork",
            ErrorCode::Busy => "busy",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::Unknown => "unknown",
        }
    }

    /// Every code, [`ErrorCode::Unknown`] last.
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::ClockSkew,
        ErrorCode::DeviceRevoked,
        ErrorCode::EnrolmentCodeUnknown,
        ErrorCode::EnrolmentCodeExpired,
        ErrorCode::EnrolmentCodeUsed,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::Incomplete,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnknownDestination,
        ErrorCode::InvalidPart,
        ErrorCode::AuditFork,
        ErrorCode::Busy,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
        ErrorCode::Unknown,
    ];
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads a code as the wire writes it; any other text is [`ErrorCode::Unknown`].
impl From<&str> for ErrorCode {
    fn from(text: &str) -> ErrorCode {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == text).unwrap_or(ErrorCode::Unknown)
    }
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
    /// The form-update channel's root metadata (`root.json`, as the portal serves it), which the desk pins;
    /// absent when the portal has no channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forms_root: Option<String>,
    /// The municipality (tenant) the desk belongs to from now on; absent from portals before tenants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<EnrolledTenant>,
    /// Whether [`EnrolResponse::forms_root`] is the root of the portal's single repository at `/forms/v1/`
    /// (its tenant has no repository of its own yet). Without it, a desk that learned its [`EnrolResponse::tenant`]
    /// reads its tenant's repository at `/forms/v1/t<ARS>/`; a desk that did not reads `/forms/v1/`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forms_shared: bool,
}

/// The tenant of an enrolled desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrolledTenant {
    /// Its regional key (ARS, 12 digits).
    pub ars: String,
    /// Its name ("Stadt Herford").
    pub name: String,
}

/// The path of the desk's report of its form set.
pub const FORMS_REPORT_PATH: &str = "/v1/forms/report";

/// What form set a desk runs, reported after each check of the form-update channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormsReport {
    /// The channel of the installed set's manifest (`pilot`, `all`, or `app` for the set the desk was built
    /// with).
    pub channel: String,
    /// The installed set's version (0 for the set the desk was built with).
    pub set_version: u64,
    /// SHA-256 (lowercase hex) of the installed manifest.
    pub manifest_sha256: String,
    /// When the installed set was published, as its manifest says (RFC 3339).
    pub published: String,
    /// Why the last check failed, if it did (the desk's sentence, for the administrators).
    #[serde(default)]
    pub error: Option<String>,
    /// The version of the desk app itself (`0.0.1`), for `formdesk-portal app status` and the console: ASCII,
    /// at most [`MAX_APP_VERSION_CHARS`] characters. A desk from before app updates leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
}

/// The most characters of [`FormsReport::app_version`].
pub const MAX_APP_VERSION_CHARS: usize = 64;

/// Which channel of the form-update channel a desk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FormsChannelName {
    /// The pilot desks, named by the administrators: they get a form set first.
    Pilot,
    /// Every desk (the default).
    All,
}

impl FormsChannelName {
    /// The name as the wire writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            FormsChannelName::Pilot => "pilot",
            FormsChannelName::All => "all",
        }
    }

    /// Reads a name as the wire writes it.
    pub fn parse(text: &str) -> Option<FormsChannelName> {
        match text {
            "pilot" => Some(FormsChannelName::Pilot),
            "all" => Some(FormsChannelName::All),
            _ => None,
        }
    }
}

/// The answer to a [`FormsReport`]: the channel the desk reads from now on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormsChannel {
    /// The channel the administrators put this desk in.
    pub channel: FormsChannelName,
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

    #[test]
    fn an_enrolment_answer_without_a_forms_root_reads_as_before() {
        let old = r#"{"deviceId":"d","name":"n","portalKey":"k"}"#;
        let answer: EnrolResponse = serde_json::from_str(old).unwrap();
        assert_eq!(answer.forms_root, None);
        assert_eq!(serde_json::to_string(&answer).unwrap(), old, "no formsRoot member when there is none");
        let with = EnrolResponse { forms_root: Some("{}".into()), ..answer };
        assert!(serde_json::to_string(&with).unwrap().contains(r#""formsRoot":"{}""#));
    }

    #[test]
    fn an_enrolment_answer_names_the_tenant_and_older_desks_read_it() {
        let answer = EnrolResponse {
            device_id: "d".into(),
            name: "n".into(),
            portal_key: "k".into(),
            forms_root: Some("{}".into()),
            tenant: Some(EnrolledTenant { ars: "057580012012".into(), name: "Stadt Herford".into() }),
            forms_shared: false,
        };
        let text = serde_json::to_string(&answer).unwrap();
        assert!(text.contains(r#""tenant":{"ars":"057580012012","name":"Stadt Herford"}"#), "{text}");
        assert!(!text.contains("formsShared"), "{text}");
        assert_eq!(serde_json::from_str::<EnrolResponse>(&text).unwrap(), answer);
        let shared = EnrolResponse { forms_shared: true, ..answer };
        assert!(serde_json::to_string(&shared).unwrap().contains(r#""formsShared":true"#));

        // What a desk before tenants reads of it: the members it knows; the rest is ignored.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code, reason = "read to show an older desk's type takes the answer")]
        struct Before {
            device_id: String,
            name: String,
            portal_key: String,
            forms_root: Option<String>,
        }
        let before: Before = serde_json::from_str(&text).unwrap();
        assert_eq!(before.forms_root.as_deref(), Some("{}"));
    }

    #[test]
    fn forms_reports_and_channels_use_the_documented_names() {
        let report: FormsReport = serde_json::from_str(
            r#"{"channel":"all","setVersion":3,"manifestSha256":"ab","published":"2026-12-01T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!((report.set_version, report.error), (3, None));
        let err = serde_json::from_str::<FormsReport>(
            r#"{"channel":"all","setVersion":3,"manifestSha256":"ab","published":"p","extra":1}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("extra"), "{err}");
        let answer = FormsChannel { channel: FormsChannelName::Pilot };
        assert_eq!(serde_json::to_string(&answer).unwrap(), r#"{"channel":"pilot"}"#);
        for name in [FormsChannelName::Pilot, FormsChannelName::All] {
            assert_eq!(FormsChannelName::parse(name.as_str()), Some(name));
            assert_eq!(serde_json::to_string(&name).unwrap(), format!("\"{}\"", name.as_str()));
        }
        assert_eq!(FormsChannelName::parse("beta"), None);
    }

    #[test]
    fn error_codes_are_snake_case_and_unknown_ones_are_read() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
            assert_eq!(ErrorCode::from(code.as_str()), code);
        }
        let body: ErrorBody = serde_json::from_str(r#"{"code":"teapot","message":"short and stout"}"#).unwrap();
        assert_eq!(body.code, ErrorCode::Unknown);
        let body = ErrorBody { code: ErrorCode::EnrolmentCodeUsed, message: "m".into() };
        assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"code":"enrolment_code_used","message":"m"}"#);
    }
}
