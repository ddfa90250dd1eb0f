//! `motcua-central`: run the reference central server from the command line.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use motcua_central::{CentralConfig, Database, KioskToken, seed, spawn};

/// Reference central server for Một Cửa kiosks (Central API v1, plain HTTP).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// SQLite database file (created and seeded on first start), or a PostgreSQL URL
    /// (postgres://user:password@host:port/database) shared by several server instances.
    #[arg(long, value_name = "FILE|URL")]
    db: String,
    /// Connections to PostgreSQL this instance may hold.
    #[arg(long, default_value_t = 16, value_name = "N")]
    pool_size: usize,
    /// The default office's name, as citizens read it.
    #[arg(long, default_value = motcua_central::config::DEFAULT_OFFICE_NAME)]
    office_name: String,
    /// A kiosk allowed to call, as KIOSK_ID=TOKEN (the default office) or OFFICE/KIOSK_ID=TOKEN
    /// (ids: 1 to 32 letters, digits, - or _); repeat for more kiosks
    /// [default: KIOSK-01=demo-token].
    #[arg(long = "kiosk-token", value_name = "KIOSK_ID=TOKEN", value_parser = KioskToken::parse)]
    kiosk_tokens: Vec<KioskToken>,
    /// Token for counter calls (call-next); without it they are refused.
    #[arg(long, value_name = "TOKEN")]
    counter_token: Option<String>,
    /// Token for admin calls; without it they are refused.
    #[arg(long, value_name = "TOKEN")]
    admin_token: Option<String>,
    /// Ignore opening hours (07:30-11:30, 13:30-17:00 Monday to Saturday).
    #[arg(long)]
    always_open: bool,
    /// Dossier lookups allowed per kiosk per minute (0: no limit).
    #[arg(long, default_value_t = 10, value_name = "N")]
    lookups_per_minute: u32,
}

fn main() -> ExitCode {
    // `sms-test PHONE [--config central.toml]` has its own arguments (src/sms/cli.rs).
    if std::env::args_os().nth(1).is_some_and(|a| a == "sms-test") {
        return motcua_central::sms::sms_test_main(std::env::args_os().skip(1));
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("motcua-central: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = CentralConfig::new(Database::parse(&cli.db));
    config.listen = cli.listen;
    config.pool_size = cli.pool_size;
    config.office_name = cli.office_name;
    if !cli.kiosk_tokens.is_empty() {
        config.kiosk_tokens = cli.kiosk_tokens;
    }
    config.counter_token = cli.counter_token;
    config.admin_token = cli.admin_token;
    config.always_open = cli.always_open;
    config.dossier_lookups_per_minute = cli.lookups_per_minute;
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
