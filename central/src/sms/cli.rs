//! `motcua-central sms-test PHONE [--config central.toml]`: one message through the
//! configured gateway, and what happened, in words.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use serde::Deserialize;

use super::config::{GatewaySettings, SmsConfig};
use super::gateway::{Gateway, OutgoingSms};
use super::phone::Mobile;
use super::text::{self, Placeholder, Template, Values};

/// Send one SMS through the gateway of central.toml's [sms] section and print what happened.
#[derive(Debug, Parser)]
#[command(name = "motcua-central sms-test")]
struct Args {
    /// The mobile number to send to: 0xxxxxxxxx or +84xxxxxxxxx.
    phone: String,
    /// The configuration file.
    #[arg(long, default_value = "central.toml")]
    config: PathBuf,
    /// The text instead of the test message (`unaccented` still applies).
    #[arg(long)]
    text: Option<String>,
    /// With SMPP, wait this many seconds for the delivery receipt.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    wait_report: u64,
}

/// Only the [sms] table; the rest of the file belongs to the server.
#[derive(Deserialize)]
struct File {
    sms: Option<SmsConfig>,
}

const TEST_TEMPLATE: &str = "{office}: tin nhắn thử của hệ thống Một Cửa.";

/// Runs `sms-test` with its arguments (the first is `sms-test` itself).
pub fn sms_test_main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args = Args::parse_from(args);
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("motcua-central sms-test: {e}");
            ExitCode::FAILURE
        }
    }
}

fn load(path: &Path) -> Result<SmsConfig, String> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: File = toml::from_str(&source).map_err(|e| format!("{}: {e}", path.display()))?;
    file.sms
        .ok_or_else(|| format!("{} has no [sms] section", path.display()))
}

fn run(args: &Args) -> Result<bool, String> {
    let config = load(&args.config)?;
    let settings = config.check().map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        format!("{}:\n{}", args.config.display(), lines.join("\n"))
    })?;
    let to = Mobile::parse(&args.phone)
        .ok_or_else(|| format!("\"{}\" is not a Vietnamese mobile number", args.phone))?;
    let prepared = match &args.text {
        Some(t) => {
            let t = if settings.unaccented {
                text::fold(t)
            } else {
                t.clone()
            };
            text::prepare(&t, settings.max_segments)
        }
        None => {
            let template = Template::parse(TEST_TEMPLATE, &[Placeholder::Office])
                .map_err(|e| e.to_string())?;
            settings.compose(&template, Values::default())
        }
    }
    .map_err(|e| format!("not sent: {e}"))?;
    let (single, part) = prepared.encoding.capacity();
    println!("gateway:  {}", settings_kind(&settings.gateway));
    println!("to:       {}", to.masked());
    println!("text:     {}", prepared.text);
    println!(
        "encoding: {} (data_coding {}), {} units; {} a lone segment, {} a part",
        prepared.encoding,
        prepared.encoding.data_coding(),
        prepared.units,
        single,
        part
    );
    println!(
        "segments: {} (cap {})",
        prepared.segments, settings.max_segments
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let (reports, mut received) = tokio::sync::mpsc::channel(16);
        let gateway = Gateway::start(&settings, reports).map_err(|e| e.to_string())?;
        let id = format!("sms-test-{}", chrono::Utc::now().timestamp_millis());
        let sms = OutgoingSms::new(&id, to.national(), &prepared);
        let result = gateway.send(&sms).await;
        let ok = match &result {
            Ok(a) => {
                println!(
                    "result:   accepted; gateway id {}",
                    a.gateway_id.as_deref().unwrap_or("(none given)")
                );
                true
            }
            Err(e) => {
                println!("result:   not sent: {e}");
                false
            }
        };
        if ok && args.wait_report > 0 {
            if let GatewaySettings::Smpp(_) = settings.gateway {
                match tokio::time::timeout(Duration::from_secs(args.wait_report), received.recv())
                    .await
                {
                    Ok(Some(r)) => {
                        println!("report:   {} at {} ({})", r.state.as_str(), r.at, r.raw)
                    }
                    _ => println!("report:   none within {} s", args.wait_report),
                }
            } else {
                println!("report:   goes to the server's delivery-report URL, not to sms-test");
            }
        }
        gateway.close().await;
        Ok(ok)
    })
}

fn settings_kind(g: &GatewaySettings) -> String {
    match g {
        GatewaySettings::None => "none (sending disabled)".into(),
        GatewaySettings::Smpp(c) => format!("smpp {} as {}", c.address, c.system_id),
        GatewaySettings::Kannel(c) => format!("kannel {}", c.sendsms_url),
        GatewaySettings::Http(c) => format!("http {}", c.url),
    }
}
