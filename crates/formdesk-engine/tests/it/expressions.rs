use formdesk_engine::expr::{self, Names, RecordType, Scope, Type, Value};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

struct Env {
    globals: HashMap<String, (usize, Type)>,
    values: Vec<Value>,
    lists: BTreeMap<String, Arc<[Value]>>,
}

fn env() -> Env {
    let dog = Arc::new(RecordType {
        name: "hunde".into(),
        fields: vec![("name".into(), Type::Text), ("listenhund".into(), Type::Bool)],
    });
    let record = |name: &str, listed: Option<bool>| {
        Value::Record(Arc::from([Value::Text(name.into()), listed.map_or(Value::Null, Value::Bool)]))
    };
    let vars: Vec<(&str, Type, Value)> = vec![
        ("anzahl", Type::Int, Value::Int(3)),
        ("betrag", Type::Decimal, Value::Decimal(Decimal::new(1250, 2))),
        ("name", Type::Text, Value::Text("Anna".into())),
        ("leer", Type::Int, Value::Null),
        ("ja", Type::Bool, Value::Bool(true)),
        ("unbekannt", Type::Bool, Value::Null),
        ("geboren", Type::Date, Value::Date(chrono::NaiveDate::from_ymd_opt(2008, 2, 29).expect("date"))),
        (
            "hunde",
            Type::List(Box::new(Type::Record(dog))),
            Value::List(Arc::from([record("Bello", Some(false)), record("Rex", Some(true)), record("Fiffi", None)])),
        ),
    ];
    let mut globals = HashMap::new();
    let mut values = Vec::new();
    for (i, (n, t, v)) in vars.into_iter().enumerate() {
        globals.insert(n.to_owned(), (i, t));
        values.push(v);
    }
    let mut lists = BTreeMap::new();
    lists.insert("farben".to_owned(), Arc::from([Value::Text("rot".into()), Value::Text("blau".into())]));
    Env { globals, values, lists }
}

fn run(src: &str) -> Value {
    let e = env();
    let names =
        Names { globals: &e.globals, item: None, outer: &[], code_lists: &e.lists, code_entries: &Default::default() };
    let checked = match expr::compile(src, names) {
        Ok(c) => c,
        Err(err) => panic!("{src}: {}", err.message),
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let scope = Scope { globals: &e.values, item: &[], index: 0, outer: &[], today };
    expr::eval(&checked.code, &scope, &mut Vec::new())
}

fn type_of(src: &str) -> Result<Type, String> {
    let e = env();
    let names =
        Names { globals: &e.globals, item: None, outer: &[], code_lists: &e.lists, code_entries: &Default::default() };
    expr::compile(src, names).map(|c| c.ty).map_err(|e| e.message)
}

fn dec(s: &str) -> Value {
    Value::Decimal(s.parse().expect("decimal"))
}

#[test]
fn arithmetic_mixes_int_and_decimal() {
    assert_eq!(run("anzahl * 2 + 1"), Value::Int(7));
    assert_eq!(run("anzahl * betrag"), dec("37.50"));
    assert_eq!(type_of("anzahl * betrag"), Ok(Type::Decimal));
    assert_eq!(run("7 / 2"), Value::Int(3), "int division truncates, as in CEL");
    assert_eq!(run("7.0 / 2"), dec("3.5"));
    assert_eq!(run("-7 % 3"), Value::Int(-1));
    assert_eq!(run("'a' + 'b'"), Value::Text("ab".into()));
}

#[test]
fn failing_operations_have_no_value() {
    assert_eq!(run("1 / 0"), Value::Null);
    assert_eq!(run("betrag / 0"), Value::Null);
    assert_eq!(run("9223372036854775807 + 1"), Value::Null);
    assert_eq!(run("leer + 1"), Value::Null);
    assert_eq!(run("[1, 2][5]"), Value::Null);
}

#[test]
fn missing_values_follow_three_valued_logic() {
    assert_eq!(run("leer > 1"), Value::Null);
    assert_eq!(run("leer > 1 && false"), Value::Bool(false));
    assert_eq!(run("false && leer > 1"), Value::Bool(false));
    assert_eq!(run("leer > 1 || true"), Value::Bool(true));
    assert_eq!(run("leer > 1 && true"), Value::Null);
    assert_eq!(run("!unbekannt"), Value::Null);
    assert_eq!(run("answered(leer)"), Value::Bool(false));
    assert_eq!(run("answered(anzahl)"), Value::Bool(true));
    assert_eq!(run("coalesce(leer, 5)"), Value::Int(5));
    assert_eq!(run("unbekannt ? 1 : 2"), Value::Null);
    assert_eq!(run("leer == 1"), Value::Null);
}

#[test]
fn macros_over_repeat_groups() {
    assert_eq!(run("hunde.exists(h, h.listenhund)"), Value::Bool(true));
    assert_eq!(run("hunde.all(h, h.listenhund)"), Value::Bool(false));
    assert_eq!(run("hunde.exists(h, h.name == 'Nero')"), Value::Bool(false));
    assert_eq!(run("hunde.exists_one(h, h.listenhund)"), Value::Null, "Fiffi's answer is missing");
    assert_eq!(run("size(hunde.filter(h, !h.listenhund))"), Value::Int(1));
    assert_eq!(
        run("hunde.map(h, h.name)"),
        Value::List(Arc::from([Value::Text("Bello".into()), Value::Text("Rex".into()), Value::Text("Fiffi".into())]))
    );
    assert_eq!(run("hunde[1].name"), Value::Text("Rex".into()));
    assert_eq!(run("sum([1, 2, 3]) + sum([1.5, 2])"), dec("9.5"));
    assert_eq!(run("size(hunde) == 3 && hunde.size() == 3"), Value::Bool(true));
}

#[test]
fn functions_on_text_dates_and_lists() {
    assert_eq!(run("'rot' in codes('farben')"), Value::Bool(true));
    assert_eq!(run("'grün' in codes('farben')"), Value::Bool(false));
    assert_eq!(run("name.startsWith('An') && name.endsWith('na') && name.contains('nn')"), Value::Bool(true));
    assert_eq!(run("lower(name) + upper(name) + trim('  x ')"), Value::Text("annaANNAx".into()));
    assert_eq!(run("size('Grüße')"), Value::Int(5), "characters, not bytes");
    assert_eq!(run("round(2.345, 2)"), dec("2.35"), "commercial rounding");
    assert_eq!(run("round(-2.345, 2)"), dec("-2.35"));
    assert_eq!(run("int(9.99) + int(-9.99)"), Value::Int(0));
    assert_eq!(run("min(3, 2.5)"), dec("2.5"));
    assert_eq!(run("max(3, 2)"), Value::Int(3));
    assert_eq!(run("daysBetween(date('2026-01-01'), date('2026-03-01'))"), Value::Int(59));
    assert_eq!(run("yearsBetween(date('2000-06-15'), date('2026-06-14'))"), Value::Int(25));
    assert_eq!(run("date('2026-11-24') == today"), Value::Bool(true));
    assert_eq!(run("date('2026-01-01') < today"), Value::Bool(true));
}

#[test]
fn age_counts_as_german_law_does() {
    // Born 29 February 2008: 18 on 1 March 2026, not on 28 February (§ 187 Abs. 2, § 188 Abs. 3 BGB).
    assert_eq!(run("age(geboren)"), Value::Int(18));
    assert_eq!(run("yearsBetween(geboren, date('2026-02-28'))"), Value::Int(17));
    assert_eq!(run("yearsBetween(geboren, date('2026-03-01'))"), Value::Int(18));
}

#[test]
fn type_errors_are_found_before_evaluation() {
    let cases = [
        ("anzahl + 'x'", "'+' cannot combine int and text"),
        ("anzahll > 1", "unknown name 'anzahll'; did you mean 'anzahl'?"),
        ("sise(name)", "unknown function 'sise'; did you mean 'size'?"),
        ("size(anzahl)", "no function size(int)"),
        ("name.startsWith(1)", "no function text.startsWith(int)"),
        ("ja ? 1 : 'a'", "both branches of '?:' must have one type"),
        ("anzahl ? 1 : 2", "the condition before '?' must be bool"),
        ("item.name", "'item' is only known inside a repeat group"),
        ("codes('farbe')", "unknown code list 'farbe'; did you mean 'farben'?"),
        ("codes(name)", "takes the id of a code list as a text literal"),
        ("date('2026-02-30')", "'2026-02-30' is not a date"),
        ("hunde.exists(anzahl, true)", "hides a name of the form"),
        ("hunde.exists(h, h.alter > 1)", "hunde has no field 'alter'; its fields are: name, listenhund"),
        ("hunde.exists(h, h.name)", "must be bool"),
        ("name == 1", "'==' cannot combine text and int"),
        ("1 in name", "'in' needs a list"),
        ("[1, 'a']", "list elements must have one type"),
        ("!anzahl", "'!' needs bool"),
        ("-name", "'-' needs int or decimal"),
        ("name[0]", "'[...]' needs a list"),
        ("hunde['a']", "a list index must be int"),
        ("anzahl.name", "'.name' needs a record"),
    ];
    for (src, want) in cases {
        match type_of(src) {
            Ok(t) => panic!("`{src}` type-checked as {t}, expected an error containing {want:?}"),
            Err(message) => assert!(message.contains(want), "`{src}`: {message:?} does not contain {want:?}"),
        }
    }
}

#[test]
fn types_of_well_formed_expressions() {
    assert_eq!(type_of("hunde.map(h, h.name)"), Ok(Type::List(Box::new(Type::Text))));
    assert_eq!(type_of("[]"), Ok(Type::List(Box::new(Type::Unknown))));
    assert_eq!(type_of("anzahl in []"), Ok(Type::Bool));
    assert_eq!(type_of("ja ? 1 : 2.5"), Ok(Type::Decimal));
    assert_eq!(type_of("coalesce(leer, 0)"), Ok(Type::Int));
}
