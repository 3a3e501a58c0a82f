//! Drafts: the work in progress at the desk, one per citizen's application.
//!
//! A draft holds the answers, the step the clerk is on, the steps visited and the citizen's language. Every
//! change is saved in the encrypted vault before the clerk sees it. Navigation rules live here, not in the
//! UI: "Weiter" leaves a step only when it has no errors, and a step can be jumped to once it was visited.
//!
//! What the vault keeps of a draft, both encrypted: its [`Summary`] (the bookkeeping and the citizen's name,
//! which the work list reads) and its [`Contents`] (the answers). Both carry a format version.

use crate::DeskError;
use crate::formsets::PinnedForm;
use chrono::NaiveDateTime;
use formdesk_engine::Answers;
use formdesk_vault::{FormPin, WorkItem};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use ts_rs::TS;

/// The review step's id in navigation: after the last form step.
pub const REVIEW: &str = "review";

/// Where a draft is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DraftStatus {
    /// Being filled in.
    Open,
    /// Finalized: no longer editable.
    Final,
}

/// The version of [`Summary`] and [`Contents`] as this desk writes them. 2: the summary may name the drafts
/// whose answers were carried over into this one and into which (`carriedFrom`, `carriedTo`); format 1 is
/// read as it is.
pub const DRAFT_FORMAT: u32 = 2;

/// A draft's bookkeeping as the vault keeps it (encrypted): all the work list needs, without the answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    pub format: u32,
    /// The citizen's name from the form's summary fields; empty until entered.
    pub citizen: String,
    pub step: String,
    pub visited: BTreeSet<String>,
    pub checked: BTreeSet<String>,
    pub citizen_lang: String,
    pub created: NaiveDateTime,
    pub updated: NaiveDateTime,
    /// What the receipt was made from, once the draft is finalized (absent before, and in older drafts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<ReceiptInfo>,
    /// The draft whose answers were carried over into this one (begun on an older version of the form); it
    /// is deleted once this one is finalized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<u64>,
    /// The draft this one's answers were carried over into; this one is deleted once that one is finalized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_to: Option<u64>,
}

/// What a finalized draft's receipt was made from, kept so that the same receipt can be made again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReceiptInfo {
    /// The reference (`HUND-7K3F-Q9XD`).
    pub reference: String,
    /// When it was issued, with the desk's UTC offset.
    pub issued_at: chrono::DateTime<chrono::FixedOffset>,
    /// The clerk who finalized.
    pub clerk: String,
    /// The signed QR payload.
    pub payload: String,
}

/// A draft's answers as the vault keeps them (encrypted).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Contents {
    pub format: u32,
    pub answers: Answers,
}

/// A draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub(crate) id: u64,
    pub(crate) form_id: String,
    pub(crate) answers: Answers,
    pub(crate) step: String,
    pub(crate) visited: BTreeSet<String>,
    /// Steps whose errors are all shown, because "Weiter" was tried there or because of the review.
    pub(crate) checked: BTreeSet<String>,
    pub(crate) citizen_lang: String,
    pub(crate) status: DraftStatus,
    pub(crate) created: NaiveDateTime,
    pub(crate) updated: NaiveDateTime,
    pub(crate) receipt: Option<ReceiptInfo>,
    /// The form's version the draft was begun on.
    pub(crate) form_version: String,
    /// The form set and form text it was begun on; `None` for drafts begun before sets were pinned (they use
    /// the current form).
    pub(crate) pin: Option<FormPin>,
    /// The draft whose answers were carried over into this one.
    pub(crate) carried_from: Option<u64>,
    /// The draft this one's answers were carried over into.
    pub(crate) carried_to: Option<u64>,
}

/// One segment of an answer path: `hunde[1].rasse` is `hunde`, `[1]`, `rasse`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// Parses an answer path as the engine writes them (`sepa_iban`, `hunde[1].rasse`, `anschrift.city`).
fn parse_path(path: &str) -> Result<Vec<Segment>, DeskError> {
    let bad = || DeskError::BadPath(path.to_owned());
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, None), |(k, r)| (k, Some(r)));
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad());
        }
        out.push(Segment::Key(key.to_owned()));
        while let Some(r) = rest {
            let rest_text = r;
            let (index, after) = rest_text.split_once(']').ok_or_else(bad)?;
            out.push(Segment::Index(index.parse().map_err(|_| bad())?));
            rest = match after.strip_prefix('[') {
                Some(r) => Some(r),
                None if after.is_empty() => None,
                None => return Err(bad()),
            };
        }
    }
    Ok(out)
}

/// Sets `value` at `path` in the answers, creating objects on the way. Indices must exist already: repeat
/// instances are added with [`Draft::add_instance`].
pub(crate) fn set_at(answers: &mut Answers, path: &str, value: Value) -> Result<(), DeskError> {
    let segments = parse_path(path)?;
    let bad = || DeskError::BadPath(path.to_owned());
    let Some((Segment::Key(first), rest)) = segments.split_first() else { return Err(bad()) };
    if rest.is_empty() {
        answers.insert(first.clone(), value);
        return Ok(());
    }
    let mut cur = answers.entry(first.clone()).or_insert(Value::Null);
    for seg in rest {
        cur = match seg {
            Segment::Key(k) => {
                if !cur.is_object() {
                    *cur = Value::Object(serde_json::Map::new());
                }
                cur.as_object_mut().ok_or_else(bad)?.entry(k.clone()).or_insert(Value::Null)
            }
            Segment::Index(i) => cur.as_array_mut().and_then(|a| a.get_mut(*i)).ok_or_else(bad)?,
        };
    }
    *cur = value;
    Ok(())
}

/// The list of a repeat group's instances at `path` (`hunde`, `haushalt[0].einkommen`); with `make`, an
/// empty list is put there when there is none. The instances on the way must exist.
fn instances_at<'a>(answers: &'a mut Answers, path: &str, make: bool) -> Result<&'a mut Vec<Value>, DeskError> {
    let segments = parse_path(path)?;
    let bad = || DeskError::BadPath(path.to_owned());
    let (Some((Segment::Key(first), rest)), Some(Segment::Key(_))) = (segments.split_first(), segments.last()) else {
        return Err(bad());
    };
    let mut cur = if make {
        answers.entry(first.clone()).or_insert(Value::Null)
    } else {
        answers.get_mut(first).ok_or_else(bad)?
    };
    for seg in rest {
        cur = match seg {
            Segment::Key(k) if make => cur.as_object_mut().ok_or_else(bad)?.entry(k.clone()).or_insert(Value::Null),
            Segment::Key(k) => cur.as_object_mut().and_then(|o| o.get_mut(k)).ok_or_else(bad)?,
            Segment::Index(i) => cur.as_array_mut().and_then(|a| a.get_mut(*i)).ok_or_else(bad)?,
        };
    }
    if make && !cur.is_array() {
        *cur = Value::Array(Vec::new());
    }
    cur.as_array_mut().ok_or_else(bad)
}

impl Draft {
    /// The summary to store, with the citizen's name taken from the answers at `name_fields`.
    pub(crate) fn summary(&self, name_fields: &[String]) -> Summary {
        let citizen = name_fields
            .iter()
            .filter_map(|f| self.answers.get(f).and_then(Value::as_str))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Summary {
            format: DRAFT_FORMAT,
            citizen,
            step: self.step.clone(),
            visited: self.visited.clone(),
            checked: self.checked.clone(),
            citizen_lang: self.citizen_lang.clone(),
            created: self.created,
            updated: self.updated,
            receipt: self.receipt.clone(),
            carried_from: self.carried_from,
            carried_to: self.carried_to,
        }
    }

    /// The answers to store.
    pub(crate) fn contents(&self) -> Contents {
        Contents { format: DRAFT_FORMAT, answers: self.answers.clone() }
    }

    /// A draft from what the vault kept.
    pub(crate) fn restore(
        item: &WorkItem,
        id: u64,
        status: DraftStatus,
        summary: Summary,
        contents: Contents,
    ) -> Draft {
        Draft {
            id,
            form_id: item.form_id.clone(),
            form_version: item.form_version.clone(),
            pin: item.pin.clone(),
            carried_from: summary.carried_from,
            carried_to: summary.carried_to,
            answers: contents.answers,
            step: summary.step,
            visited: summary.visited,
            checked: summary.checked,
            citizen_lang: summary.citizen_lang,
            status,
            created: summary.created,
            updated: summary.updated,
            receipt: summary.receipt,
        }
    }

    pub(crate) fn new(form: &PinnedForm, first_step: &str, now: NaiveDateTime) -> Draft {
        Draft {
            id: 0,
            form_id: form.form.id().to_owned(),
            form_version: form.form.version().to_owned(),
            pin: form.pin(),
            carried_from: None,
            carried_to: None,
            answers: Answers::new(),
            step: first_step.to_owned(),
            visited: BTreeSet::from([first_step.to_owned()]),
            checked: BTreeSet::new(),
            citizen_lang: "de".to_owned(),
            status: DraftStatus::Open,
            created: now,
            updated: now,
            receipt: None,
        }
    }

    pub(crate) fn editable(&self) -> Result<(), DeskError> {
        match self.status {
            DraftStatus::Open => Ok(()),
            DraftStatus::Final => Err(DeskError::Finalized(self.id)),
        }
    }

    pub(crate) fn set_answer(&mut self, path: &str, value: Value, now: NaiveDateTime) -> Result<(), DeskError> {
        self.editable()?;
        set_at(&mut self.answers, path, value)?;
        self.updated = now;
        Ok(())
    }

    /// Adds an empty instance to the repeat group at `group`: its id, or its path inside an instance of
    /// another (`haushalt[0].einkommen`).
    pub(crate) fn add_instance(&mut self, group: &str, now: NaiveDateTime) -> Result<(), DeskError> {
        self.editable()?;
        instances_at(&mut self.answers, group, true)?.push(Value::Object(serde_json::Map::new()));
        self.updated = now;
        Ok(())
    }

    /// Removes instance `index` of the repeat group at `group` (an id or a path, as for adding).
    pub(crate) fn remove_instance(&mut self, group: &str, index: usize, now: NaiveDateTime) -> Result<(), DeskError> {
        self.editable()?;
        match instances_at(&mut self.answers, group, false) {
            Ok(items) if index < items.len() => {
                items.remove(index);
                self.updated = now;
                Ok(())
            }
            _ => Err(DeskError::BadPath(format!("{group}[{index}]"))),
        }
    }

    pub(crate) fn finalize(&mut self, now: NaiveDateTime) -> Result<(), DeskError> {
        self.editable()?;
        self.status = DraftStatus::Final;
        self.updated = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_parse_like_the_engine_writes_them() {
        assert_eq!(parse_path("a").ok(), Some(vec![Segment::Key("a".into())]));
        assert_eq!(
            parse_path("hunde[1].rasse").ok(),
            Some(vec![Segment::Key("hunde".into()), Segment::Index(1), Segment::Key("rasse".into())])
        );
        for bad in ["", "a[", "a[x]", "a]b", ".a", "a..b", "a[1]b", "a b"] {
            assert!(parse_path(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn values_are_set_at_paths() {
        let mut a = Answers::new();
        set_at(&mut a, "name", json!("Anna")).expect("top level");
        set_at(&mut a, "anschrift.city", json!("Herford")).expect("nested");
        a.insert("hunde".into(), json!([{}, {}]));
        set_at(&mut a, "hunde[1].rasse", json!("labrador")).expect("in an instance");
        assert_eq!(
            Value::Object(a.clone()),
            json!({"name": "Anna", "anschrift": {"city": "Herford"}, "hunde": [{}, {"rasse": "labrador"}]})
        );
        assert!(set_at(&mut a, "hunde[5].rasse", json!("x")).is_err(), "no instance 5");
    }

    #[test]
    fn instances_are_found_at_nested_paths() {
        let mut a = Answers::new();
        instances_at(&mut a, "haushalt", true).expect("made").push(json!({}));
        instances_at(&mut a, "haushalt[0].einkommen", true).expect("made inside").push(json!({"art": "lohn"}));
        set_at(&mut a, "haushalt[0].einkommen[0].betrag", json!("1200")).expect("set");
        assert_eq!(Value::Object(a.clone()), json!({"haushalt": [{"einkommen": [{"art": "lohn", "betrag": "1200"}]}]}));
        assert_eq!(instances_at(&mut a, "haushalt[0].einkommen", false).expect("found").len(), 1);
        for bad in ["haushalt[1].einkommen", "haushalt[0]", "haushalt[0].kinder", "haushalt[0].einkommen[0].betrag"] {
            assert!(instances_at(&mut a, bad, false).is_err(), "{bad:?} is no list of instances");
        }
        assert!(instances_at(&mut a, "haushalt[3].einkommen", true).is_err(), "no member 3 to add to");
        assert!(instances_at(&mut a, "haushalt[0]", true).is_err(), "an instance is not a group");
    }
}
