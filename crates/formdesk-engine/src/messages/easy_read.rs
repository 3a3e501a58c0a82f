//! Leichte Sprache (`de-x-ls`), easy-read German: short sentences, common words, one statement per sentence,
//! the reader addressed as «Sie», long compound words split with a middle dot (`Telefon·nummer`).

use super::{Issue, comma};
use crate::validators::Invalid;

/// `n` with the singular or the plural: `1 Antwort`, `2 Antworten`.
fn count(n: u32, one: &str, more: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { more })
}

pub(super) fn message(issue: &Issue) -> String {
    match issue {
        Issue::Required => "Hier fehlt noch etwas. Bitte füllen Sie das Feld aus.".into(),
        Issue::Type(what) => expected(what).into(),
        Issue::TooShort(n) => {
            format!("Das ist zu kurz. Bitte schreiben Sie mindestens {n} Buchstaben oder Zahlen.")
        }
        Issue::TooLong(n) => format!("Das ist zu lang. Bitte schreiben Sie höchstens {n} Buchstaben oder Zahlen."),
        Issue::PatternMismatch(_) => "Das stimmt so nicht. Bitte prüfen Sie: Ist alles richtig geschrieben?".into(),
        Issue::BelowMin(d) => format!("Die Zahl ist zu klein. Die Zahl muss mindestens {} sein.", comma(*d)),
        Issue::AboveMax(d) => format!("Die Zahl ist zu groß. Die Zahl darf höchstens {} sein.", comma(*d)),
        Issue::FractionDigits(n) => {
            format!("Bitte schreiben Sie nach dem Komma höchstens {}.", count(*n, "Zahl", "Zahlen"))
        }
        Issue::InvalidChoice => "Bitte wählen Sie eine Antwort aus der Liste.".into(),
        Issue::TooFewSelected(n) => {
            format!("Bitte wählen Sie mindestens {} aus.", count(*n, "Antwort", "Antworten"))
        }
        Issue::TooManySelected(n) => {
            format!("Bitte wählen Sie höchstens {} aus.", count(*n, "Antwort", "Antworten"))
        }
        Issue::TooFewItems(n) => format!("Bitte machen Sie mindestens {}.", count(*n, "Eintrag", "Einträge")),
        Issue::TooManyItems(n) => {
            format!("Das sind zu viele Einträge. Es gehen höchstens {}.", count(*n, "Eintrag", "Einträge"))
        }
        Issue::Invalid(i) => match i {
            Invalid::Email => "Die E-Mail-Adresse stimmt nicht. Zum Beispiel so: name@example.de",
            Invalid::Phone => "Die Telefon·nummer stimmt nicht. Zum Beispiel so: 05221 189-0 oder +49 5221 1890",
            Invalid::Iban => "Die IBAN stimmt nicht. Bitte prüfen Sie jede Zahl und jeden Buchstaben.",
            Invalid::Postcode => "Die Post·leitzahl stimmt nicht. Eine Post·leitzahl hat 5 Zahlen.",
            Invalid::SteuerId => "Die Steuer-ID stimmt nicht. Die Steuer-ID hat 11 Zahlen. Bitte prüfen Sie jede Zahl.",
            Invalid::VehiclePlate => "Das Kenn·zeichen stimmt nicht. Zum Beispiel so: HF-AB 123",
        }
        .into(),
        Issue::InvalidDate => "Das Datum stimmt nicht. Bitte schreiben Sie ein richtiges Datum.".into(),
        Issue::InvalidTime => "Die Uhrzeit stimmt nicht. Zum Beispiel so: 14:30".into(),
        Issue::InvalidDateTime => "Das stimmt nicht. Bitte schreiben Sie ein Datum und eine Uhrzeit.".into(),
        Issue::TooEarly(m) => format!("Das ist zu früh. Bitte schreiben Sie {} oder später.", m.shown("de-x-ls")),
        Issue::TooLate(m) => format!("Das ist zu spät. Bitte schreiben Sie {} oder früher.", m.shown("de-x-ls")),
        Issue::DateInFuture => {
            "Das Datum ist in der Zukunft. Bitte schreiben Sie ein Datum von heute oder früher.".into()
        }
        Issue::DateInPast => "Das Datum ist schon vorbei. Bitte schreiben Sie ein Datum von heute oder später.".into(),
        Issue::BelowMinAge(n) => {
            format!("Die Person ist zu jung. Die Person muss mindestens {} alt sein.", count(*n, "Jahr", "Jahre"))
        }
        Issue::AboveMaxAge(n) => {
            format!("Die Person ist zu alt. Die Person darf höchstens {} alt sein.", count(*n, "Jahr", "Jahre"))
        }
        Issue::UnknownField => "Dieses Feld gehört nicht zu dem Formular.".into(),
        Issue::TooManyFiles(n) => {
            format!("Das sind zu viele Dateien. Es gehen höchstens {}.", count(*n, "Datei", "Dateien"))
        }
        Issue::FileType => "Diese Art von Datei geht hier nicht.".into(),
        Issue::FileTooLarge(kb) => format!("Die Datei ist zu groß. Es gehen höchstens {kb} KB."),
        Issue::Constraint(_, own) => own.clone(),
    }
}

/// What a field expects, in one short sentence.
fn expected(what: &str) -> &'static str {
    match what {
        "a whole number" => "Bitte schreiben Sie eine ganze Zahl. Zum Beispiel: 3",
        "a number" => "Bitte schreiben Sie eine Zahl.",
        "an amount in euros" => "Bitte schreiben Sie einen Betrag in Euro.",
        "yes or no" => "Bitte wählen Sie: Ja oder Nein.",
        "a list" => "Bitte wählen Sie etwas aus der Liste.",
        "an address" => "Bitte schreiben Sie eine Adresse.",
        "files" => "Bitte fügen Sie Dateien hinzu.",
        _ => "Bitte schreiben Sie einen Text.",
    }
}
