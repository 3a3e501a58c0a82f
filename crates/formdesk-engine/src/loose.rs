//! The expressions of a definition whose types cannot be read: when the schema step fails (an unknown
//! property, a misspelt kind), the typed checks cannot run, but every expression can still be parsed and its
//! names and functions looked up, so that one run of `forms check` reports these errors too.
//!
//! Non-goals: types. Without the items' kinds the types of names are unknown; the full check runs once the
//! schema errors are fixed.

use crate::expr::syntax::{self, Ast, AstKind};
use crate::form::DefinitionError;
use serde_json::Value;
use std::collections::HashSet;

/// Where expressions are in a definition: the property names whose string value is an expression.
const ITEM_EXPRESSIONS: &[&str] = &["relevant", "required", "calculate"];

/// Syntax errors, unknown names and unknown functions of every expression in `json`, with their paths.
pub(crate) fn expression_errors(json: &Value) -> Vec<DefinitionError> {
    let mut found = Vec::new();
    let mut ids = HashSet::new();
    for (s, step) in array(json.get("steps")).iter().enumerate() {
        collect(step.get("items"), &format!("$.steps[{s}].items"), &mut ids, &mut found);
        if let Some(Value::String(src)) = step.get("relevant") {
            found.push((format!("$.steps[{s}].relevant"), src.clone(), false));
        }
    }
    for (i, fee) in array(json.get("fees")).iter().enumerate() {
        for key in ["amount", "relevant"] {
            if let Some(Value::String(src)) = fee.get(key) {
                found.push((format!("$.fees[{i}].{key}"), src.clone(), false));
            }
        }
    }
    let mut errors = Vec::new();
    for (path, src, in_repeat) in found {
        let message = match syntax::parse(&src) {
            Err(e) => Some((e.at, e.message)),
            Ok(ast) => {
                let mut scope = Vec::new();
                unknown(&ast, &ids, in_repeat, &mut scope)
            }
        };
        if let Some((at, message)) = message {
            errors.push(DefinitionError { path, message: format!("in `{src}` at character {}: {message}", at + 1) });
        }
    }
    errors
}

fn array(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Gathers the ids of `items` and their expressions (path, source, whether inside a repeat group).
fn collect(items: Option<&Value>, path: &str, ids: &mut HashSet<String>, found: &mut Vec<(String, String, bool)>) {
    fn walk(
        items: &[Value],
        path: &str,
        in_repeat: bool,
        ids: &mut HashSet<String>,
        found: &mut Vec<(String, String, bool)>,
    ) {
        for (i, item) in items.iter().enumerate() {
            let ipath = format!("{path}[{i}]");
            if let Some(Value::String(id)) = item.get("id") {
                ids.insert(id.clone());
            }
            for key in ITEM_EXPRESSIONS {
                if let Some(Value::String(src)) = item.get(*key) {
                    found.push((format!("{ipath}.{key}"), src.clone(), in_repeat));
                }
            }
            for (c, constraint) in array(item.get("constraints")).iter().enumerate() {
                if let Some(Value::String(src)) = constraint.get("rule") {
                    found.push((format!("{ipath}.constraints[{c}].rule"), src.clone(), in_repeat));
                }
            }
            let repeat = in_repeat || item.get("repeat").is_some();
            walk(array(item.get("items")), &format!("{ipath}.items"), repeat, ids, found);
        }
    }
    walk(array(items), path, false, ids, found);
}

/// The first unknown name or function in `ast`.
fn unknown(ast: &Ast, ids: &HashSet<String>, in_repeat: bool, scope: &mut Vec<String>) -> Option<(usize, String)> {
    let sub = |a: &Ast, scope: &mut Vec<String>| unknown(a, ids, in_repeat, scope);
    match &ast.kind {
        AstKind::Bool(_) | AstKind::Int(_) | AstKind::Decimal(_) | AstKind::Text(_) => None,
        AstKind::Ident(name) => {
            let known = ids.contains(name)
                || scope.contains(name)
                || name == "today"
                || (in_repeat && (name == "item" || name == "index"));
            (!known).then(|| (ast.at, format!("unknown name '{name}'")))
        }
        AstKind::Select(operand, _) => sub(operand, scope),
        AstKind::Index(a, b) | AstKind::Binary(_, a, b) => sub(a, scope).or_else(|| sub(b, scope)),
        AstKind::Unary(_, a) => sub(a, scope),
        AstKind::Conditional(a, b, c) => sub(a, scope).or_else(|| sub(b, scope)).or_else(|| sub(c, scope)),
        AstKind::List(items) => items.iter().find_map(|i| sub(i, scope)),
        AstKind::Call { target, name, args } => {
            if !crate::expr::FUNCTIONS.contains(&name.as_str()) {
                return Some((ast.at, format!("unknown function '{name}'")));
            }
            if let Some(t) = target {
                if let Some(e) = sub(t, scope) {
                    return Some(e);
                }
                // A macro's first argument is its variable, known in its body.
                if let [Ast { kind: AstKind::Ident(var), .. }, body] = args.as_slice()
                    && matches!(name.as_str(), "exists" | "all" | "exists_one" | "filter" | "map")
                {
                    scope.push(var.clone());
                    let found = sub(body, scope);
                    scope.pop();
                    return found;
                }
            }
            // Literal arguments of codes(), lookup() and matches() are ids, keys and patterns, not names.
            args.iter().find_map(|a| sub(a, scope))
        }
    }
}
