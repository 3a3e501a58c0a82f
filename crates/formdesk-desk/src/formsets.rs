//! The installed form sets: which forms the desk offers, and which version each draft is kept on.
//!
//! A desk with a form store (`<data-dir>/forms`, [`FormStore`]) works on the store's current set; the set
//! shipped with the app is installed on first start, so there always is one. The sync side installs newer
//! sets from the portal; [`Desk::reload_forms`] then makes the new set current without a restart. Each new
//! draft is pinned to the current set's manifest and the form's text (their SHA-256, kept plain in the
//! vault), and is shown, checked, finalized, sealed and printed with exactly that form for the rest of its
//! life, whatever is installed meanwhile. Sets a draft is pinned to are loaded when first needed and kept in
//! memory; [`Desk::collect_forms`] deletes from the store only what neither the current set nor a draft
//! still on the desk uses.
//!
//! A form's state in the current set decides what may be done: `open` forms are offered for new cases;
//! `closing` ones are not, but drafts begun on them finalize; `withdrawn` ones cannot be finalized at all
//! (their answers can be carried over into a newer version, see `carry`). The desk remembers every form text
//! a set it made current withdrew (in the vault), so a draft on it stays unfinalizable after a newer version
//! of the form is published.
//!
//! A set may carry the municipality's letterhead; a draft's receipt has the letterhead of its set unless the
//! desk was given one of its own (`--municipality`).
//!
//! A desk made without a store ([`Desk::new`] alone: tests, `--forms DIR` without a data folder's store)
//! has one fixed set, all forms open, and pins nothing.
//!
//! Non-goals: fetching and verifying sets (`formdesk-channel`, driven by the sync side), the store's layout.

use crate::config::municipality_from;
use crate::drafts::Draft;
use crate::ipc::{FormStatus, FormsInfo, FormsView};
use crate::{Desk, DeskError, logged};
use formdesk_catalog::{Catalog, FormFiles};
use formdesk_channel::{FormState, FormStore, Installed, SetFiles};
use formdesk_engine::Form;
use formdesk_protocol::audit::Action;
use formdesk_receipt::Municipality;
use formdesk_vault::{AuditEvent, FormPin};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

/// The folder of the form store inside the desk's data folder.
pub const FORMS_DIR: &str = "forms";

/// One form set, loaded: its manifest (none for a desk without a store) and its forms.
#[derive(Debug)]
pub(crate) struct LoadedSet {
    pub installed: Option<Installed>,
    pub catalog: Catalog,
    /// The municipality's letterhead the set carries, if any.
    pub municipality: Option<Municipality>,
}

impl LoadedSet {
    /// The manifest's hash, if the set came from the store.
    pub fn sha256(&self) -> Option<&str> {
        self.installed.as_ref().map(|i| i.sha256.as_str())
    }

    /// A form's state in this set; `None` if the set does not have it.
    pub fn state(&self, form_id: &str) -> Option<FormState> {
        match &self.installed {
            Some(installed) => installed.manifest.form(form_id).map(|f| f.state),
            None => self.catalog.get(form_id).map(|_| FormState::Open),
        }
    }

    /// Whether new cases of this form may be begun.
    pub fn offers(&self, form_id: &str) -> bool {
        self.state(form_id) == Some(FormState::Open)
    }

    /// A form's German title in this set.
    pub fn title(&self, form_id: &str) -> Option<String> {
        self.catalog.get(form_id).map(|f| f.definition().title.get("de").to_owned())
    }
}

/// A draft's form: the form itself, the SHA-256 of its text, and the set it came from.
#[derive(Debug, Clone)]
pub(crate) struct PinnedForm {
    pub form: Arc<Form>,
    pub sha256: String,
    pub set_sha256: Option<String>,
    /// The letterhead of the set it came from, if the set has one.
    pub municipality: Option<Municipality>,
}

impl PinnedForm {
    /// What a new draft of this form is pinned to; nothing for a desk without a store.
    pub fn pin(&self) -> Option<FormPin> {
        self.set_sha256.as_ref().map(|set| FormPin { set_sha256: set.clone(), form_sha256: self.sha256.clone() })
    }
}

/// What the sync side reports of its checks of the form channel, as the desk shows it beside the installed
/// set ([`Desk::forms_view`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormsCheck {
    /// When the last check ended, Unix seconds.
    pub checked_at: Option<i64>,
    /// Why it failed (a German sentence), if it did.
    pub error: Option<String>,
    /// Whether a check is running now.
    pub running: bool,
    /// Whether the desk has a channel to check at all (enrolled with a portal that serves forms).
    pub has_channel: bool,
    /// Checks completed since the sync side started.
    pub rounds: u64,
}

/// What the last reload changed, by the forms' German titles.
#[derive(Debug, Clone, Default)]
struct Changes {
    added: Vec<String>,
    changed: Vec<String>,
    withdrawn: Vec<String>,
}

/// The desk's form sets: the current one, the pinned ones loaded so far, and the store they come from.
pub(crate) struct FormSets {
    store: Option<FormStore>,
    current: RwLock<Arc<LoadedSet>>,
    pinned: Mutex<BTreeMap<String, Arc<LoadedSet>>>,
    changes: Mutex<Changes>,
    /// The form texts (SHA-256) withdrawn in any set this desk made current; kept in the vault for good.
    withdrawn: Mutex<BTreeSet<String>>,
}

impl FormSets {
    /// One fixed set, with no store.
    pub fn fixed(catalog: Catalog) -> FormSets {
        FormSets {
            store: None,
            current: RwLock::new(Arc::new(LoadedSet { installed: None, catalog, municipality: None })),
            pinned: Mutex::new(BTreeMap::new()),
            changes: Mutex::new(Changes::default()),
            withdrawn: Mutex::new(BTreeSet::new()),
        }
    }

    fn withdrawn(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.withdrawn.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current set.
    pub fn current(&self) -> Arc<LoadedSet> {
        self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The set with manifest hash `sha256`: the current one, or one loaded from the store once and kept.
    /// A set the store no longer has is [`Missing`], said nowhere: the caller decides whether that is the
    /// clerk's error or a title to take from the current set instead.
    fn set(&self, sha256: &str) -> Result<Arc<LoadedSet>, Missing> {
        let current = self.current();
        if current.sha256() == Some(sha256) {
            return Ok(current);
        }
        let mut pinned = self.pinned.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(set) = pinned.get(sha256) {
            return Ok(set.clone());
        }
        let store = self.store.as_ref().ok_or(Missing::Set(None))?;
        let installed = store.set(sha256).map_err(|e| Missing::Set(Some(e.detail())))?;
        let set = Arc::new(load(store, installed).map_err(Missing::Unloadable)?);
        pinned.insert(sha256.to_owned(), set.clone());
        Ok(set)
    }
}

/// Why a draft's pinned form cannot be had.
#[derive(Debug)]
pub(crate) enum Missing {
    /// The store no longer has the set (with what the store said, if it has a store at all).
    Set(Option<String>),
    /// The set is there but does not load.
    Unloadable(DeskError),
    /// The set is there but has no such form.
    Form(String),
    /// The set is there but has another text of the form than the one pinned.
    Text,
}

impl From<Missing> for DeskError {
    /// The clerk's error; what the store said is logged.
    fn from(missing: Missing) -> DeskError {
        match missing {
            Missing::Set(Some(detail)) => DeskError::Forms(logged(missing_set_sentence(), detail)),
            Missing::Set(None) | Missing::Text => missing_set(),
            Missing::Unloadable(e) => e,
            Missing::Form(id) => DeskError::UnknownForm(id),
        }
    }
}

fn missing_set_sentence() -> String {
    "Die Fassung des Formulars, mit der dieser Vorgang begonnen wurde, ist auf diesem Arbeitsplatz nicht mehr \
     vorhanden. Bitte wenden Sie sich an die IT-Betreuung."
        .into()
}

fn missing_set() -> DeskError {
    DeskError::Forms(missing_set_sentence())
}

fn unreadable(e: impl std::fmt::Display) -> DeskError {
    DeskError::Forms(logged(
        "Die Formulare auf diesem Arbeitsplatz können nicht gelesen werden. Bitte wenden Sie sich an die \
         IT-Betreuung."
            .into(),
        e,
    ))
}

fn channel_error(e: &formdesk_channel::ChannelError) -> DeskError {
    DeskError::Forms(logged(e.to_string(), e.detail()))
}

/// Loads an installed set's forms from the store, each file checked against its hash.
fn load(store: &FormStore, installed: Installed) -> Result<LoadedSet, DeskError> {
    let text = |entry: &formdesk_channel::FileEntry| -> Result<String, DeskError> {
        let bytes = store.object(entry).map_err(|e| channel_error(&e))?;
        String::from_utf8(bytes).map_err(|_| unreadable(format!("{} is not UTF-8", entry.name)))
    };
    let manifest = &installed.manifest;
    let code_lists =
        manifest.code_lists.iter().map(|e| Ok((e.name.clone(), text(e)?))).collect::<Result<_, DeskError>>()?;
    let forms = manifest.forms.iter().map(|f| Ok((f.id.clone(), text(&f.file)?))).collect::<Result<_, DeskError>>()?;
    let catalog = Catalog::from_files(code_lists, forms).map_err(unreadable)?;
    let municipality = match &manifest.municipality {
        Some(entry) => {
            let logo = manifest.logo.as_ref().map(|e| store.object(e)).transpose().map_err(|e| channel_error(&e))?;
            // A letterhead that cannot be used leaves the desk's own; the forms are what matters.
            municipality_from(&entry.name, &text(entry)?, logo.as_deref())
                .map_err(|e| {
                    logged(
                        "Der Briefkopf im Formularstand kann nicht verwendet werden; es bleibt der bisherige.".into(),
                        e,
                    )
                })
                .ok()
        }
        None => None,
    };
    Ok(LoadedSet { installed: Some(installed), catalog, municipality })
}

/// The forms built into the app, as the set a desk installs on first start.
pub fn shipped_files() -> Result<SetFiles, DeskError> {
    let files = FormFiles::embedded();
    let catalog = Catalog::from_files(files.code_lists.clone(), files.forms.clone()).map_err(unreadable)?;
    Ok(SetFiles {
        forms: catalog
            .entries()
            .iter()
            .filter_map(|e| {
                let text = files.forms.iter().find(|(id, _)| id == e.form.id())?;
                Some((e.form.id().to_owned(), e.form.version().to_owned(), text.1.clone().into_bytes()))
            })
            .collect(),
        code_lists: files.code_lists.into_iter().map(|(name, text)| (name, text.into_bytes())).collect(),
        municipality: None,
        logo: None,
    })
}

/// Opens (or makes) the form store in the data folder `data_dir`.
pub fn open_form_store(data_dir: &Path) -> Result<FormStore, DeskError> {
    FormStore::open(&data_dir.join(FORMS_DIR)).map_err(|e| channel_error(&e))
}

/// The date of an RFC 3339 time in German (`02.12.2026`), in the desk's time zone.
fn german_date(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&chrono::Local).format("%d.%m.%Y").to_string())
        .unwrap_or_default()
}

/// What changed from `old` to `new`, by German titles: forms offered that were not (added), offered forms
/// whose text changed (changed), forms no longer offered (withdrawn, closing or gone).
fn changes(old: &LoadedSet, new: &LoadedSet) -> Changes {
    let mut out = Changes::default();
    for entry in new.catalog.entries() {
        let id = entry.form.id();
        let title = new.title(id).unwrap_or_else(|| id.to_owned());
        let was = old.catalog.entry(id);
        let (before, after) = (old.state(id), new.state(id));
        if after != Some(FormState::Open) && before != after {
            out.withdrawn.push(title);
        } else if after == Some(FormState::Open) && before != after {
            // New, or offered again (a new version of a form withdrawn or closed before).
            out.added.push(title);
        } else if was.is_some_and(|w| w.sha256 != entry.sha256) {
            out.changed.push(title);
        }
    }
    for entry in old.catalog.entries() {
        if new.catalog.entry(entry.form.id()).is_none() {
            out.withdrawn.push(old.title(entry.form.id()).unwrap_or_default());
        }
    }
    out
}

/// The audit entry of form set `installed` made current: its manifest's hash, version and channel, and where
/// it came from (`shipped` with the app, or the `portal`).
fn install_event(installed: &Installed, source: &str) -> AuditEvent {
    AuditEvent::new(Action::FormsInstall)
        .on(installed.sha256.as_str())
        .number("set_version", i64::try_from(installed.manifest.set_version).unwrap_or(i64::MAX))
        .text("channel", installed.manifest.channel.as_str())
        .text("source", source)
}

impl Desk {
    /// Keeps the desk's forms in `store` (see [`open_form_store`]): installs `shipped` as the first set if the
    /// store has none (on first start: [`shipped_files`], or the files of the `--forms` folder), and works on
    /// the store's current set from now on, instead of the catalog the desk was made with.
    pub fn with_form_store(mut self, store: FormStore, shipped: &SetFiles) -> Result<Desk, DeskError> {
        let published = self.clock.now().and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let first = store.current().map_err(|e| channel_error(&e))?.is_none();
        let installed = store.install_shipped(shipped, &published).map_err(|e| channel_error(&e))?;
        if first {
            crate::audit::record_device(&mut self.inner(), &install_event(&installed, "shipped"));
        }
        let current = load(&store, installed)?;
        let withdrawn = self.inner().vault.withdrawn_forms()?;
        self.forms = FormSets {
            store: Some(store),
            current: RwLock::new(Arc::new(current)),
            pinned: Mutex::new(BTreeMap::new()),
            changes: Mutex::new(Changes::default()),
            withdrawn: Mutex::new(withdrawn),
        };
        self.remember_withdrawn(&self.forms.current())?;
        Ok(self)
    }

    /// Remembers the texts of the forms `set` withdraws, in the vault and here: a draft on one of them is never
    /// finalized, even after a newer version of the form is published (whose set no longer names the old text).
    fn remember_withdrawn(&self, set: &LoadedSet) -> Result<(), DeskError> {
        let Some(installed) = &set.installed else { return Ok(()) };
        // The set's own withdrawn forms, and every text it says was withdrawn before (in a set this desk may
        // never have installed).
        let mut new: Vec<&str> = installed
            .manifest
            .forms
            .iter()
            .filter(|f| f.state == FormState::Withdrawn)
            .map(|f| f.file.sha256.as_str())
            .chain(installed.manifest.withdrawn.iter().map(String::as_str))
            .filter(|sha| !self.forms.withdrawn().contains(*sha))
            .collect();
        new.sort_unstable();
        new.dedup();
        if !new.is_empty() {
            self.inner().vault.add_withdrawn_forms(new.iter().copied())?;
            self.forms.withdrawn().extend(new.into_iter().map(str::to_owned));
        }
        Ok(())
    }

    /// Reads the store's current set again (after the sync side installed a new one) and makes it the set
    /// new cases are begun on; cases already begun keep their form. Answers with what the start screen says
    /// about the forms, including what this reload changed.
    pub fn reload_forms(&self) -> Result<FormsInfo, DeskError> {
        let Some(store) = &self.forms.store else { return Ok(self.forms_info()) };
        let installed = store.current().map_err(|e| channel_error(&e))?.ok_or_else(missing_set)?;
        let old = self.forms.current();
        if old.sha256() != Some(installed.sha256.as_str()) {
            let event = install_event(&installed, "portal");
            let refused =
                AuditEvent::new(Action::FormsRefused).on(installed.sha256.as_str()).text("reason", "unloadable");
            let new = match load(store, installed) {
                Ok(new) => Arc::new(new),
                Err(e) => {
                    // The set stays installed but is not made current: the desk keeps the forms it had.
                    crate::audit::record_device(&mut self.inner(), &refused);
                    return Err(e);
                }
            };
            crate::audit::record_device(&mut self.inner(), &event);
            self.remember_withdrawn(&new)?;
            *self.forms.changes.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = changes(&old, &new);
            if let Some(sha) = old.sha256() {
                // Drafts may be pinned to the old set: it stays at hand.
                self.forms.pinned.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(sha.to_owned(), old);
            }
            *self.forms.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = new;
        }
        Ok(self.forms_info())
    }

    /// What the start screen says about the installed forms.
    pub fn forms_info(&self) -> FormsInfo {
        let current = self.forms.current();
        let changes = self.forms.changes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let (set_version, channel, published, shipped) = match &current.installed {
            Some(i) => (
                i.manifest.set_version,
                i.manifest.channel.clone(),
                format!("Formularstand vom {}", german_date(&i.manifest.published)),
                i.manifest.channel == formdesk_channel::manifest::SHIPPED,
            ),
            None => {
                (0, formdesk_channel::manifest::SHIPPED.to_owned(), "Formulare dieser Formdesk-Version".into(), true)
            }
        };
        FormsInfo {
            set_version,
            channel,
            published,
            shipped,
            added: changes.added,
            changed: changes.changed,
            withdrawn: changes.withdrawn,
        }
    }

    /// The start screen's "Formulare" panel: the installed set with what the last update changed, and the
    /// sync side's last check of the channel (`check`).
    pub fn forms_view(&self, check: &FormsCheck) -> FormsView {
        FormsView {
            info: self.forms_info(),
            connected: check.has_channel,
            checking: check.running,
            checked_at: check.checked_at.map(crate::german_time),
            error: check.error.clone(),
        }
    }

    /// The form sets drafts still on this desk are pinned to (finalized ones until they are shredded). Needs
    /// no unlock.
    pub fn pinned_sets(&self) -> Result<BTreeSet<String>, DeskError> {
        Ok(self.inner().vault.pinned_sets()?)
    }

    /// Deletes from the form store every set that is neither current nor pinned by a draft, and every file
    /// no kept set names; returns how many sets and files went. Needs no unlock.
    pub fn collect_forms(&self) -> Result<(usize, usize), DeskError> {
        let Some(store) = &self.forms.store else { return Ok((0, 0)) };
        // Under the desk's lock: no draft is pinned to a set between reading the pins and deleting.
        let inner = self.inner();
        let pinned = inner.vault.pinned_sets()?;
        // The set new cases are begun on is kept even if the store's current moved on and the desk has not
        // reloaded yet.
        let mut keep = pinned.clone();
        keep.extend(self.forms.current().sha256().map(str::to_owned));
        let collected = store.collect(&keep).map_err(|e| channel_error(&e))?;
        drop(inner);
        self.forms
            .pinned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|sha, _| pinned.contains(sha));
        Ok((collected.sets, collected.objects))
    }

    /// The current form `form_id` for a new case: it must be offered (open) in the current set.
    pub(crate) fn form_to_begin(&self, form_id: &str) -> Result<PinnedForm, DeskError> {
        let current = self.forms.current();
        let entry = current.catalog.entry(form_id).ok_or_else(|| DeskError::UnknownForm(form_id.to_owned()))?;
        if !current.offers(form_id) {
            return Err(DeskError::Forms(format!(
                "Für das Formular „{}“ können keine neuen Vorgänge mehr begonnen werden.",
                current.title(form_id).unwrap_or_default()
            )));
        }
        Ok(PinnedForm {
            form: entry.form.clone(),
            sha256: entry.sha256.clone(),
            set_sha256: current.sha256().map(str::to_owned),
            municipality: current.municipality.clone(),
        })
    }

    /// The form a draft is kept on: the one it was pinned to, or the current one for a draft begun before
    /// pinning.
    pub(crate) fn form_of(&self, draft: &Draft) -> Result<PinnedForm, DeskError> {
        self.pinned_form(&draft.form_id, draft.pin.as_ref())
    }

    pub(crate) fn pinned_form(&self, form_id: &str, pin: Option<&FormPin>) -> Result<PinnedForm, DeskError> {
        Ok(self.find_pinned_form(form_id, pin)?)
    }

    /// [`Desk::pinned_form`], saying nothing when it cannot be had.
    pub(crate) fn find_pinned_form(&self, form_id: &str, pin: Option<&FormPin>) -> Result<PinnedForm, Missing> {
        let set = match pin {
            Some(pin) => self.forms.set(&pin.set_sha256)?,
            None => self.forms.current(),
        };
        let entry = set.catalog.entry(form_id).ok_or_else(|| Missing::Form(form_id.to_owned()))?;
        if pin.is_some_and(|p| p.form_sha256 != entry.sha256) {
            return Err(Missing::Text);
        }
        Ok(PinnedForm {
            form: entry.form.clone(),
            sha256: entry.sha256.clone(),
            set_sha256: set.sha256().map(str::to_owned),
            municipality: set.municipality.clone(),
        })
    }

    /// How a draft's form (`form_id` in `version`, pinned to `pin`) stands in the current set.
    pub(crate) fn form_status(&self, form_id: &str, version: &str, pin: Option<&FormPin>) -> FormStatus {
        if pin.is_some_and(|p| self.forms.withdrawn().contains(&p.form_sha256)) {
            return FormStatus::Withdrawn;
        }
        let current = self.forms.current();
        match current.state(form_id) {
            Some(FormState::Withdrawn) => FormStatus::Withdrawn,
            Some(FormState::Closing) | None => FormStatus::Closing,
            Some(FormState::Open) => {
                let entry = current.catalog.entry(form_id);
                let newer = match pin {
                    Some(pin) => entry.is_some_and(|e| e.sha256 != pin.form_sha256),
                    None => entry.is_some_and(|e| e.form.version() != version),
                };
                if newer { FormStatus::Outdated } else { FormStatus::Current }
            }
        }
    }

    /// Refuses to finalize a draft whose form the current set withdraws, or whose form text was withdrawn
    /// before (a newer version may be current by now: the draft's answers can be carried over into it).
    pub(crate) fn check_not_withdrawn(&self, draft: &Draft) -> Result<(), DeskError> {
        let current = self.forms.current();
        let text_withdrawn = draft.pin.as_ref().is_some_and(|p| self.forms.withdrawn().contains(&p.form_sha256));
        if text_withdrawn || current.state(&draft.form_id) == Some(FormState::Withdrawn) {
            let title = self.form_of(draft).map(|f| f.form.definition().title.get("de").to_owned());
            return Err(DeskError::Withdrawn(title.unwrap_or_else(|_| draft.form_id.clone())));
        }
        Ok(())
    }
}
