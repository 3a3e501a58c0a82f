//! `formdesk-portal forms …`: checking form definitions, evaluating them and previewing their receipts.
//!
//! Non-goals: storing or publishing forms; the desks carry the definitions they were built with.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, FixedOffset};
use formdesk_engine::{Answers, NaiveDate};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn check(dir: &Path, languages: bool) -> Result<ExitCode> {
    let report = formdesk_catalog::check_dir(dir)?;
    let mut out = std::io::stdout().lock();
    for entry in &report.forms {
        writeln!(out, "{} {}", entry.form.id(), entry.form.version())?;
    }
    if languages {
        for entry in &report.forms {
            write_languages(&mut out, &entry.form, &report.translations)?;
        }
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

/// How many ids to name in a list of missing or stale texts before "and N more".
const NAMED: usize = 8;

fn some_ids(ids: &[String]) -> String {
    let mut s = ids.iter().take(NAMED).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > NAMED {
        s.push_str(&format!(" und {} weitere", ids.len() - NAMED));
    }
    s
}

/// The languages of one form: how much of it each covers, whether the desk offers it to citizens, and the
/// texts missing, stale and not reviewed.
fn write_languages(
    out: &mut impl Write,
    form: &formdesk_engine::Form,
    translations: &std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, formdesk_catalog::translations::LanguageStatus>,
    >,
) -> Result<()> {
    let coverage = form.coverage();
    let offered = form.citizen_languages();
    let definition = serde_json::to_value(form.definition())?;
    let mut sources = vec![form.id().to_owned()];
    sources.extend(
        formdesk_catalog::translations::code_lists_used(&definition).into_iter().map(|l| format!("codelists/{l}")),
    );
    writeln!(out, "\n{} {}: {} Texte (mit Codelisten)", form.id(), form.version(), coverage.total)?;
    writeln!(out, "  Sprache   Anteil  angeboten  fehlen  veraltet  ungeprüft")?;
    for (lang, missing) in &coverage.missing {
        let statuses: Vec<_> = sources.iter().filter_map(|s| translations.get(s)?.get(lang)).collect();
        let stale: Vec<String> = statuses.iter().flat_map(|s| s.stale.iter().cloned()).collect();
        let unreviewed: usize = statuses.iter().map(|s| s.unreviewed).sum();
        let machine: usize = statuses.iter().map(|s| s.machine).sum();
        writeln!(
            out,
            "  {lang:<8} {:>5} %  {:<9}  {:>6}  {:>8}  {:>9}{}",
            coverage.percent(lang),
            if offered.contains(lang) { "ja" } else { "nein" },
            missing.len(),
            stale.len(),
            unreviewed,
            if machine > 0 { format!(" ({machine} maschinell übersetzt)") } else { String::new() },
        )?;
        if !missing.is_empty() {
            writeln!(out, "           fehlen: {}", some_ids(missing))?;
        }
        if !stale.is_empty() {
            writeln!(out, "           veraltet (der deutsche Text hat sich geändert): {}", some_ids(&stale))?;
        }
    }
    Ok(())
}

/// `forms translations export`.
pub fn export_translation(dir: &Path, form: &str, lang: &str, out: Option<&Path>) -> Result<ExitCode> {
    let file = formdesk_catalog::translations::export(dir, form, lang)?;
    let text = file.to_xliff();
    let units: usize = file.parts.iter().map(|p| p.units.len()).sum();
    let open = file
        .parts
        .iter()
        .flat_map(|p| &p.units)
        .filter(|u| u.state == formdesk_catalog::translations::State::Initial)
        .count();
    match out {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("{} kann nicht geschrieben werden", path.display()))?;
            let mut o = std::io::stdout().lock();
            writeln!(o, "{}: {units} Texte, davon {open} noch zu übersetzen", path.display())?;
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `forms translations import`: stores the file's parts, then checks that the forms still load.
pub fn import_translation(dir: &Path, file: &Path) -> Result<ExitCode> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("{} kann nicht gelesen werden", file.display()))?;
    let report = formdesk_catalog::translations::import(dir, &text)
        .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.0))?;
    let mut out = std::io::stdout().lock();
    for (what, path, status) in &report.parts {
        writeln!(
            out,
            "{what} ({}): {} Texte übernommen, davon {} ungeprüft; {} veraltet, {} unbekannt → {}",
            report.lang,
            status.used,
            status.unreviewed,
            status.stale.len(),
            status.unknown.len(),
            path.display()
        )?;
        if !status.stale.is_empty() {
            writeln!(
                out,
                "  veraltet (der deutsche Text hat sich geändert, nicht verwendet): {}",
                some_ids(&status.stale)
            )?;
        }
        if !status.unknown.is_empty() {
            writeln!(out, "  unbekannt (das Formular hat diese Texte nicht): {}", some_ids(&status.unknown))?;
        }
    }
    let check = formdesk_catalog::check_dir(dir)?;
    if !check.errors.is_empty() {
        let mut err = std::io::stderr().lock();
        for e in &check.errors {
            writeln!(err, "{e}")?;
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// `forms test`: every scenario of a form folder or of a forms folder, through the catalog's runner.
pub fn test(dir: &Path) -> Result<ExitCode> {
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

fn read_answers(answers: &Path) -> Result<Answers> {
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

pub fn eval(form: &Path, answers: &Path, lang: &str, date: Option<&str>) -> Result<ExitCode> {
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
    pub form: &'a Path,
    pub answers: &'a Path,
    pub out: &'a Path,
    pub lang: &'a str,
    pub time: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub clerk: &'a str,
    pub key: Option<&'a Path>,
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
