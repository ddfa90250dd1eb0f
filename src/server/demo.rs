//! The built-in demo server: the reference server (`motcua-central`) started inside this process
//! on 127.0.0.1, with a token nobody outside the process knows.

use std::path::PathBuf;
use std::time::Duration;

use super::{ClientSettings, DEFAULT_MAX_BODY, ServerError};
use crate::config::Secret;

pub struct DemoServer {
    running: Option<motcua_central::RunningCentral>,
    pub base_url: url::Url,
    pub token: Secret,
    /// A database that belongs to this one run and is deleted with it.
    scratch: Option<PathBuf>,
}

impl DemoServer {
    /// The kiosk's demo mode: the sample data lives in `db_path` across restarts.
    pub fn start(db_path: PathBuf, kiosk_id: &str) -> Result<Self, ServerError> {
        Self::spawn(db_path, kiosk_id, false)
    }

    /// For one command (`check-server`, `catalog sync`): a fresh database, removed when this is
    /// dropped, so the test data they write never shows in the kiosk's own demo queue.
    pub fn start_scratch(kiosk_id: &str) -> Result<Self, ServerError> {
        let db = std::env::temp_dir().join(format!(
            "motcua-demo-{}-{}.sqlite3",
            std::process::id(),
            super::ids::random_hex(6)
        ));
        Self::spawn(db, kiosk_id, true)
    }

    fn spawn(db_path: PathBuf, kiosk_id: &str, scratch: bool) -> Result<Self, ServerError> {
        // On a first start the kiosk's data folder may not exist yet.
        if let Some(folder) = db_path.parent().filter(|f| !f.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|e| {
                ServerError::Setup(format!("cannot create {}: {e}", folder.display()))
            })?;
        }
        let token = format!("demo-{}", super::ids::random_hex(16));
        let config =
            motcua_central::CentralConfig::demo(db_path.clone(), kiosk_id.into(), token.clone());
        let running = motcua_central::spawn(config)
            .map_err(|e| ServerError::Setup(format!("cannot start the demo server: {e}")))?;
        let base_url =
            url::Url::parse(&running.base_url()).map_err(|e| ServerError::Setup(e.to_string()))?;
        Ok(Self {
            running: Some(running),
            base_url,
            token: Secret::new(token),
            scratch: scratch.then_some(db_path),
        })
    }

    /// Codes of sample dossiers to try on the kiosk: one being processed, one waiting for
    /// documents, one handed over.
    pub fn sample_codes(&self) -> Vec<String> {
        let Some(running) = &self.running else {
            return Vec::new();
        };
        let samples = motcua_central::seed::sample_dossiers(running.seeded_on());
        [4, 5, 10]
            .iter()
            .filter_map(|status| {
                samples
                    .iter()
                    .find(|s| s.dossier.status == *status)
                    .map(|s| s.dossier.code.clone())
            })
            .collect()
    }

    pub fn settings(&self, connect_timeout: Duration, request_timeout: Duration) -> ClientSettings {
        ClientSettings {
            base_url: self.base_url.clone(),
            token: self.token.clone(),
            connect_timeout,
            request_timeout,
            ca_file: None,
            max_body: DEFAULT_MAX_BODY,
            max_catalog_body: crate::server::DEFAULT_MAX_CATALOG_BODY,
            retries: 1,
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown();
        }
        if let Some(db) = &self.scratch {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_start_creates_the_data_folder() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("var").join("demo-central.sqlite3");
        let server = DemoServer::start(db.clone(), "KIOSK-01").unwrap();
        assert!(db.is_file(), "the demo database is created in a new folder");
        assert!(!server.sample_codes().is_empty());
    }
}
