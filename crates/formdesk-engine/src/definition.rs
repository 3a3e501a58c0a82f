//! The form-definition format as it is stored: plain serde types mirroring `forms/schema/form.schema.json`.
//!
//! These types only carry data; [`crate::Form::from_json`] checks them and compiles them. The format is
//! documented in `docs/form-format.md`. Non-goals: behaviour, defaults that need the whole form.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// The version of the definition format this engine reads.
pub const FORMAT_VERSION: u32 = 1;

/// A text in several languages, keyed by language tag (`de`, `en`, `tr`, `de-x-ls` for easy-read German).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text(pub BTreeMap<String, String>);

/// The language tag of easy-read German (Leichte Sprache).
pub const EASY_READ: &str = "de-x-ls";

impl Text {
    /// The text in `lang`, else in German, else in any language.
    pub fn get(&self, lang: &str) -> &str {
        self.0.get(lang).or_else(|| self.0.get("de")).or_else(|| self.0.values().next()).map_or("", String::as_str)
    }
}

/// Where a form, step, item or code list came from in FIM (Föderales Informationsmanagement): the id and
/// version of the XDatenfelder element it was imported from. The engine carries it and never interprets it;
/// a later import of a newer schema version compares against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FimReference {
    /// The FIM id of the element (`F99000011`, `G00000123`, `S00000045`, a code list's URN).
    pub id: String,
    /// The element's version in FIM (`1.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The XDatenfelder version of the imported message: `2.0` or `3.0.0`; meant for the form level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xdf: Option<String>,
}

/// A form definition as stored in `form.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormDefinition {
    /// The JSON Schema reference for editors; ignored.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The format version; must be [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The stable id.
    pub id: String,
    /// The semantic version of this definition.
    pub version: String,
    /// The title.
    pub title: Text,
    /// A short description.
    #[serde(default)]
    pub description: Option<Text>,
    /// Search words by language.
    #[serde(default)]
    pub keywords: BTreeMap<String, Vec<String>>,
    /// The id of the responsible authority's destination.
    pub destination: String,
    /// The LeiKa service key.
    #[serde(default)]
    pub leika_key: Option<String>,
    /// The legal basis.
    #[serde(default)]
    pub legal_basis: Vec<LegalBasis>,
    /// Fees.
    #[serde(default)]
    pub fees: Vec<FeeDefinition>,
    /// The languages the texts cover.
    #[serde(default)]
    pub languages: Vec<String>,
    /// The prefix of receipt references.
    #[serde(default)]
    pub receipt_prefix: Option<String>,
    /// What happens after the application was handed in, as the receipt tells the citizen.
    #[serde(default)]
    pub next_steps: Option<Text>,
    /// The text fields whose answers name a submission in the desk's work list, in order (the citizen's
    /// first and family name). Top-level text fields only.
    #[serde(default)]
    pub summary: Vec<String>,
    /// Code lists only this form uses.
    #[serde(default)]
    pub code_lists: BTreeMap<String, CodeListDefinition>,
    /// The wizard's steps.
    pub steps: Vec<StepDefinition>,
    /// The FIM element this was imported from; carried, never interpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<FimReference>,
}

/// A law or bylaw the form rests on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LegalBasis {
    /// Its title.
    pub title: Text,
    /// The paragraph or a citation.
    #[serde(default)]
    pub reference: Option<String>,
}

/// A fee.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FeeDefinition {
    /// Its id.
    pub id: String,
    /// What it is for.
    pub label: Text,
    /// The amount in euros, an expression.
    pub amount: String,
    /// When the fee applies.
    #[serde(default)]
    pub relevant: Option<String>,
    /// How it is collected, or other notes.
    #[serde(default)]
    pub note: Option<Text>,
}

/// A code list: values and their labels.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CodeListDefinition {
    /// The JSON Schema reference for editors; ignored.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The format version of a shared code-list file.
    #[serde(default)]
    pub format_version: Option<u32>,
    /// Its id.
    #[serde(default)]
    pub id: Option<String>,
    /// Its version.
    #[serde(default)]
    pub version: Option<String>,
    /// Its title.
    #[serde(default)]
    pub title: Option<Text>,
    /// The entries.
    pub entries: Vec<OptionDefinition>,
    /// The FIM element this was imported from; carried, never interpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<FimReference>,
}

/// An option of a choice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OptionDefinition {
    /// The stored value.
    pub value: String,
    /// The label shown.
    pub label: Text,
    /// Values the entry carries (a rate, a group), by key: texts, numbers or booleans; read in expressions
    /// with `lookup("list", code, "key")`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, serde_json::Value>,
}

/// A step (page) of the wizard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepDefinition {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Text,
    /// An introduction.
    #[serde(default)]
    pub description: Option<Text>,
    /// When the step is shown.
    #[serde(default)]
    pub relevant: Option<String>,
    /// Its items.
    pub items: Vec<ItemDefinition>,
    /// The FIM element this was imported from; carried, never interpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<FimReference>,
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub enum ItemKind {
    Text,
    LongText,
    Integer,
    Decimal,
    Currency,
    Date,
    Time,
    DateTime,
    Boolean,
    Choice,
    MultiChoice,
    Email,
    Phone,
    Iban,
    Postcode,
    Address,
    Attachment,
    Photo,
    Signature,
    Info,
    Computed,
    Group,
}

impl ItemKind {
    /// Whether items of this kind take an answer.
    pub fn is_answered(self) -> bool {
        !matches!(self, ItemKind::Info | ItemKind::Computed | ItemKind::Group)
    }
}

/// Whether a field is required: always, never, or when an expression holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Required {
    /// Always or never.
    Always(bool),
    /// When the expression holds.
    When(String),
}

/// How a field appears on the receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReceiptMode {
    /// In full.
    Show,
    /// Masked (`DE89 **** **** **** **30 00`).
    Mask,
    /// Not at all.
    Omit,
}

impl ItemDefinition {
    /// How the item appears on the receipt: as the definition says, else masked when it is sensitive and shown
    /// when it is not.
    pub fn receipt_mode(&self) -> ReceiptMode {
        self.receipt.unwrap_or(if self.sensitive { ReceiptMode::Mask } else { ReceiptMode::Show })
    }
}

/// Special formats of text fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TextFormat {
    /// Steuerliche Identifikationsnummer.
    SteuerId,
    /// German vehicle registration plate.
    VehiclePlate,
}

/// The value type of a computed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub enum ValueType {
    Integer,
    Decimal,
    Currency,
    Text,
    Boolean,
    Date,
    Time,
    DateTime,
}

/// A rule an answered value must satisfy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConstraintDefinition {
    /// The rule, an expression.
    pub rule: String,
    /// The stable error code.
    pub code: String,
    /// The message when it fails.
    pub message: Text,
}

/// The `min` or `max` of a field: a number for `integer`, `decimal` and `currency`, a text for `time`
/// (`"08:00"`) and `dateTime` (`"2026-01-01T00:00"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Bound {
    /// A number.
    Number(Decimal),
    /// A time or a date and time, as written.
    Text(String),
}

impl Bound {
    /// The number, if this is one.
    pub fn number(&self) -> Option<Decimal> {
        match self {
            Bound::Number(d) => Some(*d),
            Bound::Text(_) => None,
        }
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Number(d) => write!(f, "{d}"),
            Bound::Text(s) => f.write_str(s),
        }
    }
}

/// Minimum and maximum number of instances of a repeat group.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Repeat {
    /// At least this many.
    pub min: u32,
    /// At most this many.
    pub max: u32,
}

/// An item of a step or group. One shape for every kind; which properties a kind takes is checked on load.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ItemDefinition {
    pub kind: ItemKind,
    pub id: String,
    #[serde(default)]
    pub label: Option<Text>,
    #[serde(default)]
    pub help: Option<Text>,
    #[serde(default)]
    pub text: Option<Text>,
    #[serde(default)]
    pub required: Option<Required>,
    #[serde(default)]
    pub relevant: Option<String>,
    #[serde(default)]
    pub constraints: Vec<ConstraintDefinition>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub receipt: Option<ReceiptMode>,
    #[serde(default)]
    pub min_length: Option<u32>,
    #[serde(default)]
    pub max_length: Option<u32>,
    #[serde(default)]
    pub format: Option<TextFormat>,
    /// A regular expression the whole answer must match (text, longText).
    #[serde(default)]
    pub pattern: Option<String>,
    /// The message when the answer does not match `pattern`, instead of the built-in one.
    #[serde(default)]
    pub pattern_message: Option<Text>,
    #[serde(default)]
    pub min: Option<Bound>,
    #[serde(default)]
    pub max: Option<Bound>,
    #[serde(default)]
    pub fraction_digits: Option<u32>,
    #[serde(default)]
    pub not_in_future: bool,
    #[serde(default)]
    pub not_in_past: bool,
    #[serde(default)]
    pub min_age: Option<u32>,
    #[serde(default)]
    pub max_age: Option<u32>,
    #[serde(default)]
    pub options: Option<Vec<OptionDefinition>>,
    #[serde(default)]
    pub code_list: Option<String>,
    #[serde(default)]
    pub min_selected: Option<u32>,
    #[serde(default)]
    pub max_selected: Option<u32>,
    #[serde(default)]
    pub accept: Option<Vec<String>>,
    #[serde(default)]
    pub max_size_kb: Option<u64>,
    #[serde(default)]
    pub max_files: Option<u32>,
    #[serde(default)]
    pub calculate: Option<String>,
    #[serde(default)]
    pub value_type: Option<ValueType>,
    #[serde(default)]
    pub repeat: Option<Repeat>,
    #[serde(default)]
    pub item_label: Option<Text>,
    #[serde(default)]
    pub items: Option<Vec<ItemDefinition>>,
    /// The FIM element this item was imported from; carried, never interpreted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<FimReference>,
}
