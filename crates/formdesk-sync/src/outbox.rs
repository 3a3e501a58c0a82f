//! The outbox as the engine sees it: queued submissions with their sealed parts, and what became of each
//! attempt.
//!
//! Finalizing a submission seals its parts for the destination and queues them in the same transaction
//! (the vault does that); the engine only reads what is due and records results. All times are Unix seconds
//! of the engine's clock.
//!
//! Non-goals: how entries are stored, the clerk's "Jetzt senden" (the outbox makes entries due again, then the
//! desk wakes the engine), the retry schedule (the engine decides `retry_at`).

use crate::SyncError;

/// Where the engine takes its work from and records what came of it. The vault implements it on its own
/// connection to the vault file; [`crate::MemoryOutbox`] implements it in memory.
///
/// The methods are synchronous: the engine calls them on tokio's blocking threads, never on the runtime's.
pub trait Outbox: Send {
    /// Entries whose next attempt is due at `now` (Unix seconds), oldest first, at most `limit`.
    fn due(&mut self, now: i64, limit: usize) -> Result<Vec<Entry>, SyncError>;

    /// When the next entry that is not waiting for the clerk is due, if there is one. The engine sleeps until
    /// then; without it, it would have to poll.
    fn next_due(&mut self) -> Result<Option<i64>, SyncError>;

    /// The sealed parts of a queued submission.
    fn parts(&mut self, submission_id: &str) -> Result<Parts, SyncError>;

    /// A failed attempt, which counts one more in [`Entry::attempts`]: `permanent` ones wait for the clerk's
    /// "Jetzt senden", others are retried at `retry_at`.
    fn failed(&mut self, submission_id: &str, reason: &str, permanent: bool, retry_at: i64) -> Result<(), SyncError>;

    /// The verified, signed acceptance; the outbox marks the entry delivered and shreds the plaintext in one
    /// transaction. Repeating it for a delivered entry changes nothing.
    fn delivered(&mut self, submission_id: &str, acceptance: &str, accepted_at: i64) -> Result<(), SyncError>;

    /// The desk's audit entries the portal has not acknowledged yet, oldest first, at most `limit`: what the
    /// next `POST /v1/audit` sends. An outbox without an audit trail has none.
    fn audit_to_upload(&mut self, _limit: usize) -> Result<Vec<formdesk_protocol::audit::Entry>, SyncError> {
        Ok(Vec::new())
    }

    /// The portal has the audit entries up to `seq`.
    fn audit_acknowledged(&mut self, _seq: u64) -> Result<(), SyncError> {
        Ok(())
    }
}

/// A queued submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The id it travels under (a UUID the desk chose).
    pub submission_id: String,
    /// The destination it is sealed for.
    pub destination_id: String,
    /// How many attempts failed so far; the next wait grows with it.
    pub attempts: u32,
}

/// The sealed parts of a submission, each a JWE in compact serialisation, sent exactly as they are.
#[derive(Clone, PartialEq, Eq)]
pub struct Parts {
    /// The metadata's JWE.
    pub metadata: String,
    /// The data's JWE.
    pub data: String,
    /// Each attachment's id (a UUID) and JWE, in the order the metadata lists them.
    pub attachments: Vec<(String, String)>,
}

// The parts are ciphertext, but many kilobytes of it say nothing to whoever reads a log: sizes do.
impl std::fmt::Debug for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parts")
            .field("metadata_bytes", &self.metadata.len())
            .field("data_bytes", &self.data.len())
            .field(
                "attachments",
                &self.attachments.iter().map(|(id, jwe)| (id.as_str(), jwe.len())).collect::<Vec<_>>(),
            )
            .finish()
    }
}
