//! The expression language: a statically typed subset of CEL (see `docs/expressions.md`).
//!
//! [`compile`] parses and type-checks an expression against the names a form declares and turns it into
//! [`Code`]; [`eval`] runs code against values. Non-goals: I/O, clocks, loops, user-defined functions.

mod check;
mod eval;
pub mod syntax;

pub use check::{Checked, Names, compile};
pub(crate) use eval::full_years;
pub use eval::{Scope, eval};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt;
use std::sync::Arc;

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
