//! Fields: feldart × datentyp (design section 4.4) and fields that repeat.

use super::groups::display_name;
use super::{Ctx, Mapper, bounds, fim_json, fim_ref, label, lists, path, repeats, rules};
use crate::model::{Field, Use};
use crate::precision;
use crate::report::{Finding, FindingKind};
use serde_json::{Map, Value, json};

/// Text fields allowing more characters than this become `longText`.
pub const LONG_TEXT_FROM: u32 = 255;
/// `maxFiles` written for a file field of cardinality `*`.
pub const UNBOUNDED_FILES: u32 = 10;

fn finding(kind: FindingKind, f: &Field, path: Option<&str>, message: impl Into<String>) -> Finding {
    Finding::new(kind, message).fim(Some(fim_ref(&f.meta))).path(path).at(Some(f.meta.pos))
}

/// The item a field becomes, if any; the rules of a field not imported are reported as such.
pub fn map_field(m: &mut Mapper<'_>, f: &Field, u: &Use, ctx: Ctx<'_>) -> Option<Value> {
    let item = place(m, f, u, ctx);
    if item.is_none() {
        rules::attach(m, &f.meta, &f.rules, "");
    }
    item
}

fn place(m: &mut Mapper<'_>, f: &Field, u: &Use, ctx: Ctx<'_>) -> Option<Value> {
    let name = display_name(&f.meta);
    if u.max == Some(0) {
        m.note(
            finding(FindingKind::Dropped, f, None, format!("Feld „{name}“ nicht übernommen: Anzahl 0:0"))
                .at(Some(u.pos)),
        );
        return None;
    }
    match f.feldart.as_str() {
        "input" | "select" | "label" | "locked" => {}
        "hidden" => {
            m.note(finding(FindingKind::Dropped, f, None, format!("verborgenes Feld „{name}“ (feldart hidden) nicht übernommen: seinen Wert setzt die Behörde, das Format kennt keine verborgenen Felder")));
            return None;
        }
        other => {
            m.note(
                finding(
                    FindingKind::UnknownFieldKind,
                    f,
                    None,
                    format!("unbekannte Feldart '{other}' bei „{name}“: Feld nicht übernommen"),
                )
                .at(Some(f.feldart_pos)),
            );
            return None;
        }
    }
    if f.feldart == "input" && f.datentyp == "obj" {
        m.note(
            finding(FindingKind::Dropped, f, None, format!("Feld „{name}“ nicht übernommen: Datentyp obj (Binärobjekt ohne nähere Angabe) ist nicht übersetzbar"))
                .at(Some(f.datentyp_pos)),
        );
        return None;
    }
    let is_file = f.datentyp == "file" && f.feldart == "input";
    if repeats(u) && !is_file && f.feldart != "label" && f.feldart != "locked" {
        return repeating_field(m, f, u, ctx);
    }
    single(m, f, u, ctx)
}

/// A field with max > 1: a repeat group with the field as its only child.
fn repeating_field(m: &mut Mapper<'_>, f: &Field, u: &Use, ctx: Ctx<'_>) -> Option<Value> {
    let name = display_name(&f.meta);
    if ctx.depth >= formdesk_engine::MAX_REPEAT_DEPTH {
        m.note(finding(
            FindingKind::Dropped,
            f,
            None,
            format!(
                "wiederholbares Feld „{name}“ in {} verschachtelten Wiederholgruppen nicht übernommen; das Format erlaubt höchstens {}",
                ctx.depth,
                formdesk_engine::MAX_REPEAT_DEPTH
            ),
        ).at(Some(u.pos)));
        return None;
    }
    let id = m.items.derive(&[&f.meta.name, f.meta.label.as_deref().unwrap_or_default()], "feld");
    let group_id = m.items.claim(&format!("{id}_liste"));
    let max = match u.max {
        Some(n) => n,
        None => {
            m.note(
                finding(
                    FindingKind::Gap,
                    f,
                    Some(&group_id),
                    format!(
                        "unbegrenzte Anzahl ({}:*): das Format braucht eine Obergrenze; {} gesetzt",
                        u.min,
                        super::groups::UNBOUNDED_REPEAT_MAX
                    ),
                )
                .at(Some(u.pos)),
            );
            super::groups::UNBOUNDED_REPEAT_MAX
        }
    };
    let group_path = path(ctx, &group_id);
    let inner = Ctx { repeat: Some(&group_path), depth: ctx.depth + 1, optional: false };
    let one = Use { min: 1, max: Some(1), pos: u.pos, element: u.element.clone() };
    let child = build(m, f, &one, inner, id)?;
    let mut group = Map::new();
    group.insert("kind".into(), json!("group"));
    group.insert("id".into(), json!(group_id));
    group.insert("label".into(), label(m, &name));
    group.insert("repeat".into(), json!({"min": if ctx.optional { 0 } else { u.min }, "max": max}));
    group.insert("itemLabel".into(), label(m, &name));
    group.insert("items".into(), json!([child]));
    group.insert("fim".into(), fim_json(&f.meta));
    Some(Value::Object(group))
}

fn single(m: &mut Mapper<'_>, f: &Field, u: &Use, ctx: Ctx<'_>) -> Option<Value> {
    let id = m.items.derive(&[&f.meta.name, f.meta.label.as_deref().unwrap_or_default()], "feld");
    build(m, f, u, ctx, id)
}

fn build(m: &mut Mapper<'_>, f: &Field, u: &Use, ctx: Ctx<'_>, id: String) -> Option<Value> {
    let here = path(ctx, &id);
    let name = display_name(&f.meta);
    m.element_hints(&f.meta, Some(&here));
    let mut item = Map::new();
    match f.feldart.as_str() {
        "label" => {
            let text = f.content.clone().or_else(|| f.meta.help.clone()).unwrap_or_else(|| name.clone());
            item.insert("kind".into(), json!("info"));
            item.insert("id".into(), json!(id));
            item.insert("text".into(), json!({"de": text}));
        }
        "locked" => {
            let text = match &f.content {
                Some(c) => format!("{name}: {c}"),
                None => name.clone(),
            };
            m.note(finding(FindingKind::Gap, f, Some(&here), format!("schreibgeschütztes Feld „{name}“ (feldart locked) als Hinweistext übernommen: das Format kennt keine schreibgeschützten Felder")));
            item.insert("kind".into(), json!("info"));
            item.insert("id".into(), json!(id));
            item.insert("text".into(), json!({"de": text}));
        }
        _ => {
            item.insert("kind".into(), json!("text"));
            item.insert("id".into(), json!(id));
            item.insert("label".into(), label(m, &name));
            if let Some(h) = &f.meta.help {
                item.insert("help".into(), json!({"de": h}));
            }
            if u.min >= 1 && !ctx.optional {
                item.insert("required".into(), json!(true));
            }
            if let Some(c) = &f.content {
                m.note(finding(
                    FindingKind::Gap,
                    f,
                    Some(&here),
                    format!("Vorbelegung „{c}“ nicht übernommen: das Format kennt keine Vorgabewerte"),
                ));
            }
            if let Some(p) = f.prefill.as_deref().filter(|p| *p == "optional" || *p == "verpflichtend") {
                m.note(finding(
                    FindingKind::Gap,
                    f,
                    Some(&here),
                    format!("Vorbefüllung durch die Behörde ({p}) nicht übernommen"),
                ));
            }
            let constraints = precision::read(&f.precision, m.xdf == crate::model::Xdf::V2);
            for n in &constraints.not_understood {
                m.note(
                    finding(
                        FindingKind::Precision,
                        f,
                        Some(&here),
                        format!("Präzisierung nicht verstanden und nicht übernommen: {n}"),
                    )
                    .at(f.precision.pos)
                    .raw(f.precision.text.clone().unwrap_or_default()),
                );
            }
            if f.feldart == "select" {
                lists::choice(m, f, &mut item, &here, &constraints);
                bounds::apply(m, f, &mut item, &here, ctx, &constraints);
            } else {
                input_kind(m, f, &mut item, &here, u);
                bounds::apply(m, f, &mut item, &here, ctx, &constraints);
            }
        }
    }
    m.placed(&f.meta, &here);
    rules::attach(m, &f.meta, &f.rules, &here);
    item.insert("fim".into(), fim_json(&f.meta));
    Some(Value::Object(item))
}

/// The kind of an input field by its datentyp.
fn input_kind(m: &mut Mapper<'_>, f: &Field, item: &mut Map<String, Value>, here: &str, u: &Use) {
    let kind = match f.datentyp.as_str() {
        "text" => "text",
        "text_latin" => {
            m.note(finding(
                FindingKind::Gap,
                f,
                Some(here),
                "Zeichensatz String.Latin (text_latin) wird nicht geprüft: das Format hat dafür keine Prüfung",
            ));
            "text"
        }
        "date" => "date",
        "time" => "time",
        "datetime" => "dateTime",
        "bool" => "boolean",
        "num" => "decimal",
        "num_int" => "integer",
        "num_currency" => "currency",
        "file" => {
            file(m, f, item, here, u);
            "attachment"
        }
        other => {
            m.note(
                finding(
                    FindingKind::UnknownDatatype,
                    f,
                    Some(here),
                    format!("unbekannter Datentyp '{other}': als Textfeld übernommen (nur Längen)"),
                )
                .at(Some(f.datentyp_pos)),
            );
            "text"
        }
    };
    item.insert("kind".into(), json!(kind));
}

/// An upload: size, media types, number of files.
fn file(m: &mut Mapper<'_>, f: &Field, item: &mut Map<String, Value>, here: &str, u: &Use) {
    if let Some((size, at)) = &f.max_size {
        match size.parse::<u64>() {
            Ok(bytes) if bytes > 0 => {
                item.insert("maxSizeKb".into(), json!(bytes.div_ceil(1024)));
            }
            _ => m.note(
                finding(
                    FindingKind::Precision,
                    f,
                    Some(here),
                    format!("maxSize '{size}' ist keine positive Byte-Zahl; nicht übernommen"),
                )
                .at(Some(*at)),
            ),
        }
    }
    let mut accept: Vec<String> = Vec::new();
    for (t, at) in &f.media_types {
        let lower = t.to_ascii_lowercase();
        if bounds::is_media_type(&lower) {
            if !accept.contains(&lower) {
                accept.push(lower);
            }
        } else {
            m.note(
                finding(
                    FindingKind::Precision,
                    f,
                    Some(here),
                    format!("Medientyp '{t}' hat nicht die Form typ/untertyp; nicht übernommen"),
                )
                .at(Some(*at)),
            );
        }
    }
    if !accept.is_empty() {
        item.insert("accept".into(), json!(accept));
    }
    let max_files = match u.max {
        Some(n) => n.max(1),
        None => {
            m.note(
                finding(
                    FindingKind::Gap,
                    f,
                    Some(here),
                    format!(
                        "beliebig viele Dateien ({}:*): das Format braucht eine Obergrenze; {UNBOUNDED_FILES} gesetzt",
                        u.min
                    ),
                )
                .at(Some(u.pos)),
            );
            UNBOUNDED_FILES
        }
    };
    if max_files > 1 {
        item.insert("maxFiles".into(), json!(max_files));
    }
}
