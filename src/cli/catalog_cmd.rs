//! `motcua-kiosk catalog …`: the technician's handle on the catalog file.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{
    CatalogAction, DemoData, EXIT_BAD_CONFIG, central_client, config_path, report_config_error,
};
use crate::catalog::{self, Catalog, SyncOutcome};
use crate::config::{self, Config};

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
        CatalogAction::Search { query, limit, json } => {
            // A one-off search answers from the whole index, documents included.
            finish_documents(&mut catalog);
            search(&catalog, &query, limit, json)
        }
        CatalogAction::Stats => stats(&catalog),
    }
}

/// A write has committed; its document index is built before the command ends.
fn finish_documents(catalog: &mut Catalog) {
    if let Err(e) = catalog.wait_for_documents() {
        eprintln!(
            "warning: the index of the procedures' documents is not built ({e}); the kiosk \
             builds it when it starts"
        );
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
            finish_documents(catalog);
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
    // `demo` keeps the demo server (and its scratch database) alive during the sync.
    let (client, demo) = match central_client(config, DemoData::Scratch) {
        Ok((Some(client), demo)) => (client, demo),
        Ok((None, _)) => {
            eprintln!(
                "error: no server to sync with: [server] url is empty in {}; set it (or \"demo\")",
                config.source.display()
            );
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
        Err(code) => return code,
    };
    let result = catalog::sync(catalog, &client);
    drop(demo);
    match result {
        Ok(SyncOutcome::Unchanged) => {
            println!("unchanged: the catalog held is current");
            ExitCode::SUCCESS
        }
        Ok(SyncOutcome::Updated(r)) => {
            finish_documents(catalog);
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
