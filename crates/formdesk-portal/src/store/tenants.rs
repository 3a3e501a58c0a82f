//! Tenants: the municipalities one portal serves, and the handle that proves which one a caller acts for.
//!
//! Every [`Store`](super::Store) method on tenant data takes a [`&Tenant`](Tenant) first, and a `Tenant` can only
//! be made inside `store`: by the tenant-free lookups that authenticate a caller (a device's signature, an
//! enrolment code) and by the administrators' `--tenant` resolution ([`Store::tenants`](super::Store::tenants),
//! which wants an [`Operator`]). A handler that has none cannot call a tenant method, so a forgotten filter
//! does not compile; the backends bind the tenant's id in every statement.

use formdesk_protocol::ids::Ars;

/// A tenant the caller was proved to act for. Its constructor is private to `store`; it is not
/// `Deserialize`, and its internal id never leaves `store` (people and the channel see the ARS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    id: i64,
    ars: Ars,
}

impl Tenant {
    pub(in crate::store) fn new(id: i64, ars: Ars) -> Tenant {
        Tenant { id, ars }
    }

    /// The id rows carry, for the backends' statements.
    pub(in crate::store) fn id(&self) -> i64 {
        self.id
    }

    /// Its regional key.
    pub fn ars(&self) -> &Ars {
        &self.ars
    }
}

/// Whoever may see and change all tenants: today only the administrators' command line on the portal's
/// machine. The server never makes one.
#[derive(Debug)]
pub struct Operator(());

impl Operator {
    /// The operator at the command line (whoever may run this program on the portal's machine).
    pub fn command_line() -> Operator {
        Operator(())
    }
}

/// A tenant as the operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantInfo {
    /// The handle for its data.
    pub tenant: Tenant,
    /// Its name ("Stadt Herford").
    pub name: String,
    /// When it was added, Unix seconds.
    pub created_at: i64,
    /// When it was suspended; its desks are refused since.
    pub suspended_at: Option<i64>,
}

/// A tenant to add (or to adopt a single-municipality database as).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTenant {
    /// Its regional key.
    pub ars: Ars,
    /// Its name.
    pub name: String,
    /// Its letterhead for receipts: `municipality.json`, formatVersion 1.
    pub letterhead: String,
    /// Its logo (PNG or JPEG) and the logo's media type.
    pub logo: Option<(Vec<u8>, String)>,
    /// Now, Unix seconds.
    pub created_at: i64,
}

/// A device found by the id in a signature, with its tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDevice {
    /// The device.
    pub device: super::Device,
    /// Its tenant.
    pub tenant: Tenant,
    /// When its tenant was suspended, if it was: its requests are refused like a revoked device's.
    pub tenant_suspended_at: Option<i64>,
}

/// Reads a stored ARS.
pub(in crate::store) fn stored_ars(text: &str) -> Result<Ars, super::StoreError> {
    Ars::parse(text).map_err(|e| super::StoreError::Corrupt(e.to_string()))
}

/// The refusal for an ARS that is taken.
pub(in crate::store) fn ars_taken(ars: &Ars) -> super::StoreError {
    super::StoreError::refused(super::Refusal::Conflict, format!("a tenant with ARS {ars} exists already"))
}
