//! What went wrong in the channel: a German sentence for the clerk and what the libraries said for the log.

use std::path::PathBuf;

/// Why a form set from the portal was refused. Every kind keeps the last good set installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// A signature does not verify or is missing: the metadata was changed or signed by a key that is not
    /// trusted for it.
    Signature,
    /// The portal offered metadata older than what the desk has seen (a replay).
    Rollback,
    /// The metadata's validity ended: the portal stopped renewing it (a freeze), or it is very old.
    Expired,
    /// A file does not match the hash or length its signed metadata names.
    Tampered,
    /// A new root is not signed by the root the desk trusts (a changed key without a rotation).
    Root,
    /// The metadata or the manifest cannot be read as what it claims to be.
    Malformed,
}

impl Rejection {
    fn german(self) -> &'static str {
        match self {
            Rejection::Signature => "eine Unterschrift fehlt oder stimmt nicht",
            Rejection::Rollback => "er ist älter als der schon installierte",
            Rejection::Expired => "seine Gültigkeit ist abgelaufen",
            Rejection::Tampered => "eine Datei wurde verändert",
            Rejection::Root => "ein Schlüsselwechsel ist nicht beglaubigt",
            Rejection::Malformed => "er ist nicht lesbar",
        }
    }
}

/// Why publishing, checking or installing a form set failed.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// The portal could not be reached (or did not answer as a portal).
    #[error("Der Portalserver ist nicht erreichbar; die Formulare werden später aktualisiert.")]
    Unreachable(String),
    /// The portal's form set did not verify and was not installed.
    #[error("Der Formularstand vom Portal wurde abgelehnt, weil {}. Die bisherigen Formulare bleiben in Gebrauch.", .0.german())]
    Rejected(Rejection, String),
    /// A file of the desk's form store or of the repository could not be read or written.
    #[error("Die Formulare auf diesem Gerät können nicht gelesen oder gespeichert werden.")]
    Io(PathBuf, #[source] std::io::Error),
    /// The desk has no trusted root yet (not enrolled, nothing shipped).
    #[error(
        "Dieses Gerät hat noch keinen Schlüssel für Formularaktualisierungen; es muss zuerst beim Portal angemeldet werden."
    )]
    NoRoot,
    /// An administrator's command cannot be done as asked (a key, a form, a channel).
    #[error("{0}")]
    Admin(String),
}

impl ChannelError {
    /// What the libraries said, for the log.
    pub fn detail(&self) -> String {
        match self {
            ChannelError::Unreachable(d) | ChannelError::Rejected(_, d) => d.clone(),
            ChannelError::Io(path, e) => format!("{}: {e}", path.display()),
            ChannelError::NoRoot => "no trusted root in the form store".to_owned(),
            ChannelError::Admin(d) => d.clone(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ChannelError {
        let path = path.into();
        move |e| ChannelError::Io(path, e)
    }

    /// Sorts what tough said into our kinds. A transport failure is the network; everything about the
    /// content is a rejection.
    pub(crate) fn from_tough(e: tough::error::Error) -> ChannelError {
        use tough::error::Error as T;
        let detail = chain(&e);
        let kind = match &e {
            // A file that does not match its hash or is longer than its metadata says fails inside the
            // download stream, so tough reports it as a transport error with that cause.
            T::Transport { .. } if caused_by_content(&e) => Rejection::Tampered,
            T::Transport { .. } => return ChannelError::Unreachable(detail),
            T::ExpiredMetadata { .. } => Rejection::Expired,
            T::OlderMetadata { .. }
            | T::OlderSnapshotInTimestamp { .. }
            | T::SnapshotRoleRollback { .. }
            | T::SystemTimeSteppedBackward { .. } => Rejection::Rollback,
            T::HashMismatch { .. } | T::MaxSizeExceeded { .. } => Rejection::Tampered,
            T::VerifyTrustedMetadata { .. } => Rejection::Root,
            T::VerifyMetadata { role, .. } if *role == tough::schema::RoleType::Root => Rejection::Root,
            T::VerifyMetadata { .. } | T::VerifyRoleMetadata { .. } => Rejection::Signature,
            T::ParseMetadata { .. } | T::ParseTrustedMetadata { .. } => Rejection::Malformed,
            T::VersionMismatch { .. } | T::MetaMissing { .. } | T::RoleNotInMeta { .. } => Rejection::Signature,
            T::DatastoreCreate { path, .. } | T::DatastoreOpen { path, .. } | T::DatastoreRemove { path, .. } => {
                return ChannelError::Io(path.clone(), std::io::Error::other(detail));
            }
            _ => Rejection::Malformed,
        };
        ChannelError::Rejected(kind, detail)
    }
}

/// Whether a hash or length check of tough's is among the causes of `e`.
fn caused_by_content(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(t) = s.downcast_ref::<tough::error::Error>()
            && matches!(t, tough::error::Error::HashMismatch { .. } | tough::error::Error::MaxSizeExceeded { .. })
        {
            return true;
        }
        source = s.source();
    }
    false
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
