//! The form-update channel on the portal: the administrators' commands (`keys init|rotate`,
//! `forms publish|promote|withdraw|status`, `devices channel`), serving the repository's files to desks, and
//! keeping its timestamp fresh.
//!
//! Each tenant's repository (`formdesk_channel::Repo`, [`Scope::Tenant`]) lives in
//! `<data-dir>/channel/t<ARS>/`, served under `/forms/v1/t<ARS>/`; the portal's single repository from before
//! tenants lives in `<data-dir>/channel/` itself, served under `/forms/v1/`, and stays tenant 1's until that
//! tenant has one of its own. Each holds `metadata/` and `targets/` and its online key, never served. The
//! operator's offline keys (root, targets, and forms for the single repository) live in a folder kept away
//! from the portal and brought along for each command that signs; a tenant's form editor keeps `t<ARS>.key`.
//!
//! Non-goals: verifying what is served (the desks do, with TUF), and signing anything but the snapshot and
//! the timestamp while serving.

use crate::store::{Device, DeviceForms, Store, Tenant};
use anyhow::{Context as _, Result, bail};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use formdesk_channel::Scope;
use formdesk_channel::keys::{FORMS_KEY, ROOT_KEY, TARGETS_KEY};
use formdesk_channel::repo::KeyRole;
use formdesk_channel::{Channel, ChannelError, OfflineKeys, Repo, SetFiles, SetManifest, SigningKey};
use formdesk_protocol::wire::FormsChannelName;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The channel's folder inside the portal's data folder.
pub fn channel_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("channel")
}

/// How often the serving portal renews the timestamp (and the snapshot) once half their life is gone.
pub const REFRESH_EVERY: Duration = Duration::from_secs(600);

/// The channel in `data_dir`, if `keys init` made one there.
pub fn find(data_dir: &Path) -> Option<Repo> {
    Repo::open(&channel_dir(data_dir)).ok()
}

/// A tenant's repository folder: `<channel folder>/t<ARS>`.
pub fn tenant_dir(channels: &Path, scope: &Scope) -> PathBuf {
    channels.join(scope.folder().unwrap_or_default())
}

/// The repository served under the URL segment `folder` (`t<ARS>`), if that tenant has one.
pub fn find_tenant(channels: &Path, folder: &str) -> Option<Repo> {
    let scope = Scope::from_folder(folder)?;
    Repo::open(&tenant_dir(channels, &scope)).ok().filter(|repo| *repo.scope() == scope)
}

/// The repository a desk of `tenant` reads, and whether it is the portal's single one: the tenant's own, or
/// for tenant 1 without one, the single repository (`legacy`).
pub fn repository_for(channels: &Path, legacy: Option<&Repo>, tenant: &Tenant) -> Option<(Repo, bool)> {
    let scope = Scope::tenant(tenant.ars().as_str()).ok()?;
    if let Some(own) = find_tenant(channels, &scope.folder().unwrap_or_default()) {
        return Some((own, false));
    }
    legacy.filter(|_| tenant.is_first()).map(|repo| (repo.clone(), true))
}

/// The newest root (`root.json`) of the repository a desk of `tenant` reads, for its provisioning file;
/// `None` when the portal in `data_dir` has no form channel for it.
pub fn root_for(data_dir: &Path, tenant: &Tenant) -> Result<Option<String>> {
    let legacy = find(data_dir);
    let Some((repo, _)) = repository_for(&channel_dir(data_dir), legacy.as_ref(), tenant) else { return Ok(None) };
    let path = repo.metadata_dir().join("root.json");
    std::fs::read_to_string(&path).map(Some).with_context(|| format!("reading {}", path.display()))
}

pub(crate) fn scope_of(ars: &str) -> Result<Scope> {
    let ars = formdesk_protocol::ids::Ars::parse(ars).context("--tenant")?;
    Scope::tenant(ars.as_str()).map_err(|e| anyhow::anyhow!("--tenant: {e}"))
}

/// The repository a signing command works on: the tenant's (`--tenant`), or the single one.
fn open_for(data_dir: &Path, tenant: Option<&str>) -> Result<Repo> {
    let Some(ars) = tenant else { return open(data_dir) };
    let scope = scope_of(ars)?;
    let dir = tenant_dir(&channel_dir(data_dir), &scope);
    Repo::open(&dir).ok().filter(|repo| *repo.scope() == scope).with_context(|| {
        format!(
            "tenant {ars} has no form channel in {}; the operator makes it with `formdesk-portal forms channel-init \
             --tenant {ars} --keys DIR --editor-key t{ars}.pub`",
            dir.display()
        )
    })
}

/// The key that signs the form sets of `repo`: the tenant editor's `t<ARS>.key`, or the single repository's
/// `forms.key`; refused unless the repository delegates to it.
fn signing_key(repo: &Repo, keys_dir: &Path) -> Result<SigningKey> {
    let Some(folder) = repo.scope().folder() else {
        let keys = read_keys(keys_dir)?;
        check_keys_fit(repo, &keys, keys_dir)?;
        return Ok(keys.forms);
    };
    let (name, _) = formdesk_channel::keys::tenant_key_file(&folder);
    let path = keys_dir.join(&name);
    if !path.is_file() {
        bail!(
            "the key folder {} has no {name}; name the folder where `formdesk-portal keys init --tenant` wrote the \
             form editor's key",
            keys_dir.display()
        );
    }
    let key = SigningKey::read(&path, &folder).map_err(channel_error)?;
    repo.check_signing_key(&key)
        .map_err(|e| anyhow::anyhow!("{} is not the key of role {folder}: {}", path.display(), said(&e)))?;
    Ok(key)
}

/// The channel in `data_dir`, or why there is none.
fn open(data_dir: &Path) -> Result<Repo> {
    let dir = channel_dir(data_dir);
    find(data_dir).with_context(|| {
        format!("this portal has no form channel in {}; run `formdesk-portal keys init` first", dir.display())
    })
}

/// What the channel crate said, for an administrator: its own sentence, or the file and the system's error.
pub(crate) fn said(e: &ChannelError) -> String {
    match e {
        ChannelError::Io(..) | ChannelError::Admin(_) => e.detail(),
        other => format!("{other} ({})", other.detail()),
    }
}

pub(crate) fn channel_error(e: ChannelError) -> anyhow::Error {
    anyhow::anyhow!(said(&e))
}

/// Reads the offline keys, naming the folder or file that is missing or wrong.
fn read_keys(dir: &Path) -> Result<OfflineKeys> {
    if !dir.is_dir() {
        bail!(
            "the key folder {} does not exist; insert the medium with the offline keys that `formdesk-portal keys \
             init` wrote and name its folder with --keys",
            dir.display()
        );
    }
    for name in [ROOT_KEY, TARGETS_KEY, FORMS_KEY] {
        if !dir.join(name).is_file() {
            bail!(
                "the key folder {} has no {name}; name the folder that `formdesk-portal keys init` wrote",
                dir.display()
            );
        }
    }
    OfflineKeys::read(dir).map_err(|e| anyhow::anyhow!("the key folder {}: {}", dir.display(), said(&e)))
}

fn key_id(key: &SigningKey) -> Result<String> {
    let id = key.key_id().map_err(channel_error)?;
    Ok(id.iter().map(|b| format!("{b:02x}")).collect())
}

/// Reads a signed metadata file of the repository as JSON.
fn metadata_json(repo: &Repo, name: &str) -> Result<serde_json::Value> {
    let path = repo.metadata_dir().join(name);
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{} is not JSON", path.display()))
}

/// Refuses keys that are not the ones this channel trusts: what they signed, no desk would take.
fn check_keys_fit(repo: &Repo, keys: &OfflineKeys, dir: &Path) -> Result<()> {
    let root = metadata_json(repo, "root.json")?;
    let root_ids = &root["signed"]["roles"]["root"]["keyids"];
    let root_id = key_id(&keys.root)?;
    if !root_ids.as_array().is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(root_id.as_str()))) {
        bail!(
            "{} is not the root key of this portal's form channel ({}); name the key folder of this portal",
            dir.join(ROOT_KEY).display(),
            repo.dir().display()
        );
    }
    let targets = metadata_json(repo, "targets.json")?;
    let forms_id = key_id(&keys.forms)?;
    if targets["signed"]["delegations"]["keys"].get(&forms_id).is_none() {
        bail!(
            "{} is not the forms key of this portal's form channel ({}); name the key folder of this portal",
            dir.join(FORMS_KEY).display(),
            repo.dir().display()
        );
    }
    Ok(())
}

pub(crate) fn channel_of(arg: FormsChannelName) -> Channel {
    match arg {
        FormsChannelName::Pilot => Channel::Pilot,
        FormsChannelName::All => Channel::All,
    }
}

/// `keys init`: new offline keys into `keys_dir` and a new channel in the data folder.
pub fn keys_init(keys_dir: &Path, data_dir: &Path) -> Result<ExitCode> {
    let dir = channel_dir(data_dir);
    if find(data_dir).is_some() || dir.join("metadata").join("1.root.json").exists() {
        bail!(
            "{} already holds a form channel; replace a key with `formdesk-portal keys rotate`, never with a new \
             channel (desks trust the root they have)",
            dir.display()
        );
    }
    for name in [ROOT_KEY, TARGETS_KEY, FORMS_KEY] {
        if keys_dir.join(name).exists() {
            bail!("{} exists; keys init never overwrites a key", keys_dir.join(name).display());
        }
    }
    let keys = OfflineKeys::generate().map_err(channel_error)?;
    keys.write(keys_dir).map_err(channel_error)?;
    let repo = Repo::init(&dir, &keys, Utc::now()).map_err(channel_error)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "offline keys  {} ({ROOT_KEY}, {TARGETS_KEY}, {FORMS_KEY})", keys_dir.display())?;
    writeln!(out, "channel       {} (root version 1, nothing published yet)", repo.dir().display())?;
    writeln!(out, "online key    {}", repo.dir().join(formdesk_channel::keys::ONLINE_KEY).display())?;
    writeln!(
        out,
        "Keep {} offline: copy it to a second medium, lock both away, and bring one only to publish, promote, \
         withdraw or rotate. Whoever has these keys can give every desk forms.",
        keys_dir.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `keys init --tenant`: the key of a tenant's form editor (`t<ARS>.key`) and its public key (`t<ARS>.pub`).
pub fn tenant_key_init(keys_dir: &Path, ars: &str) -> Result<ExitCode> {
    let scope = scope_of(ars)?;
    let role = scope.role();
    let (key_name, public_name) = formdesk_channel::keys::tenant_key_file(&role);
    for name in [&key_name, &public_name] {
        if keys_dir.join(name).exists() {
            bail!("{} exists; keys init never overwrites a key", keys_dir.join(name).display());
        }
    }
    let key = SigningKey::generate().map_err(channel_error)?;
    formdesk_channel::keys::create_private_dir(keys_dir).map_err(channel_error)?;
    key.write(&keys_dir.join(&key_name), &role).map_err(channel_error)?;
    key.write_public(&keys_dir.join(&public_name), &role).map_err(channel_error)?;
    let public: String = key.public_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let mut out = std::io::stdout().lock();
    writeln!(out, "form editor's key  {} (role {role})", keys_dir.join(&key_name).display())?;
    writeln!(out, "public key         {} ({public})", keys_dir.join(&public_name).display())?;
    writeln!(
        out,
        "Give only {public_name} to the portal's operator (`forms channel-init --tenant {ars} --editor-key \
             {public_name}`). Keep {key_name} offline: whoever has it can give this municipality's desks forms."
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `forms channel-init`: a tenant's repository, its root and targets signed with the operator's offline keys
/// and its form files delegated to the editor's public key.
pub fn tenant_channel_init(tenant: &Tenant, keys_dir: &Path, editor_key: &Path, data_dir: &Path) -> Result<ExitCode> {
    let scope = scope_of(tenant.ars().as_str())?;
    let role = scope.role();
    let dir = tenant_dir(&channel_dir(data_dir), &scope);
    if dir.join("metadata").join("1.root.json").exists() {
        bail!("{} already holds tenant {}'s form channel", dir.display(), tenant.ars());
    }
    if !keys_dir.is_dir() {
        bail!("the key folder {} does not exist; name the folder with the operator's offline keys", keys_dir.display());
    }
    let root = SigningKey::read(&keys_dir.join(ROOT_KEY), "root").map_err(channel_error)?;
    let targets = SigningKey::read(&keys_dir.join(TARGETS_KEY), "targets").map_err(channel_error)?;
    let editor = formdesk_channel::keys::read_public(editor_key, &role).map_err(channel_error)?;
    let repo = Repo::init_tenant(&dir, &scope, &root, &targets, editor, Utc::now()).map_err(channel_error)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "channel   {} (root version 1, nothing published yet)", repo.dir().display())?;
    // The shared catalogue, signed with forms.key, if the operator's folder has it: delegated, and the
    // catalogue the other tenants have copied in.
    if keys_dir.join(FORMS_KEY).is_file() {
        let forms = SigningKey::read(&keys_dir.join(FORMS_KEY), "forms").map_err(channel_error)?;
        repo.attach_catalogue(&targets, &forms, Utc::now()).map_err(channel_error)?;
        let others = repositories(&channel_dir(data_dir));
        if let Some(catalogue) = others.iter().find_map(|r| r.catalogue_copy().ok().flatten()) {
            repo.publish_catalogue(&forms, &catalogue, Utc::now()).map_err(channel_error)?;
            writeln!(out, "catalogue set {} copied in", catalogue.manifest.set_version)?;
        } else {
            writeln!(out, "catalogue delegated (nothing published yet)")?;
        }
    }
    writeln!(out, "served at {}", scope.url_prefix())?;
    writeln!(
        out,
        "Only the key of role {role} signs this municipality's forms: `formdesk-portal forms publish DIR --tenant {} \
             --keys <folder with t{}.key>`. Desks enrolled from now on read this channel.",
        tenant.ars(),
        tenant.ars()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `keys rotate --tenant ARS --editor-key FILE`: the tenant's channel delegates to the form editor's new key.
pub fn tenant_key_rotate(keys_dir: &Path, ars: &str, editor_key: &Path, data_dir: &Path) -> Result<ExitCode> {
    let repo = open_for(data_dir, Some(ars))?;
    let role = repo.scope().role();
    let targets = SigningKey::read(&keys_dir.join(TARGETS_KEY), "targets").map_err(channel_error)?;
    let editor = formdesk_channel::keys::read_public(editor_key, &role).map_err(channel_error)?;
    let version = repo.rotate_editor(&targets, editor, Utc::now()).map_err(channel_error)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "role {role} is signed by the key in {} from now on (targets version {version})",
        editor_key.display()
    )?;
    writeln!(
        out,
        "Desks refuse what the old key signed and keep their forms until the editor publishes with the new key \
         (forms publish … --tenant {ars} --out FILE --portal URL, then upload it in the console)."
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `keys rotate`: a new key for `role`, the old one kept as retired.
pub fn keys_rotate(keys_dir: &Path, role: KeyRole, data_dir: &Path) -> Result<ExitCode> {
    let repo = open(data_dir)?;
    let keys = read_keys(keys_dir)?;
    check_keys_fit(&repo, &keys, keys_dir)?;
    let version = repo.rotate(keys_dir, role, Utc::now()).map_err(channel_error)?;
    let place = if role == KeyRole::Online { repo.dir().to_owned() } else { keys_dir.to_owned() };
    let mut out = std::io::stdout().lock();
    writeln!(out, "new {} key in {}; the old one is kept there as retired", role.name(), place.display())?;
    writeln!(out, "root version {version}: desks follow the change at their next check")?;
    if role != KeyRole::Online {
        writeln!(out, "Copy the key folder {} to its second medium again.", keys_dir.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn print_set(out: &mut impl std::io::Write, manifest: &SetManifest) -> std::io::Result<()> {
    for form in &manifest.forms {
        let state = match form.state {
            formdesk_channel::FormState::Open => "",
            formdesk_channel::FormState::Closing => "  closing",
            formdesk_channel::FormState::Withdrawn => "  withdrawn",
        };
        writeln!(out, "  {} {}{state}", form.id, form.version)?;
    }
    Ok(())
}

/// Whose audit trail a signing command on the portal's machine writes to: the tenant named, or for the
/// single repository from before tenants the first tenant (whose it is). `None` while no tenant exists.
pub async fn owner<S: Store>(store: &S, tenant: Option<&str>) -> Result<Option<Tenant>> {
    if tenant.is_some() {
        return crate::tenants::resolve(store, tenant).await.map(Some);
    }
    let tenants = store.tenants(&crate::store::Operator::command_line()).await?;
    Ok(tenants.into_iter().map(|t| t.tenant).find(Tenant::is_first))
}

/// After `forms publish|promote|withdraw` succeeded: a `forms_upload` entry by the command line in the
/// owner's audit trail, with the role's new version and the newest set version, as the console's upload
/// writes it.
pub async fn record_change<S: Store>(
    store: &S,
    owner: &Option<Tenant>,
    tenant: Option<&str>,
    data_dir: &Path,
    code: ExitCode,
) -> Result<ExitCode> {
    let Some(owner) = owner else { return Ok(code) };
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    let repo = open_for(data_dir, tenant)?;
    let status = repo.status().map_err(channel_error)?;
    let set_version = status.channels.iter().map(|m| m.set_version).max().unwrap_or(0);
    let channels: Vec<String> = status.channels.iter().map(|m| m.channel.clone()).collect();
    let event = crate::console::audit::forms_upload(
        &crate::store::audit::Actor::cli(),
        repo.role_version().unwrap_or(0),
        set_version,
        &channels.join(","),
        Utc::now().timestamp(),
    );
    store.append_audit(crate::store::audit::AuditLog::tenant(owner), event).await?;
    Ok(code)
}

/// `forms publish`: checks the folder like `forms check`, then signs and publishes it to `channel`.
pub fn publish(
    forms_dir: &Path,
    tenant: Option<&str>,
    from_catalogue: &[String],
    keys_dir: &Path,
    channel: FormsChannelName,
    data_dir: &Path,
) -> Result<ExitCode> {
    let repo = open_for(data_dir, tenant)?;
    let key = signing_key(&repo, keys_dir)?;
    let report = formdesk_catalog::check_dir(forms_dir)?;
    if !report.errors.is_empty() {
        let mut err = std::io::stderr().lock();
        for e in &report.errors {
            writeln!(err, "{e}")?;
        }
        let files: std::collections::BTreeSet<_> = report.errors.iter().map(|e| &e.file).collect();
        writeln!(
            err,
            "{} error(s) in {} file(s); nothing was published. Fix them and check with `formdesk-portal forms check`.",
            report.errors.len(),
            files.len()
        )?;
        return Ok(ExitCode::FAILURE);
    }
    let files = SetFiles::read_dir(forms_dir).map_err(channel_error)?;
    let manifest =
        repo.publish_taking(&key, &files, from_catalogue, channel_of(channel), Utc::now()).map_err(channel_error)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "published set {} to channel {} at {}",
        manifest.set_version,
        manifest.channel,
        local_time_text(&manifest.published)
    )?;
    print_set(&mut out, &manifest)?;
    writeln!(out, "{} form(s)", manifest.forms.len())?;
    Ok(ExitCode::SUCCESS)
}

/// `forms promote`: every desk gets what the pilot desks have.
pub fn promote(tenant: Option<&str>, keys_dir: &Path, data_dir: &Path) -> Result<ExitCode> {
    let repo = open_for(data_dir, tenant)?;
    let key = signing_key(&repo, keys_dir)?;
    let manifest = repo.promote(&key, Utc::now()).map_err(channel_error)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "channel all has the pilot's forms now, as set {}", manifest.set_version)?;
    print_set(&mut out, &manifest)?;
    Ok(ExitCode::SUCCESS)
}

/// `forms withdraw`: a form takes no new cases (or, with `immediately`, cannot be finalized either).
pub fn withdraw(
    id: &str,
    immediately: bool,
    tenant: Option<&str>,
    keys_dir: &Path,
    data_dir: &Path,
) -> Result<ExitCode> {
    let repo = open_for(data_dir, tenant)?;
    let key = signing_key(&repo, keys_dir)?;
    let changed = repo.withdraw(&key, id, immediately, Utc::now()).map_err(channel_error)?;
    let channels: Vec<String> = changed.iter().map(ToString::to_string).collect();
    let what = if immediately {
        "withdrawn: no new cases, and cases begun can no longer be finalized"
    } else {
        "closing: no new cases; cases begun can still be finalized"
    };
    writeln!(std::io::stdout().lock(), "form {id} {what} (channel {})", channels.join(", "))?;
    Ok(ExitCode::SUCCESS)
}

/// An RFC 3339 time as the administrators read it: local time, `dd.mm.yyyy hh:mm`.
fn local_time_text(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map_or_else(|_| rfc3339.to_owned(), |t| t.with_timezone(&chrono::Local).format("%d.%m.%Y %H:%M").to_string())
}

fn local_seconds_text(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map_or_else(|| seconds.to_string(), |t| t.with_timezone(&chrono::Local).format("%d.%m.%Y %H:%M").to_string())
}

/// One desk's line of `forms status`.
fn desk_line(device: &Device, forms: &DeviceForms, pilot: Option<&SetManifest>, all: Option<&SetManifest>) -> String {
    let channel = forms.channel.as_str();
    // A pilot desk reads `all` while the pilot channel is empty.
    let newest = match forms.channel {
        FormsChannelName::Pilot => pilot.or(all),
        FormsChannelName::All => all,
    };
    let Some(report) = &forms.report else {
        return format!("{}  channel {channel}  never reported", device.name);
    };
    let state = match newest {
        Some(m) if report.set_version < m.set_version => {
            format!("behind (channel {} has set {})", m.channel, m.set_version)
        }
        _ => "current".to_owned(),
    };
    let mut line = format!(
        "{}  channel {channel}  set {}  last check {}  {state}",
        device.name,
        report.set_version,
        local_seconds_text(report.reported_at)
    );
    if let Some(error) = &report.error {
        line.push_str(&format!("  error: {error}"));
    }
    line
}

/// `forms status`: each channel's set and where every desk stands.
pub async fn status<S: Store>(store: &S, tenant: &Tenant, data_dir: &Path) -> Result<ExitCode> {
    let legacy = find(data_dir);
    let Some((repo, _)) = repository_for(&channel_dir(data_dir), legacy.as_ref(), tenant) else {
        if tenant.is_first() {
            // Tenant 1 without a repository of its own reads the single one, which `keys init` makes.
            open(data_dir)?;
        }
        bail!(
            "tenant {} has no form channel; the operator makes it with `formdesk-portal forms channel-init --tenant {} \
             --keys DIR --editor-key t{}.pub`",
            tenant.ars(),
            tenant.ars(),
            tenant.ars()
        );
    };
    let pilot = repo.manifest(Channel::Pilot).map_err(channel_error)?;
    let all = repo.manifest(Channel::All).map_err(channel_error)?;
    let devices = store.devices(tenant).await?;
    let forms = store.devices_forms(tenant).await?;
    let mut out = std::io::stdout().lock();
    for (name, manifest) in [("pilot", &pilot), ("all", &all)] {
        match manifest {
            Some(m) => {
                writeln!(out, "channel {name}: set {}, published {}", m.set_version, local_time_text(&m.published))?;
                print_set(&mut out, m)?;
            }
            None => writeln!(out, "channel {name}: nothing published")?,
        }
    }
    // The offline signatures this repository's desks depend on; each must be renewed before it ends.
    for (role, at) in repo.expiries().map_err(channel_error)? {
        if role != "snapshot" && role != "timestamp" {
            writeln!(out, "signature {role}: ends {}", local_seconds_text(at))?;
        }
    }
    let mut desks = 0;
    for device in devices.iter().filter(|d| d.enrolled_at.is_some() && d.revoked_at.is_none()) {
        let Some(place) = forms.iter().find(|f| f.device_id == device.id) else { continue };
        if desks == 0 {
            writeln!(out, "desks:")?;
        }
        desks += 1;
        writeln!(out, "  {}", desk_line(device, place, pilot.as_ref(), all.as_ref()))?;
    }
    writeln!(out, "{desks} desk(s)")?;
    Ok(ExitCode::SUCCESS)
}

/// `devices channel`: which channel a desk reads, found by its name or id.
pub async fn device_channel<S: Store>(
    store: &S,
    tenant: &Tenant,
    name_or_id: &str,
    channel: FormsChannelName,
) -> Result<ExitCode> {
    let devices = store.devices(tenant).await?;
    let matching: Vec<&Device> = devices.iter().filter(|d| d.id == name_or_id || d.name == name_or_id.trim()).collect();
    let device = match matching.as_slice() {
        [one] => *one,
        [] => bail!("no device {name_or_id:?} is known to this portal; `formdesk-portal devices list` lists them"),
        several => bail!(
            "{} devices are named {name_or_id:?}; name one by its id ({})",
            several.len(),
            several.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", ")
        ),
    };
    let (now, cli) = (Utc::now().timestamp(), crate::store::audit::Actor::cli());
    let Some(device) = store.set_forms_channel(tenant, device.id.clone(), channel, now, &cli).await? else {
        bail!("device {} is not known to this portal", device.id);
    };
    writeln!(
        std::io::stdout().lock(),
        "device {} ({}) reads channel {} from its next check on",
        device.id,
        device.name,
        channel.as_str()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Every repository in the channel folder: the single one (if `keys init` made it) and each tenant's.
pub fn repositories(channels: &Path) -> Vec<Repo> {
    let mut repos: Vec<Repo> = Repo::open(channels).ok().into_iter().collect();
    let mut folders: Vec<String> = std::fs::read_dir(channels)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
        .collect();
    folders.sort();
    repos.extend(folders.iter().filter_map(|folder| find_tenant(channels, folder)));
    repos
}

/// Renews the timestamp (and the snapshot) of every repository in the channel folder now and every
/// [`REFRESH_EVERY`]; a failure is logged and tried again at the next round. The repositories and their
/// online keys are read each time, so a new tenant's repository or a rotation needs no restart.
pub async fn refresh_regularly(channels: PathBuf) {
    let mut interval = tokio::time::interval(REFRESH_EVERY);
    loop {
        interval.tick().await;
        let channels = channels.clone();
        let done = tokio::task::spawn_blocking(move || {
            for repo in repositories(&channels) {
                if let Err(e) = repo.online_key().and_then(|key| repo.refresh(&key, Utc::now())) {
                    eprintln!(
                        "formdesk-portal: renewing the timestamp of the form channel in {} failed: {}",
                        repo.dir().display(),
                        said(&e)
                    );
                }
            }
        })
        .await;
        if let Err(e) = done {
            eprintln!("formdesk-portal: renewing the form channels' timestamps failed: {e}");
        }
    }
}

/// Whether `name` may be a file of the served repository: letters, digits, `.`, `_` and `-`, not starting
/// with a dot (no `..`, no hidden or temporary files, no folders).
pub fn servable_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && !name.contains("..")
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The two served folders of the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// `metadata/`: the signed roles.
    Metadata,
    /// `targets/`: the files they name.
    Targets,
}

/// A file the portal serves as it is, with `content_type`: `None` when it is not there (the caller's 404), a
/// 500 when it cannot be read.
pub(crate) async fn served_file(path: &Path, content_type: &'static str) -> Option<Response> {
    let bytes = match tokio::fs::read(path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            eprintln!("formdesk-portal: cannot read {}: {e}", path.display());
            return Some(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Some(response)
}

/// The answer for file `name` of a served folder of `repo`: the file, or `None` when it is not there or not
/// a name that is served.
pub async fn file(repo: &Repo, folder: Folder, name: &str) -> Option<Response> {
    if !servable_name(name) {
        return None;
    }
    let dir = match folder {
        Folder::Metadata => repo.metadata_dir(),
        Folder::Targets => repo.targets_dir(),
    };
    let content_type = if name.ends_with(".json") { "application/json" } else { "application/octet-stream" };
    let mut response = served_file(&dir.join(name), content_type).await?;
    let headers = response.headers_mut();
    if name == "timestamp.json" {
        // The one file that says what is newest: no cache in between may keep an old one.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_file_names_are_served() {
        for good in
            ["timestamp.json", "1.root.json", "0a1b.form.hundeanmeldung.0a1b2c3d4e5f6a7b.json", "logo.x_y-z.png"]
        {
            assert!(servable_name(good), "{good}");
        }
        for bad in ["", ".", "..", "../online.key", "a/b", "a\\b", ".lock", ".root.json.tmp", "a..b", "a b", "ä.json"]
        {
            assert!(!servable_name(bad), "{bad}");
        }
    }

    #[test]
    fn times_are_shown_in_the_german_form() {
        let text = local_time_text("2026-12-06T11:00:00Z");
        assert_eq!(text.len(), "06.12.2026 12:00".len(), "{text}");
        assert!(text.starts_with("06.12.2026 ") || text.starts_with("05.12.2026 "), "{text}");
        assert_eq!(local_time_text("not a time"), "not a time");
    }
}
