//! The kiosk itself: no subcommand. The only command that opens the window, and so the only
//! part of the command line that knows [`crate::app`].

use std::path::PathBuf;
use std::process::ExitCode;

use super::{EXIT_QUIT_TO_SHELL, EXIT_RESTART, config_path, report_config_error};
use crate::admin::Ending;
use crate::config;

/// Runs the kiosk until its window closes; the exit code tells systemd what to do next.
pub fn run(path: Option<PathBuf>, windowed: bool) -> ExitCode {
    let config = match config_path(path).and_then(|p| config::load(&p)) {
        Ok(c) => c,
        Err(e) => return report_config_error(&e),
    };
    let log_guard = match crate::logging::init(&config.log) {
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
    crate::supervise::log_panics();
    let systemd = crate::systemd::Notifier::from_env()
        .inspect_err(|e| tracing::error!("{e}"))
        .ok()
        .flatten();
    let ending = crate::app::run(&config, windowed, systemd);
    match ending {
        Ok(Ending::Closed) => ExitCode::SUCCESS,
        Ok(Ending::QuitToShell) => ExitCode::from(EXIT_QUIT_TO_SHELL),
        Ok(Ending::Restart) => {
            // The log file is flushed first: exec does not run destructors.
            drop(log_guard);
            let error = restart_self();
            eprintln!("error: cannot start the kiosk again ({error}); exiting for systemd to");
            ExitCode::from(EXIT_RESTART)
        }
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Replaces this process with a fresh start of the same program and arguments (same PID, so
/// systemd keeps watching it); returns only on failure.
fn restart_self() -> std::io::Error {
    use std::os::unix::process::CommandExt;
    match std::env::current_exe() {
        Ok(exe) => std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .exec(),
        Err(e) => e,
    }
}
