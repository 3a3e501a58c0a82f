//! The receipt's own words in German, English and Turkish. Form texts come from the form; these are the
//! headings and sentences around them. A citizen's language without an entry here gets the English words next
//! to the German ones, and the form's texts in their language.

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

/// The words for a language: German, English, Turkish, else English.
pub(crate) fn words(lang: &str) -> &'static Words {
    match lang {
        "de" | "de-x-ls" => &DE,
        "tr" => &TR,
        _ => &EN,
    }
}

/// "3 Dateien", "1 file".
pub(crate) fn file_count(words: &Words, n: usize) -> String {
    if n == 1 { words.one_file.to_owned() } else { words.files.replace("{}", &n.to_string()) }
}
