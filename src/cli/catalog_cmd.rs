//! `motcua-kiosk catalog …`: the technician's handle on the catalog file.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{CatalogAction, EXIT_BAD_CONFIG, config_path, report_config_error};
use crate::catalog::{self, Catalog, SyncOutcome};
use crate::config::{self, Config, Secret, ServerEndpoint};
use crate::server::{CentralClient, ClientSettings};

pub fn run(config: Option<PathBuf>, action: CatalogAction) -> ExitCode {
    crate::logging::init_console_only();
    let config = match config_path(config).and_then(|p| config::load(&p)) {
        Ok(c) => c,
        Err(e) => return report_config_error(&e),
    };
    let mut catalog = match Catalog::open(&config.catalog.database) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "error: cannot open the catalog {}: {e}",
                config.catalog.database.display()
            );
            return ExitCode::FAILURE;
        }
    };
    match action {
        CatalogAction::Import { file } => import(&mut catalog, &file),
        CatalogAction::Sync => sync(&mut catalog, &config),
        CatalogAction::Search { query, limit, json } => search(&catalog, &query, limit, json),
        CatalogAction::Stats => stats(&catalog),
    }
}

fn import(catalog: &mut Catalog, file: &std::path::Path) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    match catalog.import_json(&text) {
        Ok(r) => {
            println!(
                "imported {}: {} procedures ({} new or changed, {} removed), version {}",
                file.display(),
                r.procedures,
                r.changed,
                r.removed,
                r.version
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}; the catalog is unchanged", file.display());
            ExitCode::FAILURE
        }
    }
}

fn sync(catalog: &mut Catalog, config: &Config) -> ExitCode {
    // Keeps the demo server (and its scratch database folder) alive during the sync.
    let mut demo: Option<(motcua_central::RunningCentral, tempfile_dir::ScratchDir)> = None;
    let settings = match &config.server.endpoint {
        ServerEndpoint::Remote(url) => ClientSettings::from_config(&config.server, url.clone()),
        ServerEndpoint::Demo => {
            let scratch = match tempfile_dir::ScratchDir::new() {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("error: cannot make a folder for the demo server: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let token = format!("catalog-{}", std::process::id());
            let central = motcua_central::CentralConfig::demo(
                scratch.path.join("central.sqlite3"),
                config.kiosk.id.clone(),
                token.clone(),
            );
            let running = match motcua_central::spawn(central) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: cannot start the demo server: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let Ok(url) = url::Url::parse(&running.base_url()) else {
                return ExitCode::FAILURE;
            };
            let mut settings = ClientSettings::from_config(&config.server, url);
            settings.token = Secret::new(token);
            demo = Some((running, scratch));
            settings
        }
        ServerEndpoint::NotConfigured => {
            eprintln!(
                "error: no server to sync with: [server] url is empty in {}; set it (or \"demo\")",
                config.source.display()
            );
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    let client = match CentralClient::new(&settings) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    let result = catalog::sync(catalog, &client);
    if let Some((running, _scratch)) = demo {
        running.shutdown();
    }
    match result {
        Ok(SyncOutcome::Unchanged) => {
            println!("unchanged: the catalog held is current");
            ExitCode::SUCCESS
        }
        Ok(SyncOutcome::Updated(r)) => {
            println!(
                "updated to version {}: {} procedures ({} new or changed, {} removed)",
                r.version, r.procedures, r.changed, r.removed
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}; the catalog held is kept");
            ExitCode::FAILURE
        }
    }
}

fn search(catalog: &Catalog, query: &str, limit: usize, json: bool) -> ExitCode {
    let hits = match catalog.search(query, None, limit) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if json {
        let list: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| serde_json::json!({"code": h.code, "name": h.name, "field": h.field}))
            .collect();
        println!("{}", serde_json::Value::Array(list));
    } else {
        for h in &hits {
            println!("{}\t{}", h.code, h.name);
        }
    }
    ExitCode::SUCCESS
}

fn stats(catalog: &Catalog) -> ExitCode {
    match catalog.meta() {
        Ok(m) => {
            println!("version:    {}", m.version);
            println!("source:     {}", m.source);
            println!("etag:       {}", m.etag.as_deref().unwrap_or("-"));
            println!("synced at:  {}", m.synced_at.as_deref().unwrap_or("never"));
            println!("procedures: {}", m.procedures);
            println!("fields:     {}", m.fields);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A scratch folder removed on drop (the demo server's database lives only for one sync).
mod tempfile_dir {
    use std::path::PathBuf;

    pub struct ScratchDir {
        pub path: PathBuf,
    }

    impl ScratchDir {
        pub fn new() -> std::io::Result<Self> {
            let path = std::env::temp_dir().join(format!(
                "motcua-catalog-sync-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0)
            ));
            std::fs::create_dir_all(&path)?;
            Ok(Self { path })
        }
    }

    impl Drop for ScratchDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
