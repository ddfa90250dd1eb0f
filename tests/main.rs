//! The integration tests: one binary, one module per area.

mod support;

mod cli;
mod config_table;
mod translations;
mod ui_shell;
