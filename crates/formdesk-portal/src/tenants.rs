//! The operator's commands on tenants (`tenants add|adopt|list|suspend`) and the `--tenant ARS` of the
//! commands on one tenant's data.

use crate::server::time_text;
use crate::store::{NewTenant, Operator, Store, Tenant, TenantInfo};
use anyhow::{Context, Result, bail};
use formdesk_protocol::ids::Ars;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The largest logo a tenant's letterhead may name.
const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The tenant `--tenant ARS` names, or the only one when it is left out.
pub async fn resolve<S: Store>(store: &S, ars: Option<&str>) -> Result<Tenant> {
    let tenants = store.tenants(&Operator::command_line()).await?;
    if let Some(ars) = ars {
        let ars = Ars::parse(ars).context("--tenant")?;
        return match tenants.into_iter().find(|t| t.tenant.ars() == &ars) {
            Some(info) => Ok(info.tenant),
            None => bail!("no tenant has the ARS {ars}; `formdesk-portal tenants list` lists them"),
        };
    }
    match <[TenantInfo; 1]>::try_from(tenants) {
        Ok([only]) => Ok(only.tenant),
        Err(tenants) if tenants.is_empty() => bail!(
            "this portal serves no municipality yet: add one with `formdesk-portal tenants add --ars … --name …` \
             (or, for the database of a portal before tenants, `tenants adopt`)"
        ),
        Err(tenants) => bail!(
            "this portal serves {} municipalities; choose one with --tenant ARS: {}",
            tenants.len(),
            tenants.iter().map(|t| format!("{} ({})", t.tenant.ars(), t.name)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// A new tenant from the command line's `--ars`, `--name` and `--letterhead`.
pub fn new_tenant(ars: &str, name: &str, letterhead: Option<&Path>) -> Result<NewTenant> {
    let ars = Ars::parse(ars).context("--ars")?;
    let name = name.trim();
    if name.is_empty() {
        bail!("--name must not be empty");
    }
    let (letterhead, logo) = match letterhead {
        Some(path) => read_letterhead(path)?,
        None => {
            let json = serde_json::json!({ "formatVersion": 1, "name": name, "address": [] });
            (json.to_string(), None)
        }
    };
    Ok(NewTenant { ars, name: name.to_owned(), letterhead, logo, created_at: chrono::Utc::now().timestamp() })
}

/// A logo's bytes and media type.
type Logo = (Vec<u8>, String);

/// Reads a `municipality.json` (formatVersion 1) and the logo it names, next to it.
fn read_letterhead(path: &Path) -> Result<(String, Option<Logo>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    if json["formatVersion"] != 1 {
        bail!("{}: formatVersion must be 1", path.display());
    }
    if json["name"].as_str().is_none_or(|n| n.trim().is_empty()) {
        bail!("{}: name must be a text", path.display());
    }
    let logo = match json["logo"].as_str() {
        None => None,
        Some(file) => {
            let logo = path.parent().unwrap_or(Path::new(".")).join(file);
            let bytes = std::fs::read(&logo).with_context(|| format!("reading the logo {}", logo.display()))?;
            if bytes.len() > MAX_LOGO_BYTES {
                bail!("the logo {} has {} bytes, at most {MAX_LOGO_BYTES} are taken", logo.display(), bytes.len());
            }
            let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                "image/png"
            } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
                "image/jpeg"
            } else {
                bail!("the logo {} is neither PNG nor JPEG", logo.display());
            };
            Some((bytes, kind.to_owned()))
        }
    };
    Ok((text, logo))
}

/// `tenants add`.
pub async fn add<S: Store>(store: &S, new: NewTenant) -> Result<ExitCode> {
    let name = new.name.clone();
    let tenant = store.add_tenant(&Operator::command_line(), new, &crate::store::audit::Actor::cli()).await?;
    writeln!(std::io::stdout().lock(), "tenant {} ({name}) added", tenant.ars())?;
    Ok(ExitCode::SUCCESS)
}

/// `tenants adopt`, after the store was opened adopting the database for `ars`.
pub async fn adopted<S: Store>(store: &S, ars: &str) -> Result<ExitCode> {
    let tenant = resolve(store, Some(ars)).await?;
    let devices = store.devices(&tenant).await?.len();
    let destinations = store.destinations(&tenant).await?.len();
    writeln!(
        std::io::stdout().lock(),
        "tenant {} adopted: its {devices} device(s) and {destinations} destination(s) and every submission are the \
         tenant's now",
        tenant.ars()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `tenants list`.
pub async fn list<S: Store>(store: &S) -> Result<ExitCode> {
    let tenants = store.tenants(&Operator::command_line()).await?;
    let mut out = std::io::stdout().lock();
    for t in &tenants {
        let state = match t.suspended_at {
            Some(at) => format!("suspended since {}", time_text(at)),
            None => format!("active    since {}", time_text(t.created_at)),
        };
        writeln!(out, "{}  {state}  {}", t.tenant.ars(), t.name)?;
    }
    writeln!(out, "{} tenant(s)", tenants.len())?;
    Ok(ExitCode::SUCCESS)
}

/// `tenants suspend`.
pub async fn suspend<S: Store>(store: &S, ars: &str) -> Result<ExitCode> {
    let ars = Ars::parse(ars).context("--ars")?;
    let Some(t) = store.suspend_tenant(&Operator::command_line(), ars.clone(), chrono::Utc::now().timestamp()).await?
    else {
        bail!("no tenant has the ARS {ars}; `formdesk-portal tenants list` lists them");
    };
    writeln!(
        std::io::stdout().lock(),
        "tenant {} ({}) suspended since {}: its desks are refused",
        t.tenant.ars(),
        t.name,
        time_text(t.suspended_at.unwrap_or_default())
    )?;
    Ok(ExitCode::SUCCESS)
}
