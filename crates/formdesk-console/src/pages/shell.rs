//! Who is signed in and what the frame around every page shows: the product name, the tenant's name (or
//! "Betrieb" for the operator), the person's display name, the navigation for their roles and the sign-out
//! form.

pub use crate::auth::role::Role;
use crate::pages::assets;

/// The signed-in person as the pages need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The person's display name ("Petra Schmidt").
    pub display_name: String,
    /// The tenant's name ("Gemeinde Hiddenhausen"); `None` for the operator.
    pub tenant_name: Option<String>,
    /// The account's roles.
    pub roles: Vec<Role>,
    /// The session's CSRF token, put into every form.
    pub csrf: String,
}

impl Viewer {
    fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether this is the operator (no tenant).
    pub fn is_operator(&self) -> bool {
        self.has(Role::Operator)
    }

    /// Whether the person may enrol, revoke and rename desks.
    pub fn manages_devices(&self) -> bool {
        self.has(Role::DeviceAdmin)
    }

    /// Whether the person may publish forms, manage destinations and set a desk's channel.
    pub fn edits_forms(&self) -> bool {
        self.has(Role::FormEditor)
    }

    /// Whether the person picks up submissions of their destinations.
    pub fn reads_inbox(&self) -> bool {
        self.has(Role::InboxUser)
    }

    /// What the header names beside the product: the tenant, or "Betrieb" for the operator.
    pub fn context_name(&self) -> &str {
        match &self.tenant_name {
            Some(name) if !self.is_operator() => name,
            _ => "Betrieb",
        }
    }
}

/// A part of the console, one entry of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `/admin/`
    Overview,
    /// `/admin/geraete`
    Devices,
    /// `/admin/formulare`
    Forms,
    /// `/admin/ziele`
    Destinations,
    /// `/admin/eingang`
    Inbox,
    /// `/admin/protokoll`
    Audit,
    /// `/admin/betrieb/mandanten`
    Tenants,
    /// `/admin/betrieb/konten`
    Accounts,
    /// `/admin/betrieb/zustand`
    Health,
    /// `/admin/konto`
    Account,
}

impl Section {
    /// Every section in navigation order.
    pub const ALL: [Section; 10] = [
        Section::Overview,
        Section::Devices,
        Section::Forms,
        Section::Destinations,
        Section::Inbox,
        Section::Audit,
        Section::Tenants,
        Section::Accounts,
        Section::Health,
        Section::Account,
    ];

    /// The section's path.
    pub fn path(self) -> &'static str {
        match self {
            Section::Overview => "/admin/",
            Section::Devices => "/admin/geraete",
            Section::Forms => "/admin/formulare",
            Section::Destinations => "/admin/ziele",
            Section::Inbox => "/admin/eingang",
            Section::Audit => "/admin/protokoll",
            Section::Tenants => "/admin/betrieb/mandanten",
            Section::Accounts => "/admin/betrieb/konten",
            Section::Health => "/admin/betrieb/zustand",
            Section::Account => "/admin/konto",
        }
    }

    /// The German link text.
    pub fn label(self) -> &'static str {
        match self {
            Section::Overview => "Übersicht",
            Section::Devices => "Geräte",
            Section::Forms => "Formulare",
            Section::Destinations => "Ziele",
            Section::Inbox => "Eingang",
            Section::Audit => "Protokoll",
            Section::Tenants => "Mandanten",
            Section::Accounts => "Konten",
            Section::Health => "Zustand",
            Section::Account => "Mein Konto",
        }
    }

    /// Whether the viewer may open the section (the `GET` column of the route table).
    pub fn open_to(self, viewer: &Viewer) -> bool {
        let tenant_role = viewer.edits_forms() || viewer.manages_devices() || viewer.reads_inbox();
        match self {
            Section::Overview | Section::Inbox | Section::Audit | Section::Account => true,
            Section::Devices | Section::Forms => viewer.edits_forms() || viewer.manages_devices(),
            Section::Destinations => viewer.edits_forms() || viewer.reads_inbox(),
            Section::Tenants | Section::Accounts | Section::Health => viewer.is_operator() && !tenant_role,
        }
    }
}

/// One link of the navigation.
#[derive(Debug, Clone)]
pub(crate) struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What the base layout needs: the title, the style sheet and, when someone is signed in, the header's names,
/// the navigation and the sign-out form's token.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub title: String,
    pub stylesheet: String,
    pub signed_in: Option<SignedIn>,
}

#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    pub context: String,
    pub person: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

impl Frame {
    /// The frame of a page before sign-in: no navigation, no sign-out.
    pub fn public(title: &str) -> Frame {
        Frame { title: title.to_owned(), stylesheet: assets::stylesheet_href(), signed_in: None }
    }

    /// The frame of a page for a signed-in person; `current` marks the section the page belongs to.
    pub fn for_viewer(title: &str, viewer: &Viewer, current: Option<Section>) -> Frame {
        let nav = Section::ALL
            .into_iter()
            .filter(|s| s.open_to(viewer))
            .map(|s| NavItem { href: s.path(), label: s.label(), current: Some(s) == current })
            .collect();
        Frame {
            title: title.to_owned(),
            stylesheet: assets::stylesheet_href(),
            signed_in: Some(SignedIn {
                context: viewer.context_name().to_owned(),
                person: viewer.display_name.clone(),
                csrf: viewer.csrf.clone(),
                nav,
            }),
        }
    }

    /// A frame for a signed-in viewer or, without one, a public frame.
    pub fn maybe(title: &str, viewer: Option<&Viewer>) -> Frame {
        match viewer {
            Some(v) => Frame::for_viewer(title, v, None),
            None => Frame::public(title),
        }
    }
}
