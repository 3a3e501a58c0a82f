//! Sealing a finalized submission for its authority, and the desk's side of delivery.
//!
//! At finalization the desk seals every part for the destination the form names, with the destination's
//! RSA key as last fetched from the portal: the metadata, the data (the answers, files named by their
//! attachment ids) and each attachment, as JWE (`formdesk-seal`). The parts go into the vault's outbox in the
//! same transaction as the finalization. A desk that has not fetched the destination's key yet finalizes all
//! the same; [`crate::Desk::queue_waiting`] seals such submissions once the key is there. Sending is the
//! sync engine's business (`formdesk-sync`): it works on the outbox without the vault's keys.

use crate::drafts::{Draft, ReceiptInfo};
use crate::{DeskError, Inner, vault_id};
use formdesk_engine::Answers;
use formdesk_protocol::content::{AttachmentMeta, CONTENT_VERSION, FormRef, Metadata, SubmissionData};
use formdesk_protocol::ids::uuid_from_random;
use formdesk_seal::RecipientKey;
use formdesk_vault::{Queued, SealedPart};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

fn sealing_failed(what: &str, e: impl std::fmt::Display) -> DeskError {
    DeskError::Delivery(crate::logged(format!("{what} konnte nicht für die Übermittlung verschlüsselt werden."), e))
}

/// A fresh random UUID for an attachment.
fn new_uuid(random: &SystemRandom) -> Result<String, DeskError> {
    let mut bytes = [0u8; 16];
    random.fill(&mut bytes).map_err(|_| DeskError::Delivery("Es fehlen Zufallszahlen.".into()))?;
    Ok(uuid_from_random(bytes))
}

/// The answers with every file reference (the vault's attachment number) replaced by the attachment's id in
/// the delivery.
fn rename_files(value: &Value, ids: &BTreeMap<String, String>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("ref", Value::String(r)) => (k.clone(), Value::String(ids.get(r).cloned().unwrap_or_default())),
                    _ => (k.clone(), rename_files(v, ids)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| rename_files(v, ids)).collect()),
        other => other.clone(),
    }
}

/// Everything needed to seal one finalized draft.
pub(crate) struct Sealing<'a> {
    pub draft: &'a Draft,
    pub uuid: &'a str,
    pub receipt: &'a ReceiptInfo,
    pub form: FormRef,
    pub destination: &'a str,
}

/// Seals the parts of a finalized draft for `key`. The attachments are read from the vault one at a time.
pub(crate) fn seal(inner: &Inner, sealing: &Sealing<'_>, key: &RecipientKey) -> Result<Queued, DeskError> {
    let random = SystemRandom::new();
    let id = vault_id(sealing.draft.id)?;
    let mut attachments = Vec::new();
    let mut attachment_parts = Vec::new();
    let mut ids = BTreeMap::new();
    for file in inner.vault.attachments(id)? {
        let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(file.size).unwrap_or(0)));
        inner.vault.read_attachment(id, file.id, &mut *bytes)?;
        let uuid = new_uuid(&random)?;
        ids.insert(file.id.to_string(), uuid.clone());
        attachments.push(AttachmentMeta {
            id: uuid.clone(),
            filename: file.name.clone(),
            media_type: file.media_type.clone(),
            size: file.size,
            sha256: formdesk_protocol::sha256_hex(&bytes),
        });
        let jwe = formdesk_seal::seal(key, &bytes, &random).map_err(|e| sealing_failed("Eine Anlage", e))?;
        attachment_parts.push(SealedPart { name: uuid, jwe });
    }
    let answers = answers_json(&sealing.draft.answers, &ids)?;
    let data = SubmissionData {
        format_version: CONTENT_VERSION,
        form: sealing.form.clone(),
        answers,
        clerk: sealing.receipt.clerk.clone(),
        citizen_language: (sealing.draft.citizen_lang != "de").then(|| sealing.draft.citizen_lang.clone()),
    };
    let data = Zeroizing::new(serde_json::to_vec(&data).map_err(|e| sealing_failed("Der Antrag", e))?);
    let metadata = Metadata {
        format_version: CONTENT_VERSION,
        submission_id: sealing.uuid.to_owned(),
        destination_id: sealing.destination.to_owned(),
        form: sealing.form.clone(),
        reference: sealing.receipt.reference.clone(),
        finalized_at: sealing.receipt.issued_at.to_rfc3339(),
        data_sha256: formdesk_protocol::sha256_hex(&data),
        attachments,
    };
    let metadata = serde_json::to_vec(&metadata).map_err(|e| sealing_failed("Die Beschreibung", e))?;
    let mut parts = vec![
        SealedPart {
            name: "metadata".into(),
            jwe: formdesk_seal::seal(key, &metadata, &random).map_err(|e| sealing_failed("Die Beschreibung", e))?,
        },
        SealedPart {
            name: "data".into(),
            jwe: formdesk_seal::seal(key, &data, &random).map_err(|e| sealing_failed("Der Antrag", e))?,
        },
    ];
    parts.extend(attachment_parts);
    Ok(Queued { destination_id: sealing.destination.to_owned(), parts })
}

fn answers_json(answers: &Answers, ids: &BTreeMap<String, String>) -> Result<Value, DeskError> {
    let value = serde_json::to_value(answers).map_err(|e| sealing_failed("Der Antrag", e))?;
    Ok(rename_files(&value, ids))
}

/// The destination's key as the vault caches it, if the desk has fetched it.
pub(crate) fn destination_key(inner: &Inner, destination: &str) -> Result<Option<RecipientKey>, DeskError> {
    let Some(stored) = inner.vault.destinations()?.into_iter().find(|d| d.id == destination) else {
        return Ok(None);
    };
    RecipientKey::from_spki_der(&stored.public_key).map(Some).map_err(|e| {
        DeskError::Delivery(crate::logged(
            format!("Der Schlüssel der Empfangsstelle „{destination}“ ist unbrauchbar."),
            e,
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_references_become_attachment_ids() {
        let ids = BTreeMap::from([("7".to_owned(), "uuid-7".to_owned())]);
        let answers = serde_json::json!({"foto": [{"ref": "7", "name": "a.jpg"}], "name": "ref"});
        assert_eq!(
            rename_files(&answers, &ids),
            serde_json::json!({"foto": [{"ref": "uuid-7", "name": "a.jpg"}], "name": "ref"})
        );
    }
}
