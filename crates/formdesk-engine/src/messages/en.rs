//! English.

use super::Issue;
use crate::validators::Invalid;

pub(super) fn message(issue: &Issue) -> String {
    match issue {
        Issue::Required => "Please fill in.".into(),
        Issue::Type(what) => format!("Please enter {what}."),
        Issue::TooShort(n) => format!("Please enter at least {n} characters."),
        Issue::TooLong(n) => format!("Please enter at most {n} characters."),
        Issue::PatternMismatch(_) => {
            "The entry does not have the required form. Please check how it is written.".into()
        }
        Issue::BelowMin(d) => format!("The value must be at least {d}."),
        Issue::AboveMax(d) => format!("The value must be at most {d}."),
        Issue::FractionDigits(n) => format!("Please enter at most {n} decimal places."),
        Issue::InvalidChoice => "Please choose one of the options offered.".into(),
        Issue::TooFewSelected(n) => format!("Please select at least {n}."),
        Issue::TooManySelected(n) => format!("Please select at most {n}."),
        Issue::TooFewItems(n) => format!("Please add at least {n} entries."),
        Issue::TooManyItems(n) => format!("At most {n} entries are possible."),
        Issue::Invalid(i) => match i {
            Invalid::Email => "Please enter a valid email address, e.g. name@example.com.",
            Invalid::Phone => "Please enter a valid phone number, e.g. +49 5221 1890.",
            Invalid::Iban => "The IBAN is not valid. Please check its length and check digits.",
            Invalid::Postcode => "Please enter a five-digit German postcode.",
            Invalid::SteuerId => {
                "The tax ID is not valid. It has 11 digits; please check the digits and the check digit."
            }
            Invalid::VehiclePlate => "Please enter a registration plate such as \"HF-AB 123\".",
        }
        .into(),
        Issue::InvalidDate => "Please enter a valid date.".into(),
        Issue::InvalidTime => "Please enter a valid time, e.g. 14:30.".into(),
        Issue::InvalidDateTime => "Please enter a valid date and time.".into(),
        Issue::TooEarly(m) => format!("Please give {} or later.", m.shown("en")),
        Issue::TooLate(m) => format!("Please give {} or earlier.", m.shown("en")),
        Issue::DateInFuture => "The date must not be in the future.".into(),
        Issue::DateInPast => "The date must not be in the past.".into(),
        Issue::BelowMinAge(n) => format!("The person must be at least {n} years old."),
        Issue::AboveMaxAge(n) => format!("The person must be at most {n} years old."),
        Issue::UnknownField => "This field is not part of the form.".into(),
        Issue::TooManyFiles(n) => format!("At most {n} files are possible."),
        Issue::FileType => "This file type is not accepted here.".into(),
        Issue::FileTooLarge(kb) => format!("The file is too large (at most {kb} KB)."),
        Issue::Constraint(_, own) => own.clone(),
    }
}
