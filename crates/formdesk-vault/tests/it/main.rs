//! Integration tests of the vault on real SQLite files in temporary directories.
mod basics;
