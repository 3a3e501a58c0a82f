//! Turkish, addressing the citizen formally («siz»).

use super::{Issue, comma};
use crate::validators::Invalid;

pub(super) fn message(issue: &Issue) -> String {
    match issue {
        Issue::Required => "Lütfen bu alanı doldurun.".into(),
        Issue::Type(what) => expected(what).into(),
        Issue::TooShort(n) => format!("Lütfen en az {n} karakter girin."),
        Issue::TooLong(n) => format!("Lütfen en fazla {n} karakter girin."),
        Issue::PatternMismatch(_) => "Girdiğiniz bilgi istenen biçimde değil. Lütfen yazımı kontrol edin.".into(),
        Issue::BelowMin(d) => format!("Değer en az {} olmalıdır.", comma(*d)),
        Issue::AboveMax(d) => format!("Değer en fazla {} olabilir.", comma(*d)),
        Issue::FractionDigits(n) => format!("Lütfen virgülden sonra en fazla {n} basamak girin."),
        Issue::InvalidChoice => "Lütfen sunulan seçeneklerden birini seçin.".into(),
        Issue::TooFewSelected(n) => format!("Lütfen en az {n} seçenek seçin."),
        Issue::TooManySelected(n) => format!("Lütfen en fazla {n} seçenek seçin."),
        Issue::TooFewItems(n) => format!("Lütfen en az {n} kayıt ekleyin."),
        Issue::TooManyItems(n) => format!("En fazla {n} kayıt eklenebilir."),
        Issue::Invalid(i) => match i {
            Invalid::Email => "Lütfen geçerli bir e-posta adresi girin, örneğin name@example.de.",
            Invalid::Phone => "Lütfen geçerli bir telefon numarası girin, örneğin 05221 189-0 veya +49 5221 1890.",
            Invalid::Iban => "IBAN geçerli değil. Lütfen uzunluğunu ve kontrol basamaklarını kontrol edin.",
            Invalid::Postcode => "Lütfen beş haneli bir posta kodu girin.",
            Invalid::SteuerId => {
                "Vergi kimlik numarası (Steuer-ID) geçerli değil. 11 haneden oluşur; lütfen rakamları ve kontrol basamağını kontrol edin."
            }
            Invalid::VehiclePlate => "Lütfen “HF-AB 123” gibi bir plaka girin.",
        }
        .into(),
        Issue::InvalidDate => "Lütfen geçerli bir tarih girin.".into(),
        Issue::InvalidTime => "Lütfen geçerli bir saat girin, örneğin 14:30.".into(),
        Issue::InvalidDateTime => "Lütfen geçerli bir tarih ve saat girin.".into(),
        Issue::TooEarly(m) => format!("En erken {} girilebilir.", m.shown("tr")),
        Issue::TooLate(m) => format!("En geç {} girilebilir.", m.shown("tr")),
        Issue::DateInFuture => "Tarih gelecekte olamaz.".into(),
        Issue::DateInPast => "Tarih geçmişte olamaz.".into(),
        Issue::BelowMinAge(n) => format!("Kişi en az {n} yaşında olmalıdır."),
        Issue::AboveMaxAge(n) => format!("Kişi en fazla {n} yaşında olabilir."),
        Issue::UnknownField => "Bu alan forma ait değil.".into(),
        Issue::TooManyFiles(n) => format!("En fazla {n} dosya eklenebilir."),
        Issue::FileType => "Bu dosya türü burada kabul edilmiyor.".into(),
        Issue::FileTooLarge(kb) => format!("Dosya çok büyük (en fazla {kb} KB)."),
        Issue::Constraint(_, own) => own.clone(),
    }
}

/// "Please enter …" for what a field expects.
fn expected(what: &str) -> &'static str {
    match what {
        "a whole number" => "Lütfen bir tam sayı girin.",
        "a number" => "Lütfen bir sayı girin.",
        "an amount in euros" => "Lütfen avro cinsinden bir tutar girin.",
        "yes or no" => "Lütfen Evet veya Hayır seçin.",
        "a list" => "Lütfen listeden seçim yapın.",
        "an address" => "Lütfen bir adres girin.",
        "files" => "Lütfen dosya ekleyin.",
        _ => "Lütfen bir metin girin.",
    }
}
