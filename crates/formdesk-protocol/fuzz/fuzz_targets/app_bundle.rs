//! Any bytes as a desk app update bundle (a Debian package) and as its signature and key files. Must never
//! panic; control fields read are never empty.
#![no_main]

use formdesk_protocol::app_bundle::{read_control, verify_signature};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(control) = read_control(data) {
        assert!(!control.package.is_empty() && !control.version.is_empty() && !control.architecture.is_empty());
    }
    let text = String::from_utf8_lossy(data);
    let (signature, key) = text.split_at(text.len() / 2);
    let _ = verify_signature(data, signature, key);
});
