//! "Übersicht" for a tenant's people: the tenant's name, ARS and logo, its desks, its form set and the
//! submissions waiting. The operator's overview is in [`crate::pages::operator`].

use crate::pages::shell::{Frame, Section};
use crate::pages::{PageError, Viewer};
use askama::Template;

/// `GET /admin/` for an account of a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantOverviewPage {
    /// The tenant's name ("Gemeinde Hiddenhausen").
    pub name: String,
    /// The regional key, 12 digits.
    pub ars: String,
    /// Where the portal serves the tenant's logo (under `/admin/static/`), if it has one.
    pub logo_path: Option<String>,
    /// Enrolled desks that are not revoked.
    pub desks_enrolled: u32,
    /// Revoked desks.
    pub desks_revoked: u32,
    /// Desks that have not installed the current form set yet.
    pub desks_behind: u32,
    /// The version of the tenant's current form set.
    pub form_set_version: u64,
    /// Days since that set was published.
    pub form_set_age_days: u32,
    /// Days until the signature of the tenant's channel role runs out, if it is known.
    pub signature_ends_in_days: Option<u32>,
    /// Submissions waiting for pickup, over the destinations the viewer may see.
    pub waiting: u64,
}

#[derive(Template, Debug)]
#[template(path = "overview.html")]
struct OverviewTemplate<'a> {
    frame: Frame,
    viewer: &'a Viewer,
    page: &'a TenantOverviewPage,
}

/// Renders the tenant's "Übersicht".
pub fn render_tenant_overview(viewer: &Viewer, page: &TenantOverviewPage) -> Result<String, PageError> {
    Ok(OverviewTemplate { frame: Frame::for_viewer("Übersicht", viewer, Some(Section::Overview)), viewer, page }
        .render()?)
}
