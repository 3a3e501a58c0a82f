//! The console's accounts at the command line (`accounts add|list|disable`), and the making of a new account
//! with its one-time setup link, which the operator's "Konto anlegen" in the console shares.
//!
//! No password is ever given on a command line (shell history, `ps`): `accounts add` prints a setup link
//! (`<console-origin>/admin/einrichten/<token>`, 72 hours) through which the person sets it in the browser.
//! The database keeps only the link's SHA-256.

use crate::server::time_text;
use crate::store::accounts::{Account, NewAccount};
use crate::store::{AccountStore, Operator, Store, StoreError, Tenant};
use anyhow::{Context, Result, bail};
use formdesk_console::auth::{Role, SetupToken};
use formdesk_protocol::ids;
use ring::rand::{SecureRandom, SystemRandom};
use std::io::Write;
use std::process::ExitCode;
use zeroize::Zeroizing;

/// The longest login and display name taken.
const MAX_NAME_CHARS: usize = 100;

/// What `accounts add` was asked for.
#[derive(Debug)]
pub struct AddRequest<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub operator: bool,
    pub tenant: Option<&'a str>,
    pub roles: &'a [String],
    pub destinations: &'a [String],
    pub console_origin: &'a str,
}

/// A new account and its setup link (shown once, never stored).
pub struct Created {
    pub account: Account,
    pub link: Zeroizing<String>,
    pub expires_at: i64,
}

/// Checks a login: 1 to 100 characters of letters, digits and `.-_@`, no spaces.
pub fn check_login(login: &str) -> Result<(), String> {
    let ok = !login.is_empty()
        && login.chars().count() <= MAX_NAME_CHARS
        && login.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok { Ok(()) } else { Err(format!("login {login:?}: use 1 to 100 letters, digits and . - _ @")) }
}

/// Makes an account with a fresh setup link; the link starts with `console_origin`.
#[expect(clippy::too_many_arguments, reason = "one account's fields, each named")]
pub async fn create<S: AccountStore>(
    store: &S,
    operator: &Operator,
    tenant: Option<Tenant>,
    login: &str,
    name: &str,
    roles: Vec<Role>,
    destinations: Vec<String>,
    console_origin: &str,
    now: i64,
) -> Result<Created, StoreError> {
    let rng = SystemRandom::new();
    let mut id = [0u8; 16];
    rng.fill(&mut id).map_err(|_| StoreError::Database("the system gave no random numbers".into()))?;
    let token = SetupToken::generate(&rng).map_err(|e| StoreError::Database(e.to_string()))?;
    let expires_at = SetupToken::expires_at(now);
    let new = NewAccount {
        id: ids::uuid_from_random(id),
        tenant,
        login: login.trim().to_owned(),
        display_name: name.trim().to_owned(),
        roles,
        destinations,
        setup_token_sha256: hex(&token.sha256()),
        setup_expires_at: expires_at,
        created_at: now,
    };
    let account = store.add_account(operator, new).await?;
    Ok(Created { account, link: token.link(console_origin), expires_at })
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of lowercase or uppercase hex, `None` for anything else.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

fn roles_text(account: &Account) -> String {
    account.roles.iter().map(|r| r.db_name()).collect::<Vec<_>>().join(",")
}

/// `accounts add`.
pub async fn add<S: Store + AccountStore>(store: &S, request: &AddRequest<'_>) -> Result<ExitCode> {
    let login = request.login.trim();
    check_login(login).map_err(anyhow::Error::msg)?;
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        bail!("--name: 1 to {MAX_NAME_CHARS} characters");
    }
    let origin = request.console_origin.trim_end_matches('/');
    if !(origin.starts_with("https://") || origin.starts_with("http://")) || origin.matches('/').count() != 2 {
        bail!("--console-origin {origin:?}: expected https://host[:port] without a path");
    }
    let (tenant, roles) = if request.operator {
        (None, vec![Role::Operator])
    } else {
        let tenant = crate::tenants::resolve(store, request.tenant).await?;
        let mut roles = Vec::new();
        for name in request.roles {
            let role: Role = name.parse().map_err(|_| {
                anyhow::anyhow!("--role {name:?}: expected formulare, geraete or eingang (operators: --operator)")
            })?;
            if role == Role::Operator {
                bail!("--role betrieb: an operator account is added with --operator and no --tenant");
            }
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        (Some(tenant), roles)
    };
    let now = chrono::Utc::now().timestamp();
    let created = create(
        store,
        &Operator::command_line(),
        tenant,
        login,
        name,
        roles,
        request.destinations.to_vec(),
        origin,
        now,
    )
    .await
    .context("adding the account")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "account  {}", created.account.id)?;
    writeln!(out, "login    {}", created.account.login)?;
    writeln!(out, "roles    {}", roles_text(&created.account))?;
    writeln!(out, "setup    {}", created.link.as_str())?;
    writeln!(out, "expires  {}", time_text(created.expires_at))?;
    writeln!(out, "Give the setup link to {} only; it sets the password once.", created.account.display_name)?;
    Ok(ExitCode::SUCCESS)
}

/// `accounts list`.
pub async fn list<S: Store + AccountStore>(store: &S, tenant: Option<&str>) -> Result<ExitCode> {
    let operator = Operator::command_line();
    let tenant = match tenant {
        Some(ars) => Some(crate::tenants::resolve(store, Some(ars)).await?),
        None => None,
    };
    let accounts = store.accounts(&operator, tenant.as_ref()).await?;
    let mut out = std::io::stdout().lock();
    for a in &accounts {
        let state = if a.disabled_at.is_some() {
            "disabled"
        } else if a.setup_pending {
            "setup-pending"
        } else {
            "active"
        };
        let tenant = a.tenant().map_or_else(|| "-".to_owned(), |t| t.ars().to_string());
        let totp = if a.totp_on() { "totp" } else { "-" };
        writeln!(out, "{}  {tenant}  {}  {state}  {totp}  {}", a.login, roles_text(a), a.display_name)?;
    }
    writeln!(out, "{} account(s)", accounts.len())?;
    Ok(ExitCode::SUCCESS)
}

/// `accounts disable`.
pub async fn disable<S: Store + AccountStore>(store: &S, login: &str) -> Result<ExitCode> {
    let now = chrono::Utc::now().timestamp();
    let Some(account) = store.disable_account(&Operator::command_line(), login.trim().to_owned(), now).await? else {
        bail!("no account has the login {login:?}; `formdesk-portal accounts list` lists them");
    };
    let event = crate::store::audit::Event::new(
        &crate::store::audit::Actor::cli(),
        formdesk_protocol::audit::Action::AccountDisable,
        now,
    )
    .on(account.id.clone());
    store.append_audit(crate::store::accounts::audit_log_of(Some(&account)), event).await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "account {} ({}) disabled since {}; its sessions have ended",
        account.login,
        account.display_name,
        time_text(account.disabled_at.unwrap_or(now))
    )?;
    Ok(ExitCode::SUCCESS)
}
