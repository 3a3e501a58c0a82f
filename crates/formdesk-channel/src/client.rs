//! The desk's check: verify the portal's metadata with tough from the pinned root, and download and install
//! what changed.

use crate::error::ChannelError;
use crate::layout::{self, Channel, Scope};
use crate::manifest::SetManifest;
use crate::store::{FormStore, Installed};
use crate::transport::{Counted, HttpTransport};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tough::{FilesystemTransport, IntoVec, RepositoryLoader, TargetName, Transport};
use url::Url;

/// Where a desk reads the repository from.
#[derive(Debug, Clone)]
pub struct Source {
    metadata: Url,
    targets: Url,
    transport: Counted,
    scope: Scope,
}

impl Source {
    /// The single repository of the portal at `portal` (`https://portal.example.de`), over `client`.
    pub fn portal(client: reqwest::Client, portal: &str) -> Result<Source, ChannelError> {
        Source::portal_of(client, portal, Scope::Shared)
    }

    /// The repository `scope` (a tenant's, `/forms/v1/t<ARS>/`) of the portal at `portal`, over `client`.
    pub fn portal_of(client: reqwest::Client, portal: &str, scope: Scope) -> Result<Source, ChannelError> {
        let base = Url::parse(portal.trim_end_matches('/'))
            .and_then(|u| u.join(&scope.url_prefix()))
            .map_err(|e| ChannelError::Unreachable(format!("{portal}: {e}")))?;
        let join = |dir: &str| base.join(&format!("{dir}/")).map_err(|e| ChannelError::Unreachable(e.to_string()));
        Ok(Source {
            metadata: join(layout::METADATA_DIR)?,
            targets: join(layout::TARGETS_DIR)?,
            transport: Counted::new(Box::new(HttpTransport::new(client))),
            scope,
        })
    }

    /// A repository folder on this machine (tests, a copy carried on a stick).
    pub fn dir(repo: &Path) -> Result<Source, ChannelError> {
        let url = |dir: &str| {
            Url::from_directory_path(repo.join(dir))
                .map_err(|()| ChannelError::Unreachable(format!("{}: not an absolute path", repo.display())))
        };
        Ok(Source {
            metadata: url(layout::METADATA_DIR)?,
            targets: url(layout::TARGETS_DIR)?,
            transport: Counted::new(Box::new(FilesystemTransport)),
            scope: Scope::Shared,
        })
    }

    /// The same place read as the repository `scope`: the target names asked for carry its prefix.
    pub fn scoped(mut self, scope: Scope) -> Source {
        self.scope = scope;
        self
    }

    /// Whose repository this source reads.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// A source over another transport (a test's, one that fails on purpose).
    pub fn with_transport(mut self, transport: Box<dyn Transport>) -> Source {
        self.transport = Counted::new(transport);
        self
    }

    /// Bytes read through this source so far.
    pub fn bytes_read(&self) -> u64 {
        self.transport.counter().load(Ordering::Relaxed)
    }

    /// The shared byte counter.
    pub fn counter(&self) -> Arc<AtomicU64> {
        self.transport.counter()
    }
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// The installed set is the newest.
    Unchanged(Installed),
    /// A newer set was downloaded and installed.
    Installed {
        /// The set now current.
        set: Installed,
        /// Files downloaded (not counting metadata).
        files: usize,
    },
}

impl Checked {
    /// The set now current.
    pub fn set(&self) -> &Installed {
        match self {
            Checked::Unchanged(set) | Checked::Installed { set, .. } => set,
        }
    }
}

fn name(raw: &str) -> Result<TargetName, ChannelError> {
    TargetName::new(raw).map_err(|e| ChannelError::Rejected(crate::Rejection::Malformed, format!("{raw}: {e}")))
}

async fn read(repo: &tough::Repository, target: &str) -> Result<Option<Vec<u8>>, ChannelError> {
    match repo.read_target(&name(target)?).await.map_err(ChannelError::from_tough)? {
        None => Ok(None),
        Some(stream) => stream.into_vec().await.map(Some).map_err(ChannelError::from_tough),
    }
}

/// Checks the repository for a newer set of `channel` (a pilot desk falls back to `all` while the pilot
/// channel is empty), downloads the files the store does not have, and installs it. Anything that does not
/// verify is refused and the installed set stays current. A rotated root is pinned once verified.
pub async fn check(store: &FormStore, source: &Source, channel: Channel) -> Result<Checked, ChannelError> {
    let root = store.trusted_root().ok_or(ChannelError::NoRoot)?;
    let repo = RepositoryLoader::new(&root, source.metadata.clone(), source.targets.clone())
        .transport(source.transport.clone())
        .datastore(store.datastore())
        .load()
        .await
        .map_err(ChannelError::from_tough)?;
    let newest = crate::sign::to_bytes(repo.root())?;
    if repo.root().signed.version.get() > trusted_version(&root) {
        store.pin_root(&newest)?;
    }
    // A tenant's desk asks only for its own names (`t<ARS>.set.<channel>.json`): a name signed by another
    // tenant's role is outside this repository's delegation and never found.
    let mut manifest_bytes = read(&repo, &source.scope.manifest_name(channel)).await?;
    if manifest_bytes.is_none() && channel == Channel::Pilot {
        manifest_bytes = read(&repo, &source.scope.manifest_name(Channel::All)).await?;
    }
    let current = store.current()?;
    let Some(manifest_bytes) = manifest_bytes else {
        return current
            .map(Checked::Unchanged)
            .ok_or_else(|| ChannelError::Admin("Im Formularkanal ist noch nichts veröffentlicht.".into()));
    };
    let sha = crate::sha256_hex(&manifest_bytes);
    if let Some(current) = current.filter(|c| c.sha256 == sha) {
        return Ok(Checked::Unchanged(current));
    }
    let manifest =
        SetManifest::from_json(&manifest_bytes).map_err(|e| ChannelError::Rejected(crate::Rejection::Malformed, e))?;
    let mut files = 0;
    for file in manifest.files() {
        if store.has_object(&file.sha256) {
            continue;
        }
        let bytes = read(&repo, &file.target).await?.ok_or_else(|| {
            ChannelError::Rejected(
                crate::Rejection::Signature,
                format!("{} is not among the signed targets", file.target),
            )
        })?;
        store.add_object(file, &bytes)?;
        files += 1;
    }
    let set = store.install(&manifest_bytes)?;
    Ok(Checked::Installed { set, files })
}

fn trusted_version(root: &[u8]) -> u64 {
    serde_json::from_slice::<tough::schema::Signed<tough::schema::Root>>(root).map_or(0, |r| r.signed.version.get())
}
