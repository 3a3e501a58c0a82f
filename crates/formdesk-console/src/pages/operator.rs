//! The operator's pages: "Übersicht" (all tenants with their health figures), "Mandanten" (list and
//! "Mandant anlegen"), "Konten" (list and "Konto anlegen", with the one-time setup link afterwards) and
//! "Zustand" (the service's health). The operator never sees a tenant's devices, forms or submissions.

use crate::pages::shell::{Frame, Role, Section};
use crate::pages::{PageError, Viewer};
use askama::Template;

/// One tenant in the operator's overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantHealthRow {
    /// The regional key.
    pub ars: String,
    /// The tenant's name.
    pub name: String,
    /// Enrolled desks that are not revoked.
    pub desks: u32,
    /// The most recent contact of any desk ("06.12.2026, 17:40"), if any.
    pub last_contact: Option<String>,
    /// Days since the current form set was published, if there is one.
    pub form_set_age_days: Option<u32>,
    /// Days until the tenant's channel signature runs out, if known.
    pub signature_ends_in_days: Option<u32>,
    /// Submissions waiting for pickup.
    pub waiting: u64,
    /// When the oldest waiting one arrived, if any wait.
    pub oldest_waiting: Option<String>,
    /// Whether the tenant's audit head was verified against its last checkpoint.
    pub audit_verified: bool,
    /// Whether the tenant is suspended.
    pub suspended: bool,
}

/// `GET /admin/` for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorOverviewPage {
    /// All tenants.
    pub tenants: Vec<TenantHealthRow>,
}

#[derive(Template, Debug)]
#[template(path = "operator_overview.html")]
struct OperatorOverviewTemplate<'a> {
    frame: Frame,
    page: &'a OperatorOverviewPage,
}

/// Renders the operator's "Übersicht".
pub fn render_operator_overview(viewer: &Viewer, page: &OperatorOverviewPage) -> Result<String, PageError> {
    Ok(OperatorOverviewTemplate { frame: Frame::for_viewer("Übersicht", viewer, Some(Section::Overview)), page }
        .render()?)
}

/// One tenant in "Mandanten".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRow {
    /// The regional key.
    pub ars: String,
    /// The name.
    pub name: String,
    /// When it was created ("01.10.2026").
    pub created: String,
    /// Number of accounts.
    pub accounts: u32,
    /// Whether it is suspended.
    pub suspended: bool,
}

/// Why "Mandant anlegen" was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantProblem {
    /// The ARS is not 12 digits.
    ArsInvalid,
    /// A tenant with this ARS exists.
    ArsTaken,
    /// The name is empty.
    NameMissing,
}

impl TenantProblem {
    /// The German sentence.
    pub fn text(self) -> &'static str {
        match self {
            TenantProblem::ArsInvalid => "Der Regionalschlüssel hat genau 12 Ziffern, zum Beispiel 057580016016.",
            TenantProblem::ArsTaken => "Für diesen Regionalschlüssel gibt es schon einen Mandanten.",
            TenantProblem::NameMissing => "Bitte geben Sie den Namen der Verwaltung ein.",
        }
    }
}

/// `GET/POST /admin/betrieb/mandanten`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantsPage {
    /// All tenants.
    pub tenants: Vec<TenantRow>,
    /// Why the last "Mandant anlegen" was refused.
    pub problem: Option<TenantProblem>,
    /// What was typed, shown again after a refusal: (ARS, name).
    pub entered: Option<(String, String)>,
}

#[derive(Template, Debug)]
#[template(path = "tenants.html")]
struct TenantsTemplate<'a> {
    frame: Frame,
    viewer: &'a Viewer,
    page: &'a TenantsPage,
    problem: Option<&'static str>,
    ars_problem: bool,
    name_problem: bool,
    ars: &'a str,
    name: &'a str,
}

/// Renders "Mandanten".
pub fn render_tenants(viewer: &Viewer, page: &TenantsPage) -> Result<String, PageError> {
    let (ars, name) = match &page.entered {
        Some((a, n)) => (a.as_str(), n.as_str()),
        None => ("", ""),
    };
    Ok(TenantsTemplate {
        frame: Frame::for_viewer("Mandanten", viewer, Some(Section::Tenants)),
        viewer,
        page,
        problem: page.problem.map(TenantProblem::text),
        ars_problem: matches!(page.problem, Some(TenantProblem::ArsInvalid | TenantProblem::ArsTaken)),
        name_problem: page.problem == Some(TenantProblem::NameMissing),
        ars,
        name,
    }
    .render()?)
}

/// One account in "Konten".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// The account's id (used in links).
    pub id: String,
    /// The login.
    pub login: String,
    /// The display name.
    pub display_name: String,
    /// The tenant's name; `None` for an operator account.
    pub tenant: Option<String>,
    /// Its roles.
    pub roles: Vec<Role>,
    /// Whether two-factor sign-in is on.
    pub totp: bool,
    /// Whether the setup link has not been used yet.
    pub setup_pending: bool,
    /// Whether the account is disabled.
    pub disabled: bool,
}

impl AccountRow {
    fn role_labels(&self) -> String {
        self.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")
    }
}

/// A tenant to choose when creating an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantChoice {
    /// The regional key (the value sent).
    pub ars: String,
    /// The name shown.
    pub name: String,
}

/// The answer to "Konto anlegen": the one-time setup link, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedAccount {
    /// The new account's login.
    pub login: String,
    /// The whole link (`https://portal.example.de/admin/einrichten/<token>`).
    pub setup_link: String,
    /// Until when it is valid (72 hours).
    pub valid_until: String,
}

/// Why "Konto anlegen" was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountProblem {
    /// The login is taken.
    LoginTaken,
    /// No role was chosen.
    NoRole,
    /// A tenant's role without a tenant, or the operator role with one.
    RoleTenantMismatch,
}

impl AccountProblem {
    /// The German sentence.
    pub fn text(self) -> &'static str {
        match self {
            AccountProblem::LoginTaken => "Diesen Anmeldenamen gibt es schon. Bitte wählen Sie einen anderen.",
            AccountProblem::NoRole => "Bitte wählen Sie mindestens eine Aufgabe.",
            AccountProblem::RoleTenantMismatch => {
                "Konten des Betriebs gehören zu keinem Mandanten; alle anderen Aufgaben brauchen einen Mandanten."
            }
        }
    }
}

/// `GET/POST /admin/betrieb/konten`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountsPage {
    /// All accounts.
    pub accounts: Vec<AccountRow>,
    /// The tenants to choose from.
    pub tenants: Vec<TenantChoice>,
    /// The account just created, with its setup link.
    pub created: Option<CreatedAccount>,
    /// Why the last "Konto anlegen" was refused.
    pub problem: Option<AccountProblem>,
}

#[derive(Template, Debug)]
#[template(path = "accounts.html")]
struct AccountsTemplate<'a> {
    frame: Frame,
    viewer: &'a Viewer,
    page: &'a AccountsPage,
    problem: Option<&'static str>,
    login_problem: bool,
    roles_problem: bool,
}

/// Renders "Konten".
pub fn render_accounts(viewer: &Viewer, page: &AccountsPage) -> Result<String, PageError> {
    Ok(AccountsTemplate {
        frame: Frame::for_viewer("Konten", viewer, Some(Section::Accounts)),
        viewer,
        page,
        problem: page.problem.map(AccountProblem::text),
        login_problem: page.problem == Some(AccountProblem::LoginTaken),
        roles_problem: matches!(page.problem, Some(AccountProblem::NoRole | AccountProblem::RoleTenantMismatch)),
    }
    .render()?)
}

/// A portal instance seen recently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRow {
    /// Its name (host and process).
    pub name: String,
    /// When it was last seen.
    pub last_seen: String,
}

/// When a tenant's channel metadata runs out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiryRow {
    /// The tenant's name (or "gemeinsamer Katalog").
    pub tenant: String,
    /// Which metadata ("Zeitstempel", "Formularstand", "Mandantenrolle").
    pub what: String,
    /// When it expires.
    pub expires: String,
    /// Days left.
    pub days_left: i64,
}

/// One tenant's last audit checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRow {
    /// The tenant's name (or "Betrieb").
    pub tenant: String,
    /// Entries covered.
    pub size: u64,
    /// When it was signed.
    pub at: String,
    /// Whether the chain up to it verified.
    pub verified: bool,
}

/// `GET /admin/betrieb/zustand`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthPage {
    /// The database's answer time in milliseconds, or `None` if it did not answer.
    pub database_ms: Option<u32>,
    /// Instances seen in the last 10 minutes.
    pub instances: Vec<InstanceRow>,
    /// Channel expiries, soonest first.
    pub expiries: Vec<ExpiryRow>,
    /// Submissions whose ciphertext is due for deletion but not deleted yet, if counted.
    pub purge_backlog: Option<u64>,
    /// Whether the audit chains were checked for this page ("Protokolle prüfen").
    pub checked: bool,
    /// The last checkpoint of each audit log.
    pub checkpoints: Vec<CheckpointRow>,
}

#[derive(Template, Debug)]
#[template(path = "health.html")]
struct HealthTemplate<'a> {
    frame: Frame,
    page: &'a HealthPage,
}

/// Renders "Zustand".
pub fn render_health(viewer: &Viewer, page: &HealthPage) -> Result<String, PageError> {
    Ok(HealthTemplate { frame: Frame::for_viewer("Zustand", viewer, Some(Section::Health)), page }.render()?)
}
