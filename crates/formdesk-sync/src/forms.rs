//! The desk's check of the portal's form-update channel: when the desk connects and whenever the portal
//! comes back, every few minutes while it answers, and when the clerk presses "Formulare aktualisieren".
//!
//! A round reports the installed set to the portal (which answers with the channel the desk reads: `pilot`
//! or `all`), then lets `formdesk_channel::check` verify the channel with the root the desk pinned and install
//! what changed. What the round found is kept for the start screen ([`FormsCheck`]); an installed set is
//! announced as [`crate::desk::LinkEvent::FormsInstalled`], and the shell has the desk pick it up.
//! A desk without a pinned root (enrolled with a portal that had no channel yet) checks nothing.
//!
//! Each municipality (tenant) has a repository of its own on the portal (`/forms/v1/t<ARS>/`). The enrolment
//! answer names the desk's tenant; [`pin_enrolment`] pins the root it brought as that repository's, in the
//! form store beside the root (`tuf/repository.json`), so root and repository never disagree. A desk enrolled
//! before tenants, or whose tenant has no repository yet (`formsShared`), reads the single one (`/forms/v1/`).

use crate::portal::{Portal, forms_report};
use formdesk_channel::{Channel, ChannelError, Checked, FormStore, Rejection, Scope};
use formdesk_protocol::wire::EnrolResponse;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How often a connected desk checks by itself.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// What the last check of the form channel found (the desk shows it on the start screen).
pub use formdesk_desk::FormsCheck;

/// The running check: its state and how to ask for a round now.
#[derive(Debug, Clone)]
pub(crate) struct FormsLink {
    pub(crate) state: watch::Sender<FormsCheck>,
    pub(crate) now: Arc<Notify>,
    /// The channel the portal last said this desk reads (`all` until it says otherwise).
    pub(crate) channel: Arc<Mutex<Channel>>,
}

/// Why a round failed: the sentence for the clerk and what the libraries said for the log.
struct Failure {
    reason: String,
    detail: String,
}

impl From<ChannelError> for Failure {
    fn from(e: ChannelError) -> Failure {
        Failure { reason: e.to_string(), detail: e.detail() }
    }
}

/// The repository an enrolment answer points the desk at: its tenant's, or the portal's single one (from a
/// portal before tenants, or with `formsShared`).
pub fn repository_of(answer: &EnrolResponse) -> Result<Scope, ChannelError> {
    match &answer.tenant {
        Some(tenant) if !answer.forms_shared => {
            Scope::tenant(&tenant.ars).map_err(|e| ChannelError::Rejected(Rejection::Malformed, e))
        }
        _ => Ok(Scope::Shared),
    }
}

/// Pins the form channel's root that the enrolment answer brought, as the root of the repository it names;
/// from then on the desk reads that repository. Returns whether there was a root to pin.
pub fn pin_enrolment(store: &FormStore, answer: &EnrolResponse) -> Result<bool, ChannelError> {
    let Some(root) = &answer.forms_root else { return Ok(false) };
    store.pin_repository(root.as_bytes(), &repository_of(answer)?)?;
    Ok(true)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl FormsLink {
    /// Starts the check on the current runtime: a round at once, then every `interval`, whenever `online`
    /// turns true, and whenever [`FormsLink::now`] is notified. `installed` is called after a new set was
    /// installed.
    pub(crate) fn start(
        portal: Arc<Portal>,
        store: FormStore,
        interval: Duration,
        mut online: watch::Receiver<bool>,
        installed: impl Fn() + Send + Sync + 'static,
    ) -> FormsLink {
        let has_channel = store.trusted_root().is_some();
        let (state, _) = watch::channel(FormsCheck { has_channel, ..FormsCheck::default() });
        let link = FormsLink { state, now: Arc::new(Notify::new()), channel: Arc::new(Mutex::new(Channel::All)) };
        let (state, now, channel) = (link.state.clone(), Arc::clone(&link.now), Arc::clone(&link.channel));
        tokio::spawn(async move {
            let mut was_online = *online.borrow();
            loop {
                let has_channel = store.trusted_root().is_some();
                if has_channel {
                    state.send_modify(|s| {
                        s.running = true;
                        s.has_channel = true;
                    });
                    let last_error = state.borrow().error.clone();
                    let outcome = round(&portal, &store, &channel, last_error).await;
                    let mut new_set = false;
                    let error = match outcome {
                        Ok(Checked::Installed { .. }) => {
                            new_set = true;
                            None
                        }
                        Ok(Checked::Unchanged(_)) => None,
                        Err(failure) => {
                            eprintln!("formdesk-sync: form update check failed: {}", failure.detail);
                            Some(failure.reason)
                        }
                    };
                    if new_set {
                        installed();
                    }
                    state.send_modify(|s| {
                        s.running = false;
                        s.checked_at = Some(unix_now());
                        s.error = error;
                        s.rounds += 1;
                    });
                } else {
                    state.send_modify(|s| {
                        s.has_channel = false;
                        s.rounds += 1;
                    });
                }
                // The next round: the interval, the clerk, or the portal coming back.
                tokio::select! {
                    () = tokio::time::sleep(interval) => {}
                    () = now.notified() => {}
                    () = async {
                        loop {
                            if online.changed().await.is_err() {
                                std::future::pending::<()>().await;
                            }
                            let is = *online.borrow();
                            let rose = is && !was_online;
                            was_online = is;
                            if rose {
                                break;
                            }
                        }
                    } => {}
                }
            }
        });
        link
    }
}

async fn round(
    portal: &Portal,
    store: &FormStore,
    channel: &Mutex<Channel>,
    last_error: Option<String>,
) -> Result<Checked, Failure> {
    let current = store.current()?;
    if let Some(set) = &current {
        match portal.report_forms(&forms_report(set, last_error)).await {
            Ok(c) => *channel.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = c,
            Err(e) if e.is_unreachable() => return Err(Failure { reason: e.reason(), detail: e.detail().to_owned() }),
            // Locked (no key to sign with) or refused: the channel read last time still holds.
            Err(e) => eprintln!("formdesk-sync: the form set was not reported: {}", e.detail()),
        }
    }
    let reading = *channel.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let source = portal.forms_source(store.repository()?)?;
    let checked = formdesk_channel::check(store, &source, reading).await?;
    if let Checked::Installed { set, .. } = &checked
        && let Err(e) = portal.report_forms(&forms_report(set, None)).await
    {
        eprintln!("formdesk-sync: the new form set was not reported: {}", e.detail());
    }
    Ok(checked)
}
