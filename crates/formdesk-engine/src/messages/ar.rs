//! Arabic (Modern Standard Arabic), in the impersonal formal register («يُرجى …»), which needs no choice of
//! gender. Counts are phrased as "the number of … must not be below n", so no number has to agree with its noun.
//!
//! Western digits are kept, as on the citizen's German documents. Examples, decimal bounds and date-and-time
//! bounds are isolated left to right (U+2066 … U+2069), so that a right-to-left paragraph does not reorder their
//! parts (`05221 189-0` would otherwise show as `189-0 05221`, and `-0,5` as `0,5-`).

use super::{Issue, comma};
use crate::validators::Invalid;

/// `text` isolated left to right inside right-to-left text.
fn ltr(text: &str) -> String {
    format!("\u{2066}{text}\u{2069}")
}

pub(super) fn message(issue: &Issue) -> String {
    match issue {
        Issue::Required => "يُرجى ملء هذا الحقل.".into(),
        Issue::Type(what) => expected(what).into(),
        Issue::TooShort(n) => format!("يجب ألا يقل عدد الأحرف عن {n}."),
        Issue::TooLong(n) => format!("يجب ألا يزيد عدد الأحرف على {n}."),
        Issue::PatternMismatch(_) => "الإدخال ليس بالشكل المطلوب. يُرجى التحقق من طريقة الكتابة.".into(),
        Issue::BelowMin(d) => format!("يجب ألا تقل القيمة عن {}.", ltr(&comma(*d))),
        Issue::AboveMax(d) => format!("يجب ألا تزيد القيمة على {}.", ltr(&comma(*d))),
        Issue::FractionDigits(n) => format!("يجب ألا يزيد عدد المنازل العشرية على {n}."),
        Issue::InvalidChoice => "يُرجى اختيار أحد الخيارات المعروضة.".into(),
        Issue::TooFewSelected(n) => format!("يجب ألا يقل عدد الخيارات المحددة عن {n}."),
        Issue::TooManySelected(n) => format!("يجب ألا يزيد عدد الخيارات المحددة على {n}."),
        Issue::TooFewItems(n) => format!("يجب ألا يقل عدد الإدخالات عن {n}."),
        Issue::TooManyItems(n) => format!("لا يمكن أن يزيد عدد الإدخالات على {n}."),
        Issue::Invalid(i) => match i {
            Invalid::Email => format!("يُرجى إدخال عنوان بريد إلكتروني صحيح، مثل {}.", ltr("name@example.de")),
            Invalid::Phone => {
                format!("يُرجى إدخال رقم هاتف صحيح، مثل {} أو {}.", ltr("05221 189-0"), ltr("+49 5221 1890"))
            }
            Invalid::Iban => "رقم IBAN غير صحيح. يُرجى التحقق من طوله ومن أرقام التحقق.".into(),
            Invalid::Postcode => "يُرجى إدخال رمز بريدي مكوَّن من خمسة أرقام.".into(),
            Invalid::SteuerId => {
                "رقم التعريف الضريبي (Steuer-ID) غير صحيح. يتكوَّن من 11 رقمًا؛ يُرجى التحقق من الأرقام ومن رقم التحقق."
                    .into()
            }
            Invalid::VehiclePlate => format!("يُرجى إدخال رقم لوحة مثل «{}».", ltr("HF-AB 123")),
        },
        Issue::InvalidDate => "يُرجى إدخال تاريخ صحيح.".into(),
        Issue::InvalidTime => format!("يُرجى إدخال وقت صحيح، مثل {}.", ltr("14:30")),
        Issue::InvalidDateTime => "يُرجى إدخال تاريخ ووقت صحيحين.".into(),
        Issue::TooEarly(m) => format!("يجب ألا يكون الموعد قبل {}.", ltr(&m.shown("ar"))),
        Issue::TooLate(m) => format!("يجب ألا يكون الموعد بعد {}.", ltr(&m.shown("ar"))),
        Issue::DateInFuture => "يجب ألا يكون التاريخ في المستقبل.".into(),
        Issue::DateInPast => "يجب ألا يكون التاريخ في الماضي.".into(),
        Issue::BelowMinAge(n) => format!("يجب ألا يقل عمر الشخص بالسنوات عن {n}."),
        Issue::AboveMaxAge(n) => format!("يجب ألا يزيد عمر الشخص بالسنوات على {n}."),
        Issue::UnknownField => "هذا الحقل ليس جزءًا من النموذج.".into(),
        Issue::TooManyFiles(n) => format!("لا يمكن أن يزيد عدد الملفات على {n}."),
        Issue::FileType => "نوع الملف هذا غير مقبول هنا.".into(),
        Issue::FileTooLarge(kb) => format!("الملف كبير جدًا (الحد الأقصى {kb} كيلوبايت)."),
        Issue::Constraint(_, own) => own.clone(),
    }
}

/// "Please enter …" for what a field expects.
fn expected(what: &str) -> &'static str {
    match what {
        "a whole number" => "يُرجى إدخال عدد صحيح.",
        "a number" => "يُرجى إدخال رقم.",
        "an amount in euros" => "يُرجى إدخال مبلغ باليورو.",
        "yes or no" => "يُرجى اختيار «نعم» أو «لا».",
        "a list" => "يُرجى الاختيار من القائمة.",
        "an address" => "يُرجى إدخال عنوان.",
        "files" => "يُرجى إضافة ملفات.",
        _ => "يُرجى إدخال نص.",
    }
}
