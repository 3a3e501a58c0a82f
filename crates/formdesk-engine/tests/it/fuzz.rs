//! The expression pipeline gets outside input (definitions written by administrators, packages from the
//! portal): whatever the text, parsing, checking and evaluating return a value or an error and never panic.

use formdesk_engine::expr::{self, Names, Scope, Type, Value};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

fn pipeline(src: &str) {
    let mut globals = HashMap::new();
    globals.insert("n".to_owned(), (0, Type::Int));
    globals.insert("d".to_owned(), (1, Type::Decimal));
    globals.insert("t".to_owned(), (2, Type::Text));
    globals.insert("l".to_owned(), (3, Type::List(Box::new(Type::Int))));
    let mut lists = BTreeMap::new();
    lists.insert("c".to_owned(), Arc::<[Value]>::from([Value::Text("x".into())]));
    let names =
        Names { globals: &globals, item: None, outer: &[], code_lists: &lists, code_entries: &Default::default() };
    if let Ok(checked) = expr::compile(src, names) {
        let values = [
            Value::Int(i64::MAX),
            Value::Decimal(rust_decimal::Decimal::MAX),
            Value::Text("ä".into()),
            Value::List(Arc::from([Value::Int(i64::MIN), Value::Null])),
        ];
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
        let scope = Scope { globals: &values, item: &[], index: 0, outer: &[], today };
        let _ = expr::eval(&checked.code, &scope, &mut Vec::new());
    }
}

const TOKENS: &[&str] = &[
    "n",
    "d",
    "t",
    "l",
    "x",
    "today",
    "1",
    "0",
    "9223372036854775807",
    "2.5",
    "79228162514264337593543950335.0",
    "'a'",
    "\"ü\"",
    "true",
    "false",
    "in",
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    "!",
    "?",
    ":",
    ".",
    ",",
    "(",
    ")",
    "[",
    "]",
    "size",
    "sum",
    "round",
    "int",
    "decimal",
    "min",
    "max",
    "age",
    "date",
    "codes",
    "'c'",
    "'2026-01-01'",
    "coalesce",
    "answered",
    "exists",
    "all",
    "map",
    "filter",
    "exists_one",
    "startsWith",
    "lower",
    "daysBetween",
    "yearsBetween",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        pipeline(&src);
    }

    #[test]
    fn token_soup_never_panics(tokens in proptest::collection::vec(proptest::sample::select(TOKENS), 0..40)) {
        pipeline(&tokens.join(" "));
    }
}

#[test]
fn deep_and_long_inputs_are_refused_not_crashed() {
    pipeline(&"(".repeat(100_000));
    pipeline(&"!".repeat(100_000));
    pipeline(&"[".repeat(3000));
    pipeline(&"l.map(x, ".repeat(500));
}
