//! Runs every scenario of every form in the repository's `forms/` through the catalog's runner
//! ([`formdesk_catalog::scenario::run_dir`]): one test per scenario file.

use formdesk_catalog::scenario::run_dir;
use libtest_mimic::{Arguments, Trial};
use std::path::Path;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms");
    let results = match run_dir(&root) {
        Ok(results) => results,
        Err(e) => {
            eprintln!("the forms in {} do not load:\n{e}", root.display());
            std::process::exit(101);
        }
    };
    let trials = results
        .into_iter()
        .map(|r| {
            Trial::test(format!("{}::{}", r.form, r.name), move || {
                if r.passed() { Ok(()) } else { Err(r.problems.join("\n").into()) }
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
