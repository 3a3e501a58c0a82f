//! Accounts: see the module list in the crate documentation.
