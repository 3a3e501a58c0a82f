//! An [`Outbox`] in memory, with the semantics the vault's has: entries in the order they were queued, a due
//! time per entry, permanent failures waiting for "Jetzt senden", and the parts dropped on delivery.
//!
//! It is a cheap handle (clones share the same entries), so a test can hand one clone to the engine and watch
//! through another.
//!
//! Non-goals: persistence, and any use at a real desk.

use crate::SyncError;
use crate::outbox::{Entry, Outbox, Parts};
use std::sync::{Arc, Mutex, MutexGuard};

/// Where an entry of a [`MemoryOutbox`] stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Waiting to be sent at `next_attempt_at`.
    Queued {
        /// When it is due.
        next_attempt_at: i64,
    },
    /// Refused permanently; waits for [`MemoryOutbox::send_now`].
    Failed,
    /// Confirmed by the portal.
    Delivered {
        /// The signed acceptance.
        acceptance: String,
        /// When the portal accepted it.
        accepted_at: i64,
    },
}

/// One entry as a test sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The entry as the engine gets it.
    pub entry: Entry,
    /// Where it stands.
    pub state: State,
    /// The reason of the last failed attempt.
    pub last_error: Option<String>,
    /// How often [`Outbox::delivered`] was called for it; more than once would mean the engine delivered it
    /// twice.
    pub delivered_calls: u32,
}

#[derive(Debug, Default)]
struct Inner {
    records: Vec<(Record, Option<Parts>)>,
}

/// An outbox in memory.
#[derive(Debug, Clone, Default)]
pub struct MemoryOutbox {
    inner: Arc<Mutex<Inner>>,
}

impl MemoryOutbox {
    /// An empty outbox.
    pub fn new() -> MemoryOutbox {
        MemoryOutbox::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, SyncError> {
        self.inner.lock().map_err(|_| SyncError::Outbox("the in-memory outbox was poisoned by a panic".into()))
    }

    /// Queues a submission, due at `now`.
    pub fn queue(&self, submission_id: &str, destination_id: &str, parts: Parts, now: i64) -> Result<(), SyncError> {
        let mut inner = self.lock()?;
        if inner.records.iter().any(|(r, _)| r.entry.submission_id == submission_id) {
            return Err(SyncError::Outbox(format!("submission {submission_id} is queued already")));
        }
        let entry =
            Entry { submission_id: submission_id.to_owned(), destination_id: destination_id.to_owned(), attempts: 0 };
        let record =
            Record { entry, state: State::Queued { next_attempt_at: now }, last_error: None, delivered_calls: 0 };
        inner.records.push((record, Some(parts)));
        Ok(())
    }

    /// "Jetzt senden": every entry that is not delivered is due at `now`, refused ones included. Returns how
    /// many.
    pub fn send_now(&self, now: i64) -> Result<usize, SyncError> {
        let mut inner = self.lock()?;
        let mut count = 0;
        for (record, _) in &mut inner.records {
            if !matches!(record.state, State::Delivered { .. }) {
                record.state = State::Queued { next_attempt_at: now };
                count += 1;
            }
        }
        Ok(count)
    }

    /// Every entry, in the order queued.
    pub fn records(&self) -> Result<Vec<Record>, SyncError> {
        Ok(self.lock()?.records.iter().map(|(r, _)| r.clone()).collect())
    }

    /// One entry.
    pub fn record(&self, submission_id: &str) -> Result<Option<Record>, SyncError> {
        Ok(self.lock()?.records.iter().find(|(r, _)| r.entry.submission_id == submission_id).map(|(r, _)| r.clone()))
    }

    /// How many entries are delivered.
    pub fn delivered_count(&self) -> Result<usize, SyncError> {
        Ok(self.lock()?.records.iter().filter(|(r, _)| matches!(r.state, State::Delivered { .. })).count())
    }

    fn with_record<T>(
        &self,
        submission_id: &str,
        f: impl FnOnce(&mut Record, &mut Option<Parts>) -> T,
    ) -> Result<T, SyncError> {
        let mut inner = self.lock()?;
        let (record, parts) = inner
            .records
            .iter_mut()
            .find(|(r, _)| r.entry.submission_id == submission_id)
            .ok_or_else(|| SyncError::Outbox(format!("no queued submission {submission_id}")))?;
        Ok(f(record, parts))
    }
}

impl Outbox for MemoryOutbox {
    fn due(&mut self, now: i64, limit: usize) -> Result<Vec<Entry>, SyncError> {
        let inner = self.lock()?;
        Ok(inner
            .records
            .iter()
            .filter(|(r, _)| matches!(r.state, State::Queued { next_attempt_at } if next_attempt_at <= now))
            .take(limit)
            .map(|(r, _)| r.entry.clone())
            .collect())
    }

    fn next_due(&mut self) -> Result<Option<i64>, SyncError> {
        let inner = self.lock()?;
        Ok(inner
            .records
            .iter()
            .filter_map(|(r, _)| match r.state {
                State::Queued { next_attempt_at } => Some(next_attempt_at),
                _ => None,
            })
            .min())
    }

    fn parts(&mut self, submission_id: &str) -> Result<Parts, SyncError> {
        self.with_record(submission_id, |_, parts| parts.clone())?
            .ok_or_else(|| SyncError::Outbox(format!("submission {submission_id} has no parts (delivered)")))
    }

    fn failed(&mut self, submission_id: &str, reason: &str, permanent: bool, retry_at: i64) -> Result<(), SyncError> {
        self.with_record(submission_id, |record, _| {
            if matches!(record.state, State::Delivered { .. }) {
                return;
            }
            record.entry.attempts += 1;
            record.last_error = Some(reason.to_owned());
            record.state = if permanent { State::Failed } else { State::Queued { next_attempt_at: retry_at } };
        })
    }

    fn delivered(&mut self, submission_id: &str, acceptance: &str, accepted_at: i64) -> Result<(), SyncError> {
        self.with_record(submission_id, |record, parts| {
            record.delivered_calls += 1;
            if matches!(record.state, State::Delivered { .. }) {
                return;
            }
            record.state = State::Delivered { acceptance: acceptance.to_owned(), accepted_at };
            record.last_error = None;
            // The plaintext's stand-in here: the sealed parts are gone once the portal has them.
            *parts = None;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> Parts {
        Parts { metadata: "m".into(), data: "d".into(), attachments: vec![] }
    }

    #[test]
    fn entries_come_due_in_order_fail_and_are_delivered_once() {
        let mut outbox = MemoryOutbox::new();
        outbox.queue("a", "amt", parts(), 10).unwrap();
        outbox.queue("b", "amt", parts(), 20).unwrap();
        assert!(outbox.queue("a", "amt", parts(), 30).is_err());
        assert!(outbox.due(5, 10).unwrap().is_empty());
        assert_eq!(
            outbox.due(20, 10).unwrap().iter().map(|e| e.submission_id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(outbox.due(20, 1).unwrap().len(), 1);
        assert_eq!(outbox.next_due().unwrap(), Some(10));

        outbox.failed("a", "weg", false, 100).unwrap();
        outbox.failed("b", "abgelehnt", true, 0).unwrap();
        assert!(outbox.due(99, 10).unwrap().is_empty());
        assert_eq!(outbox.next_due().unwrap(), Some(100));
        let a = outbox.due(100, 10).unwrap();
        assert_eq!(a, [Entry { submission_id: "a".into(), destination_id: "amt".into(), attempts: 1 }]);

        outbox.delivered("a", "signed", 101).unwrap();
        outbox.delivered("a", "signed", 101).unwrap();
        let a = outbox.record("a").unwrap().unwrap();
        assert_eq!(a.state, State::Delivered { acceptance: "signed".into(), accepted_at: 101 });
        assert_eq!(a.delivered_calls, 2);
        assert!(outbox.parts("a").is_err());
        assert_eq!(outbox.next_due().unwrap(), None);

        assert_eq!(outbox.send_now(200).unwrap(), 1);
        assert_eq!(outbox.due(200, 10).unwrap()[0].submission_id, "b");
        assert_eq!(outbox.record("b").unwrap().unwrap().last_error.as_deref(), Some("abgelehnt"));
        assert_eq!(outbox.delivered_count().unwrap(), 1);
    }
}
