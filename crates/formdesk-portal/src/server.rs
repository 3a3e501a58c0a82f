//! The portal's HTTP server: the API of `formdesk_protocol::wire`, over any [`Store`].
//!
//! Every answer to a bad request is an [`ErrorBody`] with a 4xx status: the body is read by the extractors
//! of this module (with the size limit, the device's signature and the JSON checked there), never by axum's
//! own, whose rejections are plain text. A 5xx means the database failed or the portal is over its limits
//! ([`crate::limits`]), never the input.
//!
//! A signed request is checked as far as it can be before its body is read: the `Authorization` header, the
//! device (known, enrolled, not revoked) and the time; only then is the body read, up to the size its route
//! takes ([`BodyLimit`]) and with room in the byte budget, and the signature over it checked.
//!
//! The server keeps no state of its own besides the acceptance key it reads from the store, so several
//! instances can share one PostgreSQL database. It speaks HTTP/1.1, over TLS with a given certificate and key
//! ([`Tls`]) or in plain text behind a reverse proxy that ends TLS.

use crate::limits::{ANNOUNCE_BYTES, BodyBudget, BodyRoom, ENROLMENT_BYTES, InFlight, Limits};
use crate::routes::{Endpoint, Method, RouteSpec};
use crate::store::{
    AccountStore, Announced, Destination, Enrolment, Piece, Refusal, SignedDevice, Store, StoreError, Tenant, Uploaded,
};
use anyhow::Context as _;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use formdesk_protocol::auth::Authorization;
use formdesk_protocol::wire::{
    Announce, AttachmentStatus, EnrolRequest, EnrolResponse, EnrolledTenant, ErrorBody, ErrorCode, FormsChannel,
    FormsReport, PortalInfo, Submit, Submitted, UploadConflict,
};
use formdesk_protocol::{PROTOCOL_VERSION, decode_base64url, encode_base64url, ids};
use http_body_util::BodyExt as _;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::Write as _;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The most attachments one submission may announce.
const MAX_ATTACHMENTS: usize = 1000;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The portal's single form-update channel (`/forms/v1/`), if `keys init` made one in its data folder.
    pub channel: Option<formdesk_channel::Repo>,
    /// The channel folder: the single repository, if any, and each tenant's in `t<ARS>/`, all served and
    /// kept fresh.
    pub channels: PathBuf,
    /// The desk app's updates (`<data-dir>/app`, see [`crate::app_updates`]), served at `/app/v1/`.
    pub app: PathBuf,
    /// Where it listens.
    pub listen: SocketAddr,
    /// The largest submit request (metadata and data), in bytes.
    pub max_request_bytes: usize,
    /// The largest part (one attachment's JWE) it takes, in bytes.
    pub max_part_bytes: u64,
    /// How long the ciphertext of a picked-up submission stays, in hours.
    pub keep_after_pickup_hours: u64,
    /// HTTPS with this certificate and key; plain HTTP without.
    pub tls: Option<Tls>,
    /// How much it takes on at once.
    pub limits: Limits,
    /// `--console-origin`: enables the console at `/admin` with this origin. Without it the console is
    /// enabled only on a loopback address, with the portal's own URL as its origin.
    pub console_origin: Option<String>,
}

/// The portal's own HTTPS: a certificate chain and its private key, both PEM files.
#[derive(Debug, Clone)]
pub struct Tls {
    /// The certificate, followed by the intermediate certificates up to (not including) the root.
    pub cert: PathBuf,
    /// The private key of the first certificate (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

impl Tls {
    /// Reads the files into a rustls configuration: TLS 1.2 and 1.3 on ring, HTTP/1.1 by ALPN. Every
    /// error names the file and what is wrong with it.
    pub fn config(&self) -> anyhow::Result<rustls::ServerConfig> {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let read = |path: &Path, what: &str| {
            std::fs::read(path).with_context(|| format!("cannot read the {what} {}", path.display()))
        };
        let certs = CertificateDer::pem_slice_iter(&read(&self.cert, "certificate")?)
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("{} is not a PEM certificate file", self.cert.display()))?;
        anyhow::ensure!(
            !certs.is_empty(),
            "{} holds no certificate (a PEM file with -----BEGIN CERTIFICATE----- is needed)",
            self.cert.display()
        );
        let key = PrivateKeyDer::from_pem_slice(&read(&self.key, "private key")?)
            .with_context(|| format!("{} holds no PEM private key", self.key.display()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("the TLS versions")?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .with_context(|| {
                format!("the key {} does not fit the certificate {}", self.key.display(), self.cert.display())
            })?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

/// What every handler shares.
#[derive(Debug)]
struct App<S> {
    store: S,
    key: Arc<Ed25519KeyPair>,
    portal_key: String,
    options: Options,
    budget: BodyBudget,
    in_flight: InFlight,
    console: Option<crate::console::Console>,
}

/// The size of the pieces the desk uploads attachments in (`formdesk_sync::PortalOptions::piece_size`).
const DESK_PIECE_BYTES: usize = 1024 * 1024;

/// Runs the server on `store` until SIGTERM or ctrl-c, then lets open requests finish.
pub async fn serve<S: Store + AccountStore>(store: S, options: Options) -> anyhow::Result<()> {
    let candidate = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
        .map_err(|_| anyhow::anyhow!("no random numbers for the portal's key"))?;
    let pkcs8 = store.portal_key(candidate.as_ref().to_vec()).await.context("reading the portal's key")?;
    let key = Ed25519KeyPair::from_pkcs8(&pkcs8)
        .map_err(|e| anyhow::anyhow!("the portal's key in the database is not an Ed25519 PKCS#8 key: {e}"))?;
    let portal_key = encode_base64url(key.public_key().as_ref());
    let largest = options.max_request_bytes.max(options.limits.max_piece_bytes).max(ANNOUNCE_BYTES);
    anyhow::ensure!(
        options.limits.max_body_memory >= largest,
        "--max-body-memory {} is less than the largest body a request may have ({largest} bytes)",
        options.limits.max_body_memory
    );
    anyhow::ensure!(u32::try_from(largest).is_ok(), "a request body of {largest} bytes is more than 4 GiB");
    if options.limits.max_piece_bytes < DESK_PIECE_BYTES
        || u64::try_from(options.limits.max_piece_bytes).unwrap_or(u64::MAX) > options.max_part_bytes
    {
        eprintln!(
            "formdesk-portal: warning: --max-piece-bytes {} is below the {DESK_PIECE_BYTES}-byte pieces desks send, or \
             above --max-part-bytes {}; uploads of desks may be refused",
            options.limits.max_piece_bytes, options.max_part_bytes
        );
    }
    let budget = BodyBudget::new(options.limits.max_body_memory, crate::limits::BUDGET_WAIT);
    let in_flight = InFlight::new(options.limits.max_requests);

    // A bad certificate stops the start before the port is taken.
    let tls = options.tls.as_ref().map(Tls::config).transpose()?;
    let shutdown = shutdown()?;
    let listener = crate::listen::bind(options.listen).await?;
    let addr = listener.local_addr().context("the listening address")?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    // The console: with --console-origin, or on loopback with the portal's own URL as its origin.
    let console_origin = match &options.console_origin {
        Some(origin) => Some(origin.trim_end_matches('/').to_owned()),
        None if addr.ip().is_loopback() => Some(format!("{scheme}://{addr}")),
        None => {
            eprintln!(
                "formdesk-portal: the console at /admin is off: it needs --console-origin https://… on an address \
                 other than loopback"
            );
            None
        }
    };
    let console = console_origin
        .map(|origin| crate::console::Console::new(origin, &pkcs8, options.channels.clone(), options.channel.clone()))
        .map(|console| console.keeping_after_pickup(options.keep_after_pickup_hours));
    let app =
        Arc::new(App { store, key: Arc::new(key), portal_key, options: options.clone(), budget, in_flight, console });
    // The purge runs once before the server answers, so a portal started after a long pause never serves
    // with ciphertext it should have deleted.
    purge(&app).await;
    let purger = tokio::spawn(purge_hourly(Arc::clone(&app)));
    // The audit trail's checkpoints: for each log whose head moved, at start, regularly and at shutdown.
    let checkpointer = tokio::spawn(checkpoint_regularly(Arc::clone(&app)));
    // The channels' timestamps are renewed at start and then regularly; without a channel nothing is signed.
    let refresher = Some(tokio::spawn(crate::channel::refresh_regularly(options.channels.clone())));

    let mut out = std::io::stdout().lock();
    writeln!(out, "formdesk-portal: listening on {scheme}://{addr}")?;
    out.flush()?;
    drop(out);

    let served = crate::listen::serve(listener, router(Arc::clone(&app)), tls, &options.limits, shutdown).await;
    purger.abort();
    // Waiting for the aborted task drops its handle on the store, so the database is closed cleanly when
    // `app` goes.
    let _ = purger.await;
    checkpointer.abort();
    let _ = checkpointer.await;
    crate::audit::checkpoint_once(&app.store, &app.key).await;
    if let Some(refresher) = refresher {
        refresher.abort();
        let _ = refresher.await;
    }
    drop(app);
    served.context("serving")?;
    Ok(())
}

/// Waits for SIGTERM or SIGINT (ctrl-c). The handlers are installed when this is called, not when the future
/// is first polled, so a signal that arrives right after the listening line is not lost.
fn shutdown() -> anyhow::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

async fn purge<S: Store>(app: &App<S>) {
    let now = now();
    let keep = i64::try_from(app.options.keep_after_pickup_hours.saturating_mul(3600)).unwrap_or(i64::MAX);
    match app.store.purge_picked_up(now.saturating_sub(keep), now).await {
        Ok(0) => {}
        Ok(n) => eprintln!("formdesk-portal: deleted the parts of {n} submission(s) picked up before"),
        Err(e) => eprintln!("formdesk-portal: deleting picked-up submissions failed: {e}"),
    }
}

async fn checkpoint_regularly<S: Store>(app: Arc<App<S>>) {
    let mut interval = tokio::time::interval(crate::audit::CHECKPOINT_EVERY);
    loop {
        interval.tick().await;
        crate::audit::checkpoint_once(&app.store, &app.key).await;
    }
}

async fn purge_hourly<S: Store>(app: Arc<App<S>>) {
    let mut interval = tokio::time::interval(Duration::from_secs(3600));
    // The first tick is immediate; the purge at start has just run.
    interval.tick().await;
    loop {
        interval.tick().await;
        purge(&app).await;
    }
}

/// The router, built from [`crate::routes::ROUTES`] and nothing else: a route outside the table does not exist.
fn router<S: Store + AccountStore>(app: Arc<App<S>>) -> Router {
    let mut paths: Vec<(&'static str, MethodRouter<Arc<App<S>>>)> = Vec::new();
    for spec in crate::routes::ROUTES {
        let filter = match spec.method {
            Method::Get => MethodFilter::GET,
            Method::Put => MethodFilter::PUT,
            Method::Post => MethodFilter::POST,
        };
        match paths.iter_mut().find(|(path, _)| *path == spec.path) {
            Some((_, methods)) => *methods = std::mem::take(methods).merge(handler::<S>(spec, filter)),
            None => paths.push((spec.path, handler::<S>(spec, filter))),
        }
    }
    paths
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| router.route(path, methods))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
}

/// The handler of `spec` for the method `filter`.
fn handler<S: Store + AccountStore>(spec: &'static RouteSpec, filter: MethodFilter) -> MethodRouter<Arc<App<S>>> {
    match spec.endpoint {
        Endpoint::Health => on(filter, healthz::<S>),
        Endpoint::Portal => on(filter, portal::<S>),
        Endpoint::Enrol => on(filter, enrol::<S>),
        Endpoint::Destinations => on(filter, destinations::<S>),
        Endpoint::Announce => on(filter, announce::<S>),
        Endpoint::Submission => on(filter, submission::<S>),
        Endpoint::Upload => on(filter, upload::<S>),
        Endpoint::Submit => on(filter, submit::<S>),
        Endpoint::ReportForms => on(filter, report_forms::<S>),
        Endpoint::AuditUpload => on(filter, upload_audit::<S>),
        Endpoint::ChannelMetadata => on(filter, channel_metadata::<S>),
        Endpoint::ChannelTarget => on(filter, channel_target::<S>),
        Endpoint::TenantChannelMetadata => on(filter, tenant_channel_metadata::<S>),
        Endpoint::TenantChannelTarget => on(filter, tenant_channel_target::<S>),
        Endpoint::AppManifest => on(filter, app_manifest::<S>),
        Endpoint::AppBundle => on(filter, app_bundle::<S>),
        Endpoint::Console(_) => on(filter, move |State(app): State<Arc<App<S>>>, request: Request| async move {
            crate::console::handle(&app.store, app.console.as_ref(), spec, request).await
        }),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// An error answer: a status and an [`ErrorBody`], and for an upload that must resume elsewhere the
/// attachment's status.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    attachment: Option<AttachmentStatus>,
}

impl ApiError {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), attachment: None }
    }

    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    fn busy(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy, message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let message = e.to_string();
        match e {
            StoreError::Refused { kind, attachment, .. } => {
                let (status, code) = match kind {
                    Refusal::BadRequest => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
                    Refusal::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
                    Refusal::Conflict => (StatusCode::CONFLICT, ErrorCode::Conflict),
                    Refusal::Incomplete => (StatusCode::CONFLICT, ErrorCode::Incomplete),
                    Refusal::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
                    Refusal::UnknownDestination => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::UnknownDestination),
                    Refusal::InvalidPart => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidPart),
                    Refusal::AuditFork => (StatusCode::CONFLICT, ErrorCode::AuditFork),
                };
                ApiError { status, code, message, attachment }
            }
            StoreError::TooNew { .. } | StoreError::NeedsTenant { .. } => {
                eprintln!("formdesk-portal: {message}");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, message)
            }
            StoreError::Database(_) | StoreError::Corrupt(_) => {
                eprintln!("formdesk-portal: {message}");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, "the portal's database failed")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let busy = self.code == ErrorCode::Busy;
        let error = ErrorBody { code: self.code, message: self.message };
        let mut response = match self.attachment {
            Some(attachment) => json(self.status, &UploadConflict { error, attachment }),
            None => json(self.status, &error),
        };
        if busy {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Reads a JSON body, naming what is wrong with it.
fn parse<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("the body is not a valid {what}: {e}")))
}

/// The body's length as its `Content-Length` says, if it says.
fn declared_length(request: &Request) -> Option<u64> {
    request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok())
}

/// A body as it arrived: in chunks of [`CHUNK`] bytes, which do not stay in the allocator as one large
/// block each when the body is refused, its SHA-256, and its room in the byte budget, which the request keeps
/// until its handler is done with the body.
struct Received {
    chunks: Vec<Vec<u8>>,
    sha256: String,
    room: Option<BodyRoom>,
}

/// The size of the chunks a body is read into.
const CHUNK: usize = 64 * 1024;

impl Received {
    /// The body in one piece, made only for a request that passed its checks.
    fn into_bytes(self) -> (Bytes, Option<BodyRoom>) {
        let bytes = match <[Vec<u8>; 1]>::try_from(self.chunks) {
            Ok([one]) => Bytes::from(one),
            Err(chunks) => Bytes::from(chunks.concat()),
        };
        (bytes, self.room)
    }
}

/// Reads a body of at most `limit` bytes, with room in the byte budget and within the body timeout.
async fn read_body<S>(request: Request, limit: usize, app: &App<S>) -> Result<Received, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than {limit} bytes"),
        )
    };
    let declared = declared_length(&request);
    // A body without a length is given room for the most it may have.
    let expected = match declared {
        Some(n) => usize::try_from(n).ok().filter(|n| *n <= limit).ok_or_else(too_large)?,
        None => limit,
    };
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut room = None;
    if declared != Some(0) {
        room = Some(
            app.budget
                .room(expected)
                .await
                .ok_or_else(|| ApiError::busy("the portal holds too many request bodies; try again"))?,
        );
        let timeout = app.options.limits.body_timeout;
        let mut body = request.into_body();
        let read = async {
            let mut len = 0usize;
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|_| ApiError::bad_request("the body could not be read to its end"))?;
                let Ok(mut data) = frame.into_data() else { continue };
                if data.len() > expected.saturating_sub(len) {
                    return Err(too_large());
                }
                len = len.saturating_add(data.len());
                digest.update(&data);
                while !data.is_empty() {
                    if chunks.last().is_none_or(|c| c.len() == c.capacity()) {
                        chunks.push(Vec::with_capacity(CHUNK.min(expected)));
                    }
                    if let Some(chunk) = chunks.last_mut() {
                        let n = data.len().min(chunk.capacity().saturating_sub(chunk.len())).max(1);
                        chunk.extend_from_slice(&data.split_to(n.min(data.len())));
                    }
                }
            }
            Ok(())
        };
        tokio::time::timeout(timeout, read).await.map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::BadRequest,
                format!("the body did not arrive within {} s", timeout.as_secs()),
            )
        })??;
    }
    let sha256 = digest.finish().as_ref().iter().map(|b| format!("{b:02x}")).collect();
    Ok(Received { chunks, sha256, room })
}

/// A place among the requests the store works on, held while the handler runs.
struct Working(#[allow(dead_code, reason = "held for its drop")] tokio::sync::OwnedSemaphorePermit);

/// Takes a place among the requests the store works on, or answers 503 `busy` at once. A request takes it
/// once its body is in: a slow client holds room for its body and a connection, never a place of work.
fn working<S>(app: &App<S>) -> Result<Working, ApiError> {
    app.in_flight.enter().map(Working).ok_or_else(|| ApiError::busy("the portal is answering too many requests"))
}

/// The body of a request that needs no device: an enrolment; its room in the byte budget is held while the
/// handler runs.
struct Body(Bytes, Working, Option<BodyRoom>);

impl<S: Store> FromRequest<Arc<App<S>>> for Body {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Arc<App<S>>) -> Result<Body, ApiError> {
        let body = read_body(request, ENROLMENT_BYTES, app).await?;
        let working = working(app)?;
        let (bytes, room) = body.into_bytes();
        Ok(Body(bytes, working, room))
    }
}

/// How large the body of a signed request to a route may be.
trait BodyLimit {
    fn bytes(options: &Options) -> usize;
}

/// A request without a body (`GET`).
struct NoBody;

impl BodyLimit for NoBody {
    fn bytes(_: &Options) -> usize {
        0
    }
}

/// An announcement: a destination and up to [`MAX_ATTACHMENTS`] ids.
struct AnnounceBody;

impl BodyLimit for AnnounceBody {
    fn bytes(_: &Options) -> usize {
        ANNOUNCE_BYTES
    }
}

/// A piece of an attachment.
struct PieceBody;

impl BodyLimit for PieceBody {
    fn bytes(options: &Options) -> usize {
        options.limits.max_piece_bytes
    }
}

/// A desk's report of its form set: a few names and hashes, and an error text of at most a few hundred
/// characters.
struct ReportBody;

impl BodyLimit for ReportBody {
    fn bytes(_: &Options) -> usize {
        ENROLMENT_BYTES
    }
}

/// A desk's audit upload: at most 1000 entries of ids, each a few hundred bytes.
struct AuditBody;

impl BodyLimit for AuditBody {
    fn bytes(options: &Options) -> usize {
        options.max_request_bytes
    }
}

/// A submit: the metadata and data JWEs.
struct SubmitBody;

impl BodyLimit for SubmitBody {
    fn bytes(options: &Options) -> usize {
        options.max_request_bytes
    }
}

/// A request signed by an enrolled, not revoked device of a tenant that is not suspended, and its body of at
/// most `L` bytes. Its `tenant` is the only way a handler reaches tenant data.
struct Signed<L> {
    device: String,
    tenant: Tenant,
    body: Bytes,
    limit: PhantomData<L>,
    _working: Working,
    /// The body's room in the byte budget, held until the handler is done with it.
    _room: Option<BodyRoom>,
}

impl<S: Store, L: BodyLimit> FromRequest<Arc<App<S>>> for Signed<L> {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &Arc<App<S>>) -> Result<Signed<L>, ApiError> {
        let method = request.method().as_str().to_owned();
        let path = request.uri().path_and_query().map_or_else(|| request.uri().path().to_owned(), |p| p.to_string());
        let header = match request.headers().get(header::AUTHORIZATION) {
            Some(value) => value
                .to_str()
                .map_err(|_| ApiError::unauthorized("the Authorization header is not ASCII text"))?
                .to_owned(),
            None => return Err(ApiError::unauthorized("the request has no Authorization header")),
        };
        // Everything that can be checked without the body is checked before it is read.
        let auth = Authorization::parse(&header).map_err(|e| ApiError::unauthorized(e.to_string()))?;
        let signed =
            app.store.device_for_signature(auth.device_id.clone()).await?.ok_or_else(|| {
                ApiError::unauthorized(format!("device {} is not known to this portal", auth.device_id))
            })?;
        refuse_revoked(&signed)?;
        let SignedDevice { device, tenant, .. } = signed;
        let Some(public_key) = &device.public_key else {
            return Err(ApiError::unauthorized(format!("device {} has not enrolled yet", device.id)));
        };
        auth.check_time(now()).map_err(|e| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::ClockSkew,
                format!("request of device {}: {e}", device.id),
            )
        })?;
        let body = read_body(request, L::bytes(&app.options), app).await?;
        auth.verify_signature_of_digest(public_key, &method, &path, &body.sha256).map_err(|e| {
            ApiError::unauthorized(format!("request of device {}: {e} (signed: {method} {path})", device.id))
        })?;
        // Reading the body may have taken up to the body timeout: a device revoked meanwhile is cut off now.
        if let Some(again) = app.store.device_for_signature(device.id.clone()).await? {
            refuse_revoked(&again)?;
        }
        let working = working(app)?;
        let (bytes, room) = body.into_bytes();
        Ok(Signed { device: device.id, tenant, body: bytes, limit: PhantomData, _working: working, _room: room })
    }
}

/// Refuses a revoked device, and every device of a suspended tenant, with 401 `device_revoked`.
fn refuse_revoked(signed: &SignedDevice) -> Result<(), ApiError> {
    let revoked = |message: String| ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::DeviceRevoked, message);
    if let Some(at) = signed.device.revoked_at {
        return Err(revoked(format!("device {} was revoked at {}", signed.device.id, time_text(at))));
    }
    if let Some(at) = signed.tenant_suspended_at {
        return Err(revoked(format!(
            "device {} was revoked at {}: its municipality was suspended on this portal",
            signed.device.id,
            time_text(at)
        )));
    }
    Ok(())
}

/// The ids in a path, as text; checked by the handler after the device is known.
struct Ids(std::collections::HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Ids, ApiError> {
        axum::extract::Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(ids)| Ids(ids))
            .map_err(|e| ApiError::bad_request(format!("the path: {}", e.body_text())))
    }
}

impl Ids {
    fn get(&self, name: &str) -> Result<&str, ApiError> {
        self.0.get(name).map(String::as_str).ok_or_else(|| ApiError::bad_request(format!("the path lacks the {name}")))
    }
}

fn check_uuid(what: &str, id: &str) -> Result<(), ApiError> {
    ids::check_uuid(what, id).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// A time for messages, in UTC.
pub fn time_text(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map_or_else(|| seconds.to_string(), |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
}

async fn healthz<S: Store>(State(app): State<Arc<App<S>>>) -> Response {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, e.to_string()).into_response(),
    }
}

async fn portal<S: Store>(State(app): State<Arc<App<S>>>) -> Response {
    json(StatusCode::OK, &PortalInfo { protocol_version: PROTOCOL_VERSION, portal_key: app.portal_key.clone() })
}

async fn enrol<S: Store>(
    State(app): State<Arc<App<S>>>,
    Body(body, _working, _room): Body,
) -> Result<Response, ApiError> {
    let request: EnrolRequest = parse("enrolment request", &body)?;
    let code = ids::normalize_enrolment_code(&request.code).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let public_key = decode_base64url(&request.public_key)
        .ok_or_else(|| ApiError::bad_request("publicKey is not base64url without padding"))?;
    formdesk_protocol::auth::check_public_key(&public_key)
        .map_err(|e| ApiError::bad_request(format!("publicKey: {e}")))?;
    match app.store.enrol_by_code(crate::store::code_hash(&code), public_key, now()).await? {
        Enrolment::Enrolled(device, tenant) => {
            let repository =
                crate::channel::repository_for(&app.options.channels, app.options.channel.as_ref(), &tenant);
            let forms_shared = repository.as_ref().is_some_and(|(_, shared)| *shared);
            let forms_root = forms_root(repository.as_ref().map(|(repo, _)| repo)).await?;
            let name = app.store.tenant_name(&tenant).await?.unwrap_or_default();
            Ok(json(
                StatusCode::OK,
                &EnrolResponse {
                    device_id: device.id,
                    name: device.name,
                    portal_key: app.portal_key.clone(),
                    forms_root,
                    tenant: Some(EnrolledTenant { ars: tenant.ars().to_string(), name }),
                    forms_shared,
                },
            ))
        }
        Enrolment::UnknownCode => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::EnrolmentCodeUnknown,
            "the enrolment code is not known to this portal",
        )),
        Enrolment::Expired(at) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::EnrolmentCodeExpired,
            format!("the enrolment code expired at {}; ask for a new one", time_text(at)),
        )),
        Enrolment::Revoked(at) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::DeviceRevoked,
            format!("the device of this enrolment code was revoked at {}", time_text(at)),
        )),
        Enrolment::OtherKey => Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::EnrolmentCodeUsed,
            "the enrolment code was already used with another key",
        )),
    }
}

async fn destinations<S: Store>(State(app): State<Arc<App<S>>>, signed: Signed<NoBody>) -> Result<Response, ApiError> {
    let list: Vec<formdesk_protocol::wire::Destination> = app
        .store
        .destinations(&signed.tenant)
        .await?
        .into_iter()
        .map(|Destination { id, name, key_id, public_key }| formdesk_protocol::wire::Destination {
            id,
            name,
            key_id,
            public_key: encode_base64url(&public_key),
        })
        .collect();
    Ok(json(StatusCode::OK, &list))
}

async fn announce<S: Store>(
    State(app): State<Arc<App<S>>>,
    ids: Ids,
    signed: Signed<AnnounceBody>,
) -> Result<Response, ApiError> {
    let id = ids.get("id")?;
    check_uuid("submission id", id)?;
    let announce: Announce = parse("announcement", &signed.body)?;
    ids::check_destination_id(&announce.destination_id).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if announce.attachments.len() > MAX_ATTACHMENTS {
        return Err(ApiError::bad_request(format!(
            "{} attachments announced, at most {MAX_ATTACHMENTS} are taken",
            announce.attachments.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for attachment in &announce.attachments {
        check_uuid("attachment id", attachment)?;
        if !seen.insert(attachment.as_str()) {
            return Err(ApiError::bad_request(format!("attachment id {attachment} is announced twice")));
        }
    }
    match app.store.announce(&signed.tenant, signed.device, id.to_owned(), announce, now()).await? {
        Announced::Created(status) => Ok(json(StatusCode::CREATED, &status)),
        Announced::Repeated(status) => Ok(json(StatusCode::OK, &status)),
    }
}

async fn submission<S: Store>(
    State(app): State<Arc<App<S>>>,
    ids: Ids,
    signed: Signed<NoBody>,
) -> Result<Response, ApiError> {
    let id = ids.get("id")?;
    check_uuid("submission id", id)?;
    match app.store.submission(&signed.tenant, signed.device, id.to_owned()).await? {
        Some(status) => Ok(json(StatusCode::OK, &status)),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("submission {id} is not known"))),
    }
}

/// Reads `offset` and `total` from the query of an upload.
fn offset_and_total(query: Option<&str>) -> Result<(u64, u64), ApiError> {
    formdesk_protocol::wire::parse_upload_query(query).map_err(ApiError::bad_request)
}

async fn upload<S: Store>(
    State(app): State<Arc<App<S>>>,
    uri: axum::http::Uri,
    ids: Ids,
    signed: Signed<PieceBody>,
) -> Result<Response, ApiError> {
    let (id, attachment) = (ids.get("id")?, ids.get("attachment")?);
    check_uuid("submission id", id)?;
    check_uuid("attachment id", attachment)?;
    let (offset, total) = offset_and_total(uri.query())?;
    let piece = Piece { offset, total, bytes: signed.body, max_part: app.options.max_part_bytes };
    match app.store.upload(&signed.tenant, signed.device, id.to_owned(), attachment.to_owned(), piece).await? {
        Uploaded::Stored(status) => Ok(json(StatusCode::OK, &status)),
        Uploaded::Discarded(why) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidPart,
            format!("{why}; the part was discarded, upload it again from offset 0"),
        )),
    }
}

async fn submit<S: Store>(
    State(app): State<Arc<App<S>>>,
    ids: Ids,
    signed: Signed<SubmitBody>,
) -> Result<Response, ApiError> {
    let id = ids.get("id")?;
    check_uuid("submission id", id)?;
    let submit: Submit = parse("submit request", &signed.body)?;
    let acceptance = app
        .store
        .submit(&signed.tenant, signed.device, id.to_owned(), submit.metadata, submit.data, now(), Arc::clone(&app.key))
        .await?;
    Ok(json(StatusCode::OK, &Submitted { acceptance }))
}

/// The newest root of the desk's repository, which an enrolling desk pins; `None` without one.
async fn forms_root(repo: Option<&formdesk_channel::Repo>) -> Result<Option<String>, ApiError> {
    let Some(repo) = repo else { return Ok(None) };
    let path = repo.metadata_dir().join("root.json");
    match tokio::fs::read_to_string(&path).await {
        Ok(text) => Ok(Some(text)),
        Err(e) => {
            eprintln!("formdesk-portal: cannot read {}: {e}", path.display());
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "the form channel's root cannot be read",
            ))
        }
    }
}

async fn report_forms<S: Store>(
    State(app): State<Arc<App<S>>>,
    signed: Signed<ReportBody>,
) -> Result<Response, ApiError> {
    let report: FormsReport = parse("forms report", &signed.body)?;
    let channel = app.store.report_forms(&signed.tenant, signed.device, report, now()).await?;
    Ok(json(StatusCode::OK, &FormsChannel { channel }))
}

/// `POST /v1/audit`: appends the desk's entries to its log on the portal (`d<device id>`) if they continue
/// it; answers with the head and the portal's checkpoint of it.
async fn upload_audit<S: Store>(
    State(app): State<Arc<App<S>>>,
    signed: Signed<AuditBody>,
) -> Result<Response, ApiError> {
    let upload: formdesk_protocol::audit::Upload = parse("audit upload", &signed.body)?;
    let entries = upload.entries.into_iter().map(Into::into).collect();
    let key = Arc::clone(&app.key);
    let done = app.store.append_desk_audit(&signed.tenant, signed.device, entries, key, now()).await?;
    let answer =
        formdesk_protocol::audit::Uploaded { seq: done.head.seq, hash: done.head.hash, checkpoint: done.checkpoint };
    Ok(json(StatusCode::OK, &answer))
}

async fn channel_metadata<S: Store>(
    State(app): State<Arc<App<S>>>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, ApiError> {
    channel_file(&app, crate::channel::Folder::Metadata, &file).await
}

async fn channel_target<S: Store>(
    State(app): State<Arc<App<S>>>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, ApiError> {
    channel_file(&app, crate::channel::Folder::Targets, &file).await
}

async fn tenant_channel_metadata<S: Store>(
    State(app): State<Arc<App<S>>>,
    axum::extract::Path((repository, file)): axum::extract::Path<(String, String)>,
) -> Result<Response, ApiError> {
    tenant_channel_file(&app, &repository, crate::channel::Folder::Metadata, &file).await
}

async fn tenant_channel_target<S: Store>(
    State(app): State<Arc<App<S>>>,
    axum::extract::Path((repository, file)): axum::extract::Path<(String, String)>,
) -> Result<Response, ApiError> {
    tenant_channel_file(&app, &repository, crate::channel::Folder::Targets, &file).await
}

/// A file of a tenant's repository (`repository` is `t<ARS>`): only that repository's folder is read, so
/// another tenant's file asked for under this ARS is as missing as a file that never was.
async fn tenant_channel_file<S>(
    app: &App<S>,
    repository: &str,
    folder: crate::channel::Folder,
    file: &str,
) -> Result<Response, ApiError> {
    let _working = working(app)?;
    let missing = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("no such file: {file}"));
    let channels = app.options.channels.clone();
    let folder_name = repository.to_owned();
    let repo = tokio::task::spawn_blocking(move || crate::channel::find_tenant(&channels, &folder_name))
        .await
        .ok()
        .flatten()
        .ok_or_else(missing)?;
    crate::channel::file(&repo, folder, file).await.ok_or_else(missing)
}

/// A file of the form-update channel. Not signed: TUF's metadata is signed itself and names the hash of every
/// target, and the desks check both. It takes a place among the requests worked on like any other.
async fn channel_file<S>(app: &App<S>, folder: crate::channel::Folder, file: &str) -> Result<Response, ApiError> {
    let _working = working(app)?;
    let missing = || ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("no such file: {file}"));
    let Some(repo) = &app.options.channel else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "this portal has no form channel"));
    };
    crate::channel::file(repo, folder, file).await.ok_or_else(missing)
}

/// `GET /app/v1/{channel}/latest.json`: the desk app's update manifest, its bundle's URL under the portal's
/// address as the desk reached it (the `Host` header; https when the portal serves TLS itself).
async fn app_manifest<S>(
    State(app): State<Arc<App<S>>>,
    axum::extract::Path(channel): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let _working = working(&app)?;
    let scheme = if app.options.tls.is_some() { "https" } else { "http" };
    let origin = crate::app_updates::origin(scheme, headers.get(header::HOST))
        .ok_or_else(|| ApiError::bad_request("the request has no Host header with a plain host name"))?;
    crate::app_updates::manifest(app.options.app.clone(), &channel, &origin)
        .await
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("no such channel: {channel}")))
}

/// `GET /app/v1/bundles/{file}`: a published bundle of the desk app.
async fn app_bundle<S>(
    State(app): State<Arc<App<S>>>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, ApiError> {
    let _working = working(&app)?;
    crate::app_updates::bundle(&app.options.app, &file)
        .await
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("no such file: {file}")))
}

async fn not_found(uri: axum::http::Uri) -> Response {
    // Under /admin a person gets the console's 404 page (and /admin itself leads to the overview).
    if let Some(answer) = crate::console::unrouted(uri.path()) {
        return answer;
    }
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("no such path: {}", uri.path())).into_response()
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::BadRequest,
        format!("{method} is not allowed on {}", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn any_upload_query_is_read_or_refused_without_panic(query in proptest::prelude::any::<Option<String>>()) {
            if let Ok((offset, total)) = offset_and_total(query.as_deref()) {
                let text = query.unwrap_or_default();
                proptest::prop_assert!(text.contains(&format!("offset={offset}")), "{text}");
                proptest::prop_assert!(text.contains(&format!("total={total}")), "{text}");
            }
        }

        #[test]
        fn upload_queries_round_trip(offset: u64, total: u64) {
            let path = formdesk_protocol::wire::attachment_path("s", "a", offset, total);
            let query = path.split_once('?').map(|(_, q)| q);
            proptest::prop_assert_eq!(offset_and_total(query).unwrap(), (offset, total));
        }
    }

    #[test]
    fn upload_queries_are_read_strictly() {
        assert_eq!(offset_and_total(Some("offset=5&total=9")).unwrap(), (5, 9));
        for bad in [None, Some("offset=5"), Some("offset=-1&total=9"), Some("offset=1&total=9&x=1")] {
            assert!(offset_and_total(bad).is_err(), "{bad:?}");
        }
    }
}
