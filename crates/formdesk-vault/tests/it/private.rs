//! The data folder and every file in it belong to the desk's user alone: 0700 and 0600, when the vault makes
//! them and when it opens a folder an older version (or a person) left wider open.

use crate::new_vault;
use formdesk_vault::{DIR_MODE, FILE_MODE, Vault};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).expect("metadata").permissions().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Every folder and file below `dir` (not following links), `dir` included.
fn everything(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_owned()];
    let mut i = 0;
    while i < out.len() {
        if std::fs::symlink_metadata(&out[i]).expect("metadata").is_dir() {
            let children: Vec<PathBuf> =
                std::fs::read_dir(&out[i]).expect("read").map(|e| e.expect("e").path()).collect();
            out.extend(children);
        }
        i += 1;
    }
    out
}

fn assert_private(dir: &Path) {
    let mut files = 0;
    for path in everything(dir) {
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        if meta.is_dir() {
            assert_eq!(mode(&path), DIR_MODE, "{}", path.display());
        } else if meta.is_file() {
            files += 1;
            assert_eq!(mode(&path), FILE_MODE, "{}", path.display());
        }
    }
    assert!(files > 0, "the folder holds files");
}

/// A vault with a finalized submission and an attachment, so the database, its log and shared memory exist.
fn fill(vault: &mut Vault) {
    let id = vault.create("hundeanmeldung", "1.0.0", "Erika Mustermann", br#"{"step":1}"#).expect("create");
    vault.save(id, "Erika Mustermann", br#"{"step":2}"#).expect("save");
    vault.finalize(id, "Erika Mustermann", br#"{"final":true}"#).expect("finalize");
}

#[test]
fn a_new_data_folder_and_its_files_are_the_users_alone() {
    let root = tempfile::tempdir().expect("dir");
    // Parents that do not exist yet are made too, equally closed.
    let dir = root.path().join("share").join("de.formdesk.desk");
    let mut vault = new_vault(&dir);
    fill(&mut vault);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.ends_with("-wal")), "the write-ahead log exists: {names:?}");
    assert_private(&dir);
    assert_eq!(mode(&root.path().join("share")), DIR_MODE);
}

#[test]
fn a_folder_left_open_is_closed_when_the_vault_opens_it() {
    let root = tempfile::tempdir().expect("dir");
    let dir = root.path().join("data");
    {
        let mut vault = new_vault(&dir);
        fill(&mut vault);
    }
    // As an older Formdesk left it (umask 022), with a web view's cache folder inside, and a link to a file
    // outside the folder, which is not the vault's to change.
    let cache = dir.join("WebKitCache").join("Version 16");
    std::fs::create_dir_all(&cache).expect("cache");
    std::fs::write(cache.join("salt"), b"x").expect("write");
    let outside = root.path().join("outside.txt");
    std::fs::write(&outside, b"y").expect("write");
    set_mode(&outside, 0o644);
    std::os::unix::fs::symlink(&outside, dir.join("link")).expect("link");
    for path in everything(&dir) {
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        if meta.is_dir() {
            set_mode(&path, 0o755);
        } else if meta.is_file() {
            set_mode(&path, 0o644);
        }
    }
    assert_eq!(mode(&dir.join(formdesk_vault::FILE_NAME)), 0o644);

    let vault = Vault::open(&dir).expect("open");
    assert_private(&dir);
    assert_eq!(mode(&outside), 0o644, "the link's target outside the folder is left alone");
    drop(vault);
}

#[test]
fn a_read_only_file_stays_read_only_but_closed() {
    let root = tempfile::tempdir().expect("dir");
    let dir = root.path().join("data");
    drop(new_vault(&dir));
    let note = dir.join("note.txt");
    std::fs::write(&note, b"z").expect("write");
    set_mode(&note, 0o444);
    drop(Vault::open(&dir).expect("open"));
    assert_eq!(mode(&note), 0o400);
}
