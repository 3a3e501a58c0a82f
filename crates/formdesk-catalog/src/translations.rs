//! Translation files: the texts of a form or a shared code list in one more language, as XLIFF 2.0.
//!
//! A form's definition holds its German texts (and its English ones, which the engine requires). Every other
//! language lives beside it in `<form>/translations/<lang>.xlf`, and a shared code list's in
//! `codelists/translations/<list>.<lang>.xlf`: the files translators work in, with the German source of each
//! text, the text's place in the form as context, and the state of each translation (`initial`, `translated`,
//! `reviewed`, `final`; a machine-made one is `translated` with `subState="formdesk:machine"` until a person
//! reviews it). Reading a forms folder merges them into the definitions ([`merge`]): a translation counts only
//! while its source is still the German text of its unit; once the German changed, it is *stale* and left out
//! until it is translated again. So what a desk receives, signed, is one definition with every language in it.
//!
//! [`export`] writes a translation file for a form and the shared code lists it uses (several `<file>`
//! elements in one document); [`import`] checks one and stores its parts where they belong, refusing a file
//! made for another version of the form. Format and workflow: `docs/translations.md`.

use crate::{CODELISTS_DIR, DEFINITION_FILE, FileError};
use formdesk_engine::texts::{self, Unit};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The folder of a form's translation files, and of the shared code lists'.
pub const TRANSLATIONS_DIR: &str = "translations";
/// The file name extension of translation files.
pub const EXTENSION: &str = "xlf";
const XLIFF_NS: &str = "urn:oasis:names:tc:xliff:document:2.0";
const MDA_NS: &str = "urn:oasis:names:tc:xliff:metadata:2.0";
/// The `subState` of a translation made by machine and not yet reviewed.
pub const MACHINE: &str = "formdesk:machine";

/// How far a translation has come (XLIFF 2.0 segment states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Not translated yet, or stale: not used.
    Initial,
    /// Translated, not reviewed.
    Translated,
    /// Reviewed.
    Reviewed,
    /// Signed off.
    Final,
}

impl State {
    fn parse(s: &str) -> Option<State> {
        Some(match s {
            "initial" => State::Initial,
            "translated" => State::Translated,
            "reviewed" => State::Reviewed,
            "final" => State::Final,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            State::Initial => "initial",
            State::Translated => "translated",
            State::Reviewed => "reviewed",
            State::Final => "final",
        }
    }
}

/// What a translation file translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A form's definition.
    Form,
    /// A shared code list.
    CodeList,
}

/// One translated text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslationUnit {
    /// The text's id in its definition ([`formdesk_engine::texts::units`]).
    pub id: String,
    /// Where the text is, for the translator.
    pub context: String,
    /// The German text it was translated from.
    pub source: String,
    /// The translation; empty while there is none.
    pub target: String,
    /// Its state.
    pub state: State,
    /// Made by machine and not reviewed.
    pub machine: bool,
    /// For a stale unit in an export: the German text the old translation was made from.
    pub previous_source: Option<String>,
}

impl TranslationUnit {
    /// Whether the translation is used when `german` is the unit's text now.
    fn usable(&self, german: &str) -> bool {
        self.state != State::Initial && !self.target.is_empty() && self.source == german
    }
}

/// The translations of one form or code list into one language: one `<file>` of an XLIFF document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    /// Form or code list.
    pub kind: Kind,
    /// The form's or the list's id.
    pub id: String,
    /// The version of the definition the sources were taken from.
    pub version: String,
    /// The units, in the definition's order.
    pub units: Vec<TranslationUnit>,
}

/// An XLIFF document: translations into one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslationFile {
    /// The target language tag (`uk`, `ar`, `de-x-ls`).
    pub lang: String,
    /// Its parts.
    pub parts: Vec<Translation>,
}

/// A translation file that cannot be read or does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TranslationError(pub String);

fn err(message: impl Into<String>) -> TranslationError {
    TranslationError(message.into())
}

/// Whether `tag` is a language tag a translation may have: letters, digits and hyphens, not German itself.
pub fn valid_language(tag: &str) -> bool {
    !tag.is_empty()
        && tag != "de"
        && tag.len() <= 35
        && tag.split('-').all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()))
        && tag.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

/// The first child element of `node` named `name`.
fn child<'a, 'input>(node: roxmltree::Node<'a, 'input>, name: &str) -> Option<roxmltree::Node<'a, 'input>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn nmtoken(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Form => "form",
            Kind::CodeList => "codelist",
        }
    }

    /// The definition's path inside a forms folder.
    fn original(self, id: &str) -> String {
        match self {
            Kind::Form => format!("{id}/{DEFINITION_FILE}"),
            Kind::CodeList => format!("{CODELISTS_DIR}/{id}.json"),
        }
    }
}

impl TranslationFile {
    /// The XLIFF 2.0 text.
    pub fn to_xliff(&self) -> String {
        let mut x = String::new();
        let lang = escape(&self.lang);
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            x,
            "<xliff xmlns=\"{XLIFF_NS}\" xmlns:mda=\"{MDA_NS}\" version=\"2.0\" srcLang=\"de\" trgLang=\"{lang}\">"
        );
        for part in &self.parts {
            let id = escape(&part.id);
            let _ = writeln!(
                x,
                "  <file id=\"{}.{id}\" original=\"{}\">",
                part.kind.name(),
                escape(&part.kind.original(&part.id))
            );
            x.push_str("    <mda:metadata>\n      <mda:metaGroup category=\"formdesk\">\n");
            let _ = writeln!(x, "        <mda:meta type=\"kind\">{}</mda:meta>", part.kind.name());
            let _ = writeln!(x, "        <mda:meta type=\"id\">{id}</mda:meta>");
            let _ = writeln!(x, "        <mda:meta type=\"version\">{}</mda:meta>", escape(&part.version));
            x.push_str("      </mda:metaGroup>\n    </mda:metadata>\n");
            for (n, unit) in part.units.iter().enumerate() {
                let xml_id = if nmtoken(&unit.id) { unit.id.clone() } else { format!("u{n}") };
                let _ = writeln!(x, "    <unit id=\"{}\" name=\"{}\">", escape(&xml_id), escape(&unit.id));
                if !unit.context.is_empty() || unit.previous_source.is_some() {
                    x.push_str("      <notes>\n");
                    if !unit.context.is_empty() {
                        let _ = writeln!(x, "        <note category=\"context\">{}</note>", escape(&unit.context));
                    }
                    if let Some(previous) = &unit.previous_source {
                        let _ = writeln!(
                            x,
                            "        <note category=\"stale\">Der deutsche Text hat sich geändert. Die Übersetzung \
                             war gemacht für: {}</note>",
                            escape(previous)
                        );
                    }
                    x.push_str("      </notes>\n");
                }
                let sub = if unit.machine { format!(" subState=\"{MACHINE}\"") } else { String::new() };
                let _ = writeln!(x, "      <segment state=\"{}\"{sub}>", unit.state.name());
                let _ = writeln!(x, "        <source>{}</source>", escape(&unit.source));
                if !unit.target.is_empty() {
                    let _ = writeln!(x, "        <target>{}</target>", escape(&unit.target));
                }
                x.push_str("      </segment>\n    </unit>\n");
            }
            x.push_str("  </file>\n");
        }
        x.push_str("</xliff>\n");
        x
    }

    /// Reads an XLIFF 2.0 document written by [`TranslationFile::to_xliff`] or by a translator's tool from it.
    pub fn from_xliff(text: &str) -> Result<TranslationFile, TranslationError> {
        let doc = roxmltree::Document::parse(text).map_err(|e| err(format!("kein lesbares XML: {e}")))?;
        let root = doc.root_element();
        if root.tag_name().name() != "xliff" || root.tag_name().namespace() != Some(XLIFF_NS) {
            return Err(err("keine XLIFF-2.0-Datei (das Wurzelelement ist nicht <xliff> im Namensraum von XLIFF 2.0)"));
        }
        if !root.attribute("version").is_some_and(|v| v.starts_with("2.")) {
            return Err(err(format!(
                "XLIFF-Version {} wird nicht gelesen, nur 2.0",
                root.attribute("version").unwrap_or("?")
            )));
        }
        if root.attribute("srcLang") != Some("de") {
            return Err(err(format!(
                "die Ausgangssprache muss Deutsch sein (srcLang=\"de\"), die Datei hat „{}“",
                root.attribute("srcLang").unwrap_or("")
            )));
        }
        let lang = root.attribute("trgLang").unwrap_or("").to_owned();
        if !valid_language(&lang) {
            return Err(err(format!("„{lang}“ ist keine Zielsprache (trgLang), z. B. uk, ar oder de-x-ls")));
        }

        let mut parts = Vec::new();
        for file in root.children().filter(|c| c.is_element() && c.tag_name().name() == "file") {
            let file_id = file.attribute("id").unwrap_or("?");
            let mut meta = BTreeMap::new();
            for m in
                file.descendants().filter(|n| n.tag_name().name() == "meta" && n.tag_name().namespace() == Some(MDA_NS))
            {
                meta.insert(m.attribute("type").unwrap_or(""), m.text().unwrap_or("").trim().to_owned());
            }
            let kind = match meta.get("kind").map(String::as_str) {
                Some("form") => Kind::Form,
                Some("codelist") => Kind::CodeList,
                _ => {
                    return Err(err(format!(
                        "<file id=\"{file_id}\">: es fehlt, welches Formular übersetzt ist (mda:meta type=\"kind\")"
                    )));
                }
            };
            let (Some(id), Some(version)) = (meta.get("id"), meta.get("version")) else {
                return Err(err(format!(
                    "<file id=\"{file_id}\">: Formular-ID oder Version fehlen (mda:meta type=\"id\", \"version\")"
                )));
            };
            let mut units = Vec::new();
            for unit in file.descendants().filter(|n| n.is_element() && n.tag_name().name() == "unit") {
                let uid = unit.attribute("name").or(unit.attribute("id")).unwrap_or("").to_owned();
                let Some(segment) = child(unit, "segment") else {
                    return Err(err(format!("Text „{uid}“: kein <segment>")));
                };
                let state = match segment.attribute("state") {
                    None => State::Initial,
                    Some(s) => {
                        State::parse(s).ok_or_else(|| err(format!("Text „{uid}“: unbekannter Zustand „{s}“")))?
                    }
                };
                let text_of = |name: &str| {
                    child(segment, name)
                        .map(|n| n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect::<String>())
                };
                let source = text_of("source").ok_or_else(|| err(format!("Text „{uid}“: kein <source>")))?;
                let target = text_of("target").unwrap_or_default();
                let context = child(unit, "notes")
                    .and_then(|notes| notes.children().find(|n| n.attribute("category") == Some("context")))
                    .and_then(|n| n.text())
                    .unwrap_or("")
                    .to_owned();
                units.push(TranslationUnit {
                    id: uid,
                    context,
                    source,
                    target,
                    state,
                    machine: segment.attribute("subState") == Some(MACHINE),
                    previous_source: None,
                });
            }
            parts.push(Translation { kind, id: id.clone(), version: version.clone(), units });
        }
        if parts.is_empty() {
            return Err(err("die Datei enthält keine Übersetzung (<file>)"));
        }
        Ok(TranslationFile { lang, parts })
    }
}

/// What merging one language into a definition found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LanguageStatus {
    /// Texts whose translation was merged.
    pub used: usize,
    /// Of those, the ones not reviewed yet (state `translated`).
    pub unreviewed: usize,
    /// Of those, the ones made by machine.
    pub machine: usize,
    /// Texts whose German changed since they were translated.
    pub stale: Vec<String>,
    /// Units of the file that the definition does not have (any more).
    pub unknown: Vec<String>,
}

/// Merges translations into a definition's JSON: each usable unit's target becomes the text's entry for the
/// language, and a form's `languages` gains the language. Returns the status per language.
pub fn merge_into(document: &mut Value, parts: &[(&str, &Translation)]) -> BTreeMap<String, LanguageStatus> {
    let mut report: BTreeMap<String, LanguageStatus> = BTreeMap::new();
    let mut added = BTreeSet::new();
    for (lang, part) in parts {
        let status = report.entry((*lang).to_owned()).or_default();
        let by_id: BTreeMap<&str, &TranslationUnit> = part.units.iter().map(|u| (u.id.as_str(), u)).collect();
        let mut known = BTreeSet::new();
        texts::for_each_text_mut(document, &mut |id, text| {
            known.insert(id.to_owned());
            let Some(unit) = by_id.get(id) else { return };
            let german = text.get("de").and_then(Value::as_str).unwrap_or("");
            if unit.usable(german) {
                text.insert((*lang).to_owned(), Value::String(unit.target.clone()));
                status.used += 1;
                status.unreviewed += usize::from(unit.state == State::Translated);
                status.machine += usize::from(unit.machine && unit.state == State::Translated);
            } else if unit.state != State::Initial && !unit.target.is_empty() {
                status.stale.push(id.to_owned());
            }
        });
        if status.used > 0 {
            added.insert((*lang).to_owned());
        }
        status.unknown.extend(part.units.iter().filter(|u| !known.contains(&u.id)).map(|u| u.id.clone()));
    }
    if let Some(Value::Array(languages)) = document.get_mut("languages") {
        for lang in added {
            if !languages.iter().any(|l| l.as_str() == Some(&lang)) {
                languages.push(Value::String(lang));
            }
        }
    }
    report
}

/// The translation files of a definition, read and checked: `(file, language, translation)`.
type Parts = Vec<(PathBuf, String, Translation)>;

/// Reads translation files given as `(file, text)` for the definition `kind`/`id`; each must hold exactly that
/// definition in the language its file name says.
pub(crate) fn read_parts(kind: Kind, id: &str, files: Vec<(PathBuf, String)>) -> Result<Parts, Vec<FileError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (file, text) in files {
        let fail = |message: String| FileError { file: file.clone(), path: "$".into(), message };
        match TranslationFile::from_xliff(&text) {
            Err(e) => errors.push(fail(e.0)),
            Ok(t) => {
                let named = file_language(kind, id, &file);
                if named.as_deref() != Some(t.lang.as_str()) {
                    errors.push(fail(format!(
                        "the file's target language is '{}', its name says '{}'",
                        t.lang,
                        named.unwrap_or_default()
                    )));
                    continue;
                }
                match <[Translation; 1]>::try_from(t.parts) {
                    Ok([part]) if part.kind == kind && part.id == id => out.push((file, t.lang, part)),
                    _ => {
                        errors.push(fail(format!("the file must hold the translations of {} '{id}' only", kind.name())))
                    }
                }
            }
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The language a translation file's name says: `<lang>.xlf` for a form, `<list>.<lang>.xlf` for a code list.
fn file_language(kind: Kind, id: &str, file: &Path) -> Option<String> {
    let stem = file.file_stem()?.to_str()?;
    match kind {
        Kind::Form => Some(stem.to_owned()),
        Kind::CodeList => stem.strip_prefix(&format!("{id}.")).map(str::to_owned),
    }
}

/// The translation file of `kind`/`id` in `lang`, inside the forms folder `root`.
pub fn file_path(root: &Path, kind: Kind, id: &str, lang: &str) -> PathBuf {
    match kind {
        Kind::Form => root.join(id).join(TRANSLATIONS_DIR).join(format!("{lang}.{EXTENSION}")),
        Kind::CodeList => root.join(CODELISTS_DIR).join(TRANSLATIONS_DIR).join(format!("{id}.{lang}.{EXTENSION}")),
    }
}

/// Merges `parts` into the definition `text`; the text itself when there are none, so that a form without
/// translation files keeps its bytes (and its hash).
pub(crate) fn merge(text: &str, parts: &Parts) -> Result<(String, BTreeMap<String, LanguageStatus>), String> {
    if parts.is_empty() {
        return Ok((text.to_owned(), BTreeMap::new()));
    }
    let mut document: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let refs: Vec<(&str, &Translation)> = parts.iter().map(|(_, lang, part)| (lang.as_str(), part)).collect();
    let report = merge_into(&mut document, &refs);
    let mut merged = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
    merged.push('\n');
    Ok((merged, report))
}

/// The id and version of a definition's JSON.
fn head(document: &Value) -> (String, String) {
    let get = |k: &str| document.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    (get("id"), get("version"))
}

/// The shared code lists a form's JSON names (`"codeList": "hunderassen"`).
pub fn code_lists_used(document: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(list)) = map.get("codeList") {
                    out.insert(list.clone());
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(document, &mut out);
    if let Some(Value::Object(own)) = document.get("codeLists") {
        for id in own.keys() {
            out.remove(id);
        }
    }
    out
}

fn read_json(path: &Path) -> Result<Value, TranslationError> {
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| err(format!("{}: kein gültiges JSON ({e})", path.display())))
}

/// The definition file of `kind`/`id` in `root`.
fn definition_path(root: &Path, kind: Kind, id: &str) -> PathBuf {
    root.join(kind.original(id))
}

/// The stored translation of `kind`/`id` in `lang`, if there is one.
fn stored(root: &Path, kind: Kind, id: &str, lang: &str) -> Result<Option<Translation>, TranslationError> {
    let path = file_path(root, kind, id, lang);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| err(format!("{}: {e}", path.display())))?;
    let file = TranslationFile::from_xliff(&text).map_err(|e| err(format!("{}: {}", path.display(), e.0)))?;
    Ok(file.parts.into_iter().find(|p| p.kind == kind && p.id == id))
}

fn caption(unit: &Unit<'_>) -> String {
    let last = unit.id.rsplit('.').next().unwrap_or("");
    let what = match last {
        "title" => "Titel",
        "label" => "Beschriftung",
        "description" => "Beschreibung",
        "help" => "Hilfetext",
        "message" => "Fehlermeldung",
        "note" => "Hinweis",
        "text" => "Text",
        "nextSteps" => "Wie es weitergeht",
        "itemLabel" => "Bezeichnung eines Eintrags",
        other => other,
    };
    // An element's own title or label is in the context of its other texts, not of itself.
    let mut context = unit.context.as_slice();
    if matches!(last, "title" | "label") && context.last().is_some_and(|c| c == unit.german()) {
        context = &context[..context.len() - 1];
    }
    let mut parts: Vec<String> = context.iter().map(|c| format!("„{c}“")).collect();
    parts.push(what.to_owned());
    parts.join(" › ")
}

/// The translation of one definition for export: every text with its German source, the stored translation
/// where its source is still current, else the old translation marked stale, else the definition's own text in
/// `lang` (if it has one).
fn export_part(kind: Kind, document: &Value, stored: Option<&Translation>, lang: &str) -> Translation {
    let (id, version) = head(document);
    let by_id: BTreeMap<&str, &TranslationUnit> =
        stored.map(|s| s.units.iter().map(|u| (u.id.as_str(), u)).collect()).unwrap_or_default();
    let units = texts::units(document)
        .iter()
        .map(|unit| {
            let german = unit.german().to_owned();
            let inline = unit.text.get(lang).and_then(Value::as_str);
            let mut out = TranslationUnit {
                id: unit.id.clone(),
                context: caption(unit),
                source: german.clone(),
                target: String::new(),
                state: State::Initial,
                machine: false,
                previous_source: None,
            };
            match by_id.get(unit.id.as_str()) {
                Some(old) if old.usable(&german) => {
                    out.target = old.target.clone();
                    out.state = old.state;
                    out.machine = old.machine;
                }
                Some(old) if !old.target.is_empty() => {
                    out.target = old.target.clone();
                    out.previous_source = Some(old.source.clone());
                }
                _ => {
                    if let Some(text) = inline.filter(|t| !t.is_empty()) {
                        out.target = text.to_owned();
                        out.state = State::Translated;
                    }
                }
            }
            out
        })
        .collect();
    Translation { kind, id, version, units }
}

/// The translation file of form `form` in the forms folder `root` into `lang`, with the shared code lists the
/// form uses: what a translator gets. `codelists/<list>` exports one shared code list alone.
pub fn export(root: &Path, form: &str, lang: &str) -> Result<TranslationFile, TranslationError> {
    if !valid_language(lang) {
        return Err(err(format!(
            "„{lang}“ ist keine Sprache, in die übersetzt werden kann (z. B. uk, ar, ru, tr, de-x-ls)"
        )));
    }
    if let Some(list) = form.strip_prefix(&format!("{CODELISTS_DIR}/")) {
        let path = definition_path(root, Kind::CodeList, list);
        if !path.is_file() {
            return Err(err(format!(
                "Im Ordner {} gibt es keine Codeliste „{list}“ ({} fehlt).",
                root.display(),
                path.display()
            )));
        }
        let old = stored(root, Kind::CodeList, list, lang)?;
        let part = export_part(Kind::CodeList, &read_json(&path)?, old.as_ref(), lang);
        return Ok(TranslationFile { lang: lang.to_owned(), parts: vec![part] });
    }
    let path = definition_path(root, Kind::Form, form);
    if !path.is_file() {
        return Err(err(format!(
            "Im Ordner {} gibt es kein Formular „{form}“ ({} fehlt).",
            root.display(),
            path.display()
        )));
    }
    let document = read_json(&path)?;
    let mut parts = vec![export_part(Kind::Form, &document, stored(root, Kind::Form, form, lang)?.as_ref(), lang)];
    for list in code_lists_used(&document) {
        let list_path = definition_path(root, Kind::CodeList, &list);
        if list_path.is_file() {
            let list_doc = read_json(&list_path)?;
            let old = stored(root, Kind::CodeList, &list, lang)?;
            parts.push(export_part(Kind::CodeList, &list_doc, old.as_ref(), lang));
        }
    }
    Ok(TranslationFile { lang: lang.to_owned(), parts })
}

/// What an import stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The language.
    pub lang: String,
    /// Per definition (`form hundeanmeldung`, `codelist hunderassen`): the file written and the status.
    pub parts: Vec<(String, PathBuf, LanguageStatus)>,
}

/// Checks a translation file against the forms folder `root` and stores each of its parts as the translation
/// file of its form or code list. Refused as a whole, with nothing written, when a part names a form or list the
/// folder does not have or another version of it.
pub fn import(root: &Path, xliff: &str) -> Result<ImportReport, TranslationError> {
    let file = TranslationFile::from_xliff(xliff)?;
    let mut plan = Vec::new();
    for part in &file.parts {
        let what = match part.kind {
            Kind::Form => format!("das Formular „{}“", part.id),
            Kind::CodeList => format!("die Codeliste „{}“", part.id),
        };
        let path = definition_path(root, part.kind, &part.id);
        if !path.is_file() {
            return Err(err(format!("Die Datei übersetzt {what}, das es im Ordner {} nicht gibt.", root.display())));
        }
        let mut document = read_json(&path)?;
        let (_, version) = head(&document);
        if version != part.version {
            return Err(err(format!(
                "Die Datei ist für Version {} gemacht, {what} hat jetzt Version {version}. Bitte exportieren Sie die \
                 Texte neu (formdesk-portal forms translations export … --lang {}) und übernehmen Sie die \
                 Übersetzungen dorthin; nichts wurde übernommen.",
                part.version, file.lang
            )));
        }
        let status = merge_into(&mut document, &[(file.lang.as_str(), part)]).remove(&file.lang).unwrap_or_default();
        let label = format!("{} {}", part.kind.name(), part.id);
        let target = file_path(root, part.kind, &part.id, &file.lang);
        plan.push((label, target, status, TranslationFile { lang: file.lang.clone(), parts: vec![stored_form(part)] }));
    }
    let mut report = ImportReport { lang: file.lang.clone(), parts: Vec::new() };
    for (label, target, status, single) in plan {
        write_atomically(&target, single.to_xliff().as_bytes())
            .map_err(|e| err(format!("{}: {e}", target.display())))?;
        report.parts.push((label, target, status));
    }
    Ok(report)
}

/// A part as stored: notes for the stale are recomputed on each export, so they are not kept.
fn stored_form(part: &Translation) -> Translation {
    let mut part = part.clone();
    for unit in &mut part.units {
        unit.previous_source = None;
    }
    part
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("translation")));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn unit(id: &str, source: &str, target: &str, state: State) -> TranslationUnit {
        TranslationUnit {
            id: id.into(),
            context: String::new(),
            source: source.into(),
            target: target.into(),
            state,
            machine: state == State::Translated,
            previous_source: None,
        }
    }

    #[test]
    fn xliff_round_trips_with_escapes_states_and_several_parts() {
        let file = TranslationFile {
            lang: "ar".into(),
            parts: vec![
                Translation {
                    kind: Kind::Form,
                    id: "f".into(),
                    version: "1.0.0".into(),
                    units: vec![
                        TranslationUnit {
                            context: "„Schritt“ › Titel".into(),
                            ..unit("title", "A & B <c>", "أ & ب", State::Translated)
                        },
                        unit("steps.s.title", "\"S\"", "", State::Initial),
                        unit("odd id/with space", "X", "Y", State::Final),
                    ],
                },
                Translation {
                    kind: Kind::CodeList,
                    id: "l".into(),
                    version: "2".into(),
                    units: vec![unit("entries.a.label", "A", "А", State::Reviewed)],
                },
            ],
        };
        let text = file.to_xliff();
        assert!(roxmltree::Document::parse(&text).is_ok());
        assert!(text.contains("subState=\"formdesk:machine\""));
        assert_eq!(TranslationFile::from_xliff(&text).unwrap(), file);
    }

    #[test]
    fn foreign_and_broken_documents_are_refused_with_the_reason() {
        let refuse = |text: &str| TranslationFile::from_xliff(text).unwrap_err().0;
        assert!(refuse("<xliff").contains("kein lesbares XML"));
        assert!(refuse("<x/>").contains("keine XLIFF-2.0-Datei"));
        let doc = |attrs: &str| format!("<xliff xmlns=\"{XLIFF_NS}\" {attrs}/>");
        assert!(refuse(&doc("version=\"1.2\" srcLang=\"de\" trgLang=\"uk\"")).contains("nur 2.0"));
        assert!(refuse(&doc("version=\"2.0\" srcLang=\"en\" trgLang=\"uk\"")).contains("Deutsch"));
        assert!(refuse(&doc("version=\"2.0\" srcLang=\"de\" trgLang=\"de\"")).contains("keine Zielsprache"));
        assert!(refuse(&doc("version=\"2.0\" srcLang=\"de\" trgLang=\"uk\"")).contains("keine Übersetzung"));
    }

    #[test]
    fn merging_uses_current_translations_and_reports_stale_and_unknown_ones() {
        let mut doc = json!({"id": "f", "version": "1", "languages": ["de", "en"], "title": {"de": "Hund", "en": "Dog"},
            "steps": [{"id": "s", "title": {"de": "Halter neu", "en": "Keeper"}, "items": [{"id": "a", "label": {"de": "Name"}}]}]});
        let part = Translation {
            kind: Kind::Form,
            id: "f".into(),
            version: "1".into(),
            units: vec![
                unit("title", "Hund", "Собака", State::Translated),
                unit("steps.s.title", "Halter", "Власник", State::Reviewed),
                unit("steps.s.items.a.label", "Name", "", State::Initial),
                unit("steps.gone.title", "Weg", "Геть", State::Final),
            ],
        };
        let report = merge_into(&mut doc, &[("uk", &part)]);
        assert_eq!(doc["title"]["uk"], "Собака");
        assert!(doc["steps"][0]["title"].get("uk").is_none());
        assert_eq!(doc["languages"], json!(["de", "en", "uk"]));
        let uk = &report["uk"];
        assert_eq!((uk.used, uk.unreviewed, uk.machine), (1, 1, 1));
        assert_eq!(uk.stale, ["steps.s.title"]);
        assert_eq!(uk.unknown, ["steps.gone.title"]);
    }

    #[test]
    fn language_tags_are_checked() {
        for ok in ["uk", "ar", "de-x-ls", "pt-BR"] {
            assert!(valid_language(ok), "{ok}");
        }
        for bad in ["", "de", "u k", "../x", "Uk", "-x"] {
            assert!(!valid_language(bad), "{bad}");
        }
    }
}
