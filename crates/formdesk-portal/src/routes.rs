//! Every route of the portal, in one table: [`ROUTES`]. The server's router is built from it and from nothing
//! else (`server::router`), and the isolation test (`tests/it/isolation.rs`, which includes this file) walks
//! the same table, filling each path parameter with ids of the kind it takes; so a route cannot exist without
//! being walked.
//!
//! This file depends on nothing of the crate, so the tests can include it as it is.

/// An HTTP method a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// PUT.
    Put,
    /// POST.
    Post,
}

impl Method {
    /// Its name on the wire.
    #[cfg_attr(not(test), expect(dead_code, reason = "for the isolation test, which includes this file"))]
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
        }
    }
}

/// Who a route serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The desks' API (`/v1/…`, and the health check): the answers to one tenant's desk must not tell
    /// anything of another tenant.
    Api,
    /// The form-update channel's files: public, signed in themselves (TUF). Each tenant's repository is served
    /// under its own ARS (`/forms/v1/t<ARS>/…`); the portal's single repository from before tenants under
    /// `/forms/v1/` (tenant 1's until it has its own; docs/tenants.md, section 3).
    Channel,
    /// The administrators' web console (`/admin`): HTML pages for people signed in with a session cookie,
    /// each route open to the roles its [`Access`] names.
    Console,
    /// The desk app's updates (`/app/v1/…`): public, the bundles signed in themselves (the updater checks
    /// the signature with the key the desk was built or provisioned with); the same for every tenant.
    AppUpdate,
}

/// A role of a console account, as the route table names them (docs/tenants.md, section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleRole {
    /// The computing centre (`betrieb`).
    Operator,
    /// A tenant's form editor (`formulare`).
    FormEditor,
    /// A tenant's device administrator (`geraete`).
    DeviceAdmin,
    /// An authority's inbox user (`eingang`).
    InboxUser,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A desk's API or the channel: their own checks (a signature, an enrolment code, none for the channel).
    Desk,
    /// A console page without a session: sign-in, the setup link, the style sheet.
    Public,
    /// The second step of a sign-in: a session whose password was checked but not its TOTP code yet.
    SecondFactor,
    /// A console page for a full session holding one of these roles; any other role gets the 404 page.
    Roles(&'static [ConsoleRole]),
}

const ALL_ROLES: &[ConsoleRole] =
    &[ConsoleRole::Operator, ConsoleRole::FormEditor, ConsoleRole::DeviceAdmin, ConsoleRole::InboxUser];
const OPERATOR: &[ConsoleRole] = &[ConsoleRole::Operator];
const DEVICE_READERS: &[ConsoleRole] = &[ConsoleRole::FormEditor, ConsoleRole::DeviceAdmin];
const DEVICE_ADMIN: &[ConsoleRole] = &[ConsoleRole::DeviceAdmin];
const FORM_EDITOR: &[ConsoleRole] = &[ConsoleRole::FormEditor];
const DESTINATION_READERS: &[ConsoleRole] = &[ConsoleRole::FormEditor, ConsoleRole::InboxUser];

/// A page of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// "Anmelden".
    SignIn,
    /// "Bestätigungscode" (TOTP).
    SecondFactor,
    /// Sign-out.
    SignOut,
    /// "Konto einrichten" through the one-time setup link.
    Setup,
    /// The style sheet under its hashed name.
    Static,
    /// "Übersicht" (the operator's or the tenant's).
    Overview,
    /// "Geräte"; `POST` enrols a desk.
    Devices,
    /// One desk.
    Device,
    /// "Gerät sperren": `GET` the confirmation, `POST` the revocation.
    RevokeDevice,
    /// "Mein Konto": password, two-factor sign-in.
    Account,
    /// The operator's "Mandanten".
    Tenants,
    /// The operator's "Konten".
    Accounts,
    /// The operator's "Zustand" (health).
    Health,
    /// "Eingang": counts only.
    Inbox,
    /// "Protokoll".
    Audit,
    /// "Formulare": the list; `POST` takes a form editor's bundle ("Formularstand hochladen").
    Forms,
    /// One form: its versions, their rollout, and its import report.
    Form,
    /// A form's import report as the import wrote it (JSON, to download).
    FormReport,
    /// A form editor puts a desk on the pilot channel or back on all.
    DeviceChannel,
    /// "Ziele"; `POST` adds one with its public key ("Ziel hinzufügen").
    Destinations,
}

/// What a path parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// The id of a submission the caller's device announced.
    Submission,
    /// A submission id the desk chooses: new, or one its device announced before (the announcement).
    NewSubmission,
    /// The id of an attachment of the submission in the same path.
    Attachment,
    /// The name of a file of the form-update channel.
    ChannelFile,
    /// A tenant's repository of the form-update channel: `t` and the tenant's ARS.
    ChannelTenant,
    /// The id of a desk of the caller's tenant (console).
    Device,
    /// The token of a one-time setup link (console).
    SetupToken,
    /// The name of a static file of the console.
    StaticFile,
    /// The id of a form of the caller's tenant's form set (console).
    Form,
    /// A channel of the desk app's updates: `pilot` or `all`.
    AppChannel,
    /// The file name of a bundle of the desk app's updates.
    AppBundle,
}

/// Which handler answers a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /healthz`.
    Health,
    /// The portal's protocol version and acceptance key.
    Portal,
    /// A desk trades its one-time code for its registration.
    Enrol,
    /// The destinations of the desk's tenant.
    Destinations,
    /// A submission is announced.
    Announce,
    /// A submission's status.
    Submission,
    /// A piece of an attachment.
    Upload,
    /// A submission's metadata and data; the acceptance.
    Submit,
    /// A desk's report of its form set; the channel it reads.
    ReportForms,
    /// A desk's audit entries after the last acknowledged one; the portal's head and checkpoint of its log.
    AuditUpload,
    /// A metadata file of the form-update channel.
    ChannelMetadata,
    /// A target file of the form-update channel.
    ChannelTarget,
    /// A metadata file of a tenant's repository of the form-update channel.
    TenantChannelMetadata,
    /// A target file of a tenant's repository of the form-update channel.
    TenantChannelTarget,
    /// The desk app's update manifest of a channel (tauri-plugin-updater's JSON; 204 while none).
    AppManifest,
    /// A bundle of the desk app's updates.
    AppBundle,
    /// A page of the console.
    Console(Page),
}

/// One route: method, path (axum's syntax, `{name}` per parameter), who it serves, what each parameter
/// takes (in path order), and its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    /// The method.
    pub method: Method,
    /// The path.
    pub path: &'static str,
    /// Who it serves.
    pub kind: Kind,
    /// What each path parameter takes, in the order of the path.
    pub ids: &'static [IdKind],
    /// Its handler.
    pub endpoint: Endpoint,
    /// Who may call it.
    pub access: Access,
}

const fn route(
    method: Method,
    path: &'static str,
    kind: Kind,
    ids: &'static [IdKind],
    endpoint: Endpoint,
) -> RouteSpec {
    RouteSpec { method, path, kind, ids, endpoint, access: Access::Desk }
}

const fn console(method: Method, path: &'static str, ids: &'static [IdKind], page: Page, access: Access) -> RouteSpec {
    RouteSpec { method, path, kind: Kind::Console, ids, endpoint: Endpoint::Console(page), access }
}

/// Every route of the portal.
pub const ROUTES: &[RouteSpec] = &[
    route(Method::Get, "/healthz", Kind::Api, &[], Endpoint::Health),
    route(Method::Get, "/v1/portal", Kind::Api, &[], Endpoint::Portal),
    route(Method::Post, "/v1/enrolment", Kind::Api, &[], Endpoint::Enrol),
    route(Method::Get, "/v1/destinations", Kind::Api, &[], Endpoint::Destinations),
    route(Method::Put, "/v1/submissions/{id}", Kind::Api, &[IdKind::NewSubmission], Endpoint::Announce),
    route(Method::Get, "/v1/submissions/{id}", Kind::Api, &[IdKind::Submission], Endpoint::Submission),
    route(
        Method::Put,
        "/v1/submissions/{id}/attachments/{attachment}",
        Kind::Api,
        &[IdKind::Submission, IdKind::Attachment],
        Endpoint::Upload,
    ),
    route(Method::Post, "/v1/submissions/{id}/submit", Kind::Api, &[IdKind::Submission], Endpoint::Submit),
    route(Method::Post, "/v1/forms/report", Kind::Api, &[], Endpoint::ReportForms),
    route(Method::Post, "/v1/audit", Kind::Api, &[], Endpoint::AuditUpload),
    route(Method::Get, "/forms/v1/metadata/{file}", Kind::Channel, &[IdKind::ChannelFile], Endpoint::ChannelMetadata),
    route(Method::Get, "/forms/v1/targets/{file}", Kind::Channel, &[IdKind::ChannelFile], Endpoint::ChannelTarget),
    route(
        Method::Get,
        "/forms/v1/{repository}/metadata/{file}",
        Kind::Channel,
        &[IdKind::ChannelTenant, IdKind::ChannelFile],
        Endpoint::TenantChannelMetadata,
    ),
    route(
        Method::Get,
        "/forms/v1/{repository}/targets/{file}",
        Kind::Channel,
        &[IdKind::ChannelTenant, IdKind::ChannelFile],
        Endpoint::TenantChannelTarget,
    ),
    route(Method::Get, "/app/v1/{channel}/latest.json", Kind::AppUpdate, &[IdKind::AppChannel], Endpoint::AppManifest),
    route(Method::Get, "/app/v1/bundles/{file}", Kind::AppUpdate, &[IdKind::AppBundle], Endpoint::AppBundle),
    // The console (docs/tenants.md, section 4, "Routes × roles"). A role not named answers the 404 page.
    console(Method::Get, "/admin/anmelden", &[], Page::SignIn, Access::Public),
    console(Method::Post, "/admin/anmelden", &[], Page::SignIn, Access::Public),
    console(Method::Get, "/admin/anmelden/code", &[], Page::SecondFactor, Access::SecondFactor),
    console(Method::Post, "/admin/anmelden/code", &[], Page::SecondFactor, Access::SecondFactor),
    console(Method::Post, "/admin/abmelden", &[], Page::SignOut, Access::Roles(ALL_ROLES)),
    console(Method::Get, "/admin/einrichten/{token}", &[IdKind::SetupToken], Page::Setup, Access::Public),
    console(Method::Post, "/admin/einrichten/{token}", &[IdKind::SetupToken], Page::Setup, Access::Public),
    console(Method::Get, "/admin/static/{file}", &[IdKind::StaticFile], Page::Static, Access::Public),
    console(Method::Get, "/admin/", &[], Page::Overview, Access::Roles(ALL_ROLES)),
    console(Method::Get, "/admin/konto", &[], Page::Account, Access::Roles(ALL_ROLES)),
    console(Method::Post, "/admin/konto", &[], Page::Account, Access::Roles(ALL_ROLES)),
    console(Method::Get, "/admin/betrieb/mandanten", &[], Page::Tenants, Access::Roles(OPERATOR)),
    console(Method::Post, "/admin/betrieb/mandanten", &[], Page::Tenants, Access::Roles(OPERATOR)),
    console(Method::Get, "/admin/betrieb/konten", &[], Page::Accounts, Access::Roles(OPERATOR)),
    console(Method::Post, "/admin/betrieb/konten", &[], Page::Accounts, Access::Roles(OPERATOR)),
    console(Method::Get, "/admin/betrieb/zustand", &[], Page::Health, Access::Roles(OPERATOR)),
    console(Method::Get, "/admin/geraete", &[], Page::Devices, Access::Roles(DEVICE_READERS)),
    console(Method::Post, "/admin/geraete", &[], Page::Devices, Access::Roles(DEVICE_ADMIN)),
    console(Method::Get, "/admin/geraete/{id}", &[IdKind::Device], Page::Device, Access::Roles(DEVICE_READERS)),
    console(
        Method::Get,
        "/admin/geraete/{id}/sperren",
        &[IdKind::Device],
        Page::RevokeDevice,
        Access::Roles(DEVICE_ADMIN),
    ),
    console(
        Method::Post,
        "/admin/geraete/{id}/sperren",
        &[IdKind::Device],
        Page::RevokeDevice,
        Access::Roles(DEVICE_ADMIN),
    ),
    console(Method::Get, "/admin/formulare", &[], Page::Forms, Access::Roles(DEVICE_READERS)),
    console(Method::Post, "/admin/formulare", &[], Page::Forms, Access::Roles(FORM_EDITOR)),
    console(Method::Get, "/admin/formulare/{id}", &[IdKind::Form], Page::Form, Access::Roles(DEVICE_READERS)),
    console(
        Method::Get,
        "/admin/formulare/{id}/bericht",
        &[IdKind::Form],
        Page::FormReport,
        Access::Roles(DEVICE_READERS),
    ),
    console(
        Method::Post,
        "/admin/geraete/{id}/kanal",
        &[IdKind::Device],
        Page::DeviceChannel,
        Access::Roles(FORM_EDITOR),
    ),
    console(Method::Get, "/admin/ziele", &[], Page::Destinations, Access::Roles(DESTINATION_READERS)),
    console(Method::Post, "/admin/ziele", &[], Page::Destinations, Access::Roles(FORM_EDITOR)),
    console(Method::Get, "/admin/eingang", &[], Page::Inbox, Access::Roles(ALL_ROLES)),
    console(Method::Get, "/admin/protokoll", &[], Page::Audit, Access::Roles(ALL_ROLES)),
];

/// Whether a caller with `roles` may call a route of `access` (a full session; see [`Access`]).
#[cfg_attr(test, allow(dead_code, reason = "the isolation test includes this file without using it"))]
pub fn allows(access: Access, roles: &[ConsoleRole]) -> bool {
    match access {
        Access::Roles(allowed) => roles.iter().any(|r| allowed.contains(r)),
        Access::Desk | Access::Public | Access::SecondFactor => false,
    }
}

/// The path with each `{…}` replaced by the next of `ids`.
#[cfg_attr(not(test), expect(dead_code, reason = "for the isolation test, which includes this file"))]
pub fn fill(path: &str, ids: &[&str]) -> String {
    let mut out = String::new();
    let mut ids = ids.iter();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e + 1);
        out.push_str(ids.next().copied().unwrap_or_default());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_has_its_kind_and_every_route_is_there_once() {
        for spec in ROUTES {
            assert_eq!(spec.path.matches('{').count(), spec.ids.len(), "{}", spec.path);
            let same = ROUTES.iter().filter(|r| r.path == spec.path && r.method == spec.method).count();
            assert_eq!(same, 1, "{} {}", spec.method.as_str(), spec.path);
        }
        assert!(ROUTES.iter().any(|r| r.path == formdesk_protocol::wire::FORMS_REPORT_PATH));
        assert_eq!(
            fill("/v1/submissions/{id}/attachments/{attachment}", &["s", "a"]),
            "/v1/submissions/s/attachments/a"
        );
    }
}
