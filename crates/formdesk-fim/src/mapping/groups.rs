//! Groups below the top level and cardinalities (design section 4.3).
//!
//! Groups nest as in the schema: a plain group or a repeat group may stand inside a repeat group, down to
//! the engine's limit of nested repeat groups. What a group becomes is decided in one place, [`nesting`].

use super::{Ctx, Mapper, fields, fim_json, fim_ref, label, path, rules};
use crate::error::Position;
use crate::model::{Element, Group, Meta, Use};
use crate::report::{Finding, FindingKind};
use serde_json::{Map, Value, json};

/// Upper bound written for `*` (our repeat groups need a maximum).
pub const UNBOUNDED_REPEAT_MAX: u32 = 99;

/// What becomes of a group below the top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// A repeat group (`0:1`, `1:5`, `0:*`): absent or present with its own required fields, or repeated;
    /// inside the enclosing instance when there is one.
    Repeat,
    /// A plain group (`1:1`): its children are answered where the group stands.
    Group,
    /// A `0:1` group too deep for one more repeat group: a plain group, none of its fields required.
    OptionalGroup,
    /// A repeatable group too deep for one more repeat group: not imported, reported.
    Drop,
}

/// The decision for a group with cardinality `min:max` inside `depth` repeat groups.
pub fn nesting(min: u32, max: Option<u32>, depth: usize) -> Nesting {
    if min == 1 && max == Some(1) {
        Nesting::Group
    } else if depth < formdesk_engine::MAX_REPEAT_DEPTH {
        Nesting::Repeat
    } else if max == Some(1) {
        Nesting::OptionalGroup
    } else {
        Nesting::Drop
    }
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
    let decision = nesting(u.min, u.max, ctx.depth);
    if decision == Nesting::Drop {
        let card = format!("{}:{}", u.min, u.max.map_or("*".to_owned(), |x| x.to_string()));
        dropped(
            m,
            &u.element,
            u.pos,
            &format!(
                "wiederholbare Gruppe ({card}) in {} verschachtelten Wiederholgruppen; das Format erlaubt höchstens {}",
                ctx.depth,
                formdesk_engine::MAX_REPEAT_DEPTH
            ),
        );
        return Vec::new();
    }
    let as_repeat = decision == Nesting::Repeat;
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
        let inner = Ctx { repeat: Some(&here), depth: ctx.depth + 1, optional: choice };
        g.children.iter().flat_map(|c| map_use(m, c, inner)).collect()
    } else {
        let optional = ctx.optional || choice || u.min == 0;
        if u.min == 0 {
            m.note(
                Finding::new(FindingKind::Gap, format!("optionale Gruppe (0:1) in {} verschachtelten Wiederholgruppen: als einfache Gruppe übernommen, keines ihrer Felder ist Pflicht; die Pflicht bei ausgefüllter Gruppe ist als Bedingung zu formulieren", ctx.depth))
                    .fim(Some(fim_ref(&g.meta)))
                    .path(Some(&here))
                    .at(Some(u.pos)),
            );
        }
        let inner = Ctx { repeat: ctx.repeat, depth: ctx.depth, optional };
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
