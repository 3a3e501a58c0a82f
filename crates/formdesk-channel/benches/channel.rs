//! A city's catalogue through the channel: 300 forms (Herne had 280 services online). Measured: publishing
//! the 300 forms (sign and write), a desk's first check and download of all of them, and publishing and
//! downloading an update of one form among the 300. The bytes a desk reads for each are printed once: an
//! update must move the changed form and the metadata, not the set. Read from the repository folder (the
//! bytes are those of the portal's HTTP answers; the network's time is not in the figures).

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use formdesk_channel::{Channel, FormStore, OfflineKeys, Repo, SetFiles, Source};
use std::path::Path;

const FORMS: usize = 300;

/// 300 forms made from the repository's own, each with an id (and so content) of its own.
fn catalogue() -> SetFiles {
    let shipped = SetFiles::read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms")).unwrap();
    let mut files = shipped.clone();
    files.forms.clear();
    for n in 0..FORMS {
        let (id, version, bytes) = &shipped.forms[n % shipped.forms.len()];
        let text = String::from_utf8(bytes.clone()).unwrap();
        let new_id = format!("{id}-{n:03}");
        let text = text.replacen(&format!("\"id\": \"{id}\""), &format!("\"id\": \"{new_id}\""), 1);
        files.forms.push((new_id, version.clone(), text.into_bytes()));
    }
    files
}

fn changed_one(files: &SetFiles, round: usize) -> SetFiles {
    let mut files = files.clone();
    let form = &mut files.forms[7];
    form.2.extend(format!("\n{round}\n").into_bytes());
    files
}

struct Fixture {
    _tmp: tempfile::TempDir,
    repo: Repo,
    keys: OfflineKeys,
}

fn fixture(files: &SetFiles) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let keys = OfflineKeys::generate().unwrap();
    let repo = Repo::init(&tmp.path().join("repo"), &keys, Utc::now()).unwrap();
    repo.publish(&keys.forms, files, Channel::All, Utc::now()).unwrap();
    Fixture { _tmp: tmp, repo, keys }
}

fn desk(fixture: &Fixture, dir: &Path) -> FormStore {
    let store = FormStore::open(dir).unwrap();
    store.pin_root(&fixture.repo.root_bytes().unwrap()).unwrap();
    store
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let files = catalogue();
    let total: usize = files.forms.iter().map(|f| f.2.len()).sum();
    let fixture = fixture(&files);

    // The bytes, once.
    let first_dir = tempfile::tempdir().unwrap();
    let store = desk(&fixture, first_dir.path());
    let source = Source::dir(fixture.repo.dir()).unwrap();
    runtime.block_on(formdesk_channel::check(&store, &source, Channel::All)).unwrap();
    let first = source.bytes_read();
    fixture.repo.publish(&fixture.keys.forms, &changed_one(&files, 0), Channel::All, Utc::now()).unwrap();
    let source = Source::dir(fixture.repo.dir()).unwrap();
    runtime.block_on(formdesk_channel::check(&store, &source, Channel::All)).unwrap();
    let update = source.bytes_read();
    let one_form = files.forms[7].2.len();
    println!(
        "{FORMS} forms, {total} bytes of definitions: first download {first} bytes; update of one form ({one_form} bytes) {update} bytes"
    );

    let mut group = c.benchmark_group("channel");
    group.sample_size(10);
    group.bench_function("publish 300 forms", |b| {
        b.iter_batched(
            || {
                let tmp = tempfile::tempdir().unwrap();
                let keys = OfflineKeys::generate().unwrap();
                let repo = Repo::init(&tmp.path().join("repo"), &keys, Utc::now()).unwrap();
                (tmp, repo, keys)
            },
            |(_tmp, repo, keys)| repo.publish(&keys.forms, &files, Channel::All, Utc::now()).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("first download of 300 forms", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let store = desk(&fixture, dir.path());
                (dir, store)
            },
            |(_dir, store)| {
                let source = Source::dir(fixture.repo.dir()).unwrap();
                runtime.block_on(formdesk_channel::check(&store, &source, Channel::All)).unwrap()
            },
            BatchSize::PerIteration,
        )
    });
    let mut round = 1;
    group.bench_function("publish and download one changed form among 300", |b| {
        b.iter(|| {
            round += 1;
            fixture.repo.publish(&fixture.keys.forms, &changed_one(&files, round), Channel::All, Utc::now()).unwrap();
            let source = Source::dir(fixture.repo.dir()).unwrap();
            runtime.block_on(formdesk_channel::check(&store, &source, Channel::All)).unwrap()
        })
    });
    group.finish();
}

/// A tenant's form editor makes a bundle of the 300 forms against the portal's repository (read from its
/// folder, as the editor's command reads the public URL) and the portal checks and installs it. The portal's
/// `forms check` of the forms in it is not part of these figures (the portal runs it on upload).
fn bundles(c: &mut Criterion) {
    use formdesk_channel::bundle::{Bundle, Staging};
    use formdesk_channel::{ChannelError, Scope, SigningKey};
    let files = catalogue();
    let ars = "057580012012";
    let scope = Scope::tenant(ars).unwrap();
    let tenant = |tmp: &Path| {
        let operator = OfflineKeys::generate().unwrap();
        let editor = SigningKey::generate().unwrap();
        let public = tmp.join("editor.pub");
        editor.write_public(&public, &scope.role()).unwrap();
        let key = formdesk_channel::keys::read_public(&public, &scope.role()).unwrap();
        let repo =
            Repo::init_tenant(&tmp.join("repo"), &scope, &operator.root, &operator.targets, key, Utc::now()).unwrap();
        (repo, editor)
    };
    let make = |repo: &Repo, editor: &SigningKey, work: &Path| -> Bundle {
        let served = repo.dir().to_owned();
        let get = |path: &str| match std::fs::read(served.join(path)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ChannelError::Io(served.join(path), e)),
        };
        let staging = Staging::fetch(work, repo.scope(), editor, get).unwrap();
        staging.repo().publish(editor, &files, Channel::All, Utc::now()).unwrap();
        staging.bundle("publish all", Vec::new(), Utc::now()).unwrap()
    };
    {
        let tmp = tempfile::tempdir().unwrap();
        let (repo, editor) = tenant(tmp.path());
        let bundle = make(&repo, &editor, &tmp.path().join("work"));
        println!("bundle of {FORMS} forms: {} bytes as a file, {} files", bundle.to_json().len(), bundle.files.len());
    }
    let mut group = c.benchmark_group("bundle");
    group.sample_size(10);
    group.bench_function("make a bundle of 300 forms", |b| {
        b.iter_batched(
            || {
                let tmp = tempfile::tempdir().unwrap();
                let (repo, editor) = tenant(tmp.path());
                (tmp, repo, editor)
            },
            |(tmp, repo, editor)| make(&repo, &editor, &tmp.path().join("work")),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("check and install a bundle of 300 forms", |b| {
        b.iter_batched(
            || {
                let tmp = tempfile::tempdir().unwrap();
                let (repo, editor) = tenant(tmp.path());
                let bytes = make(&repo, &editor, &tmp.path().join("work")).to_json();
                (tmp, repo, bytes)
            },
            |(_tmp, repo, bytes)| {
                let bundle = Bundle::from_json(&bytes).unwrap();
                repo.install_bundle(&bundle, "Bench", Utc::now(), |_| Ok(())).unwrap()
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench, bundles);
criterion_main!(benches);
