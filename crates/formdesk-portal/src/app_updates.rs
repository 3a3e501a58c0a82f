//! The desk app's signed updates (docs/app-updates.md): `app publish` puts a bundle signed with
//! `tauri signer sign` into a channel (`pilot` or `all`), `app status` says which desk runs which app version,
//! and the server answers tauri-plugin-updater's check at `/app/v1/{channel}/latest.json` and serves the
//! bundles at `/app/v1/bundles/{file}`.
//!
//! What the portal keeps, in `<data-dir>/app/`: the bundles in `bundles/`, each under a name with its version,
//! architecture and hash, and per channel one record, `<channel>.json` ([`ChannelRecord`], format
//! [`RECORD_FORMAT`] version [`RECORD_VERSION`]), written to a temporary file and renamed into place, so a
//! desk reads the old record or the new one, never half of one.
//!
//! A bundle is taken only if its signature verifies with the update key, the signature names a version
//! (`tauri signer sign --app-version X`), the package inside is the desk app (`Package: formdesk`) of that
//! same version, and the version is newer than what the channel offers. So the manifest's version, which the
//! updater's signature does not cover, is always the one signed and the one inside the package.
//!
//! Non-goals: other platforms than Linux's Debian package (one bundle per channel), signing (the key stays
//! with whoever builds the app), deciding which desk reads which channel (that is the desk's form channel,
//! `devices channel` and the console).

use crate::store::audit::{Actor, AuditLog, Event};
use crate::store::{Operator, Store, Tenant};
use anyhow::{Context as _, Result, bail};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use chrono::{SecondsFormat, Utc};
use formdesk_protocol::app_bundle;
use formdesk_protocol::audit::Action;
use formdesk_protocol::wire::FormsChannelName;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The `format` of a channel record.
pub const RECORD_FORMAT: &str = "formdesk-app-channel";
/// The `formatVersion` of a channel record this portal writes and reads.
pub const RECORD_VERSION: u32 = 1;
/// The package name of the desk app.
pub const APP_PACKAGE: &str = "formdesk";
/// The most bytes of a bundle (the desk app's package is some ten megabytes).
const MAX_BUNDLE_BYTES: u64 = 512 * 1024 * 1024;

/// What a channel offers: the newest bundle published to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChannelRecord {
    /// [`RECORD_FORMAT`].
    pub format: String,
    /// [`RECORD_VERSION`].
    pub format_version: u32,
    /// `pilot` or `all`.
    pub channel: String,
    /// The app version, as signed and as the package says.
    pub version: String,
    /// The release notes the updater shows.
    pub notes: String,
    /// When it was published (RFC 3339, UTC).
    pub pub_date: String,
    /// The bundle's file name in `bundles/`.
    pub file: String,
    /// SHA-256 of the bundle (lowercase hex).
    pub sha256: String,
    /// The bundle's size in bytes.
    pub size: u64,
    /// The package's architecture (`amd64`).
    pub architecture: String,
    /// The `.sig` file's contents as `tauri signer sign` wrote it, which the updater checks.
    pub signature: String,
}

/// The app-update folder in the data folder.
pub fn app_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("app")
}

fn bundles_dir(app_dir: &Path) -> PathBuf {
    app_dir.join("bundles")
}

fn record_path(app_dir: &Path, channel: FormsChannelName) -> PathBuf {
    app_dir.join(format!("{}.json", channel.as_str()))
}

/// A channel's record; `None` while nothing was published to it. The error names the file and what is wrong.
pub fn read_record(app_dir: &Path, channel: FormsChannelName) -> Result<Option<ChannelRecord>> {
    let path = record_path(app_dir, channel);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let record: ChannelRecord =
        serde_json::from_slice(&bytes).with_context(|| format!("{} is not an app channel record", path.display()))?;
    if record.format != RECORD_FORMAT || record.format_version != RECORD_VERSION {
        bail!(
            "{} has format {} version {}; this portal reads {RECORD_FORMAT} version {RECORD_VERSION}",
            path.display(),
            record.format,
            record.format_version
        );
    }
    Ok(Some(record))
}

/// The version a record offers, as a semantic version (a record with another version is not served).
fn version_of(record: &ChannelRecord) -> Option<semver::Version> {
    semver::Version::parse(&record.version).ok()
}

/// What a desk on `channel` is offered: the pilot desks get the newer of pilot and all.
pub fn offered(app_dir: &Path, channel: FormsChannelName) -> Result<Option<ChannelRecord>> {
    let all = read_record(app_dir, FormsChannelName::All)?;
    if channel == FormsChannelName::All {
        return Ok(all);
    }
    let pilot = read_record(app_dir, FormsChannelName::Pilot)?;
    Ok(match (pilot, all) {
        (Some(pilot), Some(all)) if version_of(&all) > version_of(&pilot) => Some(all),
        (Some(pilot), _) => Some(pilot),
        (None, all) => all,
    })
}

/// What `app publish` was given.
#[derive(Debug)]
pub struct Publish<'a> {
    /// The bundle (`.deb`).
    pub bundle: &'a Path,
    /// Its `.sig` file.
    pub signature: &'a Path,
    /// The update key's public half (`.pub`).
    pub key: &'a Path,
    /// The channel.
    pub channel: FormsChannelName,
    /// The release notes.
    pub notes: &'a str,
}

/// The updater's name of a Debian architecture (`linux-<arch>`), for the architectures Tauri builds for.
fn updater_arch(architecture: &str) -> Option<&'static str> {
    match architecture {
        "amd64" => Some("x86_64"),
        "arm64" => Some("aarch64"),
        "i386" => Some("i686"),
        "armhf" => Some("armv7"),
        _ => None,
    }
}

/// Checks a bundle for `app publish` and makes its record; nothing is written. Each refusal names what was
/// wrong.
fn check(args: &Publish<'_>, bundle: &[u8], app_dir: &Path, now: chrono::DateTime<Utc>) -> Result<ChannelRecord> {
    let read_text = |path: &Path, what: &str| {
        std::fs::read_to_string(path).with_context(|| format!("reading the {what} {}", path.display()))
    };
    let signature = read_text(args.signature, "signature")?;
    let key = read_text(args.key, "key")?;
    let (bundle_name, signature_name, key_name) = (args.bundle.display(), args.signature.display(), args.key.display());
    let signed = app_bundle::verify_signature(bundle, &signature, &key).map_err(|e| match e {
        app_bundle::SignatureError::BadKey => anyhow::anyhow!("--key {key_name}: {e}"),
        app_bundle::SignatureError::BadSignatureFile => anyhow::anyhow!("--signature {signature_name}: {e}"),
        _ => anyhow::anyhow!("{bundle_name} refused: {e} ({signature_name}, key {key_name})"),
    })?;
    let version = semver::Version::parse(&signed.version).map_err(|e| {
        anyhow::anyhow!(
            "{bundle_name} refused: the signed version {:?} is not a version like 1.2.3 ({e})",
            signed.version
        )
    })?;
    let control = app_bundle::read_control(bundle).map_err(|e| anyhow::anyhow!("{bundle_name} refused: {e}"))?;
    if control.package != APP_PACKAGE {
        bail!(
            "{bundle_name} refused: the package is {:?}, not the desk app ({APP_PACKAGE:?}); a manifest for another \
             app is never served",
            control.package
        );
    }
    if control.version != signed.version {
        bail!(
            "{bundle_name} refused: the package's version is {}, but the signature is for version {}; sign the bundle \
             with --app-version {}",
            control.version,
            signed.version,
            control.version
        );
    }
    if updater_arch(&control.architecture).is_none() {
        bail!("{bundle_name} refused: the architecture {:?} is not one the updater knows", control.architecture);
    }
    check_newer(args, &version, app_dir)?;
    let sha256 = formdesk_protocol::sha256_hex(bundle);
    Ok(ChannelRecord {
        format: RECORD_FORMAT.to_owned(),
        format_version: RECORD_VERSION,
        channel: args.channel.as_str().to_owned(),
        version: signed.version,
        notes: args.notes.to_owned(),
        pub_date: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        file: format!("{APP_PACKAGE}_{version}_{}_{}.deb", control.architecture, &sha256[..16]),
        sha256,
        size: u64::try_from(bundle.len()).unwrap_or(u64::MAX),
        architecture: control.architecture,
        signature: signature.trim().to_owned(),
    })
}

/// Refuses `version` unless it is newer than what the channel offers.
fn check_newer(args: &Publish<'_>, version: &semver::Version, app_dir: &Path) -> Result<()> {
    if let Some(current) = offered(app_dir, args.channel)?
        && version_of(&current).is_some_and(|current| version <= &current)
    {
        bail!(
            "{} refused: version {version} is not newer than version {} that channel {} offers (channel {}); a \
             downgrade or the same version again is never published",
            args.bundle.display(),
            current.version,
            args.channel.as_str(),
            current.channel
        );
    }
    Ok(())
}

/// Holds `<app>/.lock` so that two `app publish` at once cannot both pass the version check; the lock file
/// is made only once a bundle passed its checks.
fn lock(app_dir: &Path) -> Result<std::fs::File> {
    std::fs::create_dir_all(app_dir).with_context(|| format!("creating {}", app_dir.display()))?;
    let path = app_dir.join(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.lock().with_context(|| format!("locking {}", path.display()))?;
    Ok(file)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("a file without a folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temporary = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.with_context(|| format!("writing {}", path.display()))
}

/// `app publish`: checks the bundle ([`check`]), copies it to `bundles/`, records the operator's audit entry
/// and writes the channel's record. On a refusal nothing is written.
pub async fn publish<S: Store>(store: &S, args: &Publish<'_>, data_dir: &Path) -> Result<ExitCode> {
    let app_dir = app_dir(data_dir);
    let size = std::fs::metadata(args.bundle).with_context(|| format!("reading {}", args.bundle.display()))?.len();
    if size > MAX_BUNDLE_BYTES {
        bail!("{} refused: {size} bytes is more than the {MAX_BUNDLE_BYTES} a bundle may have", args.bundle.display());
    }
    let bundle = std::fs::read(args.bundle).with_context(|| format!("reading {}", args.bundle.display()))?;
    let now = Utc::now();
    let record = check(args, &bundle, &app_dir, now)?;
    let _lock = lock(&app_dir)?;
    // Another publish may have finished in between.
    let version = semver::Version::parse(&record.version).context("the checked version")?;
    check_newer(args, &version, &app_dir)?;
    write_atomically(&bundles_dir(&app_dir).join(&record.file), &bundle)?;
    let event = Event::new(&Actor::cli(), Action::AppPublish, now.timestamp())
        .on(format!("app-{}", record.version))
        .text("channel", &record.channel)
        .text("sha256", &record.sha256);
    store.append_audit(AuditLog::operator(&Operator::command_line()), event).await?;
    let mut json = serde_json::to_vec_pretty(&record).context("the channel record")?;
    json.push(b'\n');
    write_atomically(&record_path(&app_dir, args.channel), &json)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "app version {} published to channel {}", record.version, record.channel)?;
    writeln!(out, "bundle {} ({} bytes, sha256 {})", record.file, record.size, record.sha256)?;
    Ok(ExitCode::SUCCESS)
}

/// `app status`: what each channel offers, and each desk of `tenants` with the app version it last reported.
pub async fn status<S: Store>(store: &S, tenants: &[(Tenant, String)], data_dir: &Path) -> Result<ExitCode> {
    let app_dir = app_dir(data_dir);
    let mut out = std::io::stdout().lock();
    for channel in [FormsChannelName::Pilot, FormsChannelName::All] {
        match read_record(&app_dir, channel)? {
            Some(r) => writeln!(out, "channel {}: version {} (published {})", channel.as_str(), r.version, r.pub_date)?,
            None => writeln!(out, "channel {}: nothing published", channel.as_str())?,
        }
    }
    let offers = [
        (FormsChannelName::Pilot, offered(&app_dir, FormsChannelName::Pilot)?),
        (FormsChannelName::All, offered(&app_dir, FormsChannelName::All)?),
    ];
    let mut desks = 0;
    for (tenant, name) in tenants {
        let devices = store.devices(tenant).await?;
        let forms = store.devices_forms(tenant).await?;
        for device in &devices {
            let Some(place) = forms.iter().find(|f| f.device_id == device.id) else { continue };
            let offer = offers.iter().find(|(c, _)| *c == place.channel).and_then(|(_, r)| r.as_ref());
            let state = match (&place.app_version, offer) {
                _ if device.revoked_at.is_some() => "revoked".to_owned(),
                (None, _) => "never reported".to_owned(),
                (Some(running), Some(offer))
                    if semver::Version::parse(running).ok().is_none_or(|running| Some(running) < version_of(offer)) =>
                {
                    format!("behind (channel {} has {})", offer.channel, offer.version)
                }
                (Some(_), _) => "current".to_owned(),
            };
            writeln!(
                out,
                "{}  {}  {}  app {}  channel {}  {state}",
                tenant.ars(),
                name,
                device.name,
                place.app_version.as_deref().unwrap_or("-"),
                place.channel.as_str()
            )?;
            desks += 1;
        }
    }
    writeln!(out, "{desks} desk(s)")?;
    Ok(ExitCode::SUCCESS)
}

/// Whether `name` may be a bundle's file name: letters, digits, `.`, `_`, `-`, `+`, ending in `.deb`, not
/// beginning with a dot (no path, no hidden or temporary file).
fn servable_bundle_name(name: &str) -> bool {
    name.len() <= 200
        && name.ends_with(".deb")
        && !name.starts_with('.')
        && !name.contains("..")
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
}

/// The portal's origin as a desk reached it: `scheme://host` with the request's `Host` header, if that is a
/// plain host name or address with an optional port.
pub fn origin(scheme: &str, host: Option<&HeaderValue>) -> Option<String> {
    let host = host?.to_str().ok()?;
    let plain = !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    plain.then(|| format!("{scheme}://{host}"))
}

/// The updater's manifest, as tauri-plugin-updater reads it.
#[derive(Debug, Serialize)]
struct UpdaterManifest<'a> {
    version: &'a str,
    notes: &'a str,
    pub_date: &'a str,
    platforms: std::collections::BTreeMap<String, Platform<'a>>,
}

#[derive(Debug, Serialize)]
struct Platform<'a> {
    signature: &'a str,
    url: String,
}

/// `GET /app/v1/{channel}/latest.json`: the updater's manifest of what the channel offers, with the bundle's
/// absolute URL under `origin`; 204 while nothing is published; `None` (404) for a channel that is none.
pub async fn manifest(app_dir: PathBuf, channel: &str, origin: &str) -> Option<Response> {
    let channel = FormsChannelName::parse(channel)?;
    let offered = tokio::task::spawn_blocking(move || offered(&app_dir, channel)).await;
    let record = match offered {
        Ok(Ok(Some(record))) => record,
        Ok(Ok(None)) => return Some(no_store(StatusCode::NO_CONTENT.into_response())),
        Ok(Err(e)) => {
            eprintln!("formdesk-portal: app updates: {e:#}");
            return Some(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
        Err(_) => return Some(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    };
    let arch = updater_arch(&record.architecture).unwrap_or("x86_64");
    let platform =
        || Platform { signature: &record.signature, url: format!("{origin}/app/v1/bundles/{}", record.file) };
    let platforms = [(format!("linux-{arch}-deb"), platform()), (format!("linux-{arch}"), platform())].into();
    let body =
        UpdaterManifest { version: &record.version, notes: &record.notes, pub_date: &record.pub_date, platforms };
    let Ok(bytes) = serde_json::to_vec(&body) else {
        return Some(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Some(no_store(response))
}

/// The manifest says what is newest: no cache in between may keep an old one.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /app/v1/bundles/{file}`: a published bundle's bytes; `None` (404) for any other name.
pub async fn bundle(app_dir: &Path, name: &str) -> Option<Response> {
    if !servable_bundle_name(name) {
        return None;
    }
    let path = bundles_dir(app_dir).join(name);
    // Only a regular file of the folder itself, never what a link points to.
    if !tokio::fs::symlink_metadata(&path).await.ok()?.is_file() {
        return None;
    }
    crate::channel::served_file(&path, "application/vnd.debian.binary-package").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_bundle_names_are_served() {
        assert!(servable_bundle_name("formdesk_0.0.1_amd64_0123456789abcdef.deb"));
        assert!(servable_bundle_name("formdesk_1.0.0-rc.1+build.5_amd64.deb"));
        for bad in ["", ".deb", "../pilot.json", "..%2fpilot.json", "a/b.deb", "a\\b.deb", "pilot.json", "a..b.deb"] {
            assert!(!servable_bundle_name(bad), "{bad}");
        }
    }

    #[test]
    fn the_origin_comes_from_a_plain_host_header() {
        let https = |host: &str| origin("https", Some(&HeaderValue::from_str(host).unwrap()));
        assert_eq!(https("portal.example.de").as_deref(), Some("https://portal.example.de"));
        assert_eq!(https("127.0.0.1:8440").as_deref(), Some("https://127.0.0.1:8440"));
        assert_eq!(https("[::1]:8440").as_deref(), Some("https://[::1]:8440"));
        for bad in ["", "evil.example/x", "a@b", "a b"] {
            assert_eq!(https(bad), None, "{bad}");
        }
        assert_eq!(origin("http", None), None);
    }
}
