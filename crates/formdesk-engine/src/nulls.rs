//! Where a fee or a calculation can lose its value: a field that may be unanswered, read without a default.
//!
//! A missing value spreads through arithmetic, and a fee whose amount has no value is not charged, silently.
//! This analysis finds, for every fee amount and every `calculate`, a name it reads that may have no value
//! when it is evaluated, unless a guard rules that out. It is sound for what it looks at and simple on
//! purpose (see "Unanswered values" in `docs/expressions.md` for its limits): a field may have no value unless
//! it is `required: true` with no `relevant` on it, its groups or its step; a computed value may have none if
//! its own calculation may or it has a `relevant`; `coalesce`, `answered` and `sum` stop a missing value; a
//! `relevant` of the fee or item, or the condition of `?:`, that can only hold when a name has a value (it
//! compares it, calls `answered` on it, or does so in every branch of `||`) guards that name.
//! Non-goals: division by zero, overflow, a code-list entry without the looked-up key.

use crate::definition::{ItemKind, Required};
use crate::expr::{Builtin, Code, MacroKind};
use crate::form::{DefinitionError, Item, Step};
use std::collections::BTreeSet;

/// Something an expression reads that may have no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Global(usize),
    ItemField(usize),
}

struct Analysis<'a> {
    items: &'a [Item],
    slots: &'a [usize],
    /// Per slot: whether its value may be missing.
    slot_null: Vec<bool>,
    /// Per record position of the repeat group being looked at: whether the field may be missing, its id.
    item_null: Vec<(bool, String)>,
}

impl Analysis<'_> {
    /// The name of something `code` reads that may leave it without a value, given the names `guards` known
    /// to have one.
    fn culprit(&self, code: &Code, guards: &BTreeSet<Key>) -> Option<String> {
        let any = |codes: &[&Code]| codes.iter().find_map(|c| self.culprit(c, guards));
        match code {
            Code::Const(_) | Code::ItemIndex | Code::Today | Code::Local(_) | Code::List(_) => None,
            Code::Global(s) => (!guards.contains(&Key::Global(*s)) && self.slot_null.get(*s).copied().unwrap_or(true))
                .then(|| self.items[self.slots[*s]].def.id.clone()),
            Code::ItemField(p) => {
                let (null, id) = self.item_null.get(*p).cloned().unwrap_or((true, String::new()));
                (!guards.contains(&Key::ItemField(*p)) && null).then_some(id)
            }
            Code::Field(record, _) => match record.as_ref() {
                // A field of a list element (`h.rasse`): whether it is answered is not known here.
                Code::Local(_) => Some("a field of a list entry".into()),
                other => self.culprit(other, guards),
            },
            // A field of an enclosing entry (`outer.x`): whether it is answered is not known here.
            Code::OuterField(..) => Some("a field of the enclosing entry".into()),
            Code::At(..) => Some("a list element by position".into()),
            Code::Not(x) | Code::Neg(x) | Code::Matches(x, _) | Code::Lookup(x, _) => self.culprit(x, guards),
            Code::Arith(_, a, b)
            | Code::Compare(_, a, b)
            | Code::Equal(_, a, b)
            | Code::In(a, b)
            | Code::And(a, b)
            | Code::Or(a, b) => any(&[a, b]),
            Code::Conditional(c, a, b) => self.culprit(c, guards).or_else(|| {
                let mut inner = guards.clone();
                inner.extend(guaranteed(c));
                self.culprit(a, &inner).or_else(|| self.culprit(b, guards))
            }),
            Code::Call(Builtin::Answered, _) => None,
            Code::Call(Builtin::Coalesce, args) => {
                let first = args.first().and_then(|a| self.culprit(a, guards));
                first.and_then(|_| args.get(1).and_then(|b| self.culprit(b, guards)))
            }
            Code::Call(_, args) => args.iter().find_map(|a| self.culprit(a, guards)),
            Code::Macro(kind, list, body) => self.culprit(list, guards).or_else(|| match kind {
                MacroKind::Filter | MacroKind::Map => None,
                MacroKind::Exists | MacroKind::All | MacroKind::ExistsOne => self.culprit(body, guards),
            }),
        }
    }
}

/// What has a value whenever `code` is true.
fn guaranteed(code: &Code) -> BTreeSet<Key> {
    match code {
        Code::And(a, b) => guaranteed(a).union(&guaranteed(b)).copied().collect(),
        Code::Or(a, b) => guaranteed(a).intersection(&guaranteed(b)).copied().collect(),
        Code::Call(Builtin::Answered, args) => args.iter().flat_map(strict).collect(),
        Code::Compare(_, a, b) | Code::Equal(_, a, b) | Code::In(a, b) => {
            strict(a).union(&strict(b)).copied().collect()
        }
        Code::Matches(x, _) => strict(x),
        _ => BTreeSet::new(),
    }
}

/// What must have a value for `code` to have one.
fn strict(code: &Code) -> BTreeSet<Key> {
    match code {
        Code::Global(s) => BTreeSet::from([Key::Global(*s)]),
        Code::ItemField(p) => BTreeSet::from([Key::ItemField(*p)]),
        Code::Not(x) | Code::Neg(x) | Code::Field(x, _) => strict(x),
        Code::Arith(_, a, b) => strict(a).union(&strict(b)).copied().collect(),
        Code::Call(
            Builtin::Size | Builtin::Lower | Builtin::Upper | Builtin::Trim | Builtin::Int | Builtin::Decimal,
            args,
        ) => args.iter().flat_map(strict).collect(),
        _ => BTreeSet::new(),
    }
}

/// Whether the item, one of its groups or its step has a `relevant`, so that it can be hidden.
fn can_be_hidden(items: &[Item], steps: &[Step], idx: usize) -> bool {
    let mut cur = Some(idx);
    while let Some(i) = cur {
        if items[i].relevant.is_some() {
            return true;
        }
        cur = items[i].parent;
    }
    steps[items[idx].step].relevant.is_some()
}

/// What guards the reads of an item's expressions: its own relevance and that of its groups and step.
fn item_guards(items: &[Item], steps: &[Step], idx: usize) -> BTreeSet<Key> {
    let mut guards = BTreeSet::new();
    let mut cur = Some(idx);
    while let Some(i) = cur {
        if let Some(r) = &items[i].relevant {
            guards.extend(guaranteed(&r.code));
        }
        cur = items[i].parent;
    }
    if let Some(r) = &steps[items[idx].step].relevant {
        guards.extend(guaranteed(&r.code));
    }
    guards
}

fn always_answered(item: &Item) -> bool {
    item.def.required == Some(Required::Always(true))
}

/// The warnings of a loaded form: every fee amount and calculation that can lose its value.
pub(crate) fn warnings(
    items: &[Item],
    steps: &[Step],
    slots: &[usize],
    order: &[usize],
    fees: &[(usize, &crate::form::Fee)],
    paths: &[String],
) -> Vec<DefinitionError> {
    let mut a = Analysis { items, slots, slot_null: vec![true; slots.len()], item_null: Vec::new() };
    let mut warnings = Vec::new();
    let reads = |culprit: &str| {
        format!(
            "'{culprit}' may have no value here (it is not always answered), and a missing value spreads through \
             the arithmetic; give a default with coalesce({culprit}, …) or a 'relevant' that needs it answered"
        )
    };
    for &slot in order {
        let idx = slots[slot];
        let item = &items[idx];
        let hidden = can_be_hidden(items, steps, idx);
        a.slot_null[slot] = match (&item.calculate, &item.record) {
            (Some(calc), _) => {
                let culprit = a.culprit(&calc.code, &item_guards(items, steps, idx));
                if let Some(c) = &culprit {
                    warnings.push(DefinitionError {
                        path: format!("{}.calculate", paths[idx]),
                        message: format!("this value can be missing: {}", reads(c)),
                    });
                }
                hidden || culprit.is_some()
            }
            (None, Some(record)) => {
                // The children of a repeat group, in their order, with `item.<field>` as they are.
                a.item_null = record.fields.iter().map(|(id, _)| (true, id.clone())).collect();
                for &pos in &item.child_order {
                    let Some(&child) = item.children.iter().find(|c| items[**c].position == Some(pos)) else {
                        continue;
                    };
                    let ch = &items[child];
                    let mut guards = item_guards(items, steps, child);
                    if let Some(r) = &ch.relevant {
                        guards.extend(guaranteed(&r.code));
                    }
                    let null = match &ch.calculate {
                        Some(calc) => {
                            let culprit = a.culprit(&calc.code, &guards);
                            if let Some(c) = &culprit {
                                warnings.push(DefinitionError {
                                    path: format!("{}.calculate", paths[child]),
                                    message: format!("this value can be missing: {}", reads(c)),
                                });
                            }
                            ch.relevant.is_some() || culprit.is_some()
                        }
                        None => ch.relevant.is_some() || !always_answered(ch),
                    };
                    a.item_null[pos].0 = null;
                }
                a.item_null.clear();
                hidden
            }
            (None, None) => hidden || (item.def.kind != ItemKind::Computed && !always_answered(item)),
        };
    }
    for (i, fee) in fees {
        let guards = fee.relevant.as_ref().map(|r| guaranteed(&r.code)).unwrap_or_default();
        if let Some(c) = a.culprit(&fee.amount.code, &guards) {
            warnings.push(DefinitionError {
                path: format!("$.fees[{i}].amount"),
                message: format!("the fee is not charged when its amount has no value: {}", reads(&c)),
            });
        }
    }
    warnings
}
