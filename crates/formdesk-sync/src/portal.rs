//! The HTTP client of one portal: enrolment, the destinations, the delivery of one submission, and the
//! form-update channel (its files over the same client, [`Portal::forms_source`], and the desk's report of the
//! form set it runs, [`Portal::report_forms`]).
//!
//! A delivery is the protocol's sequence, each step idempotent at the portal:
//!
//! 1. `PUT /v1/submissions/{id}` announces the submission with its attachment ids. The answer is the
//!    submission's status, the same as `GET` gives: how much of each attachment the portal has and, if an
//!    earlier attempt got as far, the signed acceptance (then the delivery is done).
//! 2. Each incomplete attachment is uploaded in pieces ([`PortalOptions::piece_size`]) from where the portal
//!    stands. A 409 carries the attachment's status; the upload resumes at its `received`.
//! 3. `POST …/submit` sends metadata and data and gets the signed acceptance, which is checked against what
//!    was sent ([`crate::acceptance`]). If that answer is lost, the submission's status is read once more: the
//!    portal may have it complete, with the acceptance.
//!
//! Any step whose answer is lost simply fails the attempt as transient; the next attempt repeats from step 1.
//!
//! Every request but enrolment and `/healthz` is signed with the device key over its method, the exact path
//! and query, the time and the body sent (`formdesk_protocol::auth`). The key is handed in after the desk is
//! unlocked and taken away when it locks; without it, nothing is sent.
//!
//! Only `https://host[:port]` is used, with the system's trusted certificates; plain `http://` only for this
//! machine itself (127.0.0.0/8, ::1, localhost), where nothing crosses a network. No redirects are followed: a
//! signed request belongs to the address it was signed for.
//!
//! Non-goals: retries and their timing (the engine), storing anything.

use crate::acceptance::{Delivered, check_acceptance};
use crate::clock::{Clock, SystemClock};
use crate::engine::Courier;
use crate::failure::{DeliveryError, Refusal, Unreachable, classify, error_code, shorten};
use crate::outbox::{Entry, Parts};
use crate::{AddressProblem, EnrolFailure, SyncError};
use formdesk_protocol::auth::{authorize, check_public_key};
use formdesk_protocol::wire::{
    Announce, AttachmentStatus, Destination, EnrolRequest, EnrolResponse, ErrorCode, FORMS_REPORT_PATH, FormsChannel,
    FormsChannelName, FormsReport, SubmissionStatus, Submit, Submitted, UploadConflict, attachment_path,
    submission_path, submit_path,
};
use formdesk_protocol::{decode_base64url, encode_base64url, ids};
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use ring::signature::Ed25519KeyPair;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How the client talks to the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalOptions {
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long one request may take from start to the end of its answer.
    pub request_timeout: Duration,
    /// The size of the pieces an attachment is uploaded in, in bytes.
    pub piece_size: usize,
    /// Certificate authorities (PEM) trusted for the portal's HTTPS on top of the system's: a
    /// municipality's own, when the desk's operating system does not trust it (or through `SSL_CERT_FILE`).
    pub extra_roots_pem: Vec<u8>,
    /// The desk app's version, sent with every report of the form set (`None` outside the app).
    pub app_version: Option<String>,
}

impl Default for PortalOptions {
    fn default() -> PortalOptions {
        PortalOptions {
            connect_timeout: Duration::from_secs(10),
            // A piece of 1 MiB takes some 10 s on a poor mobile connection; 60 s leaves room without leaving a
            // dead connection unnoticed for long.
            request_timeout: Duration::from_secs(60),
            piece_size: 1024 * 1024,
            extra_roots_pem: Vec::new(),
            app_version: None,
        }
    }
}

/// How often one upload takes the portal's word where to resume before it gives up: a portal that keeps
/// contradicting itself would otherwise keep the desk busy forever.
const MAX_RESUMES: u64 = 8;

/// Checks a portal address and returns its origin (`https://host[:port]`) and whether it is plain http to
/// this machine. An address typed without a protocol (`portal.example.de`) means https.
pub fn check_base_url(text: &str) -> Result<(String, bool), SyncError> {
    let refuse = |problem: AddressProblem| SyncError::Address { url: text.trim().to_owned(), problem };
    let trimmed = text.trim();
    let full = if trimmed.contains("://") { trimmed.to_owned() } else { format!("https://{trimmed}") };
    let url = reqwest::Url::parse(&full).map_err(|_| refuse(AddressProblem::NotAnAddress))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(AddressProblem::Credentials));
    }
    // The portal's paths start at the root, and each request is signed over the path the portal sees: a
    // prefix would either miss its routes or, stripped by a proxy, break every signature.
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(refuse(AddressProblem::Path));
    }
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| refuse(AddressProblem::NoHost))?;
    let loopback = match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    };
    match url.scheme() {
        "https" => Ok((url.origin().ascii_serialization(), false)),
        "http" if loopback => Ok((url.origin().ascii_serialization(), true)),
        "http" => Err(refuse(AddressProblem::PlainHttp)),
        other => Err(refuse(AddressProblem::Scheme(other.to_owned()))),
    }
}

/// An answer, read whole: the portal's answers are small JSON.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Answer {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, DeliveryError> {
        if !self.ok() {
            return Err(classify(self.status, &self.body));
        }
        // Whatever answered is not speaking the protocol: a captive portal or a proxy in between, most likely,
        // which passes.
        serde_json::from_slice(&self.body).map_err(|e| {
            DeliveryError::Unavailable(format!(
                "the answer to {what} (HTTP {}) is not what the protocol says: {e}: {}",
                self.status,
                shorten(&String::from_utf8_lossy(&self.body))
            ))
        })
    }
}

/// The connection to one portal address, without any device.
#[derive(Debug, Clone)]
struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    fn new(base_url: &str, options: &PortalOptions) -> Result<Http, SyncError> {
        let (base, plain_loopback) = check_base_url(base_url)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("formdesk-sync/", env!("CARGO_PKG_VERSION")))
            .https_only(!plain_loopback);
        if plain_loopback {
            // A proxy from the environment has no business with this machine's own ports.
            builder = builder.no_proxy();
        }
        if !options.extra_roots_pem.is_empty() {
            let roots = reqwest::Certificate::from_pem_bundle(&options.extra_roots_pem)
                .map_err(|e| SyncError::Client(format!("the extra certificate authorities: {}", error_chain(&e))))?;
            if roots.is_empty() {
                return Err(SyncError::Client("the extra certificate authorities hold no PEM certificate".into()));
            }
            for root in roots {
                builder = builder.add_root_certificate(root);
            }
        }
        let client = builder.build().map_err(|e| SyncError::Client(error_chain(&e)))?;
        Ok(Http { client, base })
    }

    /// The origin requests go to.
    fn base(&self) -> &str {
        &self.base
    }

    async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<(Vec<u8>, &'static str)>,
        authorization: Option<String>,
    ) -> Result<Answer, DeliveryError> {
        let mut request = self.client.request(method, format!("{}{path_and_query}", self.base));
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value);
        }
        if let Some((bytes, content_type)) = body {
            request = request.header(CONTENT_TYPE, content_type).body(bytes);
        }
        let response = request.send().await.map_err(|e| transport(&e))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| transport(&e))?;
        Ok(Answer { status, body: body.to_vec() })
    }
}

/// reqwest's own text only says that sending failed; the chain of sources says why (refused, reset, timed
/// out).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

fn transport(error: &reqwest::Error) -> DeliveryError {
    let text = shorten(&error_chain(error));
    if error.is_timeout() {
        DeliveryError::Unreachable(Unreachable::Network, format!("no answer in time: {text}"))
    } else if error.is_builder() {
        DeliveryError::Unavailable(text)
    } else {
        // A certificate that is not trusted is transient as far as the engine goes (a hotel's login page in
        // between passes), but said plainly: it is what an administrator must fix when the portal's certificate
        // is wrong or its issuer not trusted.
        DeliveryError::Unreachable(unreachable_kind(error), text)
    }
}

/// Whether TLS failed on the way, and how: found among the error's sources (rustls's error travels inside an
/// `io::Error`).
fn unreachable_kind(error: &(dyn std::error::Error + 'static)) -> Unreachable {
    let tls_kind = |e: &rustls::Error| match e {
        rustls::Error::InvalidCertificate(_) => Unreachable::Certificate,
        _ => Unreachable::NotSecure,
    };
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return tls_kind(tls);
        }
        if let Some(tls) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return tls_kind(tls);
        }
        current = e.source();
    }
    // Between reqwest and rustls the error may travel boxed in a way no downcast sees through; rustls's own
    // texts then still tell a certificate from a handshake that failed.
    let text = error_chain(error);
    if text.contains("invalid peer certificate") {
        Unreachable::Certificate
    } else if ["corrupt message", "received fatal alert", "peer is incompatible", "peer misbehaved"]
        .iter()
        .any(|t| text.contains(t))
    {
        Unreachable::NotSecure
    } else {
        Unreachable::Network
    }
}

fn json_body<T: Serialize>(value: &T) -> Option<(Vec<u8>, &'static str)> {
    // The protocol's bodies are plain structs of strings; serializing them cannot fail.
    Some((serde_json::to_vec(value).unwrap_or_default(), "application/json"))
}

/// Why the desk's report of its form set did not reach the portal. What the clerk or the log reads first is
/// one of our German sentences ([`FormsReportError::reason`]); what the libraries or the portal said is the
/// [`FormsReportError::detail`]. The failed call's kind is the [`DeliveryError`] inside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", report_sentence(&self.0))]
pub struct FormsReportError(pub DeliveryError);

fn report_sentence(e: &DeliveryError) -> &'static str {
    match e {
        DeliveryError::Unreachable(Unreachable::Network, _) => {
            "Das Portal ist nicht erreichbar; der Formularstand wird später gemeldet."
        }
        DeliveryError::Unreachable(Unreachable::Certificate, _) => {
            "Das Zertifikat des Portals wird auf diesem Arbeitsplatz nicht anerkannt; der Formularstand wird später \
             gemeldet. Bitte verständigen Sie die IT-Betreuung."
        }
        DeliveryError::Unreachable(Unreachable::NotSecure, _) => {
            "Mit dem Portal ist keine sichere Verbindung möglich; der Formularstand wird später gemeldet. Bitte \
             verständigen Sie die IT-Betreuung."
        }
        DeliveryError::Unavailable(_) => {
            "Das Portal kann den Formularstand gerade nicht annehmen; er wird später gemeldet."
        }
        DeliveryError::ClockSkew(_) => {
            "Datum oder Uhrzeit dieses Arbeitsplatzes weichen zu weit von denen des Portals ab. Bitte lassen Sie die \
             Uhr richtig stellen."
        }
        DeliveryError::Unenrolled(_) => {
            "Dieser Arbeitsplatz ist beim Portal nicht (mehr) angemeldet. Bitte wenden Sie sich an die Verwaltung \
             des Portals."
        }
        DeliveryError::Refused(..) | DeliveryError::BadAcceptance(_) => {
            "Das Portal hat die Meldung des Formularstands abgelehnt."
        }
        DeliveryError::Locked => "Der Arbeitsplatz ist gesperrt; der Formularstand wird nach dem Entsperren gemeldet.",
    }
}

impl FormsReportError {
    /// One of our German sentences, chosen by the kind of failure.
    pub fn reason(&self) -> String {
        self.to_string()
    }

    /// What the libraries or the portal said, for the log.
    pub fn detail(&self) -> &str {
        self.0.detail()
    }

    /// Whether the portal could not be reached at all.
    pub fn is_unreachable(&self) -> bool {
        self.0.is_unreachable()
    }
}

/// The report of an installed form set, with the error of the last check if it failed (its German sentence,
/// which the administrators read in `formdesk-portal forms status`).
pub fn forms_report(set: &formdesk_channel::Installed, error: Option<String>) -> FormsReport {
    FormsReport {
        channel: set.manifest.channel.clone(),
        set_version: set.manifest.set_version,
        manifest_sha256: set.sha256.clone(),
        published: set.manifest.published.clone(),
        error,
        app_version: None,
    }
}

/// One enrolled desk's client of its portal.
pub struct Portal {
    http: Http,
    device_id: String,
    portal_key: Vec<u8>,
    key: RwLock<Option<Arc<Ed25519KeyPair>>>,
    piece_size: usize,
    clock: Arc<dyn Clock>,
    app_version: Option<String>,
}

impl std::fmt::Debug for Portal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Portal")
            .field("base", &self.http.base)
            .field("device_id", &self.device_id)
            .field("locked", &self.is_locked())
            .field("piece_size", &self.piece_size)
            .finish_non_exhaustive()
    }
}

impl Portal {
    /// Trades an enrolment code for the desk's registration; `public_key` is the desk's Ed25519 public key (32
    /// bytes). The only call without a signature. The registration names the desk's tenant and carries the
    /// root of its repository of the form-update channel, if there is one, for the desk to pin
    /// ([`crate::forms::pin_enrolment`]).
    pub async fn enrol(
        base_url: &str,
        code: &str,
        public_key: &[u8],
        options: &PortalOptions,
    ) -> Result<EnrolResponse, SyncError> {
        let http = Http::new(base_url, options)?;
        check_public_key(public_key).map_err(|e| SyncError::Registration(format!("the device key: {e}")))?;
        let code = ids::normalize_enrolment_code(code).map_err(|e| SyncError::Code(e.to_string()))?;
        let request = EnrolRequest { code, public_key: encode_base64url(public_key) };
        let url = http.base().to_owned();
        let enrolment =
            |failure: EnrolFailure, detail: String| SyncError::Enrolment { url: url.clone(), failure, detail };
        let answer = match http.send(Method::POST, "/v1/enrolment", json_body(&request), None).await {
            Ok(answer) => answer,
            Err(e) => {
                let failure = match &e {
                    DeliveryError::Unreachable(Unreachable::Certificate, _) => EnrolFailure::Certificate,
                    DeliveryError::Unreachable(Unreachable::NotSecure, _) => EnrolFailure::NotSecure,
                    DeliveryError::Unreachable(Unreachable::Network, _) => EnrolFailure::Unreachable,
                    _ => EnrolFailure::NotAPortal,
                };
                return Err(enrolment(failure, e.detail().to_owned()));
            }
        };
        if !answer.ok() {
            let code = error_code(&answer.body);
            let failure = match (answer.status, code) {
                (_, Some(ErrorCode::EnrolmentCodeUnknown)) => EnrolFailure::UnknownCode,
                (_, Some(ErrorCode::EnrolmentCodeExpired)) => EnrolFailure::ExpiredCode,
                (_, Some(ErrorCode::EnrolmentCodeUsed)) => EnrolFailure::UsedCode,
                (_, Some(ErrorCode::DeviceRevoked)) => EnrolFailure::Revoked,
                // A portal of before these codes says only "unauthorized" for all three.
                (401, Some(_)) => EnrolFailure::UnknownCode,
                (409, Some(_)) => EnrolFailure::UsedCode,
                (408 | 429 | 500..=599, _) => EnrolFailure::Unavailable,
                (_, Some(_)) => EnrolFailure::Refused,
                (_, None) => EnrolFailure::NotAPortal,
            };
            return Err(enrolment(failure, classify(answer.status, &answer.body).detail().to_owned()));
        }
        let registration: EnrolResponse =
            answer.json("the enrolment").map_err(|e| enrolment(EnrolFailure::NotAPortal, e.detail().to_owned()))?;
        ids::check_uuid("device id", &registration.device_id).map_err(|e| SyncError::Registration(e.to_string()))?;
        let key = decode_base64url(&registration.portal_key)
            .ok_or_else(|| SyncError::Registration("the portal key is not base64url".into()))?;
        check_public_key(&key).map_err(|e| SyncError::Registration(format!("the portal key: {e}")))?;
        if registration.forms_root.as_ref().is_some_and(|root| serde_json::from_str::<serde_json::Value>(root).is_err())
        {
            return Err(SyncError::Registration("the form channel's root is not JSON".into()));
        }
        if let Some(tenant) = &registration.tenant {
            ids::Ars::parse(&tenant.ars).map_err(|e| SyncError::Registration(format!("the tenant: {e}")))?;
        }
        Ok(registration)
    }

    /// The client of the portal at `base_url` for the enrolled device `device_id`, which checks acceptances with
    /// `portal_key` (the 32-byte Ed25519 key from the enrolment). It starts locked.
    pub fn new(
        base_url: &str,
        device_id: &str,
        portal_key: &[u8],
        options: PortalOptions,
    ) -> Result<Portal, SyncError> {
        ids::check_uuid("device id", device_id).map_err(|e| SyncError::Registration(e.to_string()))?;
        check_public_key(portal_key).map_err(|e| SyncError::Registration(format!("the portal key: {e}")))?;
        Ok(Portal {
            http: Http::new(base_url, &options)?,
            device_id: device_id.to_owned(),
            portal_key: portal_key.to_vec(),
            key: RwLock::new(None),
            piece_size: options.piece_size.max(1),
            clock: Arc::new(SystemClock),
            app_version: options.app_version,
        })
    }

    /// The same client with another clock for the time its requests are signed at.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Portal {
        self.clock = clock;
        self
    }

    /// The portal's origin, `https://host[:port]`.
    pub fn base_url(&self) -> &str {
        &self.http.base
    }

    /// The device's id at the portal.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Hands in the device key after the desk was unlocked.
    pub fn unlock(&self, key: Arc<Ed25519KeyPair>) {
        self.set_key(Some(key));
    }

    /// Takes the device key away when the desk locks: from now on nothing is sent, and a delivery under way
    /// stops at its next request.
    pub fn lock(&self) {
        self.set_key(None);
    }

    fn set_key(&self, key: Option<Arc<Ed25519KeyPair>>) {
        // A poisoned lock only means a panic elsewhere while holding it; the slot itself is always whole.
        let mut slot = self.key.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = key;
    }

    fn key(&self) -> Option<Arc<Ed25519KeyPair>> {
        self.key.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Whether the client has no key and so sends nothing.
    pub fn is_locked(&self) -> bool {
        self.key().is_none()
    }

    async fn signed(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<(Vec<u8>, &'static str)>,
    ) -> Result<Answer, DeliveryError> {
        let key = self.key().ok_or(DeliveryError::Locked)?;
        let bytes = body.as_ref().map_or(&[][..], |(bytes, _)| bytes.as_slice());
        let authorization = authorize(&key, &self.device_id, method.as_str(), path_and_query, self.clock.now(), bytes);
        drop(key);
        self.http.send(method, path_and_query, body, Some(authorization)).await
    }

    /// Answers once the portal does (`GET /healthz`, no signature).
    pub async fn healthz(&self) -> Result<(), DeliveryError> {
        let answer = self.http.send(Method::GET, "/healthz", None, None).await?;
        if answer.ok() { Ok(()) } else { Err(classify(answer.status, &answer.body)) }
    }

    /// Uploads the desk's audit entries after the last acknowledged one (`POST /v1/audit`) and returns the
    /// last seq the portal has of this desk. Entries that do not continue the portal's chain are refused
    /// (409 `audit_fork`), and nothing is appended.
    pub async fn upload_audit(&self, entries: Vec<formdesk_protocol::audit::Entry>) -> Result<u64, DeliveryError> {
        use formdesk_protocol::audit::{UPLOAD_PATH, Upload, UploadEntry, Uploaded};
        let upload = Upload { entries: entries.into_iter().map(UploadEntry::from).collect() };
        let answer = self.signed(Method::POST, UPLOAD_PATH, json_body(&upload)).await?;
        let uploaded: Uploaded = answer.json("the audit upload")?;
        Ok(uploaded.seq)
    }

    /// The destinations the portal knows, with their keys.
    pub async fn destinations(&self) -> Result<Vec<Destination>, DeliveryError> {
        self.signed(Method::GET, "/v1/destinations", None).await?.json("the destinations")
    }

    /// Reports the form set the desk runs (see [`forms_report`]) and returns the channel the administrators put
    /// the desk in, which its next check reads.
    /// The report names the app's version ([`PortalOptions::app_version`]) unless it names one itself.
    pub async fn report_forms(&self, report: &FormsReport) -> Result<formdesk_channel::Channel, FormsReportError> {
        let mut report = report.clone();
        if report.app_version.is_none() {
            report.app_version.clone_from(&self.app_version);
        }
        let answer =
            self.signed(Method::POST, FORMS_REPORT_PATH, json_body(&report)).await.map_err(FormsReportError)?;
        let channel: FormsChannel = answer.json("the report of the form set").map_err(FormsReportError)?;
        Ok(match channel.channel {
            FormsChannelName::Pilot => formdesk_channel::Channel::Pilot,
            FormsChannelName::All => formdesk_channel::Channel::All,
        })
    }

    /// Where the desk reads the repository `scope` of the portal's form-update channel (its tenant's, as the
    /// form store says, or the single one): over this client (its certificates, its timeouts, no redirects).
    /// The files need no signature; TUF's metadata is signed itself.
    pub fn forms_source(
        &self,
        scope: formdesk_channel::Scope,
    ) -> Result<formdesk_channel::Source, formdesk_channel::ChannelError> {
        formdesk_channel::Source::portal_of(self.http.client.clone(), &self.http.base, scope)
    }

    /// The portal's status of submission `id`; `None` if it does not know it.
    pub async fn submission(&self, id: &str) -> Result<Option<SubmissionStatus>, DeliveryError> {
        let answer = self.signed(Method::GET, &submission_path(id), None).await?;
        if answer.status == 404 {
            return Ok(None);
        }
        answer.json("the submission's status").map(Some)
    }

    /// Delivers one submission, or takes up an earlier attempt where it stopped; see the module's description.
    pub async fn deliver(&self, entry: &Entry, parts: &Parts) -> Result<Delivered, DeliveryError> {
        let id = &entry.submission_id;
        let announce = Announce {
            destination_id: entry.destination_id.clone(),
            attachments: parts.attachments.iter().map(|(attachment, _)| attachment.clone()).collect(),
        };
        let status: SubmissionStatus =
            self.signed(Method::PUT, &submission_path(id), json_body(&announce)).await?.json("the announcement")?;
        if let Some(signed) = &status.acceptance {
            return self.check(signed, entry, parts);
        }
        for (attachment, jwe) in &parts.attachments {
            match status.attachments.iter().find(|a| &a.id == attachment) {
                Some(known) if known.complete => {}
                Some(known) => {
                    self.upload(id, attachment, jwe, known.received).await?;
                }
                None => {
                    return Err(DeliveryError::Refused(
                        Refusal::Incomplete,
                        format!("attachment {attachment} is missing from the portal's status of submission {id}"),
                    ));
                }
            }
        }
        let submit = Submit { metadata: parts.metadata.clone(), data: parts.data.clone() };
        let submitted = self.signed(Method::POST, &submit_path(id), json_body(&submit)).await;
        match submitted.and_then(|answer| answer.json::<Submitted>("the submission")) {
            Ok(submitted) => self.check(&submitted.acceptance, entry, parts),
            Err(lost) if lost.is_unreachable() => {
                // The portal may have taken the submission and only its answer was lost; then its status holds
                // the acceptance, and there is nothing left to repeat.
                match self.submission(id).await {
                    Ok(Some(SubmissionStatus { acceptance: Some(signed), .. })) => self.check(&signed, entry, parts),
                    _ => Err(lost),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Uploads attachment `attachment` (the JWE text `jwe`) of submission `id` from byte `from` on, in pieces;
    /// on a 409 it resumes where the portal says it stands. Returns the portal's status of the complete part.
    pub async fn upload(
        &self,
        id: &str,
        attachment: &str,
        jwe: &str,
        from: u64,
    ) -> Result<AttachmentStatus, DeliveryError> {
        let bytes = jwe.as_bytes();
        let total = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let piece = u64::try_from(self.piece_size).unwrap_or(u64::MAX);
        let mut offset = from.min(total);
        let mut resumes = 0;
        // Every round either moves forward by a piece or uses up one resume, so this many rounds suffice.
        let rounds = total / piece + 2 + MAX_RESUMES;
        for _ in 0..rounds {
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
            let end = start.saturating_add(self.piece_size).min(bytes.len());
            let path = attachment_path(id, attachment, offset, total);
            let body = Some((bytes[start..end].to_vec(), "application/octet-stream"));
            let answer = self.signed(Method::PUT, &path, body).await?;
            let status = match answer.status {
                409 => match serde_json::from_slice::<UploadConflict>(&answer.body) {
                    Ok(conflict) => {
                        resumes += 1;
                        if resumes > MAX_RESUMES {
                            break;
                        }
                        conflict.attachment
                    }
                    // A 409 without the attachment's status: the bytes differ from what the portal has.
                    Err(_) => return Err(classify(409, &answer.body)),
                },
                _ => answer.json::<AttachmentStatus>("a piece of an attachment")?,
            };
            if status.complete {
                return Ok(status);
            }
            if status.received <= offset && answer.ok() {
                // Stored, but no further: the portal contradicts itself. Count it like a resume.
                resumes += 1;
                if resumes > MAX_RESUMES {
                    break;
                }
            }
            offset = status.received.min(total);
        }
        Err(DeliveryError::Refused(
            Refusal::Incomplete,
            format!("attachment {attachment} of submission {id}: the portal's answers did not lead to a complete part"),
        ))
    }

    fn check(&self, signed: &str, entry: &Entry, parts: &Parts) -> Result<Delivered, DeliveryError> {
        check_acceptance(signed, &self.portal_key, &self.device_id, entry, parts)
    }
}

impl Courier for Portal {
    fn has_key(&self) -> bool {
        !self.is_locked()
    }

    fn set_key(&self, key: Option<Arc<Ed25519KeyPair>>) {
        Portal::set_key(self, key);
    }

    async fn deliver(&self, entry: &Entry, parts: &Parts) -> Result<Delivered, DeliveryError> {
        Portal::deliver(self, entry, parts).await
    }

    async fn probe(&self) -> Result<(), DeliveryError> {
        self.healthz().await
    }

    async fn upload_audit(&self, entries: Vec<formdesk_protocol::audit::Entry>) -> Result<Option<u64>, DeliveryError> {
        Portal::upload_audit(self, entries).await.map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_plain_http_only_to_this_machine() {
        assert_eq!(
            check_base_url("https://portal.musterstadt.de").unwrap(),
            ("https://portal.musterstadt.de".into(), false)
        );
        assert_eq!(
            check_base_url("https://portal.musterstadt.de:8443/").unwrap().0,
            "https://portal.musterstadt.de:8443"
        );
        for loopback in
            ["http://127.0.0.1:8440", "http://127.3.4.5", "http://[::1]:80/", "http://localhost:1", "http://LOCALHOST"]
        {
            let (base, plain) = check_base_url(loopback).unwrap();
            assert!(plain, "{loopback}");
            assert!(base.starts_with("http://"), "{base}");
        }
        for remote in [
            "http://portal.musterstadt.de",
            "http://10.0.0.1:8440",
            "http://192.168.1.1",
            "http://[::2]",
            "http://128.0.0.1",
            "http://localhost.musterstadt.de",
        ] {
            let err = check_base_url(remote).unwrap_err();
            assert!(matches!(&err, SyncError::Address { problem: AddressProblem::PlainHttp, .. }), "{remote}: {err:?}");
            assert!(err.to_string().contains("mit https:// an"), "{err}");
            // The client refuses before it sends anything.
            let err = Portal::new(remote, "1b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41", &[0; 32], PortalOptions::default())
                .unwrap_err();
            assert!(matches!(err, SyncError::Address { .. }), "{remote}");
        }
    }

    #[test]
    fn addresses_with_more_than_an_origin_are_refused() {
        for (bad, problem, says) in [
            ("https://portal.musterstadt.de/formdesk", AddressProblem::Path, "ohne etwas dahinter"),
            ("https://portal.musterstadt.de/?x=1", AddressProblem::Path, "ohne etwas dahinter"),
            ("https://user:pw@portal.musterstadt.de", AddressProblem::Credentials, "Benutzernamen"),
            ("ftp://portal.musterstadt.de", AddressProblem::Scheme("ftp".into()), "„ftp:“"),
            ("portal musterstadt", AddressProblem::NotAnAddress, "„portal musterstadt“ ist keine gültige Adresse"),
            ("https://", AddressProblem::NotAnAddress, "keine gültige Adresse"),
        ] {
            let err = check_base_url(bad).unwrap_err();
            assert!(matches!(&err, SyncError::Address { problem: p, .. } if *p == problem), "{bad}: {err:?}");
            assert!(err.to_string().contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn an_address_without_a_protocol_means_https() {
        assert_eq!(check_base_url(" portal.musterstadt.de ").unwrap(), ("https://portal.musterstadt.de".into(), false));
        assert_eq!(check_base_url("localhost:8440").unwrap(), ("https://localhost:8440".into(), false));
        assert_eq!(check_base_url("portal.musterstadt.de:8443/").unwrap().0, "https://portal.musterstadt.de:8443");
    }

    #[test]
    fn registration_values_are_checked() {
        let base = "http://127.0.0.1:9";
        assert!(matches!(
            Portal::new(base, "not-a-uuid", &[0; 32], PortalOptions::default()),
            Err(SyncError::Registration(_))
        ));
        assert!(matches!(
            Portal::new(base, "1b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41", &[0; 31], PortalOptions::default()),
            Err(SyncError::Registration(_))
        ));
        let portal =
            Portal::new(base, "1b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41", &[0; 32], PortalOptions::default()).unwrap();
        assert!(portal.is_locked());
        assert_eq!(portal.base_url(), "http://127.0.0.1:9");
    }

    #[tokio::test]
    async fn a_locked_client_sends_nothing() {
        // Port 9 (discard) on loopback: were anything sent, this would fail as unreachable, not as locked.
        let portal = Portal::new(
            "http://127.0.0.1:9",
            "1b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41",
            &[0; 32],
            PortalOptions::default(),
        )
        .unwrap();
        assert_eq!(portal.destinations().await, Err(DeliveryError::Locked));
        let entry = Entry {
            submission_id: "0b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41".into(),
            destination_id: "amt".into(),
            attempts: 0,
        };
        let parts = Parts { metadata: "m".into(), data: "d".into(), attachments: vec![] };
        assert_eq!(portal.deliver(&entry, &parts).await, Err(DeliveryError::Locked));
    }

    #[test]
    fn every_failed_report_is_told_in_german() {
        let kinds = [
            DeliveryError::Unreachable(Unreachable::Network, "connection refused".into()),
            DeliveryError::Unreachable(Unreachable::Certificate, "invalid peer certificate".into()),
            DeliveryError::Unreachable(Unreachable::NotSecure, "corrupt message".into()),
            DeliveryError::Unavailable("HTTP 503".into()),
            DeliveryError::ClockSkew("HTTP 401, clock_skew".into()),
            DeliveryError::Unenrolled("HTTP 401, device_revoked".into()),
            DeliveryError::Refused(Refusal::Malformed, "HTTP 400, bad_request: manifestSha256".into()),
            DeliveryError::BadAcceptance("x".into()),
            DeliveryError::Locked,
        ];
        for kind in kinds {
            let e = FormsReportError(kind.clone());
            assert!(e.reason().contains("Formularstand") || e.reason().contains("Portal"), "{}", e.reason());
            assert!(!e.reason().contains("Sendung"), "a report is not a submission: {}", e.reason());
            assert_eq!(e.detail(), kind.detail());
            if !kind.detail().is_empty() {
                assert!(!e.reason().contains(kind.detail()), "the library's text stays in the log: {}", e.reason());
            }
        }
    }

    #[tokio::test]
    async fn a_locked_client_reports_nothing() {
        let portal = Portal::new(
            "http://127.0.0.1:9",
            "1b7e3c52-6d1f-4a5e-9c3b-2f8d7a6e5b41",
            &[0; 32],
            PortalOptions::default(),
        )
        .unwrap();
        let report = FormsReport {
            channel: "app".into(),
            set_version: 0,
            manifest_sha256: "0".repeat(64),
            published: "2026-12-01T00:00:00Z".into(),
            error: None,
            app_version: None,
        };
        assert_eq!(portal.report_forms(&report).await, Err(FormsReportError(DeliveryError::Locked)));
        assert!(portal.forms_source(formdesk_channel::Scope::Shared).is_ok());
    }

    #[tokio::test]
    async fn an_enrolment_code_is_checked_before_it_is_sent() {
        let err = Portal::enrol("http://127.0.0.1:9", "ABCD", &[0; 32], &PortalOptions::default()).await.unwrap_err();
        assert!(matches!(err, SyncError::Code(_)), "{err:?}");
        let err =
            Portal::enrol("http://portal.example", "ABCD", &[0; 32], &PortalOptions::default()).await.unwrap_err();
        assert!(matches!(err, SyncError::Address { .. }), "{err:?}");
    }
}
