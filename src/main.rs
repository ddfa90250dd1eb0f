use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    motcua_kiosk::cli::main(motcua_kiosk::cli::Cli::parse())
}
