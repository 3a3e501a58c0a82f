//! `inbox export`: the authority's side. Opens every submitted, not yet picked-up submission of a destination
//! with the destination's private key, checks it against the hashes its metadata carries and writes it out
//! for the case system; only then is it marked picked up.
//!
//! A submission is written into a temporary folder beside its final place and renamed into place when it is
//! whole, so the case system never reads half a submission. The files hold the citizen's data in plaintext:
//! they are readable by their owner only.
//!
//! Non-goals: no delivery into a particular case system (XTA, a Fachverfahren's import); the folder is the
//! interface.

use crate::store::{Store, Tenant};
use anyhow::{Context, Result, bail};
use formdesk_protocol::content::{Metadata, SubmissionData};
use formdesk_protocol::sha256_hex;
use formdesk_seal::DecryptionKey;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What went wrong with one submission; the others are exported all the same.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A part does not open with the destination's key.
    #[error("submission {submission}: {part} does not open with the key: {reason}")]
    Open {
        /// The submission.
        submission: String,
        /// Which part.
        part: String,
        /// Why.
        reason: String,
    },
    /// A part's plaintext is not what the metadata says.
    #[error("submission {submission}: {part}: {reason}")]
    Content {
        /// The submission.
        submission: String,
        /// Which part.
        part: String,
        /// What does not match.
        reason: String,
    },
    /// Writing the files failed.
    #[error("submission {submission}: writing {path}: {reason}")]
    Write {
        /// The submission.
        submission: String,
        /// The file or folder.
        path: String,
        /// Why.
        reason: String,
    },
}

/// A submission decrypted and checked.
struct Opened {
    metadata: serde_json::Value,
    data: serde_json::Value,
    summary: String,
    attachments: Vec<(String, String, Vec<u8>)>,
}

/// Exports every pending submission of `destination` into `out`.
pub async fn export<S: Store>(
    store: &S,
    tenant: &Tenant,
    destination: &str,
    key: &Path,
    out: &Path,
) -> Result<ExitCode> {
    formdesk_protocol::ids::check_destination_id(destination)?;
    let pem = std::fs::read_to_string(key).with_context(|| format!("reading {}", key.display()))?;
    let key = DecryptionKey::from_pem(&pem).with_context(|| format!("{}", key.display()))?;
    let known = store.destinations(tenant).await?;
    let Some(target) = known.iter().find(|d| d.id == destination) else {
        bail!("destination {destination} is not known to this portal");
    };
    if target.key_id != key.public().key_id() {
        bail!(
            "the key {} is not destination {destination}'s key: its kid is {}, the destination's {}",
            key.public().key_id(),
            key.public().key_id(),
            target.key_id
        );
    }
    crate::cli::create_private_dir(out)?;
    let mut stdout = std::io::stdout().lock();
    let (mut exported, mut failed) = (0usize, 0usize);
    for id in store.pending(tenant, destination.to_owned()).await? {
        let delivery = match store.delivery(tenant, id.clone()).await {
            Ok(delivery) => delivery,
            Err(e) => {
                eprintln!("error: submission {id}: {e}");
                failed += 1;
                continue;
            }
        };
        let result = open(&key, &delivery).and_then(|opened| write(out, &id, &opened).map(|()| opened.summary));
        match result {
            Ok(summary) => {
                store
                    .mark_picked_up(
                        tenant,
                        id.clone(),
                        chrono::Utc::now().timestamp(),
                        &crate::store::audit::Actor::cli(),
                    )
                    .await?;
                writeln!(stdout, "exported {id}: {summary}")?;
                exported += 1;
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    writeln!(stdout, "{exported} submission(s) exported to {}", out.display())?;
    if failed > 0 {
        eprintln!("error: {failed} submission(s) could not be exported and stay in the inbox");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn open(key: &DecryptionKey, delivery: &crate::store::Delivery) -> Result<Opened, ExportError> {
    let id = &delivery.id;
    let unseal = |part: &str, jwe: &str| {
        formdesk_seal::open(key, jwe).map_err(|e| ExportError::Open {
            submission: id.clone(),
            part: part.to_owned(),
            reason: e.to_string(),
        })
    };
    let content =
        |part: &str, reason: String| ExportError::Content { submission: id.clone(), part: part.into(), reason };

    let metadata_bytes = unseal("metadata", &delivery.metadata)?;
    let metadata_json: serde_json::Value =
        serde_json::from_slice(&metadata_bytes).map_err(|e| content("metadata", format!("not JSON: {e}")))?;
    let metadata: Metadata = serde_json::from_value(metadata_json.clone())
        .map_err(|e| content("metadata", format!("not submission metadata: {e}")))?;
    if metadata.submission_id != *id {
        return Err(content("metadata", format!("it names submission {}", metadata.submission_id)));
    }

    let data_bytes = unseal("data", &delivery.data)?;
    let data_sha256 = sha256_hex(&data_bytes);
    if data_sha256 != metadata.data_sha256 {
        return Err(content(
            "data",
            format!("its SHA-256 is {data_sha256}, the metadata says {}", metadata.data_sha256),
        ));
    }
    let data_json: serde_json::Value =
        serde_json::from_slice(&data_bytes).map_err(|e| content("data", format!("not JSON: {e}")))?;
    serde_json::from_value::<SubmissionData>(data_json.clone())
        .map_err(|e| content("data", format!("not submission data: {e}")))?;

    let announced: Vec<&str> = delivery.attachments.iter().map(|(a, _)| a.as_str()).collect();
    let described: Vec<&str> = metadata.attachments.iter().map(|a| a.id.as_str()).collect();
    if announced != described {
        return Err(content(
            "metadata",
            format!("it describes attachments [{}], the portal has [{}]", described.join(", "), announced.join(", ")),
        ));
    }
    let mut attachments = Vec::new();
    for ((attachment_id, jwe), meta) in delivery.attachments.iter().zip(&metadata.attachments) {
        let part = format!("attachment {attachment_id}");
        let bytes = unseal(&part, jwe)?;
        let sha256 = sha256_hex(&bytes);
        if sha256 != meta.sha256 {
            return Err(content(&part, format!("its SHA-256 is {sha256}, the metadata says {}", meta.sha256)));
        }
        attachments.push((attachment_id.clone(), sanitize(&meta.filename), bytes));
    }
    let summary = format!(
        "{} ({} {}), reference {}, {} attachment(s)",
        metadata.form.title,
        metadata.form.id,
        metadata.form.version,
        metadata.reference,
        attachments.len()
    );
    Ok(Opened { metadata: metadata_json, data: data_json, summary, attachments })
}

/// A file name that is safe in one folder: no path separators, no control characters, no leading dots, at
/// most 100 characters.
pub fn sanitize(name: &str) -> String {
    let cleaned: String =
        name.chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    let short: String = cleaned.chars().take(100).collect();
    if short.is_empty() { "file".to_owned() } else { short }
}

fn write(out: &Path, id: &str, opened: &Opened) -> Result<(), ExportError> {
    let failed = |path: &Path, e: std::io::Error| ExportError::Write {
        submission: id.to_owned(),
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let target = out.join(id);
    let temp = out.join(format!(".{id}.partial"));
    if temp.exists() {
        std::fs::remove_dir_all(&temp).map_err(|e| failed(&temp, e))?;
    }
    let attachments = temp.join("attachments");
    std::fs::create_dir_all(&attachments).map_err(|e| failed(&attachments, e))?;
    let json = serde_json::json!({ "metadata": opened.metadata, "data": opened.data });
    let text = serde_json::to_vec_pretty(&json).unwrap_or_default();
    write_private(&temp.join("submission.json"), &text).map_err(|(p, e)| failed(&p, e))?;
    for (attachment_id, filename, bytes) in &opened.attachments {
        write_private(&attachments.join(format!("{attachment_id}-{filename}")), bytes)
            .map_err(|(p, e)| failed(&p, e))?;
    }
    // An earlier export that was written but not marked (the store failed after the rename) is replaced.
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| failed(&target, e))?;
    }
    std::fs::rename(&temp, &target).map_err(|e| failed(&target, e))?;
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), (PathBuf, std::io::Error)> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| (path.to_owned(), e))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| (path.to_owned(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_stay_in_their_folder() {
        assert_eq!(sanitize("Impfpass Bello.pdf"), "Impfpass Bello.pdf");
        assert_eq!(sanitize("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(sanitize(".."), "file");
        assert_eq!(sanitize("a\nb"), "a_b");
        assert_eq!(sanitize(&"x".repeat(300)).len(), 100);
    }
}
