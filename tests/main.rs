//! The integration tests: one binary, one module per area.

mod support;

mod accessibility;
mod admin_ui;
mod architecture;
mod browser;
mod browser_public;
mod catalog;
mod catalog_ui;
mod check_server;
mod cli;
mod config_table;
mod contrast;
mod dossier;
mod dossier_ui;
mod faults;
mod feedback_ui;
mod fuzz_seeds;
mod hostile_server;
mod openapi_examples;
mod packaging;
mod printer;
mod printer_cli;
mod queue;
mod queue_ui;
mod read_aloud;
mod server_client;
mod server_ui;
mod snapshots;
mod systemd;
mod translations;
mod ui_shell;
mod workers;
