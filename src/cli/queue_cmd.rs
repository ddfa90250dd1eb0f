//! Tickets and the printer from a shell: `print-test`, `printer status`, `ticket issue`,
//! `outbox list|flush`. They use the same database, printer and server as the kiosk.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::{DemoData, EXIT_BAD_CONFIG, central_client, config_path, report_config_error};
use crate::config::{self, Config, PrinterTransport};
use crate::language::Language;
use crate::printer::{Job, JobOutcome, Printer, PrinterSettings};
use crate::queue::{self, IssueOutcome, IssueSettings, QueueStore, TicketOrder};
use crate::server::CentralClient;
use crate::server::model::Priority;
use crate::ticket;

fn load(config: Option<PathBuf>) -> Result<Config, ExitCode> {
    crate::logging::init_console_only();
    config_path(config)
        .and_then(|p| config::load(&p))
        .map_err(|e| report_config_error(&e))
}

fn printer(config: &Config) -> Printer {
    Printer::spawn(PrinterSettings::from_config(config), |_| {})
}

/// `printer status`: what the printer says now. Exit 0 when it can print.
pub fn status(config: Option<PathBuf>) -> ExitCode {
    let config = match load(config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let state = printer(&config).check_now();
    println!(
        "{}: {} ({})",
        describe(&config.printer.transport),
        state.describe(),
        state.code()
    );
    if state.can_print() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `print-test`: a sample ticket and a code-page chart, so a technician sees the paper and picks
/// `code_page`.
pub fn print_test(config: Option<PathBuf>, pages: Vec<u8>) -> ExitCode {
    let config = match load(config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let printer = printer(&config);
    // `--pages` names exactly the pages on the chart; without it, the usual ones.
    let pages = if pages.is_empty() {
        ticket::CHART_PAGES.to_vec()
    } else {
        pages
    };
    let chart = Job {
        name: "code-pages".into(),
        bytes: ticket::code_page_chart(&config.printer.layout(), &pages),
    };
    let mut failed = false;
    for job in [queue::test_ticket(&config), chart] {
        let (name, size) = (job.name.clone(), job.bytes.len());
        match printer.print(job, Duration::from_secs(60)) {
            JobOutcome::Printed { preview_png } => {
                print!("{name}: printed {size} bytes");
                if let Some(png) = preview_png {
                    print!(" (preview {})", png.display());
                }
                println!();
            }
            JobOutcome::Refused(f) | JobOutcome::Failed(f) => {
                println!("{name}: not printed: {f}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `ticket issue`: issues and prints as the kiosk would, `count` times; one line per ticket.
pub fn issue(
    config: Option<PathBuf>,
    service: &str,
    priority: Priority,
    language: Language,
    phone: Option<String>,
    count: u32,
) -> ExitCode {
    let config = match load(config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let phone = match phone.as_deref().map(queue::phone::normalize) {
        Some(None) => {
            eprintln!("error: not a Vietnamese mobile number");
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
        Some(Some(p)) => Some(p),
        None => None,
    };
    let (client, _demo) = match central_client(&config, DemoData::KiosksOwn) {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let order = match order_for(&config, client.as_ref(), service, priority, phone) {
        Some(o) => TicketOrder { language, ..o },
        None => {
            eprintln!("error: no service \"{service}\" in [queue] services or on the server");
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    let mut store = match open_store(&config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let _ = store.recover();
    let printer = printer(&config);
    let settings = IssueSettings::from_config(&config);
    let mut stdout = std::io::stdout().lock();
    let mut all_printed = true;
    for _ in 0..count {
        let outcome = queue::issue(
            &order,
            &settings,
            client.as_ref(),
            &mut store,
            &printer,
            crate::clock::now(),
        );
        let line = match &outcome {
            IssueOutcome::Printed { ticket, .. } => format!(
                "{} printed{}",
                ticket.number,
                if ticket.offline { " (offline)" } else { "" }
            ),
            IssueOutcome::NotPrinted { ticket, problem } => {
                all_printed = false;
                format!("{} NOT printed: {problem}", ticket.number)
            }
            IssueOutcome::Refused(r) => {
                let _ = writeln!(stdout, "refused: {r}");
                return ExitCode::FAILURE;
            }
        };
        // One line per ticket, flushed: a supervisor reading the output sees every number.
        if writeln!(stdout, "{line}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return ExitCode::FAILURE;
        }
    }
    if all_printed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `outbox list` / `outbox flush`.
pub fn outbox(config: Option<PathBuf>, flush: bool) -> ExitCode {
    let config = match load(config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let store = match open_store(&config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if flush {
        let (client, _demo) = match central_client(&config, DemoData::KiosksOwn) {
            Ok(pair) => pair,
            Err(code) => return code,
        };
        let Some(client) = client else {
            eprintln!("error: no server to send to: [server] url is empty");
            return ExitCode::from(EXIT_BAD_CONFIG);
        };
        return match queue::flush(&store, &client) {
            Ok(r) => {
                println!(
                    "sent {}, refused {}, still waiting {}",
                    r.sent, r.refused, r.remaining
                );
                if r.remaining == 0 {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match store.outbox() {
        Ok(items) => {
            for item in &items {
                println!("{}  {}  {}", item.number, item.service_id, item.issued_at);
            }
            println!(
                "{} offline ticket(s) waiting for the central system",
                items.len()
            );
            match store.voids_waiting() {
                Ok(voids) if !voids.is_empty() => println!(
                    "{} number(s) to give back (tickets not printed, answers lost)",
                    voids.len()
                ),
                Ok(_) => {}
                Err(e) => eprintln!("error: {e}"),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn open_store(config: &Config) -> Result<QueueStore, ExitCode> {
    let path = config.kiosk.data_dir.join("tickets.sqlite3");
    QueueStore::open(&path).map_err(|e| {
        eprintln!("error: {}: {e}", path.display());
        ExitCode::FAILURE
    })
}

fn order_for(
    config: &Config,
    client: Option<&CentralClient>,
    service: &str,
    priority: Priority,
    phone: Option<String>,
) -> Option<TicketOrder> {
    if let Some(s) = config.queue.services.iter().find(|s| s.id == service) {
        return Some(TicketOrder {
            service_id: s.id.clone(),
            service_name: s.name_vi.clone(),
            service_name_en: s.name_en.clone(),
            language: Language::Vi,
            prefix: s.prefix.clone(),
            priority,
            phone,
            procedure: None,
        });
    }
    let services = client?.queue_services().ok()?.services;
    services
        .into_iter()
        .find(|s| s.id == service)
        .map(|s| TicketOrder {
            service_id: s.id,
            service_name: s.name_vi,
            service_name_en: s.name_en,
            language: Language::Vi,
            prefix: s.prefix,
            priority,
            phone,
            procedure: None,
        })
}

fn describe(transport: &PrinterTransport) -> String {
    match transport {
        PrinterTransport::Serial { port, baud, .. } => format!("serial {port} at {baud} baud"),
        PrinterTransport::Tcp { address } => format!("network printer {address}"),
        PrinterTransport::File { path } => format!("device {}", path.display()),
        PrinterTransport::Preview { dir } => format!("preview folder {}", dir.display()),
    }
}
