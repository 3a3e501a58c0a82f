//! Ukrainian, addressing the citizen formally («Ви»).

use super::{Issue, comma, slavic};
use crate::validators::Invalid;

/// `n` with its noun in the right form: `1 символ`, `3 символи`, `5 символів`.
fn count(n: impl Into<u64>, forms: [&str; 3]) -> String {
    let n = n.into();
    format!("{n} {}", slavic(n, forms))
}

const CHARACTERS: [&str; 3] = ["символ", "символи", "символів"];
const OPTIONS: [&str; 3] = ["варіант", "варіанти", "варіантів"];
const ENTRIES: [&str; 3] = ["запис", "записи", "записів"];

pub(super) fn message(issue: &Issue) -> String {
    match issue {
        Issue::Required => "Будь ласка, заповніть це поле.".into(),
        Issue::Type(what) => expected(what).into(),
        Issue::TooShort(n) => format!("Будь ласка, введіть щонайменше {}.", count(*n, CHARACTERS)),
        Issue::TooLong(n) => format!("Будь ласка, введіть щонайбільше {}.", count(*n, CHARACTERS)),
        Issue::PatternMismatch(_) => "Введені дані мають неправильний формат. Будь ласка, перевірте написання.".into(),
        Issue::BelowMin(d) => format!("Значення має бути не менше {}.", comma(*d)),
        Issue::AboveMax(d) => format!("Значення має бути не більше {}.", comma(*d)),
        Issue::FractionDigits(n) => {
            format!("Будь ласка, введіть щонайбільше {} після коми.", count(*n, ["знак", "знаки", "знаків"]))
        }
        Issue::InvalidChoice => "Будь ласка, виберіть один із запропонованих варіантів.".into(),
        Issue::TooFewSelected(n) => format!("Будь ласка, виберіть щонайменше {}.", count(*n, OPTIONS)),
        Issue::TooManySelected(n) => format!("Будь ласка, виберіть щонайбільше {}.", count(*n, OPTIONS)),
        Issue::TooFewItems(n) => format!("Будь ласка, додайте щонайменше {}.", count(*n, ENTRIES)),
        Issue::TooManyItems(n) => format!("Можна додати щонайбільше {}.", count(*n, ENTRIES)),
        Issue::Invalid(i) => match i {
            Invalid::Email => "Будь ласка, введіть дійсну адресу електронної пошти, напр. name@example.de.",
            Invalid::Phone => "Будь ласка, введіть дійсний номер телефону, напр. 05221 189-0 або +49 5221 1890.",
            Invalid::Iban => "IBAN недійсний. Будь ласка, перевірте довжину та контрольні цифри.",
            Invalid::Postcode => "Будь ласка, введіть п’ятизначний поштовий індекс.",
            Invalid::SteuerId => {
                "Податковий номер (Steuer-ID) недійсний. Він має 11 цифр; будь ласка, перевірте цифри та контрольну цифру."
            }
            Invalid::VehiclePlate => "Будь ласка, введіть номерний знак, наприклад «HF-AB 123».",
        }
        .into(),
        Issue::InvalidDate => "Будь ласка, введіть дійсну дату.".into(),
        Issue::InvalidTime => "Будь ласка, введіть дійсний час, напр. 14:30.".into(),
        Issue::InvalidDateTime => "Будь ласка, введіть дійсні дату й час.".into(),
        Issue::TooEarly(m) => format!("Будь ласка, вкажіть не раніше ніж {}.", m.shown("uk")),
        Issue::TooLate(m) => format!("Будь ласка, вкажіть не пізніше ніж {}.", m.shown("uk")),
        Issue::DateInFuture => "Дата не може бути в майбутньому.".into(),
        Issue::DateInPast => "Дата не може бути в минулому.".into(),
        Issue::BelowMinAge(n) => format!("Особі має бути щонайменше {}.", count(*n, ["рік", "роки", "років"])),
        Issue::AboveMaxAge(n) => format!("Особі може бути щонайбільше {}.", count(*n, ["рік", "роки", "років"])),
        Issue::UnknownField => "Це поле не належить до форми.".into(),
        Issue::TooManyFiles(n) => format!("Можна додати щонайбільше {}.", count(*n, ["файл", "файли", "файлів"])),
        Issue::FileType => "Файли цього типу тут не приймаються.".into(),
        Issue::FileTooLarge(kb) => format!("Файл завеликий (щонайбільше {kb} КБ)."),
        Issue::Constraint(_, own) => own.clone(),
    }
}

/// "Please enter …" for what a field expects.
fn expected(what: &str) -> &'static str {
    match what {
        "a whole number" => "Будь ласка, введіть ціле число.",
        "a number" => "Будь ласка, введіть число.",
        "an amount in euros" => "Будь ласка, введіть суму в євро.",
        "yes or no" => "Будь ласка, виберіть «Так» або «Ні».",
        "a list" => "Будь ласка, виберіть варіанти зі списку.",
        "an address" => "Будь ласка, введіть адресу.",
        "files" => "Будь ласка, додайте файли.",
        _ => "Будь ласка, введіть текст.",
    }
}
