//! The command line a technician uses: run the kiosk, check a config, make a PIN hash.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self, ConfigError};

/// Exit code for a config that cannot be used (and for command-line mistakes, as clap does).
pub const EXIT_BAD_CONFIG: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "motcua-kiosk",
    version,
    about = "Một Cửa Kiosk: queue tickets, procedure lookup, dossier status and satisfaction rating \
             on the lobby touchscreen of a one-stop public-service office.",
    long_about = None
)]
pub struct Cli {
    /// Config file to use. Without it the kiosk reads ./kiosk-config.toml, then
    /// /etc/motcua-kiosk/kiosk-config.toml.
    #[arg(long, value_name = "PATH", global = true)]
    pub config: Option<PathBuf>,

    /// Open in a normal window with a visible cursor, whatever [ui] fullscreen says (for testing
    /// on a desktop).
    #[arg(long)]
    pub windowed: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a config file and print, in plain words, what the kiosk will do with it.
    /// Exits 0 when the file is usable and 2 (with every problem listed) when it is not.
    CheckConfig {
        /// The file to check (default: the one the kiosk would use).
        path: Option<PathBuf>,
    },
    /// Turn an admin PIN (6 to 12 digits, read from standard input) into the line to paste
    /// into [kiosk] admin_pin_hash. The PIN itself is never stored.
    HashPin,
}

/// Runs the command line; `main` only turns the result into the process exit code.
pub fn main(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::CheckConfig { path }) => check_config(path.or(cli.config)),
        Some(Command::HashPin) => hash_pin(),
        None => run_kiosk(cli.config, cli.windowed),
    }
}

fn config_path(explicit: Option<PathBuf>) -> Result<PathBuf, ConfigError> {
    match explicit {
        Some(p) => Ok(p),
        None => config::default_path(),
    }
}

fn report_config_error(e: &ConfigError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(EXIT_BAD_CONFIG)
}

fn check_config(path: Option<PathBuf>) -> ExitCode {
    crate::logging::init_console_only();
    match config_path(path).and_then(|p| config::load(&p)) {
        Ok(config) => {
            println!("{}", config::Summary(&config));
            ExitCode::SUCCESS
        }
        Err(e) => report_config_error(&e),
    }
}

fn hash_pin() -> ExitCode {
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "Admin PIN (6 to 12 digits): ");
    let _ = stderr.flush();
    let mut line = String::new();
    if let Err(e) = std::io::stdin().lock().read_line(&mut line) {
        eprintln!("error: cannot read the PIN: {e}");
        return ExitCode::FAILURE;
    }
    match crate::pin::hash(line.trim()) {
        Ok(hash) => {
            println!("admin_pin_hash = \"{hash}\"");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_BAD_CONFIG)
        }
    }
}

fn run_kiosk(path: Option<PathBuf>, windowed: bool) -> ExitCode {
    let config = match config_path(path).and_then(|p| config::load(&p)) {
        Ok(c) => c,
        Err(e) => return report_config_error(&e),
    };
    let _log_guard = match crate::logging::init(&config.log) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        config = %config.source.display(),
        "starting"
    );
    match crate::app::run(&config, windowed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}
