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

    /// Whether this is tenant 1: the one adopted from a portal before tenants (or the first one added), whose
    /// desks read the portal's single form channel (`/forms/v1/`) until it has a repository of its own.
    pub fn is_first(&self) -> bool {
        self.id == 1
    }
}

/// Whoever may see and change all tenants: the administrators' command line on the portal's machine, and
/// the console session of an operator account (an account of no tenant with the role `betrieb`); the server
/// makes one from nothing else.
#[derive(Debug)]
pub struct Operator(());

impl Operator {
    /// The operator at the command line (whoever may run this program on the portal's machine).
    pub fn command_line() -> Operator {
        Operator(())
    }

    /// The operator behind a console session of an operator account ([`super::accounts::Account::operator`]).
    pub(in crate::store) fn console() -> Operator {
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

/// Whether a database of schema `version` may be opened: one of a single-municipality portal (version 1 or
/// 2) only by `tenants adopt` (`adopting`), and adopting only a database without tenants.
pub(in crate::store) fn check_adoption(version: i64, adopting: bool) -> Result<(), super::StoreError> {
    if (1..super::TENANT_VERSION).contains(&version) && !adopting {
        return Err(super::StoreError::NeedsTenant { found: version });
    }
    if version >= super::TENANT_VERSION && adopting {
        return Err(super::StoreError::refused(
            super::Refusal::Conflict,
            format!(
                "the database has schema version {version} and serves tenants already; `tenants adopt` is for the \
                 database of a single-municipality portal. Add a tenant with `formdesk-portal tenants add`"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The tables that hold a tenant's data (or an account's, or an audit log's, which belong to one).
    const TENANT_TABLES: &[&str] = &[
        "devices",
        "destinations",
        "submissions",
        "attachment_parts",
        "attachment_chunks",
        "accounts",
        "account_roles",
        "account_destinations",
        "sessions",
        "audit_entries",
        "audit_heads",
        "audit_checkpoints",
    ];

    /// Every string literal of a Rust source (plain and raw), without their escapes resolved.
    fn literals(source: &str) -> Vec<String> {
        let bytes = source.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                // A character literal: '"', '\'' or 'x' (a lifetime such as 'a has no closing quote soon).
                b'\'' => {
                    if bytes.get(i + 1) == Some(&b'\\') {
                        i += 4;
                    } else if bytes.get(i + 2) == Some(&b'\'') {
                        i += 3;
                    } else {
                        i += 1;
                    }
                }
                b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#')) && !is_ident(bytes.get(i.wrapping_sub(1))) => {
                    let hashes = bytes[i + 1..].iter().take_while(|b| **b == b'#').count();
                    let start = i + 2 + hashes;
                    let end_marker = format!("\"{}", "#".repeat(hashes));
                    let end = source[start..].find(&end_marker).map_or(bytes.len(), |e| start + e);
                    out.push(source[start..end].to_owned());
                    i = end + end_marker.len();
                }
                b'"' => {
                    let start = i + 1;
                    let mut j = start;
                    while j < bytes.len() && bytes[j] != b'"' {
                        j += if bytes[j] == b'\\' { 2 } else { 1 };
                    }
                    out.push(source[start..j.min(bytes.len())].to_owned());
                    i = j + 1;
                }
                _ => i += 1,
            }
        }
        out
    }

    fn is_ident(byte: Option<&u8>) -> bool {
        byte.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    }

    /// The statements among `literals` that name a tenant table but not `tenant_id`; a statement over all
    /// tenants says so in a comment (`/* all tenants: … */`).
    fn unscoped(literals: &[String]) -> (usize, Vec<String>) {
        let mut statements = 0;
        let mut bad = Vec::new();
        for text in literals {
            let first = text.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
            if !["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(&first.as_str()) {
                continue;
            }
            statements += 1;
            let names_tenant_table = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|word| TENANT_TABLES.contains(&word));
            if names_tenant_table && !text.contains("tenant_id") && !text.contains("/* all tenants") {
                bad.push(text.clone());
            }
        }
        (statements, bad)
    }

    #[test]
    fn every_statement_on_tenant_data_names_the_tenant() {
        for (name, source) in [("sqlite.rs", include_str!("sqlite.rs")), ("postgres.rs", include_str!("postgres.rs"))] {
            // The backend's own tests write databases of version 2 by hand.
            let code = source.split("#[cfg(test)]").next().unwrap_or_default();
            let (statements, bad) = unscoped(&literals(code));
            assert!(statements >= 30, "{name}: only {statements} statements found; is the scan still reading them?");
            assert!(bad.is_empty(), "{name}: statements on tenant data without tenant_id:\n{}", bad.join("\n---\n"));
        }
        // The console's accounts and sessions (store/accounts.rs), each backend in its own file.
        for (name, source) in [
            ("sqlite/accounts.rs", include_str!("sqlite/accounts.rs")),
            ("postgres/accounts.rs", include_str!("postgres/accounts.rs")),
        ] {
            let (statements, bad) = unscoped(&literals(source));
            assert!(statements >= 15, "{name}: only {statements} statements found; is the scan still reading them?");
            assert!(bad.is_empty(), "{name}: statements on tenant data without tenant_id:\n{}", bad.join("\n---\n"));
        }
        // The audit trail (store/audit.rs), each backend in its own file.
        for (name, source) in [
            ("sqlite/audit.rs", include_str!("sqlite/audit.rs")),
            ("postgres/audit.rs", include_str!("postgres/audit.rs")),
        ] {
            let (statements, bad) = unscoped(&literals(source));
            assert!(statements >= 8, "{name}: only {statements} statements found; is the scan still reading them?");
            assert!(bad.is_empty(), "{name}: statements on tenant data without tenant_id:\n{}", bad.join("\n---\n"));
        }
    }

    #[test]
    fn the_scan_finds_a_forgotten_filter() {
        let source = r###"
            // "SELECT id FROM devices" in a comment is no statement
            let c = '"';
            let a = "SELECT id FROM devices WHERE id = ?1";
            let b = r#"UPDATE submissions SET state = 'x' WHERE tenant_id = ?1 AND id = ?2"#;
            let d = r"DELETE FROM attachment_chunks
                      WHERE submission_id = ?1";
            let e = "SELECT \"x\" FROM tenants";
        "###;
        let (statements, bad) = unscoped(&literals(source));
        assert_eq!(statements, 4);
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(bad[0].starts_with("SELECT id FROM devices") && bad[1].starts_with("DELETE"), "{bad:?}");
    }
}
