//! From the schema model to a form definition (design section 4): the form level and the steps here,
//! groups, fields, bounds, code lists and rules in their own modules. Whatever is not translated becomes
//! a finding of the report.

mod bounds;
mod fields;
mod groups;
mod lists;
mod rules;

use crate::error::{Position, Problems};
use crate::genericode::{CodeListSource, Columns};
use crate::ids::{self, Ids};
use crate::model::{Element, Meta, Schema, Use, Xdf};
use crate::report::{FimRef, Finding, FindingKind};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub use groups::{Nesting, nesting};

/// Where an item is placed while mapping.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The path of the enclosing repeat group (`hund`, `haushalt[].einkommen`).
    pub repeat: Option<&'a str>,
    /// How many repeat groups enclose the children.
    pub depth: usize,
    /// Children are never `required` (an optional group that could not become a repeat group, an
    /// Auswahlgruppe).
    pub optional: bool,
}

/// The state of one mapping.
pub struct Mapper<'s> {
    pub xdf: Xdf,
    pub lists: &'s CodeListSource,
    pub items: Ids,
    pub steps: Ids,
    pub list_ids: Ids,
    pub findings: Vec<Finding>,
    pub code_lists: Map<String, Value>,
    /// Converted lists by (source list, columns), so a list used by several fields is written once.
    pub list_cache: HashMap<(usize, Columns), String>,
    /// Our paths of each FIM id.
    pub paths: HashMap<String, Vec<String>>,
    /// Paths whose English text is a copy of the German.
    pub english_copies: usize,
    /// Refusals found while mapping (a column key naming nothing, duplicate codes).
    pub problems: Problems,
    /// Rules with our path of the element they are attached to, reported once every path is known.
    pub pending_rules: Vec<(crate::model::Rule, String, FimRef)>,
    /// Every FIM id in the schema, imported or not.
    pub all_ids: std::collections::HashSet<String>,
}

/// The result of mapping: the definition without `$schema` and the findings.
pub struct Mapped {
    pub form: Value,
    pub form_id: String,
    pub version: String,
    pub findings: Vec<Finding>,
}

/// A text in German with the German copied into English (FIM has no English texts).
pub fn label(m: &mut Mapper<'_>, de: &str) -> Value {
    m.english_copies += 1;
    json!({"de": de, "en": de})
}

/// A FIM reference of an element.
pub fn fim_ref(meta: &Meta) -> FimRef {
    FimRef { id: meta.id.clone(), version: meta.version.clone(), name: non_empty(&meta.name) }
}

/// `Some` of a text that is not blank.
pub fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The `fim` property of an item or step.
pub fn fim_json(meta: &Meta) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(meta.id));
    if let Some(v) = &meta.version {
        o.insert("version".into(), json!(v));
    }
    Value::Object(o)
}

/// The path of an item with `id` in `ctx`.
pub fn path(ctx: Ctx<'_>, id: &str) -> String {
    match ctx.repeat {
        Some(r) => format!("{r}[].{id}"),
        None => id.to_owned(),
    }
}

impl Mapper<'_> {
    pub fn note(&mut self, f: Finding) {
        self.findings.push(f);
    }

    /// Records where a FIM element ended up.
    pub fn placed(&mut self, meta: &Meta, path: &str) {
        self.paths.entry(meta.id.clone()).or_default().push(path.to_owned());
    }

    /// Hints every group and field gets: abstract elements, status not released, inner versions.
    pub fn element_hints(&mut self, meta: &Meta, path: Option<&str>) {
        if meta.element_kind.as_deref() == Some("ABS") {
            self.note(
                Finding::new(FindingKind::Hint, "abstraktes Element (schemaelementart ABS) verwendet; in einem freigegebenen Schema sollte es nicht vorkommen")
                    .fim(Some(fim_ref(meta)))
                    .path(path)
                    .at(Some(meta.pos)),
            );
        }
        if let Some(v) = &meta.version
            && !ids::is_version(v, if self.xdf == Xdf::V2 { 2 } else { 3 })
        {
            self.note(
                Finding::new(
                    FindingKind::Hint,
                    format!("die Version '{v}' passt nicht zum Versionsmuster von XDatenfelder {}", self.xdf.label()),
                )
                .fim(Some(fim_ref(meta)))
                .path(path)
                .at(Some(meta.pos)),
            );
        }
        self.status_hint(meta, path);
    }

    fn status_hint(&mut self, meta: &Meta, path: Option<&str>) {
        let Some(status) = &meta.status else { return };
        let released = match self.xdf {
            Xdf::V2 => status == "aktiv",
            Xdf::V3 => status.parse::<u32>().is_ok_and(|s| s >= 5),
        };
        if !released {
            self.note(
                Finding::new(FindingKind::Hint, format!("Status '{status}': das Element ist nicht freigegeben"))
                    .fim(Some(fim_ref(meta)))
                    .path(path)
                    .at(Some(meta.pos)),
            );
        }
    }
}

/// The form id: the one given, else the schema's name as a slug.
fn form_id(schema: &Schema, given: Option<&str>) -> String {
    if let Some(id) = given {
        return id.to_owned();
    }
    let slug = [schema.meta.name.as_str(), schema.meta.label.as_deref().unwrap_or_default(), schema.meta.id.as_str()]
        .iter()
        .map(|n| ids::slug(n, '-'))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "formular".into());
    if slug.starts_with(|c: char| c.is_ascii_digit()) { format!("f-{slug}") } else { slug }
}

/// Maps the schema; refusals found on the way are returned as problems.
pub fn map(
    schema: &Schema,
    file: &str,
    lists: &CodeListSource,
    id: Option<&str>,
    destination: Option<&str>,
) -> Result<Mapped, crate::ImportError> {
    let mut m = Mapper {
        xdf: schema.xdf,
        lists,
        items: Ids::items(),
        steps: Ids::items(),
        list_ids: Ids::lists(),
        findings: Vec::new(),
        code_lists: Map::new(),
        list_cache: HashMap::new(),
        paths: HashMap::new(),
        english_copies: 0,
        problems: Problems::new(file),
        pending_rules: Vec::new(),
        all_ids: std::collections::HashSet::new(),
    };
    m.all_ids.insert(schema.meta.id.clone());
    collect_ids(&schema.children, &mut m.all_ids);
    let form_id = form_id(schema, id);
    m.paths.insert(schema.meta.id.clone(), vec!["Formular".into()]);
    let version = match &schema.meta.version {
        Some(v) => ids::semver(v).unwrap_or_else(|| "1.0.0".into()),
        None => {
            m.note(
                Finding::new(
                    FindingKind::Hint,
                    "das Stammdatenschema hat keine Version; der Entwurf beginnt mit 1.0.0",
                )
                .fim(Some(fim_ref(&schema.meta)))
                .at(Some(schema.meta.pos)),
            );
            "1.0.0".into()
        }
    };
    let title = schema.meta.label.clone().unwrap_or_else(|| schema.meta.name.clone());
    let steps = steps(&mut m, schema, &title);
    if steps.is_empty() {
        m.problems.push(
            Some(schema.meta.pos),
            "kein Element des Schemas ließ sich übernehmen (siehe die Gründe unten); ein Formular braucht mindestens einen Schritt",
        );
        for f in m.findings.iter().filter(|f| f.kind == FindingKind::Dropped || f.kind == FindingKind::UnknownFieldKind)
        {
            m.problems.push(f.position, f.message.clone());
        }
    }

    let mut form = Map::new();
    form.insert("formatVersion".into(), json!(1));
    form.insert("id".into(), json!(form_id));
    form.insert("version".into(), json!(version));
    form.insert("title".into(), label(&mut m, &title));
    if let Some(h) = &schema.meta.help {
        form.insert("description".into(), json!({"de": h}));
    }
    form.insert("destination".into(), json!(destination.unwrap_or(crate::PLACEHOLDER_DESTINATION)));
    let legal: Vec<Value> = schema
        .references
        .iter()
        .map(|r| {
            if let Some(link) = &r.link {
                m.note(
                    Finding::new(
                        FindingKind::Hint,
                        format!(
                            "die Rechtsgrundlage „{}“ hat einen Verweis {link}; das Formular hat dafür kein Feld",
                            r.text
                        ),
                    )
                    .at(Some(r.pos)),
                );
            }
            json!({"title": label(&mut m, &r.text)})
        })
        .collect();
    if !legal.is_empty() {
        form.insert("legalBasis".into(), Value::Array(legal));
    }
    form.insert("languages".into(), json!(["de", "en"]));
    if !m.code_lists.is_empty() {
        form.insert("codeLists".into(), Value::Object(std::mem::take(&mut m.code_lists)));
    }
    form.insert("steps".into(), Value::Array(steps));
    form.insert("fim".into(), json!({"id": schema.meta.id, "version": schema.meta.version, "xdf": schema.xdf.label()}));
    if schema.meta.version.is_none()
        && let Some(Value::Object(f)) = form.get_mut("fim")
    {
        f.remove("version");
    }

    rules::report_rules(&mut m, schema);
    todos(&mut m, schema, destination.is_none());
    std::mem::replace(&mut m.problems, Problems::new(file)).into_result()?;
    Ok(Mapped { form: Value::Object(form), form_id, version, findings: m.findings })
}

/// Steps from the top level (design section 4.2).
fn steps(m: &mut Mapper<'_>, schema: &Schema, title: &str) -> Vec<Value> {
    let mut steps = Vec::new();
    let mut loose: Vec<Value> = Vec::new();
    let top = Ctx { repeat: None, depth: 0, optional: false };
    let flush = |m: &mut Mapper<'_>, loose: &mut Vec<Value>, steps: &mut Vec<Value>| {
        if loose.is_empty() {
            return;
        }
        let id = m.steps.derive(&[&schema.meta.name, title], "angaben");
        steps.push(json!({
            "id": id,
            "title": label(m, title),
            "items": std::mem::take(loose),
        }));
    };
    for u in &schema.children {
        match &u.element {
            Element::Field(_) => loose.extend(groups::map_use(m, u, top)),
            Element::Group(g) => {
                flush(m, &mut loose, &mut steps);
                if u.max == Some(0) {
                    groups::dropped(m, &u.element, u.pos, "Anzahl 0:0");
                    continue;
                }
                let wraps = u.max != Some(1);
                let items = if wraps {
                    groups::map_use(m, u, top)
                } else {
                    if u.min == 0 {
                        m.note(
                            Finding::new(FindingKind::Hint, "Gruppe optional (0:1): Pflicht der Unterelemente gilt nur, wenn die Gruppe ausgefüllt wird; mit relevant/required-Ausdrücken nachbilden")
                                .fim(Some(fim_ref(&g.meta)))
                                .at(Some(u.pos)),
                        );
                    }
                    if g.art.as_deref() == Some("X") {
                        groups::choice_hint(m, g, None);
                    }
                    m.element_hints(&g.meta, None);
                    let ctx = Ctx { repeat: None, depth: 0, optional: g.art.as_deref() == Some("X") };
                    g.children.iter().flat_map(|c| groups::map_use(m, c, ctx)).collect()
                };
                if items.is_empty() {
                    m.note(
                        Finding::new(
                            FindingKind::Dropped,
                            "die Gruppe ergibt keinen Schritt: keines ihrer Elemente wurde übernommen",
                        )
                        .fim(Some(fim_ref(&g.meta)))
                        .at(Some(u.pos)),
                    );
                    if !wraps {
                        rules::attach(m, &g.meta, &g.rules, "");
                    }
                    continue;
                }
                let name = g.meta.name.as_str();
                let label_de = g
                    .meta
                    .label
                    .clone()
                    .unwrap_or_else(|| if name.is_empty() { g.meta.id.clone() } else { name.to_owned() });
                let id = if wraps {
                    let base = format!("{}_schritt", ids::slug(if name.is_empty() { &label_de } else { name }, '_'));
                    let base = if base.starts_with(|c: char| !c.is_ascii_lowercase()) {
                        format!("schritt_{}", base.trim_start_matches('_'))
                    } else {
                        base
                    };
                    m.steps.claim(&base)
                } else {
                    m.steps.derive(&[name, &label_de], "schritt")
                };
                let mut step = Map::new();
                step.insert("id".into(), json!(id));
                step.insert("title".into(), label(m, &label_de));
                if !wraps && let Some(h) = &g.meta.help {
                    step.insert("description".into(), json!({"de": h}));
                }
                step.insert("items".into(), Value::Array(items));
                step.insert("fim".into(), fim_json(&g.meta));
                if !wraps {
                    m.placed(&g.meta, &id);
                    rules::attach(m, &g.meta, &g.rules, &id);
                }
                steps.push(Value::Object(step));
            }
        }
    }
    flush(m, &mut loose, &mut steps);
    steps
}

/// What a Stammdatenschema cannot give and the author must add.
fn todos(m: &mut Mapper<'_>, schema: &Schema, no_destination: bool) {
    if no_destination {
        m.note(Finding::new(
            FindingKind::Todo,
            format!(
                "'destination': die empfangende Stelle eintragen (der Entwurf enthält den Platzhalter '{}')",
                crate::PLACEHOLDER_DESTINATION
            ),
        ));
    }
    for (prop, what) in [
        ("keywords", "Suchwörter, wie Bürgerinnen und Bürger die Leistung nennen"),
        ("leikaKey", "den LeiKa-Schlüssel der Leistung"),
        ("fees", "die Gebühren"),
        ("receiptPrefix", "das Kürzel der Eingangsbestätigungen"),
        ("nextSteps", "was nach dem Antrag geschieht (steht auf der Eingangsbestätigung)"),
        ("summary", "die Felder, deren Antworten einen Vorgang in der Arbeitsliste benennen"),
    ] {
        m.note(Finding::new(FindingKind::Todo, format!("'{prop}': {what}")));
    }
    m.note(Finding::new(
        FindingKind::Todo,
        "'sensitive': Bank-, Steuer- und Gesundheitsdaten als sensibel markieren; FIM kennt diese Angabe nicht",
    ));
    if m.english_copies > 0 {
        m.note(Finding::new(
            FindingKind::Todo,
            format!(
                "'en': {} englische Texte (Titel, Beschriftungen, Listeneinträge) sind Kopien des deutschen Textes, keine Übersetzungen",
                m.english_copies
            ),
        ));
    }
    if schema.structure_mod.as_deref() == Some("3") {
        m.note(Finding::new(
            FindingKind::Hint,
            "Ableitungsmodifikation Struktur 3: Elemente dürfen weder hinzugefügt noch entfernt werden",
        ));
    }
    if schema.header.quality.as_deref() == Some("TEST") {
        m.note(Finding::new(FindingKind::Hint, "die Nachricht ist als Testdaten gekennzeichnet (datenqualitaet TEST)"));
    }
    let pos: Option<Position> = Some(schema.meta.pos);
    if let Some(status) = &schema.meta.status {
        let released = match schema.xdf {
            Xdf::V2 => status == "aktiv",
            Xdf::V3 => status.parse::<u32>().is_ok_and(|s| s >= 5),
        };
        if !released {
            m.note(
                Finding::new(
                    FindingKind::Hint,
                    format!("das Stammdatenschema hat den Status '{status}' und ist nicht freigegeben"),
                )
                .fim(Some(fim_ref(&schema.meta)))
                .at(pos),
            );
        }
    }
}

fn collect_ids(uses: &[Use], into: &mut std::collections::HashSet<String>) {
    for u in uses {
        into.insert(u.element.meta().id.clone());
        if let Element::Group(g) = &u.element {
            collect_ids(&g.children, into);
        }
    }
}

/// Whether a struktur is used more than once (`max` > 1 or `*`).
pub fn repeats(u: &Use) -> bool {
    u.max != Some(0) && u.max != Some(1)
}
