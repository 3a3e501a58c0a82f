//! Types that cross the IPC boundary to the web view, besides the engine's [`formdesk_engine::FormState`].
//!
//! Errors cross as `{ code, message }` with a closed set of codes; the UI switches on `code`, never on the
//! message.

use crate::DeskError;
use formdesk_engine::Form;
use serde::Serialize;

/// A form in the list of installed forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormSummary {
    /// The form's id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// The languages its texts cover.
    pub languages: Vec<String>,
}

impl FormSummary {
    /// The summary of `form` in `lang`.
    pub fn of(form: &Form, lang: &str) -> FormSummary {
        let def = form.definition();
        FormSummary {
            id: def.id.clone(),
            version: def.version.clone(),
            title: def.title.get(lang).to_owned(),
            description: def.description.as_ref().map(|d| d.get(lang).to_owned()),
            languages: def.languages.clone(),
        }
    }
}

/// The closed set of error codes the UI knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The form is not installed.
    UnknownForm,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    /// What kind of error.
    pub code: ErrorCode,
    /// A message for the clerk, in German.
    pub message: String,
}

impl From<DeskError> for IpcError {
    fn from(e: DeskError) -> IpcError {
        let code = match e {
            DeskError::UnknownForm(_) => ErrorCode::UnknownForm,
        };
        IpcError { code, message: e.to_string() }
    }
}
