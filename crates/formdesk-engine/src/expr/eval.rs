//! The evaluator: runs [`Code`] against values. It never fails: an operation that has no result (a missing
//! value, a division by zero, an overflow) yields [`Value::Null`].

use super::syntax::BinaryOp;
use super::{Builtin, Code, MacroKind, Value};
use chrono::{Datelike, NaiveDate};
use rust_decimal::RoundingStrategy;
use std::cmp::Ordering;
use std::sync::Arc;

/// What an evaluation reads besides its code.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// Top-level values by slot.
    pub globals: &'a [Value],
    /// The fields of the current repeat instance.
    pub item: &'a [Value],
    /// The position of the current repeat instance.
    pub index: usize,
    /// The fields of the enclosing repeat instances, nearest first (`outer`, `outer.outer`).
    pub outer: &'a [&'a [Value]],
    /// The reference date.
    pub today: NaiveDate,
}

/// Evaluates `code`. `locals` is scratch space for macro variables; pass an empty vector.
pub fn eval(code: &Code, scope: &Scope<'_>, locals: &mut Vec<Value>) -> Value {
    match code {
        Code::Const(v) => v.clone(),
        Code::Global(slot) => scope.globals.get(*slot).cloned().unwrap_or(Value::Null),
        Code::ItemField(i) => scope.item.get(*i).cloned().unwrap_or(Value::Null),
        Code::OuterField(levels, i) => levels
            .checked_sub(1)
            .and_then(|l| scope.outer.get(l))
            .and_then(|o| o.get(*i))
            .cloned()
            .unwrap_or(Value::Null),
        Code::ItemIndex => i64::try_from(scope.index).map_or(Value::Null, Value::Int),
        Code::Local(i) => locals.get(*i).cloned().unwrap_or(Value::Null),
        Code::Today => Value::Date(scope.today),
        Code::Field(record, i) => match eval(record, scope, locals) {
            Value::Record(fields) => fields.get(*i).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        },
        Code::At(list, index) => match (eval(list, scope, locals), eval(index, scope, locals)) {
            (Value::List(items), Value::Int(i)) => {
                usize::try_from(i).ok().and_then(|i| items.get(i).cloned()).unwrap_or(Value::Null)
            }
            _ => Value::Null,
        },
        Code::Not(x) => match eval(x, scope, locals) {
            Value::Bool(b) => Value::Bool(!b),
            _ => Value::Null,
        },
        Code::Neg(x) => match eval(x, scope, locals) {
            Value::Int(i) => i.checked_neg().map_or(Value::Null, Value::Int),
            Value::Decimal(d) => Value::Decimal(-d),
            _ => Value::Null,
        },
        Code::Arith(op, a, b) => arith(*op, eval(a, scope, locals), eval(b, scope, locals)),
        Code::Compare(op, a, b) => {
            let (a, b) = (eval(a, scope, locals), eval(b, scope, locals));
            match compare(&a, &b) {
                Some(ord) => Value::Bool(match op {
                    BinaryOp::Lt => ord == Ordering::Less,
                    BinaryOp::Le => ord != Ordering::Greater,
                    BinaryOp::Gt => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                }),
                None => Value::Null,
            }
        }
        Code::Equal(negate, a, b) => {
            let (a, b) = (eval(a, scope, locals), eval(b, scope, locals));
            if !a.is_some() || !b.is_some() {
                return Value::Null;
            }
            Value::Bool(equal(&a, &b) != *negate)
        }
        Code::In(x, list) => {
            let (x, list) = (eval(x, scope, locals), eval(list, scope, locals));
            match (&x, &list) {
                (Value::Null, _) => Value::Null,
                (_, Value::List(items)) => Value::Bool(items.iter().any(|i| equal(&x, i))),
                _ => Value::Null,
            }
        }
        Code::And(a, b) => match eval(a, scope, locals) {
            Value::Bool(false) => Value::Bool(false),
            left => match (left, eval(b, scope, locals)) {
                (_, Value::Bool(false)) => Value::Bool(false),
                (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
                _ => Value::Null,
            },
        },
        Code::Or(a, b) => match eval(a, scope, locals) {
            Value::Bool(true) => Value::Bool(true),
            left => match (left, eval(b, scope, locals)) {
                (_, Value::Bool(true)) => Value::Bool(true),
                (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                _ => Value::Null,
            },
        },
        Code::Conditional(c, a, b) => match eval(c, scope, locals) {
            Value::Bool(true) => eval(a, scope, locals),
            Value::Bool(false) => eval(b, scope, locals),
            _ => Value::Null,
        },
        Code::List(items) => Value::List(items.iter().map(|i| eval(i, scope, locals)).collect()),
        Code::Call(f, args) => call(*f, args, scope, locals),
        Code::Lookup(code, table) => match eval(code, scope, locals) {
            Value::Text(c) => table.get(&c).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        },
        Code::Matches(text, re) => match eval(text, scope, locals) {
            Value::Text(s) => Value::Bool(re.is_match(&s)),
            _ => Value::Null,
        },
        Code::Macro(kind, list, body) => {
            let Value::List(items) = eval(list, scope, locals) else { return Value::Null };
            run_macro(*kind, &items, body, scope, locals)
        }
    }
}

fn run_macro(kind: MacroKind, items: &Arc<[Value]>, body: &Code, scope: &Scope<'_>, locals: &mut Vec<Value>) -> Value {
    let mut results = Vec::with_capacity(items.len());
    for item in items.iter() {
        locals.push(item.clone());
        results.push(eval(body, scope, locals));
        locals.pop();
    }
    let any_null = results.iter().any(|r| !r.is_some());
    match kind {
        MacroKind::Exists if results.contains(&Value::Bool(true)) => Value::Bool(true),
        MacroKind::All if results.contains(&Value::Bool(false)) => Value::Bool(false),
        MacroKind::Exists | MacroKind::All | MacroKind::ExistsOne if any_null => Value::Null,
        MacroKind::Exists => Value::Bool(false),
        MacroKind::All => Value::Bool(true),
        MacroKind::ExistsOne => Value::Bool(results.iter().filter(|r| **r == Value::Bool(true)).count() == 1),
        MacroKind::Filter => Value::List(
            items.iter().zip(&results).filter(|(_, r)| **r == Value::Bool(true)).map(|(i, _)| i.clone()).collect(),
        ),
        MacroKind::Map => Value::List(results.into()),
    }
}

fn arith(op: BinaryOp, a: Value, b: Value) -> Value {
    match (op, a, b) {
        (BinaryOp::Add, Value::Text(x), Value::Text(y)) => Value::Text(format!("{x}{y}").into()),
        (BinaryOp::Add, Value::List(x), Value::List(y)) => Value::List(x.iter().chain(y.iter()).cloned().collect()),
        (_, Value::Int(x), Value::Int(y)) => {
            let r = match op {
                BinaryOp::Add => x.checked_add(y),
                BinaryOp::Sub => x.checked_sub(y),
                BinaryOp::Mul => x.checked_mul(y),
                BinaryOp::Div => x.checked_div(y),
                _ => x.checked_rem(y),
            };
            r.map_or(Value::Null, Value::Int)
        }
        (_, a, b) => {
            let (Some(x), Some(y)) = (a.as_decimal(), b.as_decimal()) else { return Value::Null };
            let r = match op {
                BinaryOp::Add => x.checked_add(y),
                BinaryOp::Sub => x.checked_sub(y),
                BinaryOp::Mul => x.checked_mul(y),
                BinaryOp::Div => x.checked_div(y),
                _ => x.checked_rem(y),
            };
            r.map_or(Value::Null, Value::Decimal)
        }
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
        _ => Some(a.as_decimal()?.cmp(&b.as_decimal()?)),
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q)),
        (Value::Int(_) | Value::Decimal(_), Value::Int(_) | Value::Decimal(_)) => {
            compare(a, b) == Some(Ordering::Equal)
        }
        _ => a == b,
    }
}

/// Full years from `from` to `to`, counted as German law counts age (§ 187 Abs. 2, § 188 BGB): someone born on
/// 29 February completes a year on 1 March in years without that day.
pub(crate) fn full_years(from: NaiveDate, to: NaiveDate) -> i64 {
    let years = i64::from(to.year()) - i64::from(from.year());
    if (to.month(), to.day()) < (from.month(), from.day()) { years - 1 } else { years }
}

fn call(f: Builtin, args: &[Code], scope: &Scope<'_>, locals: &mut Vec<Value>) -> Value {
    let mut arg = |i: usize| args.get(i).map_or(Value::Null, |a| eval(a, scope, locals));
    match f {
        Builtin::Answered => Value::Bool(arg(0).is_some()),
        Builtin::Coalesce => match arg(0) {
            Value::Null => arg(1),
            v => v,
        },
        Builtin::Size => match arg(0) {
            Value::Text(s) => i64::try_from(s.chars().count()).map_or(Value::Null, Value::Int),
            Value::List(l) => i64::try_from(l.len()).map_or(Value::Null, Value::Int),
            _ => Value::Null,
        },
        Builtin::Date => match arg(0) {
            Value::Text(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_or(Value::Null, Value::Date),
            _ => Value::Null,
        },
        Builtin::Time => match arg(0) {
            Value::Text(s) => super::parse_time(&s).map_or(Value::Null, Value::Time),
            _ => Value::Null,
        },
        Builtin::DateTime => match arg(0) {
            Value::Text(s) => super::parse_date_time(&s).map_or(Value::Null, Value::DateTime),
            _ => Value::Null,
        },
        Builtin::Age => match arg(0) {
            Value::Date(d) => Value::Int(full_years(d, scope.today)),
            _ => Value::Null,
        },
        Builtin::YearsBetween => match (arg(0), arg(1)) {
            (Value::Date(a), Value::Date(b)) => Value::Int(full_years(a, b)),
            _ => Value::Null,
        },
        Builtin::DaysBetween => match (arg(0), arg(1)) {
            (Value::Date(a), Value::Date(b)) => Value::Int((b - a).num_days()),
            _ => Value::Null,
        },
        Builtin::Sum => match arg(0) {
            Value::List(items) => {
                items.iter().filter(|v| v.is_some()).fold(Value::Int(0), |acc, v| arith(BinaryOp::Add, acc, v.clone()))
            }
            _ => Value::Null,
        },
        Builtin::Min | Builtin::Max => {
            let (a, b) = (arg(0), arg(1));
            match compare(&a, &b) {
                Some(Ordering::Greater) if f == Builtin::Min => b,
                Some(Ordering::Less) if f == Builtin::Max => b,
                Some(_) => a,
                None => Value::Null,
            }
        }
        Builtin::Round => match (arg(0).as_decimal(), arg(1)) {
            (Some(d), Value::Int(n)) if (0..=28).contains(&n) => {
                let n = u32::try_from(n).unwrap_or(0);
                Value::Decimal(d.round_dp_with_strategy(n, RoundingStrategy::MidpointAwayFromZero))
            }
            _ => Value::Null,
        },
        Builtin::Int => match arg(0) {
            Value::Int(i) => Value::Int(i),
            Value::Decimal(d) => i64::try_from(d.trunc()).map_or(Value::Null, Value::Int),
            _ => Value::Null,
        },
        Builtin::Decimal => arg(0).as_decimal().map_or(Value::Null, Value::Decimal),
        Builtin::StartsWith | Builtin::EndsWith | Builtin::Contains => match (arg(0), arg(1)) {
            (Value::Text(s), Value::Text(t)) => Value::Bool(match f {
                Builtin::StartsWith => s.starts_with(&*t),
                Builtin::EndsWith => s.ends_with(&*t),
                _ => s.contains(&*t),
            }),
            _ => Value::Null,
        },
        Builtin::Lower | Builtin::Upper | Builtin::Trim => match arg(0) {
            Value::Text(s) => Value::Text(match f {
                Builtin::Lower => s.to_lowercase().into(),
                Builtin::Upper => s.to_uppercase().into(),
                _ => s.trim().into(),
            }),
            _ => Value::Null,
        },
    }
}
