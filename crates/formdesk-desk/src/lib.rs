//! The desk app's API: the plain Rust behind every Tauri command.
//!
//! The shell in `src-tauri` turns each command into one call on [`Desk`]; everything here runs and is
//! tested without a window. Drafts live in the encrypted vault (`formdesk-vault`) in the desk's data
//! directory: every change is saved before the clerk sees it, and while the desk is locked nothing of a
//! draft is in memory. Non-goals: windows, IPC plumbing, the storage format (the vault's business).
//!
//! [`Desk`] is one type whose API is split by concern, each module an `impl Desk` of its own:
//! - here: making a desk, search, and what the others share (loading a draft);
//! - [`formsets`]: the installed form sets, reloading them, pinning each draft to its form, clean-up;
//! - `carry`: carrying a draft over into the current version of its form;
//! - `access`: the setup, clerks and PINs, the lock;
//! - [`audit`]: the audit trail's entries of actions that write nothing else to the vault, and checking the
//!   whole log;
//! - `cases`: drafts and the wizard (answers, steps, review), the citizen's view, discarding, retention;
//! - `files`: attachments, photos and signatures, received in parts;
//! - `receipts`: finalizing and the citizen's receipt;
//! - `delivery`: sealing for the authority, the portal's registration and keys, letting go of what was
//!   delivered;
//! - `overview`: the work list and the "Übermittlung" panel, read together;
//! - [`error`](DeskError): what can go wrong, in the clerk's words; [`ipc`]: the types the window sees.

#![deny(missing_docs)]

mod access;
pub mod audit;
mod carry;
mod cases;
pub mod config;
mod delivery;
pub mod drafts;
mod error;
mod files;
pub mod formsets;
pub mod ipc;
mod overview;
pub mod print;
mod receipts;

pub use audit::{AuditCheck, verify_audit};
pub use error::DeskError;
pub(crate) use error::logged;
pub use formdesk_channel::{FormStore, SetFiles};
pub use formdesk_vault::{KdfParams, Registration};
pub use formsets::FormsCheck;
pub use overview::LinkStatus;

use chrono::{NaiveDate, NaiveDateTime};
use drafts::{Contents, DRAFT_FORMAT, Draft, DraftStatus, Summary};
use formdesk_catalog::Catalog;
use formdesk_engine::{Answers, FormState};
use formdesk_receipt::Municipality;
use formdesk_vault::FormPin;
use formdesk_vault::{Status, Vault, VaultError};
use formsets::FormSets;
use ipc::{DraftInfo, DraftView, FormSummary, SearchResult};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;
use zeroize::Zeroizing;

/// The largest file a draft takes (a form may allow less).
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Where the desk gets the time from; tests pass a fixed one.
pub trait Clock: Send + Sync {
    /// The local date and time.
    fn now(&self) -> NaiveDateTime;

    /// Today's date in the desk's time zone.
    fn today(&self) -> NaiveDate {
        self.now().date()
    }
}

/// The system clock in local time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        chrono::Local::now().naive_local()
    }
}

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub NaiveDateTime);

impl FixedClock {
    /// Noon on `date`.
    pub fn on(date: NaiveDate) -> FixedClock {
        FixedClock(date.and_hms_opt(12, 0, 0).unwrap_or_default())
    }
}

impl Clock for FixedClock {
    fn now(&self) -> NaiveDateTime {
        self.0
    }
}

/// The desk's state behind its lock: the vault and the drafts decrypted since it was unlocked.
struct Inner {
    vault: Vault,
    /// Drafts read or changed since the last unlock, exactly as saved. Emptied when the desk locks.
    drafts: BTreeMap<u64, Draft>,
    /// The draft the clerk worked on last: the one the citizen's screen shows. A finalized one stays readable
    /// while it is this one, delivered or not, so its receipt can still be printed.
    current: Option<u64>,
    /// Files being received, by attachment id: the bytes so far.
    uploads: BTreeMap<i64, u64>,
}

/// Told about every change of a draft, after it happened: the shell forwards it to the citizen's window.
pub type Observer = Box<dyn Fn(&DraftInfo) + Send + Sync>;

/// One desk: its installed forms, its clock, and its vault with the drafts.
pub struct Desk {
    /// The installed form sets: the current one and those drafts are pinned to.
    forms: FormSets,
    clock: Box<dyn Clock>,
    kdf: KdfParams,
    inner: Mutex<Inner>,
    observer: Option<Observer>,
    /// When the clerk last did something; the idle lock counts from here.
    activity: Mutex<Instant>,
    /// Whose receipts this desk issues.
    municipality: Option<Municipality>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("forms", &self.forms.current().catalog.entries().len()).finish_non_exhaustive()
    }
}

impl Desk {
    /// A desk with these forms and this clock, keeping its drafts in `vault` (see [`Desk::open_vault`]).
    /// New PINs are derived with `kdf` ([`KdfParams::RECOMMENDED`] for a real desk). The forms are fixed
    /// until [`Desk::with_form_store`] gives the desk a store of form sets.
    pub fn new(catalog: Catalog, clock: impl Clock + 'static, vault: Vault, kdf: KdfParams) -> Desk {
        Desk {
            forms: FormSets::fixed(catalog),
            clock: Box::new(clock),
            kdf,
            inner: Mutex::new(Inner { vault, drafts: BTreeMap::new(), current: None, uploads: BTreeMap::new() }),
            observer: None,
            activity: Mutex::new(Instant::now()),
            municipality: None,
        }
    }

    /// Issues receipts for `municipality`. Without it, a draft's receipt has the letterhead of the form set
    /// it was begun on, if that set has one, or else the example "Gemeinde Musterstadt".
    pub fn with_municipality(mut self, municipality: Municipality) -> Desk {
        self.municipality = Some(municipality);
        self
    }

    /// Opens the vault in the data directory `dir`, creating both if needed. The vault is locked.
    pub fn open_vault(dir: &Path) -> Result<Vault, DeskError> {
        Ok(Vault::open(dir)?)
    }

    /// Calls `observer` after every change of a draft.
    pub fn with_observer(mut self, observer: impl Fn(&DraftInfo) + Send + Sync + 'static) -> Desk {
        self.observer = Some(Box::new(observer));
        self
    }

    fn notify(&self, info: &DraftInfo) {
        if let Some(observer) = &self.observer {
            observer(info);
        }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // Every change of a draft is saved first and then put in place with one assignment, so a panic
        // while the lock was held leaves nothing half-written.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The forms new cases may be begun on (open in the current set), with texts in `lang`.
    pub fn forms(&self, lang: &str) -> Vec<FormSummary> {
        let current = self.forms.current();
        current
            .catalog
            .entries()
            .iter()
            .filter(|e| current.offers(e.form.id()))
            .map(|e| FormSummary::of(&e.form, lang))
            .collect()
    }

    /// Evaluates a form of the current set for `answers` at today's date.
    pub fn evaluate(&self, form_id: &str, answers: &Answers, lang: &str) -> Result<FormState, DeskError> {
        let current = self.forms.current();
        let form = current.catalog.get(form_id).ok_or_else(|| DeskError::UnknownForm(form_id.to_owned()))?;
        Ok(form.evaluate(answers, lang, self.clock.today()))
    }

    /// Opens a form with no answers yet.
    pub fn open(&self, form_id: &str, lang: &str) -> Result<FormState, DeskError> {
        self.evaluate(form_id, &Answers::new(), lang)
    }

    /// The forms new cases may be begun on that match a search, best first, with texts in `lang`.
    pub fn search(&self, query: &str, lang: &str) -> Vec<SearchResult> {
        let current = self.forms.current();
        let entries = current.catalog.entries();
        current
            .catalog
            .search(query)
            .into_iter()
            .filter_map(|hit| {
                entries
                    .get(hit.index)
                    .filter(|e| current.offers(e.form.id()))
                    .map(|e| SearchResult { form: FormSummary::of(&e.form, lang), score: hit.score })
            })
            .collect()
    }

    /// The German title and the summary fields (the citizen's name) of form `form_id` as pinned by `pin`
    /// (the current form if the pinned one cannot be had: a finalized case's set may be collected once the
    /// case is shredded, which is no error).
    fn form_names(&self, form_id: &str, pin: Option<&FormPin>) -> (String, Vec<String>) {
        let form = self.find_pinned_form(form_id, pin).or_else(|_| self.find_pinned_form(form_id, None));
        form.map_or((String::new(), Vec::new()), |f| {
            let def = f.form.definition();
            (def.title.get("de").to_owned(), def.summary.clone())
        })
    }

    fn info(&self, draft: &Draft) -> DraftInfo {
        let (title, names) = self.form_names(&draft.form_id, draft.pin.as_ref());
        let status = self.form_status(&draft.form_id, &draft.form_version, draft.pin.as_ref());
        DraftInfo { form_status: status, ..DraftInfo::of(draft, &title, &names) }
    }

    fn view(&self, draft: &Draft) -> Result<DraftView, DeskError> {
        let form = self.form_of(draft)?.form;
        let state = form.evaluate(&draft.answers, &draft.citizen_lang, self.clock.today());
        Ok(DraftView { draft: self.info(draft), state })
    }

    /// The summary and the contents of `draft` as the vault stores them. The plaintext buffers are wiped
    /// when dropped.
    fn sealed_parts(&self, draft: &Draft) -> Result<(Zeroizing<String>, Zeroizing<Vec<u8>>), DeskError> {
        let (_, names) = self.form_names(&draft.form_id, draft.pin.as_ref());
        let unwritable = |e: serde_json::Error| DeskError::Unreadable(draft.id, e.to_string());
        let summary = Zeroizing::new(serde_json::to_string(&draft.summary(&names)).map_err(unwritable)?);
        let contents = Zeroizing::new(serde_json::to_vec(&draft.contents()).map_err(unwritable)?);
        Ok((summary, contents))
    }

    /// Draft `id`, decrypted from the vault unless it was already. Fails while the desk is locked.
    fn loaded(inner: &mut Inner, id: u64) -> Result<&mut Draft, DeskError> {
        if !inner.vault.is_unlocked() {
            return Err(VaultError::Locked.into());
        }
        if !inner.drafts.contains_key(&id) {
            let draft = restore(&inner.vault, id)?;
            inner.drafts.insert(id, draft);
        }
        inner.drafts.get_mut(&id).ok_or(DeskError::UnknownDraft(id))
    }

    /// Applies `f` to draft `id`, saves the result in the vault if it changed, and answers with its view.
    /// The change counts only once it is saved: if saving fails, the draft stays as it was.
    fn with_draft(
        &self,
        id: u64,
        f: impl FnOnce(&mut Draft, &Desk) -> Result<(), DeskError>,
    ) -> Result<DraftView, DeskError> {
        self.touch();
        let view = {
            let mut inner = self.inner();
            let before = Self::loaded(&mut inner, id)?.clone();
            let mut draft = before.clone();
            let outcome = f(&mut draft, self);
            if draft != before {
                // A final draft's answers cannot change; what can (the language shown, the step) is how the
                // screen shows it, which is not saved.
                if draft.status == DraftStatus::Open {
                    let (summary, contents) = self.sealed_parts(&draft)?;
                    inner.vault.save(vault_id(id)?, &summary, &contents)?;
                }
                inner.drafts.insert(id, draft.clone());
            }
            outcome?;
            Self::set_current(&mut inner, id);
            self.view(&draft)?
        };
        // Outside the lock: the observer may call back into the desk.
        self.notify(&view.draft);
        Ok(view)
    }
}

/// A time stamp of the vault (seconds since 1970) in local time.
fn local_time(seconds: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.with_timezone(&chrono::Local).naive_local())
        .unwrap_or_default()
}

/// Unix seconds as the desk's local time in German: `02.12.2026, 14:03 Uhr`.
pub fn german_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.with_timezone(&chrono::Local).format("%d.%m.%Y, %H:%M Uhr").to_string())
        .unwrap_or_default()
}

/// The vault's number for draft `id`.
fn vault_id(id: u64) -> Result<i64, DeskError> {
    i64::try_from(id).map_err(|_| DeskError::UnknownDraft(id))
}

/// How the desk calls a submission's status; `None` once shredded (nothing left to show).
fn draft_status(status: Status) -> Option<DraftStatus> {
    match status {
        Status::Draft => Some(DraftStatus::Open),
        Status::Final => Some(DraftStatus::Final),
        Status::Shredded => None,
    }
}

fn parse_summary(id: u64, text: &str) -> Result<Summary, DeskError> {
    let summary: Summary = serde_json::from_str(text).map_err(|e| DeskError::Unreadable(id, e.to_string()))?;
    if summary.format > DRAFT_FORMAT {
        return Err(DeskError::Unreadable(id, format!("format {} from a newer Formdesk", summary.format)));
    }
    Ok(summary)
}

/// Draft `id` decrypted from the vault.
fn restore(vault: &Vault, id: u64) -> Result<Draft, DeskError> {
    let record = vault.load(vault_id(id)?)?;
    let status = draft_status(record.item.status).ok_or(VaultError::WrongState {
        id: record.item.id,
        status: Status::Shredded,
        action: "opening it",
    })?;
    let summary = parse_summary(id, &record.item.summary)?;
    let data = Zeroizing::new(record.data.unwrap_or_default());
    let contents: Contents = serde_json::from_slice(&data).map_err(|e| DeskError::Unreadable(id, e.to_string()))?;
    if contents.format > DRAFT_FORMAT {
        return Err(DeskError::Unreadable(id, format!("format {} from a newer Formdesk", contents.format)));
    }
    Ok(Draft::restore(&record.item, id, status, summary, contents))
}
