//! The child process of the channel's crash test (`tests/it/crash.rs`); not a program for anyone else.
//!
//! `formdesk-channel-crash-child STORE REPO PINNED`: checks the repository folder REPO for the newest set,
//! installs it into the form store STORE, cleans up keeping the set PINNED (a draft's), prints
//! `installed <sha>` and starts over, until it is killed.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use formdesk_channel::{Channel, FormStore, Source};
use std::collections::BTreeSet;
use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let store = std::path::PathBuf::from(args.next().expect("STORE"));
    let repo = std::path::PathBuf::from(args.next().expect("REPO"));
    let pinned: BTreeSet<String> = args.next().into_iter().collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut out = std::io::stdout().lock();
    loop {
        let store = FormStore::open(&store).unwrap();
        let source = Source::dir(&repo).unwrap();
        let checked = runtime.block_on(formdesk_channel::check(&store, &source, Channel::All)).unwrap();
        store.collect(&pinned).unwrap();
        writeln!(out, "installed {}", checked.set().sha256).unwrap();
        out.flush().unwrap();
    }
}
