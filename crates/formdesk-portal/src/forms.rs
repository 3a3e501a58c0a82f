//! `formdesk-portal forms …`: checking form definitions, evaluating them and previewing their receipts.
//!
//! Non-goals: storing or publishing forms; the desks carry the definitions they were built with.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, FixedOffset};
use formdesk_engine::{Answers, NaiveDate};
use std::io::Write;
use std::process::ExitCode;

pub fn check(dir: &std::path::Path) -> Result<ExitCode> {
    let report = formdesk_catalog::check_dir(dir)?;
    let mut out = std::io::stdout().lock();
    for entry in &report.forms {
        writeln!(out, "{} {}", entry.form.id(), entry.form.version())?;
    }
    // Warnings do not fail the check: what they point at works as written, but may not be what was meant.
    for w in &report.warnings {
        writeln!(out, "warning: {w}")?;
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

/// `forms test`: every scenario of a form folder or of a forms folder, through the catalog's runner.
pub fn test(dir: &std::path::Path) -> Result<ExitCode> {
    let results = formdesk_catalog::scenario::run_dir(dir)?;
    let mut out = std::io::stdout().lock();
    let mut failed = 0;
    for r in &results {
        if r.passed() {
            writeln!(out, "ok      {}/{}", r.form, r.name)?;
        } else {
            failed += 1;
            writeln!(out, "FAILED  {}/{} ({})", r.form, r.name, r.file.display())?;
            for p in &r.problems {
                writeln!(out, "        {p}")?;
            }
        }
    }
    writeln!(out, "{} scenario(s), {failed} failed", results.len())?;
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
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

pub fn eval(form: &std::path::Path, answers: &std::path::Path, lang: &str, date: Option<&str>) -> Result<ExitCode> {
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
pub struct ReceiptArgs<'a> {
    pub form: &'a std::path::Path,
    pub answers: &'a std::path::Path,
    pub out: &'a std::path::Path,
    pub lang: &'a str,
    pub time: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub clerk: &'a str,
    pub key: Option<&'a std::path::Path>,
    pub delivered: Option<&'a str>,
}

fn rfc3339(option: &str, text: &str) -> Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text)
        .with_context(|| format!("{option} {text}: expected a time as RFC 3339, like 2026-11-24T10:42:00+01:00"))
}

pub fn receipt(args: &ReceiptArgs<'_>) -> Result<ExitCode> {
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
