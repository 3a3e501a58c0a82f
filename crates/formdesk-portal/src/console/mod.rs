//! The administrators' web console at `/admin`: the routes of kind `Console` in [`crate::routes::ROUTES`],
//! answered with the German pages of `formdesk_console::pages` and checked with `formdesk_console::auth`
//! (design: `docs/tenants.md`, sections 4 and 5).
//!
//! Every request goes through [`handle`] in the order the design asks for: authenticate (the session cookie,
//! or none for the public pages) → role (the route's [`Access`]; a role not named gets the 404 page, the same
//! bytes as a missing object) → for a `POST`, the `Origin`/`Referer` check and the CSRF token (the session's,
//! or the sign-in form's pre-session cookie) → parse ids → look up inside the caller's tenant. The tenant
//! comes from the session alone ([`Caller`]); no path, query or form field names one.
//!
//! Pages are rendered on the server, carry no script, and every answer has the security headers of
//! `formdesk_console::pages::page_headers` (strict CSP, `no-store`). Argon2id runs on blocking threads, at
//! most [`MAX_HASHES`] at once; over that the answer is the "ausgelastet" page (503).
//!
//! Never logged: cookies, form bodies, passwords, tokens, TOTP secrets; a failure is logged with a reference
//! the error page shows.

pub mod audit;
mod destinations;
mod forms;
mod health;
mod pages;
pub mod time;

use crate::listen::Peer;
use crate::routes::{Access, ConsoleRole, Method, RouteSpec};
use crate::store::accounts::{Account, NewSession, Session};
use crate::store::{AccountStore, Store, StoreError};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use formdesk_console::auth::{
    CsrfToken, LoginKey, Role, SessionState, SessionToken, origin_allowed, pre_session_csrf_from_cookies,
    session_cookie_removal, session_state, session_token_from_cookies,
};
use formdesk_console::pages::errors::{ErrorKind, ErrorPage, render_error, render_not_found};
use formdesk_console::pages::{Viewer, page_headers};
use http_body_util::BodyExt as _;
use ring::rand::SystemRandom;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The most Argon2id hashes running at once (64 MiB each).
pub const MAX_HASHES: usize = 4;

/// The largest form body taken (the console's forms are a few fields).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The largest upload taken, by "Formularstand hochladen" only (a form editor's bundle: definitions with
/// their translations, code lists, a logo, base64). A city's first bundle of 300 forms in six languages is
/// about 21 MB (docs/benchmarks.md). Every other form of the console, a destination's key file included, takes
/// at most [`MAX_FORM_BYTES`].
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// What the console needs besides the store.
pub struct Console {
    /// `--console-origin`: the `Origin` every `POST` must have, and the start of printed links.
    pub origin: String,
    hashing: Arc<Semaphore>,
    login_key: LoginKey,
    rng: SystemRandom,
    /// The channel folder (each tenant's repository in `t<ARS>/`) and the single repository, if any: what
    /// "Formulare" and the overview read.
    channels: std::path::PathBuf,
    legacy: Option<formdesk_channel::Repo>,
    /// The portal's public key, which signs the audit checkpoints "Protokoll prüfen" checks.
    audit_key: Vec<u8>,
    /// How long picked-up ciphertext is kept before the purge deletes it (`--keep-after-pickup-hours`), in
    /// seconds: the operator's "Zustand" counts what is older and still there.
    keep_after_pickup: i64,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console").field("origin", &self.origin).finish_non_exhaustive()
    }
}

impl Console {
    /// The console at `origin`; the key for digests of logins is derived from the portal's key (`pkcs8`).
    /// `channels` and `legacy` are the form channel's folder and single repository.
    pub fn new(
        origin: String,
        portal_key_pkcs8: &[u8],
        channels: std::path::PathBuf,
        legacy: Option<formdesk_channel::Repo>,
    ) -> Console {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(b"formdesk-console-login-key-v1\0");
        ctx.update(portal_key_pkcs8);
        let key = ctx.finish();
        let audit_key = ring::signature::Ed25519KeyPair::from_pkcs8(portal_key_pkcs8)
            .map(|pair| ring::signature::KeyPair::public_key(&pair).as_ref().to_vec())
            .unwrap_or_default();
        Console {
            origin,
            hashing: Arc::new(Semaphore::new(MAX_HASHES)),
            login_key: LoginKey::new(key.as_ref()),
            rng: SystemRandom::new(),
            channels,
            legacy,
            audit_key,
            keep_after_pickup: 0,
        }
    }

    /// The console of a portal that keeps picked-up ciphertext `hours` before deleting it.
    pub fn keeping_after_pickup(mut self, hours: u64) -> Console {
        self.keep_after_pickup = i64::try_from(hours.saturating_mul(3600)).unwrap_or(i64::MAX);
        self
    }

    /// The portal's public key for the audit checkpoints (empty if the stored key did not parse, which the
    /// server refuses to start with anyway).
    pub fn audit_key(&self) -> &[u8] {
        &self.audit_key
    }
}

/// Who is calling: the session's account with its tenant and roles. Made only from a session found by its
/// token, so a handler that has one acts for that tenant and no other.
pub struct Caller {
    /// The session, with the account and its tenant.
    pub session: Session,
    /// SHA-256 (hex) of the session token, to touch or end it.
    pub token_sha256: String,
    /// The viewer the pages need (name, tenant, roles, CSRF token).
    pub viewer: Viewer,
}

impl Caller {
    /// The account.
    pub fn account(&self) -> &Account {
        &self.session.account
    }
}

/// A request as the pages get it.
pub struct Input {
    pub parts: Parts,
    /// The path's ids, in the route's order.
    pub ids: Vec<String>,
    /// The form fields of a `POST` (name, value), in order.
    pub form: Vec<(String, String)>,
    /// The file of a `multipart/form-data` `POST` (the first file field), as `(field name, bytes)`.
    pub upload: Option<(String, Vec<u8>)>,
    /// Now, Unix seconds.
    pub now: i64,
    /// The cookie header(s), joined.
    pub cookies: String,
}

impl Input {
    /// The first value of a form field; empty if absent.
    pub fn field(&self, name: &str) -> &str {
        self.form.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a form field.
    pub fn fields(&self, name: &str) -> Vec<&str> {
        self.form.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    /// Whether the query has the parameter `name`.
    pub fn query_has(&self, name: &str) -> bool {
        self.parts.uri.query().unwrap_or_default().split('&').any(|p| p.split('=').next() == Some(name))
    }

    /// The peer's address.
    pub fn peer(&self) -> std::net::IpAddr {
        self.parts.extensions.get::<Peer>().map_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |p| p.0.ip())
    }
}

/// Answers a console route. `console` is `None` when `/admin` is not enabled (no `--console-origin` on a
/// portal that does not listen on loopback): every console route then answers the 404 page.
pub async fn handle<S: Store + AccountStore>(
    store: &S,
    console: Option<&Console>,
    spec: &'static RouteSpec,
    request: axum::extract::Request,
) -> Response {
    let answer = match console {
        None => not_found(None),
        Some(console) => match route(store, console, spec, request).await {
            Ok(response) => response,
            Err(e) => internal(e),
        },
    };
    secure(answer)
}

async fn route<S: Store + AccountStore>(
    store: &S,
    console: &Console,
    spec: &'static RouteSpec,
    request: axum::extract::Request,
) -> Result<Response, StoreError> {
    let (parts, body) = request.into_parts();
    let now = now();
    let cookies =
        parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join("; ");
    let ids = match path_ids(spec.path, parts.uri.path()) {
        Some(ids) => ids,
        None => return Ok(not_found(None)),
    };
    let mut input = Input { parts, ids, form: Vec::new(), upload: None, now, cookies };
    match spec.access {
        Access::Desk => Ok(not_found(None)),
        Access::Public => {
            if spec.method == Method::Post {
                input.form = match read_form(body).await {
                    Some(form) => form,
                    None => return Ok(error_page(None, ErrorKind::BadRequest)),
                };
                // The sign-in and setup forms carry the pre-session cookie's token.
                let pre = pre_session_csrf_from_cookies(&input.cookies).ok().flatten();
                let token_ok = pre.is_some_and(|t| t.matches(input.field("csrf")));
                if !token_ok || !origin_ok(&input.parts.headers, &console.origin) {
                    return Ok(error_page(None, ErrorKind::FormExpired));
                }
            }
            pages::public(store, console, spec, &input).await
        }
        Access::SecondFactor | Access::Roles(_) => {
            let caller = match find_session(store, &input.cookies, now).await? {
                Found::Live(caller) => *caller,
                Found::None => return Ok(see_other("/admin/anmelden", None)),
                Found::Expired => {
                    return Ok(see_other("/admin/anmelden?abgelaufen", Some(session_cookie_removal())));
                }
            };
            let pending_second_factor = !caller.session.second_factor && caller.account().totp_on();
            match spec.access {
                Access::SecondFactor if !pending_second_factor => return Ok(see_other("/admin/", None)),
                // A password-only session of a TOTP account reaches only the code page (and may end).
                Access::Roles(_)
                    if pending_second_factor
                        && spec.endpoint != crate::routes::Endpoint::Console(crate::routes::Page::SignOut) =>
                {
                    return Ok(see_other("/admin/anmelden/code", None));
                }
                Access::Roles(_) if pending_second_factor => {}
                // Operator accounts must use two-factor sign-in: until it is on, they reach only "Mein Konto".
                Access::Roles(_)
                    if caller.account().has(Role::Operator)
                        && !caller.account().totp_on()
                        && !matches!(
                            spec.endpoint,
                            crate::routes::Endpoint::Console(
                                crate::routes::Page::Account | crate::routes::Page::SignOut
                            )
                        ) =>
                {
                    return Ok(see_other("/admin/konto", None));
                }
                Access::Roles(_) => {
                    let roles: Vec<ConsoleRole> = caller.account().roles.iter().map(|r| console_role(*r)).collect();
                    if !crate::routes::allows(spec.access, &roles) {
                        return Ok(not_found(Some(&caller.viewer)));
                    }
                }
                _ => {}
            }
            if spec.method == Method::Post {
                let limit = if spec.endpoint == crate::routes::Endpoint::Console(crate::routes::Page::Forms) {
                    MAX_UPLOAD_BYTES
                } else {
                    MAX_FORM_BYTES
                };
                let read = match multipart_boundary(&input.parts.headers) {
                    Some(boundary) => read_multipart(body, boundary, limit).await,
                    None => read_form(body).await.map(|form| (form, None)),
                };
                (input.form, input.upload) = match read {
                    Some(read) => read,
                    None => return Ok(error_page(Some(&caller.viewer), ErrorKind::BadRequest)),
                };
                let csrf = CsrfToken::from_bytes(&caller.session.csrf).ok();
                let token_ok = csrf.is_some_and(|t| t.matches(input.field("csrf")));
                if !token_ok || !origin_ok(&input.parts.headers, &console.origin) {
                    return Ok(error_page(Some(&caller.viewer), ErrorKind::FormExpired));
                }
            }
            pages::signed_in(store, console, spec, &input, caller).await
        }
    }
}

fn console_role(role: Role) -> ConsoleRole {
    match role {
        Role::Operator => ConsoleRole::Operator,
        Role::FormEditor => ConsoleRole::FormEditor,
        Role::DeviceAdmin => ConsoleRole::DeviceAdmin,
        Role::InboxUser => ConsoleRole::InboxUser,
    }
}

fn origin_ok(headers: &HeaderMap, console_origin: &str) -> bool {
    let get = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    origin_allowed(get(header::ORIGIN), get(header::REFERER), console_origin)
}

/// What the session cookie leads to.
enum Found {
    Live(Box<Caller>),
    None,
    Expired,
}

async fn find_session<S: AccountStore>(store: &S, cookies: &str, now: i64) -> Result<Found, StoreError> {
    let token = match session_token_from_cookies(cookies) {
        Ok(Some(token)) => token,
        _ => return Ok(Found::None),
    };
    let hash = crate::accounts::hex(&token.sha256());
    let Some(session) = store.session(hash.clone()).await? else {
        return Ok(Found::None);
    };
    match session_state(session.created_at, session.seen_at, now) {
        SessionState::Live => {}
        SessionState::NeedsTouch => store.touch_session(&session.account, hash.clone(), now).await?,
        SessionState::IdleExpired | SessionState::Expired => {
            store.end_session(&session.account, hash).await?;
            return Ok(Found::Expired);
        }
    }
    let viewer = viewer(&session)?;
    Ok(Found::Live(Box::new(Caller { session, token_sha256: hash, viewer })))
}

/// The viewer of a session.
pub fn viewer(session: &Session) -> Result<Viewer, StoreError> {
    let csrf = CsrfToken::from_bytes(&session.csrf).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Viewer {
        display_name: session.account.display_name.clone(),
        tenant_name: session.tenant_name.clone(),
        roles: session.account.roles.clone(),
        csrf: csrf.form_value().to_string(),
    })
}

/// Begins a session of `account`: its token goes into the cookie, its SHA-256 into the store.
pub async fn begin_session<S: AccountStore>(
    store: &S,
    console: &Console,
    account: &Account,
    second_factor: bool,
    now: i64,
) -> Result<SessionToken, StoreError> {
    let random = |e: formdesk_console::auth::AuthError| StoreError::Database(e.to_string());
    let token = SessionToken::generate(&console.rng).map_err(random)?;
    let csrf = CsrfToken::generate(&console.rng).map_err(random)?;
    let session = NewSession {
        token_sha256: crate::accounts::hex(&token.sha256()),
        csrf: csrf.expose().to_vec(),
        now,
        second_factor,
    };
    store.create_session(account, session).await?;
    Ok(token)
}

/// The ids of `path` at the `{…}` segments of `pattern`; `None` if a segment is not plain (percent signs
/// or more segments than the pattern).
fn path_ids(pattern: &str, path: &str) -> Option<Vec<String>> {
    let mut ids = Vec::new();
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    if p.len() != q.len() {
        return None;
    }
    for (a, b) in p.iter().zip(&q) {
        if a.starts_with('{') {
            if b.is_empty() || b.len() > 200 || !b.bytes().all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c)) {
                return None;
            }
            ids.push((*b).to_owned());
        }
    }
    Some(ids)
}

/// Reads an `application/x-www-form-urlencoded` body of at most [`MAX_FORM_BYTES`].
async fn read_form(body: Body) -> Option<Vec<(String, String)>> {
    let bytes = http_body_util::Limited::new(body, MAX_FORM_BYTES).collect().await.ok()?.to_bytes();
    let text = std::str::from_utf8(&bytes).ok()?;
    let mut out = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        out.push((decode(name)?, decode(value)?));
    }
    Some(out)
}

/// The boundary of a `multipart/form-data` body.
fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    value.to_ascii_lowercase().starts_with("multipart/form-data").then(|| multer::parse_boundary(value).ok())?
}

/// Reads a `multipart/form-data` body of at most `limit` bytes: its text fields, and its first file.
async fn read_multipart(
    body: Body,
    boundary: String,
    limit: usize,
) -> Option<(Vec<(String, String)>, Option<(String, Vec<u8>)>)> {
    let bytes = http_body_util::Limited::new(body, limit).collect().await.ok()?.to_bytes();
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let (mut form, mut upload) = (Vec::new(), None);
    while let Some(field) = multipart.next_field().await.ok()? {
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            let data = field.bytes().await.ok()?;
            if upload.is_none() {
                upload = Some((name, data.to_vec()));
            }
        } else {
            let text = field.text().await.ok()?;
            if text.len() > MAX_FORM_BYTES {
                return None;
            }
            form.push((name, text));
        }
    }
    Some((form, upload))
}

/// Percent-decodes a form value (`+` is a space).
fn decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut it = text.bytes();
    while let Some(b) = it.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hi = (it.next()? as char).to_digit(16)?;
                let lo = (it.next()? as char).to_digit(16)?;
                bytes.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).ok()
}

/// An HTML answer.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

/// A page, or the error page if it did not render.
pub fn page(status: StatusCode, rendered: Result<String, formdesk_console::pages::PageError>) -> Response {
    match rendered {
        Ok(body) => html(status, body),
        Err(e) => internal(StoreError::Database(format!("a page did not render: {e}"))),
    }
}

/// `303 See Other` to `location`, with a cookie to set.
pub fn see_other(location: &str, cookie: Option<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Adds a `Set-Cookie` header.
pub fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The 404 page: the same bytes for a route the role may not use, another tenant's object and an object
/// that never existed.
pub fn not_found(viewer: Option<&Viewer>) -> Response {
    page(StatusCode::NOT_FOUND, render_not_found(viewer))
}

/// The error page of `kind`.
pub fn error_page(viewer: Option<&Viewer>, kind: ErrorKind) -> Response {
    let status = StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    page(status, render_error(viewer, &ErrorPage { kind, reference: None }))
}

/// A failure of the store: logged with a reference, which the error page shows.
fn internal(e: StoreError) -> Response {
    let reference = format!("F-{}-{:04}", chrono::Utc::now().format("%Y-%m-%d"), now().rem_euclid(10_000));
    eprintln!("formdesk-portal: console {reference}: {e}");
    let rendered = render_error(None, &ErrorPage { kind: ErrorKind::Internal, reference: Some(reference) });
    match rendered {
        Ok(body) => html(StatusCode::INTERNAL_SERVER_ERROR, body),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The answer to a path under `/admin` that no route has (the 404 page), or to `/admin` itself (the
/// overview); `None` for any other path.
pub fn unrouted(path: &str) -> Option<Response> {
    if path == "/admin" {
        return Some(secure(see_other("/admin/", None)));
    }
    path.starts_with("/admin/").then(|| secure(not_found(None)))
}

/// The security headers of every console answer (the style sheet has its own).
fn secure(mut response: Response) -> Response {
    let is_css = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/css"));
    if is_css {
        return response;
    }
    for (name, value) in page_headers() {
        if *name == "Content-Type" {
            continue;
        }
        if let (Ok(name), Ok(value)) = (header::HeaderName::try_from(*name), HeaderValue::from_str(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// Now, Unix seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
