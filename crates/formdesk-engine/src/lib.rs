//! The guided-form engine of Formdesk.
//!
//! A form definition (JSON, `docs/form-format.md`) is loaded into a [`Form`]: checked against its schema,
//! its expressions (`docs/expressions.md`) parsed and type-checked, its evaluation order fixed. Then
//! [`Form::evaluate`] turns answers, a reference date and a language into a [`FormState`]: visible steps and
//! fields, required flags, errors with stable codes, computed values and fees.
//!
//! Architecture invariant: this crate is pure. It does no I/O, reads no clock, draws no random numbers and
//! knows nothing of Tauri; callers pass text in and get data out.

#![deny(missing_docs)]

pub mod definition;
pub mod display;
mod evaluate;
pub mod expr;
mod form;
mod loose;
mod messages;
mod nulls;
pub mod state;
pub mod texts;
pub mod validators;

pub use definition::{FormDefinition, ItemKind, Text};
pub use evaluate::Answers;
pub use form::{CodeLists, DefinitionError, DefinitionErrors, Form, MAX_REPEAT_DEPTH};
pub use state::FormState;

pub use chrono::NaiveDate;
