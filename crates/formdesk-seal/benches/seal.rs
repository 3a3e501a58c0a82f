//! Sealing and opening a 50 KB part (a typical application's data or a small attachment) for an RSA-4096 key.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use formdesk_seal::{DecryptionKey, open, seal};
use ring::rand::SystemRandom;

const PART_LEN: usize = 50 * 1024;

fn seal_and_open(c: &mut Criterion) {
    let key = DecryptionKey::from_pem(include_str!("../tests/keys/authority-a-4096.pem")).expect("test key");
    let recipient = key.public();
    let rng = SystemRandom::new();
    let part: Vec<u8> = (0..PART_LEN).map(|i| (i % 251) as u8).collect();
    let jwe = seal(&recipient, &part, &rng).expect("seal");

    let mut group = c.benchmark_group("rsa4096");
    group.throughput(Throughput::Bytes(PART_LEN as u64));
    group.bench_function("seal 50 KB", |b| b.iter(|| seal(&recipient, black_box(&part), &rng).expect("seal")));
    group.bench_function("open 50 KB", |b| b.iter(|| open(&key, black_box(&jwe)).expect("open")));
    group.finish();
}

criterion_group!(benches, seal_and_open);
criterion_main!(benches);
