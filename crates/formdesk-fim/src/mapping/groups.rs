//! Groups below the top level and cardinalities (design section 4.3).
//!
//! Our repeat groups cannot hold groups yet; what a group inside a repeat group becomes is decided in one
//! place, [`nested_in_repeat`], so that it can follow the format when nesting arrives.

use super::{Ctx, Mapper, fields, fim_json, fim_ref, label, path, repeats, rules};
use crate::error::Position;
use crate::model::{Element, Group, Meta, Use};
use crate::report::{Finding, FindingKind};
use serde_json::{Map, Value, json};

/// Upper bound written for `*` (our repeat groups need a maximum).
pub const UNBOUNDED_REPEAT_MAX: u32 = 99;

/// What becomes of a group inside a repeat group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// Its children become children of the repeat group; its label and help are lost.
    Flatten,
    /// The subtree is not imported.
    Drop,
}

/// The decision for a group with cardinality `min:max` inside a repeat group: `1:1` is flattened,
/// everything else dropped (no nested repeats in the format).
pub fn nested_in_repeat(min: u32, max: Option<u32>) -> Nesting {
    if min == 1 && max == Some(1) { Nesting::Flatten } else { Nesting::Drop }
}

/// Reports a subtree that is not imported, with its rules.
pub fn dropped(m: &mut Mapper<'_>, element: &Element, at: Position, reason: &str) {
    rules::attach_dropped(m, element);
    let meta = element.meta();
    m.note(
        Finding::new(
            FindingKind::Dropped,
            format!("„{}“ mit allem, was darin steht, nicht übernommen: {reason}", display_name(meta)),
        )
        .fim(Some(fim_ref(meta)))
        .at(Some(at)),
    );
}

/// The name shown in report lines.
pub fn display_name(meta: &Meta) -> String {
    meta.label
        .clone()
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| if meta.name.is_empty() { meta.id.clone() } else { meta.name.clone() })
}

/// The hint of an Auswahlgruppe.
pub fn choice_hint(m: &mut Mapper<'_>, g: &Group, path: Option<&str>) {
    let names: Vec<String> = g.children.iter().map(|c| display_name(c.element.meta())).collect();
    m.note(
        Finding::new(
            FindingKind::Hint,
            format!(
                "Auswahlgruppe: genau eine Angabe aus {}; die Unterelemente sind optional übernommen, die Auswahl ist als Bedingung (oder als Auswahlfeld mit relevant-Bedingungen) zu formulieren{}",
                names.join(", "),
                if names.len() < 2 { " (FIM verlangt in einer Auswahlgruppe mindestens zwei Unterelemente)" } else { "" }
            ),
        )
        .fim(Some(fim_ref(&g.meta)))
        .path(path)
        .at(Some(g.meta.pos)),
    );
}

/// The items one struktur becomes (none, one, or the children of a flattened group).
pub fn map_use(m: &mut Mapper<'_>, u: &Use, ctx: Ctx<'_>) -> Vec<Value> {
    match &u.element {
        Element::Field(f) => fields::map_field(m, f, u, ctx).into_iter().collect(),
        Element::Group(g) => map_group(m, g, u, ctx),
    }
}

fn map_group(m: &mut Mapper<'_>, g: &Group, u: &Use, ctx: Ctx<'_>) -> Vec<Value> {
    if u.max == Some(0) {
        dropped(m, &u.element, u.pos, "Anzahl 0:0");
        return Vec::new();
    }
    if let Some(rep) = ctx.repeat {
        return match nested_in_repeat(u.min, u.max) {
            Nesting::Flatten => {
                m.note(
                    Finding::new(
                        FindingKind::Hint,
                        format!("Gruppe „{}“ in der Wiederholgruppe aufgelöst: ihre Elemente stehen direkt in `{rep}`; Beschriftung und Hilfetext der Gruppe entfallen", display_name(&g.meta)),
                    )
                    .fim(Some(fim_ref(&g.meta)))
                    .at(Some(u.pos)),
                );
                m.element_hints(&g.meta, None);
                m.placed(&g.meta, rep);
                rules::attach(m, &g.meta, &g.rules, rep);
                let inner = Ctx { repeat: Some(rep), optional: ctx.optional || g.art.as_deref() == Some("X") };
                if g.art.as_deref() == Some("X") {
                    choice_hint(m, g, None);
                }
                g.children.iter().flat_map(|c| map_use(m, c, inner)).collect()
            }
            Nesting::Drop => {
                let card = format!("{}:{}", u.min, u.max.map_or("*".to_owned(), |x| x.to_string()));
                dropped(
                    m,
                    &u.element,
                    u.pos,
                    &format!(
                        "wiederholbare oder optionale Gruppe ({card}) in der Wiederholgruppe `{rep}`; verschachtelte Wiederholungen kennt das Format nicht"
                    ),
                );
                Vec::new()
            }
        };
    }
    let as_repeat = repeats(u) || (u.min == 0 && !g.has_groups());
    let id = m.items.derive(&[&g.meta.name, g.meta.label.as_deref().unwrap_or_default()], "gruppe");
    let here = path(ctx, &id);
    m.element_hints(&g.meta, Some(&here));
    let choice = g.art.as_deref() == Some("X");
    if choice {
        choice_hint(m, g, Some(&here));
    }
    let label_de = display_name(&g.meta);
    let mut item = Map::new();
    item.insert("kind".into(), json!("group"));
    item.insert("id".into(), json!(id));
    item.insert("label".into(), label(m, &label_de));
    if let Some(h) = &g.meta.help {
        item.insert("help".into(), json!({"de": h}));
    }
    let children: Vec<Value> = if as_repeat {
        let max = match u.max {
            Some(n) => n,
            None => {
                m.note(
                    Finding::new(FindingKind::Gap, format!("unbegrenzte Anzahl ({}:*): das Format braucht eine Obergrenze; {UNBOUNDED_REPEAT_MAX} gesetzt", u.min))
                        .fim(Some(fim_ref(&g.meta)))
                        .path(Some(&here))
                        .at(Some(u.pos)),
                );
                UNBOUNDED_REPEAT_MAX
            }
        };
        item.insert("repeat".into(), json!({"min": u.min, "max": max}));
        let item_label = if g.meta.name.is_empty() { label_de.clone() } else { g.meta.name.clone() };
        item.insert("itemLabel".into(), label(m, &item_label));
        let inner = Ctx { repeat: Some(&id), optional: choice };
        g.children.iter().flat_map(|c| map_use(m, c, inner)).collect()
    } else {
        let optional = ctx.optional || choice || u.min == 0;
        if u.min == 0 {
            m.note(
                Finding::new(FindingKind::Gap, "optionale Gruppe (0:1) mit Untergruppen: als einfache Gruppe übernommen, keines ihrer Felder ist Pflicht; die Pflicht bei ausgefüllter Gruppe ist als Bedingung zu formulieren")
                    .fim(Some(fim_ref(&g.meta)))
                    .path(Some(&here))
                    .at(Some(u.pos)),
            );
        }
        let inner = Ctx { repeat: None, optional };
        g.children.iter().flat_map(|c| map_use(m, c, inner)).collect()
    };
    if children.is_empty() {
        rules::attach(m, &g.meta, &g.rules, "");
        m.note(
            Finding::new(
                FindingKind::Dropped,
                format!("Gruppe „{label_de}“ nicht übernommen: keines ihrer Elemente wurde übernommen"),
            )
            .fim(Some(fim_ref(&g.meta)))
            .at(Some(u.pos)),
        );
        return Vec::new();
    }
    m.placed(&g.meta, &here);
    rules::attach(m, &g.meta, &g.rules, &here);
    item.insert("items".into(), Value::Array(children));
    item.insert("fim".into(), fim_json(&g.meta));
    vec![Value::Object(item)]
}
