use super::*;
use std::str::FromStr;

/// Every citizen language with its own table.
const LANGUAGES: [&str; 7] = ["de", "en", "uk", "ar", "ru", "tr", "de-x-ls"];

/// The English words `Issue::Type` is made with in `evaluate`.
const EXPECTED: [&str; 8] =
    ["a text", "a whole number", "a number", "an amount in euros", "yes or no", "a list", "an address", "files"];

fn decimal(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// One issue of every kind the tables word (the form's own messages are tested apart), with parameters that
/// are easy to find in the text.
fn issues() -> Vec<Issue> {
    let mut all: Vec<Issue> = EXPECTED.iter().map(|w| Issue::Type(w)).collect();
    all.extend([
        Issue::Required,
        Issue::TooShort(7),
        Issue::TooLong(23),
        Issue::PatternMismatch(None),
        Issue::BelowMin(decimal("2.5")),
        Issue::AboveMax(decimal("1234.75")),
        Issue::FractionDigits(2),
        Issue::InvalidChoice,
        Issue::TooFewSelected(3),
        Issue::TooManySelected(4),
        Issue::TooFewItems(5),
        Issue::TooManyItems(6),
        Issue::Invalid(Invalid::Email),
        Issue::Invalid(Invalid::Phone),
        Issue::Invalid(Invalid::Iban),
        Issue::Invalid(Invalid::Postcode),
        Issue::Invalid(Invalid::SteuerId),
        Issue::Invalid(Invalid::VehiclePlate),
        Issue::InvalidDate,
        Issue::InvalidTime,
        Issue::InvalidDateTime,
        Issue::TooEarly(Moment::Time("08:00".into())),
        Issue::TooLate(Moment::DateTime("2026-12-06T14:30".into())),
        Issue::DateInFuture,
        Issue::DateInPast,
        Issue::BelowMinAge(18),
        Issue::AboveMaxAge(67),
        Issue::UnknownField,
        Issue::TooManyFiles(8),
        Issue::FileType,
        Issue::FileTooLarge(2048),
    ]);
    all
}

/// The parameter a message must show, as `lang` writes it. Exhaustive, so that a new kind of issue has to be
/// added to [`issues`] and decided here.
fn parameter(issue: &Issue, lang: &str) -> Option<String> {
    let en = lang == "en";
    match issue {
        Issue::TooShort(n)
        | Issue::TooLong(n)
        | Issue::FractionDigits(n)
        | Issue::TooFewSelected(n)
        | Issue::TooManySelected(n)
        | Issue::TooFewItems(n)
        | Issue::TooManyItems(n)
        | Issue::BelowMinAge(n)
        | Issue::AboveMaxAge(n)
        | Issue::TooManyFiles(n) => Some(n.to_string()),
        Issue::FileTooLarge(kb) => Some(kb.to_string()),
        Issue::BelowMin(d) | Issue::AboveMax(d) => {
            Some(if en { d.to_string() } else { d.to_string().replace('.', ",") })
        }
        Issue::Invalid(Invalid::Email) => Some(if en { "name@example.com" } else { "name@example.de" }.into()),
        Issue::Invalid(Invalid::Phone) => Some("+49 5221 1890".into()),
        Issue::Invalid(Invalid::VehiclePlate) => Some("HF-AB 123".into()),
        Issue::Invalid(Invalid::SteuerId) => Some("11".into()),
        Issue::InvalidTime => Some("14:30".into()),
        Issue::TooEarly(_) => Some(if lang.starts_with("de") { "08:00 Uhr" } else { "08:00" }.into()),
        Issue::TooLate(_) => Some(
            match lang {
                "de" | "de-x-ls" => "06.12.2026, 14:30 Uhr",
                "en" => "06/12/2026, 14:30",
                _ => "06.12.2026, 14:30",
            }
            .into(),
        ),
        Issue::Required
        | Issue::Type(_)
        | Issue::PatternMismatch(_)
        | Issue::InvalidChoice
        | Issue::Invalid(Invalid::Iban | Invalid::Postcode)
        | Issue::InvalidDate
        | Issue::InvalidDateTime
        | Issue::DateInFuture
        | Issue::DateInPast
        | Issue::UnknownField
        | Issue::FileType
        | Issue::Constraint(..) => None,
    }
}

#[test]
fn every_issue_has_its_own_wording_in_every_citizen_language() {
    for issue in issues() {
        let german = issue.message("de");
        for lang in LANGUAGES {
            let text = issue.message(lang);
            assert!(!text.trim().is_empty(), "{lang}: {issue:?} has no message");
            if lang != "de" {
                assert_ne!(text, german, "{lang}: {issue:?} is still German");
            }
            if let Some(p) = parameter(&issue, lang) {
                assert!(text.contains(&p), "{lang}: {issue:?} should show {p:?}: {text}");
            }
        }
    }
}

#[test]
fn each_language_tells_the_expected_types_apart() {
    for lang in LANGUAGES {
        let mut texts: Vec<String> = EXPECTED.iter().map(|w| Issue::Type(w).message(lang)).collect();
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), EXPECTED.len(), "{lang}: two types share a message: {texts:?}");
    }
}

#[test]
fn the_scripts_are_the_languages_own() {
    let cyrillic = |s: &str| s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
    let arabic = |s: &str| s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    for issue in issues() {
        assert!(cyrillic(&issue.message("uk")), "uk: {issue:?}");
        assert!(cyrillic(&issue.message("ru")), "ru: {issue:?}");
        assert!(arabic(&issue.message("ar")), "ar: {issue:?}");
        for lang in ["de", "en", "tr", "de-x-ls"] {
            let text = issue.message(lang);
            assert!(!cyrillic(&text) && !arabic(&text), "{lang}: {issue:?}: {text}");
        }
    }
    assert_ne!(Issue::Required.message("uk"), Issue::Required.message("ru"));
}

#[test]
fn an_unknown_language_reads_german() {
    for issue in issues() {
        for lang in ["fr", "pl", "", "uk-UA"] {
            assert_eq!(issue.message(lang), issue.message("de"), "{lang:?}: {issue:?}");
        }
    }
}

#[test]
fn german_and_english_read_as_before() {
    let cases = [
        (Issue::Required, "Bitte ausfüllen.", "Please fill in."),
        (
            Issue::Type("an amount in euros"),
            "Bitte geben Sie einen Betrag in Euro ein.",
            "Please enter an amount in euros.",
        ),
        (Issue::BelowMin(decimal("2.5")), "Der Wert muss mindestens 2,5 sein.", "The value must be at least 2.5."),
        (
            Issue::TooEarly(Moment::Time("08:00".into())),
            "Bitte frühestens 08:00 Uhr angeben.",
            "Please give 08:00 or later.",
        ),
        (
            Issue::TooLate(Moment::DateTime("2026-12-06T14:30".into())),
            "Bitte spätestens 06.12.2026, 14:30 Uhr angeben.",
            "Please give 06/12/2026, 14:30 or earlier.",
        ),
        (
            Issue::Invalid(Invalid::VehiclePlate),
            "Bitte ein Kennzeichen wie „HF-AB 123“ eingeben.",
            "Please enter a registration plate such as \"HF-AB 123\".",
        ),
        (
            Issue::FileTooLarge(2048),
            "Die Datei ist zu groß (höchstens 2048 KB).",
            "The file is too large (at most 2048 KB).",
        ),
    ];
    for (issue, de, en) in cases {
        assert_eq!(issue.message("de"), de);
        assert_eq!(issue.message("en"), en);
    }
}

#[test]
fn the_forms_own_messages_come_from_the_form() {
    let own = Text(
        [("de", "Nur Ziffern."), ("uk", "Лише цифри.")]
            .into_iter()
            .map(|(l, t)| (l.to_owned(), t.to_owned()))
            .collect(),
    );
    let pattern = Issue::PatternMismatch(Some(own));
    assert_eq!(pattern.message("uk"), "Лише цифри.");
    assert_eq!(pattern.message("ar"), "Nur Ziffern.", "a form without Arabic gives its German text");
    let constraint = Issue::Constraint("nur_gerade".into(), "Тільки парні числа.".into());
    assert_eq!(constraint.message("uk"), "Тільки парні числа.");
    assert_eq!(constraint.code(), "nur_gerade");
}

#[test]
fn ukrainian_and_russian_count_with_the_right_noun_form() {
    assert_eq!(Issue::TooShort(1).message("uk"), "Будь ласка, введіть щонайменше 1 символ.");
    assert_eq!(Issue::TooShort(3).message("uk"), "Будь ласка, введіть щонайменше 3 символи.");
    assert_eq!(Issue::TooShort(11).message("uk"), "Будь ласка, введіть щонайменше 11 символів.");
    assert_eq!(Issue::TooShort(22).message("uk"), "Будь ласка, введіть щонайменше 22 символи.");
    assert_eq!(Issue::BelowMinAge(18).message("uk"), "Особі має бути щонайменше 18 років.");
    assert_eq!(Issue::BelowMinAge(21).message("ru"), "Человеку должно быть минимум 21 год.");
    assert_eq!(Issue::BelowMinAge(18).message("ru"), "Человеку должно быть минимум 18 лет.");
    assert_eq!(Issue::TooManyItems(112).message("ru"), "Можно добавить максимум 112 записей.");
    assert_eq!(Issue::TooFewItems(2).message("ru"), "Пожалуйста, добавьте минимум 2 записи.");
    assert_eq!(slavic(0, ["a", "b", "c"]), "c");
    assert_eq!(slavic(101, ["a", "b", "c"]), "a");
    assert_eq!(slavic(114, ["a", "b", "c"]), "c");
}

#[test]
fn arabic_keeps_examples_and_moments_left_to_right() {
    let phone = Issue::Invalid(Invalid::Phone).message("ar");
    assert!(phone.contains("\u{2066}05221 189-0\u{2069}"), "{phone}");
    assert!(phone.contains("\u{2066}+49 5221 1890\u{2069}"), "{phone}");
    let late = Issue::TooLate(Moment::DateTime("2026-12-06T14:30".into())).message("ar");
    assert!(late.contains("\u{2066}06.12.2026, 14:30\u{2069}"), "{late}");
    assert!(Issue::BelowMin(decimal("-0.5")).message("ar").contains("\u{2066}-0,5\u{2069}"));
    for issue in issues() {
        let text = issue.message("ar");
        assert_eq!(text.matches('\u{2066}').count(), text.matches('\u{2069}').count(), "{text}");
    }
}

#[test]
fn leichte_sprache_keeps_sentences_and_words_short() {
    for issue in issues() {
        let text = issue.message("de-x-ls");
        for sentence in text.split(['.', '?', ':']).map(str::trim).filter(|s| !s.is_empty()) {
            let words = sentence.split_whitespace().count();
            assert!(words <= 10, "{words} words: {sentence:?}");
        }
        for word in text.split(|c: char| !c.is_alphabetic()) {
            assert!(word.chars().count() <= 11, "a long word without a middle dot: {word:?} in {text:?}");
        }
    }
    assert_eq!(Issue::TooFewSelected(1).message("de-x-ls"), "Bitte wählen Sie mindestens 1 Antwort aus.");
    assert_eq!(Issue::TooFewSelected(2).message("de-x-ls"), "Bitte wählen Sie mindestens 2 Antworten aus.");
}
