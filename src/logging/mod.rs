//! Logs: human-readable lines on stderr (journald keeps them under systemd) and a daily-rotated
//! file in `[log] dir`. Secrets are typed ([`crate::config::Secret`]) so they cannot be printed
//! by accident, and citizen input is never logged. The last warnings and errors are also kept in
//! memory ([`recent`]) for the admin screen.

pub mod recent;

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

use crate::config::LogConfig;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot use log folder {path}: {source}")]
    Folder {
        path: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("logging was already set up")]
    AlreadySet,
}

/// Keep the guard alive for the life of the program: dropping it flushes the file.
pub fn init(config: &LogConfig) -> Result<WorkerGuard, LogError> {
    let folder_error = |source: Box<dyn std::error::Error + Send + Sync>| LogError::Folder {
        path: config.dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(&config.dir).map_err(|e| folder_error(Box::new(e)))?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("motcua-kiosk")
        .filename_suffix("log")
        .max_log_files(usize::from(config.keep_days))
        .build(&config.dir)
        .map_err(|e| folder_error(Box::new(e)))?;
    let (file_writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.level));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(std::io::stderr))
        .with(fmt::layer().with_ansi(false).with_writer(file_writer))
        .with(recent::RecentProblems)
        .try_init()
        .map_err(|_| LogError::AlreadySet)?;
    Ok(guard)
}

/// For commands that only talk to a technician: warnings and errors on stderr, no file.
pub fn init_console_only() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The newest log file in `dir`, for the admin screen and tests.
pub fn newest_log_file(dir: &Path) -> Option<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("motcua-kiosk"))
        })
        .max()
}
