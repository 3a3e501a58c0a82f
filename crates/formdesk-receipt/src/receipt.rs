//! The receipt's content: everything it shows, as plain text in German and, where the form has it, the
//! citizen's language. Built from a form and its answers; [`crate::render`] turns it into a PDF.
//!
//! What is shown follows the form: every visible answered field whose `receipt` mode is `show` (the default)
//! or `mask` (the default for sensitive fields), in form order, step by step; attachments and signatures are
//! named, never embedded. Non-goals: layout (the renderer's), keeping the receipt (the desk's vault).

use crate::payload::{self, DeviceKey, Payload};
use crate::qr::QrMatrix;
use crate::reference::Reference;
use crate::texts::{self, Words};
use crate::{Municipality, ReceiptError};
use chrono::{DateTime, FixedOffset};
use formdesk_engine::definition::ReceiptMode;
use formdesk_engine::state::ItemState;
use formdesk_engine::{Answers, Form, FormState, ItemKind, display};
use rust_decimal::Decimal;

/// A text in German and, on a bilingual receipt, in the citizen's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    /// The German text.
    pub de: String,
    /// The same in the citizen's language, when the receipt is bilingual and the text differs.
    pub other: Option<String>,
}

impl Bilingual {
    fn new(de: impl Into<String>, other: Option<String>) -> Bilingual {
        let de = de.into();
        let other = other.filter(|o| !o.is_empty() && *o != de);
        Bilingual { de, other }
    }

    /// A text that is the same in every language (a name, an amount).
    pub fn plain(text: impl Into<String>) -> Bilingual {
        Bilingual { de: text.into(), other: None }
    }
}

/// Whether the application has reached the municipality yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Waiting in the desk's outbox ("wird übermittelt, sobald eine Verbindung besteht").
    Pending,
    /// Delivered at this time ("übermittelt am …").
    Delivered(DateTime<FixedOffset>),
}

/// One line of the summary of answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A heading inside a step: a group's label or one instance of a repeat group ("Hund 2").
    Heading(Bilingual),
    /// A field and its answer as printed (masked if the form says so).
    Field {
        /// The field's label.
        label: Bilingual,
        /// The answer.
        value: Bilingual,
    },
}

/// The answers of one step of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The step's title.
    pub title: Bilingual,
    /// Its lines.
    pub entries: Vec<Entry>,
}

/// A fee or tax that applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeLine {
    /// What it is for.
    pub label: Bilingual,
    /// The amount as printed (`96,00 €`).
    pub amount: String,
    /// How it will be collected.
    pub note: Option<Bilingual>,
}

/// What the desk knows about a finalized submission besides its form and answers.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    /// The municipality whose receipt it is.
    pub municipality: &'a Municipality,
    /// The reference, from [`Reference::from_random`] with [`Reference::prefix_for`] the form.
    pub reference: Reference,
    /// When the submission was finalized, with the desk's UTC offset; printed to the minute, signed to the second.
    pub issued_at: DateTime<FixedOffset>,
    /// The clerk's name.
    pub clerk: &'a str,
    /// The citizen's language; the receipt is bilingual when it is not German and the form has it.
    pub citizen_lang: &'a str,
    /// The delivery state to print.
    pub delivery: Delivery,
}

/// Everything a receipt shows. Built by [`Receipt::build`]; the same inputs give the same receipt, signature
/// included (Ed25519 signatures are deterministic), so a desk can keep the inputs and print it again later,
/// with a new [`Delivery`].
#[derive(Debug, Clone)]
pub struct Receipt {
    /// The municipality.
    pub municipality: Municipality,
    /// The service's title.
    pub title: Bilingual,
    /// The form's id.
    pub form_id: String,
    /// The form's version.
    pub form_version: String,
    /// The SHA-256 of the form's definition as filled in (lowercase hex), printed with the version when
    /// known (see [`Receipt::with_form_sha256`]).
    pub form_sha256: Option<String>,
    /// The reference.
    pub reference: Reference,
    /// When it was issued.
    pub issued_at: DateTime<FixedOffset>,
    /// The clerk's name.
    pub clerk: String,
    /// The second language, when the receipt is bilingual.
    pub second_lang: Option<String>,
    /// The answers by step.
    pub sections: Vec<Section>,
    /// The fees and taxes that apply.
    pub fees: Vec<FeeLine>,
    /// The sum of the fees, when there are several.
    pub fee_total: Option<String>,
    /// What happens next.
    pub next_steps: Bilingual,
    /// The delivery state.
    pub delivery: Delivery,
    /// The signed QR payload (Base45 text).
    pub payload: String,
    /// Marks an administrator's preview: the PDF says in large letters that it is no receipt.
    pub preview: bool,
    /// The QR code of `payload` as encoded when it was signed; the renderer encodes again if `payload` changed.
    qr: (String, QrMatrix),
}

/// Dates and times as printed: `24.11.2026, 10:42 Uhr`.
pub(crate) fn date_time(at: &DateTime<FixedOffset>) -> String {
    at.format("%d.%m.%Y, %H:%M Uhr").to_string()
}

/// Masks a value as printed: an IBAN keeps its first four and last four characters
/// (`DE89 **** **** **** **30 00`), other text its last two when it has eight or more, everything else is
/// hidden completely.
pub fn mask(kind: ItemKind, shown: &str) -> String {
    let significant = shown.chars().filter(|c| c.is_alphanumeric()).count();
    let (keep_start, keep_end) = match kind {
        ItemKind::Iban if significant > 8 => (4, 4),
        ItemKind::Text | ItemKind::LongText | ItemKind::Email | ItemKind::Phone if significant >= 8 => (0, 2),
        _ => return "****".to_owned(),
    };
    let mut seen = 0;
    shown
        .chars()
        .map(|c| {
            if !c.is_alphanumeric() {
                return c;
            }
            seen += 1;
            if seen <= keep_start || seen > significant - keep_end { c } else { '*' }
        })
        .collect()
}

/// Builds the lines of a list of items; `second` holds the same items evaluated in the citizen's language.
struct Collector<'a> {
    form: &'a Form,
    bilingual: bool,
    words: &'static Words,
}

impl Collector<'_> {
    fn label(&self, item: &ItemState, second: Option<&ItemState>) -> Bilingual {
        Bilingual::new(
            item.label.clone().unwrap_or_default(),
            second.filter(|_| self.bilingual).and_then(|s| s.label.clone()),
        )
    }

    fn value(&self, item: &ItemState, second: Option<&ItemState>, mode: ReceiptMode) -> Option<Bilingual> {
        let de = display::item_value(item, "de")?;
        if mode == ReceiptMode::Mask {
            let masked = match item.kind {
                ItemKind::Attachment | ItemKind::Photo => {
                    let n = item.value.as_array().map_or(0, Vec::len);
                    Bilingual::new(
                        texts::file_count(&texts::DE, n),
                        self.bilingual.then(|| texts::file_count(self.words, n)),
                    )
                }
                kind => Bilingual::plain(mask(kind, &de)),
            };
            return Some(masked);
        }
        let other = match item.kind {
            ItemKind::Signature => {
                return Some(Bilingual::new(texts::DE.signed, self.bilingual.then(|| self.words.signed.to_owned())));
            }
            ItemKind::Boolean => item
                .value
                .as_bool()
                .filter(|_| self.bilingual)
                .map(|b| (if b { self.words.yes } else { self.words.no }).to_owned()),
            ItemKind::Choice | ItemKind::MultiChoice => {
                second.filter(|_| self.bilingual).and_then(|s| display::item_value(s, "de"))
            }
            _ => None,
        };
        Some(Bilingual::new(de, other))
    }

    /// Collects the lines of `items`. `within` is the heading of the repeat instance they stand in: the
    /// headings of groups and instances inside it name it first ("Haushaltsmitglied 1 › Einkommen 2").
    /// `again` is the heading that fields after such a block come under again, so that they are not read
    /// as part of the block: the instance's heading, the group's, or at the top of a step its title.
    fn collect(
        &self,
        items: &[ItemState],
        second: &[ItemState],
        within: Option<&Bilingual>,
        again: Option<&Bilingual>,
        out: &mut Vec<Entry>,
    ) {
        let inside = |heading: Bilingual| match within {
            Some(w) => {
                let other = (w.other.is_some() || heading.other.is_some()).then(|| {
                    format!(
                        "{} › {}",
                        w.other.as_deref().unwrap_or(&w.de),
                        heading.other.as_deref().unwrap_or(&heading.de)
                    )
                });
                Bilingual::new(format!("{} › {}", w.de, heading.de), other)
            }
            None => heading,
        };
        // Whether the last line was a block of a group or an instance inside `within`.
        let mut in_block = false;
        for (n, item) in items.iter().enumerate().filter(|(_, i)| i.visible) {
            let twin = second.get(n).filter(|s| s.id == item.id);
            let mode = self.form.item(&item.id).map_or(ReceiptMode::Show, |d| d.receipt_mode());
            if mode == ReceiptMode::Omit {
                continue;
            }
            match item.kind {
                ItemKind::Info => {}
                ItemKind::Group => {
                    let mut inner = Vec::new();
                    let heading = inside(self.label(item, twin));
                    self.collect(&item.items, twin.map_or(&[][..], |t| &t.items), within, Some(&heading), &mut inner);
                    if !inner.is_empty() {
                        out.push(Entry::Heading(heading));
                        out.append(&mut inner);
                        in_block = true;
                    }
                    for (i, instance) in item.instances.iter().enumerate() {
                        let twin_instance = twin.and_then(|t| t.instances.get(i)).map_or(&[][..], Vec::as_slice);
                        let name = |state: &ItemState| {
                            let label = state.repeat.as_ref().and_then(|r| r.item_label.clone());
                            format!("{} {}", label.or_else(|| state.label.clone()).unwrap_or_default(), i + 1)
                        };
                        let heading = inside(Bilingual::new(name(item), twin.filter(|_| self.bilingual).map(name)));
                        let mut inner = Vec::new();
                        self.collect(instance, twin_instance, Some(&heading), Some(&heading), &mut inner);
                        out.push(Entry::Heading(heading));
                        out.append(&mut inner);
                        in_block = true;
                    }
                }
                _ => {
                    if let Some(value) = self.value(item, twin, mode) {
                        if let Some(w) = again.filter(|_| in_block) {
                            out.push(Entry::Heading(w.clone()));
                        }
                        in_block = false;
                        out.push(Entry::Field { label: self.label(item, twin), value });
                    }
                }
            }
        }
    }
}

impl Receipt {
    /// Builds the receipt of a finalized submission and signs its QR payload with the desk's key.
    ///
    /// Fails when the answers still have errors (a receipt confirms a complete application), when the time
    /// cannot be signed (before 1970 or after 2106) or when the payload does not fit the QR code.
    pub fn build(form: &Form, answers: &Answers, issue: Issue<'_>, key: &DeviceKey) -> Result<Receipt, ReceiptError> {
        let def = form.definition();
        let today = issue.issued_at.date_naive();
        let state = form.evaluate(answers, "de", today);
        if let Some(first) = state.errors.first() {
            return Err(ReceiptError::Incomplete {
                errors: state.errors.len(),
                first: format!("{}: {}", first.path, first.message),
            });
        }
        // Leichte Sprache is a language of its own here: a citizen who reads it gets it next to the German.
        let second_lang = Some(issue.citizen_lang)
            .filter(|l| *l != "de")
            .filter(|l| def.languages.iter().any(|have| have == l))
            .map(str::to_owned);
        let second: Option<FormState> = second_lang.as_deref().map(|l| form.evaluate(answers, l, today));
        let words = texts::words(second_lang.as_deref().unwrap_or("de"));
        let collector = Collector { form, bilingual: second.is_some(), words };

        let sections = state
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.visible)
            .filter_map(|(n, step)| {
                let twin = second.as_ref().and_then(|s| s.steps.get(n));
                let mut entries = Vec::new();
                let title = Bilingual::new(step.title.clone(), twin.map(|t| t.title.clone()));
                collector.collect(&step.items, twin.map_or(&[][..], |t| &t.items), None, Some(&title), &mut entries);
                (!entries.is_empty()).then_some(Section { title, entries })
            })
            .collect();

        let mut total = Decimal::ZERO;
        let mut fees = Vec::new();
        for (n, fee) in state.fees.iter().enumerate() {
            let twin = second.as_ref().and_then(|s| s.fees.get(n)).filter(|t| t.id == fee.id);
            let value = fee
                .amount
                .parse::<Decimal>()
                .map_err(|_| ReceiptError::InvalidFee { fee: fee.id.clone(), amount: fee.amount.clone() })?;
            total += value;
            fees.push(FeeLine {
                label: Bilingual::new(fee.label.clone(), twin.map(|t| t.label.clone())),
                amount: display::euros(value, "de"),
                note: fee.note.clone().map(|note| Bilingual::new(note, twin.and_then(|t| t.note.clone()))),
            });
        }
        let fee_total = (fees.len() > 1).then(|| display::euros(total, "de"));

        let next_steps = match &def.next_steps {
            Some(text) => Bilingual::new(text.get("de"), second_lang.as_deref().map(|l| text.get(l).to_owned())),
            None => Bilingual::new(texts::DE.next_default, second_lang.as_ref().map(|_| words.next_default.to_owned())),
        };

        let (payload, matrix) = payload::sign_and_encode(
            &Payload {
                reference: issue.reference.clone(),
                form_id: def.id.clone(),
                form_version: def.version.clone(),
                issued_at: issue.issued_at,
                answers_digest: payload::answers_digest(answers),
            },
            key,
        )?;
        Ok(Receipt {
            municipality: issue.municipality.clone(),
            title: Bilingual::new(def.title.get("de"), second_lang.as_deref().map(|l| def.title.get(l).to_owned())),
            form_id: def.id.clone(),
            form_version: def.version.clone(),
            form_sha256: None,
            reference: issue.reference,
            issued_at: issue.issued_at,
            clerk: issue.clerk.to_owned(),
            second_lang,
            sections,
            fees,
            fee_total,
            next_steps,
            delivery: issue.delivery,
            qr: (payload.clone(), matrix),
            payload,
            preview: false,
        })
    }

    /// Names the exact text of the form the answers were given on (the SHA-256 of its definition): the
    /// receipt then prints the form's version with the start of the hash, so that an office can tell which
    /// version of a form was filled in.
    pub fn with_form_sha256(mut self, sha256: &str) -> Receipt {
        self.form_sha256 = Some(sha256.to_owned());
        self
    }

    /// The QR code of the payload.
    pub(crate) fn qr_matrix(&self) -> Result<std::borrow::Cow<'_, QrMatrix>, ReceiptError> {
        if self.qr.0 == self.payload {
            Ok(std::borrow::Cow::Borrowed(&self.qr.1))
        } else {
            crate::qr::encode(&self.payload).map(std::borrow::Cow::Owned)
        }
    }

    /// The receipt's own words in its second language, if any.
    pub(crate) fn second_words(&self) -> Option<&'static Words> {
        self.second_lang.as_deref().map(texts::words)
    }

    /// The answers as they appear in the state, for callers that want to show the receipt's summary elsewhere.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.sections.iter().flat_map(|s| s.entries.iter())
    }
}
