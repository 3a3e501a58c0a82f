//! German, the language of the clerk and of every language without its own table.

use super::{Issue, comma};
use crate::validators::Invalid;

pub(super) fn message(issue: &Issue) -> String {
    match issue {
        Issue::Required => "Bitte ausfüllen.".into(),
        Issue::Type(what) => format!("Bitte geben Sie {} ein.", expected(what)),
        Issue::TooShort(n) => format!("Bitte mindestens {n} Zeichen eingeben."),
        Issue::TooLong(n) => format!("Bitte höchstens {n} Zeichen eingeben."),
        Issue::PatternMismatch(_) => {
            "Die Eingabe hat nicht die verlangte Form. Bitte prüfen Sie die Schreibweise.".into()
        }
        Issue::BelowMin(d) => format!("Der Wert muss mindestens {} sein.", comma(*d)),
        Issue::AboveMax(d) => format!("Der Wert darf höchstens {} sein.", comma(*d)),
        Issue::FractionDigits(n) => format!("Bitte höchstens {n} Nachkommastellen eingeben."),
        Issue::InvalidChoice => "Bitte wählen Sie eine der angebotenen Möglichkeiten.".into(),
        Issue::TooFewSelected(n) => format!("Bitte mindestens {n} auswählen."),
        Issue::TooManySelected(n) => format!("Bitte höchstens {n} auswählen."),
        Issue::TooFewItems(n) => format!("Bitte mindestens {n} Einträge anlegen."),
        Issue::TooManyItems(n) => format!("Höchstens {n} Einträge sind möglich."),
        Issue::Invalid(i) => match i {
            Invalid::Email => "Bitte eine gültige E-Mail-Adresse eingeben, z. B. name@example.de.",
            Invalid::Phone => "Bitte eine gültige Telefonnummer eingeben, z. B. 05221 189-0 oder +49 5221 1890.",
            Invalid::Iban => "Die IBAN ist nicht gültig. Bitte prüfen Sie Länge und Prüfziffer.",
            Invalid::Postcode => "Bitte eine fünfstellige Postleitzahl eingeben.",
            Invalid::SteuerId => {
                "Die Steuer-ID ist nicht gültig. Sie hat 11 Ziffern; bitte Ziffern und Prüfziffer prüfen."
            }
            Invalid::VehiclePlate => "Bitte ein Kennzeichen wie „HF-AB 123“ eingeben.",
        }
        .into(),
        Issue::InvalidDate => "Bitte ein gültiges Datum eingeben.".into(),
        Issue::InvalidTime => "Bitte eine gültige Uhrzeit eingeben, z. B. 14:30.".into(),
        Issue::InvalidDateTime => "Bitte ein gültiges Datum mit Uhrzeit eingeben.".into(),
        Issue::TooEarly(m) => format!("Bitte frühestens {} angeben.", m.shown("de")),
        Issue::TooLate(m) => format!("Bitte spätestens {} angeben.", m.shown("de")),
        Issue::DateInFuture => "Das Datum darf nicht in der Zukunft liegen.".into(),
        Issue::DateInPast => "Das Datum darf nicht in der Vergangenheit liegen.".into(),
        Issue::BelowMinAge(n) => format!("Die Person muss mindestens {n} Jahre alt sein."),
        Issue::AboveMaxAge(n) => format!("Die Person darf höchstens {n} Jahre alt sein."),
        Issue::UnknownField => "Dieses Feld gehört nicht zum Formular.".into(),
        Issue::TooManyFiles(n) => format!("Höchstens {n} Dateien sind möglich."),
        Issue::FileType => "Dieser Dateityp wird hier nicht angenommen.".into(),
        Issue::FileTooLarge(kb) => format!("Die Datei ist zu groß (höchstens {kb} KB)."),
        Issue::Constraint(_, own) => own.clone(),
    }
}

/// What a field expects, for "Bitte geben Sie … ein."
fn expected(what: &str) -> &'static str {
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
