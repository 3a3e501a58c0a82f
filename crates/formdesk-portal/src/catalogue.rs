//! `formdesk-portal forms catalogue-publish`: the shared catalogue ("Einer für Alle") into every tenant's
//! form channel, signed with the computing centre's `forms.key` ([`formdesk_channel::catalogue`]).

use crate::channel::{channel_dir, channel_error, repositories};
use anyhow::{Result, bail};
use chrono::Utc;
use formdesk_channel::catalogue::Catalogue;
use formdesk_channel::keys::{FORMS_KEY, TARGETS_KEY};
use formdesk_channel::{Scope, SetFiles, SigningKey};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Checks `dir` like `forms check`, then signs it as the catalogue's next version and writes it into every
/// tenant's repository, delegating the catalogue first where that is missing.
pub fn publish(dir: &Path, keys_dir: &Path, data_dir: &Path) -> Result<ExitCode> {
    let report = formdesk_catalog::check_dir(dir)?;
    if let Some(first) = report.errors.first() {
        bail!("{} error(s) in the catalogue's forms, the first: {first}; nothing was published", report.errors.len());
    }
    for name in [TARGETS_KEY, FORMS_KEY] {
        if !keys_dir.join(name).is_file() {
            bail!(
                "the key folder {} has no {name}; name the folder with the operator's offline keys",
                keys_dir.display()
            );
        }
    }
    let targets = SigningKey::read(&keys_dir.join(TARGETS_KEY), "targets").map_err(channel_error)?;
    let forms = SigningKey::read(&keys_dir.join(FORMS_KEY), "forms").map_err(channel_error)?;
    let files = SetFiles::read_dir(dir).map_err(channel_error)?;
    let tenants: Vec<_> =
        repositories(&channel_dir(data_dir)).into_iter().filter(|r| *r.scope() != Scope::Shared).collect();
    if tenants.is_empty() {
        bail!("no tenant has a form channel yet; the operator makes them with `forms channel-init --tenant ARS`");
    }
    let version =
        tenants.iter().filter_map(|r| r.catalogue().ok().flatten()).map(|m| m.set_version).max().unwrap_or(0) + 1;
    let now = Utc::now();
    let catalogue = Catalogue::from_files(&files, version, now);
    let mut out = std::io::stdout().lock();
    for repo in &tenants {
        repo.attach_catalogue(&targets, &forms, now).map_err(channel_error)?;
        repo.publish_catalogue(&forms, &catalogue, now).map_err(channel_error)?;
        writeln!(out, "tenant {}: catalogue set {version}", repo.scope().ars().unwrap_or_default())?;
    }
    for form in &catalogue.manifest.forms {
        writeln!(out, "  {} {}", form.id, form.version)?;
    }
    writeln!(out, "{} form(s) in the catalogue of {} tenant(s)", catalogue.manifest.forms.len(), tenants.len())?;
    Ok(ExitCode::SUCCESS)
}
