//! The command line a technician uses: run the kiosk, check a config, make a PIN hash.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self, ConfigError};
use crate::language::Language;
use crate::server::model::Priority;

mod catalog_cmd;
mod dossier_cmd;
mod queue_cmd;
mod run_cmd;

/// Exit code for a config that cannot be used (and for command-line mistakes, as clap does).
pub const EXIT_BAD_CONFIG: u8 = 2;
/// Exit code after "quit to the system" on the admin screen; the systemd unit does not restart
/// the kiosk on it (`RestartPreventExitStatus=`).
pub const EXIT_QUIT_TO_SHELL: u8 = 3;
/// Exit code when a restart asked for on the admin screen could not start the program again
/// itself; systemd's `Restart=always` then does it.
pub const EXIT_RESTART: u8 = 75;

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
    /// Check that a central server behaves as the kiosk expects: every call of the API,
    /// retries with the same request id, 304 for an unchanged catalog, errors for bad input and
    /// a wrong token. Prints a pass/fail line per call; exits 0 only if all pass.
    /// It creates test data (a ticket, an offline ticket, a rating): use a test instance.
    CheckServer {
        /// The server to check, e.g. https://motcua-test.example.gov.vn (default: [server] url
        /// of the config; with url = "demo" the built-in sample server is started and checked).
        url: Option<String>,
        /// The kiosk token to use (default: [server] token of the config).
        #[arg(long)]
        token: Option<String>,
        /// The kiosk the token belongs to, for the heartbeat (default: [kiosk] id of the
        /// config, else CHECK).
        #[arg(long, value_name = "KIOSK_ID")]
        kiosk_id: Option<String>,
    },
    /// Turn an admin PIN (6 to 12 digits, read from standard input) into the line to paste
    /// into [kiosk] admin_pin_hash. The PIN itself is never stored.
    HashPin,
    /// Look up a dossier as the kiosk does (for checking the link to the central server) and
    /// print what a citizen would see. Exits 0 when found, 1 when not found or the server fails,
    /// 2 for a malformed code or config. With url = "demo" it asks a fresh sample server.
    Dossier {
        /// The code on the receipt, e.g. 000.00.06.H56-231027-0361 (or a receipt QR's URL).
        code: String,
        /// Language of the output: vi or en (default: the kiosk's first language).
        #[arg(long, value_parser = ["vi", "en"])]
        lang: Option<String>,
    },
    /// Print a test ticket and a code-page chart on the configured printer: the chart shows which
    /// `code_page` prints Vietnamese on this printer model (for text_mode = "codepage").
    PrintTest {
        /// The code page numbers on the chart, exactly these (default: 27,30,31,45,47,48,52,94).
        #[arg(long, value_delimiter = ',')]
        pages: Vec<u8>,
    },
    /// The printer's state as it answers now, in words and as its code (ok, paper-near-end,
    /// paper-out, cover-open, offline, error, no-answer, not-connected, preview, no-status).
    /// Exits 0 when it can print.
    Printer {
        #[command(subcommand)]
        action: PrinterAction,
    },
    /// Issue and print tickets as the kiosk does (same database, server and printer), one line
    /// per ticket. Exits 1 when a ticket was refused or not printed.
    Ticket {
        #[command(subcommand)]
        action: TicketAction,
    },
    /// Offline tickets waiting for the central system: list them, or send them now.
    Outbox {
        #[command(subcommand)]
        action: OutboxAction,
    },
    /// Look after the kiosk's copy of the procedure catalog (the file [catalog] database of
    /// the config): load a file, fetch updates from the server, try a search, show what it holds.
    Catalog {
        #[command(subcommand)]
        action: CatalogAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum PrinterAction {
    /// Ask the printer for its state now.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum TicketAction {
    /// Issue and print tickets for a service.
    Issue {
        /// The service id, as in [[queue.services]] or on the server (e.g. ho-tich).
        #[arg(long)]
        service: String,
        /// Who is called first.
        #[arg(long, value_enum, default_value_t = Priority::None)]
        priority: Priority,
        /// A Vietnamese mobile number for the SMS notice.
        #[arg(long)]
        phone: Option<String>,
        /// How many tickets.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10000))]
        count: u32,
        /// The language of the ticket's own words (vi or en).
        #[arg(long, value_enum, default_value_t = Language::Vi)]
        language: Language,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// The offline tickets the central system has not recorded yet.
    List,
    /// Send them now; exits 1 while some are still waiting.
    Flush,
}

#[derive(Debug, Subcommand)]
pub enum CatalogAction {
    /// Replace the whole catalog with a JSON file: a list of procedures (like
    /// assets/catalog/procedures.json) or a full catalog as the server sends it. Nothing changes
    /// if the file is refused. The next sync from the server replaces it again.
    Import {
        /// The JSON file to load.
        file: PathBuf,
    },
    /// Fetch what changed from the central server ([server] url; "demo" uses the built-in
    /// sample server). Prints "unchanged" or what was updated; on failure the catalog held is
    /// kept.
    Sync,
    /// Search the catalog as the touchscreen does (diacritics optional, abbreviations like
    /// "dk" and one wrong letter allowed). Prints CODE<TAB>NAME per line, best first.
    Search {
        /// What a citizen would type, e.g. "dang ky khai sinh".
        query: String,
        /// How many results at most.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print a JSON array of {code, name, field} instead.
        #[arg(long)]
        json: bool,
    },
    /// Show the catalog's version, where it came from, its ETag, when it last reached the
    /// server, and how many procedures and fields it holds.
    Stats,
}

/// Runs the command line; `main` only turns the result into the process exit code.
pub fn main(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::CheckConfig { path }) => check_config(path.or(cli.config)),
        Some(Command::HashPin) => hash_pin(),
        Some(Command::CheckServer {
            url,
            token,
            kiosk_id,
        }) => check_server(cli.config, url, token, kiosk_id),
        Some(Command::Catalog { action }) => catalog_cmd::run(cli.config, action),
        Some(Command::Dossier { code, lang }) => dossier_cmd::run(cli.config, &code, lang),
        Some(Command::PrintTest { pages }) => queue_cmd::print_test(cli.config, pages),
        Some(Command::Printer {
            action: PrinterAction::Status,
        }) => queue_cmd::status(cli.config),
        Some(Command::Ticket {
            action:
                TicketAction::Issue {
                    service,
                    priority,
                    phone,
                    count,
                    language,
                },
        }) => queue_cmd::issue(cli.config, &service, priority, language, phone, count),
        Some(Command::Outbox { action }) => {
            queue_cmd::outbox(cli.config, matches!(action, OutboxAction::Flush))
        }
        None => run_cmd::run(cli.config, cli.windowed),
    }
}

/// `--priority` takes the API's words, the ones [`Priority::as_str`] gives.
impl clap::ValueEnum for Priority {
    fn value_variants<'a>() -> &'a [Self] {
        &Priority::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

/// `--language` takes the codes the config uses (`vi`, `en`).
impl clap::ValueEnum for Language {
    fn value_variants<'a>() -> &'a [Self] {
        &[Language::Vi, Language::En]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.code()))
    }
}

/// Which database the built-in demo server uses for a one-shot command.
enum DemoData {
    /// A fresh sample database deleted afterwards: checks and lookups leave nothing behind.
    Scratch,
    /// The kiosk's own demo database: tickets issued from the shell join the kiosk's queue.
    KiosksOwn,
}

/// A client for the config's central system (`None` when none is configured), with the demo
/// server it talks to, which lives as long as the returned guard.
fn central_client(
    config: &config::Config,
    demo: DemoData,
) -> Result<
    (
        Option<crate::server::CentralClient>,
        Option<crate::server::DemoServer>,
    ),
    ExitCode,
> {
    use crate::config::ServerEndpoint;
    use crate::server::{CentralClient, ClientSettings, DemoServer};
    let (settings, demo) = match &config.server.endpoint {
        ServerEndpoint::NotConfigured => return Ok((None, None)),
        ServerEndpoint::Remote(url) => (
            ClientSettings::from_config(&config.server, url.clone()),
            None,
        ),
        ServerEndpoint::Demo => {
            let started = match demo {
                DemoData::Scratch => DemoServer::start_scratch(&config.kiosk.id),
                DemoData::KiosksOwn => DemoServer::start(
                    config.kiosk.data_dir.join("demo-central.sqlite3"),
                    &config.kiosk.id,
                ),
            };
            match started {
                Ok(demo) => (
                    demo.settings(config.server.connect_timeout, config.server.request_timeout),
                    Some(demo),
                ),
                Err(e) => {
                    eprintln!("error: {e}");
                    return Err(ExitCode::FAILURE);
                }
            }
        }
    };
    CentralClient::new(&settings)
        .map(|c| (Some(c), demo))
        .map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_BAD_CONFIG)
        })
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

fn check_server(
    config: Option<PathBuf>,
    url: Option<String>,
    token: Option<String>,
    kiosk_id: Option<String>,
) -> ExitCode {
    use crate::config::{Secret, ServerEndpoint};
    use crate::server::{ClientSettings, DemoServer, conformance};
    crate::logging::init_console_only();
    // The config supplies timeouts, token and kiosk id; without one, sensible defaults.
    let config = match config_path(config).and_then(|p| config::load(&p)) {
        Ok(c) => Some(c),
        Err(e) if url.is_some() => {
            eprintln!("note: {e}; using default timeouts");
            None
        }
        Err(e) => return report_config_error(&e),
    };
    let kiosk_id = match (kiosk_id, &config) {
        (Some(id), _) => id,
        (None, Some(c)) => c.kiosk.id.clone(),
        (None, None) => {
            eprintln!(
                "note: no --kiosk-id and no config; checking as kiosk CHECK (a server that ties tokens to kiosks refuses its heartbeat)"
            );
            "CHECK".to_string()
        }
    };
    // Keeps the demo server (and its scratch database) alive while the checks run.
    let mut demo_server = None;
    let (base_url, config_token) = match (&url, config.as_ref().map(|c| &c.server.endpoint)) {
        (Some(u), _) => match url::Url::parse(u) {
            Ok(u) => (
                without_api_path(u),
                config.as_ref().map(|c| c.server.token.clone()),
            ),
            Err(e) => {
                eprintln!("error: \"{u}\" is not a URL: {e}");
                return ExitCode::from(EXIT_BAD_CONFIG);
            }
        },
        (None, Some(ServerEndpoint::Remote(u))) => {
            (u.clone(), config.as_ref().map(|c| c.server.token.clone()))
        }
        // A scratch database: the check writes test tickets the kiosk's demo queue should not show.
        (None, Some(ServerEndpoint::Demo)) => match DemoServer::start_scratch(&kiosk_id) {
            Ok(demo) => {
                let pair = (demo.base_url.clone(), Some(demo.token.clone()));
                demo_server = Some(demo);
                pair
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
        (None, _) => {
            eprintln!(
                "error: no server to check: [server] url is empty; give a URL, e.g. `motcua-kiosk check-server https://...`"
            );
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    let token = token.map(Secret::new).or(config_token).unwrap_or_default();
    let mut settings = match &config {
        Some(c) => ClientSettings::from_config(&c.server, base_url.clone()),
        None => ClientSettings {
            base_url: base_url.clone(),
            token: Secret::default(),
            connect_timeout: std::time::Duration::from_millis(1500),
            request_timeout: std::time::Duration::from_secs(5),
            ca_file: None,
            max_body: crate::server::DEFAULT_MAX_BODY,
            max_catalog_body: crate::server::DEFAULT_MAX_CATALOG_BODY,
            retries: 1,
        },
    };
    settings.token = token;
    println!("Checking {base_url} as kiosk {kiosk_id}");
    let checks = conformance::run(&settings, &kiosk_id);
    let width = checks.iter().map(|c| c.call.len()).max().unwrap_or(0);
    for check in &checks {
        let (mark, detail) = match &check.outcome {
            Ok(d) => ("PASS", d),
            Err(d) => ("FAIL", d),
        };
        println!("  {mark}  {:<width$}  {}: {detail}", check.call, check.what);
    }
    let failed = checks.iter().filter(|c| !c.passed()).count();
    println!("{} passed, {failed} failed", checks.len() - failed);
    if let Some(hint) = conformance::hint(&checks) {
        println!("hint: {hint}");
    }
    drop(demo_server);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The API lives under `/api/v1` of the server's base URL; a URL given with it would be called as
/// `…/api/v1/api/v1/…`, so it is taken off with a note.
fn without_api_path(mut url: url::Url) -> url::Url {
    let trimmed = url.path().trim_end_matches('/');
    if let Some(base) = trimmed.strip_suffix("/api/v1") {
        let given = url.to_string();
        let base = if base.is_empty() { "/" } else { base }.to_string();
        url.set_path(&base);
        eprintln!("note: {given} ends with /api/v1; checking the server's base {url}");
    }
    url
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
