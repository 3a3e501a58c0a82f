//! Any text as an expression: parse, type-check against a few names, evaluate. Must never panic.
#![no_main]

use formdesk_engine::expr::{self, Names, Scope, Type, Value};
use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

fuzz_target!(|src: &str| {
    let mut globals = HashMap::new();
    globals.insert("n".to_owned(), (0, Type::Int));
    globals.insert("d".to_owned(), (1, Type::Decimal));
    globals.insert("t".to_owned(), (2, Type::Text));
    globals.insert("l".to_owned(), (3, Type::List(Box::new(Type::Int))));
    globals.insert("b".to_owned(), (4, Type::Bool));
    globals.insert("a".to_owned(), (5, Type::Date));
    let mut lists = BTreeMap::new();
    lists.insert("c".to_owned(), Arc::<[Value]>::from([Value::Text("x".into())]));
    let names = Names { globals: &globals, item: None, outer: &[], code_lists: &lists, code_entries: &Default::default() };
    if let Ok(checked) = expr::compile(src, names) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
        let values = [
            Value::Int(i64::MAX),
            Value::Decimal(7.into()),
            Value::Text("ä".into()),
            Value::List(Arc::from([Value::Int(i64::MIN), Value::Null])),
            Value::Null,
            Value::Date(today),
        ];
        let scope = Scope { globals: &values, item: &[], index: 0, outer: &[], today };
        let _ = expr::eval(&checked.code, &scope, &mut Vec::new());
    }
});
