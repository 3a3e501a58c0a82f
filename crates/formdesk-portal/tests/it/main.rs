//! The administrators' command line, run as the real binary.

mod forms;
mod receipt;
