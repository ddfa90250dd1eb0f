//! `motcua-kiosk dossier CODE`: the kiosk's lookup from a shell, printed as text.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{EXIT_BAD_CONFIG, config_path, report_config_error};
use crate::config::{self, Language, ServerEndpoint};
use crate::dossier::{self, DossierView, Outcome};
use crate::server::{CentralClient, ClientSettings, DemoServer};

/// Wide enough for a terminal, narrow enough to read.
const COLUMNS: usize = 78;

pub fn run(config: Option<PathBuf>, input: &str, lang: Option<String>) -> ExitCode {
    crate::logging::init_console_only();
    let config = match config_path(config).and_then(|p| config::load(&p)) {
        Ok(c) => c,
        Err(e) => return report_config_error(&e),
    };
    let lang = lang
        .as_deref()
        .and_then(Language::from_code)
        .or_else(|| config.kiosk.languages.first().copied())
        .unwrap_or(Language::Vi);
    let code = match dossier::normalize(input) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: not a dossier code: {e}");
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    // Keeps the demo server alive during the lookup.
    let mut demo = None;
    let settings = match &config.server.endpoint {
        ServerEndpoint::Remote(url) => ClientSettings::from_config(&config.server, url.clone()),
        ServerEndpoint::Demo => match DemoServer::start_scratch(&config.kiosk.id) {
            Ok(server) => {
                let settings =
                    server.settings(config.server.connect_timeout, config.server.request_timeout);
                demo = Some(server);
                settings
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
        ServerEndpoint::NotConfigured => {
            eprintln!(
                "error: no server to ask: [server] url is empty in {}",
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
    match dossier::lookup(&client, &code) {
        Outcome::Found(d) => {
            let view = DossierView::new(&d, lang, crate::clock::now());
            println!("{}", dossier::text_report(&view, lang, COLUMNS));
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("{code}: {}", other.label());
            if let Some(demo) = &demo {
                eprintln!(
                    "the demo server's sample dossiers include: {}",
                    demo.sample_codes().join(", ")
                );
            }
            ExitCode::FAILURE
        }
    }
}
