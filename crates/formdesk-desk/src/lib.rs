//! The desk app's API: the plain Rust behind every Tauri command.
//!
//! The shell in `src-tauri` turns each command into one call on [`Desk`]; everything here runs and is
//! tested without a window. Non-goals: windows, IPC plumbing, persistence (the vault comes later).

#![deny(missing_docs)]

pub mod ipc;

use chrono::NaiveDate;
use formdesk_catalog::Catalog;
use formdesk_engine::{Answers, FormState};
use ipc::FormSummary;

/// Where the desk gets today's date from; tests pass a fixed one.
pub trait Clock: Send + Sync {
    /// Today's date in the desk's time zone.
    fn today(&self) -> NaiveDate;
}

/// The system clock in local time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn today(&self) -> NaiveDate {
        chrono::Local::now().date_naive()
    }
}

/// A clock that always says the same day.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub NaiveDate);

impl Clock for FixedClock {
    fn today(&self) -> NaiveDate {
        self.0
    }
}

/// What can go wrong at the desk.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// No form with this id is installed.
    #[error("Das Formular „{0}“ ist auf diesem Arbeitsplatz nicht installiert.")]
    UnknownForm(String),
}

/// One desk: its installed forms and its clock.
pub struct Desk {
    catalog: Catalog,
    clock: Box<dyn Clock>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("forms", &self.catalog.entries().len()).finish_non_exhaustive()
    }
}

impl Desk {
    /// A desk with these forms and this clock.
    pub fn new(catalog: Catalog, clock: impl Clock + 'static) -> Desk {
        Desk { catalog, clock: Box::new(clock) }
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
}
