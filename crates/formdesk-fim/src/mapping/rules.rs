//! Regeln (design section 8): FIM rules are prose or scripts; each becomes a report entry with the items
//! it concerns, for the author to write as `relevant`, `required` and `constraints` expressions.

use super::Mapper;
use crate::model::{Element, Meta, Rule, RuleArg, Schema, Use};
use crate::report::{FimRef, Finding, FindingKind, Mention, RuleArgument, RuleFinding};
use regex::Regex;
use std::sync::LazyLock;

static MENTION: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\b[FGS]\d{5,}\b").ok());
static EMPTY_SCRIPT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*(function\s+script\s*\(\s*\)\s*\{\s*\}\s*;?)?\s*$").ok());

/// Remembers the rules of an element placed at `path`.
pub fn attach(m: &mut Mapper<'_>, meta: &Meta, rules: &[Rule], path: &str) {
    for r in rules {
        m.pending_rules.push((r.clone(), path.to_owned(), super::fim_ref(meta)));
    }
}

/// Remembers the rules of an element that was not imported, and of everything inside it.
pub fn attach_dropped(m: &mut Mapper<'_>, element: &Element) {
    match element {
        Element::Field(f) => attach(m, &f.meta, &f.rules, ""),
        Element::Group(g) => {
            attach(m, &g.meta, &g.rules, "");
            for Use { element, .. } in &g.children {
                attach_dropped(m, element);
            }
        }
    }
}

fn kind_words(code: &str) -> String {
    match code {
        "K" => "komplexe Regel (K)".into(),
        "M" => "Multiplizität (M)".into(),
        "V" => "Validierung (V)".into(),
        "B" => "Berechnung (B)".into(),
        other => format!("Typ '{other}'"),
    }
}

fn argument(m: &Mapper<'_>, a: &RuleArg) -> RuleArgument {
    RuleArgument {
        in_schema: a.element.as_ref().is_some_and(|e| m.all_ids.contains(e)),
        element: a.element.clone(),
        name: a.name.clone(),
        kind: a.kind.clone(),
        paths: a.element.as_ref().and_then(|e| m.paths.get(e)).cloned().unwrap_or_default(),
    }
}

/// Adds a finding for every rule of the schema and its elements, in document order.
pub fn report_rules(m: &mut Mapper<'_>, schema: &Schema) {
    let mut all: Vec<(Rule, String, FimRef)> =
        schema.rules.iter().map(|r| (r.clone(), "Formular".to_owned(), super::fim_ref(&schema.meta))).collect();
    all.append(&mut m.pending_rules);
    for (rule, attached, element) in all {
        let mut mentions: Vec<Mention> = Vec::new();
        for text in [rule.prose.as_deref(), rule.description.as_deref()].into_iter().flatten() {
            for found in MENTION
                .as_ref()
                .map(|r| r.find_iter(text).map(|x| x.as_str().to_owned()).collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if !mentions.iter().any(|x| x.id == found) {
                    let paths = m.paths.get(&found).cloned().unwrap_or_default();
                    let in_schema = m.all_ids.contains(&found);
                    mentions.push(Mention { id: found, paths, in_schema });
                }
            }
        }
        let script = rule.script.clone().filter(|s| !EMPTY_SCRIPT.as_ref().is_some_and(|r| r.is_match(s)));
        let finding = RuleFinding {
            name: rule.name.clone(),
            element,
            attached_to: attached.clone(),
            kind: rule.kind.as_deref().map(kind_words),
            prose: rule.prose.clone(),
            description: rule.description.clone(),
            mentions,
            params: rule.params.iter().map(|a| argument(m, a)).collect(),
            targets: rule.targets.iter().map(|a| argument(m, a)).collect(),
            errors: rule
                .errors
                .iter()
                .map(|(code, text)| match code {
                    Some(c) => format!("{text} (Code {c})"),
                    None => text.clone(),
                })
                .collect(),
            script,
        };
        let mut f = Finding::new(FindingKind::Rule, format!("Regel „{}“ als Bedingung formulieren", rule.name))
            .fim(Some(FimRef {
                id: rule.id.clone(),
                version: rule.version.clone(),
                name: super::non_empty(&rule.name),
            }))
            .path(if attached == "Formular" || attached.is_empty() { None } else { Some(attached.as_str()) })
            .at(Some(rule.pos));
        f.rule = Some(finding);
        m.note(f);
    }
}
