//! The desk app's API: the plain Rust behind every Tauri command.
//!
//! The shell in `src-tauri` turns each command into one call on [`Desk`]; everything here runs and is
//! tested without a window. Non-goals: windows, IPC plumbing, persistence (the vault comes later).

#![deny(missing_docs)]

pub mod drafts;
pub mod ipc;

use chrono::{NaiveDate, NaiveDateTime};
use drafts::{Draft, DraftStatus, REVIEW};
use formdesk_catalog::Catalog;
use formdesk_engine::display;
use formdesk_engine::state::ItemState;
use formdesk_engine::{Answers, FormState};
use ipc::{CitizenView, DraftInfo, DraftView, FormSummary, ReviewItem, ReviewStep, ReviewView, SearchResult};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

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
}

#[derive(Debug, Default)]
struct Drafts {
    next_id: u64,
    by_id: BTreeMap<u64, Draft>,
    /// The draft the clerk worked on last: the one the citizen's screen shows.
    current: Option<u64>,
}

/// Told about every change of a draft, after it happened: the shell forwards it to the citizen's window.
pub type Observer = Box<dyn Fn(&DraftInfo) + Send + Sync>;

/// One desk: its installed forms, its clock and the drafts in progress.
pub struct Desk {
    catalog: Catalog,
    clock: Box<dyn Clock>,
    drafts: Mutex<Drafts>,
    observer: Option<Observer>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("forms", &self.catalog.entries().len()).finish_non_exhaustive()
    }
}

impl Desk {
    /// A desk with these forms and this clock.
    pub fn new(catalog: Catalog, clock: impl Clock + 'static) -> Desk {
        Desk {
            catalog,
            clock: Box::new(clock),
            drafts: Mutex::new(Drafts { next_id: 1, by_id: BTreeMap::new(), current: None }),
            observer: None,
        }
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

    fn drafts(&self) -> MutexGuard<'_, Drafts> {
        // A panic while the lock was held cannot leave a draft half-written (every change is one assignment),
        // so the data is still good to use.
        self.drafts.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn view(&self, draft: &Draft) -> Result<DraftView, DeskError> {
        let form = self.catalog.get(&draft.form_id).ok_or_else(|| DeskError::UnknownForm(draft.form_id.clone()))?;
        let state = form.evaluate(&draft.answers, &draft.citizen_lang, self.clock.today());
        Ok(DraftView { draft: DraftInfo::of(draft, form.definition().title.get("de")), state })
    }

    fn with_draft<T>(
        &self,
        id: u64,
        f: impl FnOnce(&mut Draft, &Desk) -> Result<T, DeskError>,
    ) -> Result<DraftView, DeskError> {
        let view = {
            let mut drafts = self.drafts();
            let draft = drafts.by_id.get_mut(&id).ok_or(DeskError::UnknownDraft(id))?;
            f(draft, self)?;
            let view = self.view(draft)?;
            drafts.current = Some(id);
            view
        };
        // Outside the lock: the observer may call back into the desk.
        self.notify(&view.draft);
        Ok(view)
    }

    /// Starts a new draft of a form on its first visible step.
    pub fn start(&self, form_id: &str) -> Result<DraftView, DeskError> {
        let form = self.catalog.get(form_id).ok_or_else(|| DeskError::UnknownForm(form_id.to_owned()))?;
        let state = form.evaluate(&Answers::new(), "de", self.clock.today());
        let first = state.steps.iter().find(|s| s.visible).map_or_else(|| REVIEW.to_owned(), |s| s.id.clone());
        let mut drafts = self.drafts();
        let id = drafts.next_id;
        drafts.next_id += 1;
        let draft = Draft::new(id, form_id, &first, self.clock.now());
        let view = self.view(&draft)?;
        drafts.by_id.insert(id, draft);
        drafts.current = Some(id);
        drop(drafts);
        self.notify(&view.draft);
        Ok(view)
    }

    /// What the citizen's screen shows: the current step of the draft the clerk works on, read-only, in the
    /// citizen's language. `None` when no draft is open.
    pub fn citizen_view(&self) -> Option<CitizenView> {
        let drafts = self.drafts();
        let draft = drafts.current.and_then(|id| drafts.by_id.get(&id))?;
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

    /// Open and finalized drafts, the most recently changed first.
    pub fn drafts_list(&self) -> Vec<DraftInfo> {
        let drafts = self.drafts();
        let mut list: Vec<DraftInfo> = drafts
            .by_id
            .values()
            .map(|d| {
                let title =
                    self.catalog.get(&d.form_id).map(|f| f.definition().title.get("de").to_owned()).unwrap_or_default();
                DraftInfo::of(d, &title)
            })
            .collect();
        list.sort_by(|a, b| b.updated.cmp(&a.updated).then(b.id.cmp(&a.id)));
        list
    }

    /// Sets one answer; `path` as the engine writes it (`hunde[1].rasse`). `null` clears it.
    pub fn set_answer(&self, id: u64, path: &str, value: Value) -> Result<DraftView, DeskError> {
        let now = self.clock.now();
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
        let drafts = self.drafts();
        let draft = drafts.by_id.get(&id).ok_or(DeskError::UnknownDraft(id))?;
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
            draft: DraftInfo::of(draft, form.definition().title.get("de")),
            steps,
            fees,
            complete: state.complete,
            error_count: state.errors.len(),
        })
    }

    /// Finalizes a complete draft; afterwards it can no longer change.
    pub fn finalize(&self, id: u64) -> Result<DraftView, DeskError> {
        let now = self.clock.now();
        self.with_draft(id, |d, desk| {
            let view = desk.view(d)?;
            if !view.state.complete {
                for s in view.state.steps.iter().filter(|s| s.visible) {
                    d.checked.insert(s.id.clone());
                }
                return Err(DeskError::Incomplete(view.state.errors.len()));
            }
            d.finalize(now)
        })
    }

    /// Forgets a draft that is still open.
    pub fn discard(&self, id: u64) -> Result<(), DeskError> {
        let mut drafts = self.drafts();
        match drafts.by_id.get(&id) {
            None => Err(DeskError::UnknownDraft(id)),
            Some(d) if d.status == DraftStatus::Final => Err(DeskError::Finalized(id)),
            Some(_) => {
                drafts.by_id.remove(&id);
                if drafts.current == Some(id) {
                    drafts.current = None;
                }
                Ok(())
            }
        }
    }
}
