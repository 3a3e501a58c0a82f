//! The import report (design section 8): everything that was not translated, for the author to work
//! through, in German Markdown for people ([`Report`]'s `Display`) and as JSON for the web console
//! ([`Report::to_json`]). The import writes both beside `form.json`; the JSON travels with the form to the
//! portal, so it is a persisted format and carries [`REPORT_FORMAT_VERSION`].
//!
//! Non-goals: reading the JSON back (the console has its own reader, so it does not depend on the importer).

use crate::error::Position;
use serde::Serialize;
use std::fmt;

/// The version of the report's JSON (`formatVersion`, named as in `form.json`). Raise it when a reader of
/// version 1 would misread a report: a field removed, renamed or given another meaning, or a new
/// [`FindingKind`]. New optional fields keep it.
pub const REPORT_FORMAT_VERSION: u32 = 1;

/// A FIM id and version, with the element's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FimRef {
    /// `S…`, `G…`, `F…`, `R…`, or a code list's canonical URI.
    pub id: String,
    /// As written in the schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The element's `name` (a code list's title); `None` when the schema gives none. Not part of the
    /// printed reference ([`Display`](fmt::Display) shows id and version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl fmt::Display for FimRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.version {
            Some(v) => write!(f, "{} {v}", self.id),
            None => write!(f, "{}", self.id),
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Something the author has to add.
    Todo,
    /// A Regel, to be written as expressions.
    Rule,
    /// A code-list reference that was not resolved, or a list's peculiarities.
    CodeList,
    /// An unknown datentyp.
    UnknownDatatype,
    /// An unknown feldart.
    UnknownFieldKind,
    /// An element that was not imported.
    Dropped,
    /// A praezisierung that was not understood or not applied.
    Precision,
    /// A construct our format cannot express.
    Gap,
    /// Something the author should look at.
    Hint,
}

impl FindingKind {
    /// Every kind, in the order the report lists them.
    pub const ALL: [FindingKind; 9] = [
        FindingKind::Todo,
        FindingKind::Rule,
        FindingKind::CodeList,
        FindingKind::UnknownDatatype,
        FindingKind::UnknownFieldKind,
        FindingKind::Dropped,
        FindingKind::Precision,
        FindingKind::Gap,
        FindingKind::Hint,
    ];

    /// The German heading of this kind's section in the printed report ("Codelisten").
    pub fn heading(self) -> &'static str {
        match self {
            FindingKind::Todo => "Zu ergänzen",
            FindingKind::Rule => "Regeln (als Bedingungen zu formulieren)",
            FindingKind::CodeList => "Codelisten",
            FindingKind::UnknownDatatype => "Unbekannte Datentypen",
            FindingKind::UnknownFieldKind => "Unbekannte Feldarten",
            FindingKind::Dropped => "Nicht übernommen",
            FindingKind::Precision => "Präzisierungen",
            FindingKind::Gap => "Nicht im Formularformat darstellbar",
            FindingKind::Hint => "Hinweise",
        }
    }
}

/// An element a rule mentions, with where it is in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// The FIM id.
    pub id: String,
    /// Our item paths; empty when the element is not in this schema or was not imported.
    pub paths: Vec<String>,
    /// Whether the schema contains the element.
    pub in_schema: bool,
}

/// A v3 rule parameter or target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleArgument {
    /// The FIM id it names.
    pub element: Option<String>,
    /// Its name in the rule's script.
    pub name: Option<String>,
    /// v3 `param/typ`.
    pub kind: Option<String>,
    /// Our item paths of `element`.
    pub paths: Vec<String>,
    /// Whether the schema contains `element`.
    pub in_schema: bool,
}

/// A rule as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleFinding {
    /// `name`.
    pub name: String,
    /// The element it is attached to.
    pub element: FimRef,
    /// Our path of that element: `Formular` for the schema, empty when the element was not imported.
    pub attached_to: String,
    /// v3 `typ` in words.
    pub kind: Option<String>,
    /// The rule in prose.
    pub prose: Option<String>,
    /// `beschreibung`.
    pub description: Option<String>,
    /// The FIM ids the prose mentions.
    pub mentions: Vec<Mention>,
    /// v3 `param`.
    pub params: Vec<RuleArgument>,
    /// v3 `ziel`.
    pub targets: Vec<RuleArgument>,
    /// v3 `fehler` messages.
    pub errors: Vec<String>,
    /// `script`/`skript`, when it is more than an empty function.
    pub script: Option<String>,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What it is about.
    pub kind: FindingKind,
    /// The FIM element concerned.
    pub fim: Option<FimRef>,
    /// Our item path (`hund[].rasse`), if the element became an item.
    pub path: Option<String>,
    /// Where in the schema file.
    pub position: Option<Position>,
    /// What was found and what was done, in German.
    pub message: String,
    /// Text from the schema as it was (a praezisierung, a pattern).
    pub raw: Option<String>,
    /// For rules: their contents.
    pub rule: Option<RuleFinding>,
}

impl Finding {
    pub(crate) fn new(kind: FindingKind, message: impl Into<String>) -> Finding {
        Finding { kind, fim: None, path: None, position: None, message: message.into(), raw: None, rule: None }
    }

    pub(crate) fn fim(mut self, fim: Option<FimRef>) -> Finding {
        self.fim = fim;
        self
    }

    pub(crate) fn path(mut self, path: Option<&str>) -> Finding {
        self.path = path.map(str::to_owned);
        self
    }

    pub(crate) fn at(mut self, position: Option<Position>) -> Finding {
        self.position = position;
        self
    }

    pub(crate) fn raw(mut self, raw: impl Into<String>) -> Finding {
        self.raw = Some(raw.into());
        self
    }
}

/// The import report: what was imported from where, and every finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The schema file, as given.
    pub source: String,
    /// `2.0` or `3.0.0`.
    pub xdf: String,
    /// The Stammdatenschema's id and version.
    pub schema: FimRef,
    /// Its `name`.
    pub schema_name: String,
    /// Its title.
    pub title: String,
    /// The form's id and version.
    pub form_id: String,
    /// The form's version.
    pub form_version: String,
    /// `nachrichtID`.
    pub message_id: Option<String>,
    /// `erstellungszeitpunkt`.
    pub created: Option<String>,
    /// v2 `status` / v3 `freigabestatus`.
    pub status: Option<String>,
    /// `ableitungsmodifikationenStruktur`.
    pub structure_modification: Option<String>,
    /// `ableitungsmodifikationenRepraesentation`.
    pub presentation_modification: Option<String>,
    /// v3 `dokumentsteckbrief`.
    pub document_profile: Option<String>,
    /// Every finding, in document order within each kind.
    pub entries: Vec<Finding>,
}

impl Report {
    /// The report as JSON, for the web console: the fields of [`Report`] as they are named here, with
    /// `"formatVersion"` ([`REPORT_FORMAT_VERSION`]) first. Each entry has `kind` (`"code_list"`), `fim`
    /// (`id`, `version`, `name`), `path`, `position`, `message` (German), `raw` and `rule`; absent values are
    /// `null`, except the optional parts of `fim`, which are left out.
    pub fn to_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        out.insert("formatVersion".into(), REPORT_FORMAT_VERSION.into());
        if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(self) {
            out.extend(fields);
        }
        serde_json::Value::Object(out)
    }

    /// [`Report::to_json`] as written to `import-report.json`: pretty, with a final newline.
    pub fn to_json_string(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The findings of one kind.
    pub fn of(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> {
        self.entries.iter().filter(move |f| f.kind == kind)
    }
}

fn structure_words(code: &str) -> &'static str {
    match code {
        "0" => "Struktur beliebig änderbar",
        "1" => "Struktur nur einschränkbar",
        "2" => "Struktur nur erweiterbar",
        "3" => "Struktur nicht änderbar: keine Elemente hinzufügen oder entfernen",
        _ => "unbekannter Code",
    }
}

fn where_(f: &Finding) -> String {
    let mut parts = Vec::new();
    if let Some(fim) = &f.fim {
        parts.push(fim.to_string());
    }
    if let Some(p) = &f.path {
        parts.push(format!("`{p}`"));
    }
    if let Some(pos) = f.position {
        parts.push(format!("Zeile {}, Spalte {}", pos.line, pos.column));
    }
    parts.join(", ")
}

fn paths_or_missing(paths: &[String], in_schema: bool) -> String {
    if paths.is_empty() && in_schema {
        "im Schema, aber nicht übernommen".to_owned()
    } else if paths.is_empty() {
        "nicht in diesem Schema".to_owned()
    } else {
        paths.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
    }
}

fn write_rule(f: &mut fmt::Formatter<'_>, finding: &Finding, r: &RuleFinding) -> fmt::Result {
    let id = finding.fim.as_ref().map(ToString::to_string).unwrap_or_default();
    writeln!(f, "### {id}: {}", if r.name.is_empty() { "(ohne Namen)" } else { &r.name })?;
    writeln!(f)?;
    let at = finding.position.map(|p| format!(" (Zeile {}, Spalte {})", p.line, p.column)).unwrap_or_default();
    let attached = match r.attached_to.as_str() {
        "Formular" => format!("das Formular ({})", r.element),
        "" => format!("{} (nicht übernommen)", r.element),
        path => format!("`{path}` ({})", r.element),
    };
    writeln!(f, "- Angehängt an: {attached}{at}")?;
    if let Some(k) = &r.kind {
        writeln!(f, "- Art: {k}")?;
    }
    match &r.prose {
        Some(p) => writeln!(f, "- Regel: {p}")?,
        None => writeln!(f, "- Regel: (kein Text)")?,
    }
    if let Some(d) = &r.description {
        writeln!(f, "- Beschreibung: {d}")?;
    }
    for m in &r.mentions {
        writeln!(f, "- {} → {}", m.id, paths_or_missing(&m.paths, m.in_schema))?;
    }
    for (label, args) in [("Parameter", &r.params), ("Ziel", &r.targets)] {
        for a in args {
            let name = a.name.as_deref().map(|n| format!(" „{n}“")).unwrap_or_default();
            let kind = a.kind.as_deref().map(|k| format!(" ({k})")).unwrap_or_default();
            let element = a.element.as_deref().unwrap_or("(ohne Element)");
            writeln!(f, "- {label}{name}{kind}: {element} → {}", paths_or_missing(&a.paths, a.in_schema))?;
        }
    }
    for e in &r.errors {
        writeln!(f, "- Fehlermeldung: {e}")?;
    }
    if let Some(s) = &r.script {
        writeln!(f, "- Skript:")?;
        writeln!(f)?;
        writeln!(f, "  ```")?;
        for line in s.lines() {
            writeln!(f, "  {line}")?;
        }
        writeln!(f, "  ```")?;
    }
    writeln!(f)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "# Importbericht: {}", self.title)?;
        writeln!(f)?;
        writeln!(
            f,
            "Dieser Entwurf wurde aus einem FIM-Stammdatenschema erzeugt. Bitte gehen Sie die Punkte unten durch,"
        )?;
        writeln!(f, "bevor Sie das Formular veröffentlichen; die Version des Entwurfs bleibt bis dahin unverändert.")?;
        writeln!(f)?;
        writeln!(f, "- Quelle: {} (XDatenfelder {})", self.source, self.xdf)?;
        writeln!(f, "- Stammdatenschema: {} „{}“", self.schema, self.schema_name)?;
        writeln!(f, "- Formular: `{}`, Version {}", self.form_id, self.form_version)?;
        if let Some(m) = &self.message_id {
            let created = self.created.as_deref().map(|c| format!(" vom {c}")).unwrap_or_default();
            writeln!(f, "- Nachricht: {m}{created}")?;
        }
        if let Some(s) = &self.status {
            writeln!(f, "- Status: {s}")?;
        }
        if let Some(s) = &self.structure_modification {
            writeln!(f, "- Ableitungsmodifikation Struktur: {s} ({})", structure_words(s))?;
        }
        if let Some(s) = &self.presentation_modification {
            let words = if s == "1" { "Darstellung änderbar" } else { "Darstellung nicht änderbar" };
            writeln!(f, "- Ableitungsmodifikation Repräsentation: {s} ({words})")?;
        }
        if let Some(d) = &self.document_profile {
            writeln!(f, "- Dokumentsteckbrief: {d}")?;
        }
        writeln!(f)?;
        let mut kinds: Vec<FindingKind> = self.entries.iter().map(|e| e.kind).collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            writeln!(f, "## {}", kind.heading())?;
            writeln!(f)?;
            for e in self.of(kind) {
                if let Some(rule) = &e.rule {
                    write_rule(f, e, rule)?;
                    continue;
                }
                let place = where_(e);
                if place.is_empty() {
                    writeln!(f, "- {}", e.message)?;
                } else {
                    writeln!(f, "- {} ({place})", e.message)?;
                }
                if let Some(raw) = &e.raw {
                    writeln!(f, "  - Im Schema: `{}`", raw.replace('`', "'"))?;
                }
            }
            if kind != FindingKind::Rule {
                writeln!(f)?;
            }
        }
        Ok(())
    }
}
