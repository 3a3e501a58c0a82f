//! Types that cross the IPC boundary to the web view, besides the engine's [`formdesk_engine::FormState`].
//!
//! Errors cross as `{ code, message }` with a closed set of codes; the UI switches on `code`, never on the
//! message.

use crate::DeskError;
use crate::drafts::{Draft, DraftStatus, Summary};
use chrono::NaiveDateTime;
use formdesk_engine::state::{FeeState, StepState};
use formdesk_engine::{Form, FormState};
use formdesk_vault::VaultError;
use serde::Serialize;
use ts_rs::TS;

/// A file of a draft (an attachment, a photo, a signature's picture) as its answer records it; the bytes
/// are in the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileRef {
    /// The file's name as chosen.
    pub name: String,
    /// Its media type (`image/jpeg`).
    pub media_type: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// The reference answers keep.
    #[serde(rename = "ref")]
    pub file_ref: String,
}

impl FileRef {
    pub(crate) fn of(info: &formdesk_vault::AttachmentInfo) -> FileRef {
        FileRef {
            name: info.name.clone(),
            media_type: info.media_type.clone(),
            size: info.size,
            file_ref: info.id.to_string(),
        }
    }
}

/// What the app shows of a finalized draft's receipt; the PDF stays in the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptView {
    /// The reference to read aloud (`HUND-7K3F-Q9XD`).
    pub reference: String,
    /// The delivery state, in German.
    pub delivery: String,
    /// The QR code as SVG.
    pub qr_svg: String,
    /// The text the QR code carries: the signed payload (no personal data).
    pub payload: String,
}

/// Where delivery to the portal stands, for the start screen's "Übermittlung" panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    /// Whether the desk is registered with a portal.
    pub enrolled: bool,
    /// The portal's address.
    pub portal_url: Option<String>,
    /// The name the administrator gave this desk.
    pub device_name: Option<String>,
    /// Whether the portal answered last time (`None`: not tried yet since the start).
    pub online: Option<bool>,
    /// Sending pauses while the desk is locked.
    pub locked: bool,
    /// When a submission was last delivered, in German (`02.12.2026, 14:03 Uhr`).
    pub last_sync_at: Option<String>,
    /// Why the last attempt failed, for the clerk.
    pub last_error: Option<String>,
    /// Submissions being sent right now.
    pub sending: u32,
    /// Finalized submissions that wait for their authority's key (the desk has not fetched it yet).
    pub waiting_for_key: u32,
    /// The queue, the most recent first.
    pub entries: Vec<QueueEntry>,
}

/// What the start screen shows beside the search, from one reading of the desk: the work list and the
/// "Übermittlung" panel, which therefore always agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StartView {
    /// Open and finalized cases, the most recently changed first.
    pub drafts: Vec<DraftInfo>,
    /// The connection to the portal and the queue.
    pub sync: SyncView,
}

/// One finalized submission on its way to the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntry {
    /// The draft's number on this desk.
    #[ts(type = "number")]
    pub draft_id: u64,
    /// The form's title, in German.
    pub form_title: String,
    /// `queued`, `failed` (refused; waits for "Jetzt senden") or `delivered`.
    pub state: String,
    /// The state in German: "Wartet auf Übermittlung", "Abgelehnt", "Übermittelt am 02.12.2026, 14:03 Uhr".
    pub label: String,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Why the last attempt failed, for the clerk.
    pub last_error: Option<String>,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SearchResult {
    /// The form.
    pub form: FormSummary,
    /// How well it matched; higher is better.
    pub score: f32,
}

/// How far a finalized case has come on its way to the authority, as the work list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DeliveryState {
    /// Not delivered yet: queued, or waiting for the destination's key or a connection.
    Waiting,
    /// The portal refused it for a reason a retry does not change; the "Übermittlung" panel says why.
    Refused,
    /// The portal has confirmed it.
    Delivered,
}

impl From<formdesk_vault::Delivery> for DeliveryState {
    fn from(delivery: formdesk_vault::Delivery) -> Self {
        match delivery {
            formdesk_vault::Delivery::Queued => DeliveryState::Waiting,
            formdesk_vault::Delivery::Failed => DeliveryState::Refused,
            formdesk_vault::Delivery::Delivered => DeliveryState::Delivered,
        }
    }
}

/// A draft's bookkeeping, without its answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftInfo {
    /// The draft's number at this desk.
    #[ts(type = "number")]
    pub id: u64,
    /// The form's id.
    pub form_id: String,
    /// The form's German title.
    pub form_title: String,
    /// The version of the form the draft was begun on (and is finalized with).
    pub form_version: String,
    /// How that form stands now: current, a newer version exists, closing, or withdrawn.
    pub form_status: FormStatus,
    /// The citizen's name as entered (the form's summary fields); empty until entered.
    pub citizen: String,
    /// Open or final.
    pub status: DraftStatus,
    /// The step the clerk is on, or `review`.
    pub step: String,
    /// The steps visited so far.
    pub visited: Vec<String>,
    /// The steps whose errors are all shown.
    pub checked: Vec<String>,
    /// The language of the form's texts.
    pub citizen_lang: String,
    /// When the draft was started.
    pub created: NaiveDateTime,
    /// When it last changed.
    pub updated: NaiveDateTime,
    /// Why it cannot be shown (its stored data is damaged), for the clerk; absent when it can.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub damaged: Option<String>,
    /// For a finalized draft in the work list: how far its delivery has come. Absent for open drafts and
    /// outside the work list.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub delivery: Option<DeliveryState>,
    /// Delivered, and its contents shredded on this desk: it is listed, but there is nothing left to open.
    pub erased: bool,
    /// The draft this one's answers were carried over into (a newer version of the form); this one is
    /// deleted when that one is finalized.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub carried_to: Option<u64>,
}

impl DraftInfo {
    pub(crate) fn of(d: &Draft, form_title: &str, name_fields: &[String]) -> DraftInfo {
        DraftInfo {
            form_version: d.form_version.clone(),
            ..DraftInfo::from_summary(d.id, &d.form_id, form_title, d.status, d.summary(name_fields))
        }
    }

    pub(crate) fn from_summary(id: u64, form_id: &str, form_title: &str, status: DraftStatus, s: Summary) -> DraftInfo {
        DraftInfo {
            id,
            form_id: form_id.to_owned(),
            form_title: form_title.to_owned(),
            form_version: String::new(),
            form_status: FormStatus::Current,
            citizen: s.citizen,
            status,
            step: s.step,
            visited: s.visited.into_iter().collect(),
            checked: s.checked.into_iter().collect(),
            citizen_lang: s.citizen_lang,
            created: s.created,
            updated: s.updated,
            damaged: None,
            delivery: None,
            erased: false,
            carried_to: s.carried_to,
        }
    }

    /// An entry whose stored summary cannot be read: listed with what is known, so that nothing is hidden.
    pub(crate) fn damaged(
        id: u64,
        form_id: &str,
        form_title: &str,
        status: DraftStatus,
        times: (NaiveDateTime, NaiveDateTime),
        message: String,
    ) -> DraftInfo {
        DraftInfo { damaged: Some(message), ..DraftInfo::bare(id, form_id, form_title, status, times) }
    }

    /// A delivered case whose contents are shredded: the form, its number and times are all that is left.
    pub(crate) fn erased(id: u64, form_id: &str, form_title: &str, times: (NaiveDateTime, NaiveDateTime)) -> DraftInfo {
        DraftInfo {
            delivery: Some(DeliveryState::Delivered),
            erased: true,
            ..DraftInfo::bare(id, form_id, form_title, DraftStatus::Final, times)
        }
    }

    /// What is known of a case without its summary.
    fn bare(
        id: u64,
        form_id: &str,
        form_title: &str,
        status: DraftStatus,
        (created, updated): (NaiveDateTime, NaiveDateTime),
    ) -> DraftInfo {
        DraftInfo {
            id,
            form_id: form_id.to_owned(),
            form_title: form_title.to_owned(),
            form_version: String::new(),
            form_status: FormStatus::Current,
            citizen: String::new(),
            status,
            step: String::new(),
            visited: Vec::new(),
            checked: Vec::new(),
            citizen_lang: "de".to_owned(),
            created,
            updated,
            damaged: None,
            delivery: None,
            erased: false,
            carried_to: None,
        }
    }
}

/// How a draft's form stands in the form set now installed, for the work list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum FormStatus {
    /// The draft's form is the current version.
    Current,
    /// A newer version of the form is installed; the draft stays with its own and finalizes with it (or is
    /// carried over).
    Outdated,
    /// No new cases of the form are begun; this draft may still be finalized.
    Closing,
    /// The form was withdrawn: the draft cannot be finalized; its answers can be carried over once a new
    /// version is there.
    Withdrawn,
}

/// The installed form set, for the start screen ("Formularstand vom 02.12.2026") and what the last update
/// changed ("Formulare wurden aktualisiert").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FormsInfo {
    /// The set's version: counts up with every publication; 0 for the set shipped with the app.
    #[ts(type = "number")]
    pub set_version: u64,
    /// The channel it came from (`pilot`, `all`), `app` for the set shipped with the app.
    pub channel: String,
    /// "Formularstand vom 02.12.2026".
    pub published: String,
    /// Whether it is the set shipped with the app (no update installed yet).
    pub shipped: bool,
    /// The German titles of the forms the last update added.
    pub added: Vec<String>,
    /// … changed.
    pub changed: Vec<String>,
    /// … withdrawn, closed or removed.
    pub withdrawn: Vec<String>,
}

/// The start screen's "Formulare" panel: the installed set and the last check of the portal's form channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FormsView {
    /// The installed set and what the last update changed.
    pub info: FormsInfo,
    /// Whether the desk has a form channel to check (enrolled with a portal that serves forms).
    pub connected: bool,
    /// Whether a check is running now.
    pub checking: bool,
    /// When the channel was last checked, in German (`02.12.2026, 14:03 Uhr`).
    pub checked_at: Option<String>,
    /// Why the last check failed, for the clerk.
    pub error: Option<String>,
}

/// Why an answer was not carried over into the current version of a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NotCarriedReason {
    /// The current version has no such field (removed or renamed).
    Removed,
    /// The field is of another kind now (a text became a choice).
    Changed,
    /// The answer is no longer valid (an option that is gone, a new limit).
    Invalid,
}

/// An answer that was not carried over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NotCarried {
    /// The field's id.
    pub field: String,
    /// Its German label.
    pub label: String,
    /// Why.
    pub reason: NotCarriedReason,
    /// The answers left behind as the review shows them, each different one once (a field of a repeat
    /// group has one per instance); empty for a group or an answer that cannot be shown as text.
    pub values: Vec<String>,
}

/// A draft carried over into the current version of its form.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CarryOver {
    /// The new draft, on the review.
    pub draft: DraftView,
    /// The answers left behind, each field once; the old draft keeps them until the new one is finalized.
    pub not_carried: Vec<NotCarried>,
}

/// Where the desk's vault stands: what the app shows before anything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VaultState {
    /// Whether the desk was set up (a first clerk and the recovery secret exist).
    pub set_up: bool,
    /// Whether the vault is unlocked.
    pub unlocked: bool,
    /// Who unlocked it.
    pub clerk: Option<String>,
    /// The clerks who can unlock this desk, for the lock screen's choice.
    pub clerks: Vec<String>,
    /// The shortest PIN accepted.
    pub min_pin_length: usize,
}

/// What setting up a desk gives once: the administrator's recovery secret, to be kept on paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetupResult {
    /// The recovery secret in groups of four (`7K3F-Q9XD-…`).
    pub recovery_secret: String,
    /// The vault's state afterwards: unlocked.
    pub state: VaultState,
}

/// The app's own updates, as the start screen shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppUpdateView {
    /// The version running now ("1.4.0").
    pub current: String,
    /// A newer version, downloaded and verified, waiting for a restart.
    pub ready: Option<String>,
    /// What its publishers wrote about it.
    pub notes: Option<String>,
    /// Why the last offer was refused or the last check failed (a German sentence), if it was.
    pub error: Option<String>,
}

/// What a provisioning file sets the desk up for, as the setup shows it before the desk connects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningView {
    /// The portal's address.
    pub portal: String,
    /// The municipality's name ("Stadt Herford").
    pub municipality: String,
    /// The name the administrator gave this desk.
    pub device_name: String,
    /// Until when the file can be used, in German ("14.12.2026, 10:30 Uhr").
    pub valid_until: String,
    /// Whether that time is over: the desk will refuse the file.
    pub expired: bool,
}

impl ProvisioningView {
    /// The view of `file` at `now` (Unix seconds).
    pub fn of(file: &formdesk_protocol::provisioning::Provisioning, now: i64) -> ProvisioningView {
        ProvisioningView {
            portal: file.portal.clone(),
            municipality: file.tenant.name.clone(),
            device_name: file.device_name.clone(),
            valid_until: crate::german_time(file.expires_at),
            expired: file.check_current(now).is_err(),
        }
    }
}

/// A draft with its evaluated form.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DraftView {
    /// The bookkeeping.
    pub draft: DraftInfo,
    /// The evaluated form, texts in the citizen's language.
    pub state: FormState,
}

/// What the citizen's screen shows: read-only, in the citizen's language, nothing but the current step.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CitizenView {
    /// The form's title in the citizen's language.
    pub title: String,
    /// The citizen's language.
    pub lang: String,
    /// Open or final.
    pub status: DraftStatus,
    /// The current step's number, from 1; one past the last during the review.
    pub step_number: usize,
    /// How many steps are visible.
    pub step_count: usize,
    /// The current step; `None` during the review.
    pub step: Option<StepState>,
    /// The fees that apply.
    pub fees: Vec<FeeState>,
}

/// One line of the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReviewItem {
    /// The answer's path, for the edit link.
    pub path: String,
    /// The field's label.
    pub label: String,
    /// The value as people read it.
    pub value: Option<String>,
    /// A heading line (the second dog), not a value.
    pub heading: bool,
    /// Required but not answered.
    pub missing: bool,
    /// The field's error, if any.
    pub error: Option<String>,
}

/// One step of the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReviewStep {
    /// The step's id, for the edit link.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Whether it has no errors.
    pub complete: bool,
    /// What was entered.
    pub items: Vec<ReviewItem>,
}

/// The review of a draft with the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewView {
    /// The draft.
    pub draft: DraftInfo,
    /// The visible steps.
    pub steps: Vec<ReviewStep>,
    /// Fees as (label, amount in German notation).
    pub fees: Vec<(String, String)>,
    /// Whether the draft can be finalized.
    pub complete: bool,
    /// How many errors stand in the way.
    pub error_count: usize,
}

/// A form in the list of installed forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FormSummary {
    /// The form's id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// The languages a citizen can be served in: those the form names that cover all of its texts.
    pub languages: Vec<String>,
}

impl FormSummary {
    /// The summary of `form` in `lang`.
    pub fn of(form: &Form, lang: &str) -> FormSummary {
        let def = form.definition();
        FormSummary {
            id: def.id.clone(),
            version: def.version.clone(),
            title: def.title.get(lang).to_owned(),
            description: def.description.as_ref().map(|d| d.get(lang).to_owned()),
            languages: form.citizen_languages(),
        }
    }
}

/// The closed set of error codes the UI knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The form is not installed.
    UnknownForm,
    /// The draft does not exist.
    UnknownDraft,
    /// The draft is final.
    Finalized,
    /// An answer path does not fit the form.
    BadPath,
    /// The step cannot be opened now.
    StepNotReachable,
    /// A window could not be opened or shown.
    Window,
    /// The form is not complete.
    Incomplete,
    /// The desk is locked: the UI shows the lock screen.
    Locked,
    /// The desk was not set up yet: the UI shows the setup.
    NotSetUp,
    /// The desk is set up already.
    AlreadySetUp,
    /// No clerk of that name, or one of that name exists already.
    Clerk,
    /// The PIN is wrong.
    WrongPin,
    /// Too many wrong PINs: wait.
    Blocked,
    /// A PIN that is too short or was not repeated the same.
    BadPin,
    /// The recovery secret is wrong or not well-formed.
    RecoverySecret,
    /// Stored data does not decrypt: damaged or changed.
    Damaged,
    /// Saving or reading failed (disk full, read-only, damaged file); nothing already saved was lost.
    Storage,
    /// A file that is not the draft's, or too large.
    File,
    /// Printing failed.
    Print,
    /// The receipt could not be made or saved.
    Receipt,
    /// Sealing for the authority or delivery to the portal failed.
    Delivery,
    /// The draft's form was withdrawn: it cannot be finalized (its answers can be carried over).
    Withdrawn,
    /// The installed forms: a form not offered for new cases, a form set that cannot be read.
    Forms,
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    /// What kind of error.
    pub code: ErrorCode,
    /// A message for the clerk, in German.
    pub message: String,
}

impl IpcError {
    /// A window could not be opened or shown; the shell's error text goes to the log.
    pub fn window(e: &dyn std::fmt::Display) -> IpcError {
        IpcError {
            code: ErrorCode::Window,
            message: crate::logged("Das Fenster konnte nicht geöffnet werden.".into(), e),
        }
    }

    /// The place chosen for the receipt cannot be used; why goes to the log.
    pub fn receipt(e: &dyn std::fmt::Display) -> IpcError {
        IpcError {
            code: ErrorCode::Receipt,
            message: crate::logged(
                "Die Eingangsbestätigung kann dort nicht gespeichert werden. Bitte wählen Sie einen anderen Ort."
                    .into(),
                e,
            ),
        }
    }

    /// A part of a file arrived without the bytes or without saying whose it is.
    pub fn file_part(what: &str) -> IpcError {
        IpcError {
            code: ErrorCode::File,
            message: crate::logged(
                "Die Datei konnte nicht übertragen werden. Bitte versuchen Sie es noch einmal.".into(),
                what,
            ),
        }
    }
}

impl From<DeskError> for IpcError {
    fn from(e: DeskError) -> IpcError {
        let code = match e {
            DeskError::UnknownForm(_) => ErrorCode::UnknownForm,
            DeskError::UnknownDraft(_) => ErrorCode::UnknownDraft,
            DeskError::Finalized(_) => ErrorCode::Finalized,
            DeskError::BadPath(_) | DeskError::LanguageNotOffered(..) => ErrorCode::BadPath,
            DeskError::StepNotReachable(_) => ErrorCode::StepNotReachable,
            DeskError::Incomplete(_) => ErrorCode::Incomplete,
            DeskError::PinMismatch => ErrorCode::BadPin,
            DeskError::UnknownFile | DeskError::FileTooLarge => ErrorCode::File,
            DeskError::Print(_) => ErrorCode::Print,
            DeskError::Receipt(_) | DeskError::NoReceipt(_) | DeskError::Config(_) => ErrorCode::Receipt,
            DeskError::NoClerkName => ErrorCode::Clerk,
            DeskError::Delivery(_) => ErrorCode::Delivery,
            DeskError::Unreadable(..) => ErrorCode::Damaged,
            DeskError::Withdrawn(_) => ErrorCode::Withdrawn,
            DeskError::Forms(_) => ErrorCode::Forms,
            DeskError::Vault(ref v) => vault_code(v),
        };
        if let Some(detail) = e.detail() {
            eprintln!("formdesk: {e} ({detail})");
        }
        IpcError { code, message: e.to_string() }
    }
}

fn vault_code(e: &VaultError) -> ErrorCode {
    match e {
        VaultError::Locked => ErrorCode::Locked,
        VaultError::NotInitialized => ErrorCode::NotSetUp,
        VaultError::AlreadyInitialized => ErrorCode::AlreadySetUp,
        VaultError::UnknownClerk(_) | VaultError::ClerkExists(_) => ErrorCode::Clerk,
        VaultError::WrongPin { .. } => ErrorCode::WrongPin,
        VaultError::Blocked { .. } => ErrorCode::Blocked,
        VaultError::PinTooShort { .. } => ErrorCode::BadPin,
        VaultError::WrongRecoverySecret | VaultError::MalformedRecoverySecret(_) => ErrorCode::RecoverySecret,
        VaultError::UnknownSubmission(_) => ErrorCode::UnknownDraft,
        VaultError::WrongState { status: formdesk_vault::Status::Draft, .. } => ErrorCode::UnknownDraft,
        VaultError::WrongState { .. } => ErrorCode::Finalized,
        VaultError::Tampered { .. } | VaultError::Crypto(_) => ErrorCode::Damaged,
        _ => ErrorCode::Storage,
    }
}
