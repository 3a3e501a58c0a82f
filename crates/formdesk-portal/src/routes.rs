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
    /// The form-update channel's files: public, signed in themselves (TUF), one repository for the whole
    /// portal until the channel is split per tenant (docs/tenants.md, section 3).
    Channel,
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
    /// A metadata file of the form-update channel.
    ChannelMetadata,
    /// A target file of the form-update channel.
    ChannelTarget,
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
}

const fn route(
    method: Method,
    path: &'static str,
    kind: Kind,
    ids: &'static [IdKind],
    endpoint: Endpoint,
) -> RouteSpec {
    RouteSpec { method, path, kind, ids, endpoint }
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
    route(Method::Get, "/forms/v1/metadata/{file}", Kind::Channel, &[IdKind::ChannelFile], Endpoint::ChannelMetadata),
    route(Method::Get, "/forms/v1/targets/{file}", Kind::Channel, &[IdKind::ChannelFile], Endpoint::ChannelTarget),
];

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
