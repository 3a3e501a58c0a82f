//! The evaluated state of a form: what the desk app renders and `forms eval` prints.
//!
//! Everything here is plain data in the requested language; the UI shows it and evaluates nothing itself.

use crate::definition::{ItemKind, TextFormat, ValueType};
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// The evaluated state of a form for one set of answers.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FormState {
    /// The form's id.
    pub form_id: String,
    /// The form's version.
    pub form_version: String,
    /// The language of the texts.
    pub lang: String,
    /// The form's title.
    pub title: String,
    /// All steps, hidden ones included (`visible: false`).
    pub steps: Vec<StepState>,
    /// Computed values by id.
    pub values: BTreeMap<String, serde_json::Value>,
    /// The fees that apply, with their amounts.
    pub fees: Vec<FeeState>,
    /// Every error of a visible field, in form order.
    pub errors: Vec<FieldError>,
    /// Whether the form can be finalized: no errors.
    pub complete: bool,
}

/// A step's state.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepState {
    /// The step's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its introduction.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
    /// Whether the step is shown.
    pub visible: bool,
    /// Whether it has no errors.
    pub complete: bool,
    /// How many errors it has.
    pub error_count: usize,
    /// Its items.
    pub items: Vec<ItemState>,
}

/// An item's state.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ItemState {
    /// What the item is.
    pub kind: ItemKind,
    /// Its id.
    pub id: String,
    /// Its path in the answers: `sepa_iban`, `hunde[1].rasse`.
    pub path: String,
    /// Its label.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub label: Option<String>,
    /// Its help text.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub help: Option<String>,
    /// The text of an info item.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<String>,
    /// Whether it is shown.
    pub visible: bool,
    /// Whether it must be answered.
    pub required: bool,
    /// Whether it holds sensitive personal data.
    pub sensitive: bool,
    /// The answer, or the computed value; `null` when there is none.
    pub value: serde_json::Value,
    /// The type of a computed item's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub value_type: Option<ValueType>,
    /// Its errors (at most one for a field; the group's own for a repeat group).
    pub errors: Vec<ItemError>,
    /// The options of a choice, in the requested language.
    pub options: Vec<OptionState>,
    /// Hints for the input control.
    pub input: InputHints,
    /// A repeat group's bounds and instance label.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub repeat: Option<RepeatState>,
    /// The children of a plain group.
    pub items: Vec<ItemState>,
    /// The instances of a repeat group, each with its children.
    pub instances: Vec<Vec<ItemState>>,
}

/// An error shown at an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ItemError {
    /// The stable code.
    pub code: String,
    /// The message in the requested language.
    pub message: String,
}

/// An error with the path of its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldError {
    /// The field's path.
    pub path: String,
    /// The stable code.
    pub code: String,
    /// The message in the requested language.
    pub message: String,
}

/// An option of a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OptionState {
    /// The stored value.
    pub value: String,
    /// The label.
    pub label: String,
}

/// Bounds and labels of a repeat group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RepeatState {
    /// At least this many instances.
    pub min: u32,
    /// At most this many.
    pub max: u32,
    /// The label of one instance ("Hund").
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub item_label: Option<String>,
}

/// Hints for an input control; only what the UI needs to offer the right keyboard and limits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InputHints {
    /// Maximum length of a text.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max_length: Option<u32>,
    /// Minimum of a number, as a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min: Option<String>,
    /// Maximum of a number, as a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max: Option<String>,
    /// A text field's special format.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub format: Option<TextFormat>,
    /// Accepted media types of attachments.
    pub accept: Vec<String>,
    /// Most files an attachment takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max_files: Option<u32>,
}

impl InputHints {
    /// Whether there are no hints.
    pub fn is_empty(&self) -> bool {
        *self == InputHints::default()
    }
}

/// A fee that applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FeeState {
    /// The fee's id.
    pub id: String,
    /// What it is for.
    pub label: String,
    /// The amount in euros, two decimals (`"96.00"`).
    pub amount: String,
    /// How it is collected.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
}
