//! The vault's outbox as the engine's [`Outbox`]: a connection of its own to the desk's vault file, which
//! needs no key because what it sends is sealed for the authority.

use crate::{Entry, Outbox, Parts, SyncError};

fn outbox_error(e: formdesk_vault::VaultError) -> SyncError {
    SyncError::Outbox(e.to_string())
}

impl Outbox for formdesk_vault::Outbox {
    fn due(&mut self, now: i64, limit: usize) -> Result<Vec<Entry>, SyncError> {
        Ok(formdesk_vault::Outbox::due(self, now, limit)
            .map_err(outbox_error)?
            .into_iter()
            .map(|e| Entry { submission_id: e.uuid, destination_id: e.destination_id, attempts: e.attempts })
            .collect())
    }

    fn next_due(&mut self) -> Result<Option<i64>, SyncError> {
        formdesk_vault::Outbox::next_due(self).map_err(outbox_error)
    }

    fn parts(&mut self, submission_id: &str) -> Result<Parts, SyncError> {
        let mut parts = formdesk_vault::Outbox::parts(self, submission_id).map_err(outbox_error)?.into_iter();
        let (Some(metadata), Some(data)) = (parts.next(), parts.next()) else {
            return Err(SyncError::Outbox(format!("submission {submission_id} has no sealed metadata and data")));
        };
        if metadata.name != "metadata" || data.name != "data" {
            return Err(SyncError::Outbox(format!("submission {submission_id}: its parts are out of order")));
        }
        Ok(Parts { metadata: metadata.jwe, data: data.jwe, attachments: parts.map(|p| (p.name, p.jwe)).collect() })
    }

    fn failed(&mut self, submission_id: &str, reason: &str, permanent: bool, retry_at: i64) -> Result<(), SyncError> {
        formdesk_vault::Outbox::failed(self, submission_id, reason, permanent, retry_at).map_err(outbox_error)
    }

    fn delivered(&mut self, submission_id: &str, acceptance: &str, accepted_at: i64) -> Result<(), SyncError> {
        formdesk_vault::Outbox::delivered(self, submission_id, acceptance, accepted_at).map_err(outbox_error)
    }

    fn audit_to_upload(&mut self, limit: usize) -> Result<Vec<formdesk_protocol::audit::Entry>, SyncError> {
        formdesk_vault::Outbox::audit_to_upload(self, limit).map_err(outbox_error)
    }

    fn audit_acknowledged(&mut self, seq: u64) -> Result<(), SyncError> {
        formdesk_vault::Outbox::audit_acknowledged(self, seq).map_err(outbox_error)
    }
}
