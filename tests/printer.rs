//! The printer module through its real transports: a pty playing an ESC/POS printer behind a
//! udev-style symlink, a loopback network printer, a device file and the preview folder.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use motcua_kiosk::config::{FlowControl, Parity, PrinterTransport};
use motcua_kiosk::printer::transport::{SerialTransport, Transport};
use motcua_kiosk::printer::{
    Job, JobOutcome, PrintFailure, Printer, PrinterSettings, PrinterState,
};

use crate::support::printer::{FakeNetworkPrinter, FakePrinter, Mode, every_byte_job};
use crate::support::wait::{PATIENCE, eventually};

fn settings(transport: PrinterTransport) -> PrinterSettings {
    PrinterSettings {
        transport,
        poll_every: Duration::from_millis(100),
        reconnect_every: Duration::from_millis(100),
        render_preview: None,
    }
}

fn serial(fake: &FakePrinter) -> PrinterSettings {
    settings(PrinterTransport::Serial {
        port: fake.path().to_string_lossy().into_owned(),
        baud: 115_200,
        flow_control: FlowControl::None,
        parity: motcua_kiosk::config::Parity::None,
    })
}

/// Starts the printer thread and collects every state it publishes.
fn spawn(settings: PrinterSettings) -> (Printer, Receiver<PrinterState>) {
    let (tx, rx) = mpsc::channel();
    let printer = Printer::spawn(settings, move |state| {
        let _ = tx.send(state);
    });
    (printer, rx)
}

#[track_caller]
fn wait_state(printer: &Printer, want: PrinterState) {
    assert!(
        eventually(PATIENCE, || printer.state() == want),
        "printer state stayed {:?}, expected {want:?}",
        printer.state()
    );
}

fn job(name: &str, bytes: Vec<u8>) -> Job {
    Job {
        name: name.to_string(),
        bytes,
    }
}

fn printed() -> JobOutcome {
    JobOutcome::Printed { preview_png: None }
}

#[test]
fn a_job_arrives_intact() {
    let fake = FakePrinter::start();
    let (printer, _states) = spawn(serial(&fake));
    wait_state(&printer, PrinterState::Ready);
    let bytes = every_byte_job(20 * 1024);
    assert_eq!(
        printer.print(job("ticket-HT-042", bytes.clone()), PATIENCE),
        printed()
    );
    assert!(fake.wait_for_bytes(bytes.len(), PATIENCE));
    assert!(fake.received() == bytes, "the job arrived changed");
}

#[test]
fn status_requests_are_three_bytes_without_a_trailing_nul() {
    let fake = FakePrinter::start();
    let path = fake.path();
    let mut port = SerialTransport::open(
        &path.to_string_lossy(),
        9600,
        FlowControl::None,
        Parity::None,
    )
    .expect("the fake printer opens");
    assert_eq!(port.status(), PrinterState::Ready);
    assert_eq!(fake.queries(), [1, 2, 4]);
    // A NUL after each request would have been taken as job data.
    assert!(fake.received().is_empty());
    // Opened exclusively: a second kiosk process cannot grab the printer.
    assert!(
        SerialTransport::open(
            &path.to_string_lossy(),
            9600,
            FlowControl::None,
            Parity::None
        )
        .is_err()
    );
}

#[test]
fn the_state_follows_the_printer() {
    let fake = FakePrinter::start();
    let (printer, states) = spawn(serial(&fake));
    let steps = [
        (Mode::Ok, PrinterState::Ready),
        (Mode::PaperNearEnd, PrinterState::PaperNearEnd),
        (Mode::PaperOut, PrinterState::PaperOut),
        (Mode::CoverOpen, PrinterState::CoverOpen),
        (Mode::Error, PrinterState::Error),
        (Mode::Garbage, PrinterState::NoAnswer),
        (Mode::Ok, PrinterState::Ready),
        (Mode::Silent, PrinterState::NoAnswer),
    ];
    for (mode, want) in steps {
        fake.set_mode(mode);
        wait_state(&printer, want);
    }
    // Each change was published, in order, once.
    let published: Vec<_> = states.try_iter().collect();
    let wanted: Vec<_> = steps.iter().map(|&(_, state)| state).collect();
    let without_start = match published.first() {
        Some(PrinterState::NotConnected) => &published[1..],
        _ => &published[..],
    };
    assert_eq!(without_start, wanted);
}

#[test]
fn check_now_asks_the_printer_itself() {
    let fake = FakePrinter::start();
    let (printer, _states) = spawn(PrinterSettings {
        // Without asking, the state would not change for an hour.
        poll_every: Duration::from_secs(3600),
        ..serial(&fake)
    });
    assert!(eventually(PATIENCE, || printer.check_now() == PrinterState::Ready));
    fake.set_mode(Mode::CoverOpen);
    assert!(eventually(PATIENCE, || printer.check_now() == PrinterState::CoverOpen));
    assert_eq!(printer.state(), PrinterState::CoverOpen);
}

#[test]
fn no_paper_means_nothing_is_sent() {
    let fake = FakePrinter::start();
    let (printer, _states) = spawn(serial(&fake));
    fake.set_mode(Mode::PaperOut);
    wait_state(&printer, PrinterState::PaperOut);
    let outcome = printer.print(job("ticket-HT-001", every_byte_job(100)), PATIENCE);
    assert_eq!(outcome, JobOutcome::Refused(PrintFailure::PaperOut));
    fake.set_mode(Mode::CoverOpen);
    let outcome = printer.print(job("ticket-HT-001", every_byte_job(100)), PATIENCE);
    assert_eq!(outcome, JobOutcome::Refused(PrintFailure::CoverOpen));
    assert!(fake.received().is_empty());
}

#[test]
fn paper_running_out_during_a_job_fails_it() {
    let fake = FakePrinter::start();
    let (printer, _states) = spawn(serial(&fake));
    wait_state(&printer, PrinterState::Ready);
    fake.paper_out_after(5_000);
    let outcome = printer.print(job("ticket-HT-002", every_byte_job(20 * 1024)), PATIENCE);
    assert_eq!(outcome, JobOutcome::Failed(PrintFailure::PaperOut));
    assert_eq!(printer.state(), PrinterState::PaperOut);
}

#[test]
fn a_printer_that_did_not_answer_is_asked_again_soon() {
    let fake = FakePrinter::start();
    fake.set_mode(Mode::Silent);
    // Polled once a minute when it answers; a silent one is re-asked at the reconnect pace.
    let mut settings = serial(&fake);
    settings.poll_every = Duration::from_secs(60);
    let (printer, _states) = spawn(settings);
    wait_state(&printer, PrinterState::NoAnswer);
    fake.set_mode(Mode::Ok);
    wait_state(&printer, PrinterState::Ready);
    // Once it answers, the slow pace again: paper running out is seen at the next poll, not now.
    fake.set_mode(Mode::PaperOut);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(printer.state(), PrinterState::Ready);
}

#[test]
fn a_refilled_roll_is_seen_at_the_reconnect_pace() {
    let fake = FakePrinter::start();
    fake.set_mode(Mode::PaperOut);
    // Polled once a minute while it can print: the refill must not wait for that.
    let mut settings = serial(&fake);
    settings.poll_every = Duration::from_secs(60);
    settings.reconnect_every = Duration::from_millis(200);
    let (printer, _states) = spawn(settings);
    wait_state(&printer, PrinterState::PaperOut);
    fake.set_mode(Mode::Ok);
    let refilled = std::time::Instant::now();
    wait_state(&printer, PrinterState::Ready);
    assert!(
        refilled.elapsed() < Duration::from_secs(5),
        "seen after {:?}",
        refilled.elapsed()
    );
    // The same for a closed cover and for the printer's own offline.
    for mode in [Mode::CoverOpen, Mode::Offline] {
        fake.set_mode(mode);
        assert!(eventually(PATIENCE, || !printer.check_now().can_print()));
        fake.set_mode(Mode::Ok);
        wait_state(&printer, PrinterState::Ready);
    }
}

/// A USB printer as the kernel's usblp driver presents it: a device file. Played by the pty
/// fake through its link, read and written like `/dev/usb/lp0`.
fn usb_device(fake: &FakePrinter) -> PrinterSettings {
    settings(PrinterTransport::File { path: fake.path() })
}

#[test]
fn a_usb_printer_device_file_reports_its_state() {
    let fake = FakePrinter::start();
    let (printer, _states) = spawn(usb_device(&fake));
    wait_state(&printer, PrinterState::Ready);
    let bytes = every_byte_job(20 * 1024);
    assert_eq!(
        printer.print(job("ticket-HT-010", bytes.clone()), PATIENCE),
        printed()
    );
    assert!(fake.wait_for_bytes(bytes.len(), PATIENCE));
    assert!(fake.received() == bytes, "the job arrived changed");
    for (mode, want) in [
        (Mode::PaperOut, PrinterState::PaperOut),
        (Mode::CoverOpen, PrinterState::CoverOpen),
        (Mode::Offline, PrinterState::Offline),
        (Mode::PaperNearEnd, PrinterState::PaperNearEnd),
        (Mode::Ok, PrinterState::Ready),
    ] {
        fake.set_mode(mode);
        wait_state(&printer, want);
    }
    // Paper out: refused before a byte is sent.
    fake.set_mode(Mode::PaperOut);
    wait_state(&printer, PrinterState::PaperOut);
    let before = fake.received().len();
    let outcome = printer.print(job("ticket-HT-011", every_byte_job(100)), PATIENCE);
    assert_eq!(outcome, JobOutcome::Refused(PrintFailure::PaperOut));
    assert_eq!(fake.received().len(), before);
    // The roll running out during a job fails it, as on a serial port.
    fake.set_mode(Mode::Ok);
    wait_state(&printer, PrinterState::Ready);
    fake.paper_out_after(5_000);
    let outcome = printer.print(job("ticket-HT-012", every_byte_job(20 * 1024)), PATIENCE);
    assert_eq!(outcome, JobOutcome::Failed(PrintFailure::PaperOut));
}

#[test]
fn a_usb_printer_that_answered_and_falls_silent_is_no_answer() {
    let fake = FakePrinter::start();
    let (printer, _states) = spawn(usb_device(&fake));
    wait_state(&printer, PrinterState::Ready);
    fake.set_mode(Mode::Silent);
    wait_state(&printer, PrinterState::NoAnswer);
    let outcome = printer.print(job("ticket-HT-013", every_byte_job(100)), PATIENCE);
    assert_eq!(outcome, JobOutcome::Refused(PrintFailure::NoAnswer));
    fake.set_mode(Mode::Ok);
    wait_state(&printer, PrinterState::Ready);
}

#[test]
fn a_one_way_usb_printer_prints_and_says_it_has_no_status() {
    // Never answers (no way back from the printer): honest "no status", and tickets print.
    let fake = FakePrinter::start();
    fake.set_mode(Mode::Silent);
    let (printer, _states) = spawn(usb_device(&fake));
    wait_state(&printer, PrinterState::NoStatus);
    assert!(PrinterState::NoStatus.can_print());
    let asked = fake.queries().len();
    let bytes = every_byte_job(4096);
    let started = std::time::Instant::now();
    assert_eq!(
        printer.print(job("ticket-HT-014", bytes.clone()), PATIENCE),
        printed()
    );
    assert!(fake.wait_for_bytes(bytes.len(), PATIENCE));
    assert!(fake.received() == bytes);
    // Not asked again on this connection: no timeouts added to every ticket.
    assert_eq!(fake.queries().len(), asked);
    assert!(started.elapsed() < Duration::from_secs(2));

    // A device that reads as ended at once (no way back at all): the same, without waiting.
    let (printer, _states) = spawn(settings(PrinterTransport::File {
        path: "/dev/null".into(),
    }));
    wait_state(&printer, PrinterState::NoStatus);
    assert_eq!(
        printer.print(job("ticket-HT-015", b"x".to_vec()), PATIENCE),
        printed()
    );
}

#[test]
fn an_unplugged_usb_printer_comes_back() {
    let fake = FakePrinter::start();
    let (printer, _states) = spawn(usb_device(&fake));
    wait_state(&printer, PrinterState::Ready);
    fake.unplug();
    wait_state(&printer, PrinterState::NotConnected);
    fake.replug();
    wait_state(&printer, PrinterState::Ready);
    let bytes = every_byte_job(1024);
    assert_eq!(
        printer.print(job("ticket-HT-016", bytes.clone()), PATIENCE),
        printed()
    );
    assert!(fake.wait_for_bytes(bytes.len(), PATIENCE));
}

#[test]
fn a_printer_falling_silent_during_a_job_fails_it() {
    let fake = FakePrinter::start();
    let (printer, _states) = spawn(serial(&fake));
    wait_state(&printer, PrinterState::Ready);
    fake.mode_after(5_000, Mode::Silent);
    let outcome = printer.print(job("ticket-HT-003", every_byte_job(20 * 1024)), PATIENCE);
    assert_eq!(outcome, JobOutcome::Failed(PrintFailure::NoAnswer));
    assert_eq!(printer.state(), PrinterState::NoAnswer);
}

#[test]
fn an_unplugged_printer_comes_back() {
    let fake = FakePrinter::start();
    let (printer, _states) = spawn(serial(&fake));
    wait_state(&printer, PrinterState::Ready);
    fake.unplug();
    wait_state(&printer, PrinterState::NotConnected);
    let outcome = printer.print(job("ticket-HT-004", b"lost".to_vec()), PATIENCE);
    assert_eq!(outcome, JobOutcome::Refused(PrintFailure::NotConnected));

    fake.replug();
    wait_state(&printer, PrinterState::Ready);
    let bytes = every_byte_job(4096);
    assert_eq!(
        printer.print(job("ticket-HT-005", bytes.clone()), PATIENCE),
        printed()
    );
    assert!(fake.wait_for_bytes(bytes.len(), PATIENCE));
    assert!(
        fake.received() == bytes,
        "only the job printed after replugging arrives"
    );
}

#[test]
fn a_missing_port_is_not_connected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (printer, states) = spawn(settings(PrinterTransport::Serial {
        port: dir
            .path()
            .join("kiosk-printer")
            .to_string_lossy()
            .into_owned(),
        baud: 9600,
        flow_control: FlowControl::RtsCts,
        parity: motcua_kiosk::config::Parity::None,
    }));
    assert_eq!(
        states.recv_timeout(PATIENCE),
        Ok(PrinterState::NotConnected)
    );
    let outcome = printer.print(job("ticket-HT-006", b"x".to_vec()), PATIENCE);
    assert_eq!(outcome, JobOutcome::Refused(PrintFailure::NotConnected));
}

#[test]
fn the_thread_stops_with_the_last_handle() {
    let fake = FakePrinter::start();
    let (printer, states) = spawn(serial(&fake));
    let other = printer.clone();
    drop(printer);
    wait_state(&other, PrinterState::Ready);
    drop(other);
    // `on_state`, and the channel sender inside it, go when the thread ends.
    loop {
        match states.recv_timeout(PATIENCE) {
            Ok(_) => {}
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => panic!("the printer thread outlived its handles"),
        }
    }
    // And the port is free again.
    assert!(eventually(PATIENCE, || {
        SerialTransport::open(
            &fake.path().to_string_lossy(),
            9600,
            FlowControl::None,
            Parity::None,
        )
        .is_ok()
    }));
}

#[test]
fn a_network_printer_prints_and_reports_status() {
    let fake = FakeNetworkPrinter::start();
    let (printer, _states) = spawn(settings(PrinterTransport::Tcp {
        address: fake.address(),
    }));
    wait_state(&printer, PrinterState::Ready);
    let bytes = every_byte_job(20 * 1024);
    assert_eq!(
        printer.print(job("ticket-CT-001", bytes.clone()), PATIENCE),
        printed()
    );
    assert!(fake.wait_for_bytes(bytes.len(), PATIENCE));
    assert!(fake.received() == bytes, "the job arrived changed");
    fake.set_mode(Mode::PaperOut);
    wait_state(&printer, PrinterState::PaperOut);
    fake.set_mode(Mode::Silent);
    wait_state(&printer, PrinterState::NoAnswer);
}

#[test]
fn a_network_printer_closing_an_idle_connection_is_no_outage() {
    let fake = FakeNetworkPrinter::start();
    let (printer, states) = spawn(settings(PrinterTransport::Tcp {
        address: fake.address(),
    }));
    wait_state(&printer, PrinterState::Ready);
    fake.hang_up();
    assert_eq!(
        printer.print(job("ticket-CT-003", b"after".to_vec()), PATIENCE),
        printed()
    );
    assert!(fake.wait_for_bytes(5, PATIENCE));
    assert_eq!(fake.received(), b"after");
    assert_eq!(fake.connections(), 2);
    let published: Vec<_> = states.try_iter().collect();
    assert_eq!(published, [PrinterState::Ready]);
}

#[test]
fn a_refused_connection_is_not_connected() {
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("local addr")
    };
    let (printer, _states) = spawn(settings(PrinterTransport::Tcp {
        address: closed.to_string(),
    }));
    assert_eq!(printer.check_now(), PrinterState::NotConnected);
    let outcome = printer.print(job("ticket-CT-002", b"x".to_vec()), PATIENCE);
    assert_eq!(outcome, JobOutcome::Refused(PrintFailure::NotConnected));
}

#[test]
fn the_preview_folder_gets_bytes_and_a_picture() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("preview");
    let (printer, states) = spawn(PrinterSettings {
        render_preview: Some(Arc::new(|bytes: &[u8]| {
            Some([b"\x89PNG".as_slice(), bytes].concat())
        })),
        ..settings(PrinterTransport::Preview {
            dir: folder.clone(),
        })
    });
    assert_eq!(states.recv_timeout(PATIENCE), Ok(PrinterState::Preview));
    let outcome = printer.print(job("ticket-HT-042", b"ticket".to_vec()), PATIENCE);
    let JobOutcome::Printed {
        preview_png: Some(png),
    } = outcome
    else {
        panic!("expected a preview picture, got {outcome:?}");
    };
    // Named by time then job, inside the folder.
    assert_eq!(png.parent(), Some(folder.as_path()));
    let stem = png.file_stem().unwrap().to_string_lossy().to_string();
    assert!(stem.ends_with("-ticket-HT-042"), "{stem}");
    assert_eq!(read(&png.with_extension("bin")), b"ticket");
    assert_eq!(read(&png), b"\x89PNGticket");

    // A name cannot lead out of the folder.
    let outcome = printer.print(job("../escape", b"x".to_vec()), PATIENCE);
    assert!(outcome.is_printed());
    assert!(!dir.path().join("escape.bin").exists());
    let inside: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        inside.iter().any(|n| n.ends_with("---escape.bin")),
        "{inside:?}"
    );
    assert_eq!(printer.state(), PrinterState::Preview);
}

#[test]
fn a_device_file_gets_the_jobs_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let device = dir.path().join("lp0");
    std::fs::write(&device, b"").expect("device file");
    let (printer, _states) = spawn(settings(PrinterTransport::File {
        path: device.clone(),
    }));
    // A plain file cannot say anything about paper: it takes jobs, and says so.
    wait_state(&printer, PrinterState::NoStatus);
    assert_eq!(
        printer.print(job("a", b"first ".to_vec()), PATIENCE),
        printed()
    );
    assert_eq!(
        printer.print(job("b", b"second".to_vec()), PATIENCE),
        printed()
    );
    assert_eq!(read(&device), b"first second");

    // A missing device is reported, never created.
    let missing = dir.path().join("lp1");
    let (printer, _states) = spawn(settings(PrinterTransport::File {
        path: missing.clone(),
    }));
    assert_eq!(printer.check_now(), PrinterState::NotConnected);
    assert!(!missing.exists());
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
