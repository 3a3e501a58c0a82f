//! Benchmarks of the vault on a real SQLite file: saving a draft change (encrypt and commit), finalizing,
//! the work list with 10,000 submissions, and unlocking (Argon2id at the recommended cost).
//!
//! Criterion reports means and medians; the issue also asks for p99 of saving and finalizing, so those two
//! are additionally timed one by one (`latency` lines on stdout).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use criterion::{Criterion, criterion_group, criterion_main};
use formdesk_vault::{KdfParams, Vault};
use std::time::{Duration, Instant};

const PIN: &str = "482913";

/// A draft's data of realistic size: the answers of a filled-in Hundeanmeldung are about 2 KB of JSON.
fn answers(i: usize) -> Vec<u8> {
    format!(
        r#"{{"halter_vorname":"Erika","halter_familienname":"Mustermann {i}","halter_geburtsdatum":"1985-03-15",
        "halter_adresse":{{"street":"Amtshausstraße","houseNumber":"3","postcode":"32051","city":"Herford"}},
        "hunde":[{{"name":"Bello","rasse":"labrador","geboren":"2024-04-01"}}],"sepa_iban":"DE89370400440532013000",
        "padding":"{}"}}"#,
        "x".repeat(1500)
    )
    .into_bytes()
}

fn vault(dir: &std::path::Path) -> Vault {
    let mut vault = Vault::open(dir).unwrap();
    vault.initialize("Anna", PIN, KdfParams::FAST_INSECURE).unwrap();
    vault
}

fn percentiles(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |p: f64| samples[((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "latency {label}: n={} p50={:.3} ms p99={:.3} ms max={:.3} ms",
        samples.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3
    );
}

fn save_and_finalize(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = vault(dir.path());
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika Mustermann", &answers(0)).unwrap();
    let data = answers(1);

    let samples = (0..2000)
        .map(|_| {
            let t = Instant::now();
            vault.save(id, "Erika Mustermann", &data).unwrap();
            t.elapsed()
        })
        .collect();
    percentiles("save draft change", samples);
    c.bench_function("save draft change (encrypt + commit)", |b| {
        b.iter(|| vault.save(id, "Erika Mustermann", &data).unwrap());
    });

    let drafts: Vec<i64> =
        (0..1000).map(|i| vault.create("hundeanmeldung", "1.0.0", "Erika Mustermann", &answers(i)).unwrap()).collect();
    let samples = drafts
        .iter()
        .map(|&id| {
            let t = Instant::now();
            vault.finalize(id, "Erika Mustermann", &data).unwrap();
            t.elapsed()
        })
        .collect();
    percentiles("finalize", samples);
}

fn work_list(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = vault(dir.path());
    for i in 0..10_000 {
        vault.create("hundeanmeldung", "1.0.0", &format!("Erika Mustermann {i}"), &answers(i)).unwrap();
    }
    let mut group = c.benchmark_group("work list");
    group.sample_size(20);
    group.bench_function("10,000 submissions", |b| b.iter(|| assert_eq!(vault.work_list().unwrap().len(), 10_000)));
    group.finish();
}

fn unlock(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open(dir.path()).unwrap();
    vault.initialize("Anna", PIN, KdfParams::RECOMMENDED).unwrap();
    let mut group = c.benchmark_group("unlock");
    group.sample_size(10);
    group.bench_function("Argon2id 64 MiB, 3 passes", |b| {
        b.iter(|| {
            vault.lock();
            vault.unlock("Anna", PIN).unwrap();
        });
    });
    group.finish();
}

criterion_group!(benches, save_and_finalize, work_list, unlock);
criterion_main!(benches);
