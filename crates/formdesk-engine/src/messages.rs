//! Built-in validation messages in German and English. Other languages fall back to German, as the clerk
//! reads the messages.

use crate::definition::Text;
use crate::validators::Invalid;
use rust_decimal::Decimal;

/// Why a field's answer is not acceptable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Issue {
    Required,
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
    /// Before the `min` of a time or date-and-time field, as the clerk reads it ("08:00 Uhr").
    TooEarly(String, String),
    /// After the `max` of a time or date-and-time field, in German and English.
    TooLate(String, String),
    DateInFuture,
    DateInPast,
    BelowMinAge(u32),
    AboveMaxAge(u32),
    UnknownField,
    TooManyFiles(u32),
    FileType,
    FileTooLarge(u64),
    Constraint(String, String),
}

fn num(d: Decimal, lang: &str) -> String {
    let s = d.to_string();
    if lang == "en" { s } else { s.replace('.', ",") }
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

    pub(crate) fn message(&self, lang: &str) -> String {
        let en = lang == "en";
        let pick = |de: String, e: String| if en { e } else { de };
        match self {
            Issue::Required => pick("Bitte ausfüllen.".into(), "Please fill in.".into()),
            Issue::Type(what) => {
                pick(format!("Bitte geben Sie {} ein.", type_de(what)), format!("Please enter {what}."))
            }
            Issue::TooShort(n) => pick(
                format!("Bitte mindestens {n} Zeichen eingeben."),
                format!("Please enter at least {n} characters."),
            ),
            Issue::TooLong(n) => {
                pick(format!("Bitte höchstens {n} Zeichen eingeben."), format!("Please enter at most {n} characters."))
            }
            Issue::PatternMismatch(Some(message)) => message.get(lang).to_owned(),
            Issue::PatternMismatch(None) => pick(
                "Die Eingabe hat nicht die verlangte Form. Bitte prüfen Sie die Schreibweise.".into(),
                "The entry does not have the required form. Please check how it is written.".into(),
            ),
            Issue::BelowMin(d) => pick(
                format!("Der Wert muss mindestens {} sein.", num(*d, lang)),
                format!("The value must be at least {}.", num(*d, lang)),
            ),
            Issue::AboveMax(d) => pick(
                format!("Der Wert darf höchstens {} sein.", num(*d, lang)),
                format!("The value must be at most {}.", num(*d, lang)),
            ),
            Issue::FractionDigits(n) => pick(
                format!("Bitte höchstens {n} Nachkommastellen eingeben."),
                format!("Please enter at most {n} decimal places."),
            ),
            Issue::InvalidChoice => pick(
                "Bitte wählen Sie eine der angebotenen Möglichkeiten.".into(),
                "Please choose one of the options offered.".into(),
            ),
            Issue::TooFewSelected(n) => {
                pick(format!("Bitte mindestens {n} auswählen."), format!("Please select at least {n}."))
            }
            Issue::TooManySelected(n) => {
                pick(format!("Bitte höchstens {n} auswählen."), format!("Please select at most {n}."))
            }
            Issue::TooFewItems(n) => {
                pick(format!("Bitte mindestens {n} Einträge anlegen."), format!("Please add at least {n} entries."))
            }
            Issue::TooManyItems(n) => {
                pick(format!("Höchstens {n} Einträge sind möglich."), format!("At most {n} entries are possible."))
            }
            Issue::Invalid(i) => match i {
                Invalid::Email => pick(
                    "Bitte eine gültige E-Mail-Adresse eingeben, z. B. name@example.de.".into(),
                    "Please enter a valid email address, e.g. name@example.com.".into(),
                ),
                Invalid::Phone => pick(
                    "Bitte eine gültige Telefonnummer eingeben, z. B. 05221 189-0 oder +49 5221 1890.".into(),
                    "Please enter a valid phone number, e.g. +49 5221 1890.".into(),
                ),
                Invalid::Iban => pick(
                    "Die IBAN ist nicht gültig. Bitte prüfen Sie Länge und Prüfziffer.".into(),
                    "The IBAN is not valid. Please check its length and check digits.".into(),
                ),
                Invalid::Postcode => pick(
                    "Bitte eine fünfstellige Postleitzahl eingeben.".into(),
                    "Please enter a five-digit German postcode.".into(),
                ),
                Invalid::SteuerId => pick(
                    "Die Steuer-ID ist nicht gültig. Sie hat 11 Ziffern; bitte Ziffern und Prüfziffer prüfen.".into(),
                    "The tax ID is not valid. It has 11 digits; please check the digits and the check digit.".into(),
                ),
                Invalid::VehiclePlate => pick(
                    "Bitte ein Kennzeichen wie „HF-AB 123“ eingeben.".into(),
                    "Please enter a registration plate such as \"HF-AB 123\".".into(),
                ),
            },
            Issue::InvalidDate => {
                pick("Bitte ein gültiges Datum eingeben.".into(), "Please enter a valid date.".into())
            }
            Issue::InvalidTime => pick(
                "Bitte eine gültige Uhrzeit eingeben, z. B. 14:30.".into(),
                "Please enter a valid time, e.g. 14:30.".into(),
            ),
            Issue::InvalidDateTime => pick(
                "Bitte ein gültiges Datum mit Uhrzeit eingeben.".into(),
                "Please enter a valid date and time.".into(),
            ),
            Issue::TooEarly(de, en) => {
                pick(format!("Bitte frühestens {de} angeben."), format!("Please give {en} or later."))
            }
            Issue::TooLate(de, en) => {
                pick(format!("Bitte spätestens {de} angeben."), format!("Please give {en} or earlier."))
            }
            Issue::DateInFuture => {
                pick("Das Datum darf nicht in der Zukunft liegen.".into(), "The date must not be in the future.".into())
            }
            Issue::DateInPast => pick(
                "Das Datum darf nicht in der Vergangenheit liegen.".into(),
                "The date must not be in the past.".into(),
            ),
            Issue::BelowMinAge(n) => pick(
                format!("Die Person muss mindestens {n} Jahre alt sein."),
                format!("The person must be at least {n} years old."),
            ),
            Issue::AboveMaxAge(n) => pick(
                format!("Die Person darf höchstens {n} Jahre alt sein."),
                format!("The person must be at most {n} years old."),
            ),
            Issue::UnknownField => {
                pick("Dieses Feld gehört nicht zum Formular.".into(), "This field is not part of the form.".into())
            }
            Issue::TooManyFiles(n) => {
                pick(format!("Höchstens {n} Dateien sind möglich."), format!("At most {n} files are possible."))
            }
            Issue::FileType => pick(
                "Dieser Dateityp wird hier nicht angenommen.".into(),
                "This file type is not accepted here.".into(),
            ),
            Issue::FileTooLarge(kb) => pick(
                format!("Die Datei ist zu groß (höchstens {kb} KB)."),
                format!("The file is too large (at most {kb} KB)."),
            ),
            Issue::Constraint(_, message) => message.clone(),
        }
    }
}

fn type_de(what: &str) -> &'static str {
    match what {
        "a whole number" => "eine ganze Zahl",
        "a number" => "eine Zahl",
        "an amount in euros" => "einen Betrag in Euro",
        "yes or no" => "Ja oder Nein",
        "a list" => "eine Auswahl",
        "an address" => "eine Anschrift",
        "files" => "Dateien",
        _ => "einen Text",
    }
}
