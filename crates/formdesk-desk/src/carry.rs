//! Carrying a draft over into the current version of its form: a draft begun on a version that was
//! withdrawn or replaced gets a new draft on the current version with every answer that still fits, and the
//! clerk is told what did not (removed, changed in kind, or no longer valid).
//!
//! Nothing is lost on the way: the old draft stays as it is until the new one is finalized, and only then is
//! it deleted. Files (attachments, photos, signatures) are copied into the new draft. The new draft opens on
//! the review, every step's errors shown, so the clerk goes through it with the citizen before finalizing.
//!
//! Non-goals: mapping renamed fields (a field whose id changed counts as removed), merging into a draft
//! that exists already.

use crate::delivery::rename_files;
use crate::drafts::{Draft, REVIEW, set_at};
use crate::ipc::{CarryOver, NotCarried, NotCarriedReason};
use crate::{Desk, DeskError, vault_id};
use formdesk_engine::state::ItemState;
use formdesk_engine::{Answers, Form, ItemKind, NaiveDate, display};
use formdesk_protocol::audit::Action;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use zeroize::Zeroizing;

/// The answers of `old` that fit `new`, and what did not, by field (each field once).
fn carry(old: &Form, new: &Form, answers: &Answers, today: NaiveDate) -> (Answers, Vec<NotCarried>) {
    let mut left = BTreeMap::new();
    let mut carried = Answers::new();
    for (key, value) in answers {
        if let Some(value) = carry_value(old, new, key, value, &mut left) {
            carried.insert(key.clone(), value);
        }
    }
    // An answer the new version refuses, where the old one did not, is left out too.
    let old_state = old.evaluate(answers, "de", today);
    let before: BTreeSet<&str> = old_state.errors.iter().map(|e| e.path.as_str()).collect();
    for error in new.evaluate(&carried, "de", today).errors {
        if error.code == "required" || before.contains(error.path.as_str()) {
            continue;
        }
        if set_at(&mut carried, &error.path, Value::Null).is_ok() {
            let id = field_id(&error.path);
            left.entry(id.to_owned()).or_insert_with(|| NotCarried {
                field: id.to_owned(),
                label: label(new, id),
                reason: NotCarriedReason::Invalid,
                values: Vec::new(),
            });
        }
    }
    // What the citizen had answered, as the old version's review showed it.
    for step in &old_state.steps {
        each_item(&step.items, &mut |item| {
            let Some(not_carried) = left.get_mut(&item.id) else { return };
            if let Some(value) = display::item_value(item, "de").filter(|_| item.kind != ItemKind::Group)
                && !not_carried.values.contains(&value)
            {
                not_carried.values.push(value);
            }
        });
    }
    (carried, left.into_values().collect())
}

/// Every item of `items` and of their groups' and instances' items, in form order.
fn each_item(items: &[ItemState], f: &mut impl FnMut(&ItemState)) {
    for item in items {
        f(item);
        each_item(&item.items, f);
        item.instances.iter().for_each(|instance| each_item(instance, f));
    }
}

/// The field's id at the end of an answer path (`hunde[1].rasse` → `rasse`).
fn field_id(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

fn label(form: &Form, id: &str) -> String {
    form.item(id).and_then(|d| d.label.as_ref()).map_or_else(|| id.to_owned(), |l| l.get("de").to_owned())
}

fn carry_value(
    old: &Form,
    new: &Form,
    key: &str,
    value: &Value,
    left: &mut BTreeMap<String, NotCarried>,
) -> Option<Value> {
    if value.is_null() {
        return None;
    }
    let old_kind = old.item(key).map(|d| d.kind);
    let reason = match new.item(key) {
        None => Some(NotCarriedReason::Removed),
        Some(d) if old_kind != Some(d.kind) => Some(NotCarriedReason::Changed),
        Some(_) => None,
    };
    if let Some(reason) = reason {
        left.entry(key.to_owned()).or_insert_with(|| NotCarried {
            field: key.to_owned(),
            label: label(old, key),
            reason,
            values: Vec::new(),
        });
        return None;
    }
    if old_kind != Some(ItemKind::Group) {
        return Some(value.clone());
    }
    let group = |map: &serde_json::Map<String, Value>, left: &mut BTreeMap<String, NotCarried>| {
        Value::Object(
            map.iter().filter_map(|(k, v)| carry_value(old, new, k, v, left).map(|v| (k.clone(), v))).collect(),
        )
    };
    Some(match value {
        Value::Object(map) => group(map, left),
        Value::Array(items) => Value::Array(
            items.iter().map(|i| i.as_object().map_or_else(|| i.clone(), |map| group(map, left))).collect(),
        ),
        other => other.clone(),
    })
}

impl Desk {
    /// Starts a new draft on the current version of the form of open draft `id`, with every answer that still
    /// fits and copies of its files, and says which answers were not carried over and why. The old draft
    /// stays until the new one is finalized. The new draft opens on the review.
    pub fn carry_over(&self, id: u64) -> Result<CarryOver, DeskError> {
        self.touch();
        let today = self.clock.today();
        let now = self.clock.now();
        let view = {
            let mut inner = self.inner();
            let mut old = Self::loaded(&mut inner, id)?.clone();
            old.editable()?;
            if let Some(to) = old.carried_to
                && Self::loaded(&mut inner, to).is_ok()
            {
                return Err(DeskError::Forms(format!(
                    "Die Angaben dieses Vorgangs wurden bereits in Vorgang {to} übernommen; bitte dort weiterarbeiten."
                )));
            }
            let from = self.form_of(&old)?;
            let to = self.form_to_begin(&old.form_id)?;
            if from.sha256 == to.sha256 {
                return Err(DeskError::Forms(
                    "Dieser Vorgang verwendet bereits die aktuelle Fassung des Formulars.".into(),
                ));
            }
            let (answers, not_carried) = carry(&from.form, &to.form, &old.answers, today);
            let steps: Vec<String> =
                to.form.evaluate(&answers, "de", today).steps.into_iter().filter(|s| s.visible).map(|s| s.id).collect();
            let mut draft = Draft::new(&to, REVIEW, now);
            draft.visited = steps.iter().cloned().chain([REVIEW.to_owned()]).collect();
            draft.checked = steps.into_iter().collect();
            draft.citizen_lang = old.citizen_lang.clone();
            draft.carried_from = Some(id);
            let (summary, contents) = self.sealed_parts(&draft)?;
            let pin = to.pin();
            let new_id =
                inner.vault.create_pinned(&draft.form_id, to.form.version(), pin.as_ref(), &summary, &contents)?;
            draft.id = u64::try_from(new_id).map_err(|_| DeskError::UnknownDraft(0))?;
            // The files go along as copies: each draft owns its own.
            let copied = (|| {
                let mut ids = BTreeMap::new();
                let answers_text = serde_json::to_string(&answers).unwrap_or_default();
                for file in inner.vault.attachments(vault_id(id)?)? {
                    if !answers_text.contains(&format!("\"ref\":\"{}\"", file.id)) {
                        continue;
                    }
                    let mut bytes = Zeroizing::new(Vec::new());
                    inner.vault.read_attachment(vault_id(id)?, file.id, &mut *bytes)?;
                    let copy = inner.vault.attach(new_id, &file.name, &file.media_type, bytes.as_slice())?;
                    ids.insert(file.id.to_string(), copy.id.to_string());
                }
                let renamed = rename_files(&Value::Object(answers.clone()), &ids);
                draft.answers = match renamed {
                    Value::Object(map) => map,
                    _ => Answers::new(),
                };
                let (summary, contents) = self.sealed_parts(&draft)?;
                inner.vault.save(new_id, &summary, &contents)?;
                // The old draft names the new one, so that it is not carried over twice; this completes the
                // carry-over, and its audit entry is written with it.
                old.carried_to = Some(draft.id);
                let (summary, contents) = self.sealed_parts(&old)?;
                let event = inner
                    .vault
                    .case_event(Action::CarryOver, new_id)?
                    .number("from", vault_id(id)?)
                    .text("from_version", old.form_version.as_str());
                inner.vault.save_recorded(vault_id(id)?, &summary, &contents, &event)?;
                Ok::<_, DeskError>(())
            })();
            if let Err(e) = copied {
                // Nothing half-made stays behind; the old draft is untouched.
                let _ = inner.vault.discard(new_id);
                return Err(e);
            }
            let view = self.view(&draft)?;
            Self::set_current(&mut inner, draft.id);
            inner.drafts.insert(draft.id, draft);
            inner.drafts.insert(id, old);
            CarryOver { draft: view, not_carried }
        };
        self.notify(&view.draft.draft);
        Ok(view)
    }

    /// After draft `draft` was finalized: the draft it was carried over from has served and goes.
    pub(crate) fn drop_carried_from(inner: &mut crate::Inner, draft: &Draft) {
        let Some(old) = draft.carried_from else { return };
        let Ok(old_id) = vault_id(old) else { return };
        // Only an open draft is deleted; one finalized meanwhile (it cannot be, but) stays.
        if inner.vault.discard(old_id).is_ok() {
            inner.drafts.remove(&old);
            if inner.current == Some(old) {
                inner.current = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::field_id;

    #[test]
    fn the_field_of_a_path_is_its_last_id() {
        assert_eq!(field_id("hunde[1].rasse"), "rasse");
        assert_eq!(field_id("sepa_iban"), "sepa_iban");
        assert_eq!(field_id("hunde[0]"), "hunde");
    }
}
