//! Any text as a form definition; if it loads, evaluate it with no answers. Must never panic.
#![no_main]

use formdesk_engine::{Answers, CodeLists, Form};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &str| {
    if let Ok(form) = Form::from_json(src, &CodeLists::default()) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
        let _ = form.evaluate(&Answers::new(), "de", today);
    }
});
