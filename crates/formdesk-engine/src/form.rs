//! Loading a form: schema validation, semantic checks, expression compilation and the evaluation order.
//!
//! Everything that can be wrong with a definition is found here, at load time, and reported all at once
//! with JSON paths. Non-goals: reading files (the caller passes text), evaluating answers.

use crate::definition::{
    Bound, CodeListDefinition, FORMAT_VERSION, FimReference, FormDefinition, ItemDefinition, ItemKind,
    OptionDefinition, Required, StepDefinition, Text, ValueType,
};
use crate::expr::{self, Checked, Names, RecordType, Type, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, LazyLock};

/// One problem in a definition: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// A JSON path into the file, like `$.steps[1].items[0].options`.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found in one definition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} error(s) in the definition: {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

/// Shared code lists, by id: the entries of `forms/codelists/*.json`.
#[derive(Debug, Clone, Default)]
pub struct CodeLists(pub(crate) BTreeMap<String, Arc<[OptionDefinition]>>, BTreeMap<String, FimReference>);

/// How many repeat groups may stand inside each other: a household member's incomes and their evidence are three.
pub const MAX_REPEAT_DEPTH: usize = 3;

static FORM_SCHEMA: &str = include_str!("../../../forms/schema/form.schema.json");
static CODELIST_SCHEMA: &str = include_str!("../../../forms/schema/codelist.schema.json");

fn validator(schema: &str) -> Option<jsonschema::Validator> {
    let schema: serde_json::Value = serde_json::from_str(schema).ok()?;
    jsonschema::validator_for(&schema).ok()
}

static FORM_VALIDATOR: LazyLock<Option<jsonschema::Validator>> = LazyLock::new(|| validator(FORM_SCHEMA));
static CODELIST_VALIDATOR: LazyLock<Option<jsonschema::Validator>> = LazyLock::new(|| validator(CODELIST_SCHEMA));

/// Turns a JSON pointer (`/steps/0/items`) into a JSON path (`$.steps[0].items`).
fn pointer_to_path(pointer: &str) -> String {
    let mut path = String::from("$");
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            path.push_str(&format!("[{seg}]"));
        } else if seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') && !seg.is_empty() {
            path.push('.');
            path.push_str(&seg);
        } else {
            path.push_str(&format!("[{seg:?}]"));
        }
    }
    path
}

/// Parses JSON text and checks it against a schema, collecting every violation.
fn parse_checked(
    source: &str,
    validator: &Option<jsonschema::Validator>,
) -> Result<(serde_json::Value, Vec<DefinitionError>), Vec<DefinitionError>> {
    let json: serde_json::Value = serde_json::from_str(source).map_err(|e| {
        vec![DefinitionError {
            path: "$".into(),
            message: format!("not valid JSON at line {}, column {}: {e}", e.line(), e.column()),
        }]
    })?;
    let Some(validator) = validator else {
        return Err(vec![DefinitionError {
            path: "$".into(),
            message: "the built-in JSON Schema does not load".into(),
        }]);
    };
    let errors: Vec<DefinitionError> = validator
        .iter_errors(&json)
        .map(|e| DefinitionError { path: pointer_to_path(&e.instance_path().to_string()), message: e.to_string() })
        .collect();
    Ok((json, errors))
}

/// Deserializes after a schema check. Schema errors that the types tolerate (a pattern, a bound) do not stop
/// the semantic checks, so that one run reports everything; if the types cannot be read, the schema errors
/// say why.
fn typed<T: serde::de::DeserializeOwned>(
    checked: (serde_json::Value, Vec<DefinitionError>),
) -> Result<(T, Vec<DefinitionError>), Vec<DefinitionError>> {
    let (json, schema_errors) = checked;
    match deserialize(json) {
        Ok(value) => Ok((value, schema_errors)),
        Err(e) if schema_errors.is_empty() => Err(e),
        Err(_) => Err(schema_errors),
    }
}

fn deserialize<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> Result<T, Vec<DefinitionError>> {
    serde_path_to_error::deserialize(json).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { "$".to_owned() } else { format!("$.{path}") };
        vec![DefinitionError { path, message: e.into_inner().to_string() }]
    })
}

impl CodeLists {
    /// Adds a shared code list from the text of its file; returns its id.
    pub fn add_json(&mut self, source: &str) -> Result<String, DefinitionErrors> {
        let checked = parse_checked(source, &CODELIST_VALIDATOR).map_err(DefinitionErrors)?;
        let (list, mut errors): (CodeListDefinition, _) = typed(checked).map_err(DefinitionErrors)?;
        check_entries(&list.entries, "$.entries", &mut errors);
        let Some(id) = list.id.clone() else {
            errors.push(DefinitionError { path: "$.id".into(), message: "a shared code list needs an id".into() });
            return Err(DefinitionErrors(errors));
        };
        if !errors.is_empty() {
            return Err(DefinitionErrors(errors));
        }
        if let Some(fim) = list.fim {
            self.1.insert(id.clone(), fim);
        }
        self.0.insert(id.clone(), list.entries.into());
        Ok(id)
    }

    /// The FIM code list a shared list was imported from, as its file says.
    pub fn fim(&self, id: &str) -> Option<&FimReference> {
        self.1.get(id)
    }

    /// The ids of the lists.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

fn check_entries(entries: &[OptionDefinition], path: &str, errors: &mut Vec<DefinitionError>) {
    let mut keys: Vec<&str> = entries.iter().flat_map(|e| e.data.keys().map(String::as_str)).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        if let Err(message) = expr::data_type(entries, key) {
            errors.push(DefinitionError { path: path.to_owned(), message });
        }
    }
    for (i, e) in entries.iter().enumerate() {
        for (key, v) in &e.data {
            if !(v.is_string() || v.is_number() || v.is_boolean()) {
                errors.push(DefinitionError {
                    path: format!("{path}[{i}].data.{key}"),
                    message: "a data value must be a text, a number or a boolean".into(),
                });
            }
        }
    }
    let mut seen = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        if !seen.insert(e.value.as_str()) {
            errors.push(DefinitionError {
                path: format!("{path}[{i}].value"),
                message: format!("the value '{}' appears twice; option values must be unique", e.value),
            });
        }
    }
}

/// How `required` was given, compiled.
#[derive(Debug, Clone)]
pub(crate) enum RequiredRule {
    Never,
    Always,
    When(Checked),
}

/// A compiled constraint.
#[derive(Debug, Clone)]
pub(crate) struct Constraint {
    pub rule: Checked,
    pub code: String,
    pub message: Text,
}

/// A compiled item. Items live in [`Form::items`]; children are indices.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub def: ItemDefinition,
    pub step: usize,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Whether the item sits inside a repeat group (its expressions see `item`).
    pub in_repeat: bool,
    pub relevant: Option<Checked>,
    pub required: RequiredRule,
    pub constraints: Vec<Constraint>,
    pub calculate: Option<Checked>,
    pub options: Option<Arc<[OptionDefinition]>>,
    /// A text field's `pattern`, compiled to match the whole answer.
    pub pattern: Option<regex::Regex>,
    /// Top-level value slot: fields outside repeat groups, computed items, repeat groups.
    pub slot: Option<usize>,
    /// Position in the record of the enclosing repeat group (fields of plain groups inside it included).
    pub position: Option<usize>,
    /// For a repeat group: its record type, the item of each record position and the order to evaluate the
    /// positions in.
    pub record: Option<Arc<RecordType>>,
    pub fields: Vec<usize>,
    pub child_order: Vec<usize>,
    pub ty: Option<Type>,
}

/// A compiled step.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub def: StepDefinition,
    pub relevant: Option<Checked>,
    pub items: Vec<usize>,
}

/// A compiled fee.
#[derive(Debug, Clone)]
pub(crate) struct Fee {
    pub id: String,
    pub label: Text,
    pub note: Option<Text>,
    pub amount: Checked,
    pub relevant: Option<Checked>,
}

/// A loaded, checked form, ready to evaluate answers. Cheap to share; evaluation does not change it.
#[derive(Debug, Clone)]
pub struct Form {
    pub(crate) def: FormDefinition,
    pub(crate) steps: Vec<Step>,
    pub(crate) items: Vec<Item>,
    /// The item of each slot.
    pub(crate) slots: Vec<usize>,
    /// Slots in the order their values are computed.
    pub(crate) order: Vec<usize>,
    pub(crate) fees: Vec<Fee>,
    /// Top-level items (not in repeat groups) by id, for mapping answers.
    pub(crate) by_id: HashMap<String, usize>,
    /// What the load found worth a look but not wrong (see [`Form::warnings`]).
    pub(crate) warnings: Vec<DefinitionError>,
    /// How completely each language covers the texts.
    pub(crate) coverage: crate::texts::Coverage,
}

fn address_type() -> Arc<RecordType> {
    Arc::new(RecordType {
        name: "address".into(),
        fields: ["street", "houseNumber", "postcode", "city"].iter().map(|f| ((*f).to_owned(), Type::Text)).collect(),
    })
}

fn file_type() -> Type {
    Type::List(Box::new(Type::Record(Arc::new(RecordType {
        name: "file".into(),
        fields: vec![("name".into(), Type::Text), ("mediaType".into(), Type::Text), ("size".into(), Type::Int)],
    }))))
}

/// The type of an answered or computed item's value (not groups).
pub(crate) fn value_type(def: &ItemDefinition) -> Option<Type> {
    Some(match def.kind {
        ItemKind::Text
        | ItemKind::LongText
        | ItemKind::Email
        | ItemKind::Phone
        | ItemKind::Iban
        | ItemKind::Postcode
        | ItemKind::Choice
        | ItemKind::Signature => Type::Text,
        ItemKind::Integer => Type::Int,
        ItemKind::Decimal | ItemKind::Currency => Type::Decimal,
        ItemKind::Date => Type::Date,
        ItemKind::Time => Type::Time,
        ItemKind::DateTime => Type::DateTime,
        ItemKind::Boolean => Type::Bool,
        ItemKind::MultiChoice => Type::List(Box::new(Type::Text)),
        ItemKind::Address => Type::Record(address_type()),
        ItemKind::Attachment | ItemKind::Photo => file_type(),
        ItemKind::Computed => match def.value_type? {
            ValueType::Integer => Type::Int,
            ValueType::Decimal | ValueType::Currency => Type::Decimal,
            ValueType::Text => Type::Text,
            ValueType::Boolean => Type::Bool,
            ValueType::Date => Type::Date,
            ValueType::Time => Type::Time,
            ValueType::DateTime => Type::DateTime,
        },
        ItemKind::Info | ItemKind::Group => return None,
    })
}

/// Which optional properties each kind takes, beyond `kind`, `id`, `label`, `help`, `relevant`.
fn allowed(kind: ItemKind) -> &'static [&'static str] {
    const FIELD: &[&str] = &["required", "constraints", "sensitive", "receipt"];
    match kind {
        ItemKind::Text => &[
            "required",
            "constraints",
            "sensitive",
            "receipt",
            "minLength",
            "maxLength",
            "format",
            "pattern",
            "patternMessage",
        ],
        ItemKind::LongText => {
            &["required", "constraints", "sensitive", "receipt", "minLength", "maxLength", "pattern", "patternMessage"]
        }
        ItemKind::Integer | ItemKind::Currency | ItemKind::Time | ItemKind::DateTime => {
            &["required", "constraints", "sensitive", "receipt", "min", "max"]
        }
        ItemKind::Decimal => &["required", "constraints", "sensitive", "receipt", "min", "max", "fractionDigits"],
        ItemKind::Date => {
            &["required", "constraints", "sensitive", "receipt", "notInFuture", "notInPast", "minAge", "maxAge"]
        }
        ItemKind::Choice => &["required", "constraints", "sensitive", "receipt", "options", "codeList"],
        ItemKind::MultiChoice => {
            &["required", "constraints", "sensitive", "receipt", "options", "codeList", "minSelected", "maxSelected"]
        }
        ItemKind::Attachment | ItemKind::Photo => {
            &["required", "constraints", "sensitive", "receipt", "accept", "maxSizeKb", "maxFiles"]
        }
        ItemKind::Boolean
        | ItemKind::Email
        | ItemKind::Phone
        | ItemKind::Iban
        | ItemKind::Postcode
        | ItemKind::Address
        | ItemKind::Signature => FIELD,
        ItemKind::Info => &["text"],
        ItemKind::Computed => &["calculate", "valueType", "receipt", "sensitive"],
        ItemKind::Group => &["repeat", "itemLabel", "items"],
    }
}

fn present(def: &ItemDefinition) -> Vec<&'static str> {
    let mut p = Vec::new();
    let mut add = |name: &'static str, is: bool| {
        if is {
            p.push(name);
        }
    };
    add("text", def.text.is_some());
    add("required", def.required.is_some());
    add("constraints", !def.constraints.is_empty());
    add("sensitive", def.sensitive);
    add("receipt", def.receipt.is_some());
    add("minLength", def.min_length.is_some());
    add("maxLength", def.max_length.is_some());
    add("format", def.format.is_some());
    add("pattern", def.pattern.is_some());
    add("patternMessage", def.pattern_message.is_some());
    add("min", def.min.is_some());
    add("max", def.max.is_some());
    add("fractionDigits", def.fraction_digits.is_some());
    add("notInFuture", def.not_in_future);
    add("notInPast", def.not_in_past);
    add("minAge", def.min_age.is_some());
    add("maxAge", def.max_age.is_some());
    add("options", def.options.is_some());
    add("codeList", def.code_list.is_some());
    add("minSelected", def.min_selected.is_some());
    add("maxSelected", def.max_selected.is_some());
    add("accept", def.accept.is_some());
    add("maxSizeKb", def.max_size_kb.is_some());
    add("maxFiles", def.max_files.is_some());
    add("calculate", def.calculate.is_some());
    add("valueType", def.value_type.is_some());
    add("repeat", def.repeat.is_some());
    add("itemLabel", def.item_label.is_some());
    add("items", def.items.is_some());
    p
}

struct Builder<'a> {
    shared: &'a CodeLists,
    errors: Vec<DefinitionError>,
    items: Vec<Item>,
    paths: Vec<String>,
    slots: Vec<usize>,
    globals: HashMap<String, (usize, Type)>,
    code_values: BTreeMap<String, Arc<[Value]>>,
    code_entries: BTreeMap<String, Arc<[OptionDefinition]>>,
    own_lists: BTreeMap<String, Arc<[OptionDefinition]>>,
}

impl Builder<'_> {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(DefinitionError { path: path.into(), message: message.into() });
    }

    fn check_text(&mut self, text: &Text, path: &str, needs_en: bool) {
        if needs_en && !text.0.contains_key("en") {
            self.error(path, "an English text (\"en\") is required here besides the German one");
        }
    }

    /// First pass: flattens items and checks properties. `repeats` counts the repeat groups around `defs`.
    fn collect(
        &mut self,
        defs: &[ItemDefinition],
        step: usize,
        parent: Option<usize>,
        repeats: usize,
        path: &str,
    ) -> Vec<usize> {
        let in_repeat = repeats > 0;
        let mut out = Vec::new();
        for (i, def) in defs.iter().enumerate() {
            let ipath = format!("{path}[{i}]");
            let idx = self.items.len();
            self.items.push(Item {
                def: def.clone(),
                step,
                parent,
                children: Vec::new(),
                in_repeat,
                relevant: None,
                required: RequiredRule::Never,
                constraints: Vec::new(),
                calculate: None,
                options: None,
                pattern: None,
                slot: None,
                position: None,
                record: None,
                fields: Vec::new(),
                child_order: Vec::new(),
                ty: value_type(def),
            });
            self.paths.push(ipath.clone());
            out.push(idx);
            let kind_name =
                serde_json::to_value(def.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            for prop in present(def) {
                if !allowed(def.kind).contains(&prop) {
                    self.error(
                        format!("{ipath}.{prop}"),
                        format!("'{prop}' does not apply to an item of kind '{kind_name}'"),
                    );
                }
            }
            match (&def.label, def.kind) {
                (None, ItemKind::Info) => {}
                (None, _) => self.error(&ipath, format!("an item of kind '{kind_name}' needs a 'label'")),
                (Some(l), _) => self.check_text(l, &format!("{ipath}.label"), true),
            }
            if def.kind == ItemKind::Info && def.text.is_none() {
                self.error(&ipath, "an info item needs a 'text'");
            }
            self.check_bounds(def, &ipath);
            if let Some(p) = &def.pattern {
                match expr::whole_match(p) {
                    Ok(re) => self.items[idx].pattern = Some(re),
                    Err(e) => self.error(format!("{ipath}.pattern"), format!("not a valid regular expression: {e}")),
                }
            }
            match (&def.pattern, &def.pattern_message) {
                (None, Some(_)) => self.error(format!("{ipath}.patternMessage"), "'patternMessage' needs a 'pattern'"),
                (Some(_), Some(m)) => self.check_text(m, &format!("{ipath}.patternMessage"), true),
                _ => {}
            }
            if let (Some(min), Some(max)) = (def.min_length, def.max_length)
                && min > max
            {
                self.error(format!("{ipath}.minLength"), format!("minLength {min} is greater than maxLength {max}"));
            }
            if let (Some(min), Some(max)) = (def.min_age, def.max_age)
                && min > max
            {
                self.error(format!("{ipath}.minAge"), format!("minAge {min} is greater than maxAge {max}"));
            }
            match def.kind {
                ItemKind::Choice | ItemKind::MultiChoice => self.resolve_options(idx, &ipath),
                ItemKind::Computed if (def.calculate.is_none() || def.value_type.is_none()) => {
                    self.error(&ipath, "a computed item needs 'calculate' and 'valueType'");
                }
                ItemKind::Group => {
                    let children = def.items.clone().unwrap_or_default();
                    if children.is_empty() {
                        self.error(format!("{ipath}.items"), "a group needs at least one item");
                    }
                    let repeat = def.repeat;
                    if repeat.is_some() && repeats >= MAX_REPEAT_DEPTH {
                        self.error(
                            format!("{ipath}.repeat"),
                            format!(
                                "repeat groups nest at most {MAX_REPEAT_DEPTH} levels deep; this one would be level {}",
                                repeats + 1
                            ),
                        );
                    }
                    if let Some(r) = repeat
                        && (r.max == 0 || r.min > r.max)
                    {
                        self.error(
                            format!("{ipath}.repeat"),
                            format!("expected 0 ≤ min ≤ max and max ≥ 1, found min {} and max {}", r.min, r.max),
                        );
                    }
                    let kids = self.collect(
                        &children,
                        step,
                        Some(idx),
                        repeats + usize::from(repeat.is_some()),
                        &format!("{ipath}.items"),
                    );
                    self.items[idx].children = kids;
                }
                _ => {}
            }
        }
        out
    }

    /// `min` and `max` fit the kind (numbers, or times and dates with times as texts) and are in order.
    fn check_bounds(&mut self, def: &ItemDefinition, ipath: &str) {
        let mut keys = [None, None];
        for (i, (name, bound)) in [("min", &def.min), ("max", &def.max)].into_iter().enumerate() {
            let Some(bound) = bound else { continue };
            let key = match (def.kind, bound) {
                (ItemKind::Time, Bound::Text(t)) => expr::parse_time(t).map(Value::Time),
                (ItemKind::DateTime, Bound::Text(t)) => expr::parse_date_time(t).map(Value::DateTime),
                (ItemKind::Time | ItemKind::DateTime, Bound::Number(_)) => None,
                (_, Bound::Number(d)) => Some(Value::Decimal(*d)),
                (_, Bound::Text(_)) => None,
            };
            if key.is_none() {
                let expected = match def.kind {
                    ItemKind::Time => "a time as \"HH:MM\"",
                    ItemKind::DateTime => "a date and time as \"YYYY-MM-DDTHH:MM\"",
                    _ => "a number",
                };
                self.error(format!("{ipath}.{name}"), format!("expected {expected}, found {bound}"));
            }
            keys[i] = key;
        }
        let ordered = match (&keys[0], &keys[1]) {
            (Some(Value::Decimal(a)), Some(Value::Decimal(b))) => a <= b,
            (Some(Value::Time(a)), Some(Value::Time(b))) => a <= b,
            (Some(Value::DateTime(a)), Some(Value::DateTime(b))) => a <= b,
            _ => true,
        };
        if !ordered && let (Some(min), Some(max)) = (&def.min, &def.max) {
            self.error(format!("{ipath}.min"), format!("min {min} is greater than max {max}"));
        }
    }

    fn resolve_options(&mut self, idx: usize, path: &str) {
        let def = &self.items[idx].def;
        let resolved: Option<Arc<[OptionDefinition]>> = match (&def.options, &def.code_list) {
            (Some(_), Some(_)) => {
                self.error(path, "give either 'options' or 'codeList', not both");
                return;
            }
            (None, None) => {
                self.error(path, "a choice needs 'options' or a 'codeList'");
                return;
            }
            (Some(options), None) => {
                let options = options.clone();
                let mut errs = Vec::new();
                check_entries(&options, &format!("{path}.options"), &mut errs);
                self.errors.extend(errs);
                Some(options.into())
            }
            (None, Some(id)) => {
                let found = self.own_lists.get(id).or_else(|| self.shared.0.get(id)).cloned();
                if found.is_none() {
                    let known: Vec<&str> =
                        self.own_lists.keys().chain(self.shared.0.keys()).map(String::as_str).collect();
                    let known = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
                    let message = format!("unknown code list '{id}'; known lists: {known}");
                    self.error(format!("{path}.codeList"), message);
                }
                found
            }
        };
        self.items[idx].options = resolved;
    }

    fn assign_slots(&mut self) {
        for idx in 0..self.items.len() {
            let item = &self.items[idx];
            if item.in_repeat {
                continue;
            }
            let is_repeat = item.def.kind == ItemKind::Group && item.def.repeat.is_some();
            let ty = if is_repeat { Some(self.assign_record(idx)) } else { item.ty.clone() };
            if let Some(ty) = ty {
                let slot = self.slots.len();
                self.slots.push(idx);
                self.items[idx].slot = Some(slot);
                self.items[idx].ty = Some(ty.clone());
                self.globals.insert(self.items[idx].def.id.clone(), (slot, ty));
            }
        }
    }

    /// Makes the record type of the repeat group `idx`, and of the repeat groups inside it, and gives each
    /// field its position; returns the group's type, a list of the records. A plain group's fields belong to the
    /// record it stands in; a nested repeat group is one field, a list of its own records.
    fn assign_record(&mut self, idx: usize) -> Type {
        let mut fields = Vec::new();
        let mut stack: Vec<usize> = self.items[idx].children.iter().rev().copied().collect();
        while let Some(c) = stack.pop() {
            let child = &self.items[c];
            if child.def.kind == ItemKind::Group && child.def.repeat.is_none() {
                stack.extend(child.children.iter().rev().copied());
                continue;
            }
            let ty = if child.def.kind == ItemKind::Group { Some(self.assign_record(c)) } else { child.ty.clone() };
            if let Some(ty) = ty {
                self.items[c].ty = Some(ty);
                self.items[c].position = Some(fields.len());
                fields.push(c);
            }
        }
        let record = Arc::new(RecordType {
            name: self.items[idx].def.id.clone(),
            fields: fields
                .iter()
                .filter_map(|f| self.items[*f].ty.clone().map(|t| (self.items[*f].def.id.clone(), t)))
                .collect(),
        });
        self.items[idx].record = Some(record.clone());
        self.items[idx].fields = fields;
        Type::List(Box::new(Type::Record(record)))
    }

    fn compile(
        &mut self,
        src: &str,
        path: &str,
        records: &[Arc<RecordType>],
        expect: &[Type],
        what: &str,
    ) -> Option<Checked> {
        let names = Names {
            globals: &self.globals,
            item: records.first().map(|r| &**r),
            outer: records.get(1..).unwrap_or_default(),
            code_lists: &self.code_values,
            code_entries: &self.code_entries,
        };
        match expr::compile(src, names) {
            Ok(c) => {
                if expect.iter().any(|t| c.ty.unify(t).as_ref() == Some(t) || c.ty == *t) {
                    Some(c)
                } else {
                    let wanted: Vec<String> = expect.iter().map(ToString::to_string).collect();
                    self.error(path, format!("{what} must be {}, but `{src}` is {}", wanted.join(" or "), c.ty));
                    None
                }
            }
            Err(e) => {
                self.error(path, format!("in `{src}` at character {}: {}", e.at + 1, e.message));
                None
            }
        }
    }

    /// Second pass: compiles every expression of every item.
    fn compile_items(&mut self) {
        for idx in 0..self.items.len() {
            let path = self.paths[idx].clone();
            let def = self.items[idx].def.clone();
            let record = self.enclosing_records(idx);
            let record = record.as_slice();
            if let Some(r) = &def.relevant {
                self.items[idx].relevant =
                    self.compile(r, &format!("{path}.relevant"), record, &[Type::Bool], "'relevant'");
            }
            self.items[idx].required = match &def.required {
                None | Some(Required::Always(false)) => RequiredRule::Never,
                Some(Required::Always(true)) => RequiredRule::Always,
                Some(Required::When(src)) => self
                    .compile(src, &format!("{path}.required"), record, &[Type::Bool], "'required'")
                    .map_or(RequiredRule::Never, RequiredRule::When),
            };
            let mut constraints = Vec::new();
            for (i, c) in def.constraints.iter().enumerate() {
                let cpath = format!("{path}.constraints[{i}]");
                self.check_text(&c.message, &format!("{cpath}.message"), true);
                if let Some(rule) =
                    self.compile(&c.rule, &format!("{cpath}.rule"), record, &[Type::Bool], "a constraint's rule")
                {
                    constraints.push(Constraint { rule, code: c.code.clone(), message: c.message.clone() });
                }
            }
            self.items[idx].constraints = constraints;
            if let (Some(src), Some(ty)) = (&def.calculate, value_type(&def)) {
                let expect: Vec<Type> = if ty == Type::Decimal { vec![Type::Decimal, Type::Int] } else { vec![ty] };
                self.items[idx].calculate =
                    self.compile(src, &format!("{path}.calculate"), record, &expect, "'calculate'");
            }
        }
    }

    /// The record types of the repeat groups around an item, nearest first: `item`, `outer`, `outer.outer`.
    fn enclosing_records(&self, idx: usize) -> Vec<Arc<RecordType>> {
        let mut out = Vec::new();
        let mut cur = self.items[idx].parent;
        while let Some(p) = cur {
            if let Some(r) = &self.items[p].record {
                out.push(r.clone());
            }
            cur = self.items[p].parent;
        }
        out
    }
}

/// Sorts `nodes` so that each comes after what it depends on; on a cycle returns the nodes on it.
fn topo_sort(count: usize, deps: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit(
        n: usize,
        deps: &[Vec<usize>],
        marks: &mut [Mark],
        stack: &mut Vec<usize>,
        out: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match marks[n] {
            Mark::Done => return Ok(()),
            Mark::Active => {
                let start = stack.iter().position(|s| *s == n).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(n);
                return Err(cycle);
            }
            Mark::New => {}
        }
        marks[n] = Mark::Active;
        stack.push(n);
        for d in &deps[n] {
            visit(*d, deps, marks, stack, out)?;
        }
        stack.pop();
        marks[n] = Mark::Done;
        out.push(n);
        Ok(())
    }
    let mut marks = vec![Mark::New; count];
    let mut out = Vec::with_capacity(count);
    let mut stack = Vec::new();
    for n in 0..count {
        visit(n, deps, &mut marks, &mut stack, &mut out)?;
    }
    Ok(out)
}

impl Form {
    /// Loads a form from the text of its `form.json`, resolving code lists against `shared`.
    pub fn from_json(source: &str, shared: &CodeLists) -> Result<Form, DefinitionErrors> {
        let checked = parse_checked(source, &FORM_VALIDATOR).map_err(DefinitionErrors)?;
        let json = checked.0.clone();
        let (def, schema_errors): (FormDefinition, _) = match typed(checked) {
            Ok(typed) => typed,
            // The types cannot be read, so the full checks cannot run; the expressions are still checked as far
            // as they can be without types, so that one run reports their errors too.
            Err(mut errors) => {
                let seen: HashSet<String> = errors.iter().map(|e| e.path.clone()).collect();
                errors.extend(crate::loose::expression_errors(&json).into_iter().filter(|e| !seen.contains(&e.path)));
                return Err(DefinitionErrors(errors));
            }
        };
        match Form::from_definition(def, shared) {
            Ok(form) if schema_errors.is_empty() => Ok(form),
            Ok(_) => Err(DefinitionErrors(schema_errors)),
            Err(DefinitionErrors(semantic)) => {
                // The schema and the semantic checks may both see one problem; keep the schema's word for it.
                let mut all = schema_errors;
                let seen: HashSet<String> = all.iter().map(|e| e.path.clone()).collect();
                all.extend(semantic.into_iter().filter(|e| !seen.contains(&e.path)));
                Err(DefinitionErrors(all))
            }
        }
    }

    /// Checks and compiles a definition.
    pub fn from_definition(def: FormDefinition, shared: &CodeLists) -> Result<Form, DefinitionErrors> {
        let mut own_lists = BTreeMap::new();
        let mut b = Builder {
            shared,
            errors: Vec::new(),
            items: Vec::new(),
            paths: Vec::new(),
            slots: Vec::new(),
            globals: HashMap::new(),
            code_values: BTreeMap::new(),
            code_entries: BTreeMap::new(),
            own_lists: BTreeMap::new(),
        };
        if def.format_version != FORMAT_VERSION {
            b.error(
                "$.formatVersion",
                format!("this engine reads formatVersion {FORMAT_VERSION}, found {}", def.format_version),
            );
        }
        b.check_text(&def.title, "$.title", true);
        if def.languages.first().is_some_and(|l| l != "de") {
            b.error("$.languages[0]", "the first language must be \"de\"");
        }
        for (id, list) in &def.code_lists {
            let mut errs = Vec::new();
            check_entries(&list.entries, &format!("$.codeLists.{id}.entries"), &mut errs);
            b.errors.extend(errs);
            own_lists.insert(id.clone(), Arc::<[OptionDefinition]>::from(list.entries.clone()));
        }
        for (id, entries) in shared.0.iter().chain(own_lists.iter()) {
            let values: Arc<[Value]> = entries.iter().map(|e| Value::Text(Arc::from(e.value.as_str()))).collect();
            b.code_values.insert(id.clone(), values);
            b.code_entries.insert(id.clone(), entries.clone());
        }
        b.own_lists = own_lists;

        let mut step_items = Vec::new();
        let mut step_ids = HashSet::new();
        for (s, step) in def.steps.iter().enumerate() {
            if !step_ids.insert(step.id.as_str()) {
                b.error(format!("$.steps[{s}].id"), format!("the step id '{}' appears twice", step.id));
            }
            b.check_text(&step.title, &format!("$.steps[{s}].title"), true);
            step_items.push(b.collect(&step.items, s, None, 0, &format!("$.steps[{s}].items")));
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for idx in 0..b.items.len() {
            let id = b.items[idx].def.id.clone();
            if matches!(id.as_str(), "today" | "item" | "index" | "outer") {
                b.error(format!("{}.id", b.paths[idx]), format!("'{id}' is a reserved name in expressions"));
            }
            if let Some(first) = seen.insert(id.clone(), idx) {
                let first_path = b.paths[first].clone();
                b.error(
                    format!("{}.id", b.paths[idx]),
                    format!("the id '{id}' is already used at {first_path}; ids must be unique in the whole form"),
                );
            }
        }
        for (i, id) in def.summary.iter().enumerate() {
            let fits = seen
                .get(id)
                .map(|&idx| &b.items[idx])
                .is_some_and(|item| item.def.kind == ItemKind::Text && !item.in_repeat);
            if !fits {
                b.error(
                    format!("$.summary[{i}]"),
                    format!("'{id}' is not a text field outside repeat groups; the summary names only those"),
                );
            }
        }
        b.assign_slots();
        b.compile_items();

        let mut steps = Vec::new();
        for (s, (step, items)) in def.steps.iter().zip(step_items).enumerate() {
            let relevant = step
                .relevant
                .as_ref()
                .and_then(|r| b.compile(r, &format!("$.steps[{s}].relevant"), &[], &[Type::Bool], "'relevant'"));
            steps.push(Step { def: step.clone(), relevant, items });
        }
        let mut fees = Vec::new();
        let mut fee_positions = Vec::new();
        let mut fee_ids = HashSet::new();
        for (i, fee) in def.fees.iter().enumerate() {
            let path = format!("$.fees[{i}]");
            if !fee_ids.insert(fee.id.as_str()) {
                b.error(format!("{path}.id"), format!("the fee id '{}' appears twice", fee.id));
            }
            let amount =
                b.compile(&fee.amount, &format!("{path}.amount"), &[], &[Type::Decimal, Type::Int], "a fee's amount");
            let relevant = fee
                .relevant
                .as_ref()
                .and_then(|r| b.compile(r, &format!("{path}.relevant"), &[], &[Type::Bool], "'relevant'"));
            if let Some(amount) = amount {
                fee_positions.push(i);
                fees.push(Fee {
                    id: fee.id.clone(),
                    label: fee.label.clone(),
                    note: fee.note.clone(),
                    amount,
                    relevant,
                });
            }
        }

        // The evaluation order of slots: a slot's value depends on the relevance of its step, its groups and
        // itself, on its calculation, and for a repeat group on everything its children read outside it.
        let mut deps: Vec<Vec<usize>> = vec![Vec::new(); b.slots.len()];
        for (slot, &idx) in b.slots.iter().enumerate() {
            let mut reads = Vec::new();
            let mut cur = Some(idx);
            while let Some(i) = cur {
                let it = &b.items[i];
                reads.extend(it.relevant.iter().chain(it.calculate.iter()).flat_map(|c| c.globals.iter().copied()));
                cur = it.parent;
            }
            if let Some(rel) = &steps[b.items[idx].step].relevant {
                reads.extend(rel.globals.iter().copied());
            }
            let mut stack = b.items[idx].children.clone();
            while let Some(c) = stack.pop() {
                let it = &b.items[c];
                reads.extend(it.relevant.iter().chain(it.calculate.iter()).flat_map(|x| x.globals.iter().copied()));
                stack.extend(it.children.iter().copied());
            }
            reads.sort_unstable();
            reads.dedup();
            deps[slot] = reads;
        }
        let order = match topo_sort(b.slots.len(), &deps) {
            Ok(order) => order,
            Err(cycle) => {
                let names: Vec<String> = cycle.iter().map(|s| b.items[b.slots[*s]].def.id.clone()).collect();
                let path = cycle.first().map(|s| b.paths[b.slots[*s]].clone()).unwrap_or_else(|| "$".into());
                b.error(
                    path,
                    format!("the conditions and calculations depend on each other in a circle: {}", names.join(" → ")),
                );
                Vec::new()
            }
        };
        // Inside each repeat group, the order of its record's positions by what they read of its instance: a
        // field's own conditions and calculation and those of the plain groups around it read `item`; what
        // stands inside a nested repeat group reads the instance as `outer` (or `outer.outer` from deeper).
        for idx in 0..b.items.len() {
            let Some(record) = b.items[idx].record.clone() else { continue };
            let mut cdeps: Vec<Vec<usize>> = vec![Vec::new(); record.fields.len()];
            for (pos, &f) in b.items[idx].fields.iter().enumerate() {
                let mut reads = Vec::new();
                let mut cur = Some(f);
                while let Some(i) = cur.filter(|i| *i != idx) {
                    let it = &b.items[i];
                    reads.extend(it.relevant.iter().chain(it.calculate.iter()).flat_map(|x| x.item_fields.iter()));
                    cur = it.parent;
                }
                let mut stack: Vec<(usize, usize)> = b.items[f].children.iter().map(|c| (*c, 1)).collect();
                while let Some((c, levels)) = stack.pop() {
                    let it = &b.items[c];
                    reads.extend(
                        it.relevant
                            .iter()
                            .chain(it.calculate.iter())
                            .flat_map(|x| x.outer_fields.iter().filter(|(l, _)| *l == levels).map(|(_, p)| p)),
                    );
                    let deeper = levels + usize::from(it.record.is_some());
                    stack.extend(it.children.iter().map(|g| (*g, deeper)));
                }
                reads.sort_unstable();
                reads.dedup();
                cdeps[pos] = reads;
            }
            match topo_sort(record.fields.len(), &cdeps) {
                Ok(order) => b.items[idx].child_order = order,
                Err(cycle) => {
                    let names: Vec<String> = cycle.iter().map(|p| record.fields[*p].0.clone()).collect();
                    let path = b.paths[idx].clone();
                    b.error(
                        path,
                        format!(
                            "the conditions and calculations in this group depend on each other in a circle: {}",
                            names.join(" → ")
                        ),
                    );
                }
            }
        }

        if !b.errors.is_empty() {
            return Err(DefinitionErrors(b.errors));
        }
        let by_id = b
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| {
                !it.in_repeat && it.def.kind.is_answered()
                    || it.def.kind == ItemKind::Group && it.def.repeat.is_some() && !it.in_repeat
            })
            .map(|(i, it)| (it.def.id.clone(), i))
            .collect();
        let located: Vec<(usize, &Fee)> = fee_positions.iter().copied().zip(fees.iter()).collect();
        let warnings = crate::nulls::warnings(&b.items, &steps, &b.slots, &order, &located, &b.paths);
        let used: BTreeSet<&str> = b.items.iter().filter_map(|it| it.def.code_list.as_deref()).collect();
        let shared_used: Vec<(&str, &[OptionDefinition])> = shared
            .0
            .iter()
            .filter(|(id, _)| used.contains(id.as_str()) && !def.code_lists.contains_key(id.as_str()))
            .map(|(id, entries)| (id.as_str(), &entries[..]))
            .collect();
        let json = serde_json::to_value(&def).unwrap_or_default();
        let coverage = crate::texts::Coverage::of(&json, &def.languages, &shared_used);
        Ok(Form { def, steps, items: b.items, slots: b.slots, order, fees, by_id, warnings, coverage })
    }

    /// Warnings of the load: fee amounts and calculations that can lose their value because they read a field
    /// that may be unanswered without a default or a guard (`docs/expressions.md`, "Unanswered values").
    pub fn warnings(&self) -> &[DefinitionError] {
        &self.warnings
    }

    /// The definition this form was loaded from.
    pub fn definition(&self) -> &FormDefinition {
        &self.def
    }

    /// The definition of the item with this id, at any depth; ids are unique in the whole form.
    pub fn item(&self, id: &str) -> Option<&ItemDefinition> {
        self.items.iter().map(|it| &it.def).find(|def| def.id == id)
    }

    /// The form's id.
    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// The form's version.
    pub fn version(&self) -> &str {
        &self.def.version
    }

    /// How completely each language covers the form's texts, the shared code lists it uses included.
    pub fn coverage(&self) -> &crate::texts::Coverage {
        &self.coverage
    }

    /// The languages a citizen can be served in: those the form names in `languages` that cover every one of its
    /// texts, in the form's order. German always.
    pub fn citizen_languages(&self) -> Vec<String> {
        let mut out: Vec<String> =
            self.def.languages.iter().filter(|l| l.as_str() == "de" || self.coverage.complete(l)).cloned().collect();
        if !out.iter().any(|l| l == "de") {
            out.insert(0, "de".to_owned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_become_paths() {
        assert_eq!(pointer_to_path(""), "$");
        assert_eq!(pointer_to_path("/steps/0/items/12/label"), "$.steps[0].items[12].label");
        assert_eq!(pointer_to_path("/codeLists/a b"), "$.codeLists[\"a b\"]");
    }

    #[test]
    fn topo_sort_orders_and_finds_cycles() {
        assert_eq!(topo_sort(3, &[vec![1], vec![2], vec![]]), Ok(vec![2, 1, 0]));
        assert_eq!(topo_sort(2, &[vec![1], vec![0]]), Err(vec![0, 1, 0]));
    }
}
