//! The type checker: resolves names, checks types and compiles a syntax tree into [`Code`].

use super::syntax::{self, Ast, AstKind, BinaryOp, SyntaxError, UnaryOp};
use super::{Builtin, Code, MacroKind, RecordType, Type, Value};
use crate::definition::OptionDefinition;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// The names an expression may use.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    /// Top-level values by id: their slot and type.
    pub globals: &'a HashMap<String, (usize, Type)>,
    /// Inside a repeat group: the type of `item`.
    pub item: Option<&'a RecordType>,
    /// Inside a repeat group nested in others: the types of the enclosing instances, nearest first (`outer`,
    /// `outer.outer`).
    pub outer: &'a [Arc<RecordType>],
    /// Code lists by id, for `codes("id")`.
    pub code_lists: &'a BTreeMap<String, Arc<[Value]>>,
    /// The entries of the code lists by id, for `lookup("id", code, "key")`.
    pub code_entries: &'a BTreeMap<String, Arc<[OptionDefinition]>>,
}

/// A compiled, type-checked expression and what it reads.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The code to evaluate.
    pub code: Code,
    /// Its static type.
    pub ty: Type,
    /// The global slots it reads.
    pub globals: BTreeSet<usize>,
    /// The fields of `item` it reads.
    pub item_fields: BTreeSet<usize>,
    /// The fields of enclosing instances it reads: how many levels out (1 for `outer`) and the position.
    pub outer_fields: BTreeSet<(usize, usize)>,
}

/// Parses and type-checks `src`.
pub fn compile(src: &str, names: Names<'_>) -> Result<Checked, SyntaxError> {
    let ast = syntax::parse(src)?;
    let mut c = Checker {
        names,
        locals: Vec::new(),
        globals: BTreeSet::new(),
        item_fields: BTreeSet::new(),
        outer_fields: BTreeSet::new(),
    };
    let (code, ty) = c.check(&ast)?;
    Ok(Checked { code, ty, globals: c.globals, item_fields: c.item_fields, outer_fields: c.outer_fields })
}

struct Checker<'a> {
    names: Names<'a>,
    locals: Vec<(String, Type)>,
    globals: BTreeSet<usize>,
    item_fields: BTreeSet<usize>,
    outer_fields: BTreeSet<(usize, usize)>,
}

fn err<T>(at: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError { at, message: message.into() })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn suggestion<'n>(name: &str, candidates: impl Iterator<Item = &'n str>) -> String {
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, c)| format!("; did you mean '{c}'?"))
        .unwrap_or_default()
}

pub(crate) const FUNCTIONS: &[&str] = &[
    "size",
    "answered",
    "coalesce",
    "codes",
    "date",
    "time",
    "dateTime",
    "age",
    "yearsBetween",
    "daysBetween",
    "sum",
    "min",
    "max",
    "round",
    "int",
    "decimal",
    "lower",
    "upper",
    "trim",
    "startsWith",
    "endsWith",
    "contains",
    "matches",
    "lookup",
    "exists",
    "all",
    "exists_one",
    "filter",
    "map",
];

impl Checker<'_> {
    fn check(&mut self, ast: &Ast) -> Result<(Code, Type), SyntaxError> {
        let at = ast.at;
        Ok(match &ast.kind {
            AstKind::Bool(b) => (Code::Const(Value::Bool(*b)), Type::Bool),
            AstKind::Int(i) => (Code::Const(Value::Int(*i)), Type::Int),
            AstKind::Decimal(d) => (Code::Const(Value::Decimal(*d)), Type::Decimal),
            AstKind::Text(s) => (Code::Const(Value::Text(Arc::from(s.as_str()))), Type::Text),
            AstKind::Ident(name) => self.ident(at, name)?,
            AstKind::Select(operand, field) => {
                if let Some(levels) = self.instance_levels(operand) {
                    return self.instance_field(at, levels, field);
                }
                let (code, ty) = self.check(operand)?;
                let Type::Record(record) = &ty else {
                    return err(at, format!("'.{field}' needs a record, found {ty}"));
                };
                let Some(pos) = record.position(field) else {
                    return err(at, self.no_field(record, field));
                };
                (Code::Field(Box::new(code), pos), record.fields[pos].1.clone())
            }
            AstKind::Index(list, index) => {
                let (lc, lt) = self.check(list)?;
                let (ic, it) = self.check(index)?;
                let Type::List(elem) = lt else { return err(at, format!("'[...]' needs a list, found {lt}")) };
                if it != Type::Int {
                    return err(index.at, format!("a list index must be int, found {it}"));
                }
                (Code::At(Box::new(lc), Box::new(ic)), *elem)
            }
            AstKind::Unary(op, operand) => {
                let (code, ty) = self.check(operand)?;
                match op {
                    UnaryOp::Not if ty == Type::Bool => (Code::Not(Box::new(code)), Type::Bool),
                    UnaryOp::Not => return err(at, format!("'!' needs bool, found {ty}")),
                    UnaryOp::Neg if ty.is_numeric() => (Code::Neg(Box::new(code)), ty),
                    UnaryOp::Neg => return err(at, format!("'-' needs int or decimal, found {ty}")),
                }
            }
            AstKind::Binary(op, a, b) => self.binary(at, *op, a, b)?,
            AstKind::Conditional(c, a, b) => {
                let (cc, ct) = self.check(c)?;
                if ct != Type::Bool {
                    return err(c.at, format!("the condition before '?' must be bool, found {ct}"));
                }
                let (ac, at_) = self.check(a)?;
                let (bc, bt) = self.check(b)?;
                let Some(ty) = at_.unify(&bt) else {
                    return err(at, format!("both branches of '?:' must have one type, found {at_} and {bt}"));
                };
                (Code::Conditional(Box::new(cc), Box::new(ac), Box::new(bc)), ty)
            }
            AstKind::List(items) => {
                let mut codes = Vec::with_capacity(items.len());
                let mut elem = Type::Unknown;
                for item in items {
                    let (c, t) = self.check(item)?;
                    elem = match elem.unify(&t) {
                        Some(e) => e,
                        None => return err(item.at, format!("list elements must have one type, found {elem} and {t}")),
                    };
                    codes.push(c);
                }
                (Code::List(codes), Type::List(Box::new(elem)))
            }
            AstKind::Call { target, name, args } => self.call(at, target.as_deref(), name, args)?,
        })
    }

    /// How many levels out an instance reference reaches: `item` 0, `outer` 1, `outer.outer` 2, …; `None` when
    /// `ast` is no such reference (or a macro variable hides the name).
    fn instance_levels(&self, ast: &Ast) -> Option<usize> {
        match &ast.kind {
            AstKind::Ident(n) if n == "item" && self.local(n).is_none() => Some(0),
            AstKind::Ident(n) if n == "outer" && self.local(n).is_none() => Some(1),
            AstKind::Select(operand, field) if field == "outer" => {
                self.instance_levels(operand).filter(|l| *l >= 1).map(|l| l + 1)
            }
            _ => None,
        }
    }

    /// `item.<field>`, `outer.<field>`, `outer.outer.<field>`: a field of the current or an enclosing instance.
    fn instance_field(&mut self, at: usize, levels: usize, field: &str) -> Result<(Code, Type), SyntaxError> {
        let record = match levels {
            0 => self.names.item,
            l => self.names.outer.get(l - 1).map(|r| &**r),
        };
        let Some(record) = record else {
            return err(
                at,
                match levels {
                    0 => "'item' is only known inside a repeat group".to_owned(),
                    1 => "'outer' is only known inside a repeat group that stands in another repeat group".to_owned(),
                    l => format!("there is no enclosing instance {l} levels out here"),
                },
            );
        };
        if field == "outer" && levels >= 1 {
            return err(at, "use 'outer.outer.<field>' to read a field of the instance two levels out");
        }
        let Some(pos) = record.position(field) else {
            return err(at, self.no_field(record, field));
        };
        let ty = record.fields[pos].1.clone();
        if levels == 0 {
            self.item_fields.insert(pos);
            Ok((Code::ItemField(pos), ty))
        } else {
            self.outer_fields.insert((levels, pos));
            Ok((Code::OuterField(levels, pos), ty))
        }
    }

    fn no_field(&self, record: &RecordType, field: &str) -> String {
        let names: Vec<&str> = record.fields.iter().map(|(n, _)| n.as_str()).collect();
        format!("{} has no field '{field}'; its fields are: {}", record.name, names.join(", "))
    }

    fn local(&self, name: &str) -> Option<usize> {
        self.locals.iter().rposition(|(n, _)| n == name)
    }

    fn ident(&mut self, at: usize, name: &str) -> Result<(Code, Type), SyntaxError> {
        if let Some(i) = self.local(name) {
            return Ok((Code::Local(i), self.locals[i].1.clone()));
        }
        match name {
            "today" => return Ok((Code::Today, Type::Date)),
            "index" if self.names.item.is_some() => return Ok((Code::ItemIndex, Type::Int)),
            "item" if self.names.item.is_some() => {
                return err(at, "use 'item.<field>' to read a field of the current instance");
            }
            "outer" if !self.names.outer.is_empty() => {
                return err(at, "use 'outer.<field>' to read a field of the enclosing instance");
            }
            _ => {}
        }
        if let Some((slot, ty)) = self.names.globals.get(name) {
            self.globals.insert(*slot);
            return Ok((Code::Global(*slot), ty.clone()));
        }
        let candidates =
            self.names.globals.keys().map(String::as_str).chain(self.locals.iter().map(|(n, _)| n.as_str()));
        err(at, format!("unknown name '{name}'{}", suggestion(name, candidates)))
    }

    fn binary(&mut self, at: usize, op: BinaryOp, a: &Ast, b: &Ast) -> Result<(Code, Type), SyntaxError> {
        let (ac, at_) = self.check(a)?;
        let (bc, bt) = self.check(b)?;
        let (a, b) = (Box::new(ac), Box::new(bc));
        let sym = op.symbol();
        let mismatch = || err(at, format!("'{sym}' cannot combine {at_} and {bt}"));
        Ok(match op {
            BinaryOp::And | BinaryOp::Or => {
                if at_ != Type::Bool || bt != Type::Bool {
                    return mismatch();
                }
                let code = if op == BinaryOp::And { Code::And(a, b) } else { Code::Or(a, b) };
                (code, Type::Bool)
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                if at_.unify(&bt).is_none() || matches!(at_, Type::Record(_)) {
                    return mismatch();
                }
                (Code::Equal(op == BinaryOp::Ne, a, b), Type::Bool)
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let ok = matches!(
                    at_.unify(&bt),
                    Some(Type::Int | Type::Decimal | Type::Text | Type::Date | Type::Time | Type::DateTime)
                );
                if !ok {
                    return mismatch();
                }
                (Code::Compare(op, a, b), Type::Bool)
            }
            BinaryOp::In => {
                let Type::List(elem) = &bt else {
                    return err(at, format!("'in' needs a list on its right, found {bt}"));
                };
                if at_.unify(elem).is_none() {
                    return mismatch();
                }
                (Code::In(a, b), Type::Bool)
            }
            BinaryOp::Add => match at_.unify(&bt) {
                Some(t @ (Type::Int | Type::Decimal | Type::Text | Type::List(_))) => (Code::Arith(op, a, b), t),
                _ => return mismatch(),
            },
            BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => match at_.unify(&bt) {
                Some(t @ (Type::Int | Type::Decimal)) => (Code::Arith(op, a, b), t),
                _ => return mismatch(),
            },
        })
    }

    fn call(&mut self, at: usize, target: Option<&Ast>, name: &str, args: &[Ast]) -> Result<(Code, Type), SyntaxError> {
        let macro_kind = match name {
            "exists" => Some(MacroKind::Exists),
            "all" => Some(MacroKind::All),
            "exists_one" => Some(MacroKind::ExistsOne),
            "filter" => Some(MacroKind::Filter),
            "map" => Some(MacroKind::Map),
            _ => None,
        };
        if let (Some(kind), Some(target)) = (macro_kind, target) {
            return self.macro_call(at, kind, target, args);
        }
        if name == "codes" && target.is_none() {
            let [Ast { kind: AstKind::Text(id), .. }] = args else {
                return err(at, "codes() takes the id of a code list as a text literal: codes(\"listenhunde\")");
            };
            let Some(values) = self.names.code_lists.get(id) else {
                let known = self.names.code_lists.keys().map(String::as_str);
                return err(at, format!("unknown code list '{id}'{}", suggestion(id, known)));
            };
            return Ok((Code::Const(Value::List(values.clone())), Type::List(Box::new(Type::Text))));
        }
        if name == "time"
            && target.is_none()
            && let [Ast { kind: AstKind::Text(s), at: lit_at }] = args
        {
            let Some(t) = super::parse_time(s) else {
                return err(*lit_at, format!("'{s}' is not a time; expected HH:MM"));
            };
            return Ok((Code::Const(Value::Time(t)), Type::Time));
        }
        if name == "dateTime"
            && target.is_none()
            && let [Ast { kind: AstKind::Text(s), at: lit_at }] = args
        {
            let Some(t) = super::parse_date_time(s) else {
                return err(*lit_at, format!("'{s}' is not a date and time; expected YYYY-MM-DDTHH:MM"));
            };
            return Ok((Code::Const(Value::DateTime(t)), Type::DateTime));
        }
        if name == "lookup" && target.is_none() {
            return self.lookup(at, args);
        }
        if name == "matches" {
            return self.matches(at, target, args);
        }
        if name == "date"
            && target.is_none()
            && let [Ast { kind: AstKind::Text(s), at: lit_at }] = args
        {
            let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") else {
                return err(*lit_at, format!("'{s}' is not a date; expected YYYY-MM-DD"));
            };
            return Ok((Code::Const(Value::Date(d)), Type::Date));
        }
        // Member calls are ordinary calls with the receiver as the first argument (`x.size()` is `size(x)`).
        let mut all = Vec::with_capacity(args.len() + 1);
        if let Some(t) = target {
            all.push(t);
        }
        all.extend(args.iter());
        let mut codes = Vec::with_capacity(all.len());
        let mut types = Vec::with_capacity(all.len());
        for a in &all {
            let (c, t) = self.check(a)?;
            codes.push(c);
            types.push(t);
        }
        let member = target.is_some();
        let sig: Vec<String> = types.iter().map(ToString::to_string).collect();
        let bad = || {
            let shown = if member {
                format!(
                    "{}.{name}({})",
                    sig.first().map_or("", String::as_str),
                    sig.get(1..).unwrap_or_default().join(", ")
                )
            } else {
                format!("{name}({})", sig.join(", "))
            };
            err(at, format!("no function {shown}; see docs/expressions.md for the functions and their types"))
        };
        use Type as T;
        let (builtin, ty) = match (name, types.as_slice()) {
            ("size", [T::Text | T::List(_)]) => (Builtin::Size, T::Int),
            ("answered", [_]) if !member => (Builtin::Answered, T::Bool),
            ("coalesce", [a, b]) if !member => match a.unify(b) {
                Some(t) => (Builtin::Coalesce, t),
                None => return bad(),
            },
            ("date", [T::Text]) if !member => (Builtin::Date, T::Date),
            ("time", [T::Text]) if !member => (Builtin::Time, T::Time),
            ("dateTime", [T::Text]) if !member => (Builtin::DateTime, T::DateTime),
            ("age", [T::Date]) if !member => (Builtin::Age, T::Int),
            ("yearsBetween", [T::Date, T::Date]) if !member => (Builtin::YearsBetween, T::Int),
            ("daysBetween", [T::Date, T::Date]) if !member => (Builtin::DaysBetween, T::Int),
            ("sum", [T::List(e)]) if e.is_numeric() => (Builtin::Sum, (**e).clone()),
            ("sum", [T::List(e)]) if **e == T::Unknown => (Builtin::Sum, T::Int),
            ("min" | "max", [a, b]) if !member && a.is_numeric() && b.is_numeric() => {
                let b_ = if name == "min" { Builtin::Min } else { Builtin::Max };
                (b_, a.unify(b).unwrap_or(T::Decimal))
            }
            ("round", [a, T::Int]) if !member && a.is_numeric() => (Builtin::Round, T::Decimal),
            ("int", [T::Decimal | T::Int]) if !member => (Builtin::Int, T::Int),
            ("decimal", [T::Int | T::Decimal]) if !member => (Builtin::Decimal, T::Decimal),
            ("startsWith", [T::Text, T::Text]) if member => (Builtin::StartsWith, T::Bool),
            ("endsWith", [T::Text, T::Text]) if member => (Builtin::EndsWith, T::Bool),
            ("contains", [T::Text, T::Text]) if member => (Builtin::Contains, T::Bool),
            ("lower", [T::Text]) => (Builtin::Lower, T::Text),
            ("upper", [T::Text]) => (Builtin::Upper, T::Text),
            ("trim", [T::Text]) => (Builtin::Trim, T::Text),
            _ if FUNCTIONS.contains(&name) => return bad(),
            _ => return err(at, format!("unknown function '{name}'{}", suggestion(name, FUNCTIONS.iter().copied()))),
        };
        Ok((Code::Call(builtin, codes), ty))
    }

    /// `lookup("list", code, "key")`: the list and the key are literals, checked now; the value's type is the
    /// key's type in the list's entries.
    fn lookup(&mut self, at: usize, args: &[Ast]) -> Result<(Code, Type), SyntaxError> {
        let usage = "lookup() takes a code list's id, a code and a key: lookup(\"nutzungen\", nutzung, \"satz\")";
        let [list, code, key] = args else { return err(at, usage) };
        let (AstKind::Text(list_id), AstKind::Text(key)) = (&list.kind, &key.kind) else {
            return err(at, format!("{usage}; the id and the key must be text literals"));
        };
        let Some(entries) = self.names.code_entries.get(list_id) else {
            let known = self.names.code_entries.keys().map(String::as_str);
            return err(list.at, format!("unknown code list '{list_id}'{}", suggestion(list_id, known)));
        };
        let ty = match data_type(entries, key) {
            Ok(Some(ty)) => ty,
            Ok(None) => {
                let mut keys: Vec<&str> = entries.iter().flat_map(|e| e.data.keys().map(String::as_str)).collect();
                keys.sort_unstable();
                keys.dedup();
                let keys = if keys.is_empty() { "none".to_owned() } else { keys.join(", ") };
                return err(at, format!("no entry of code list '{list_id}' has '{key}'; its keys: {keys}"));
            }
            Err(e) => return err(at, format!("code list '{list_id}': {e}")),
        };
        let (code_code, code_ty) = self.check(code)?;
        if code_ty != Type::Text {
            return err(code.at, format!("the code must be text (a choice's value), found {code_ty}"));
        }
        let table: HashMap<Arc<str>, Value> = entries
            .iter()
            .filter_map(|e| Some((Arc::from(e.value.as_str()), data_value(e.data.get(key.as_str())?, &ty)?)))
            .collect();
        Ok((Code::Lookup(Box::new(code_code), Arc::new(table)), ty))
    }

    /// `matches(text, "pattern")` or `text.matches("pattern")`: the pattern must be a text literal, compiled now.
    fn matches(&mut self, at: usize, target: Option<&Ast>, args: &[Ast]) -> Result<(Code, Type), SyntaxError> {
        let (text, pattern) = match (target, args) {
            (None, [text, pattern]) | (Some(text), [pattern]) => (text, pattern),
            _ => return err(at, "matches() takes a text and a pattern: matches(registernummer, \"HRB [0-9]+\")"),
        };
        let AstKind::Text(p) = &pattern.kind else {
            return err(pattern.at, "the pattern of matches() must be a text literal");
        };
        let re = match super::whole_match(p) {
            Ok(re) => re,
            Err(e) => return err(pattern.at, format!("'{p}' is not a valid regular expression: {e}")),
        };
        let (code, ty) = self.check(text)?;
        if ty != Type::Text {
            return err(text.at, format!("matches() needs a text, found {ty}"));
        }
        Ok((Code::Matches(Box::new(code), re), Type::Bool))
    }

    fn macro_call(
        &mut self,
        at: usize,
        kind: MacroKind,
        target: &Ast,
        args: &[Ast],
    ) -> Result<(Code, Type), SyntaxError> {
        let (list_code, list_ty) = self.check(target)?;
        let Type::List(elem) = list_ty else {
            return err(at, format!("'.{kind:?}(…)' needs a list, found {list_ty}").to_lowercase());
        };
        let [Ast { kind: AstKind::Ident(var), .. }, body] = args else {
            return err(at, "a macro takes a variable name and an expression: list.exists(x, x > 1)");
        };
        if self.names.globals.contains_key(var) || var == "today" || var == "item" || var == "index" || var == "outer" {
            return err(at, format!("the macro variable '{var}' hides a name of the form; choose another"));
        }
        let elem = *elem;
        self.locals.push((var.clone(), elem.clone()));
        let body_result = self.check(body);
        self.locals.pop();
        let (body_code, body_ty) = body_result?;
        let ty = match kind {
            MacroKind::Map => Type::List(Box::new(body_ty)),
            _ if body_ty != Type::Bool => {
                return err(body.at, format!("the condition of this macro must be bool, found {body_ty}"));
            }
            MacroKind::Filter => Type::List(Box::new(elem)),
            _ => Type::Bool,
        };
        Ok((Code::Macro(kind, Box::new(list_code), Box::new(body_code)), ty))
    }
}

/// The type of `key` in the entries' data: `decimal` when every value is a number (a JSON number or a text in
/// decimal notation such as `"120.00"`, as genericode lists give rates), `bool` when every value is a boolean,
/// else `text` when every value is a text. `None` when no entry has the key; an error when the values mix.
pub fn data_type(entries: &[OptionDefinition], key: &str) -> Result<Option<Type>, String> {
    use serde_json::Value as J;
    let values: Vec<&J> = entries.iter().filter_map(|e| e.data.get(key)).collect();
    if values.is_empty() {
        return Ok(None);
    }
    let numeric = |v: &J| match v {
        J::Number(_) => true,
        J::String(s) => decimal_notation(s),
        _ => false,
    };
    if values.iter().all(|v| numeric(v)) {
        return Ok(Some(Type::Decimal));
    }
    if values.iter().all(|v| v.is_boolean()) {
        return Ok(Some(Type::Bool));
    }
    if values.iter().all(|v| v.is_string()) {
        return Ok(Some(Type::Text));
    }
    Err(format!("the values of '{key}' must all be numbers, all booleans or all texts, but they mix"))
}

/// `-12`, `120.00`: digits with an optional sign and fraction, nothing else.
fn decimal_notation(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// An entry's data value as an expression value of type `ty`.
fn data_value(v: &serde_json::Value, ty: &Type) -> Option<Value> {
    use serde_json::Value as J;
    use std::str::FromStr;
    Some(match (v, ty) {
        (J::Number(n), Type::Decimal) => Value::Decimal(rust_decimal::Decimal::from_str(&n.to_string()).ok()?),
        (J::String(s), Type::Decimal) => Value::Decimal(rust_decimal::Decimal::from_str(s).ok()?),
        (J::Bool(b), Type::Bool) => Value::Bool(*b),
        (J::String(s), Type::Text) => Value::Text(Arc::from(s.as_str())),
        _ => return None,
    })
}
