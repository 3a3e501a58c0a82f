//! The console's pages: what each route reads from the store and which page of `formdesk_console::pages`
//! it renders. Only [`super::handle`] calls these, after the session, the role and a `POST`'s CSRF token and
//! origin were checked.

use super::{Caller, Console, Input, begin_session, error_page, not_found, page, see_other, time, with_cookie};
use crate::routes::{Page, RouteSpec};
use crate::store::accounts::Account;
use crate::store::{AccountStore, Device, Refusal, Store, StoreError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use formdesk_console::auth::{
    self, CsrfToken, Password, PasswordRefusal, Role, SetupToken, Throttle, TotpRefusal, TotpSecret,
    check_password_rules, pre_session_cookie, pre_session_cookie_removal, session_cookie, throttle, verify_password,
    verify_totp, verify_unknown_login,
};
use formdesk_console::pages::account::{AccountNotice, AccountPage, Totp, render_account};
use formdesk_console::pages::devices::{
    Channel, DeviceEnrolledPage, DeviceRow, DeviceState, DevicesPage, RevokeDevicePage, render_device_enrolled,
    render_devices, render_revoke_device,
};
use formdesk_console::pages::errors::ErrorKind;
use formdesk_console::pages::inbox::{InboxPage, InboxRow, render_inbox};
use formdesk_console::pages::operator::{
    AccountProblem, AccountRow, AccountsPage, CreatedAccount, OperatorOverviewPage, TenantChoice, TenantHealthRow,
    TenantProblem, TenantRow, TenantsPage, render_accounts, render_operator_overview, render_tenants,
};
use formdesk_console::pages::overview::{TenantOverviewPage, render_tenant_overview};
use formdesk_console::pages::sign_in::{
    PasswordProblem, SecondFactorPage, SetupPage, SignInNotice, SignInPage, render_second_factor, render_setup,
    render_sign_in,
};
use formdesk_console::pages::{Viewer, stylesheet, stylesheet_headers};
use formdesk_protocol::audit::Action;
use formdesk_protocol::ids;
use formdesk_protocol::wire::FormsChannelName;
use ring::rand::SecureRandom;

type Answer = Result<Response, StoreError>;

/// The pages without a session: sign-in, the setup link, the style sheet.
pub async fn public<S: Store + AccountStore>(store: &S, console: &Console, spec: &RouteSpec, input: &Input) -> Answer {
    match (spec.endpoint, input.parts.method == axum::http::Method::POST) {
        (crate::routes::Endpoint::Console(Page::Static), _) => Ok(static_file(&input.ids[0])),
        (crate::routes::Endpoint::Console(Page::SignIn), false) => sign_in_form(store, console, input).await,
        (crate::routes::Endpoint::Console(Page::SignIn), true) => sign_in(store, console, input).await,
        (crate::routes::Endpoint::Console(Page::Setup), post) => setup(store, console, input, post).await,
        _ => Ok(not_found(None)),
    }
}

/// The pages of a signed-in caller (or, for the code page, of a password-only session).
pub async fn signed_in<S: Store + AccountStore>(
    store: &S,
    console: &Console,
    spec: &RouteSpec,
    input: &Input,
    caller: Caller,
) -> Answer {
    let post = input.parts.method == axum::http::Method::POST;
    let crate::routes::Endpoint::Console(which) = spec.endpoint else { return Ok(not_found(None)) };
    match which {
        Page::SecondFactor => second_factor(store, console, input, caller, post).await,
        Page::SignOut => {
            store.end_session(caller.account(), caller.token_sha256.clone()).await?;
            crate::console::audit::record(store, caller.account(), Action::SignOut, None, None, input.now).await;
            Ok(see_other("/admin/anmelden?abgemeldet", Some(auth::session_cookie_removal())))
        }
        Page::Overview => overview(store, console, input, &caller).await,
        Page::Devices if post => enrol(store, console, input, &caller).await,
        Page::Devices => devices(store, input, &caller, None).await,
        Page::Device => devices(store, input, &caller, Some(&input.ids[0])).await,
        Page::RevokeDevice => revoke(store, input, &caller, post).await,
        Page::Account => account(store, console, input, caller, post).await,
        Page::Tenants => tenants(store, input, &caller, post).await,
        Page::Accounts => accounts(store, console, input, &caller, post).await,
        Page::Inbox => inbox(store, input, &caller).await,
        Page::Health => super::health::health(store, console, input, &caller).await,
        Page::Audit => audit(store, console, input, &caller).await,
        Page::Forms if post => super::forms::upload(store, console, input, &caller).await,
        Page::Forms => super::forms::forms(console, &caller, None, None).await,
        Page::Form => super::forms::form(store, console, input, &caller).await,
        Page::Destinations if post => super::destinations::add(store, console, input, &caller).await,
        Page::Destinations => super::destinations::list(store, console, &caller, None).await,
        Page::FormReport => super::forms::report(console, input, &caller).await,
        Page::DeviceChannel => super::forms::device_channel(store, input, &caller).await,
        Page::SignIn | Page::Setup | Page::Static => Ok(not_found(Some(&caller.viewer))),
    }
}

fn static_file(name: &str) -> Response {
    let (sheet_name, body) = stylesheet();
    if name != sheet_name {
        return not_found(None);
    }
    let mut response = (StatusCode::OK, body).into_response();
    for (name, value) in stylesheet_headers() {
        if let (Ok(name), Ok(value)) =
            (axum::http::HeaderName::try_from(*name), axum::http::HeaderValue::from_str(value))
        {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// A fresh pre-session token and its cookie.
fn pre_session(console: &Console) -> Result<(CsrfToken, String), StoreError> {
    let token = CsrfToken::generate(&console.rng).map_err(|e| StoreError::Database(e.to_string()))?;
    let cookie = pre_session_cookie(&token).to_string();
    Ok((token, cookie))
}

async fn sign_in_form<S: AccountStore>(store: &S, console: &Console, input: &Input) -> Answer {
    // Someone signed in already goes to the overview.
    if let super::Found::Live(caller) = super::find_session(store, &input.cookies, input.now).await?
        && (caller.session.second_factor || !caller.account().totp_on())
    {
        return Ok(see_other("/admin/", None));
    }
    let notice = if input.query_has("abgemeldet") {
        Some(SignInNotice::SignedOut)
    } else if input.query_has("abgelaufen") {
        Some(SignInNotice::SessionExpired)
    } else {
        None
    };
    let (token, cookie) = pre_session(console)?;
    let rendered = render_sign_in(&SignInPage { csrf: token.form_value().to_string(), login: String::new(), notice });
    Ok(with_cookie(page(StatusCode::OK, rendered), &cookie))
}

/// The stricter of two throttles.
fn stricter(a: Throttle, b: Throttle) -> Throttle {
    let wait = |t: &Throttle| match *t {
        Throttle::Allowed { .. } => 0,
        Throttle::Wait { seconds } | Throttle::Locked { seconds, .. } => seconds,
    };
    if wait(&b) > wait(&a) { b } else { a }
}

fn throttle_seconds(t: Throttle) -> u32 {
    match t {
        Throttle::Allowed { .. } => 0,
        Throttle::Wait { seconds } | Throttle::Locked { seconds, .. } => u32::try_from(seconds).unwrap_or(u32::MAX),
    }
}

async fn throttle_of<S: AccountStore>(store: &S, key: &str, now: i64) -> Result<Throttle, StoreError> {
    let f = store.failures(key.to_owned()).await?;
    Ok(throttle(f.count, f.window_start, f.last_failure, now))
}

/// Runs `work` on a blocking thread if one of the [`super::MAX_HASHES`] places is free; `None` if all are
/// taken (the caller answers "ausgelastet").
async fn hashing<T: Send + 'static>(
    console: &Console,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<Option<T>, StoreError> {
    let Ok(permit) = std::sync::Arc::clone(&console.hashing).try_acquire_owned() else {
        return Ok(None);
    };
    let out = tokio::task::spawn_blocking(move || {
        let out = work();
        drop(permit);
        out
    })
    .await
    .map_err(|e| StoreError::Database(format!("a password hash failed: {e}")))?;
    Ok(Some(out))
}

async fn sign_in<S: Store + AccountStore>(store: &S, console: &Console, input: &Input) -> Answer {
    let login = input.field("login").trim().to_owned();
    let password = Password::new(input.field("passwort"));
    let csrf = input.field("csrf").to_owned();
    let again = |notice: SignInNotice, status: StatusCode| {
        let login = login.chars().take(100).collect();
        page(status, render_sign_in(&SignInPage { csrf: csrf.clone(), login, notice: Some(notice) }))
    };
    let account_key = auth::account_key(&login, &console.login_key);
    let address_key = auth::address_key(input.peer());
    let by_account = throttle_of(store, &account_key, input.now).await?;
    let by_address = throttle_of(store, &address_key, input.now).await?;
    let strict = stricter(by_account, by_address);
    if !strict.is_allowed() {
        let seconds = throttle_seconds(strict);
        return Ok(again(SignInNotice::Throttled { seconds }, StatusCode::TOO_MANY_REQUESTS));
    }
    let account = store.account_for_sign_in(login.clone()).await?;
    let stored = account.as_ref().filter(|a| a.disabled_at.is_none()).and_then(|a| a.password.clone());
    let checked = hashing(console, move || match stored {
        Some(hash) => verify_password(&password, &hash).map(|c| (c.matched, c.rehash, Some(password))),
        None => verify_unknown_login(&password).map(|()| (false, false, None)),
    })
    .await?;
    let Some(checked) = checked else { return Ok(error_page(None, ErrorKind::Busy)) };
    let (matched, rehash, password) = match checked {
        Ok(result) => result,
        Err(e) => {
            eprintln!("formdesk-portal: console: a stored password hash could not be checked: {e}");
            (false, false, None)
        }
    };
    let account = match account {
        Some(account) if matched => account,
        account => {
            for (key, t) in [(account_key, by_account), (address_key, by_address)] {
                let fresh = matches!(t, Throttle::Allowed { fresh_window: true });
                store.record_failure(key, input.now, fresh).await?;
            }
            crate::console::audit::sign_in_failed(store, &console.login_key, &login, account.as_ref(), input.now).await;
            return Ok(again(SignInNotice::WrongCredentials, StatusCode::OK));
        }
    };
    store.clear_failures(account_key).await?;
    // A session the browser still had ends: a sign-in always begins a new one (no fixation).
    if let super::Found::Live(old) = super::find_session(store, &input.cookies, input.now).await? {
        store.end_session(old.account(), old.token_sha256.clone()).await?;
    }
    if rehash && let Some(password) = password {
        let rng_hash =
            hashing(console, move || auth::hash_password(&password, &ring::rand::SystemRandom::new())).await?;
        if let Some(Ok(phc)) = rng_hash {
            store.set_password(&account, phc).await?;
        }
    }
    let second_factor = !account.totp_on();
    let token = begin_session(store, console, &account, second_factor, input.now).await?;
    let location = if second_factor {
        crate::console::audit::record(store, &account, Action::SignIn, None, Some(("second_factor", "no")), input.now)
            .await;
        "/admin/"
    } else {
        "/admin/anmelden/code"
    };
    let response = see_other(location, Some(session_cookie(&token).to_string()));
    Ok(with_cookie(response, &pre_session_cookie_removal()))
}

async fn second_factor<S: Store + AccountStore>(
    store: &S,
    console: &Console,
    input: &Input,
    caller: Caller,
    post: bool,
) -> Answer {
    let csrf = caller.viewer.csrf.clone();
    if !post {
        return Ok(page(StatusCode::OK, render_second_factor(&SecondFactorPage { csrf, wrong_code: false })));
    }
    let account = caller.account();
    let key = auth::account_key(&account.login, &console.login_key);
    let t = throttle_of(store, &key, input.now).await?;
    let wrong = |status| page(status, render_second_factor(&SecondFactorPage { csrf: csrf.clone(), wrong_code: true }));
    if !t.is_allowed() {
        return Ok(wrong(StatusCode::TOO_MANY_REQUESTS));
    }
    let secret = account
        .totp_secret
        .as_deref()
        .map(TotpSecret::from_bytes)
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let Some(secret) = secret else { return Ok(see_other("/admin/", None)) };
    let result = verify_totp(&secret, input.field("code"), input.now, account.totp_last_step);
    let accepted = match result {
        Ok(step) => store.use_totp_step(account, step).await?,
        Err(_) => false,
    };
    if !accepted {
        store.record_failure(key, input.now, matches!(t, Throttle::Allowed { fresh_window: true })).await?;
        return Ok(wrong(StatusCode::OK));
    }
    store.clear_failures(key).await?;
    // The password-only session is replaced by a full one (no fixation).
    store.end_session(account, caller.token_sha256.clone()).await?;
    let token = begin_session(store, console, account, true, input.now).await?;
    crate::console::audit::record(store, account, Action::SignIn, None, Some(("second_factor", "totp")), input.now)
        .await;
    Ok(see_other("/admin/", Some(session_cookie(&token).to_string())))
}

fn password_problem(refusal: PasswordRefusal) -> PasswordProblem {
    match refusal {
        PasswordRefusal::TooShort => PasswordProblem::TooShort,
        PasswordRefusal::TooLong => PasswordProblem::TooLong,
        PasswordRefusal::ContainsLogin => PasswordProblem::SameAsLogin,
        PasswordRefusal::Common => PasswordProblem::TooCommon,
    }
}

/// Checks a new password typed twice.
fn new_password(input: &Input, login: &str) -> Result<Password, PasswordProblem> {
    let (first, second) = (input.field("passwort"), input.field("passwort2"));
    if first != second {
        return Err(PasswordProblem::Mismatch);
    }
    check_password_rules(first, login).map_err(password_problem)?;
    Ok(Password::new(first))
}

async fn setup<S: Store + AccountStore>(store: &S, console: &Console, input: &Input, post: bool) -> Answer {
    let Ok(token) = SetupToken::from_path_segment(&input.ids[0]) else { return Ok(not_found(None)) };
    let hash = crate::accounts::hex(&token.sha256());
    let Some((account, expires)) = store.account_for_setup(hash.clone()).await? else {
        return Ok(not_found(None));
    };
    if !auth::setup_link_valid(expires, input.now) {
        return Ok(not_found(None));
    }
    let render = |csrf: String, problem| SetupPage {
        csrf,
        token: input.ids[0].clone(),
        login: account.login.clone(),
        display_name: account.display_name.clone(),
        valid_until: time::minute(expires),
        problem,
    };
    if !post {
        let (csrf, cookie) = pre_session(console)?;
        let rendered = render_setup(&render(csrf.form_value().to_string(), None));
        return Ok(with_cookie(page(StatusCode::OK, rendered), &cookie));
    }
    let csrf = input.field("csrf").to_owned();
    let password = match new_password(input, &account.login) {
        Ok(p) => p,
        Err(problem) => return Ok(page(StatusCode::OK, render_setup(&render(csrf, Some(problem))))),
    };
    let hashed = hashing(console, move || auth::hash_password(&password, &ring::rand::SystemRandom::new())).await?;
    let Some(hashed) = hashed else { return Ok(error_page(None, ErrorKind::Busy)) };
    let phc = hashed.map_err(|e| StoreError::Database(e.to_string()))?;
    let Some(account) = store.finish_setup(hash, phc, input.now).await? else { return Ok(not_found(None)) };
    crate::console::audit::record(store, &account, Action::PasswordSet, None, None, input.now).await;
    let token = begin_session(store, console, &account, true, input.now).await?;
    crate::console::audit::record(store, &account, Action::SignIn, None, Some(("second_factor", "no")), input.now)
        .await;
    let response = see_other("/admin/", Some(session_cookie(&token).to_string()));
    Ok(with_cookie(response, &pre_session_cookie_removal()))
}

/// The desks' rows for the "Geräte" page.
async fn device_rows<S: Store>(
    store: &S,
    tenant: &crate::store::Tenant,
    now: i64,
) -> Result<Vec<(Device, DeviceRow)>, StoreError> {
    let devices = store.devices(tenant).await?;
    let forms = store.devices_forms(tenant).await?;
    Ok(devices
        .into_iter()
        .map(|d| {
            let f = forms.iter().find(|f| f.device_id == d.id);
            let state = match (d.revoked_at, d.enrolled_at) {
                (Some(_), _) => DeviceState::Revoked,
                (None, Some(_)) => DeviceState::Enrolled,
                (None, None) if d.code_expires_at < now => DeviceState::Revoked,
                (None, None) => DeviceState::CodeOpen { until: time::minute(d.code_expires_at) },
            };
            let channel = match f.map(|f| f.channel) {
                Some(FormsChannelName::Pilot) => Channel::Pilot,
                _ => Channel::All,
            };
            let report = f.and_then(|f| f.report.as_ref());
            let row = DeviceRow {
                id: d.id.clone(),
                name: d.name.clone(),
                state,
                channel,
                form_set: report.map(|r| format!("Stand {}", r.set_version)),
                app_version: f.and_then(|f| f.app_version.clone()),
                last_contact: report.map(|r| time::minute(r.reported_at)),
                error: report.and_then(|r| r.error.clone()),
            };
            (d, row)
        })
        .collect())
}

async fn devices<S: Store>(store: &S, input: &Input, caller: &Caller, only: Option<&str>) -> Answer {
    let Some(tenant) = caller.account().tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let mut rows: Vec<DeviceRow> = device_rows(store, tenant, input.now).await?.into_iter().map(|(_, r)| r).collect();
    if let Some(id) = only {
        rows.retain(|r| r.id == id);
        if rows.is_empty() {
            return Ok(not_found(Some(&caller.viewer)));
        }
    }
    Ok(page(StatusCode::OK, render_devices(&caller.viewer, &DevicesPage { devices: rows })))
}

fn random<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut bytes = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| StoreError::Database("the system gave no random numbers".into()))?;
    Ok(bytes)
}

/// "Gerät einrichten": registers a desk as `devices enrol` does (code valid 7 days) and shows its code.
async fn enrol<S: Store + AccountStore>(store: &S, console: &Console, input: &Input, caller: &Caller) -> Answer {
    let Some(tenant) = caller.account().tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let name = input.field("name").trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Ok(error_page(Some(&caller.viewer), ErrorKind::BadRequest));
    }
    let code = ids::enrolment_code_from_random(random()?);
    let normalized = ids::normalize_enrolment_code(&code).map_err(|e| StoreError::Database(e.to_string()))?;
    let device = Device {
        id: ids::uuid_from_random(random()?),
        name: name.to_owned(),
        public_key: None,
        code_hash: crate::store::code_hash(&normalized),
        code_expires_at: input.now + 7 * 86_400,
        created_at: input.now,
        enrolled_at: None,
        revoked_at: None,
    };
    let by = crate::console::audit::actor(caller.account());
    store.add_device(tenant, device.clone(), &by).await?;
    let enrolled = DeviceEnrolledPage {
        device_name: device.name.clone(),
        code: code.clone(),
        valid_until: time::minute(device.code_expires_at),
        qr_text: format!("formdesk-enrol:{}#{code}", console.origin),
    };
    Ok(page(StatusCode::OK, render_device_enrolled(&caller.viewer, &enrolled)))
}

async fn revoke<S: Store + AccountStore>(store: &S, input: &Input, caller: &Caller, post: bool) -> Answer {
    let Some(tenant) = caller.account().tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let id = input.ids[0].clone();
    if post {
        if ids::check_uuid("device id", &id).is_err() {
            return Ok(not_found(Some(&caller.viewer)));
        }
        let by = crate::console::audit::actor(caller.account());
        return match store.revoke_device(tenant, id.clone(), input.now, &by).await? {
            Some(_) => Ok(see_other("/admin/geraete", None)),
            None => Ok(not_found(Some(&caller.viewer))),
        };
    }
    let rows = device_rows(store, tenant, input.now).await?;
    let Some((_, row)) = rows.into_iter().find(|(d, _)| d.id == id) else {
        return Ok(not_found(Some(&caller.viewer)));
    };
    let confirm = RevokeDevicePage { id: row.id, name: row.name, last_contact: row.last_contact };
    Ok(page(StatusCode::OK, render_revoke_device(&caller.viewer, &confirm)))
}

async fn overview<S: Store + AccountStore>(store: &S, console: &Console, input: &Input, caller: &Caller) -> Answer {
    let account = caller.account();
    let week_ago = input.now - 7 * 86_400;
    if let Some(operator) = account.operator() {
        let mut rows = Vec::new();
        for info in store.tenants(&operator).await? {
            let devices = store.devices(&info.tenant).await?;
            let forms = store.devices_forms(&info.tenant).await?;
            let counts = store.inbox_counts(&info.tenant, week_ago).await?;
            rows.push(TenantHealthRow {
                ars: info.tenant.ars().to_string(),
                name: info.name,
                desks: u32::try_from(
                    devices.iter().filter(|d| d.enrolled_at.is_some() && d.revoked_at.is_none()).count(),
                )
                .unwrap_or(u32::MAX),
                last_contact: forms
                    .iter()
                    .filter_map(|f| f.report.as_ref().map(|r| r.reported_at))
                    .max()
                    .map(time::minute),
                form_set_age_days: None,
                signature_ends_in_days: None,
                waiting: counts.iter().map(|c| c.waiting).sum(),
                oldest_waiting: counts.iter().filter_map(|c| c.oldest_waiting).min().map(time::minute),
                audit_verified: false,
                suspended: info.suspended_at.is_some(),
            });
        }
        return Ok(page(
            StatusCode::OK,
            render_operator_overview(&caller.viewer, &OperatorOverviewPage { tenants: rows }),
        ));
    }
    let Some(tenant) = account.tenant() else { return Ok(not_found(Some(&caller.viewer))) };
    let devices = store.devices(tenant).await?;
    let counts = store.inbox_counts(tenant, week_ago).await?;
    let sees_all = account.has(Role::FormEditor) || account.has(Role::DeviceAdmin);
    let sets = super::forms::form_sets(console, tenant).await.map(|(_, pilot, all)| (pilot, all));
    let current = sets.as_ref().and_then(|(_, all)| all.as_ref());
    let (form_set_version, form_set_age_days) = current.map_or((0, 0), |m| {
        let published = chrono::DateTime::parse_from_rfc3339(&m.published).map_or(input.now, |t| t.timestamp());
        (m.set_version, u32::try_from((input.now - published).max(0) / 86_400).unwrap_or(u32::MAX))
    });
    let desks_behind = match current {
        Some(m) => {
            let forms = store.devices_forms(tenant).await?;
            count(devices.iter().filter(|d| d.enrolled_at.is_some() && d.revoked_at.is_none()).filter(|d| {
                forms
                    .iter()
                    .find(|f| f.device_id == d.id)
                    .and_then(|f| f.report.as_ref())
                    .is_none_or(|r| r.set_version < m.set_version)
            }))
        }
        None => 0,
    };
    let overview = TenantOverviewPage {
        name: caller.session.tenant_name.clone().unwrap_or_default(),
        ars: tenant.ars().to_string(),
        logo_path: None,
        desks_enrolled: count(devices.iter().filter(|d| d.enrolled_at.is_some() && d.revoked_at.is_none())),
        desks_revoked: count(devices.iter().filter(|d| d.revoked_at.is_some())),
        desks_behind,
        form_set_version,
        form_set_age_days,
        signature_ends_in_days: None,
        waiting: counts
            .iter()
            .filter(|c| sees_all || account.destinations.contains(&c.destination_id))
            .map(|c| c.waiting)
            .sum(),
    };
    Ok(page(StatusCode::OK, render_tenant_overview(&caller.viewer, &overview)))
}

/// The tenant's form sets (pilot, all) from its repository of the form channel, if it has one.
fn count<T>(items: impl Iterator<Item = T>) -> u32 {
    u32::try_from(items.count()).unwrap_or(u32::MAX)
}

async fn inbox<S: Store + AccountStore>(store: &S, input: &Input, caller: &Caller) -> Answer {
    let account = caller.account();
    let week_ago = input.now - 7 * 86_400;
    let mut rows = Vec::new();
    let row = |c: crate::store::accounts::InboxCounts, name: String, tenant: Option<String>| InboxRow {
        destination_id: c.destination_id,
        name,
        tenant,
        announced: c.announced,
        waiting: c.waiting,
        picked_up_7_days: c.picked_up,
        oldest_waiting: c.oldest_waiting.map(time::minute),
        // "Abholen" in the console is not served yet; `inbox export` picks up.
        may_pick_up: false,
        may_download_again: false,
    };
    if let Some(operator) = account.operator() {
        for info in store.tenants(&operator).await? {
            let names = store.destinations(&info.tenant).await?;
            for c in store.inbox_counts(&info.tenant, week_ago).await? {
                let name = names.iter().find(|d| d.id == c.destination_id).map(|d| d.name.clone()).unwrap_or_default();
                rows.push(row(c, name, Some(info.name.clone())));
            }
        }
    } else if let Some(tenant) = account.tenant() {
        let sees_all = account.has(Role::FormEditor) || account.has(Role::DeviceAdmin);
        let names = store.destinations(tenant).await?;
        for c in store.inbox_counts(tenant, week_ago).await? {
            if sees_all || account.destinations.contains(&c.destination_id) {
                let name = names.iter().find(|d| d.id == c.destination_id).map(|d| d.name.clone()).unwrap_or_default();
                rows.push(row(c, name, None));
            }
        }
    }
    Ok(page(StatusCode::OK, render_inbox(&caller.viewer, &InboxPage { rows })))
}

/// The German name of an action in the log.
fn action_label(action: Action) -> String {
    use formdesk_protocol::audit::Action as A;
    match action {
        A::SignIn => "Angemeldet",
        A::SignInFailed => "Anmeldung fehlgeschlagen",
        A::SignOut => "Abgemeldet",
        A::TotpOn => "Zwei-Faktor-Anmeldung eingeschaltet",
        A::PasswordSet => "Passwort festgelegt",
        A::TenantAdd => "Mandant angelegt",
        A::AccountAdd => "Konto angelegt",
        A::AccountDisable => "Konto gesperrt",
        A::RolesSet => "Aufgaben geändert",
        A::DeviceAdd => "Gerät angelegt",
        A::DeviceEnrolled => "Gerät eingerichtet",
        A::DeviceRevoke => "Gerät gesperrt",
        A::DeviceChannel => "Kanal eines Geräts geändert",
        A::DestinationPut => "Ziel gespeichert",
        A::FormsUpload => "Formularstand hochgeladen",
        A::AppPublish => "App-Version veröffentlicht",
        A::InboxPickup => "Anträge abgeholt",
        A::DeskCheckpoint => "Prüfpunkt eines Geräts",
        other => return format!("{other:?}"),
    }
    .to_owned()
}

/// "Protokoll": the caller's log (the tenant's, or the operator's), newest first, 50 a page (`?seite=N`).
async fn audit<S: Store + AccountStore>(store: &S, console: &Console, input: &Input, caller: &Caller) -> Answer {
    use crate::store::audit::{AUDIT_PAGE, AuditLog};
    use formdesk_console::pages::audit::{AuditEntry, AuditPage, Checkpoint, Verification, render_audit};
    let account = caller.account();
    let log = match (account.tenant(), account.operator()) {
        (Some(tenant), _) => AuditLog::tenant(tenant),
        (None, Some(operator)) => AuditLog::operator(&operator),
        (None, None) => return Ok(not_found(Some(&caller.viewer))),
    };
    let first = store.audit_page(log.clone(), None).await?;
    let head = first.entries.first().map(|e| e.head());
    let total = head.as_ref().map_or(0, |h| h.seq);
    let per_page = u64::try_from(AUDIT_PAGE).unwrap_or(50);
    let pages = u32::try_from(total.div_ceil(per_page).max(1)).unwrap_or(u32::MAX);
    let wanted: u32 = input
        .parts
        .uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|p| p.strip_prefix("seite="))
        .and_then(|n| n.parse().ok())
        .filter(|n| (1..=pages).contains(n))
        .unwrap_or(1);
    let listed = if wanted == 1 {
        first
    } else {
        let before = total.saturating_sub(per_page * u64::from(wanted - 1)) + 1;
        store.audit_page(log.clone(), Some(before)).await?
    };
    // "Protokoll prüfen": the whole chain and its checkpoints, as `audit verify` checks them.
    let verification = if input.query_has("pruefen") {
        let (verdict, _) = crate::audit::check(store, &log, console.audit_key()).await?;
        Some(match verdict {
            Ok(head) => Verification::Intact { entries: head.seq },
            Err(broken) => Verification::Broken { at_seq: broken.seq },
        })
    } else {
        None
    };
    let checkpoint = store.audit_checkpoints(log).await?.into_iter().last();
    let names = store.account_names(account.tenant()).await?;
    let who = |actor: &str| -> String {
        if let Some((_, name)) = names.iter().find(|(id, _)| id == actor) {
            return name.clone();
        }
        match actor {
            crate::store::audit::CLI => "Kommandozeile".to_owned(),
            _ => match actor.strip_prefix("login:") {
                // A failed sign-in: the login only as its keyed digest.
                Some(digest) => format!("Anmeldename {}…", digest.chars().take(8).collect::<String>()),
                None => actor.to_owned(),
            },
        }
    };
    let entries = listed
        .entries
        .into_iter()
        .map(|e| AuditEntry {
            seq: e.record.seq,
            at: time::second(e.record.at),
            actor: who(&e.record.actor),
            action: action_label(e.record.action),
            object: e.record.object.clone(),
        })
        .collect();
    let shown = AuditPage {
        entries,
        page: wanted,
        pages,
        head_hash: head.map_or_else(|| "0".repeat(64), |h| crate::accounts::hex(&h.hash)),
        last_checkpoint: checkpoint.map(|c| Checkpoint { size: c.checkpoint.seq, at: time::second(c.checkpoint.at) }),
        verification,
        kinds: Vec::new(),
        selected_kind: None,
    };
    Ok(page(StatusCode::OK, render_audit(&caller.viewer, &shown)))
}

fn group4(text: &str) -> String {
    text.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

async fn account<S: Store + AccountStore>(
    store: &S,
    console: &Console,
    input: &Input,
    caller: Caller,
    post: bool,
) -> Answer {
    let account = caller.account().clone();
    let operator = account.has(Role::Operator);
    let totp_state = |account: &Account, pending: Option<&[u8]>, wrong_code: bool| -> Result<Totp, StoreError> {
        if account.totp_on() {
            return Ok(Totp::On { may_switch_off: !operator });
        }
        match pending {
            Some(bytes) => {
                let secret = TotpSecret::from_bytes(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(Totp::SettingUp {
                    uri: secret.otpauth_uri(&account.login).to_string(),
                    secret: group4(&secret.to_base32()),
                    wrong_code,
                })
            }
            None => Ok(Totp::Off),
        }
    };
    let show = |viewer: &Viewer, totp: Totp, password_problem, notice| {
        let shown = AccountPage { login: account.login.clone(), totp, password_problem, notice };
        page(StatusCode::OK, render_account(viewer, &shown))
    };
    if !post {
        let totp = totp_state(&account, caller.session.totp_pending.as_deref(), false)?;
        return Ok(show(&caller.viewer, totp, None, None));
    }
    match input.field("aktion") {
        "passwort" => {
            let current = Password::new(input.field("passwort_alt"));
            let Some(stored) = account.password.clone() else { return Ok(error_page(None, ErrorKind::BadRequest)) };
            let fresh = new_password(input, &account.login);
            let checked = hashing(console, move || {
                let matched = verify_password(&current, &stored).is_ok_and(|c| c.matched);
                (matched, fresh.map(|p| auth::hash_password(&p, &ring::rand::SystemRandom::new())))
            })
            .await?;
            let Some((matched, fresh)) = checked else { return Ok(error_page(Some(&caller.viewer), ErrorKind::Busy)) };
            let totp = totp_state(&account, caller.session.totp_pending.as_deref(), false)?;
            if !matched {
                return Ok(show(&caller.viewer, totp, Some(PasswordProblem::WrongCurrent), None));
            }
            let phc = match fresh {
                Err(problem) => return Ok(show(&caller.viewer, totp, Some(problem), None)),
                Ok(hashed) => hashed.map_err(|e| StoreError::Database(e.to_string()))?,
            };
            // All sessions end with the old password; this one is replaced.
            store.set_password(&account, phc).await?;
            crate::console::audit::record(store, &account, Action::PasswordSet, None, None, input.now).await;
            let token = begin_session(store, console, &account, true, input.now).await?;
            let hash = crate::accounts::hex(&token.sha256());
            let Some(session) = store.session(hash).await? else { return Ok(see_other("/admin/anmelden", None)) };
            let viewer = super::viewer(&session)?;
            let response = show(&viewer, totp, None, Some(AccountNotice::PasswordChanged));
            Ok(with_cookie(response, &session_cookie(&token)))
        }
        "totp-einrichten" if !account.totp_on() => {
            let secret = TotpSecret::generate(&console.rng).map_err(|e| StoreError::Database(e.to_string()))?;
            store.set_totp_pending(&account, caller.token_sha256.clone(), Some(secret.expose().to_vec())).await?;
            let totp = totp_state(&account, Some(secret.expose()), false)?;
            Ok(show(&caller.viewer, totp, None, None))
        }
        "totp-bestaetigen" if !account.totp_on() => {
            let Some(pending) = caller.session.totp_pending.clone() else {
                return Ok(show(&caller.viewer, Totp::Off, None, None));
            };
            let secret = TotpSecret::from_bytes(&pending).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            match verify_totp(&secret, input.field("code"), input.now, None) {
                Ok(step) => {
                    store.set_totp(&account, Some((pending, step))).await?;
                    store.set_totp_pending(&account, caller.token_sha256.clone(), None).await?;
                    crate::console::audit::record(store, &account, Action::TotpOn, None, None, input.now).await;
                    Ok(show(&caller.viewer, Totp::On { may_switch_off: !operator }, None, Some(AccountNotice::TotpOn)))
                }
                Err(TotpRefusal::Malformed | TotpRefusal::Wrong | TotpRefusal::Reused) => {
                    let totp = totp_state(&account, Some(&pending), true)?;
                    Ok(show(&caller.viewer, totp, None, None))
                }
            }
        }
        "totp-aus" if account.totp_on() && !operator => {
            store.set_totp(&account, None).await?;
            Ok(show(&caller.viewer, Totp::Off, None, Some(AccountNotice::TotpOff)))
        }
        _ => Ok(error_page(Some(&caller.viewer), ErrorKind::BadRequest)),
    }
}

async fn tenants<S: Store + AccountStore>(store: &S, input: &Input, caller: &Caller, post: bool) -> Answer {
    let Some(operator) = caller.account().operator() else { return Ok(not_found(Some(&caller.viewer))) };
    let mut problem = None;
    let mut entered = None;
    if post {
        let (ars, name) = (input.field("ars").trim().to_owned(), input.field("name").trim().to_owned());
        let parsed = ids::Ars::parse(&ars);
        problem = if parsed.is_err() {
            Some(TenantProblem::ArsInvalid)
        } else if name.is_empty() {
            Some(TenantProblem::NameMissing)
        } else {
            match crate::tenants::new_tenant(&ars, &name, None) {
                Ok(new) => {
                    match store.add_tenant(&operator, new, &crate::console::audit::actor(caller.account())).await {
                        Ok(_) => {
                            return Ok(see_other("/admin/betrieb/mandanten", None));
                        }
                        Err(StoreError::Refused { kind: Refusal::Conflict, .. }) => Some(TenantProblem::ArsTaken),
                        Err(e) => return Err(e),
                    }
                }
                Err(_) => Some(TenantProblem::ArsInvalid),
            }
        };
        entered = Some((ars, name));
    }
    let accounts = store.accounts(&operator, None).await?;
    let rows = store
        .tenants(&operator)
        .await?
        .into_iter()
        .map(|t| TenantRow {
            ars: t.tenant.ars().to_string(),
            name: t.name,
            created: time::day(t.created_at),
            accounts: count(accounts.iter().filter(|a| a.tenant() == Some(&t.tenant))),
            suspended: t.suspended_at.is_some(),
        })
        .collect();
    let listed = TenantsPage { tenants: rows, problem, entered };
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(page(status, render_tenants(&caller.viewer, &listed)))
}

async fn accounts<S: Store + AccountStore>(
    store: &S,
    console: &Console,
    input: &Input,
    caller: &Caller,
    post: bool,
) -> Answer {
    let Some(operator) = caller.account().operator() else { return Ok(not_found(Some(&caller.viewer))) };
    let tenants = store.tenants(&operator).await?;
    let mut problem = None;
    let mut created = None;
    if post {
        let roles: Vec<Role> = input.fields("rolle").iter().filter_map(|r| r.parse().ok()).collect();
        let tenant = match input.field("mandant") {
            "" => None,
            ars => tenants.iter().find(|t| t.tenant.ars().as_str() == ars).map(|t| t.tenant.clone()),
        };
        let login = input.field("login").trim().to_owned();
        let name = input.field("name").trim().to_owned();
        problem = if roles.is_empty() {
            Some(AccountProblem::NoRole)
        } else if crate::store::accounts::check_roles(tenant.is_some(), &roles, &[]).is_err() {
            Some(AccountProblem::RoleTenantMismatch)
        } else if crate::accounts::check_login(&login).is_err() || name.is_empty() {
            return Ok(error_page(Some(&caller.viewer), ErrorKind::BadRequest));
        } else {
            let made = crate::accounts::create(
                store,
                &operator,
                tenant,
                &login,
                &name,
                roles,
                Vec::new(),
                &console.origin,
                input.now,
            )
            .await;
            match made {
                Ok(made) => {
                    crate::console::audit::record(
                        store,
                        caller.account(),
                        Action::AccountAdd,
                        Some(&made.account.id),
                        None,
                        input.now,
                    )
                    .await;
                    created = Some(CreatedAccount {
                        login: made.account.login.clone(),
                        setup_link: made.link.to_string(),
                        valid_until: time::minute(made.expires_at),
                    });
                    None
                }
                Err(StoreError::Refused { kind: Refusal::Conflict, .. }) => Some(AccountProblem::LoginTaken),
                Err(e) => return Err(e),
            }
        };
    }
    let names: Vec<(crate::store::Tenant, String)> =
        tenants.iter().map(|t| (t.tenant.clone(), t.name.clone())).collect();
    let rows = store
        .accounts(&operator, None)
        .await?
        .into_iter()
        .map(|a| AccountRow {
            id: a.id.clone(),
            login: a.login.clone(),
            display_name: a.display_name.clone(),
            tenant: a.tenant().and_then(|t| names.iter().find(|(n, _)| n == t).map(|(_, name)| name.clone())),
            roles: a.roles.clone(),
            totp: a.totp_on(),
            setup_pending: a.setup_pending,
            disabled: a.disabled_at.is_some(),
        })
        .collect();
    let choices =
        tenants.iter().map(|t| TenantChoice { ars: t.tenant.ars().to_string(), name: t.name.clone() }).collect();
    let listed = AccountsPage { accounts: rows, tenants: choices, created, problem };
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(page(status, render_accounts(&caller.viewer, &listed)))
}
