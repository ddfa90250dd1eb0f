//! `motcua-central`: run the reference central server from the command line.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use motcua_central::config_file::{self, LogFormat};
use motcua_central::{CentralConfig, CounterToken, Database, KioskToken, seed, spawn};

/// The office server of Một Cửa kiosks (Central API v1, plain HTTP): queue, catalog, dossiers,
/// ratings, fleet. Settings come from --config FILE (central.toml); flags given here override it.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The configuration file (see central/central.toml for every setting).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8080].
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// SQLite database file (created and seeded on first start), or a PostgreSQL URL
    /// (postgres://user:password@host:port/database) shared by several server instances.
    /// Required without --config.
    #[arg(long, value_name = "FILE|URL")]
    db: Option<String>,
    /// Connections to PostgreSQL this instance may hold [default: 16].
    #[arg(long, value_name = "N")]
    pool_size: Option<usize>,
    /// The default office's name, as citizens read it [default: Bộ phận Một cửa].
    #[arg(long)]
    office_name: Option<String>,
    /// A kiosk allowed to call, as KIOSK_ID=TOKEN (the default office) or OFFICE/KIOSK_ID=TOKEN
    /// (ids: 1 to 32 letters, digits, - or _); repeat for more kiosks; replaces the file's
    /// [[kiosks]] [default without either: KIOSK-01=demo-token].
    #[arg(long = "kiosk-token", value_name = "KIOSK_ID=TOKEN", value_parser = KioskToken::parse)]
    kiosk_tokens: Vec<KioskToken>,
    /// A counter's token as COUNTER=TOKEN (it calls as that counter only; OFFICE/COUNTER=TOKEN
    /// for another office), or a bare TOKEN shared by the default office's counters (which name
    /// themselves in each call, counter "1" when they do not); repeat for more counters.
    #[arg(long = "counter-token", value_name = "COUNTER=TOKEN")]
    counter_tokens: Vec<String>,
    /// Token of the default office's lobby displays (read-only).
    #[arg(long, value_name = "TOKEN")]
    display_token: Option<String>,
    /// Token for admin calls; without it they are refused.
    #[arg(long, value_name = "TOKEN")]
    admin_token: Option<String>,
    /// Ignore opening hours (07:30-11:30, 13:30-17:00 Monday to Saturday by default).
    #[arg(long)]
    always_open: bool,
    /// Dossier lookups allowed per kiosk per minute (0: no limit) [default: 10].
    #[arg(long, value_name = "N")]
    lookups_per_minute: Option<u32>,
    /// Log lines as readable text or as one JSON object each [default: text].
    #[arg(long, value_parser = ["text", "json"])]
    log_format: Option<String>,
}

fn main() -> ExitCode {
    // `sms-test PHONE [--config central.toml]` has its own arguments (src/sms/cli.rs).
    if std::env::args_os().nth(1).is_some_and(|a| a == "sms-test") {
        return motcua_central::sms::sms_test_main(std::env::args_os().skip(1));
    }
    let cli = Cli::parse();
    let (config, log_format) = match settings(&cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("motcua-central: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(log_format);
    match run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("motcua-central: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The file's settings with the command line's on top.
fn settings(cli: &Cli) -> Result<(CentralConfig, LogFormat), String> {
    let (mut config, mut log_format) = match (&cli.config, &cli.db) {
        (Some(path), _) => {
            let f = config_file::load(path).map_err(|e| e.to_string())?;
            (f.config, f.log_format)
        }
        (None, Some(db)) => (CentralConfig::new(Database::parse(db)), LogFormat::Text),
        (None, None) => return Err("give --config central.toml or --db FILE|URL".into()),
    };
    if let Some(db) = &cli.db {
        config.database = Database::parse(db);
    }
    if let Some(listen) = cli.listen {
        config.listen = listen;
    }
    if let Some(n) = cli.pool_size {
        config.pool_size = n;
    }
    if let Some(name) = &cli.office_name {
        config.office_name = name.clone();
    }
    if !cli.kiosk_tokens.is_empty() {
        config.kiosk_tokens = cli.kiosk_tokens.clone();
    }
    if config.kiosk_tokens.is_empty() && cli.config.is_none() {
        config.kiosk_tokens = CentralConfig::new(PathBuf::new()).kiosk_tokens;
    }
    for t in &cli.counter_tokens {
        if t.contains('=') {
            config.counter_tokens.push(CounterToken::parse(t)?);
        } else {
            config.counter_token = Some(t.clone());
        }
    }
    if cli.display_token.is_some() {
        config.display_token = cli.display_token.clone();
    }
    if cli.admin_token.is_some() {
        config.admin_token = cli.admin_token.clone();
    }
    config.always_open |= cli.always_open;
    if let Some(n) = cli.lookups_per_minute {
        config.dossier_lookups_per_minute = n;
    }
    if let Some(f) = cli.log_format.as_deref() {
        log_format = if f == "json" {
            LogFormat::Json
        } else {
            LogFormat::Text
        };
    }
    Ok((config, log_format))
}

fn init_logging(format: LogFormat) {
    // SMPP crates print whole PDUs (with phone numbers) at debug level: never below info.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
        .add_directive("rusmpp=info".parse().expect("a valid directive"))
        .add_directive("rusmppc=info".parse().expect("a valid directive"));
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init(),
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }
}

fn run(config: CentralConfig) -> Result<(), Box<dyn std::error::Error>> {
    let ids: Vec<String> = config
        .kiosk_tokens
        .iter()
        .map(|k| format!("{}/{}", k.office, k.kiosk_id))
        .collect();
    let server = spawn(config)?;
    let mut out = std::io::stdout().lock();
    // Scripts read the address from this exact first line.
    writeln!(out, "listening on {}", server.base_url())?;
    writeln!(out, "kiosks: {}", ids.join(", "))?;
    writeln!(out, "sample dossiers (seeded {}):", server.seeded_on())?;
    for s in seed::sample_dossiers(server.seeded_on()) {
        let d = &s.dossier;
        writeln!(
            out,
            "  {}  status {:>2}  {}",
            d.code, d.status, s.timeliness_on_seed_day
        )?;
    }
    out.flush()?;
    drop(out);
    wait_for_signal()?;
    server.shutdown();
    Ok(())
}

/// Blocks until Ctrl-C or SIGTERM.
fn wait_for_signal() -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                r = tokio::signal::ctrl_c() => r,
                _ = term.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await
        }
    })
}
