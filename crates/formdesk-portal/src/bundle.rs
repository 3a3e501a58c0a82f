//! A tenant's form editor publishes without bringing their key to the portal: `forms publish|promote|withdraw
//! --tenant ARS --keys DIR --out FILE --portal URL` signs the change on the editor's machine into a form bundle
//! ([`formdesk_channel::bundle`]), which the editor uploads in the console ("Formularstand hochladen");
//! [`install`] checks it there, runs `forms check` on the forms it brings, and installs it.

use crate::channel::{channel_error, print_set, said, scope_of};
use crate::cli::ChannelTenantArg;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use formdesk_channel::bundle::{Accepted, Bundle, BundleReport, InstalledBundle, Staging};
use formdesk_channel::{ChannelError, Repo, SetFiles, SigningKey};
use formdesk_protocol::wire::FormsChannelName;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What the editor changes.
#[derive(Debug)]
pub enum Change<'a> {
    /// `forms publish DIR [--from-catalogue ID…] --channel C`.
    Publish(&'a Path, &'a [String], FormsChannelName),
    /// `forms promote`.
    Promote,
    /// `forms withdraw ID [--now]`.
    Withdraw(&'a str, bool),
}

/// A working folder removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch() -> Result<Scratch> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("formdesk-bundle-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("making {}", dir.display()))?;
    Ok(Scratch(dir))
}

/// `forms publish|promote|withdraw --out FILE --portal URL`: the change, signed with the editor's key from
/// `keys_dir`, built on what the tenant's channel at `portal` serves, written to `out`.
pub fn make(
    change: &Change<'_>,
    tenant: &ChannelTenantArg,
    keys_dir: &Path,
    portal: &str,
    out: &Path,
) -> Result<ExitCode> {
    let Some(ars) = tenant.tenant.as_deref() else { bail!("--out needs --tenant: a bundle is always for one tenant") };
    let scope = scope_of(ars)?;
    let role = scope.role();
    let (key_name, _) = formdesk_channel::keys::tenant_key_file(&role);
    let key_path = keys_dir.join(&key_name);
    if !key_path.is_file() {
        bail!(
            "the key folder {} has no {key_name} (made with `formdesk-portal keys init --tenant {ars}`)",
            keys_dir.display()
        );
    }
    let key = SigningKey::read(&key_path, &role).map_err(channel_error)?;
    if out.exists() {
        bail!("{} exists already; name a new file for the bundle", out.display());
    }
    let reports = match change {
        Change::Publish(dir, _, _) => checked_reports(dir)?,
        _ => Vec::new(),
    };
    let base = format!("{}{}", portal.trim_end_matches('/'), scope.url_prefix());
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .context("starting the HTTP client")?;
    let work = scratch()?;
    let get = |path: &str| -> Result<Option<Vec<u8>>, ChannelError> {
        let url = format!("{base}{path}");
        let unreachable = |e: reqwest::Error| ChannelError::Admin(format!("{url}: {e}"));
        let response = client.get(&url).send().map_err(unreachable)?;
        match response.status() {
            reqwest::StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => Ok(Some(response.bytes().map_err(unreachable)?.to_vec())),
            s => Err(ChannelError::Admin(format!("{url}: the portal answered {s}"))),
        }
    };
    let staging = Staging::fetch(&work.0.join("repo"), &scope, &key, get)
        .map_err(|e| anyhow::anyhow!("reading the form channel of tenant {ars} at {portal}: {}", said(&e)))?;
    let now = Utc::now();
    let mut said_out = std::io::stdout().lock();
    if staging.rekeyed() {
        writeln!(
            said_out,
            "The channel's key was changed since its last publication: this bundle starts it anew with the forms \
             published now (the other channel is emptied; withdrawn texts stay withdrawn)."
        )?;
    }
    let action = match change {
        Change::Publish(dir, take, channel) => {
            let files = SetFiles::read_dir(dir).map_err(channel_error)?;
            let channel = crate::channel::channel_of(*channel);
            let manifest = staging.repo().publish_taking(&key, &files, take, channel, now).map_err(channel_error)?;
            writeln!(said_out, "set {} for channel {channel}, signed with {key_name}", manifest.set_version)?;
            print_set(&mut said_out, &manifest)?;
            format!("publish {channel}")
        }
        Change::Promote => {
            let manifest = staging.repo().promote(&key, now).map_err(channel_error)?;
            writeln!(said_out, "channel all gets the pilot's forms, as set {}", manifest.set_version)?;
            "promote".to_owned()
        }
        Change::Withdraw(id, immediately) => {
            let changed = staging.repo().withdraw(&key, id, *immediately, now).map_err(channel_error)?;
            let channels: Vec<String> = changed.iter().map(ToString::to_string).collect();
            writeln!(said_out, "form {id} withdrawn in channel {}", channels.join(", "))?;
            if *immediately { format!("withdraw {id} now") } else { format!("withdraw {id}") }
        }
    };
    let bundle = staging.bundle(&action, reports, now).map_err(channel_error)?;
    let bytes = bundle.to_json();
    fits_the_console(bytes.len())?;
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    writeln!(
        said_out,
        "{}: form bundle, {} bytes, {} file(s). Upload it in the console: Formulare › Formularstand hochladen.",
        out.display(),
        bytes.len(),
        bundle.files.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Refuses a bundle the console would not take ([`crate::console::MAX_UPLOAD_BYTES`]), before it is written.
fn fits_the_console(len: usize) -> Result<()> {
    const MB: usize = 1024 * 1024;
    let max = crate::console::MAX_UPLOAD_BYTES;
    if len > max {
        bail!(
            "the bundle would be {:.1} MB, more than the console takes ({} MB); no bundle was written. \
             Publish part of the new forms first (a folder with fewer of them), then the rest: a bundle holds only \
             the files the portal does not have yet",
            len as f64 / MB as f64,
            max / MB
        );
    }
    Ok(())
}

/// The forms folder checked like `forms check` (a bundle with errors is not made), and the import reports of
/// its imported forms.
fn checked_reports(dir: &Path) -> Result<Vec<BundleReport>> {
    let report = formdesk_catalog::check_dir(dir)?;
    if let Some(first) = report.errors.first() {
        bail!("{} error(s) in the forms, the first: {first}; no bundle was made", report.errors.len());
    }
    let mut out = Vec::new();
    for entry in &report.forms {
        let Some(folder) = entry.file.as_deref().and_then(Path::parent) else { continue };
        let path = folder.join(formdesk_fim::REPORT_JSON_FILE);
        if path.is_file() {
            let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let report = serde_json::from_slice(&bytes).with_context(|| format!("{}: not JSON", path.display()))?;
            out.push(BundleReport {
                form: entry.form.id().to_owned(),
                version: entry.form.version().to_owned(),
                report,
            });
        }
    }
    Ok(out)
}

/// Checks an uploaded bundle and installs it in `repo`: every form the changed manifests name is loaded and
/// checked with its code lists as `forms check` would. Returns what was installed, or a German message.
pub fn install(repo: &Repo, bytes: &[u8], by: &str, now: DateTime<Utc>) -> Result<InstalledBundle, String> {
    let bundle = Bundle::from_json(bytes).map_err(|e| said(&e))?;
    repo.install_bundle(&bundle, by, now, check_forms).map_err(|e| said(&e))
}

/// `forms check` over the changed manifests' files, in a scratch folder laid out like a forms folder.
fn check_forms(accepted: &Accepted<'_>) -> Result<(), String> {
    let failed = |e: &dyn std::fmt::Display| format!("Die Formulare im Paket können nicht geprüft werden: {e}");
    for (channel, manifest) in &accepted.changed {
        let work = scratch().map_err(|e| failed(&e))?;
        let dir = &work.0;
        let write = |path: PathBuf, bytes: Vec<u8>| -> Result<(), String> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| failed(&e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| failed(&e))
        };
        for form in &manifest.forms {
            let bytes = accepted.file(&form.file).map_err(|e| said(&e))?;
            write(dir.join(&form.id).join(formdesk_catalog::DEFINITION_FILE), bytes)?;
        }
        for list in &manifest.code_lists {
            write(dir.join("codelists").join(&list.name), accepted.file(list).map_err(|e| said(&e))?)?;
        }
        for file in manifest.municipality.iter().chain(&manifest.logo) {
            write(dir.join(&file.name), accepted.file(file).map_err(|e| said(&e))?)?;
        }
        let report = formdesk_catalog::check_dir(dir).map_err(|e| failed(&e))?;
        if let Some(first) = report.errors.first() {
            return Err(format!(
                "Der Formularstand für '{channel}' hat {} Fehler, der erste: {first}; nichts wurde übernommen.",
                report.errors.len()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fits_the_console;
    use crate::console::MAX_UPLOAD_BYTES;

    #[test]
    fn a_bundle_larger_than_the_console_takes_is_refused_naming_both_sizes() {
        assert!(fits_the_console(MAX_UPLOAD_BYTES).is_ok());
        let err = fits_the_console(MAX_UPLOAD_BYTES + 200 * 1024).expect_err("too large").to_string();
        assert!(err.contains("64.2 MB") && err.contains("(64 MB)") && err.contains("no bundle was written"), "{err}");
    }
}
