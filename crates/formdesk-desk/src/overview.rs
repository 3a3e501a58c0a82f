//! What the start screen shows beside the search: the work list (drafts, and finalized cases with how far
//! their delivery has come) and the "Übermittlung" panel (registration, connection, queue).
//!
//! Both are made from one reading of the vault and its outbox under the desk's lock ([`Desk::start_view`]), so
//! they cannot disagree: a delivery changes the case's badge in the list and the panel's counts in the same
//! answer. A delivered case whose contents were shredded (the clerk moved on) stays in the list for the rest of
//! the day as "übermittelt", without the citizen's name, which is gone; the panel counts the same cases.
//!
//! Non-goals: the delivery itself (`formdesk-sync`), how the screen lays it out (the UI).

use crate::drafts::DraftStatus;
use crate::ipc::{DeliveryState, DraftInfo, QueueEntry, StartView, SyncView};
use crate::{Desk, DeskError, Inner, draft_status, german_time, local_time, parse_summary};
use formdesk_vault::{Delivery, OutboxEntry, Status, SubmissionId, WorkItem};
use std::collections::BTreeMap;

/// What the sync engine reports, as the desk shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkStatus {
    /// Whether the portal answered last time.
    pub online: Option<bool>,
    /// When a submission was last delivered, Unix seconds.
    pub last_sync_at: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Submissions being sent right now.
    pub sending: u32,
}

/// One reading of the vault: every submission (summaries decrypted) and the outbox.
struct Reading {
    items: Vec<WorkItem>,
    statuses: BTreeMap<SubmissionId, Status>,
    outbox: Vec<OutboxEntry>,
    today: chrono::NaiveDate,
}

impl Reading {
    /// Whether a delivered entry is still shown: while its case is on the desk, and on the day it was
    /// delivered. Entries of other states always are.
    fn shows(&self, entry: &OutboxEntry) -> bool {
        entry.state != Delivery::Delivered
            || self.statuses.get(&entry.submission).is_some_and(|s| *s != Status::Shredded)
            || entry.delivered_at.is_some_and(|at| local_time(at).date() == self.today)
    }
}

impl Desk {
    /// The work list and the "Übermittlung" panel together, from one reading: what the start screen shows.
    pub fn start_view(&self, link: &LinkStatus) -> Result<StartView, DeskError> {
        let inner = self.inner();
        let reading = self.read(&inner)?;
        Ok(StartView { drafts: self.work_list(&inner, &reading, &[])?, sync: self.queue(&inner, &reading, link)? })
    }

    /// Open and finalized drafts, the most recently changed first; with a `query`, only those whose
    /// citizen's name or form title contains it (case, umlauts and word order aside). The names are
    /// decrypted in memory for this; nothing searchable is stored in plaintext.
    pub fn drafts_list(&self, query: &str) -> Result<Vec<DraftInfo>, DeskError> {
        let inner = self.inner();
        let words: Vec<String> = query.split_whitespace().map(formdesk_catalog::search::fold).collect();
        let reading = self.read(&inner)?;
        self.work_list(&inner, &reading, &words)
    }

    /// The "Übermittlung" panel alone: the registration, the sync engine's `link` state and the queue.
    pub fn sync_view(&self, link: &LinkStatus) -> Result<SyncView, DeskError> {
        let inner = self.inner();
        let reading = self.read(&inner)?;
        self.queue(&inner, &reading, link)
    }

    fn read(&self, inner: &Inner) -> Result<Reading, DeskError> {
        // While locked, no case can be read; the panel then shows what the outbox says, today's deliveries.
        let items = match inner.vault.work_list() {
            Ok(items) => items,
            Err(formdesk_vault::VaultError::Locked) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let statuses = items.iter().map(|i| (i.id, i.status)).collect();
        Ok(Reading { items, statuses, outbox: inner.vault.outbox_entries()?, today: self.clock.today() })
    }

    fn work_list(&self, inner: &Inner, reading: &Reading, words: &[String]) -> Result<Vec<DraftInfo>, DeskError> {
        // The list needs the unlocked vault; a reading made while locked is empty.
        if !inner.vault.is_unlocked() {
            return Err(formdesk_vault::VaultError::Locked.into());
        }
        let deliveries: BTreeMap<SubmissionId, DeliveryState> =
            reading.outbox.iter().filter(|e| reading.shows(e)).map(|e| (e.submission, e.state.into())).collect();
        let mut list = Vec::new();
        for item in &reading.items {
            let id = u64::try_from(item.id).map_err(|_| DeskError::UnknownDraft(0))?;
            let times = (local_time(item.created_at), local_time(item.updated_at));
            let Some(status) = draft_status(item.status) else {
                // Shredded: listed only as delivered today, and not in a search (its names are gone).
                if item.status == Status::Shredded
                    && words.is_empty()
                    && deliveries.get(&item.id) == Some(&DeliveryState::Delivered)
                {
                    let (title, _) = self.form_names(&item.form_id, item.pin.as_ref());
                    list.push(DraftInfo {
                        form_version: item.form_version.clone(),
                        ..DraftInfo::erased(id, &item.form_id, &title, times)
                    });
                }
                continue;
            };
            let (title, _) = self.form_names(&item.form_id, item.pin.as_ref());
            let form_status = self.form_status(&item.form_id, &item.form_version, item.pin.as_ref());
            // A finalized case not in the outbox waits for its destination's key.
            let delivery = (status == DraftStatus::Final)
                .then(|| deliveries.get(&item.id).copied().unwrap_or(DeliveryState::Waiting));
            let summary = match item
                .damaged
                .clone()
                .map_or_else(|| parse_summary(id, &item.summary), |e| Err(DeskError::Unreadable(id, e)))
            {
                Ok(summary) => summary,
                Err(e) => {
                    // Listed, not hidden: the clerk sees that the case exists and why it does not open.
                    if words.is_empty() {
                        let info = DraftInfo::damaged(id, &item.form_id, &title, status, times, e.to_string());
                        list.push(DraftInfo { delivery, form_version: item.form_version.clone(), form_status, ..info });
                    }
                    continue;
                }
            };
            if !words.is_empty() {
                let haystack = formdesk_catalog::search::fold(&format!("{} {title}", summary.citizen));
                if !words.iter().all(|w| haystack.contains(w.as_str())) {
                    continue;
                }
            }
            let info = DraftInfo::from_summary(id, &item.form_id, &title, status, summary);
            list.push(DraftInfo { delivery, form_version: item.form_version.clone(), form_status, ..info });
        }
        list.sort_by(|a, b| b.updated.cmp(&a.updated).then(b.id.cmp(&a.id)));
        Ok(list)
    }

    fn queue(&self, inner: &Inner, reading: &Reading, link: &LinkStatus) -> Result<SyncView, DeskError> {
        let registration = inner.vault.registration()?;
        let waiting_for_key = u32::try_from(inner.vault.unqueued()?.len()).unwrap_or(u32::MAX);
        let entries = reading
            .outbox
            .iter()
            .filter(|e| reading.shows(e))
            .map(|e| {
                let form_title = self.forms.current().title(&e.form_id).unwrap_or_else(|| e.form_id.clone());
                let (state, label) = match e.state {
                    Delivery::Queued => ("queued", "Wartet auf Übermittlung".to_owned()),
                    Delivery::Failed => ("failed", "Abgelehnt – bitte prüfen".to_owned()),
                    Delivery::Delivered => {
                        ("delivered", format!("Übermittelt am {}", german_time(e.delivered_at.unwrap_or(0))))
                    }
                };
                QueueEntry {
                    draft_id: u64::try_from(e.submission).unwrap_or(0),
                    form_title,
                    state: state.to_owned(),
                    label,
                    attempts: e.attempts,
                    last_error: e.last_error.clone(),
                }
            })
            .collect();
        Ok(SyncView {
            enrolled: registration.is_some(),
            portal_url: registration.as_ref().map(|r| r.url.clone()),
            device_name: registration.map(|r| r.device_name),
            online: link.online,
            locked: !inner.vault.is_unlocked(),
            last_sync_at: link.last_sync_at.map(german_time),
            last_error: link.last_error.clone(),
            sending: link.sending,
            waiting_for_key,
            entries,
        })
    }
}
