//! The expression language: a statically typed subset of CEL (see `docs/expressions.md`).
//!
//! [`compile`] parses and type-checks an expression against the names a form declares and turns it into
//! [`Code`]; [`eval`] runs code against values. Non-goals: I/O, clocks, loops, user-defined functions.

mod check;
mod eval;
pub mod syntax;

pub(crate) use check::FUNCTIONS;
pub use check::{Checked, Names, compile, data_type};
pub(crate) use eval::full_years;
pub use eval::{Scope, eval};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use std::fmt;
use std::sync::Arc;

/// Compiles a regular expression that must match a whole text (HTML `pattern` semantics), as `pattern` and
/// `matches()` use it. The `regex` crate runs in time linear in the text, whatever the pattern; the compiled
/// size is bounded so that a pattern cannot take the memory of the desk.
pub fn whole_match(pattern: &str) -> Result<regex::Regex, String> {
    let build = |p: &str| {
        regex::RegexBuilder::new(p).size_limit(1 << 20).build().map_err(|e| match e {
            regex::Error::Syntax(s) => s.lines().last().unwrap_or_default().trim().to_owned(),
            regex::Error::CompiledTooBig(_) => "the pattern is too large".to_owned(),
            other => other.to_string(),
        })
    };
    // The pattern on its own first: `a)|(b` must not become valid by the added group.
    build(pattern)?;
    build(&format!("^(?:{pattern})$"))
}

/// Reads a time as answers and definitions write it: `HH:MM`, 00:00 to 23:59.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

/// Reads a date and time as answers and definitions write it: `YYYY-MM-DDTHH:MM`, seconds optional
/// (`YYYY-MM-DDTHH:MM:SS`).
pub fn parse_date_time(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    let format = match b.len() {
        16 => "%Y-%m-%dT%H:%M",
        19 if b[16] == b':' => "%Y-%m-%dT%H:%M:%S",
        _ => return None,
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    NaiveDateTime::parse_from_str(s, format).ok()
}

/// A date and time as answers write it: without seconds when they are zero.
pub fn format_date_time(dt: &NaiveDateTime) -> String {
    use chrono::Timelike;
    if dt.second() == 0 { dt.format("%Y-%m-%dT%H:%M").to_string() } else { dt.format("%Y-%m-%dT%H:%M:%S").to_string() }
}

/// The static type of an expression or a field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `true` or `false`.
    Bool,
    /// 64-bit integer.
    Int,
    /// Exact decimal.
    Decimal,
    /// A string.
    Text,
    /// A calendar date.
    Date,
    /// A time of day (hours and minutes, maybe seconds).
    Time,
    /// A date with a time of day, without a time zone.
    DateTime,
    /// A list of values of one type.
    List(Box<Type>),
    /// A record with named fields: a repeat group's instance, an address.
    Record(Arc<RecordType>),
    /// The element type of an empty list literal; fits any type.
    Unknown,
}

/// The fields of a record type, in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordType {
    /// What the record is, for messages: the group's id, `address`.
    pub name: String,
    /// Field names and types; a record value holds its fields in this order.
    pub fields: Vec<(String, Type)>,
}

impl RecordType {
    /// The position of a field.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|(n, _)| n == name)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Decimal => f.write_str("decimal"),
            Type::Text => f.write_str("text"),
            Type::Date => f.write_str("date"),
            Type::Time => f.write_str("time"),
            Type::DateTime => f.write_str("dateTime"),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::Record(r) => write!(f, "record {}", r.name),
            Type::Unknown => f.write_str("any"),
        }
    }
}

impl Type {
    /// Whether the type is `int` or `decimal`.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Decimal)
    }

    /// The common type of two types, if they fit together: equal types, `int` with `decimal`, an empty list
    /// with any list.
    pub fn unify(&self, other: &Type) -> Option<Type> {
        match (self, other) {
            (a, b) if a == b => Some(a.clone()),
            (Type::Int, Type::Decimal) | (Type::Decimal, Type::Int) => Some(Type::Decimal),
            (Type::Unknown, t) | (t, Type::Unknown) => Some(t.clone()),
            (Type::List(a), Type::List(b)) => a.unify(b).map(|t| Type::List(Box::new(t))),
            _ => None,
        }
    }
}

/// A runtime value. [`Value::Null`] is "no value": unanswered, hidden, or the result of an operation on
/// no value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A decimal.
    Decimal(Decimal),
    /// A string.
    Text(Arc<str>),
    /// A date.
    Date(NaiveDate),
    /// A time of day.
    Time(NaiveTime),
    /// A date and time.
    DateTime(NaiveDateTime),
    /// A list.
    List(Arc<[Value]>),
    /// A record's fields in the order of its [`RecordType`].
    Record(Arc<[Value]>),
}

impl Value {
    /// Whether this is a value (not [`Value::Null`]).
    pub fn is_some(&self) -> bool {
        !matches!(self, Value::Null)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Int(i) => Some(Decimal::from(*i)),
            Value::Decimal(d) => Some(*d),
            _ => None,
        }
    }
}

/// The code an expression compiles to: names are resolved to slots, types are checked, literals folded.
#[derive(Debug, Clone)]
pub enum Code {
    /// A constant.
    Const(Value),
    /// A top-level value by its slot.
    Global(usize),
    /// A field of the current repeat instance (`item.x`).
    ItemField(usize),
    /// A field of an enclosing repeat instance: how many levels out (1 for `outer.x`) and the position.
    OuterField(usize, usize),
    /// The position of the current repeat instance (`index`).
    ItemIndex,
    /// A macro variable by its depth.
    Local(usize),
    /// The reference date.
    Today,
    /// A record's field.
    Field(Box<Code>, usize),
    /// A list's element.
    At(Box<Code>, Box<Code>),
    /// `!x`
    Not(Box<Code>),
    /// `-x`
    Neg(Box<Code>),
    /// `+ - * / %`
    Arith(syntax::BinaryOp, Box<Code>, Box<Code>),
    /// `< <= > >=`
    Compare(syntax::BinaryOp, Box<Code>, Box<Code>),
    /// `==` (false) and `!=` (true).
    Equal(bool, Box<Code>, Box<Code>),
    /// `x in list`
    In(Box<Code>, Box<Code>),
    /// `&&`
    And(Box<Code>, Box<Code>),
    /// `||`
    Or(Box<Code>, Box<Code>),
    /// `c ? a : b`
    Conditional(Box<Code>, Box<Code>, Box<Code>),
    /// `[a, b]`
    List(Vec<Code>),
    /// A built-in function.
    Call(Builtin, Vec<Code>),
    /// `lookup("list", code, "key")`: the key's value for each code that has it.
    Lookup(Box<Code>, Arc<std::collections::HashMap<Arc<str>, Value>>),
    /// `matches(text, "pattern")`: the pattern was compiled when the expression was checked.
    Matches(Box<Code>, regex::Regex),
    /// A CEL macro over a list; the variable is [`Code::Local`] at the macro's depth.
    Macro(MacroKind, Box<Code>, Box<Code>),
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `size(x)`
    Size,
    /// `answered(x)`
    Answered,
    /// `coalesce(x, y)`
    Coalesce,
    /// `date(text)`
    Date,
    /// `time(text)`
    Time,
    /// `dateTime(text)`
    DateTime,
    /// `age(d)`
    Age,
    /// `yearsBetween(a, b)`
    YearsBetween,
    /// `daysBetween(a, b)`
    DaysBetween,
    /// `sum(list)`
    Sum,
    /// `min(a, b)`
    Min,
    /// `max(a, b)`
    Max,
    /// `round(x, n)`
    Round,
    /// `int(x)`
    Int,
    /// `decimal(x)`
    Decimal,
    /// `x.startsWith(s)`
    StartsWith,
    /// `x.endsWith(s)`
    EndsWith,
    /// `x.contains(s)`
    Contains,
    /// `lower(x)`
    Lower,
    /// `upper(x)`
    Upper,
    /// `trim(x)`
    Trim,
}

/// CEL macros over lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacroKind {
    /// `l.exists(v, p)`
    Exists,
    /// `l.all(v, p)`
    All,
    /// `l.exists_one(v, p)`
    ExistsOne,
    /// `l.filter(v, p)`
    Filter,
    /// `l.map(v, e)`
    Map,
}
