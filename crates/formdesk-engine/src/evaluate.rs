//! Evaluation: from (form, answers, reference date, language) to the [`FormState`].
//!
//! A pure function: the same input gives the same state, nothing is read from the clock or the disk.

use crate::definition::{Bound, ItemKind, TextFormat, ValueType};
use crate::expr::{self, Checked, Code, Scope, Value};
use crate::form::{Form, Item, RequiredRule};
use crate::messages::{Issue, Moment};
use crate::state::{
    FeeState, FieldError, FormState, InputHints, ItemError, ItemState, OptionState, RepeatState, StepState,
};
use crate::validators;
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

/// Answers: one JSON object keyed by field id (see `docs/form-format.md`).
pub type Answers = serde_json::Map<String, serde_json::Value>;

static NO_ANSWERS: std::sync::LazyLock<Answers> = std::sync::LazyLock::new(Answers::new);

struct Run<'f> {
    form: &'f Form,
    answers: &'f Answers,
    today: NaiveDate,
    lang: &'f str,
    globals: Vec<Value>,
    item_visible: Vec<Option<bool>>,
    step_visible: Vec<Option<bool>>,
    locals: Vec<Value>,
}

/// Where an expression is evaluated: in a repeat instance (its values by record position, its position, the
/// values of the instances around it, nearest first), or at the top level ([`TOP`]).
#[derive(Clone, Copy)]
struct At<'a> {
    values: &'a [Value],
    index: usize,
    outer: &'a [&'a [Value]],
}

const TOP: At<'static> = At { values: &[], index: 0, outer: &[] };

fn is_blank(json: &serde_json::Value) -> bool {
    match json {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.trim().is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::Object(o) => o.values().all(is_blank),
        _ => false,
    }
}

fn parse_decimal(json: &serde_json::Value) -> Option<Decimal> {
    match json {
        serde_json::Value::Number(n) => {
            Decimal::from_str(&n.to_string()).or_else(|_| Decimal::from_scientific(&n.to_string())).ok()
        }
        serde_json::Value::String(s) => {
            let s = s.trim();
            let plain = s.strip_prefix('-').unwrap_or(s);
            let separators = plain.chars().filter(|c| *c == '.' || *c == ',').count();
            let digits_ok = plain.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',');
            if separators > 1 || !digits_ok || plain.is_empty() {
                return None;
            }
            Decimal::from_str(&s.replace(',', ".")).ok()
        }
        _ => None,
    }
}

fn text(s: &str) -> Value {
    Value::Text(Arc::from(s.trim()))
}

/// Converts an answer to its value. Blank answers are `Null`; answers of the wrong shape are an issue.
fn convert(item: &Item, json: &serde_json::Value) -> Result<Value, Issue> {
    use serde_json::Value as J;
    if is_blank(json) {
        return Ok(Value::Null);
    }
    let def = &item.def;
    Ok(match def.kind {
        ItemKind::Text
        | ItemKind::LongText
        | ItemKind::Email
        | ItemKind::Phone
        | ItemKind::Iban
        | ItemKind::Postcode
        | ItemKind::Choice => match json {
            J::String(s) => text(s),
            _ => return Err(Issue::Type("a text")),
        },
        ItemKind::Signature => match json.get("ref") {
            Some(J::String(s)) if !s.is_empty() => text(s),
            _ => return Err(Issue::Type("a text")),
        },
        ItemKind::Integer => match parse_decimal(json) {
            Some(d) if d.fract().is_zero() => {
                i64::try_from(d).map(Value::Int).map_err(|_| Issue::Type("a whole number"))?
            }
            _ => return Err(Issue::Type("a whole number")),
        },
        ItemKind::Decimal => Value::Decimal(parse_decimal(json).ok_or(Issue::Type("a number"))?),
        ItemKind::Currency => Value::Decimal(parse_decimal(json).ok_or(Issue::Type("an amount in euros"))?),
        ItemKind::Date => match json {
            J::String(s) => {
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map(Value::Date).map_err(|_| Issue::InvalidDate)?
            }
            _ => return Err(Issue::InvalidDate),
        },
        ItemKind::Time => match json {
            J::String(s) => expr::parse_time(s.trim()).map(Value::Time).ok_or(Issue::InvalidTime)?,
            _ => return Err(Issue::InvalidTime),
        },
        ItemKind::DateTime => match json {
            J::String(s) => expr::parse_date_time(s.trim()).map(Value::DateTime).ok_or(Issue::InvalidDateTime)?,
            _ => return Err(Issue::InvalidDateTime),
        },
        ItemKind::Boolean => match json {
            J::Bool(b) => Value::Bool(*b),
            _ => return Err(Issue::Type("yes or no")),
        },
        ItemKind::MultiChoice => match json {
            J::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    match i {
                        J::String(s) => out.push(text(s)),
                        _ => return Err(Issue::Type("a list")),
                    }
                }
                Value::List(out.into())
            }
            _ => return Err(Issue::Type("a list")),
        },
        ItemKind::Address => match json {
            J::Object(o) => {
                let part = |k: &str| match o.get(k) {
                    Some(J::String(s)) if !s.trim().is_empty() => Ok(text(s)),
                    None | Some(J::Null) | Some(J::String(_)) => Ok(Value::Null),
                    Some(_) => Err(Issue::Type("an address")),
                };
                Value::Record(Arc::from([part("street")?, part("houseNumber")?, part("postcode")?, part("city")?]))
            }
            _ => return Err(Issue::Type("an address")),
        },
        ItemKind::Attachment | ItemKind::Photo => match json {
            J::Array(files) => {
                let mut out = Vec::with_capacity(files.len());
                for f in files {
                    let (Some(J::String(name)), Some(J::String(media)), Some(size)) =
                        (f.get("name"), f.get("mediaType"), f.get("size").and_then(J::as_i64))
                    else {
                        return Err(Issue::Type("files"));
                    };
                    out.push(Value::Record(Arc::from([text(name), text(media), Value::Int(size)])));
                }
                Value::List(out.into())
            }
            _ => return Err(Issue::Type("files")),
        },
        ItemKind::Info | ItemKind::Computed | ItemKind::Group => Value::Null,
    })
}

fn media_accepted(accept: &[String], media: &str) -> bool {
    accept.iter().any(|a| match a.strip_suffix("/*") {
        Some(prefix) => media.split('/').next() == Some(prefix),
        None => a.eq_ignore_ascii_case(media),
    })
}

/// The built-in checks of an answered value; the first failing one.
fn check_value(item: &Item, value: &Value, today: NaiveDate) -> Option<Issue> {
    let def = &item.def;
    match (def.kind, value) {
        (ItemKind::Text | ItemKind::LongText, Value::Text(s)) => {
            let n = u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
            if let Some(min) = def.min_length.filter(|m| n < *m) {
                return Some(Issue::TooShort(min));
            }
            if let Some(max) = def.max_length.filter(|m| n > *m) {
                return Some(Issue::TooLong(max));
            }
            if item.pattern.as_ref().is_some_and(|re| !re.is_match(s)) {
                return Some(Issue::PatternMismatch(def.pattern_message.clone()));
            }
            let r = match def.format {
                Some(TextFormat::SteuerId) => validators::steuer_id(s),
                Some(TextFormat::VehiclePlate) => validators::vehicle_plate(s),
                None => Ok(()),
            };
            r.err().map(Issue::Invalid)
        }
        (ItemKind::Email, Value::Text(s)) => validators::email(s).err().map(Issue::Invalid),
        (ItemKind::Phone, Value::Text(s)) => validators::phone(s).err().map(Issue::Invalid),
        (ItemKind::Iban, Value::Text(s)) => validators::iban(s).err().map(Issue::Invalid),
        (ItemKind::Postcode, Value::Text(s)) => validators::postcode(s).err().map(Issue::Invalid),
        (ItemKind::Integer | ItemKind::Decimal | ItemKind::Currency, v) => {
            let d = match v {
                Value::Int(i) => Decimal::from(*i),
                Value::Decimal(d) => *d,
                _ => return None,
            };
            if let Some(min) = def.min.as_ref().and_then(Bound::number).filter(|m| d < *m) {
                return Some(Issue::BelowMin(min));
            }
            if let Some(max) = def.max.as_ref().and_then(Bound::number).filter(|m| d > *m) {
                return Some(Issue::AboveMax(max));
            }
            let places = match def.kind {
                ItemKind::Currency => Some(2),
                _ => def.fraction_digits,
            };
            places.filter(|p| d.normalize().scale() > *p).map(Issue::FractionDigits)
        }
        (ItemKind::Date, Value::Date(d)) => {
            if def.not_in_future && *d > today {
                return Some(Issue::DateInFuture);
            }
            if def.not_in_past && *d < today {
                return Some(Issue::DateInPast);
            }
            let age = expr::full_years(*d, today);
            if let Some(min) = def.min_age.filter(|m| age < i64::from(*m)) {
                return Some(Issue::BelowMinAge(min));
            }
            def.max_age.filter(|m| age > i64::from(*m)).map(Issue::AboveMaxAge)
        }
        (ItemKind::Time | ItemKind::DateTime, v @ (Value::Time(_) | Value::DateTime(_))) => {
            let bound = |b: &Option<Bound>| match b {
                Some(Bound::Text(t)) if def.kind == ItemKind::Time => expr::parse_time(t).map(Value::Time),
                Some(Bound::Text(t)) => expr::parse_date_time(t).map(Value::DateTime),
                _ => None,
            };
            let shown = |b: &Option<Bound>| {
                let t = b.as_ref().map(ToString::to_string).unwrap_or_default();
                match def.kind {
                    ItemKind::Time => Moment::Time(t),
                    _ => Moment::DateTime(t),
                }
            };
            let order = |a: &Value, b: &Value| match (a, b) {
                (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
                (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
                _ => None,
            };
            if bound(&def.min).is_some_and(|m| order(v, &m) == Some(std::cmp::Ordering::Less)) {
                return Some(Issue::TooEarly(shown(&def.min)));
            }
            if bound(&def.max).is_some_and(|m| order(v, &m) == Some(std::cmp::Ordering::Greater)) {
                return Some(Issue::TooLate(shown(&def.max)));
            }
            None
        }
        (ItemKind::Choice, Value::Text(s)) => {
            let ok = item.options.as_ref().is_some_and(|o| o.iter().any(|opt| opt.value == **s));
            (!ok).then_some(Issue::InvalidChoice)
        }
        (ItemKind::MultiChoice, Value::List(items)) => {
            let known = |v: &Value| match v {
                Value::Text(s) => item.options.as_ref().is_some_and(|o| o.iter().any(|opt| opt.value == **s)),
                _ => false,
            };
            if !items.iter().all(known) {
                return Some(Issue::InvalidChoice);
            }
            let n = u32::try_from(items.len()).unwrap_or(u32::MAX);
            if let Some(min) = def.min_selected.filter(|m| n < *m) {
                return Some(Issue::TooFewSelected(min));
            }
            def.max_selected.filter(|m| n > *m).map(Issue::TooManySelected)
        }
        (ItemKind::Address, Value::Record(parts)) => {
            if parts.iter().any(|p| !p.is_some()) {
                return Some(Issue::Required);
            }
            match parts.get(2) {
                Some(Value::Text(plz)) => validators::postcode(plz).err().map(Issue::Invalid),
                _ => None,
            }
        }
        (ItemKind::Attachment | ItemKind::Photo, Value::List(files)) => {
            let max_files = def.max_files.unwrap_or(1);
            if files.len() > usize::try_from(max_files).unwrap_or(usize::MAX) {
                return Some(Issue::TooManyFiles(max_files));
            }
            for f in files.iter() {
                let Value::Record(parts) = f else { continue };
                if let (Some(accept), Some(Value::Text(media))) = (&def.accept, parts.get(1))
                    && !media_accepted(accept, media)
                {
                    return Some(Issue::FileType);
                }
                if let (Some(kb), Some(Value::Int(size))) = (def.max_size_kb, parts.get(2))
                    && u64::try_from(*size).map_or(true, |s| s > kb.saturating_mul(1024))
                {
                    return Some(Issue::FileTooLarge(kb));
                }
            }
            None
        }
        _ => None,
    }
}

/// A value as JSON, decimals as strings with the places their type shows.
fn to_json(value: &Value, value_type: Option<ValueType>) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) if value_type == Some(ValueType::Currency) => J::String(format!("{i}.00")),
        Value::Int(i) => J::from(*i),
        Value::Decimal(d) => J::String(match value_type {
            Some(ValueType::Currency) => currency(*d),
            _ => d.normalize().to_string(),
        }),
        Value::Text(s) => J::String(s.to_string()),
        Value::Date(d) => J::String(d.format("%Y-%m-%d").to_string()),
        Value::Time(t) => J::String(t.format("%H:%M").to_string()),
        Value::DateTime(dt) => J::String(expr::format_date_time(dt)),
        Value::List(items) | Value::Record(items) => J::Array(items.iter().map(|i| to_json(i, None)).collect()),
    }
}

fn currency(d: Decimal) -> String {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r.to_string()
}

fn coerce(value: Value, value_type: Option<ValueType>) -> Value {
    match (value, value_type) {
        (Value::Int(i), Some(ValueType::Decimal | ValueType::Currency)) => Value::Decimal(Decimal::from(i)),
        (Value::Decimal(d), Some(ValueType::Currency)) => {
            Value::Decimal(d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
        }
        (v, _) => v,
    }
}

impl Run<'_> {
    fn truth(&mut self, code: &Checked, at: At<'_>) -> Option<bool> {
        self.value_of(&code.code, at).as_bool()
    }

    fn value_of(&mut self, code: &Code, at: At<'_>) -> Value {
        let scope =
            Scope { globals: &self.globals, item: at.values, index: at.index, outer: at.outer, today: self.today };
        expr::eval(code, &scope, &mut self.locals)
    }

    fn step_visible(&mut self, s: usize) -> bool {
        if let Some(v) = self.step_visible[s] {
            return v;
        }
        let form = self.form;
        let v = match &form.steps[s].relevant {
            Some(c) => self.truth(c, TOP) == Some(true),
            None => true,
        };
        self.step_visible[s] = Some(v);
        v
    }

    /// Visibility of an item outside repeat groups, or of an item inside one apart from the conditions read in
    /// its instances.
    fn visible(&mut self, idx: usize) -> bool {
        if let Some(v) = self.item_visible[idx] {
            return v;
        }
        let form = self.form;
        let item = &form.items[idx];
        let parent_visible = match item.parent {
            Some(p) => self.visible(p),
            None => self.step_visible(item.step),
        };
        let v = parent_visible
            && (item.in_repeat
                || match &item.relevant {
                    Some(c) => self.truth(c, TOP) == Some(true),
                    None => true,
                });
        self.item_visible[idx] = Some(v);
        v
    }

    /// Visibility of an item in one instance of the repeat group around it: its own condition and those of the
    /// plain groups between it and that repeat group, read in the instance. The repeat group's own visibility
    /// was settled before its instances were made.
    fn visible_in(&mut self, idx: usize, at: At<'_>) -> bool {
        let form = self.form;
        if !self.visible(idx) {
            return false;
        }
        let mut cur = Some(idx);
        while let Some(i) = cur {
            let item = &form.items[i];
            if !item.in_repeat {
                break;
            }
            if let Some(c) = &item.relevant
                && self.truth(c, at) != Some(true)
            {
                return false;
            }
            cur = item.parent.filter(|p| form.items[*p].record.is_none());
        }
        true
    }

    fn compute_slot(&mut self, slot: usize) {
        let form = self.form;
        let idx = form.slots[slot];
        let item = &form.items[idx];
        if !self.visible(idx) {
            return;
        }
        let value = if item.record.is_some() {
            self.repeat_value(idx, self.answers.get(&item.def.id), &[])
        } else if let Some(calc) = &item.calculate {
            let v = self.value_of(&calc.code, TOP);
            coerce(v, item.def.value_type)
        } else {
            let v = self.answers.get(&item.def.id).map_or(Value::Null, |j| convert(item, j).unwrap_or(Value::Null));
            // An answer that is not among the options is no value to expressions.
            if matches!(item.def.kind, ItemKind::Choice | ItemKind::MultiChoice)
                && check_value(item, &v, self.today).is_some()
            {
                Value::Null
            } else {
                v
            }
        };
        self.globals[slot] = value;
    }

    /// The value of a visible repeat group, a list of records, from its answer; `outer` holds the values of the
    /// instances around it, nearest first. Nested repeat groups are made inside each instance.
    fn repeat_value(&mut self, idx: usize, raw: Option<&serde_json::Value>, outer: &[&[Value]]) -> Value {
        let form = self.form;
        let item = &form.items[idx];
        let Some(record) = &item.record else { return Value::Null };
        let raw: &[serde_json::Value] = match raw {
            Some(serde_json::Value::Array(a)) => a,
            _ => &[],
        };
        let mut list = Vec::with_capacity(raw.len());
        for (index, inst) in raw.iter().enumerate() {
            let obj = inst.as_object().unwrap_or(&NO_ANSWERS);
            let mut values = vec![Value::Null; record.fields.len()];
            for &pos in &item.child_order {
                let Some(&child) = item.fields.get(pos) else { continue };
                let ch = &form.items[child];
                if !self.visible_in(child, At { values: &values, index, outer }) {
                    continue;
                }
                let value = if ch.record.is_some() {
                    let mut around = Vec::with_capacity(outer.len() + 1);
                    around.push(values.as_slice());
                    around.extend_from_slice(outer);
                    self.repeat_value(child, obj.get(&ch.def.id), &around)
                } else if let Some(calc) = &ch.calculate {
                    let v = self.value_of(&calc.code, At { values: &values, index, outer });
                    coerce(v, ch.def.value_type)
                } else {
                    obj.get(&ch.def.id).map_or(Value::Null, |j| convert(ch, j).unwrap_or(Value::Null))
                };
                values[pos] = value;
                if ch.def.kind == ItemKind::Choice && check_value(ch, &values[pos], self.today).is_some() {
                    values[pos] = Value::Null;
                }
            }
            list.push(Value::Record(values.into()));
        }
        Value::List(list.into())
    }

    fn required(&mut self, item: &Item, at: At<'_>) -> bool {
        match &item.required {
            RequiredRule::Never => false,
            RequiredRule::Always => true,
            RequiredRule::When(c) => self.truth(c, at) == Some(true),
        }
    }

    /// The first issue of a visible field's answer.
    fn field_issue(&mut self, item: &Item, raw: Option<&serde_json::Value>, at: At<'_>) -> (bool, Option<Issue>) {
        let required = self.required(item, at);
        let raw = raw.unwrap_or(&serde_json::Value::Null);
        if is_blank(raw) {
            return (required, required.then_some(Issue::Required));
        }
        let value = match convert(item, raw) {
            Ok(v) => v,
            Err(issue) => return (required, Some(issue)),
        };
        if let Some(issue) = check_value(item, &value, self.today) {
            return (required, Some(issue));
        }
        // Constraints read the field itself by id (or `item.<id>`), with its current answer.
        for c in &item.constraints {
            if self.truth(&c.rule, at) == Some(false) {
                return (required, Some(Issue::Constraint(c.code.clone(), c.message.get(self.lang).to_owned())));
            }
        }
        (required, None)
    }

    /// The state of an item whose answer is in `container` (the answers, or the object of a repeat instance,
    /// whose path is `prefix`), evaluated at `at`.
    fn item_state(
        &mut self,
        idx: usize,
        prefix: &str,
        container: &Answers,
        at: At<'_>,
        errors: &mut Vec<FieldError>,
    ) -> ItemState {
        let form = self.form;
        let item = &form.items[idx];
        let def = &item.def;
        let lang = self.lang;
        let raw = container.get(&def.id);
        let path = if prefix.is_empty() { def.id.clone() } else { format!("{prefix}.{}", def.id) };
        let visible = if item.in_repeat { self.visible_in(idx, at) } else { self.visible(idx) };
        let mut state = ItemState {
            kind: def.kind,
            id: def.id.clone(),
            path: path.clone(),
            label: def.label.as_ref().map(|t| t.get(lang).to_owned()),
            help: def.help.as_ref().map(|t| t.get(lang).to_owned()),
            text: def.text.as_ref().map(|t| t.get(lang).to_owned()),
            visible,
            required: false,
            sensitive: def.sensitive,
            value: serde_json::Value::Null,
            value_type: def.value_type,
            errors: Vec::new(),
            options: item
                .options
                .as_ref()
                .map(|o| {
                    o.iter()
                        .map(|opt| OptionState { value: opt.value.clone(), label: opt.label.get(lang).to_owned() })
                        .collect()
                })
                .unwrap_or_default(),
            input: InputHints {
                max_length: def.max_length,
                min: def.min.as_ref().map(ToString::to_string),
                max: def.max.as_ref().map(ToString::to_string),
                format: def.format,
                accept: def.accept.clone().unwrap_or_default(),
                max_files: def.max_files.filter(|_| matches!(def.kind, ItemKind::Attachment | ItemKind::Photo)),
            },
            repeat: def.repeat.map(|r| RepeatState {
                min: r.min,
                max: r.max,
                item_label: def.item_label.as_ref().map(|t| t.get(lang).to_owned()),
            }),
            items: Vec::new(),
            instances: Vec::new(),
        };
        let mut issue = None;
        match def.kind {
            ItemKind::Info => {}
            ItemKind::Computed => {
                let v = match (item.slot, item.position) {
                    (Some(slot), _) => self.globals[slot].clone(),
                    (None, Some(pos)) => at.values.get(pos).cloned().unwrap_or(Value::Null),
                    _ => Value::Null,
                };
                state.value = to_json(&v, def.value_type);
            }
            ItemKind::Group if item.record.is_some() => {
                let raw_list = raw.and_then(serde_json::Value::as_array);
                if visible && raw.is_some_and(|r| !r.is_null() && !r.is_array()) {
                    issue = Some(Issue::Type("a list"));
                }
                let value = match (item.slot, item.position) {
                    (Some(slot), _) => self.globals[slot].clone(),
                    (None, Some(pos)) => at.values.get(pos).cloned().unwrap_or(Value::Null),
                    _ => Value::Null,
                };
                let instances: &[Value] = match &value {
                    Value::List(l) => l,
                    _ => &[],
                };
                // The instances inside read this one's instance as `outer`; a top-level group has none around it.
                let mut around: Vec<&[Value]> = Vec::with_capacity(at.outer.len() + 1);
                if item.in_repeat {
                    around.push(at.values);
                    around.extend_from_slice(at.outer);
                }
                for (i, instance) in instances.iter().enumerate() {
                    let values: &[Value] = match instance {
                        Value::Record(v) => v,
                        _ => &[],
                    };
                    let obj =
                        raw_list.and_then(|l| l.get(i)).and_then(serde_json::Value::as_object).unwrap_or(&NO_ANSWERS);
                    let inner = At { values, index: i, outer: &around };
                    let prefix = format!("{path}[{i}]");
                    let mut children = Vec::with_capacity(item.children.len());
                    for &c in &item.children {
                        children.push(self.item_state(c, &prefix, obj, inner, errors));
                    }
                    if visible {
                        for key in obj.keys() {
                            let known = item.fields.iter().any(|f| {
                                let d = &form.items[*f].def;
                                d.id == *key && (d.kind.is_answered() || d.kind == ItemKind::Group)
                            });
                            if !known {
                                let issue = Issue::UnknownField;
                                errors.push(FieldError {
                                    path: format!("{prefix}.{key}"),
                                    code: issue.code(),
                                    message: issue.message(lang),
                                });
                            }
                        }
                    }
                    state.instances.push(children);
                }
                let n = u32::try_from(instances.len()).unwrap_or(u32::MAX);
                if visible
                    && issue.is_none()
                    && let Some(r) = def.repeat
                {
                    if n < r.min {
                        issue = Some(Issue::TooFewItems(r.min));
                    } else if n > r.max {
                        issue = Some(Issue::TooManyItems(r.max));
                    }
                }
                state.value = serde_json::Value::Null;
            }
            ItemKind::Group => {
                for &c in &item.children {
                    let child = self.item_state(c, prefix, container, at, errors);
                    state.items.push(child);
                }
            }
            _ => {
                state.value = raw.cloned().unwrap_or(serde_json::Value::Null);
                if visible {
                    let (required, found) = self.field_issue(item, raw, at);
                    state.required = required;
                    issue = found;
                }
            }
        }
        if let Some(issue) = issue {
            let (code, message) = (issue.code(), issue.message(lang));
            errors.push(FieldError { path, code: code.clone(), message: message.clone() });
            state.errors.push(ItemError { code, message });
        }
        state
    }
}

impl Form {
    /// Evaluates `answers` at the reference date `today`, with texts and messages in `lang`.
    pub fn evaluate(&self, answers: &Answers, lang: &str, today: NaiveDate) -> FormState {
        let mut run = Run {
            form: self,
            answers,
            today,
            lang,
            globals: vec![Value::Null; self.slots.len()],
            item_visible: vec![None; self.items.len()],
            step_visible: vec![None; self.steps.len()],
            locals: Vec::new(),
        };
        for &slot in &self.order {
            run.compute_slot(slot);
        }
        let mut errors = Vec::new();
        let mut steps = Vec::with_capacity(self.steps.len());
        for (s, step) in self.steps.iter().enumerate() {
            let visible = run.step_visible(s);
            let before = errors.len();
            let items = step.items.iter().map(|&idx| run.item_state(idx, "", answers, TOP, &mut errors)).collect();
            let error_count = errors.len() - before;
            steps.push(StepState {
                id: step.def.id.clone(),
                title: step.def.title.get(lang).to_owned(),
                description: step.def.description.as_ref().map(|t| t.get(lang).to_owned()),
                visible,
                complete: error_count == 0,
                error_count,
                items,
            });
        }
        for key in answers.keys() {
            if !self.by_id.contains_key(key) {
                let issue = Issue::UnknownField;
                errors.push(FieldError { path: key.clone(), code: issue.code(), message: issue.message(lang) });
            }
        }
        let mut values = BTreeMap::new();
        for (slot, &idx) in self.slots.iter().enumerate() {
            let item = &self.items[idx];
            if item.def.kind == ItemKind::Computed {
                values.insert(item.def.id.clone(), to_json(&run.globals[slot], item.def.value_type));
            }
        }
        let mut fees = Vec::new();
        for fee in &self.fees {
            if let Some(rel) = &fee.relevant
                && run.truth(rel, TOP) != Some(true)
            {
                continue;
            }
            let amount = match run.value_of(&fee.amount.code, TOP) {
                Value::Int(i) => Decimal::from(i),
                Value::Decimal(d) => d,
                _ => continue,
            };
            fees.push(FeeState {
                id: fee.id.clone(),
                label: fee.label.get(lang).to_owned(),
                amount: currency(amount),
                note: fee.note.as_ref().map(|t| t.get(lang).to_owned()),
            });
        }
        let complete = errors.is_empty();
        FormState {
            form_id: self.def.id.clone(),
            form_version: self.def.version.clone(),
            lang: lang.to_owned(),
            title: self.def.title.get(lang).to_owned(),
            steps,
            values,
            fees,
            errors,
            complete,
        }
    }
}
