//! The importer's tests: one binary, a module per concern.

mod bad_files;
mod basic;
mod codelists;
mod diff;
mod fields;
mod groups;
mod precision;
mod refusals;
mod report;
mod support;
