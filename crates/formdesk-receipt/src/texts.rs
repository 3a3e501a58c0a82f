//! The receipt's own words in German, English, Turkish, Ukrainian, Arabic, Russian and Leichte Sprache. Form
//! texts come from the form; these are the headings and sentences around them. A citizen's language without an
//! entry here gets the English words next to the German ones, and the form's texts in their language.

/// The receipt's own words in one language.
#[derive(Debug)]
pub(crate) struct Words {
    pub title: &'static str,
    pub reference: &'static str,
    pub received: &'static str,
    pub clerk: &'static str,
    pub delivery: &'static str,
    pub pending: &'static str,
    /// `{}` is the date and time.
    pub delivered: &'static str,
    pub answers: &'static str,
    pub fees: &'static str,
    pub total: &'static str,
    pub no_fees: &'static str,
    pub next: &'static str,
    pub next_default: &'static str,
    pub signed: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub one_file: &'static str,
    /// `{}` is the number.
    pub files: &'static str,
    pub footer: &'static str,
    /// `{0}` is the page, `{1}` the number of pages.
    pub page: &'static str,
    pub continued: &'static str,
}

pub(crate) const DE: Words = Words {
    title: "Eingangsbestätigung",
    reference: "Vorgangsnummer",
    received: "Eingegangen am",
    clerk: "Aufgenommen von",
    delivery: "Übermittlung",
    pending: "wird übermittelt, sobald eine Verbindung besteht",
    delivered: "übermittelt am {}",
    answers: "Ihre Angaben",
    fees: "Gebühren und Steuern",
    total: "Summe",
    no_fees: "Für diesen Antrag fallen keine Gebühren an.",
    next: "Wie es weitergeht",
    next_default: "Ihr Antrag wird an die zuständige Stelle übermittelt und dort bearbeitet. Bei Rückfragen nennen \
                   Sie bitte die Vorgangsnummer.",
    signed: "unterschrieben (nicht abgedruckt)",
    yes: "Ja",
    no: "Nein",
    one_file: "1 Datei",
    files: "{} Dateien",
    footer: "Diese Bestätigung wurde maschinell erstellt und ist ohne Unterschrift gültig. Der QR-Code enthält \
             Vorgangsnummer, Formular, Zeitpunkt und eine Prüfsumme Ihrer Angaben, signiert von diesem Gerät.",
    page: "Seite {0} von {1}",
    continued: "Fortsetzung",
};

pub(crate) const EN: Words = Words {
    title: "Receipt",
    reference: "Reference number",
    received: "Received on",
    clerk: "Taken by",
    delivery: "Transmission",
    pending: "will be sent as soon as a connection is available",
    delivered: "sent on {}",
    answers: "Your details",
    fees: "Fees and taxes",
    total: "Total",
    no_fees: "There are no fees for this application.",
    next: "What happens next",
    next_default: "Your application will be sent to the responsible office and processed there. Please quote the \
                   reference number if you have any questions.",
    signed: "signed (not printed)",
    yes: "Yes",
    no: "No",
    one_file: "1 file",
    files: "{} files",
    footer: "This receipt was created automatically and is valid without a signature. The QR code holds the \
             reference number, the form, the time and a checksum of your details, signed by this device.",
    page: "Page {0} of {1}",
    continued: "continued",
};

pub(crate) const TR: Words = Words {
    title: "Başvuru alındı belgesi",
    reference: "Başvuru numarası",
    received: "Alınma tarihi",
    clerk: "Kaydı alan",
    delivery: "İletim",
    pending: "bağlantı kurulur kurulmaz iletilecektir",
    delivered: "{} tarihinde iletildi",
    answers: "Bilgileriniz",
    fees: "Harçlar ve vergiler",
    total: "Toplam",
    no_fees: "Bu başvuru için harç alınmaz.",
    next: "Bundan sonra ne olacak",
    next_default: "Başvurunuz yetkili birime iletilecek ve orada işleme alınacaktır. Sorularınız için lütfen \
                   başvuru numarasını belirtin.",
    signed: "imzalandı (basılmadı)",
    yes: "Evet",
    no: "Hayır",
    one_file: "1 dosya",
    files: "{} dosya",
    footer: "Bu belge otomatik olarak oluşturulmuştur ve imzasız geçerlidir. QR kod başvuru numarasını, formu, \
             zamanı ve bilgilerinizin bir sağlama toplamını içerir; bu cihaz tarafından imzalanmıştır.",
    page: "Sayfa {0} / {1}",
    continued: "devamı",
};

/// Ukrainian; machine-made, not yet reviewed by a native speaker.
pub(crate) const UK: Words = Words {
    title: "Підтвердження отримання",
    reference: "Номер справи",
    received: "Отримано",
    clerk: "Прийняв(-ла)",
    delivery: "Передача",
    pending: "буде передано, щойно з'явиться з'єднання",
    delivered: "передано {}",
    answers: "Ваші дані",
    fees: "Збори та податки",
    total: "Разом",
    no_fees: "За цю заяву збори не стягуються.",
    next: "Що буде далі",
    next_default: "Вашу заяву буде передано до відповідної установи та розглянуто там. У разі запитань, будь ласка, називайте номер справи.",
    signed: "підписано (не надруковано)",
    yes: "Так",
    no: "Ні",
    one_file: "1 файл",
    files: "Файлів: {}",
    footer: "Це підтвердження створено автоматично і дійсне без підпису. QR-код містить номер справи, формуляр, час і контрольну суму Ваших даних, підписані цим пристроєм.",
    page: "Сторінка {0} з {1}",
    continued: "продовження",
};

/// Arabic (Modern Standard Arabic); machine-made, not yet reviewed by a native speaker.
pub(crate) const AR: Words = Words {
    title: "تأكيد الاستلام",
    reference: "رقم المعاملة",
    received: "تاريخ الاستلام",
    clerk: "سجّله",
    delivery: "الإرسال",
    pending: "سيُرسَل فور توفر الاتصال",
    delivered: "أُرسل في {}",
    answers: "بياناتكم",
    fees: "الرسوم والضرائب",
    total: "المجموع",
    no_fees: "لا تُستحق أي رسوم على هذا الطلب.",
    next: "الخطوات التالية",
    next_default: "سيُرسَل طلبكم إلى الجهة المختصة ويُعالَج هناك. عند الاستفسار يُرجى ذكر رقم المعاملة.",
    signed: "موقَّع (التوقيع غير مطبوع)",
    yes: "نعم",
    no: "لا",
    one_file: "ملف واحد",
    files: "عدد الملفات: {}",
    footer: "أُنشئ هذا التأكيد آليًا وهو صالح دون توقيع. يحتوي رمز QR على رقم المعاملة والاستمارة والوقت ومجموع تحقق لبياناتكم، موقَّعًا من هذا الجهاز.",
    page: "الصفحة {0} من {1}",
    continued: "تتمة",
};

/// Russian; machine-made, not yet reviewed by a native speaker.
pub(crate) const RU: Words = Words {
    title: "Подтверждение получения",
    reference: "Номер дела",
    received: "Дата поступления",
    clerk: "Принял(а)",
    delivery: "Передача",
    pending: "будет передано, как только появится соединение",
    delivered: "передано {}",
    answers: "Ваши сведения",
    fees: "Сборы и налоги",
    total: "Итого",
    no_fees: "За это заявление сборы не взимаются.",
    next: "Что будет дальше",
    next_default: "Ваше заявление будет передано в компетентное учреждение и рассмотрено там. При возникновении вопросов, пожалуйста, называйте номер дела.",
    signed: "подписано (подпись не напечатана)",
    yes: "Да",
    no: "Нет",
    one_file: "1 файл",
    files: "Файлов: {}",
    footer: "Это подтверждение создано автоматически и действительно без подписи. QR-код содержит номер дела, форму, время и контрольную сумму Ваших сведений, подписанные этим устройством.",
    page: "Страница {0} из {1}",
    continued: "продолжение",
};

/// Leichte Sprache (easy-read German); machine-made, not yet reviewed by a native speaker.
pub(crate) const LS: Words = Words {
    title: "Bestätigung für Ihren Antrag",
    reference: "Vorgangs·nummer",
    received: "Angekommen am",
    clerk: "Angenommen von",
    delivery: "Senden an das Amt",
    pending: "noch nicht gesendet. Das Gerät sendet den Antrag, sobald es eine Verbindung hat.",
    delivered: "gesendet am {}",
    answers: "Ihre Angaben",
    fees: "Kosten und Steuern",
    total: "Alles zusammen",
    no_fees: "Dieser Antrag kostet nichts.",
    next: "So geht es weiter",
    next_default: "Wir schicken Ihren Antrag an das richtige Amt. Das Amt bearbeitet Ihren Antrag. Haben Sie noch Fragen? Dann nennen Sie bitte die Vorgangs·nummer.",
    signed: "unterschrieben (die Unterschrift ist hier nicht gedruckt)",
    yes: "Ja",
    no: "Nein",
    one_file: "1 Datei",
    files: "{} Dateien",
    footer: "Ein Computer hat diese Bestätigung gemacht. Die Bestätigung gilt auch ohne Unterschrift. Im QR-Code stehen: die Vorgangs·nummer, das Formular, das Datum mit der Uhrzeit und eine Prüf·summe von Ihren Angaben. Mit der Prüf·summe sieht man: Hat jemand die Angaben verändert? Dieses Gerät hat den QR-Code elektronisch unterschrieben.",
    page: "Seite {0} von {1}",
    continued: "Fortsetzung",
};

/// The words for a language: German, English, Turkish, Ukrainian, Arabic, Russian, Leichte Sprache, else
/// English.
pub(crate) fn words(lang: &str) -> &'static Words {
    match lang {
        "de" => &DE,
        "de-x-ls" => &LS,
        "tr" => &TR,
        "uk" => &UK,
        "ar" => &AR,
        "ru" => &RU,
        _ => &EN,
    }
}

/// "3 Dateien", "1 file".
pub(crate) fn file_count(words: &Words, n: usize) -> String {
    if n == 1 { words.one_file.to_owned() } else { words.files.replace("{}", &n.to_string()) }
}
