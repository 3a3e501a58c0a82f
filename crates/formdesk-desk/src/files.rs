//! The files of a draft: attachments, photos and signatures' pictures, received in parts and kept encrypted
//! in the vault chunk by chunk; an answer names a file by the vault's id (`ref`).
//!
//! Non-goals: what a file means to the form (the engine checks media types and sizes as the form says).

use crate::ipc::FileRef;
use crate::{Desk, DeskError, Inner, MAX_FILE_BYTES, vault_id};
use formdesk_engine::Answers;
use formdesk_vault::VaultError;
use serde_json::Value;
use zeroize::Zeroizing;

impl Desk {
    /// Starts a file of draft `id` (an attachment, a photo, a signature's picture) whose bytes follow in
    /// parts ([`Desk::add_to_file`]); returns the reference the answer records it by once
    /// [`Desk::finish_file`] has stored it. The bytes go encrypted into the vault chunk by chunk; no file is
    /// held whole in memory.
    pub fn begin_file(&self, id: u64, name: &str, media_type: &str) -> Result<String, DeskError> {
        self.touch();
        let mut inner = self.inner();
        Self::loaded(&mut inner, id)?.editable()?;
        let name: String = name.trim().chars().filter(|c| !c.is_control()).take(255).collect();
        let name = if name.is_empty() { "Datei".to_owned() } else { name };
        let media_type = media_type.trim().to_ascii_lowercase();
        let media_type = if is_media_type(&media_type) { media_type } else { "application/octet-stream".to_owned() };
        let attachment = inner.vault.begin_attachment(vault_id(id)?, &name, &media_type)?;
        inner.uploads.insert(attachment, 0);
        Ok(attachment.to_string())
    }

    /// Adds the next part of a file begun with [`Desk::begin_file`].
    pub fn add_to_file(&self, id: u64, file: &str, bytes: &[u8]) -> Result<(), DeskError> {
        self.touch();
        let attachment = file_id(file)?;
        let mut inner = self.inner();
        Self::loaded(&mut inner, id)?.editable()?;
        let size = inner.uploads.get(&attachment).copied().ok_or(DeskError::UnknownFile)?;
        let size = size + bytes.len() as u64;
        if size > MAX_FILE_BYTES {
            inner.uploads.remove(&attachment);
            let _ = inner.vault.remove_attachment(vault_id(id)?, attachment);
            return Err(DeskError::FileTooLarge);
        }
        inner.vault.write_attachment(attachment, bytes).map_err(|e| match e {
            VaultError::UnknownAttachment(_) => DeskError::UnknownFile,
            e => e.into(),
        })?;
        inner.uploads.insert(attachment, size);
        Ok(())
    }

    /// Stores the rest of a file and answers with the record an answer keeps of it.
    pub fn finish_file(&self, id: u64, file: &str) -> Result<FileRef, DeskError> {
        self.touch();
        let attachment = file_id(file)?;
        let mut inner = self.inner();
        Self::loaded(&mut inner, id)?.editable()?;
        inner.uploads.remove(&attachment).ok_or(DeskError::UnknownFile)?;
        let info = inner.vault.finish_attachment(attachment).map_err(|e| match e {
            VaultError::UnknownAttachment(_) => DeskError::UnknownFile,
            e => e.into(),
        })?;
        Ok(FileRef::of(&info))
    }

    /// The record and the bytes of one of draft `id`'s files (to show a photo or a signature again).
    pub fn read_file(&self, id: u64, file: &str) -> Result<(FileRef, Zeroizing<Vec<u8>>), DeskError> {
        self.touch();
        let attachment = file_id(file)?;
        let mut inner = self.inner();
        Self::loaded(&mut inner, id)?;
        let info = inner
            .vault
            .attachments(vault_id(id)?)?
            .into_iter()
            .find(|a| a.id == attachment)
            .ok_or(DeskError::UnknownFile)?;
        let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(info.size).unwrap_or(0)));
        inner.vault.read_attachment(vault_id(id)?, attachment, &mut *bytes)?;
        Ok((FileRef::of(&info), bytes))
    }

    /// The files of draft `id`.
    pub fn files(&self, id: u64) -> Result<Vec<FileRef>, DeskError> {
        let mut inner = self.inner();
        Self::loaded(&mut inner, id)?;
        Ok(inner.vault.attachments(vault_id(id)?)?.iter().map(FileRef::of).collect())
    }

    /// Checks that every file `value` refers to is one of draft `id`'s.
    pub(crate) fn check_files(&self, id: u64, value: &Value) -> Result<(), DeskError> {
        let mut refs = Vec::new();
        file_refs(value, &mut refs);
        if refs.is_empty() {
            return Ok(());
        }
        let stored: Vec<String> =
            self.inner().vault.attachments(vault_id(id)?)?.iter().map(|a| a.id.to_string()).collect();
        if refs.iter().all(|r| stored.iter().any(|s| s == r)) { Ok(()) } else { Err(DeskError::UnknownFile) }
    }

    /// Deletes the files of draft `id` that no answer refers to any more (removed, replaced, or in a
    /// removed repeat instance).
    pub(crate) fn drop_unused_files(inner: &mut Inner, id: u64, answers: &Answers) -> Result<(), DeskError> {
        let mut used = Vec::new();
        for value in answers.values() {
            file_refs(value, &mut used);
        }
        for file in inner.vault.attachments(vault_id(id)?)? {
            if !used.contains(&file.id.to_string()) {
                inner.vault.remove_attachment(vault_id(id)?, file.id)?;
            }
        }
        Ok(())
    }
}

/// The vault's number of a file, from the reference an answer keeps.
fn file_id(file: &str) -> Result<i64, DeskError> {
    file.parse().map_err(|_| DeskError::UnknownFile)
}

/// Whether `text` looks like a media type (`image/jpeg`), so that nothing else is stored as one.
fn is_media_type(text: &str) -> bool {
    let token = |t: &str| {
        !t.is_empty() && t.len() <= 127 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    text.split_once('/').is_some_and(|(a, b)| token(a) && token(b))
}

/// Collects the file references in an answer: the `ref` of every object in it (files, signatures).
fn file_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("ref") {
                out.push(r.clone());
            }
            for v in map.values() {
                file_refs(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| file_refs(v, out)),
        _ => {}
    }
}
