//! Russian, addressing the citizen formally («Вы»).

use super::{Issue, comma, slavic};
use crate::validators::Invalid;

/// `n` with its noun in the right form: `1 символ`, `3 символа`, `5 символов`.
fn count(n: impl Into<u64>, forms: [&str; 3]) -> String {
    let n = n.into();
    format!("{n} {}", slavic(n, forms))
}

const CHARACTERS: [&str; 3] = ["символ", "символа", "символов"];
const OPTIONS: [&str; 3] = ["вариант", "варианта", "вариантов"];
const ENTRIES: [&str; 3] = ["запись", "записи", "записей"];
const YEARS: [&str; 3] = ["год", "года", "лет"];

pub(super) fn message(issue: &Issue) -> String {
    match issue {
        Issue::Required => "Пожалуйста, заполните это поле.".into(),
        Issue::Type(what) => expected(what).into(),
        Issue::TooShort(n) => format!("Пожалуйста, введите минимум {}.", count(*n, CHARACTERS)),
        Issue::TooLong(n) => format!("Пожалуйста, введите максимум {}.", count(*n, CHARACTERS)),
        Issue::PatternMismatch(_) => "Введённые данные имеют неверный формат. Пожалуйста, проверьте написание.".into(),
        Issue::BelowMin(d) => format!("Значение должно быть не меньше {}.", comma(*d)),
        Issue::AboveMax(d) => format!("Значение должно быть не больше {}.", comma(*d)),
        Issue::FractionDigits(n) => {
            format!("Пожалуйста, введите максимум {} после запятой.", count(*n, ["знак", "знака", "знаков"]))
        }
        Issue::InvalidChoice => "Пожалуйста, выберите один из предложенных вариантов.".into(),
        Issue::TooFewSelected(n) => format!("Пожалуйста, выберите минимум {}.", count(*n, OPTIONS)),
        Issue::TooManySelected(n) => format!("Пожалуйста, выберите максимум {}.", count(*n, OPTIONS)),
        Issue::TooFewItems(n) => format!("Пожалуйста, добавьте минимум {}.", count(*n, ENTRIES)),
        Issue::TooManyItems(n) => format!("Можно добавить максимум {}.", count(*n, ENTRIES)),
        Issue::Invalid(i) => match i {
            Invalid::Email => "Пожалуйста, введите действительный адрес электронной почты, например name@example.de.",
            Invalid::Phone => {
                "Пожалуйста, введите действительный номер телефона, например 05221 189-0 или +49 5221 1890."
            }
            Invalid::Iban => "IBAN недействителен. Пожалуйста, проверьте длину и контрольные цифры.",
            Invalid::Postcode => "Пожалуйста, введите пятизначный почтовый индекс.",
            Invalid::SteuerId => {
                "Налоговый номер (Steuer-ID) недействителен. Он состоит из 11 цифр; пожалуйста, проверьте цифры и контрольную цифру."
            }
            Invalid::VehiclePlate => "Пожалуйста, введите номерной знак, например «HF-AB 123».",
        }
        .into(),
        Issue::InvalidDate => "Пожалуйста, введите действительную дату.".into(),
        Issue::InvalidTime => "Пожалуйста, введите действительное время, например 14:30.".into(),
        Issue::InvalidDateTime => "Пожалуйста, введите действительные дату и время.".into(),
        Issue::TooEarly(m) => format!("Пожалуйста, укажите не ранее {}.", m.shown("ru")),
        Issue::TooLate(m) => format!("Пожалуйста, укажите не позднее {}.", m.shown("ru")),
        Issue::DateInFuture => "Дата не может быть в будущем.".into(),
        Issue::DateInPast => "Дата не может быть в прошлом.".into(),
        Issue::BelowMinAge(n) => format!("Человеку должно быть минимум {}.", count(*n, YEARS)),
        Issue::AboveMaxAge(n) => format!("Человеку должно быть максимум {}.", count(*n, YEARS)),
        Issue::UnknownField => "Это поле не относится к форме.".into(),
        Issue::TooManyFiles(n) => format!("Можно добавить максимум {}.", count(*n, ["файл", "файла", "файлов"])),
        Issue::FileType => "Файлы этого типа здесь не принимаются.".into(),
        Issue::FileTooLarge(kb) => format!("Файл слишком большой (максимум {kb} КБ)."),
        Issue::Constraint(_, own) => own.clone(),
    }
}

/// "Please enter …" for what a field expects.
fn expected(what: &str) -> &'static str {
    match what {
        "a whole number" => "Пожалуйста, введите целое число.",
        "a number" => "Пожалуйста, введите число.",
        "an amount in euros" => "Пожалуйста, введите сумму в евро.",
        "yes or no" => "Пожалуйста, выберите «Да» или «Нет».",
        "a list" => "Пожалуйста, выберите варианты из списка.",
        "an address" => "Пожалуйста, введите адрес.",
        "files" => "Пожалуйста, добавьте файлы.",
        _ => "Пожалуйста, введите текст.",
    }
}
