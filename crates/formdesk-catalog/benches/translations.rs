//! What the translation files cost: reading the repository's forms folder (nine forms, three shared code lists)
//! with its translation files (66 today) merged in, against the same folder without them; the desk does this once at
//! start for its built-in forms, the portal for every `forms check` and `forms publish`. And a translator's round
//! trip of the largest form: export to XLIFF, import back.

use criterion::{Criterion, criterion_group, criterion_main};
use formdesk_catalog::{Catalog, translations};
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn forms() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms")
}

fn copy_tree(from: &Path, to: &Path, translations: bool) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            if !translations && entry.file_name() == translations::TRANSLATIONS_DIR {
                continue;
            }
            copy_tree(&entry.path(), &target, translations);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (with, without) = (tmp.path().join("with"), tmp.path().join("without"));
    copy_tree(&forms(), &with, true);
    copy_tree(&forms(), &without, false);
    let mut group = c.benchmark_group("catalog");
    group.bench_function("load forms/ without translation files", |b| {
        b.iter(|| black_box(Catalog::load_dir(&without).expect("loads")))
    });
    group.bench_function("load forms/ with its translation files", |b| {
        b.iter(|| black_box(Catalog::load_dir(&with).expect("loads")))
    });
    group.bench_function("load the embedded forms (desk start)", |b| {
        b.iter(|| black_box(Catalog::embedded().expect("loads")))
    });
    group.bench_function("export gewerbeanmeldung to XLIFF (ar)", |b| {
        b.iter(|| black_box(translations::export(&with, "gewerbeanmeldung", "ar").expect("exports").to_xliff()))
    });
    let xliff = translations::export(&with, "gewerbeanmeldung", "ar").expect("exports").to_xliff();
    group.bench_function("import gewerbeanmeldung from XLIFF (ar)", |b| {
        b.iter(|| black_box(translations::import(&with, &xliff).expect("imports")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
