//! Built-in validation messages in every language a citizen can be served in: German (`de`), English (`en`),
//! Ukrainian (`uk`), Arabic (`ar`), Russian (`ru`), Turkish (`tr`) and Leichte Sprache (`de-x-ls`, easy-read
//! German). Any other language gets the German wording, as the clerk reads it.
//!
//! Each language is one table, a module with a single exhaustive `match` over [`Issue`]: adding a language is
//! adding a module and a line in [`table`], and a new kind of issue does not compile until every language words
//! it. Numbers are written with the German decimal comma in every language but English, as on the citizen's
//! German documents; the bounds of time fields are written in the language's notation ([`crate::display`]).
//!
//! A form's own messages are not here: the message of a `pattern` or of a constraint is the form's text in the
//! citizen's language (else German), taken from the form as it stands.

mod ar;
mod de;
mod easy_read;
mod en;
mod ru;
mod tr;
mod uk;

use crate::definition::{EASY_READ, Text};
use crate::display;
use crate::validators::Invalid;
use rust_decimal::Decimal;

/// Why a field's answer is not acceptable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Issue {
    Required,
    /// The answer has the wrong type; what was expected, in English words (`"a whole number"`).
    Type(&'static str),
    TooShort(u32),
    TooLong(u32),
    /// The answer does not match the field's `pattern`; the form's own message, if it has one.
    PatternMismatch(Option<Text>),
    BelowMin(Decimal),
    AboveMax(Decimal),
    FractionDigits(u32),
    InvalidChoice,
    TooFewSelected(u32),
    TooManySelected(u32),
    TooFewItems(u32),
    TooManyItems(u32),
    Invalid(Invalid),
    InvalidDate,
    InvalidTime,
    InvalidDateTime,
    /// Before the `min` of a time or date-and-time field.
    TooEarly(Moment),
    /// After the `max` of a time or date-and-time field.
    TooLate(Moment),
    DateInFuture,
    DateInPast,
    BelowMinAge(u32),
    AboveMaxAge(u32),
    UnknownField,
    TooManyFiles(u32),
    FileType,
    FileTooLarge(u64),
    /// A constraint of the form failed: its code and its message in the citizen's language (else German).
    Constraint(String, String),
}

/// A bound of a time or date-and-time field as the form writes it (`08:00`, `2026-12-06T14:30`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Moment {
    Time(String),
    DateTime(String),
}

impl Moment {
    /// The bound in the language's notation: `08:00 Uhr` in German, `06.12.2026, 14:30` in Ukrainian.
    fn shown(&self, lang: &str) -> String {
        match self {
            Moment::Time(t) => display::time(t, lang),
            Moment::DateTime(t) => display::date_time(t, lang),
        }
    }
}

/// A language's wording of every issue.
type Table = fn(&Issue) -> String;

/// The table of a language tag; German for any language without one.
fn table(lang: &str) -> Table {
    match lang {
        "en" => en::message,
        "uk" => uk::message,
        "ar" => ar::message,
        "ru" => ru::message,
        "tr" => tr::message,
        EASY_READ => easy_read::message,
        _ => de::message,
    }
}

/// A number with the German decimal comma (`2,5`), as every language but English writes it here.
fn comma(d: Decimal) -> String {
    d.to_string().replace('.', ",")
}

/// The form of a counted noun in Ukrainian and Russian: `forms` is (1, 21, …), (2–4, 22–24, …), (5–20, 25–30, …).
fn slavic(n: u64, forms: [&str; 3]) -> &str {
    match (n % 10, n % 100) {
        (1, r) if r != 11 => forms[0],
        (2..=4, r) if !(12..=14).contains(&r) => forms[1],
        _ => forms[2],
    }
}

impl Issue {
    pub(crate) fn code(&self) -> String {
        match self {
            Issue::Required => "required",
            Issue::Type(_) => "type",
            Issue::TooShort(_) => "too_short",
            Issue::TooLong(_) => "too_long",
            Issue::PatternMismatch(_) => "pattern_mismatch",
            Issue::BelowMin(_) => "below_min",
            Issue::AboveMax(_) => "above_max",
            Issue::FractionDigits(_) => "fraction_digits",
            Issue::InvalidChoice => "invalid_choice",
            Issue::TooFewSelected(_) => "too_few_selected",
            Issue::TooManySelected(_) => "too_many_selected",
            Issue::TooFewItems(_) => "too_few_items",
            Issue::TooManyItems(_) => "too_many_items",
            Issue::Invalid(i) => i.code(),
            Issue::InvalidDate => "invalid_date",
            Issue::InvalidTime => "invalid_time",
            Issue::InvalidDateTime => "invalid_datetime",
            Issue::TooEarly(..) => "below_min",
            Issue::TooLate(..) => "above_max",
            Issue::DateInFuture => "date_in_future",
            Issue::DateInPast => "date_in_past",
            Issue::BelowMinAge(_) => "below_min_age",
            Issue::AboveMaxAge(_) => "above_max_age",
            Issue::UnknownField => "unknown_field",
            Issue::TooManyFiles(_) => "too_many_files",
            Issue::FileType => "file_type",
            Issue::FileTooLarge(_) => "file_too_large",
            Issue::Constraint(code, _) => return code.clone(),
        }
        .to_owned()
    }

    /// The message in `lang`: the form's own text where the form has one, else the language's table.
    pub(crate) fn message(&self, lang: &str) -> String {
        match self {
            Issue::PatternMismatch(Some(own)) => own.get(lang).to_owned(),
            Issue::Constraint(_, own) => own.clone(),
            _ => table(lang)(self),
        }
    }
}

#[cfg(test)]
mod tests;
