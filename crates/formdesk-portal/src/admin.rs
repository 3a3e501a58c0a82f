//! The administrators' commands on the store: desks (`devices`), the authorities' destinations
//! (`destinations`) and the check of a citizen's receipt (`receipt verify`).
//!
//! Non-goals: no user accounts or roles; whoever may run this program on the portal's machine administers it.

use crate::server::time_text;
use crate::store::audit::Actor;
use crate::store::{Destination, Device, Store, Tenant};
use anyhow::{Context, Result, bail};
use formdesk_protocol::ids;
use formdesk_protocol::provisioning::{self, Provisioning};
use formdesk_protocol::wire::EnrolledTenant;
use ring::rand::{SecureRandom, SystemRandom};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn random<const N: usize>(random: &SystemRandom) -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    random.fill(&mut bytes).map_err(|_| anyhow::anyhow!("the system gave no random numbers"))?;
    Ok(bytes)
}

/// Where `devices enrol` writes a provisioning file, and what it needs for it.
#[derive(Debug)]
pub struct ProvisioningOut {
    /// The file to write; refused when it exists.
    pub path: PathBuf,
    /// The portal's address as desks reach it.
    pub portal: String,
    /// The portal's data folder, with the tenant's form channel.
    pub data_dir: PathBuf,
    /// The public key file that signs the app's updates, if the desks get updates.
    pub app_update_key: Option<PathBuf>,
}

/// The app-update public key in `path` as `tauri signer generate` writes it: base64 of a minisign public key.
fn app_update_key(path: &Path) -> Result<String> {
    use base64::Engine as _;
    let text = std::fs::read_to_string(path).with_context(|| format!("reading --app-update-key {}", path.display()))?;
    let key = text.trim();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(key)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|inner| inner.starts_with("untrusted comment:") && inner.lines().count() >= 2);
    if decoded.is_none() {
        bail!(
            "--app-update-key {}: not an update signing key's public half (made with `tauri signer generate`, \
             the file ending in .pub)",
            path.display()
        );
    }
    Ok(key.to_owned())
}

/// The portal's address for a provisioning file: an origin, `https://`, or `http://` on the loopback
/// interface (as the desk accepts it).
fn portal_origin(text: &str) -> Result<String> {
    let trimmed = text.trim().trim_end_matches('/');
    let (scheme, rest) = trimmed
        .split_once("://")
        .with_context(|| format!("--portal-url {text:?}: expected an address like https://portal.example.de"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        bail!("--portal-url {text:?}: expected the portal's address without a path, like https://portal.example.de");
    }
    let host = rest.rsplit_once(':').filter(|(_, port)| port.parse::<u16>().is_ok()).map_or(rest, |(host, _)| host);
    let loopback =
        matches!(host, "localhost" | "[::1]") || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
    match scheme {
        "https" => Ok(trimmed.to_owned()),
        "http" if loopback => Ok(trimmed.to_owned()),
        "http" => bail!("--portal-url {text:?}: desks reach a portal by https only (http only on this machine)"),
        other => bail!("--portal-url {text:?}: {other} is not https"),
    }
}

/// Writes `file` as `path`, readable by its owner only, refusing to overwrite.
fn write_provisioning(path: &Path, file: &Provisioning) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(path).with_context(|| format!("writing the provisioning file {}", path.display()))?;
    out.write_all(file.to_json().as_bytes())?;
    out.sync_all()?;
    Ok(())
}

/// `devices enrol`: registers a desk and prints its code; with `provisioning`, also writes the desk's
/// provisioning file (checked before the desk is registered: the address, the file not there yet, the
/// tenant's form channel readable).
pub async fn enrol<S: Store>(
    store: &S,
    tenant: &Tenant,
    name: &str,
    valid_days: u32,
    provisioning: Option<ProvisioningOut>,
) -> Result<ExitCode> {
    let name = name.trim();
    if name.is_empty() {
        bail!("--name must not be empty");
    }
    if valid_days == 0 || valid_days > 365 {
        bail!("--valid-days {valid_days}: expected 1 to 365 days");
    }
    let prepared = match &provisioning {
        Some(out) => {
            let portal = portal_origin(&out.portal)?;
            if out.path.exists() {
                bail!("{} exists already; name a new file for the provisioning file", out.path.display());
            }
            let forms_root = crate::channel::root_for(&out.data_dir, tenant)?;
            let update_key = out.app_update_key.as_deref().map(app_update_key).transpose()?;
            let tenant_name = store.tenant_name(tenant).await?.unwrap_or_default();
            Some((out, portal, forms_root, update_key, tenant_name))
        }
        None => None,
    };
    let rng = SystemRandom::new();
    let code = ids::enrolment_code_from_random(random(&rng)?);
    let normalized = ids::normalize_enrolment_code(&code)?;
    let created_at = now();
    let device = Device {
        id: ids::uuid_from_random(random(&rng)?),
        name: name.to_owned(),
        public_key: None,
        code_hash: crate::store::code_hash(&normalized),
        code_expires_at: created_at + i64::from(valid_days) * 86_400,
        created_at,
        enrolled_at: None,
        revoked_at: None,
    };
    store.add_device(tenant, device.clone(), &Actor::cli()).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "device   {}", device.id)?;
    writeln!(out, "name     {}", device.name)?;
    writeln!(out, "code     {code}")?;
    writeln!(out, "expires  {}", time_text(device.code_expires_at))?;
    if let Some((file, portal, forms_root, app_update_key, tenant_name)) = prepared {
        let contents = Provisioning {
            format: provisioning::FORMAT.into(),
            format_version: provisioning::FORMAT_VERSION,
            portal,
            tenant: EnrolledTenant { ars: tenant.ars().to_string(), name: tenant_name },
            device_name: device.name.clone(),
            code,
            expires_at: device.code_expires_at,
            forms_root,
            app_update_key,
        };
        write_provisioning(&file.path, &contents)?;
        writeln!(out, "file     {} (holds the code: hand it to the desk only)", file.path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn device_state(device: &Device, now: i64) -> String {
    match (device.revoked_at, device.enrolled_at) {
        (Some(revoked), _) => format!("revoked   since {}", time_text(revoked)),
        (None, Some(enrolled)) => format!("enrolled  since {}", time_text(enrolled)),
        (None, None) if device.code_expires_at < now => {
            format!("expired   code expired {}", time_text(device.code_expires_at))
        }
        (None, None) => format!("pending   code valid until {}", time_text(device.code_expires_at)),
    }
}

/// `devices list`.
pub async fn list_devices<S: Store>(store: &S, tenant: &Tenant) -> Result<ExitCode> {
    let devices = store.devices(tenant).await?;
    let now = now();
    let mut out = std::io::stdout().lock();
    for device in &devices {
        writeln!(out, "{}  {}  {}", device.id, device_state(device, now), device.name)?;
    }
    writeln!(out, "{} device(s)", devices.len())?;
    Ok(ExitCode::SUCCESS)
}

/// `devices revoke`.
pub async fn revoke<S: Store>(store: &S, tenant: &Tenant, id: &str) -> Result<ExitCode> {
    ids::check_uuid("device id", id)?;
    let Some(device) = store.revoke_device(tenant, id.to_owned(), now(), &Actor::cli()).await? else {
        bail!("device {id} is not known to this portal");
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "device {} ({}) revoked since {}",
        device.id,
        device.name,
        time_text(device.revoked_at.unwrap_or_default())
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `destinations add`.
pub async fn add_destination<S: Store>(
    store: &S,
    tenant: &Tenant,
    id: &str,
    name: &str,
    key: &Path,
) -> Result<ExitCode> {
    ids::check_destination_id(id)?;
    if name.trim().is_empty() {
        bail!("--name must not be empty");
    }
    let pem = std::fs::read_to_string(key).with_context(|| format!("reading {}", key.display()))?;
    let recipient = formdesk_seal::RecipientKey::from_pem(&pem).with_context(|| format!("{}", key.display()))?;
    let destination = Destination {
        id: id.to_owned(),
        name: name.trim().to_owned(),
        key_id: recipient.key_id(),
        public_key: recipient.to_spki_der(),
    };
    store.put_destination(tenant, destination.clone(), now(), &Actor::cli()).await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "destination {} ({}): RSA key of {} bits, kid {}",
        destination.id,
        destination.name,
        recipient.bits(),
        destination.key_id
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `destinations list`.
pub async fn list_destinations<S: Store>(store: &S, tenant: &Tenant) -> Result<ExitCode> {
    let destinations = store.destinations(tenant).await?;
    let mut out = std::io::stdout().lock();
    for d in &destinations {
        let bits = formdesk_seal::RecipientKey::from_spki_der(&d.public_key)
            .map_or_else(|e| format!("unreadable key: {e}"), |k| format!("{} bits", k.bits()));
        writeln!(out, "{}  {}  kid {}  {bits}", d.id, d.name, d.key_id)?;
    }
    writeln!(out, "{} destination(s)", destinations.len())?;
    Ok(ExitCode::SUCCESS)
}

/// `destinations keygen`: writes a new key pair, the private key readable by its owner only.
pub fn keygen(private: &Path, public: &Path, bits: usize) -> Result<ExitCode> {
    use std::os::unix::fs::OpenOptionsExt as _;
    for path in [private, public] {
        if path.exists() {
            bail!("{} exists; keygen does not overwrite keys", path.display());
        }
    }
    let key = formdesk_seal::DecryptionKey::generate(bits)?;
    let pem = key.to_pkcs8_pem()?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(private)
        .with_context(|| format!("creating {}", private.display()))?;
    file.write_all(pem.as_bytes()).with_context(|| format!("writing {}", private.display()))?;
    file.sync_all().with_context(|| format!("writing {}", private.display()))?;
    let recipient = key.public();
    std::fs::write(public, recipient.to_pem()).with_context(|| format!("writing {}", public.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "RSA key of {} bits, kid {}: private key {}, public key {}",
        recipient.bits(),
        recipient.key_id(),
        private.display(),
        public.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `receipt verify`: finds the desk whose key signed a receipt's QR payload.
pub async fn verify_receipt<S: Store>(store: &S, tenant: &Tenant, payload: &str) -> Result<ExitCode> {
    let devices = store.devices(tenant).await?;
    let mut last_error = None;
    for device in &devices {
        let Some(key) = &device.public_key else { continue };
        match formdesk_receipt::payload::verify(payload, key) {
            Ok(verified) => {
                let mut out = std::io::stdout().lock();
                let revoked =
                    device.revoked_at.map(|t| format!(", revoked since {}", time_text(t))).unwrap_or_default();
                writeln!(out, "signed by device {} ({}){revoked}", device.id, device.name)?;
                writeln!(out, "reference {}", verified.reference)?;
                writeln!(out, "form      {} {}", verified.form_id, verified.form_version)?;
                writeln!(out, "issued    {}", verified.issued_at.to_rfc3339())?;
                let digest: String = verified.answers_digest.iter().map(|b| format!("{b:02x}")).collect();
                writeln!(out, "answers   sha256 {digest}")?;
                return Ok(ExitCode::SUCCESS);
            }
            Err(e) => last_error = Some(e),
        }
    }
    let mut err = std::io::stderr().lock();
    let enrolled = devices.iter().filter(|d| d.public_key.is_some()).count();
    match last_error {
        // A payload that cannot be read fails the same way for every key; say how.
        Some(e @ formdesk_receipt::ReceiptError::InvalidPayload(_)) => writeln!(err, "not a receipt payload: {e}")?,
        _ => writeln!(err, "no desk signed this receipt: checked against {enrolled} enrolled device key(s)")?,
    }
    Ok(ExitCode::FAILURE)
}
