//! The data folder is the desk's user's alone: the folder and everything below it `0700`, every file `0600`.
//!
//! The contents are encrypted anyway; these permissions keep other accounts on a shared laptop from even
//! copying the ciphertext or seeing how many cases a desk holds. A folder made by an older Formdesk (or by
//! hand) with wider permissions is narrowed when the vault opens it.
//!
//! Non-goals: other operating systems' access lists (Windows builds will need their own), and files outside the
//! data folder (a receipt saved elsewhere goes where the clerk chose).

use std::path::Path;

/// Permissions of the data folder and of every folder in it.
pub const DIR_MODE: u32 = 0o700;
/// Permissions of every file in the data folder.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and missing parents) readable by its owner only, then narrows what is already in it.
pub(crate) fn make_private(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)?;
        narrow(dir, 0)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Creates the file at `path` (empty) readable by its owner only, if it does not exist yet. SQLite gives its
/// write-ahead log and shared-memory files the permissions of the database file, so they follow.
pub(crate) fn create_private_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        if path.exists() {
            return Ok(());
        }
        match std::fs::OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(path) {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Folders below the data folder are followed this deep at most (WebKit's caches are a few levels deep).
#[cfg(unix)]
const MAX_DEPTH: usize = 16;

/// Takes group and other permissions away from `dir` and everything below it. The owner's bits stay as they
/// are (a folder or file made read-only stays so); symbolic links are left alone (their target is not the data
/// folder's business). What belongs to another account, or lies on a read-only file system, cannot be changed
/// and is passed over: the vault then says what it cannot do when it writes.
#[cfg(unix)]
fn narrow(path: &Path, depth: usize) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let passed_over = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => Ok(()),
        _ => Err(e),
    };
    let meta = std::fs::symlink_metadata(path)?;
    let mode = meta.permissions().mode() & 0o7777;
    if (meta.is_dir() || meta.is_file()) && mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700)).or_else(passed_over)?;
    }
    if !meta.is_dir() || depth >= MAX_DEPTH {
        return Ok(());
    }
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => return passed_over(e),
    };
    for entry in entries {
        narrow(&entry?.path(), depth + 1)?;
    }
    Ok(())
}
