//! `formdesk-portal`: the administrators' command line; later also the portal server.
//!
//! Today it carries the form tools: `forms check` and `forms eval`.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use formdesk_engine::{Answers, NaiveDate};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "formdesk-portal", version, about = "The Formdesk portal and the administrators' tools.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with form definitions.
    #[command(subcommand)]
    Forms(FormsCommand),
}

#[derive(Debug, Subcommand)]
enum FormsCommand {
    /// Check every form in a forms folder and report all errors.
    ///
    /// Prints one line per valid form with its id and version, then `N forms ok`; on errors, prints every
    /// error as `file: JSON path: message` and exits with status 1.
    ///
    /// Example: formdesk-portal forms check forms
    #[command(verbatim_doc_comment)]
    Check {
        /// The forms folder: `codelists/` and one folder per form with its `form.json`.
        dir: PathBuf,
    },
    /// Evaluate a form for a set of answers and print the evaluated state as JSON.
    ///
    /// Example: formdesk-portal forms eval forms/hundeanmeldung --answers answers.json --lang de --date 2026-11-24
    #[command(verbatim_doc_comment)]
    Eval {
        /// The form's folder or its `form.json`.
        form: PathBuf,
        /// A JSON file with the answers, keyed by field id; `-` reads standard input.
        #[arg(long)]
        answers: PathBuf,
        /// The language of texts and messages (de, en, tr, …).
        #[arg(long, default_value = "de")]
        lang: String,
        /// The reference date for ages and date checks, YYYY-MM-DD; default: today.
        #[arg(long)]
        date: Option<String>,
    },
}

fn check(dir: &std::path::Path) -> Result<ExitCode> {
    let report = formdesk_catalog::check_dir(dir)?;
    let mut out = std::io::stdout().lock();
    for entry in &report.forms {
        writeln!(out, "{} {}", entry.form.id(), entry.form.version())?;
    }
    if report.errors.is_empty() {
        writeln!(out, "{} forms ok", report.forms.len())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut err = std::io::stderr().lock();
    for e in &report.errors {
        writeln!(err, "{e}")?;
    }
    let files: std::collections::BTreeSet<_> = report.errors.iter().map(|e| &e.file).collect();
    writeln!(err, "{} error(s) in {} file(s)", report.errors.len(), files.len())?;
    Ok(ExitCode::FAILURE)
}

fn eval(form: &std::path::Path, answers: &std::path::Path, lang: &str, date: Option<&str>) -> Result<ExitCode> {
    // Arguments first, then files: a typo in --date is named before anything is read.
    let today = match date {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .with_context(|| format!("--date {d}: expected a date as YYYY-MM-DD"))?,
        None => chrono::Local::now().date_naive(),
    };
    let form = formdesk_catalog::load_form(form)?;
    let text = if answers.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading answers from standard input")?
    } else {
        std::fs::read_to_string(answers).with_context(|| format!("reading {}", answers.display()))?
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not valid JSON", answers.display()))?;
    let serde_json::Value::Object(answers_map) = json else {
        bail!("{}: the answers must be a JSON object keyed by field id", answers.display());
    };
    let answers: Answers = answers_map;
    let state = form.evaluate(&answers, lang, today);
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &state)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Forms(FormsCommand::Check { dir }) => check(dir),
        Command::Forms(FormsCommand::Eval { form, answers, lang, date }) => eval(form, answers, lang, date.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
