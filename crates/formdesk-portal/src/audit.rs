//! The audit trail's commands (`audit list`, `audit verify`, `audit checkpoint`), the server's regular
//! checkpoints, and the desks' upload (`POST /v1/audit`) as the server answers it.
//!
//! `audit verify` reads a log oldest first and checks its chain and every stored checkpoint
//! ([`crate::store::audit::verify_log`]): exit 0 with "in Ordnung", or 1 naming the first bad entry and what is
//! wrong with it. The output is for office staff, in German.

use crate::accounts::hex;
use crate::server::time_text;
use crate::store::audit::{AUDIT_BATCH, AuditLog, verify_log};
use crate::store::{Operator, Store, Tenant};
use anyhow::{Context, Result};
use formdesk_protocol::audit::{Broken, BrokenKind, DetailValue, Entry, Head, SignedCheckpoint};
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// How often the server signs checkpoints of the logs whose head moved.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(10 * 60);

/// Which logs a command works on.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Every log: the operator's, every tenant's and every device's.
    All,
    /// The operator's log.
    Operator,
    /// A tenant's own log and the logs its devices uploaded.
    Tenant(Tenant),
    /// The log a device of the tenant uploaded.
    Device(Tenant, String),
}

impl Selection {
    async fn logs<S: Store>(&self, store: &S) -> Result<Vec<AuditLog>> {
        Ok(match self {
            Selection::All => store.audit_logs(&Operator::command_line()).await?,
            Selection::Operator => vec![AuditLog::operator(&Operator::command_line())],
            Selection::Tenant(tenant) => {
                let own = AuditLog::tenant(tenant);
                let mut logs = vec![own.clone()];
                logs.extend(store.audit_heads(tenant).await?.into_iter().map(|(log, _)| log).filter(|l| *l != own));
                logs
            }
            Selection::Device(tenant, id) => vec![AuditLog::device(tenant, id)],
        })
    }
}

/// The logs the command line's `--tenant`, `--operator` or `--device` name (every log without one).
pub async fn selection<S: Store>(store: &S, args: &crate::cli::AuditLogArgs) -> Result<Selection> {
    Ok(match (&args.tenant, args.operator, &args.device) {
        (_, true, _) => Selection::Operator,
        (tenant, false, Some(device)) => {
            formdesk_protocol::ids::check_uuid("--device", device)?;
            let tenant = crate::tenants::resolve(store, tenant.as_deref()).await?;
            if !store.devices(&tenant).await?.iter().any(|d| d.id == *device) {
                anyhow::bail!(
                    "no device {device} belongs to tenant {}; `formdesk-portal devices list` lists them",
                    tenant.ars()
                );
            }
            Selection::Device(tenant, device.clone())
        }
        (Some(tenant), false, None) => Selection::Tenant(crate::tenants::resolve(store, Some(tenant)).await?),
        (None, false, None) => Selection::All,
    })
}

/// The portal's signing key (made and stored on first use, as `serve` does).
pub async fn portal_key<S: Store>(store: &S) -> Result<Ed25519KeyPair> {
    let candidate = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
        .map_err(|_| anyhow::anyhow!("no random numbers for the portal's key"))?;
    let pkcs8 = store.portal_key(candidate.as_ref().to_vec()).await.context("reading the portal's key")?;
    Ed25519KeyPair::from_pkcs8(&pkcs8)
        .map_err(|e| anyhow::anyhow!("the portal's key in the database is not an Ed25519 PKCS#8 key: {e}"))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// `audit list`: a log's newest `limit` entries, the newest first.
pub async fn list<S: Store>(store: &S, selection: &Selection, limit: usize) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    for log in selection.logs(store).await? {
        writeln!(out, "Protokoll {}", log.name())?;
        let mut shown = 0;
        let mut before = None;
        while shown < limit {
            let page = store.audit_page(log.clone(), before).await?;
            for entry in page.entries.iter().take(limit - shown) {
                writeln!(out, "{}", line(entry))?;
                shown += 1;
            }
            match page.next {
                Some(next) => before = Some(next),
                None => break,
            }
        }
        if shown == 0 {
            writeln!(out, "  (keine Einträge)")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn line(entry: &Entry) -> String {
    let r = &entry.record;
    let action = serde_json::to_value(r.action).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let detail = r
        .detail
        .iter()
        .map(|(k, v)| match v {
            DetailValue::Number(n) => format!("{k}={n}"),
            DetailValue::Text(t) => format!("{k}={t}"),
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!("{:>6}  {}  {:<20}  {:<16}  {}  {}", r.seq, time_text(r.at), action, r.actor, r.object, detail)
        .trim_end()
        .to_owned()
}

/// What a kind of damage is called in the output.
fn kind_text(kind: &BrokenKind) -> String {
    match kind {
        BrokenKind::Changed => "verändert (changed): der Eintrag passt nicht mehr zu seinem Hash".to_owned(),
        BrokenKind::Removed => "entfernt (removed): ein Eintrag fehlt".to_owned(),
        BrokenKind::Reordered => "umgestellt (reordered): Einträge stehen in falscher Reihenfolge".to_owned(),
        BrokenKind::Rewritten => {
            "nach einem Prüfpunkt neu geschrieben (rewritten): der Prüfpunkt nennt einen anderen Hash".to_owned()
        }
        BrokenKind::CheckpointSignature => "Prüfpunkt mit ungültiger Signatur (checkpoint signature)".to_owned(),
        BrokenKind::CheckpointOfAnotherLog => {
            "Prüfpunkt eines anderen Protokolls (checkpoint of another log)".to_owned()
        }
        BrokenKind::AnotherLog => "Eintrag eines anderen Protokolls (another log)".to_owned(),
        BrokenKind::Malformed(e) => format!("ungültiger Eintrag (malformed): {e}"),
    }
}

/// Signed checkpoints and the portal's public key kept outside the database (`audit checkpoint --out`).
#[derive(Debug, Clone)]
pub struct Outside {
    /// The portal's public key (32 bytes).
    pub key: Vec<u8>,
    /// Every checkpoint found, of any log.
    pub checkpoints: Vec<SignedCheckpoint>,
}

/// The name of the public key's file in a checkpoints folder.
pub const KEY_FILE: &str = "portal-key.pub";

impl Outside {
    /// Reads `dir`'s `*.json` checkpoints and the public key file `key` (hex).
    pub fn read(dir: &std::path::Path, key: &std::path::Path) -> Result<Outside> {
        let text = std::fs::read_to_string(key).with_context(|| format!("reading {}", key.display()))?;
        let key_bytes = crate::accounts::unhex(text.trim())
            .filter(|k| k.len() == 32)
            .with_context(|| format!("{}: not a public key (64 hex digits)", key.display()))?;
        let mut checkpoints = Vec::new();
        let entries = std::fs::read_dir(dir).with_context(|| format!("reading the folder {}", dir.display()))?;
        for entry in entries {
            let path = entry.with_context(|| format!("reading the folder {}", dir.display()))?.path();
            if path.extension().is_some_and(|e| e == "json") {
                let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                let signed: SignedCheckpoint = serde_json::from_slice(&bytes)
                    .with_context(|| format!("{}: not a signed checkpoint", path.display()))?;
                checkpoints.push(signed);
            }
        }
        if checkpoints.is_empty() {
            anyhow::bail!("{} holds no checkpoint (*.json from `audit checkpoint --out`)", dir.display());
        }
        Ok(Outside { key: key_bytes, checkpoints })
    }
}

/// Checks `log` whole: its chain and every stored checkpoint, with `extra` checkpoints (of any log; those of
/// this one count), against `public_key`. What `audit verify` and the console's "Protokoll prüfen" run.
pub async fn check<S: Store>(
    store: &S,
    log: &AuditLog,
    public_key: &[u8],
) -> Result<(Result<Head, Broken>, usize), crate::store::StoreError> {
    check_with(store, log, public_key, &[]).await
}

/// As [`check`], with checkpoints kept outside the database.
pub async fn check_with<S: Store>(
    store: &S,
    log: &AuditLog,
    public_key: &[u8],
    extra: &[SignedCheckpoint],
) -> Result<(Result<Head, Broken>, usize), crate::store::StoreError> {
    let mut entries: Vec<Entry> = Vec::new();
    loop {
        let after = entries.last().map_or(0, |e| e.record.seq);
        let batch = store.audit_entries(log.clone(), after, AUDIT_BATCH).await?;
        let done = batch.len() < AUDIT_BATCH;
        entries.extend(batch);
        if done {
            break;
        }
    }
    let mut checkpoints: Vec<SignedCheckpoint> = store.audit_checkpoints(log.clone()).await?;
    checkpoints.extend(extra.iter().filter(|c| c.checkpoint.log == log.name()).cloned());
    Ok((verify_log(log, &entries, &checkpoints, public_key), checkpoints.len()))
}

/// `audit verify`: checks each selected log; exit 1 if any is broken.
pub async fn verify<S: Store>(store: &S, selection: &Selection, outside: Option<&Outside>) -> Result<ExitCode> {
    let key = portal_key(store).await?;
    let mut public = key.public_key().as_ref().to_vec();
    let mut out = std::io::stdout().lock();
    let mut broken_logs = 0;
    if let Some(outside) = outside {
        if outside.key != public {
            broken_logs += 1;
            writeln!(
                out,
                "Der Schlüssel des Portals in der Datenbank ist nicht der mitgebrachte ({}): er wurde ersetzt. \
                 Geprüft wird mit dem mitgebrachten.",
                hex(&outside.key)
            )?;
        }
        public = outside.key.clone();
    }
    let extra = outside.map_or(&[][..], |o| o.checkpoints.as_slice());
    for log in selection.logs(store).await? {
        let (verdict, checkpoints) = check_with(store, &log, &public, extra).await?;
        match verdict {
            Ok(head) => writeln!(
                out,
                "Protokoll {}: in Ordnung: {} Einträge, Kopf {}, {} Prüfpunkte",
                log.name(),
                head.seq,
                hex(&head.hash),
                checkpoints
            )?,
            Err(broken) => {
                broken_logs += 1;
                writeln!(
                    out,
                    "Protokoll {}: FEHLER bei Eintrag {}: {}",
                    log.name(),
                    broken.seq,
                    kind_text(&broken.kind)
                )?;
            }
        }
    }
    if broken_logs > 0 {
        writeln!(
            out,
            "{broken_logs} Protokoll(e) beschädigt. Bitte die Datenbank nicht weiter verändern und den Betrieb \
             informieren."
        )?;
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `audit checkpoint`: signs a checkpoint of every log whose head moved since its last one.
pub async fn checkpoint<S: Store>(store: &S, out_dir: Option<&std::path::Path>) -> Result<ExitCode> {
    let key = Arc::new(portal_key(store).await?);
    let written = store.write_audit_checkpoints(Arc::clone(&key), now()).await?;
    let mut out = std::io::stdout().lock();
    if written.is_empty() {
        writeln!(out, "Keine neuen Einträge seit den letzten Prüfpunkten.")?;
    }
    for signed in written {
        let c = &signed.checkpoint;
        writeln!(out, "Prüfpunkt {}: Eintrag {}, Kopf {}", c.log, c.seq, hex(&c.hash))?;
    }
    let Some(dir) = out_dir else { return Ok(ExitCode::SUCCESS) };
    // The newest checkpoint of every log, and the key that signed them, for keeping outside the database.
    std::fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
    std::fs::write(dir.join(KEY_FILE), format!("{}\n", hex(key.public_key().as_ref())))
        .with_context(|| format!("writing {}", dir.join(KEY_FILE).display()))?;
    let mut copied = 0;
    for log in store.audit_logs(&Operator::command_line()).await? {
        let Some(last) = store.audit_checkpoints(log.clone()).await?.into_iter().last() else { continue };
        let name = format!("{}.{}.json", last.checkpoint.log, last.checkpoint.seq);
        let path = dir.join(&name);
        std::fs::write(&path, serde_json::to_vec_pretty(&last)?)
            .with_context(|| format!("writing {}", path.display()))?;
        copied += 1;
    }
    writeln!(
        out,
        "{copied} Prüfpunkt(e) und {KEY_FILE} nach {} kopiert. Bewahren Sie den Ordner außerhalb der Datenbank auf.",
        dir.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Signs the checkpoints due now; a failure is logged.
pub async fn checkpoint_once<S: Store>(store: &S, key: &Arc<Ed25519KeyPair>) {
    if let Err(e) = store.write_audit_checkpoints(Arc::clone(key), now()).await {
        eprintln!("formdesk-portal: the audit checkpoints could not be written: {e}");
    }
}
