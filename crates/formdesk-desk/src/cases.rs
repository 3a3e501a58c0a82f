//! Cases and the wizard: starting a draft, answers, repeat groups, the citizen's language, the steps and the
//! review, the citizen's view, discarding, and retention.
//!
//! Non-goals: the form logic (the engine), finalizing (`receipts`), files (`files`).

use crate::drafts::{Draft, DraftStatus, REVIEW};
use crate::ipc::{CitizenView, DraftView, ReviewItem, ReviewStep, ReviewView};
use crate::{Desk, DeskError, vault_id};
use formdesk_engine::Answers;
use formdesk_engine::display;
use formdesk_engine::state::ItemState;
use serde_json::Value;
use std::time::Duration;

impl Desk {
    /// Starts a new draft of a form on its first visible step, saved in the vault at once. The form must be
    /// offered in the current set; the draft is pinned to it (the set's manifest and the form's text).
    pub fn start(&self, form_id: &str) -> Result<DraftView, DeskError> {
        self.touch();
        let view = {
            // The set is chosen under the desk's lock, as `collect_forms` deletes under it: a new set arriving
            // between choosing the current one and recording the pin could otherwise have the chosen set
            // deleted before the case is pinned to it, and the new case would not open.
            let mut inner = self.inner();
            let form = self.form_to_begin(form_id)?;
            let state = form.form.evaluate(&Answers::new(), "de", self.clock.today());
            let first = state.steps.iter().find(|s| s.visible).map_or_else(|| REVIEW.to_owned(), |s| s.id.clone());
            let mut draft = Draft::new(&form, &first, self.clock.now());
            let (summary, contents) = self.sealed_parts(&draft)?;
            let pin = form.pin();
            let id = inner.vault.create_pinned(form_id, form.form.version(), pin.as_ref(), &summary, &contents)?;
            draft.id = u64::try_from(id).map_err(|_| DeskError::UnknownDraft(0))?;
            let view = self.view(&draft)?;
            Self::set_current(&mut inner, draft.id);
            inner.drafts.insert(draft.id, draft);
            view
        };
        self.notify(&view.draft);
        Ok(view)
    }

    /// What the citizen's screen shows: the current step of the draft the clerk works on, read-only, in the
    /// citizen's language. `None` when no draft is open or the desk is locked.
    pub fn citizen_view(&self) -> Option<CitizenView> {
        let inner = self.inner();
        let draft = inner.current.and_then(|id| inner.drafts.get(&id))?;
        let view = self.view(draft).ok()?;
        let steps: Vec<_> = view.state.steps.iter().filter(|s| s.visible).collect();
        let position = steps.iter().position(|s| s.id == draft.step);
        Some(CitizenView {
            title: view.state.title.clone(),
            lang: draft.citizen_lang.clone(),
            status: draft.status,
            step_number: position.map_or(steps.len() + 1, |p| p + 1),
            step_count: steps.len(),
            step: position.map(|p| steps[p].clone()),
            fees: view.state.fees.clone(),
        })
    }

    /// A draft as it stands.
    pub fn draft(&self, id: u64) -> Result<DraftView, DeskError> {
        self.with_draft(id, |_, _| Ok(()))
    }

    /// Sets one answer; `path` as the engine writes it (`hunde[1].rasse`). `null` clears it.
    pub fn set_answer(&self, id: u64, path: &str, value: Value) -> Result<DraftView, DeskError> {
        let now = self.clock.now();
        self.check_files(id, &value)?;
        self.with_draft(id, |d, _| d.set_answer(path, value, now))
    }

    /// Adds an empty instance to a repeat group (another dog).
    pub fn add_instance(&self, id: u64, group: &str) -> Result<DraftView, DeskError> {
        let now = self.clock.now();
        self.with_draft(id, |d, _| d.add_instance(group, now))
    }

    /// Removes an instance of a repeat group.
    pub fn remove_instance(&self, id: u64, group: &str, index: usize) -> Result<DraftView, DeskError> {
        let now = self.clock.now();
        self.with_draft(id, |d, _| d.remove_instance(group, index, now))
    }

    /// Switches the language of the form's texts to the citizen's (the clerk's interface stays German): one of
    /// the languages the draft's form covers completely ([`formdesk_engine::Form::citizen_languages`]).
    pub fn set_citizen_lang(&self, id: u64, lang: &str) -> Result<DraftView, DeskError> {
        self.with_draft(id, |d, desk| {
            let form = desk.form_of(d)?.form;
            if !form.citizen_languages().iter().any(|l| l == lang) {
                return Err(DeskError::LanguageNotOffered(form.id().to_owned(), lang.to_owned()));
            }
            d.citizen_lang = lang.to_owned();
            Ok(())
        })
    }

    fn visible_steps(&self, draft: &Draft) -> Result<Vec<(String, usize)>, DeskError> {
        let view = self.view(draft)?;
        Ok(view.state.steps.iter().filter(|s| s.visible).map(|s| (s.id.clone(), s.error_count)).collect())
    }

    /// "Weiter": to the next visible step, or to the review after the last. A step with errors is not left;
    /// its errors are all shown instead.
    pub fn next(&self, id: u64) -> Result<DraftView, DeskError> {
        self.with_draft(id, |d, desk| {
            let steps = desk.visible_steps(d)?;
            let Some(pos) = steps.iter().position(|(s, _)| *s == d.step) else {
                // The current step was hidden by a change, or this is the review: go to the first step.
                d.step = steps.first().map_or_else(|| REVIEW.to_owned(), |s| s.0.clone());
                return Ok(());
            };
            if steps[pos].1 > 0 {
                d.checked.insert(d.step.clone());
                return Ok(());
            }
            d.step = steps.get(pos + 1).map_or_else(|| REVIEW.to_owned(), |s| s.0.clone());
            d.visited.insert(d.step.clone());
            Ok(())
        })
    }

    /// "Zurück": to the previous visible step (from the review, to the last step).
    pub fn back(&self, id: u64) -> Result<DraftView, DeskError> {
        self.with_draft(id, |d, desk| {
            let steps = desk.visible_steps(d)?;
            let pos = steps.iter().position(|(s, _)| *s == d.step).unwrap_or(steps.len());
            if let Some(prev) = pos.checked_sub(1).and_then(|p| steps.get(p)) {
                d.step = prev.0.clone();
            }
            Ok(())
        })
    }

    /// Jumps to a visible step already visited, or to the review once every step was visited.
    pub fn go_to(&self, id: u64, step: &str) -> Result<DraftView, DeskError> {
        self.with_draft(id, |d, desk| {
            let steps = desk.visible_steps(d)?;
            let reachable = if step == REVIEW {
                steps.iter().all(|(s, _)| d.visited.contains(s))
            } else {
                d.visited.contains(step) && steps.iter().any(|(s, _)| s == step)
            };
            if !reachable {
                return Err(DeskError::StepNotReachable(step.to_owned()));
            }
            d.step = step.to_owned();
            Ok(())
        })
    }

    /// Everything entered, step by step, as the citizen reads it (clerk's language: German).
    pub fn review(&self, id: u64) -> Result<ReviewView, DeskError> {
        let mut inner = self.inner();
        let draft = Self::loaded(&mut inner, id)?;
        let form = self.form_of(draft)?.form;
        let state = form.evaluate(&draft.answers, &draft.citizen_lang, self.clock.today());
        let lang = "de";
        // `within` names the instance the items stand in ("Haushaltsmitglied 1"), so that the heading of an
        // instance inside it says where it belongs ("Haushaltsmitglied 1 › Einkommen 2").
        fn collect(items: &[ItemState], lang: &str, within: &str, out: &mut Vec<ReviewItem>) {
            for item in items.iter().filter(|i| i.visible) {
                match item.kind {
                    formdesk_engine::ItemKind::Info => {}
                    formdesk_engine::ItemKind::Group => {
                        collect(&item.items, lang, within, out);
                        for (n, instance) in item.instances.iter().enumerate() {
                            let label =
                                item.repeat.as_ref().and_then(|r| r.item_label.clone()).or_else(|| item.label.clone());
                            let name = format!("{} {}", label.unwrap_or_default(), n + 1);
                            let name = if within.is_empty() { name } else { format!("{within} › {name}") };
                            out.push(ReviewItem {
                                path: format!("{}[{n}]", item.path),
                                label: name.clone(),
                                value: None,
                                heading: true,
                                missing: false,
                                error: None,
                            });
                            collect(instance, lang, &name, out);
                        }
                        if let Some(e) = item.errors.first() {
                            out.push(ReviewItem {
                                path: item.path.clone(),
                                label: item.label.clone().unwrap_or_default(),
                                value: None,
                                heading: false,
                                missing: false,
                                error: Some(e.message.clone()),
                            });
                        }
                    }
                    _ => {
                        let value = display::item_value(item, lang);
                        let error = item.errors.first().map(|e| e.message.clone());
                        if value.is_none() && error.is_none() {
                            continue;
                        }
                        out.push(ReviewItem {
                            path: item.path.clone(),
                            label: item.label.clone().unwrap_or_default(),
                            missing: value.is_none(),
                            value,
                            heading: false,
                            error,
                        });
                    }
                }
            }
        }
        let steps = state
            .steps
            .iter()
            .filter(|s| s.visible)
            .map(|s| {
                let mut items = Vec::new();
                collect(&s.items, lang, "", &mut items);
                ReviewStep { id: s.id.clone(), title: s.title.clone(), complete: s.complete, items }
            })
            .collect();
        let fees = state
            .fees
            .iter()
            .map(|f| (f.label.clone(), display::euros(f.amount.parse().unwrap_or_default(), lang)))
            .collect();
        Ok(ReviewView {
            draft: self.info(draft),
            steps,
            fees,
            complete: state.complete,
            error_count: state.errors.len(),
        })
    }

    /// Retention: shreds the plaintext of every finalized submission finalized more than `max_age` ago;
    /// what a receipt lookup needs (ids, form, times) stays. Returns how many were shredded. Needs no
    /// unlock: shredding destroys keys, it reads nothing. The audit trail's entries the portal acknowledged
    /// more than 400 days ago are pruned too (a failure there is logged).
    pub fn shred_expired(&self, max_age: Duration) -> Result<usize, DeskError> {
        let mut inner = self.inner();
        let shredded = inner.vault.shred_older_than(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX))?;
        // The audit trail's own retention: acknowledged entries older than 400 days (never one not uploaded).
        if let Err(e) = inner.vault.prune_audit() {
            eprintln!("formdesk: old audit entries were not pruned ({e})");
        }
        if shredded > 0 {
            // Finalized drafts read since the unlock are read again from the vault when needed.
            inner.drafts.retain(|_, d| d.status == DraftStatus::Open);
        }
        Ok(shredded)
    }

    /// Deletes a draft that is still open, with everything in it.
    pub fn discard(&self, id: u64) -> Result<(), DeskError> {
        let mut inner = self.inner();
        if Self::loaded(&mut inner, id)?.status == DraftStatus::Final {
            return Err(DeskError::Finalized(id));
        }
        inner.vault.discard(vault_id(id)?)?;
        inner.drafts.remove(&id);
        if inner.current == Some(id) {
            inner.current = None;
        }
        Ok(())
    }
}
