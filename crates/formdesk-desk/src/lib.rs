//! The desk app's API: the plain Rust behind every Tauri command.
//!
//! The shell in `src-tauri` turns each command into one call on [`Desk`]; everything here runs and is
//! tested without a window. Drafts live in the encrypted vault (`formdesk-vault`) in the desk's data
//! directory: every change is saved before the clerk sees it, and while the desk is locked nothing of a
//! draft is in memory. Non-goals: windows, IPC plumbing, the storage format (the vault's business).

#![deny(missing_docs)]

pub mod config;
mod delivery;
pub mod drafts;
pub mod ipc;
mod overview;
pub mod print;

pub use formdesk_vault::{KdfParams, Registration};
pub use overview::LinkStatus;

use chrono::{NaiveDate, NaiveDateTime, TimeZone as _};
use drafts::{Contents, DRAFT_FORMAT, Draft, DraftStatus, REVIEW, ReceiptInfo, Summary};
use formdesk_catalog::Catalog;
use formdesk_engine::display;
use formdesk_engine::state::ItemState;
use formdesk_engine::{Answers, FormState};
use formdesk_protocol::content::FormRef;
use formdesk_receipt::{Delivery, DeviceKey, Issue, Municipality, Receipt, Reference};
use formdesk_vault::{MIN_PIN_LEN, Queued, Status, StoredDestination, Vault, VaultError};
use ipc::{
    CitizenView, DraftInfo, DraftView, FileRef, FormSummary, ReceiptView, ReviewItem, ReviewStep, ReviewView,
    SearchResult, SetupResult, VaultState,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
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

/// What can go wrong at the desk. The messages are for the clerk.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// No form with this id is installed.
    #[error("Das Formular „{0}“ ist auf diesem Arbeitsplatz nicht installiert.")]
    UnknownForm(String),
    /// No draft with this id.
    #[error("Den Vorgang {0} gibt es nicht (mehr).")]
    UnknownDraft(u64),
    /// The draft is finalized and cannot change.
    #[error("Der Vorgang {0} ist abgeschlossen und kann nicht mehr geändert werden.")]
    Finalized(u64),
    /// An answer path that does not fit the form's answers.
    #[error("Die Angabe „{0}“ passt nicht zu diesem Formular.")]
    BadPath(String),
    /// The step does not exist, is hidden or was not reached yet.
    #[error("Der Schritt „{0}“ kann jetzt nicht geöffnet werden.")]
    StepNotReachable(String),
    /// Finalizing needs a complete form.
    #[error("Das Formular ist noch nicht vollständig: {0} Angabe(n) fehlen oder sind fehlerhaft.")]
    Incomplete(usize),
    /// A clerk needs a name.
    #[error("Bitte geben Sie einen Namen an.")]
    NoClerkName,
    /// A stored draft could not be read back; the second field says why, for the log.
    #[error("Vorgang {0} konnte nicht gelesen werden. Bitte wenden Sie sich an die IT-Betreuung.")]
    Unreadable(u64, String),
    /// A file reference that is not one of this draft's files.
    #[error("Die Datei gehört nicht (mehr) zu diesem Vorgang.")]
    UnknownFile,
    /// A file larger than a desk takes.
    #[error("Die Datei ist zu groß: höchstens {} MB sind möglich.", MAX_FILE_BYTES / (1024 * 1024))]
    FileTooLarge,
    /// A configuration file that cannot be used.
    #[error("{0}")]
    Config(String),
    /// A draft that has no receipt (not finalized).
    #[error("Vorgang {0} hat noch keine Eingangsbestätigung: sie entsteht beim Abschließen.")]
    NoReceipt(u64),
    /// Printing failed or there is no printing system.
    #[error("{0}")]
    Print(String),
    /// The receipt could not be made or saved.
    #[error("{0}")]
    Receipt(String),
    /// Sealing for the authority or the desk's side of delivery failed.
    #[error("{0}")]
    Delivery(String),
    /// The PIN and its repetition differ.
    #[error("Die beiden PINs stimmen nicht überein.")]
    PinMismatch,
    /// The vault refused or failed; what was saved before is still there.
    #[error("{}", vault_message(.0))]
    Vault(#[from] VaultError),
}

impl DeskError {
    /// What a library or the storage said behind the clerk's sentence, for the log; `None` where the sentence
    /// says everything.
    pub fn detail(&self) -> Option<String> {
        match self {
            DeskError::Unreadable(_, detail) => Some(detail.clone()),
            DeskError::Vault(
                e @ (VaultError::Tampered { .. }
                | VaultError::Crypto(_)
                | VaultError::Corrupt(_)
                | VaultError::TooNew { .. }
                | VaultError::Io(_)
                | VaultError::Sql(_)),
            ) => Some(e.to_string()),
            DeskError::Vault(VaultError::Directory { source, .. }) => Some(source.to_string()),
            _ => None,
        }
    }
}

/// A sentence for the clerk; what a library said goes to the log beside it, never onto the screen.
pub(crate) fn logged(sentence: String, detail: impl std::fmt::Display) -> String {
    eprintln!("formdesk: {sentence} ({detail})");
    sentence
}

/// The clerk's words for what the vault reported. Technical details are logged where the error reaches the
/// shell ([`ipc::IpcError`]), not shown.
fn vault_message(e: &VaultError) -> String {
    match e {
        VaultError::Locked => "Formdesk ist gesperrt. Bitte mit Ihrer PIN entsperren.".into(),
        VaultError::NotInitialized => "Formdesk ist auf diesem Arbeitsplatz noch nicht eingerichtet.".into(),
        VaultError::AlreadyInitialized => "Formdesk ist auf diesem Arbeitsplatz bereits eingerichtet.".into(),
        VaultError::UnknownClerk(name) => format!("Für „{name}“ gibt es auf diesem Arbeitsplatz keinen Zugang."),
        VaultError::ClerkExists(name) => format!("Für „{name}“ gibt es auf diesem Arbeitsplatz schon einen Zugang."),
        VaultError::WrongPin { attempts } if *attempts >= formdesk_vault::FREE_ATTEMPTS => format!(
            "Die PIN ist falsch ({attempts}. Fehlversuch in Folge). Vor jedem weiteren Versuch müssen Sie \
             nun länger warten."
        ),
        VaultError::WrongPin { attempts } => format!("Die PIN ist falsch ({attempts}. Fehlversuch in Folge)."),
        VaultError::Blocked { seconds } if *seconds > 90 => format!(
            "Zu viele falsche PINs. Bitte versuchen Sie es in {} Minuten wieder oder nutzen Sie den \
             Wiederherstellungsschlüssel.",
            (seconds + 59) / 60
        ),
        VaultError::Blocked { seconds } => {
            format!("Zu viele falsche PINs. Bitte versuchen Sie es in {seconds} Sekunden wieder.")
        }
        VaultError::PinTooShort { min } => format!("Die PIN muss mindestens {min} Zeichen lang sein."),
        VaultError::WrongRecoverySecret => "Der Wiederherstellungsschlüssel ist falsch.".into(),
        VaultError::MalformedRecoverySecret(_) => "Der Wiederherstellungsschlüssel ist unvollständig oder enthält \
             falsche Zeichen: er besteht aus 8 Gruppen zu je 4 Zeichen."
            .into(),
        VaultError::UnknownSubmission(id) => format!("Den Vorgang {id} gibt es nicht (mehr)."),
        VaultError::UnknownAttachment(_) => "Die Anlage gibt es nicht (mehr).".into(),
        VaultError::WrongState { id, status: Status::Shredded, .. } => {
            format!("Die Angaben von Vorgang {id} sind gelöscht (übermittelt oder Aufbewahrungsfrist abgelaufen).")
        }
        VaultError::WrongState { id, status: Status::Final, .. } => {
            format!("Der Vorgang {id} ist abgeschlossen und kann nicht mehr geändert werden.")
        }
        VaultError::WrongState { id, .. } => format!("Der Vorgang {id} ist noch nicht abgeschlossen."),
        VaultError::Tampered { .. } | VaultError::Crypto(_) | VaultError::Corrupt(_) => {
            "Gespeicherte Daten sind beschädigt oder wurden verändert und werden nicht angezeigt. Bitte wenden \
             Sie sich an die IT-Betreuung."
                .into()
        }
        VaultError::DiskFull => "Der Datenträger ist voll: die letzte Änderung wurde nicht gespeichert. Bitte \
             schaffen Sie Platz; alles bisher Gespeicherte ist erhalten."
            .into(),
        VaultError::ReadOnly(dir) => format!(
            "Im Datenordner {} kann nicht gespeichert werden (schreibgeschützt). Alles bisher Gespeicherte ist \
             erhalten.",
            dir.display()
        ),
        VaultError::TooNew { .. } => "Die Daten dieses Arbeitsplatzes stammen von einer neueren Formdesk-Version. \
             Bitte Formdesk aktualisieren."
            .into(),
        VaultError::Directory { path, .. } => format!(
            "Der Datenordner {} kann nicht geöffnet werden. Bitte prüfen Sie, ob es ihn gibt und ob Sie darin \
             schreiben dürfen.",
            path.display()
        ),
        VaultError::Io(_) | VaultError::Sql(_) => "Die Daten konnten nicht gespeichert oder gelesen werden. Bitte \
             verständigen Sie die IT-Betreuung."
            .into(),
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
    catalog: Catalog,
    clock: Box<dyn Clock>,
    kdf: KdfParams,
    inner: Mutex<Inner>,
    observer: Option<Observer>,
    /// When the clerk last did something; the idle lock counts from here.
    activity: Mutex<Instant>,
    /// Whose receipts this desk issues.
    municipality: Municipality,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("forms", &self.catalog.entries().len()).finish_non_exhaustive()
    }
}

impl Desk {
    /// A desk with these forms and this clock, keeping its drafts in `vault` (see [`Desk::open_vault`]).
    /// New PINs are derived with `kdf` ([`KdfParams::RECOMMENDED`] for a real desk).
    pub fn new(catalog: Catalog, clock: impl Clock + 'static, vault: Vault, kdf: KdfParams) -> Desk {
        Desk {
            catalog,
            clock: Box::new(clock),
            kdf,
            inner: Mutex::new(Inner { vault, drafts: BTreeMap::new(), current: None, uploads: BTreeMap::new() }),
            observer: None,
            activity: Mutex::new(Instant::now()),
            municipality: Municipality::example(),
        }
    }

    /// Issues receipts for `municipality` (the default is the example "Gemeinde Musterstadt").
    pub fn with_municipality(mut self, municipality: Municipality) -> Desk {
        self.municipality = municipality;
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

    // ---- the lock ----

    /// Where the vault stands: set up, unlocked, by whom, and who can unlock it.
    pub fn vault_state(&self) -> Result<VaultState, DeskError> {
        let inner = self.inner();
        Ok(VaultState {
            set_up: inner.vault.is_initialized()?,
            unlocked: inner.vault.is_unlocked(),
            clerk: inner.vault.clerk().map(str::to_owned),
            clerks: inner.vault.clerks()?,
            min_pin_length: MIN_PIN_LEN,
        })
    }

    /// Sets up a new desk: the first clerk with `pin` (given twice) and the administrator's recovery secret,
    /// which is returned this once. The desk is unlocked afterwards.
    pub fn set_up(&self, clerk: &str, pin: &str, repeated: &str) -> Result<SetupResult, DeskError> {
        let clerk = new_access(clerk, pin, repeated)?;
        let secret = self.inner().vault.initialize(&clerk, pin, self.kdf)?;
        self.touch();
        Ok(SetupResult { recovery_secret: secret.display().to_string(), state: self.vault_state()? })
    }

    /// Unlocks the desk with a clerk's PIN. Wrong PINs are counted, and slowed down after a few.
    pub fn unlock(&self, clerk: &str, pin: &str) -> Result<VaultState, DeskError> {
        self.inner().vault.unlock(clerk.trim(), pin)?;
        self.touch();
        self.vault_state()
    }

    /// Unlocks with the administrator's recovery secret and gives `clerk` a new PIN (adding the clerk if
    /// needed): a forgotten PIN loses nothing.
    pub fn recover(&self, secret: &str, clerk: &str, pin: &str, repeated: &str) -> Result<VaultState, DeskError> {
        let clerk = new_access(clerk, pin, repeated)?;
        self.inner().vault.recover(secret, &clerk, pin, self.kdf)?;
        self.touch();
        self.vault_state()
    }

    /// Gives another clerk access with their own PIN. Needs an unlocked desk.
    pub fn add_clerk(&self, clerk: &str, pin: &str, repeated: &str) -> Result<VaultState, DeskError> {
        let clerk = new_access(clerk, pin, repeated)?;
        self.inner().vault.add_clerk(&clerk, pin, self.kdf)?;
        self.touch();
        self.vault_state()
    }

    /// Locks the desk: the keys are zeroized and every decrypted draft is dropped. Nothing saved changes.
    pub fn lock(&self) {
        let mut inner = self.inner();
        inner.vault.lock();
        inner.uploads.clear();
        inner.drafts.clear();
        inner.current = None;
    }

    /// Whether the desk is unlocked.
    pub fn is_unlocked(&self) -> bool {
        self.inner().vault.is_unlocked()
    }

    /// Notes that the clerk is at work (typing, clicking): the idle lock counts from now.
    pub fn touch(&self) {
        *self.activity.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
    }

    /// How long the clerk has done nothing.
    pub fn idle_for(&self) -> Duration {
        self.activity.lock().unwrap_or_else(std::sync::PoisonError::into_inner).elapsed()
    }

    /// Locks the desk if it is unlocked and the clerk has done nothing for `limit`; whether it locked now.
    pub fn lock_if_idle(&self, limit: Duration) -> bool {
        if self.idle_for() < limit || !self.is_unlocked() {
            return false;
        }
        self.lock();
        true
    }

    /// The installed forms, with texts in `lang`.
    pub fn forms(&self, lang: &str) -> Vec<FormSummary> {
        self.catalog.entries().iter().map(|e| FormSummary::of(&e.form, lang)).collect()
    }

    /// Evaluates a form for `answers` at today's date.
    pub fn evaluate(&self, form_id: &str, answers: &Answers, lang: &str) -> Result<FormState, DeskError> {
        let form = self.catalog.get(form_id).ok_or_else(|| DeskError::UnknownForm(form_id.to_owned()))?;
        Ok(form.evaluate(answers, lang, self.clock.today()))
    }

    /// Opens a form with no answers yet.
    pub fn open(&self, form_id: &str, lang: &str) -> Result<FormState, DeskError> {
        self.evaluate(form_id, &Answers::new(), lang)
    }

    /// The forms matching a search, best first, with texts in `lang`.
    pub fn search(&self, query: &str, lang: &str) -> Vec<SearchResult> {
        let entries = self.catalog.entries();
        self.catalog
            .search(query)
            .into_iter()
            .filter_map(|hit| {
                entries.get(hit.index).map(|e| SearchResult { form: FormSummary::of(&e.form, lang), score: hit.score })
            })
            .collect()
    }

    /// The form's German title and its summary fields (the citizen's name).
    fn form_names(&self, form_id: &str) -> (String, &[String]) {
        self.catalog.get(form_id).map_or((String::new(), &[][..]), |f| {
            let def = f.definition();
            (def.title.get("de").to_owned(), def.summary.as_slice())
        })
    }

    fn info(&self, draft: &Draft) -> DraftInfo {
        let (title, names) = self.form_names(&draft.form_id);
        DraftInfo::of(draft, &title, names)
    }

    fn view(&self, draft: &Draft) -> Result<DraftView, DeskError> {
        let form = self.catalog.get(&draft.form_id).ok_or_else(|| DeskError::UnknownForm(draft.form_id.clone()))?;
        let state = form.evaluate(&draft.answers, &draft.citizen_lang, self.clock.today());
        Ok(DraftView { draft: self.info(draft), state })
    }

    /// The summary and the contents of `draft` as the vault stores them. The plaintext buffers are wiped
    /// when dropped.
    fn sealed_parts(&self, draft: &Draft) -> Result<(Zeroizing<String>, Zeroizing<Vec<u8>>), DeskError> {
        let (_, names) = self.form_names(&draft.form_id);
        let unwritable = |e: serde_json::Error| DeskError::Unreadable(draft.id, e.to_string());
        let summary = Zeroizing::new(serde_json::to_string(&draft.summary(names)).map_err(unwritable)?);
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

    // ---- files: attachments, photos, signatures ----

    /// Starts a file of draft `id` (an attachment, a photo, a signature's picture) whose bytes follow in
    /// parts ([`Desk::add_to_file`]); returns the reference the answer records it by once
    /// [`Desk::finish_file`] has stored it. The bytes go encrypted into the vault chunk by chunk; no file is
    /// held whole in memory.
    pub fn begin_file(&self, id: u64, name: &str, media_type: &str) -> Result<String, DeskError> {
        self.touch();
        let mut inner = self.inner();
        Self::loaded(&mut inner, id)?.editable()?;
        let name: String = name.trim().chars().filter(|c| !c.is_control()).take(255).collect();
        let name = if name.is_empty() { "Datei".to_owned() } else { name };
        let media_type = media_type.trim().to_ascii_lowercase();
        let media_type = if is_media_type(&media_type) { media_type } else { "application/octet-stream".to_owned() };
        let attachment = inner.vault.begin_attachment(vault_id(id)?, &name, &media_type)?;
        inner.uploads.insert(attachment, 0);
        Ok(attachment.to_string())
    }

    /// Adds the next part of a file begun with [`Desk::begin_file`].
    pub fn add_to_file(&self, id: u64, file: &str, bytes: &[u8]) -> Result<(), DeskError> {
        self.touch();
        let attachment = file_id(file)?;
        let mut inner = self.inner();
        Self::loaded(&mut inner, id)?.editable()?;
        let size = inner.uploads.get(&attachment).copied().ok_or(DeskError::UnknownFile)?;
        let size = size + bytes.len() as u64;
        if size > MAX_FILE_BYTES {
            inner.uploads.remove(&attachment);
            let _ = inner.vault.remove_attachment(vault_id(id)?, attachment);
            return Err(DeskError::FileTooLarge);
        }
        inner.vault.write_attachment(attachment, bytes).map_err(|e| match e {
            VaultError::UnknownAttachment(_) => DeskError::UnknownFile,
            e => e.into(),
        })?;
        inner.uploads.insert(attachment, size);
        Ok(())
    }

    /// Stores the rest of a file and answers with the record an answer keeps of it.
    pub fn finish_file(&self, id: u64, file: &str) -> Result<FileRef, DeskError> {
        self.touch();
        let attachment = file_id(file)?;
        let mut inner = self.inner();
        Self::loaded(&mut inner, id)?.editable()?;
        inner.uploads.remove(&attachment).ok_or(DeskError::UnknownFile)?;
        let info = inner.vault.finish_attachment(attachment).map_err(|e| match e {
            VaultError::UnknownAttachment(_) => DeskError::UnknownFile,
            e => e.into(),
        })?;
        Ok(FileRef::of(&info))
    }

    /// The record and the bytes of one of draft `id`'s files (to show a photo or a signature again).
    pub fn read_file(&self, id: u64, file: &str) -> Result<(FileRef, Zeroizing<Vec<u8>>), DeskError> {
        self.touch();
        let attachment = file_id(file)?;
        let mut inner = self.inner();
        Self::loaded(&mut inner, id)?;
        let info = inner
            .vault
            .attachments(vault_id(id)?)?
            .into_iter()
            .find(|a| a.id == attachment)
            .ok_or(DeskError::UnknownFile)?;
        let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(info.size).unwrap_or(0)));
        inner.vault.read_attachment(vault_id(id)?, attachment, &mut *bytes)?;
        Ok((FileRef::of(&info), bytes))
    }

    /// The files of draft `id`.
    pub fn files(&self, id: u64) -> Result<Vec<FileRef>, DeskError> {
        let mut inner = self.inner();
        Self::loaded(&mut inner, id)?;
        Ok(inner.vault.attachments(vault_id(id)?)?.iter().map(FileRef::of).collect())
    }

    /// Checks that every file `value` refers to is one of draft `id`'s.
    fn check_files(&self, id: u64, value: &Value) -> Result<(), DeskError> {
        let mut refs = Vec::new();
        file_refs(value, &mut refs);
        if refs.is_empty() {
            return Ok(());
        }
        let stored: Vec<String> =
            self.inner().vault.attachments(vault_id(id)?)?.iter().map(|a| a.id.to_string()).collect();
        if refs.iter().all(|r| stored.iter().any(|s| s == r)) { Ok(()) } else { Err(DeskError::UnknownFile) }
    }

    /// Deletes the files of draft `id` that no answer refers to any more (removed, replaced, or in a
    /// removed repeat instance).
    fn drop_unused_files(inner: &mut Inner, id: u64, answers: &Answers) -> Result<(), DeskError> {
        let mut used = Vec::new();
        for value in answers.values() {
            file_refs(value, &mut used);
        }
        for file in inner.vault.attachments(vault_id(id)?)? {
            if !used.contains(&file.id.to_string()) {
                inner.vault.remove_attachment(vault_id(id)?, file.id)?;
            }
        }
        Ok(())
    }

    /// Starts a new draft of a form on its first visible step, saved in the vault at once.
    pub fn start(&self, form_id: &str) -> Result<DraftView, DeskError> {
        let form = self.catalog.get(form_id).ok_or_else(|| DeskError::UnknownForm(form_id.to_owned()))?;
        let state = form.evaluate(&Answers::new(), "de", self.clock.today());
        let first = state.steps.iter().find(|s| s.visible).map_or_else(|| REVIEW.to_owned(), |s| s.id.clone());
        self.touch();
        let mut draft = Draft::new(0, form_id, &first, self.clock.now());
        let view = {
            let mut inner = self.inner();
            let (summary, contents) = self.sealed_parts(&draft)?;
            let id = inner.vault.create(form_id, form.version(), &summary, &contents)?;
            draft.id = u64::try_from(id).map_err(|_| DeskError::UnknownDraft(0))?;
            let view = self.view(&draft)?;
            Self::set_current(&mut inner, draft.id);
            inner.drafts.insert(draft.id, draft);
            view
        };
        self.notify(&view.draft);
        Ok(view)
    }

    /// What the citizen's screen shows: the current step of the draft the clerk works on, read-only, in the
    /// citizen's language. `None` when no draft is open or the desk is locked.
    pub fn citizen_view(&self) -> Option<CitizenView> {
        let inner = self.inner();
        let draft = inner.current.and_then(|id| inner.drafts.get(&id))?;
        let view = self.view(draft).ok()?;
        let steps: Vec<_> = view.state.steps.iter().filter(|s| s.visible).collect();
        let position = steps.iter().position(|s| s.id == draft.step);
        Some(CitizenView {
            title: view.state.title.clone(),
            lang: draft.citizen_lang.clone(),
            status: draft.status,
            step_number: position.map_or(steps.len() + 1, |p| p + 1),
            step_count: steps.len(),
            step: position.map(|p| steps[p].clone()),
            fees: view.state.fees.clone(),
        })
    }

    /// A draft as it stands.
    pub fn draft(&self, id: u64) -> Result<DraftView, DeskError> {
        self.with_draft(id, |_, _| Ok(()))
    }

    /// Sets one answer; `path` as the engine writes it (`hunde[1].rasse`). `null` clears it.
    pub fn set_answer(&self, id: u64, path: &str, value: Value) -> Result<DraftView, DeskError> {
        let now = self.clock.now();
        self.check_files(id, &value)?;
        self.with_draft(id, |d, _| d.set_answer(path, value, now))
    }

    /// Adds an empty instance to a repeat group (another dog).
    pub fn add_instance(&self, id: u64, group: &str) -> Result<DraftView, DeskError> {
        let now = self.clock.now();
        self.with_draft(id, |d, _| d.add_instance(group, now))
    }

    /// Removes an instance of a repeat group.
    pub fn remove_instance(&self, id: u64, group: &str, index: usize) -> Result<DraftView, DeskError> {
        let now = self.clock.now();
        self.with_draft(id, |d, _| d.remove_instance(group, index, now))
    }

    /// Switches the language of the form's texts to the citizen's (the clerk's interface stays German).
    pub fn set_citizen_lang(&self, id: u64, lang: &str) -> Result<DraftView, DeskError> {
        self.with_draft(id, |d, _| {
            d.citizen_lang = lang.to_owned();
            Ok(())
        })
    }

    fn visible_steps(&self, draft: &Draft) -> Result<Vec<(String, usize)>, DeskError> {
        let view = self.view(draft)?;
        Ok(view.state.steps.iter().filter(|s| s.visible).map(|s| (s.id.clone(), s.error_count)).collect())
    }

    /// "Weiter": to the next visible step, or to the review after the last. A step with errors is not left;
    /// its errors are all shown instead.
    pub fn next(&self, id: u64) -> Result<DraftView, DeskError> {
        self.with_draft(id, |d, desk| {
            let steps = desk.visible_steps(d)?;
            let Some(pos) = steps.iter().position(|(s, _)| *s == d.step) else {
                // The current step was hidden by a change, or this is the review: go to the first step.
                d.step = steps.first().map_or_else(|| REVIEW.to_owned(), |s| s.0.clone());
                return Ok(());
            };
            if steps[pos].1 > 0 {
                d.checked.insert(d.step.clone());
                return Ok(());
            }
            d.step = steps.get(pos + 1).map_or_else(|| REVIEW.to_owned(), |s| s.0.clone());
            d.visited.insert(d.step.clone());
            Ok(())
        })
    }

    /// "Zurück": to the previous visible step (from the review, to the last step).
    pub fn back(&self, id: u64) -> Result<DraftView, DeskError> {
        self.with_draft(id, |d, desk| {
            let steps = desk.visible_steps(d)?;
            let pos = steps.iter().position(|(s, _)| *s == d.step).unwrap_or(steps.len());
            if let Some(prev) = pos.checked_sub(1).and_then(|p| steps.get(p)) {
                d.step = prev.0.clone();
            }
            Ok(())
        })
    }

    /// Jumps to a visible step already visited, or to the review once every step was visited.
    pub fn go_to(&self, id: u64, step: &str) -> Result<DraftView, DeskError> {
        self.with_draft(id, |d, desk| {
            let steps = desk.visible_steps(d)?;
            let reachable = if step == REVIEW {
                steps.iter().all(|(s, _)| d.visited.contains(s))
            } else {
                d.visited.contains(step) && steps.iter().any(|(s, _)| s == step)
            };
            if !reachable {
                return Err(DeskError::StepNotReachable(step.to_owned()));
            }
            d.step = step.to_owned();
            Ok(())
        })
    }

    /// Everything entered, step by step, as the citizen reads it (clerk's language: German).
    pub fn review(&self, id: u64) -> Result<ReviewView, DeskError> {
        let mut inner = self.inner();
        let draft = Self::loaded(&mut inner, id)?;
        let form = self.catalog.get(&draft.form_id).ok_or_else(|| DeskError::UnknownForm(draft.form_id.clone()))?;
        let state = form.evaluate(&draft.answers, &draft.citizen_lang, self.clock.today());
        let lang = "de";
        fn collect(items: &[ItemState], lang: &str, out: &mut Vec<ReviewItem>) {
            for item in items.iter().filter(|i| i.visible) {
                match item.kind {
                    formdesk_engine::ItemKind::Info => {}
                    formdesk_engine::ItemKind::Group => {
                        collect(&item.items, lang, out);
                        for (n, instance) in item.instances.iter().enumerate() {
                            let label =
                                item.repeat.as_ref().and_then(|r| r.item_label.clone()).or_else(|| item.label.clone());
                            out.push(ReviewItem {
                                path: format!("{}[{n}]", item.path),
                                label: format!("{} {}", label.unwrap_or_default(), n + 1),
                                value: None,
                                heading: true,
                                missing: false,
                                error: None,
                            });
                            collect(instance, lang, out);
                        }
                        if let Some(e) = item.errors.first() {
                            out.push(ReviewItem {
                                path: item.path.clone(),
                                label: item.label.clone().unwrap_or_default(),
                                value: None,
                                heading: false,
                                missing: false,
                                error: Some(e.message.clone()),
                            });
                        }
                    }
                    _ => {
                        let value = display::item_value(item, lang);
                        let error = item.errors.first().map(|e| e.message.clone());
                        if value.is_none() && error.is_none() {
                            continue;
                        }
                        out.push(ReviewItem {
                            path: item.path.clone(),
                            label: item.label.clone().unwrap_or_default(),
                            missing: value.is_none(),
                            value,
                            heading: false,
                            error,
                        });
                    }
                }
            }
        }
        let steps = state
            .steps
            .iter()
            .filter(|s| s.visible)
            .map(|s| {
                let mut items = Vec::new();
                collect(&s.items, lang, &mut items);
                ReviewStep { id: s.id.clone(), title: s.title.clone(), complete: s.complete, items }
            })
            .collect();
        let fees = state
            .fees
            .iter()
            .map(|f| (f.label.clone(), display::euros(f.amount.parse().unwrap_or_default(), lang)))
            .collect();
        Ok(ReviewView {
            draft: self.info(draft),
            steps,
            fees,
            complete: state.complete,
            error_count: state.errors.len(),
        })
    }

    /// Finalizes a complete draft; afterwards it can no longer change. Saved so that it survives a power
    /// cut once this returns.
    pub fn finalize(&self, id: u64) -> Result<DraftView, DeskError> {
        let now = self.clock.now();
        let view = {
            let mut inner = self.inner();
            let mut draft = Self::loaded(&mut inner, id)?.clone();
            draft.editable()?;
            let state = self.view(&draft)?.state;
            if !state.complete {
                // Every step's errors show from now on; that much is kept.
                for s in state.steps.iter().filter(|s| s.visible) {
                    draft.checked.insert(s.id.clone());
                }
                let (summary, contents) = self.sealed_parts(&draft)?;
                inner.vault.save(vault_id(id)?, &summary, &contents)?;
                inner.drafts.insert(id, draft);
                return Err(DeskError::Incomplete(state.errors.len()));
            }
            draft.finalize(now)?;
            Self::drop_unused_files(&mut inner, id, &draft.answers)?;
            // The receipt is signed now and finalized with the draft; its PDF follows (and is made again on
            // demand if that fails).
            let (info, receipt) = self.issue_receipt(&mut inner, &draft)?;
            draft.receipt = Some(info);
            let (summary, contents) = self.sealed_parts(&draft)?;
            let queued = self.seal_for_delivery(&inner, &draft)?;
            inner.vault.finalize_and_queue(vault_id(id)?, &summary, &contents, queued.as_ref())?;
            if let Ok(pdf) = formdesk_receipt::render(&receipt) {
                let _ = inner.vault.set_receipt(vault_id(id)?, &receipt.reference.to_string(), &pdf);
            }
            let view = self.view(&draft)?;
            inner.drafts.insert(id, draft);
            Self::set_current(&mut inner, id);
            view
        };
        self.notify(&view.draft);
        Ok(view)
    }

    // ---- delivery ----

    /// The parts of finalized `draft` sealed for its form's destination, if the desk has the destination's
    /// key; `None` if not (the submission is queued by [`Desk::queue_waiting`] once the key is there).
    fn seal_for_delivery(&self, inner: &Inner, draft: &Draft) -> Result<Option<Queued>, DeskError> {
        let form = self.catalog.get(&draft.form_id).ok_or_else(|| DeskError::UnknownForm(draft.form_id.clone()))?;
        let definition = form.definition();
        let Some(key) = delivery::destination_key(inner, &definition.destination)? else { return Ok(None) };
        let receipt = draft.receipt.as_ref().ok_or(DeskError::NoReceipt(draft.id))?;
        let uuid = inner.vault.load(vault_id(draft.id)?)?.item.uuid;
        let sealing = delivery::Sealing {
            draft,
            uuid: &uuid,
            receipt,
            form: FormRef {
                id: definition.id.clone(),
                version: definition.version.clone(),
                title: definition.title.get("de").to_owned(),
            },
            destination: &definition.destination,
        };
        delivery::seal(inner, &sealing, &key).map(Some)
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
            formdesk_seal::RecipientKey::from_spki_der(&der).map_err(|e| {
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
    fn set_current(inner: &mut Inner, id: u64) {
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

    // ---- the receipt ----

    /// Signs a new receipt for `draft`, about to be finalized: a fresh reference, now, the clerk.
    fn issue_receipt(&self, inner: &mut Inner, draft: &Draft) -> Result<(ReceiptInfo, Receipt), DeskError> {
        let form = self.catalog.get(&draft.form_id).ok_or_else(|| DeskError::UnknownForm(draft.form_id.clone()))?;
        let mut random = [0u8; 8];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random)
            .map_err(|_| DeskError::Receipt("Es fehlen Zufallszahlen für das Aktenzeichen.".into()))?;
        let reference =
            Reference::from_random(&Reference::prefix_for(form.definition()), random).map_err(receipt_error)?;
        let now = self.clock.now();
        let issued_at = chrono::Local
            .from_local_datetime(&now)
            .earliest()
            .map_or_else(|| now.and_utc().fixed_offset(), |t| t.fixed_offset());
        let clerk = inner.vault.clerk().unwrap_or_default().to_owned();
        let info = ReceiptInfo { reference: reference.to_string(), issued_at, clerk, payload: String::new() };
        let receipt = self.build_receipt(inner, draft, &info, Delivery::Pending)?;
        Ok((ReceiptInfo { payload: receipt.payload.clone(), ..info }, receipt))
    }

    /// The receipt of `draft` as issued with `info` (signatures are deterministic: the same receipt again).
    fn build_receipt(
        &self,
        inner: &mut Inner,
        draft: &Draft,
        info: &ReceiptInfo,
        delivery: Delivery,
    ) -> Result<Receipt, DeskError> {
        let form = self.catalog.get(&draft.form_id).ok_or_else(|| DeskError::UnknownForm(draft.form_id.clone()))?;
        let key = DeviceKey::from_pkcs8(&inner.vault.device_key()?).map_err(receipt_error)?;
        let issue = Issue {
            municipality: &self.municipality,
            reference: Reference::parse(&info.reference).map_err(receipt_error)?,
            issued_at: info.issued_at,
            clerk: &info.clerk,
            citizen_lang: &draft.citizen_lang,
            delivery,
        };
        Receipt::build(form, &draft.answers, issue, &key).map_err(receipt_error)
    }

    /// The receipt of finalized draft `id`: its reference and the PDF the vault keeps (made again and kept
    /// if it is missing).
    pub fn receipt(&self, id: u64) -> Result<(String, Zeroizing<Vec<u8>>), DeskError> {
        self.touch();
        let mut inner = self.inner();
        let draft = Self::loaded(&mut inner, id)?.clone();
        let info = draft.receipt.clone().ok_or(DeskError::NoReceipt(id))?;
        // Once the portal has confirmed it, the receipt says so ("übermittelt am …"): made again from the case,
        // which stays readable until the clerk moves on.
        if let Some(at) = Self::delivered_at(&inner, id)? {
            let delivered = chrono::Local
                .timestamp_opt(at, 0)
                .single()
                .map_or(Delivery::Pending, |t| Delivery::Delivered(t.fixed_offset()));
            let receipt = self.build_receipt(&mut inner, &draft, &info, delivered)?;
            let pdf = Zeroizing::new(formdesk_receipt::render(&receipt).map_err(receipt_error)?);
            return Ok((info.reference, pdf));
        }
        if let Some(stored) = inner.vault.receipt(vault_id(id)?)?
            && let Some(pdf) = stored.pdf
        {
            return Ok((stored.reference, pdf));
        }
        let receipt = self.build_receipt(&mut inner, &draft, &info, Delivery::Pending)?;
        let pdf = Zeroizing::new(formdesk_receipt::render(&receipt).map_err(receipt_error)?);
        inner.vault.set_receipt(vault_id(id)?, &info.reference, &pdf)?;
        Ok((info.reference, pdf))
    }

    /// When the portal confirmed draft `id`, if it has.
    fn delivered_at(inner: &Inner, id: u64) -> Result<Option<i64>, DeskError> {
        Ok(inner
            .vault
            .outbox_entry(vault_id(id)?)?
            .filter(|e| e.state == formdesk_vault::Delivery::Delivered)
            .map(|e| e.delivered_at.unwrap_or(0)))
    }

    /// Prints the receipt of draft `id` through the system's printing ([`print::print_pdf`]).
    pub fn print_receipt(&self, id: u64) -> Result<(), DeskError> {
        let (reference, pdf) = self.receipt(id)?;
        print::print_pdf(&pdf, &format!("Eingangsbestätigung {reference}"))
    }

    /// What the app shows of the receipt of finalized draft `id`.
    pub fn receipt_view(&self, id: u64) -> Result<ReceiptView, DeskError> {
        let mut inner = self.inner();
        let info = Self::loaded(&mut inner, id)?.receipt.clone().ok_or(DeskError::NoReceipt(id))?;
        let qr = formdesk_receipt::qr::encode(&info.payload).map_err(receipt_error)?;
        let delivery = match Self::delivered_at(&inner, id)? {
            Some(at) => format!("Übermittelt am {}.", german_time(at)),
            None => "Wird übermittelt, sobald eine Verbindung besteht.".into(),
        };
        Ok(ReceiptView { reference: info.reference, delivery, qr_svg: qr_svg(&qr), payload: info.payload })
    }

    /// Saves the receipt of draft `id` as `path` (`.pdf` added if missing), replacing a file of that name
    /// only once the new one is complete. Returns where it was saved.
    pub fn save_receipt(&self, id: u64, path: &Path) -> Result<PathBuf, DeskError> {
        let (_, pdf) = self.receipt(id)?;
        let path = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
            path.to_owned()
        } else {
            path.with_extension("pdf")
        };
        let partial = path.with_extension("pdf.part");
        let failed = |e: std::io::Error| {
            let _ = std::fs::remove_file(&partial);
            let sentence = match e.kind() {
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => format!(
                    "Die Eingangsbestätigung kann nicht unter {} gespeichert werden: dort dürfen Sie nicht \
                     speichern. Bitte wählen Sie einen anderen Ordner.",
                    path.display()
                ),
                std::io::ErrorKind::StorageFull => format!(
                    "Die Eingangsbestätigung kann nicht unter {} gespeichert werden: der Datenträger ist voll.",
                    path.display()
                ),
                _ => format!("Die Eingangsbestätigung konnte nicht unter {} gespeichert werden.", path.display()),
            };
            DeskError::Receipt(logged(sentence, e))
        };
        std::fs::write(&partial, &*pdf).map_err(failed)?;
        std::fs::rename(&partial, &path).map_err(failed)?;
        Ok(path)
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

    /// Retention: shreds the plaintext of every finalized submission finalized more than `max_age` ago;
    /// what a receipt lookup needs (ids, form, times) stays. Returns how many were shredded. Needs no
    /// unlock: shredding destroys keys, it reads nothing.
    pub fn shred_expired(&self, max_age: Duration) -> Result<usize, DeskError> {
        let mut inner = self.inner();
        let shredded = inner.vault.shred_older_than(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX))?;
        if shredded > 0 {
            // Finalized drafts read since the unlock are read again from the vault when needed.
            inner.drafts.retain(|_, d| d.status == DraftStatus::Open);
        }
        Ok(shredded)
    }

    /// Deletes a draft that is still open, with everything in it.
    pub fn discard(&self, id: u64) -> Result<(), DeskError> {
        let mut inner = self.inner();
        if Self::loaded(&mut inner, id)?.status == DraftStatus::Final {
            return Err(DeskError::Finalized(id));
        }
        inner.vault.discard(vault_id(id)?)?;
        inner.drafts.remove(&id);
        if inner.current == Some(id) {
            inner.current = None;
        }
        Ok(())
    }
}

/// A time stamp of the vault (seconds since 1970) in local time.
fn local_time(seconds: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.with_timezone(&chrono::Local).naive_local())
        .unwrap_or_default()
}

/// A receipt that could not be made, in the clerk's words.
fn receipt_error(e: formdesk_receipt::ReceiptError) -> DeskError {
    DeskError::Receipt(logged("Die Eingangsbestätigung konnte nicht erstellt werden.".into(), e))
}

/// A QR code as SVG, with the quiet zone of four modules the standard asks for.
fn qr_svg(qr: &formdesk_receipt::qr::QrMatrix) -> String {
    let size = qr.width + 8;
    let mut path = String::new();
    for (i, _) in qr.modules.iter().enumerate().filter(|(_, dark)| **dark) {
        path.push_str(&format!("M{},{}h1v1h-1z", i % qr.width + 4, i / qr.width + 4));
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}

/// The vault's number of a file, from the reference an answer keeps.
fn file_id(file: &str) -> Result<i64, DeskError> {
    file.parse().map_err(|_| DeskError::UnknownFile)
}

/// Whether `text` looks like a media type (`image/jpeg`), so that nothing else is stored as one.
fn is_media_type(text: &str) -> bool {
    let token = |t: &str| {
        !t.is_empty() && t.len() <= 127 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    text.split_once('/').is_some_and(|(a, b)| token(a) && token(b))
}

/// Collects the file references in an answer: the `ref` of every object in it (files, signatures).
fn file_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("ref") {
                out.push(r.clone());
            }
            for v in map.values() {
                file_refs(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| file_refs(v, out)),
        _ => {}
    }
}

/// Unix seconds as the desk's local time in German: `02.12.2026, 14:03 Uhr`.
fn german_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.with_timezone(&chrono::Local).format("%d.%m.%Y, %H:%M Uhr").to_string())
        .unwrap_or_default()
}

/// The vault's number for draft `id`.
fn vault_id(id: u64) -> Result<i64, DeskError> {
    i64::try_from(id).map_err(|_| DeskError::UnknownDraft(id))
}

/// The clerk's name, trimmed, for a new PIN given twice: the name must not be empty, the PINs must match.
fn new_access(name: &str, pin: &str, repeated: &str) -> Result<String, DeskError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DeskError::NoClerkName);
    }
    if pin != repeated {
        return Err(DeskError::PinMismatch);
    }
    Ok(name.to_owned())
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
    Ok(Draft::restore(id, &record.item.form_id, status, summary, contents))
}
