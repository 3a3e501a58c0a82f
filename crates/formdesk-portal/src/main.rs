//! `formdesk-portal`: the administrators' command line; later also the portal server.
//!
//! Today it carries the form tools: `forms check`, `forms eval` and `forms receipt`.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, FixedOffset};
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
    /// Render a form's receipt (Eingangsbestätigung) for a set of answers as a PDF, to preview it.
    ///
    /// The PDF is marked as a preview. The answers must be complete; a scenario file
    /// (forms/<id>/scenarios/*.json) works too, its "answers" are used. Without --key the QR code is
    /// signed with a one-off key, without --reference and --time a random reference and the current
    /// time are printed.
    ///
    /// Example: formdesk-portal forms receipt forms/hundeanmeldung --answers answers.json --out receipt.pdf
    #[command(verbatim_doc_comment)]
    Receipt {
        /// The form's folder or its `form.json`.
        form: PathBuf,
        /// A JSON file with the answers, keyed by field id, or a scenario file; `-` reads standard input.
        #[arg(long)]
        answers: PathBuf,
        /// Where to write the PDF.
        #[arg(long)]
        out: PathBuf,
        /// The citizen's language; the receipt is bilingual when the form has it (tr, en, …).
        #[arg(long, default_value = "de")]
        lang: String,
        /// The time of the receipt, RFC 3339 (2026-11-24T10:42:00+01:00); default: now.
        #[arg(long)]
        time: Option<String>,
        /// The reference, e.g. HUND-7K3F-Q9XD; default: a random one with the form's prefix.
        #[arg(long)]
        reference: Option<String>,
        /// The clerk's name.
        #[arg(long, default_value = "Vorschau")]
        clerk: String,
        /// The desk's Ed25519 key as a PKCS#8 (DER) file; default: a one-off key.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Print the receipt as delivered at this time (RFC 3339) instead of waiting for a connection.
        #[arg(long)]
        delivered: Option<String>,
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

fn read_answers(answers: &std::path::Path) -> Result<Answers> {
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
    Ok(answers_map)
}

fn eval(form: &std::path::Path, answers: &std::path::Path, lang: &str, date: Option<&str>) -> Result<ExitCode> {
    // Arguments first, then files: a typo in --date is named before anything is read.
    let today = match date {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .with_context(|| format!("--date {d}: expected a date as YYYY-MM-DD"))?,
        None => chrono::Local::now().date_naive(),
    };
    let form = formdesk_catalog::load_form(form)?;
    let answers = read_answers(answers)?;
    let state = form.evaluate(&answers, lang, today);
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &state)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

/// The options of `forms receipt`.
#[derive(Debug)]
struct ReceiptArgs<'a> {
    form: &'a std::path::Path,
    answers: &'a std::path::Path,
    out: &'a std::path::Path,
    lang: &'a str,
    time: Option<&'a str>,
    reference: Option<&'a str>,
    clerk: &'a str,
    key: Option<&'a std::path::Path>,
    delivered: Option<&'a str>,
}

fn rfc3339(option: &str, text: &str) -> Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text)
        .with_context(|| format!("{option} {text}: expected a time as RFC 3339, like 2026-11-24T10:42:00+01:00"))
}

fn receipt(args: &ReceiptArgs<'_>) -> Result<ExitCode> {
    use formdesk_receipt::{Delivery, DeviceKey, Issue, Municipality, Receipt, Reference};
    use ring::rand::{SecureRandom, SystemRandom};
    // Arguments first, then files.
    let issued_at = match args.time {
        Some(t) => rfc3339("--time", t)?,
        None => chrono::Local::now().fixed_offset(),
    };
    let delivery = match args.delivered {
        Some(t) => Delivery::Delivered(rfc3339("--delivered", t)?),
        None => Delivery::Pending,
    };
    let reference = args.reference.map(Reference::parse).transpose()?;
    let random = SystemRandom::new();
    let form = formdesk_catalog::load_form(args.form)?;
    let mut answers = read_answers(args.answers)?;
    // A scenario file: its answers, beside its expectations.
    if answers.contains_key("expect")
        && let Some(serde_json::Value::Object(inner)) = answers.get("answers")
    {
        answers = inner.clone();
    }
    let reference = match reference {
        Some(r) => r,
        None => {
            let mut bytes = [0u8; 8];
            random.fill(&mut bytes).map_err(|_| anyhow::anyhow!("no random numbers for a reference"))?;
            Reference::from_random(&Reference::prefix_for(form.definition()), bytes)?
        }
    };
    let (pkcs8, one_off) = match args.key {
        Some(path) => (std::fs::read(path).with_context(|| format!("reading {}", path.display()))?, false),
        None => (DeviceKey::generate_pkcs8(&random)?, true),
    };
    let key = DeviceKey::from_pkcs8(&pkcs8)
        .with_context(|| args.key.map_or_else(|| "one-off key".into(), |p| p.display().to_string()))?;
    let municipality = Municipality::example();
    let issue = Issue {
        municipality: &municipality,
        reference,
        issued_at,
        clerk: args.clerk,
        citizen_lang: args.lang,
        delivery,
    };
    let mut receipt = Receipt::build(&form, &answers, issue, &key)?;
    receipt.preview = true;
    let pdf = formdesk_receipt::render(&receipt)?;
    std::fs::write(args.out, &pdf).with_context(|| format!("writing {}", args.out.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}: {} bytes, reference {}", args.out.display(), pdf.len(), receipt.reference)?;
    let public: String = key.public_key().iter().map(|b| format!("{b:02x}")).collect();
    let whose = if one_off { "a one-off key" } else { "the given key" };
    writeln!(out, "QR code signed with {whose}, public key {public}")?;
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Forms(FormsCommand::Check { dir }) => check(dir),
        Command::Forms(FormsCommand::Eval { form, answers, lang, date }) => eval(form, answers, lang, date.as_deref()),
        Command::Forms(FormsCommand::Receipt { form, answers, out, lang, time, reference, clerk, key, delivered }) => {
            receipt(&ReceiptArgs {
                form,
                answers,
                out,
                lang,
                time: time.as_deref(),
                reference: reference.as_deref(),
                clerk,
                key: key.as_deref(),
                delivered: delivered.as_deref(),
            })
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
