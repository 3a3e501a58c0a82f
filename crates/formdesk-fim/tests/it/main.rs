//! The importer's tests: one binary, a module per concern.

mod basic;
mod refusals;
mod support;
