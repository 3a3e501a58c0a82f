//! Sealing a finalized submission for its authority, and the desk's side of delivery.
//!
//! At finalization the desk seals every part for the destination the form names, with the destination's
//! RSA key as last fetched from the portal: the metadata, the data (the answers, files named by their
//! attachment ids) and each attachment, as JWE (`formdesk-seal`). The parts go into the vault's outbox in the
//! same transaction as the finalization. A desk that has not fetched the destination's key yet finalizes all
//! the same; [`crate::Desk::queue_waiting`] seals such submissions once the key is there. Sending is the
//! sync engine's business (`formdesk-sync`): it works on the outbox without the vault's keys.

use crate::drafts::{Draft, ReceiptInfo};
use crate::receipts::receipt_error;
use crate::{Desk, DeskError, Inner, logged, vault_id};
use formdesk_engine::Answers;
use formdesk_protocol::content::{AttachmentMeta, CONTENT_VERSION, FormRef, Metadata, SubmissionData};
use formdesk_protocol::ids::uuid_from_random;
use formdesk_receipt::DeviceKey;
use formdesk_seal::RecipientKey;
use formdesk_vault::{Queued, SealedPart};
use formdesk_vault::{Registration, StoredDestination};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

fn sealing_failed(what: &str, e: impl std::fmt::Display) -> DeskError {
    DeskError::Delivery(logged(format!("{what} konnte nicht für die Übermittlung verschlüsselt werden."), e))
}

/// A fresh random UUID for an attachment.
fn new_uuid(random: &SystemRandom) -> Result<String, DeskError> {
    let mut bytes = [0u8; 16];
    random.fill(&mut bytes).map_err(|_| DeskError::Delivery("Es fehlen Zufallszahlen.".into()))?;
    Ok(uuid_from_random(bytes))
}

/// The answers with every file reference (the vault's attachment number) replaced by the attachment's id in
/// the delivery.
pub(crate) fn rename_files(value: &Value, ids: &BTreeMap<String, String>) -> Value {
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
        DeskError::Delivery(logged(format!("Der Schlüssel der Empfangsstelle „{destination}“ ist unbrauchbar."), e))
    })
}

/// The desk's side of delivery: sealing at finalization, the registration with the portal, the destinations' keys,
/// and letting go of what the portal has confirmed.
impl Desk {
    /// The parts of finalized `draft` sealed for its form's destination, if the desk has the destination's
    /// key; `None` if not (the submission is queued by [`Desk::queue_waiting`] once the key is there).
    pub(crate) fn seal_for_delivery(&self, inner: &Inner, draft: &Draft) -> Result<Option<Queued>, DeskError> {
        let form = self.form_of(draft)?;
        let definition = form.form.definition();
        let Some(key) = destination_key(inner, &definition.destination)? else { return Ok(None) };
        let receipt = draft.receipt.as_ref().ok_or(DeskError::NoReceipt(draft.id))?;
        let uuid = inner.vault.load(vault_id(draft.id)?)?.item.uuid;
        let sealing = Sealing {
            draft,
            uuid: &uuid,
            receipt,
            form: FormRef {
                id: definition.id.clone(),
                version: definition.version.clone(),
                title: definition.title.get("de").to_owned(),
                sha256: Some(form.sha256.clone()),
                set_sha256: form.set_sha256.clone(),
            },
            destination: &definition.destination,
        };
        seal(inner, &sealing, &key).map(Some)
    }

    /// Seals and queues every finalized submission that waits for its destination's key and can now be
    /// sealed. Returns how many were queued. Needs the desk unlocked.
    pub fn queue_waiting(&self) -> Result<usize, DeskError> {
        let mut inner = self.inner();
        let mut queued = 0;
        for vault_id in inner.vault.unqueued()? {
            let id = u64::try_from(vault_id).map_err(|_| DeskError::UnknownDraft(0))?;
            let draft = Self::loaded(&mut inner, id)?.clone();
            if let Some(parts) = self.seal_for_delivery(&inner, &draft)? {
                inner.vault.queue(vault_id, &parts)?;
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// The desk's registration with its portal, if it was enrolled.
    pub fn registration(&self) -> Result<Option<Registration>, DeskError> {
        Ok(self.inner().vault.registration()?)
    }

    /// Keeps the desk's registration with its portal.
    pub fn set_registration(&self, registration: &Registration) -> Result<(), DeskError> {
        Ok(self.inner().vault.set_registration(registration)?)
    }

    /// Replaces the cached destination keys with the portal's list, refusing one whose key is unusable, and
    /// queues what waited for them (if the desk is unlocked). Returns how many submissions were queued.
    pub fn set_destinations(
        &self,
        list: &[formdesk_protocol::wire::Destination],
        fetched_at: i64,
    ) -> Result<usize, DeskError> {
        let mut stored = Vec::with_capacity(list.len());
        for d in list {
            let der = formdesk_protocol::decode_base64url(&d.public_key).ok_or_else(|| {
                DeskError::Delivery(format!("Der Schlüssel der Empfangsstelle „{}“ ist nicht lesbar.", d.id))
            })?;
            RecipientKey::from_spki_der(&der).map_err(|e| {
                DeskError::Delivery(logged(format!("Der Schlüssel der Empfangsstelle „{}“ ist unbrauchbar.", d.id), e))
            })?;
            stored.push(StoredDestination {
                id: d.id.clone(),
                name: d.name.clone(),
                key_id: d.key_id.clone(),
                public_key: der,
                fetched_at,
            });
        }
        self.inner().vault.set_destinations(&stored)?;
        if self.is_unlocked() { self.queue_waiting() } else { Ok(0) }
    }

    /// Lets the vault shred the submissions the portal has confirmed, except the case the clerk has open
    /// (its receipt may still be printed), and forgets what was decrypted of them. The shell calls it
    /// whenever the sync engine reports a change.
    pub fn forget_delivered(&self) {
        Self::release_delivered(&mut self.inner());
    }

    /// Makes `id` the clerk's current case; a delivered case left behind is shredded now.
    pub(crate) fn set_current(inner: &mut Inner, id: u64) {
        if inner.current != Some(id) {
            inner.current = Some(id);
            Self::release_delivered(inner);
        }
    }

    fn release_delivered(inner: &mut Inner) {
        let keep = inner.current.and_then(|id| vault_id(id).ok());
        // A failure here (a full disk) loses nothing: the plaintext stays encrypted, and the next call shreds it.
        let Ok(shredded) = inner.vault.shred_delivered(keep) else { return };
        for id in shredded.into_iter().filter_map(|id| u64::try_from(id).ok()) {
            inner.drafts.remove(&id);
        }
    }

    /// The outbox of the delivery queue as the clerk sees it, the most recent first.
    pub fn outbox(&self) -> Result<Vec<formdesk_vault::OutboxEntry>, DeskError> {
        Ok(self.inner().vault.outbox_entries()?)
    }

    /// The desk's signing key (Ed25519, PKCS#8), which signs its receipts and its requests to the portal; made
    /// on first use. Needs the desk unlocked: the sync engine gets it at unlock and loses it at lock.
    pub fn device_key(&self) -> Result<Zeroizing<Vec<u8>>, DeskError> {
        Ok(self.inner().vault.device_key()?)
    }

    /// The public half of the desk's signing key, which verifies its receipts; made on first use.
    pub fn device_public_key(&self) -> Result<Vec<u8>, DeskError> {
        let mut inner = self.inner();
        if let Some(key) = inner.vault.device_public_key()? {
            return Ok(key);
        }
        let key = DeviceKey::from_pkcs8(&inner.vault.device_key()?).map_err(receipt_error)?;
        Ok(key.public_key().to_vec())
    }
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
