//! `motcua-kiosk dossier CODE`: the kiosk's lookup from a shell, printed as text.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{DemoData, EXIT_BAD_CONFIG, central_client, config_path, report_config_error};
use crate::config;
use crate::dossier::{self, DossierView, Outcome};
use crate::language::Language;

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
    // `demo` keeps the demo server alive during the lookup.
    let (client, demo) = match central_client(&config, DemoData::Scratch) {
        Ok((Some(client), demo)) => (client, demo),
        Ok((None, _)) => {
            eprintln!(
                "error: no server to ask: [server] url is empty in {}",
                config.source.display()
            );
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
        Err(code) => return code,
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
