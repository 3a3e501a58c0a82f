//! The four roles of console accounts (`docs/tenants.md`, section 4): their names in the database
//! (`account_roles.role`), which never change, and the German labels the pages show.

use super::AuthError;

/// A role an account holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The computing centre: tenants, accounts, health; never a tenant's devices, forms or submissions.
    Operator,
    /// A tenant's form editor: publishes, promotes and withdraws forms, manages destinations.
    FormEditor,
    /// A tenant's device administrator: enrols, renames and revokes desks.
    DeviceAdmin,
    /// An authority's inbox user: counts and pickup of the submissions for their destinations.
    InboxUser,
}

impl Role {
    /// Every role, in the order the pages list them.
    pub const ALL: [Role; 4] = [Role::Operator, Role::FormEditor, Role::DeviceAdmin, Role::InboxUser];

    /// The name stored in the database.
    pub fn db_name(self) -> &'static str {
        match self {
            Self::Operator => "betrieb",
            Self::FormEditor => "formulare",
            Self::DeviceAdmin => "geraete",
            Self::InboxUser => "eingang",
        }
    }

    /// The German label shown on pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Operator => "Betrieb",
            Self::FormEditor => "Formularverwaltung",
            Self::DeviceAdmin => "Geräteverwaltung",
            Self::InboxUser => "Posteingang",
        }
    }

    /// The role stored under `name`; any other text is an error (exact match, no case folding: the
    /// database only holds what [`Role::db_name`] wrote).
    pub fn from_db_name(name: &str) -> Result<Self, AuthError> {
        Self::ALL
            .into_iter()
            .find(|role| role.db_name() == name)
            .ok_or_else(|| AuthError::UnknownRole(name.chars().take(64).collect()))
    }
}

impl std::str::FromStr for Role {
    type Err = AuthError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::from_db_name(name)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.db_name())
    }
}
