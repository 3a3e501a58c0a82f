//! The form catalog: finds, reads and checks form definitions.
//!
//! A catalog is read from a forms folder (`forms/`: `codelists/*.json` and one folder per form with its
//! `form.json`) or from the copy of the repository's `forms/` that is embedded in the binary, so that the
//! desk app and the portal work with no configuration. A catalog is also made from texts
//! ([`Catalog::from_files`]): the desk's installed form sets, whose files it keeps by hash; and the embedded
//! folder is handed out as files ([`FormFiles::embedded`]) so that the desk can install it as its first set.
//! Non-goals: evaluating forms (the engine does), signed
//! packages (a later layer that hands verified folders to this crate).

#![deny(missing_docs)]

pub mod scenario;
pub mod search;
pub mod translations;

use formdesk_engine::{CodeLists, DefinitionError, Form};
use include_dir::{Dir, include_dir};
use search::{Hit, SearchEntry};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use translations::{Kind, LanguageStatus};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../forms");

/// The name of a form's definition file inside its folder.
pub const DEFINITION_FILE: &str = "form.json";
/// The folder of shared code lists inside a forms folder.
pub const CODELISTS_DIR: &str = "codelists";

/// Why a catalog or a form could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Definitions have errors; every one of them is listed.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<FileError>),
}

/// One error in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file, as given or found.
    pub file: PathBuf,
    /// The JSON path inside the file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file.display(), self.path, self.message)
    }
}

fn file_errors(file: &Path, errors: Vec<DefinitionError>) -> Vec<FileError> {
    errors.into_iter().map(|e| FileError { file: file.to_owned(), path: e.path, message: e.message }).collect()
}

/// A loaded form and where it came from.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The form.
    pub form: Arc<Form>,
    /// Its definition file; `None` for an embedded form or one given as text.
    pub file: Option<PathBuf>,
    /// The lowercase hex SHA-256 of the definition file's bytes: which text exactly was loaded (a form set's
    /// manifest names its files by the same hash).
    pub sha256: String,
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The forms of one forms folder.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<Entry>,
    index: Vec<SearchEntry>,
}

/// The files of a forms folder, wherever they are stored.
trait Source {
    /// `(name, text)` of the shared code lists.
    fn code_lists(&self) -> Result<Vec<(PathBuf, String)>, CatalogError>;
    /// `(folder name, definition file, text)` of the forms, sorted by folder.
    fn forms(&self) -> Result<Vec<(String, PathBuf, String)>, CatalogError>;
    /// `(file, text)` of the translation files of a form or a shared code list.
    fn translations(&self, _kind: Kind, _id: &str) -> Result<Vec<(PathBuf, String)>, CatalogError> {
        Ok(Vec::new())
    }
}

/// The translation files in `dir` whose names `keep`.
fn translation_files(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<(PathBuf, String)>, CatalogError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    list(dir)?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == translations::EXTENSION))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .map(|p| read(&p).map(|t| (p, t)))
        .collect()
}

/// Whether `name` is a code list's translation file for `id` (`hunderassen.uk.xlf`).
fn is_list_translation(name: &str, id: &str) -> bool {
    name.strip_prefix(id).and_then(|rest| rest.strip_prefix('.')).is_some_and(|lang| lang.matches('.').count() == 1)
}

struct DiskSource<'a>(&'a Path);

fn read(path: &Path) -> Result<String, CatalogError> {
    std::fs::read_to_string(path).map_err(|source| CatalogError::Io { path: path.to_owned(), source })
}

fn list(dir: &Path) -> Result<Vec<PathBuf>, CatalogError> {
    let io = |source| CatalogError::Io { path: dir.to_owned(), source };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        out.push(entry.map_err(io)?.path());
    }
    out.sort();
    Ok(out)
}

impl Source for DiskSource<'_> {
    fn code_lists(&self) -> Result<Vec<(PathBuf, String)>, CatalogError> {
        let dir = self.0.join(CODELISTS_DIR);
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        list(&dir)?
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| read(&p).map(|t| (p, t)))
            .collect()
    }

    fn forms(&self) -> Result<Vec<(String, PathBuf, String)>, CatalogError> {
        let mut out = Vec::new();
        for dir in list(self.0)? {
            let file = dir.join(DEFINITION_FILE);
            if file.is_file() {
                let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                out.push((name, file.clone(), read(&file)?));
            }
        }
        Ok(out)
    }

    fn translations(&self, kind: Kind, id: &str) -> Result<Vec<(PathBuf, String)>, CatalogError> {
        match kind {
            Kind::Form => translation_files(&self.0.join(id).join(translations::TRANSLATIONS_DIR), |_| true),
            Kind::CodeList => {
                translation_files(&self.0.join(CODELISTS_DIR).join(translations::TRANSLATIONS_DIR), |name| {
                    is_list_translation(name, id)
                })
            }
        }
    }
}

struct EmbeddedSource;

/// The files of a forms folder as texts, as given by [`Catalog::from_files`]: no disk involved.
struct TextSource {
    code_lists: Vec<(String, String)>,
    forms: Vec<(String, String)>,
}

impl Source for TextSource {
    fn code_lists(&self) -> Result<Vec<(PathBuf, String)>, CatalogError> {
        Ok(self.code_lists.iter().map(|(name, text)| (Path::new(CODELISTS_DIR).join(name), text.clone())).collect())
    }

    fn forms(&self) -> Result<Vec<(String, PathBuf, String)>, CatalogError> {
        let mut out: Vec<_> = self
            .forms
            .iter()
            .map(|(id, text)| (id.clone(), Path::new(id).join(DEFINITION_FILE), text.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

/// The files of a forms folder, read as they are: what a form set is made of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormFiles {
    /// `(file name, text)` of every shared code list (`hunderassen.json`).
    pub code_lists: Vec<(String, String)>,
    /// `(id, definition text)` of every form, by id (the id is the form's folder name).
    pub forms: Vec<(String, String)>,
}

impl FormFiles {
    /// The files of a forms folder on disk with their translation files merged in: what a form set publishes.
    /// Fails, naming each file, if a translation file cannot be read or does not fit its form.
    pub fn read_dir(root: &Path) -> Result<FormFiles, CatalogError> {
        let mut read = merged(&DiskSource(root))?;
        if !read.errors.is_empty() {
            return Err(CatalogError::Invalid(std::mem::take(&mut read.errors)));
        }
        Ok(FormFiles::from(read))
    }

    /// The forms embedded in the binary (the repository's `forms/` at build time), as files.
    pub fn embedded() -> FormFiles {
        // Reading the embedded folder cannot fail: it is memory; and a test loads it.
        FormFiles::from(merged(&EmbeddedSource).unwrap_or_default())
    }
}

impl From<Merged> for FormFiles {
    /// Code lists by file name, forms by id.
    fn from(Merged { code_lists, forms, .. }: Merged) -> FormFiles {
        FormFiles {
            code_lists: code_lists
                .into_iter()
                .map(|(path, text)| {
                    (path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), text)
                })
                .collect(),
            forms: forms.into_iter().map(|(id, _, text)| (id, text)).collect(),
        }
    }
}
impl Source for EmbeddedSource {
    fn code_lists(&self) -> Result<Vec<(PathBuf, String)>, CatalogError> {
        let Some(dir) = EMBEDDED.get_dir(CODELISTS_DIR) else { return Ok(Vec::new()) };
        Ok(dir
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "json"))
            .filter_map(|f| f.contents_utf8().map(|t| (f.path().to_owned(), t.to_owned())))
            .collect())
    }

    fn forms(&self) -> Result<Vec<(String, PathBuf, String)>, CatalogError> {
        let mut out: Vec<_> = EMBEDDED
            .dirs()
            .filter_map(|d| {
                let file = d.get_file(d.path().join(DEFINITION_FILE))?;
                let name = d.path().file_name()?.to_string_lossy().into_owned();
                Some((name, file.path().to_owned(), file.contents_utf8()?.to_owned()))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    fn translations(&self, kind: Kind, id: &str) -> Result<Vec<(PathBuf, String)>, CatalogError> {
        let dir = match kind {
            Kind::Form => PathBuf::from(id).join(translations::TRANSLATIONS_DIR),
            Kind::CodeList => Path::new(CODELISTS_DIR).join(translations::TRANSLATIONS_DIR),
        };
        let Some(dir) = EMBEDDED.get_dir(&dir) else { return Ok(Vec::new()) };
        let mut out: Vec<(PathBuf, String)> = dir
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == translations::EXTENSION))
            .filter(|f| {
                kind == Kind::Form
                    || f.path().file_name().and_then(|n| n.to_str()).is_some_and(|n| is_list_translation(n, id))
            })
            .filter_map(|f| f.contents_utf8().map(|t| (f.path().to_owned(), t.to_owned())))
            .collect();
        out.sort();
        Ok(out)
    }
}

/// The files of a forms folder with their translations merged: what is checked, loaded and published.
#[derive(Debug, Default)]
struct Merged {
    /// `(file, text)` of the shared code lists.
    code_lists: Vec<(PathBuf, String)>,
    /// `(folder, definition file, text)` of the forms.
    forms: Vec<(String, PathBuf, String)>,
    /// Translation files that could not be read or do not fit.
    errors: Vec<FileError>,
    /// Per form (`hundeanmeldung`) or shared code list (`codelists/hunderassen`), per language: what merging
    /// found.
    translations: BTreeMap<String, BTreeMap<String, LanguageStatus>>,
}

/// Merges the translation files of `kind`/`id` from `source` into its definition `text`.
fn merge_one(
    source: &dyn Source,
    kind: Kind,
    id: &str,
    text: String,
    out: &mut Merged,
) -> Result<String, CatalogError> {
    let parts = match translations::read_parts(kind, id, source.translations(kind, id)?) {
        Ok(parts) => parts,
        Err(errors) => {
            out.errors.extend(errors);
            return Ok(text);
        }
    };
    match translations::merge(&text, &parts) {
        Ok((merged, status)) => {
            if !status.is_empty() {
                let key = if kind == Kind::Form { id.to_owned() } else { format!("{CODELISTS_DIR}/{id}") };
                out.translations.insert(key, status);
            }
            Ok(merged)
        }
        // The definition itself is broken; its own check names that.
        Err(_) => Ok(text),
    }
}

fn merged_code_lists(source: &dyn Source, out: &mut Merged) -> Result<(), CatalogError> {
    for (file, text) in source.code_lists()? {
        let id = file.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text = merge_one(source, Kind::CodeList, &id, text, out)?;
        out.code_lists.push((file, text));
    }
    Ok(())
}

fn merged(source: &dyn Source) -> Result<Merged, CatalogError> {
    let mut out = Merged::default();
    merged_code_lists(source, &mut out)?;
    for (folder, file, text) in source.forms()? {
        let text = merge_one(source, Kind::Form, &folder, text, &mut out)?;
        out.forms.push((folder, file, text));
    }
    Ok(out)
}

/// What [`check_dir`] found: the forms that loaded and every error of those that did not.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// The forms that loaded, in folder order.
    pub forms: Vec<Entry>,
    /// Every error, file by file.
    pub errors: Vec<FileError>,
    /// What is not wrong but worth a look, file by file: a fee or calculation that can lose its value, a stale
    /// translation.
    pub warnings: Vec<FileError>,
    /// Per form (`hundeanmeldung`) and shared code list (`codelists/hunderassen`) with translation files, per
    /// language: what merging them found.
    pub translations: BTreeMap<String, BTreeMap<String, LanguageStatus>>,
}

fn load_code_lists(files: &[(PathBuf, String)], errors: &mut Vec<FileError>) -> CodeLists {
    let mut lists = CodeLists::default();
    for (file, text) in files {
        if let Err(e) = lists.add_json(text) {
            errors.extend(file_errors(file, e.0));
        }
    }
    lists
}

/// Warnings about translations: stale ones, and units of texts the definition no longer has.
fn translation_warnings(translations: &BTreeMap<String, BTreeMap<String, LanguageStatus>>) -> Vec<FileError> {
    let mut out = Vec::new();
    for (what, langs) in translations {
        let (kind, id) = match what.strip_prefix(&format!("{CODELISTS_DIR}/")) {
            Some(list) => (Kind::CodeList, list),
            None => (Kind::Form, what.as_str()),
        };
        for (lang, status) in langs {
            let file = translations::file_path(Path::new(""), kind, id, lang);
            if !status.stale.is_empty() {
                out.push(FileError {
                    file: file.clone(),
                    path: "$".into(),
                    message: format!(
                        "{} translation(s) into '{lang}' are stale: the German changed since they were translated, so \
                         they are left out until translated again ({})",
                        status.stale.len(),
                        status.stale.join(", ")
                    ),
                });
            }
            if !status.unknown.is_empty() {
                out.push(FileError {
                    file,
                    path: "$".into(),
                    message: format!(
                        "{} translation(s) into '{lang}' are for texts the definition does not have: {}",
                        status.unknown.len(),
                        status.unknown.join(", ")
                    ),
                });
            }
        }
    }
    out
}

fn check(source: &dyn Source, embedded: bool) -> Result<CheckReport, CatalogError> {
    let mut report = CheckReport::default();
    let merged = merged(source)?;
    report.errors.extend(merged.errors);
    report.warnings.extend(translation_warnings(&merged.translations));
    report.translations = merged.translations;
    let lists = load_code_lists(&merged.code_lists, &mut report.errors);
    for (folder, file, text) in merged.forms {
        match Form::from_json(&text, &lists) {
            Ok(form) if form.id() != folder => report.errors.push(FileError {
                file,
                path: "$.id".into(),
                message: format!("the id '{}' must equal the folder name '{folder}'", form.id()),
            }),
            Ok(form) => {
                report.warnings.extend(file_errors(&file, form.warnings().to_vec()));
                report.forms.push(Entry {
                    form: Arc::new(form),
                    file: (!embedded).then_some(file),
                    sha256: sha256_hex(text.as_bytes()),
                });
            }
            Err(e) => report.errors.extend(file_errors(&file, e.0)),
        }
    }
    Ok(report)
}

/// Checks every form in a forms folder, collecting all errors of all files; a form without scenario files
/// (`<id>/scenarios/*.json`) gets a warning.
pub fn check_dir(root: &Path) -> Result<CheckReport, CatalogError> {
    let mut report = check(&DiskSource(root), false)?;
    for entry in &report.forms {
        let folder = root.join(entry.form.id());
        if scenario::files(&folder).is_empty() {
            report.warnings.push(FileError {
                file: folder.join(scenario::SCENARIOS_DIR),
                path: "$".into(),
                message:
                    "the form has no scenarios; add scenario files (*.json, see docs/form-format.md, \"Scenarios\") \
                          and run them with `formdesk-portal forms test`"
                        .into(),
            });
        }
    }
    Ok(report)
}

impl Catalog {
    /// Loads every form of a forms folder; fails with every error if any form is invalid.
    pub fn load_dir(root: &Path) -> Result<Catalog, CatalogError> {
        let report = check_dir(root)?;
        if !report.errors.is_empty() {
            return Err(CatalogError::Invalid(report.errors));
        }
        Ok(Catalog::new(report.forms))
    }

    fn new(entries: Vec<Entry>) -> Catalog {
        let index = entries.iter().map(|e| SearchEntry::new(&e.form)).collect();
        Catalog { entries, index }
    }

    /// The forms matching `query`, best first. An empty query finds nothing.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .index
            .iter()
            .enumerate()
            .map(|(index, entry)| Hit { index, score: entry.score(query) })
            .filter(|h| h.score > 0.0)
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
        // A word found only in another form's description is noise next to a form that has it in its title:
        // keep what scores at least 40 % of the best hit.
        let cutoff = hits.first().map_or(0.0, |best| best.score * 0.4);
        hits.retain(|h| h.score >= cutoff);
        hits
    }

    /// Loads forms given as texts: `code_lists` as `(file name, text)`, `forms` as `(id, definition text)`,
    /// with the same checks as [`Catalog::load_dir`] (each form's id must be the id it is given under).
    /// Errors name the file as it would be in a forms folder (`hundeanmeldung/form.json`).
    pub fn from_files(
        code_lists: Vec<(String, String)>,
        forms: Vec<(String, String)>,
    ) -> Result<Catalog, CatalogError> {
        let report = check(&TextSource { code_lists, forms }, true)?;
        if !report.errors.is_empty() {
            return Err(CatalogError::Invalid(report.errors));
        }
        Ok(Catalog::new(report.forms))
    }

    /// The forms embedded in the binary: the repository's `forms/` at build time.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        let report = check(&EmbeddedSource, true)?;
        if !report.errors.is_empty() {
            return Err(CatalogError::Invalid(report.errors));
        }
        Ok(Catalog::new(report.forms))
    }

    /// The forms, in folder order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// A form by id.
    pub fn get(&self, id: &str) -> Option<&Arc<Form>> {
        self.entry(id).map(|e| &e.form)
    }

    /// A form with where it came from and its hash, by id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.form.id() == id)
    }
}

/// Loads one form: `path` is its folder or its definition file. Shared code lists come from the
/// `codelists` folder beside the form's folder.
pub fn load_form(path: &Path) -> Result<Form, CatalogError> {
    let file = if path.is_dir() { path.join(DEFINITION_FILE) } else { path.to_owned() };
    let text = read(&file)?;
    let folder = file.parent().unwrap_or(Path::new("."));
    let root = folder.parent().unwrap_or(Path::new("."));
    let mut merged = Merged::default();
    merged_code_lists(&DiskSource(root), &mut merged)?;
    let id = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let text = merge_one(&DiskSource(root), Kind::Form, &id, text, &mut merged)?;
    let mut errors = merged.errors;
    let lists = load_code_lists(&merged.code_lists, &mut errors);
    match Form::from_json(&text, &lists) {
        Ok(form) if errors.is_empty() => Ok(form),
        Ok(_) => Err(CatalogError::Invalid(errors)),
        Err(e) => {
            errors.extend(file_errors(&file, e.0));
            Err(CatalogError::Invalid(errors))
        }
    }
}
