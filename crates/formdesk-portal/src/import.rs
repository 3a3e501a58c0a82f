//! `formdesk-portal forms import`: a FIM schema (XDatenfelder 2.0 or 3.0.0) becomes a draft form folder, and
//! `--diff` says what a newer version of a schema changes against a form imported earlier.
//!
//! Non-goals: the import itself (formdesk-fim), publishing (`forms publish` after `forms check`).

use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The options of `forms import`.
#[derive(Debug)]
pub struct ImportArgs<'a> {
    pub schema: &'a Path,
    pub codelists: Option<&'a Path>,
    pub id: Option<&'a str>,
    pub destination: Option<&'a str>,
    pub out: Option<&'a Path>,
    pub diff: Option<&'a Path>,
    pub force: bool,
}

/// Reads the schema file, refusing one over the importer's limit before reading it into memory.
fn read_schema(path: &Path) -> Result<Vec<u8>> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("{}: die Datei kann nicht gelesen werden", path.display()))?;
    if !meta.is_file() {
        bail!("{}: keine Datei", path.display());
    }
    if meta.len() > formdesk_fim::MAX_BYTES as u64 {
        return Err(TooLarge {
            file: path.display().to_string(),
            mb: meta.len().div_ceil(1024 * 1024),
            limit: formdesk_fim::MAX_BYTES / (1024 * 1024),
        }
        .into());
    }
    std::fs::read(path).with_context(|| format!("{}: die Datei kann nicht gelesen werden", path.display()))
}

/// Imports, or compares with --diff. A refused input (not a Stammdatenschema, a file too large, a folder not
/// empty) exits with status 1 after naming every problem with its place; nothing is written then.
pub fn import(args: &ImportArgs<'_>) -> Result<ExitCode> {
    match run(args) {
        Ok(code) => Ok(code),
        Err(e) if e.downcast_ref::<formdesk_fim::ImportError>().is_some() || e.downcast_ref::<TooLarge>().is_some() => {
            let mut err = std::io::stderr().lock();
            writeln!(err, "{e}")?;
            writeln!(err, "Nichts geschrieben.")?;
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e),
    }
}

/// A schema file over the importer's limit.
#[derive(Debug, thiserror::Error)]
#[error("{file}: die Datei ist {mb} MB groß; ein Stammdatenschema darf höchstens {limit} MB groß sein")]
struct TooLarge {
    file: String,
    mb: u64,
    limit: usize,
}

fn run(args: &ImportArgs<'_>) -> Result<ExitCode> {
    let lists = match args.codelists {
        Some(dir) => formdesk_fim::CodeListSource::from_dir(dir)?,
        None => formdesk_fim::CodeListSource::empty(),
    };
    let xml = read_schema(args.schema)?;
    let source = args.schema.display().to_string();
    let mut out = std::io::stdout().lock();
    if let Some(form_dir) = args.diff {
        let file =
            if form_dir.is_dir() { form_dir.join(formdesk_catalog::DEFINITION_FILE) } else { form_dir.to_owned() };
        let text =
            std::fs::read_to_string(&file).with_context(|| format!("{}: kann nicht gelesen werden", file.display()))?;
        let form: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{}: kein gültiges JSON", file.display()))?;
        let diff = formdesk_fim::diff(&form, &xml, &source, &lists)?;
        write!(out, "{diff}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(dir) = args.out else {
        bail!("--out fehlt: der Ordner, in den der Entwurf geschrieben wird (z. B. forms/hundesteuer)");
    };
    let options = formdesk_fim::Options {
        id: args.id.map(str::to_owned),
        destination: args.destination.map(str::to_owned),
        force: args.force,
    };
    let mut import = formdesk_fim::import(&xml, &source, &lists, &options)?;
    // The written report names the schema by its file name: it travels in the editor's bundle to the portal,
    // where the folders of the editor's machine are nobody's business.
    if let Some(name) = args.schema.file_name() {
        import.report.source = name.to_string_lossy().into_owned();
    }
    import.write(dir)?;
    write!(out, "{}", import.report)?;
    writeln!(
        out,
        "\nEntwurf geschrieben: {}, {} und {} ({} Hinweise). Als Nächstes: die Hinweise abarbeiten, dann `formdesk-portal forms check` und `forms test`.",
        dir.join(formdesk_catalog::DEFINITION_FILE).display(),
        dir.join(formdesk_fim::REPORT_FILE).display(),
        dir.join(formdesk_fim::REPORT_JSON_FILE).display(),
        import.report.entries.len()
    )?;
    Ok(ExitCode::SUCCESS)
}
