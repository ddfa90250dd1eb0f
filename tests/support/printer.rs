//! Fake ESC/POS printers: one on a pty pair, reached like a real one through a udev-style symlink,
//! and one on a loopback TCP port. Both record the job bytes they receive and answer `DLE EOT n`
//! as the current [`Mode`] says, so tests can pull the paper, open the cover or unplug the cable.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use serialport::{SerialPort, TTYPort};

use super::wait::eventually;

/// What the printer answers to status requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Ok,
    PaperNearEnd,
    /// As an Epson reports an empty roll: offline, stopped by paper end, end sensor set.
    PaperOut,
    CoverOpen,
    /// Offline for no reason it names (its own "offline", as after a paper jam).
    Offline,
    /// Offline with the error bit set.
    Error,
    /// Receives but never answers.
    Silent,
    /// Answers bytes that break the fixed bits of every status byte.
    Garbage,
}

/// Status bytes are built here from the Epson table, independently of the kiosk's parser.
const FIXED: u8 = 0b0001_0010;
const OFFLINE: u8 = 0x08;

impl Mode {
    fn answer(self, n: u8) -> Option<u8> {
        let bits = match (self, n) {
            (Mode::Silent, _) => return None,
            (Mode::Garbage, _) => return Some(0xFF),
            (Mode::PaperOut | Mode::CoverOpen | Mode::Offline | Mode::Error, 1) => OFFLINE,
            (Mode::PaperOut, 2) => 0x20,
            (Mode::CoverOpen, 2) => 0x04,
            (Mode::Error, 2) => 0x40,
            (Mode::PaperNearEnd, 4) => 0x0C,
            (Mode::PaperOut, 4) => 0x0C | 0x60,
            _ => 0,
        };
        Some(FIXED | bits)
    }
}

#[derive(Default)]
struct Inner {
    mode: Mode,
    received: Vec<u8>,
    /// Status requests seen, by `n`.
    queries: Vec<u8>,
    /// Switch to this mode once `received` reaches this many bytes.
    switch_at: Option<(usize, Mode)>,
    /// Switch to this mode for status requests after this many in all.
    switch_after_queries: Option<(usize, Mode)>,
}

/// State shared by the test and the thread playing the printer.
#[derive(Default)]
struct Shared {
    inner: Mutex<Inner>,
    changed: Condvar,
    /// Network printer: connections accepted so far.
    connections: AtomicUsize,
    /// Network printer: close the current connection, as printers do with idle ones.
    hang_up: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set_mode(&self, mode: Mode) {
        let mut inner = self.lock();
        inner.mode = mode;
        inner.switch_at = None;
        inner.switch_after_queries = None;
    }

    fn mode_after_queries(&self, n_queries: usize, mode: Mode) {
        let mut inner = self.lock();
        let at = inner.queries.len() + n_queries;
        inner.switch_after_queries = Some((at, mode));
    }

    fn mode_after(&self, n_bytes: usize, mode: Mode) {
        let mut inner = self.lock();
        let at = inner.received.len() + n_bytes;
        inner.switch_at = Some((at, mode));
    }

    fn received(&self) -> Vec<u8> {
        self.lock().received.clone()
    }

    fn take_received(&self) -> Vec<u8> {
        std::mem::take(&mut self.lock().received)
    }

    fn queries(&self) -> Vec<u8> {
        self.lock().queries.clone()
    }

    fn wait_for_bytes(&self, n: usize, timeout: Duration) -> bool {
        let inner = self.lock();
        let (inner, _) = self
            .changed
            .wait_timeout_while(inner, timeout, |inner| inner.received.len() < n)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.received.len() >= n
    }

    /// Feeds received bytes through the parser; returns the answers to send back.
    fn take_in(&self, parser: &mut Parser, bytes: &[u8]) -> Vec<u8> {
        let mut answers = Vec::new();
        let mut inner = self.lock();
        for &byte in bytes {
            parser.push(byte, |event| match event {
                Event::Data(b) => {
                    inner.received.push(b);
                    if let Some((at, mode)) = inner.switch_at
                        && inner.received.len() >= at
                    {
                        inner.mode = mode;
                        inner.switch_at = None;
                    }
                }
                Event::Query(n) => {
                    inner.queries.push(n);
                    if let Some((at, mode)) = inner.switch_after_queries
                        && inner.queries.len() > at
                    {
                        inner.mode = mode;
                        inner.switch_after_queries = None;
                    }
                    answers.extend(inner.mode.answer(n));
                }
            });
        }
        drop(inner);
        self.changed.notify_all();
        answers
    }
}

enum Event {
    Data(u8),
    Query(u8),
}

/// Splits the incoming stream into job bytes and `DLE EOT n` requests, as a printer does: a real
/// one also acts on `DLE EOT` inside job data, so job data in tests avoids `10 04`.
#[derive(Default)]
struct Parser {
    /// How much of `DLE EOT` has been seen: 0, 1 (`DLE`) or 2 (`DLE EOT`).
    held: u8,
}

impl Parser {
    fn push(&mut self, byte: u8, mut emit: impl FnMut(Event)) {
        match (self.held, byte) {
            (0, 0x10) => self.held = 1,
            (0, _) => emit(Event::Data(byte)),
            (1, 0x04) => self.held = 2,
            (2, 1..=4) => {
                self.held = 0;
                emit(Event::Query(byte));
            }
            (held, _) => {
                // Not a request after all: what was held is data; look at this byte afresh.
                emit(Event::Data(0x10));
                if held == 2 {
                    emit(Event::Data(0x04));
                }
                self.held = 0;
                self.push(byte, emit);
            }
        }
    }
}

/// A running "printer" thread and how to stop it.
struct Line {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Line {
    fn close(self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.thread.join();
    }
}

/// An ESC/POS printer on a pty, reached through `<tempdir>/kiosk-printer` as the kiosk reaches a
/// real one through the `/dev/kiosk-printer` symlink of the udev rule.
pub struct FakePrinter {
    dir: tempfile::TempDir,
    shared: Arc<Shared>,
    line: Mutex<Option<Line>>,
}

impl FakePrinter {
    pub fn start() -> FakePrinter {
        let fake = FakePrinter {
            dir: tempfile::tempdir().expect("temp dir"),
            shared: Arc::default(),
            line: Mutex::new(None),
        };
        fake.plug();
        fake
    }

    /// The path the kiosk opens.
    /// The kiosk's `[printer]` transport for this printer: serial, 115200 baud, 8N1.
    pub fn transport(&self) -> motcua_kiosk::config::PrinterTransport {
        motcua_kiosk::config::PrinterTransport::Serial {
            port: self.path().display().to_string(),
            baud: 115_200,
            flow_control: motcua_kiosk::config::FlowControl::None,
            parity: motcua_kiosk::config::Parity::None,
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("kiosk-printer")
    }

    pub fn set_mode(&self, mode: Mode) {
        self.shared.set_mode(mode);
    }

    /// Switches to `mode` once `n_bytes` more job bytes have arrived, e.g. in the middle of a job.
    pub fn mode_after(&self, n_bytes: usize, mode: Mode) {
        self.shared.mode_after(n_bytes, mode);
    }

    /// Switches to `mode` for the status requests after the next `n_queries`: the state
    /// changes between two checks, e.g. the kiosk's check before a ticket and the printer
    /// thread's before its job.
    pub fn mode_after_queries(&self, n_queries: usize, mode: Mode) {
        self.shared.mode_after_queries(n_queries, mode);
    }

    /// The roll ends after `n_bytes` more job bytes.
    pub fn paper_out_after(&self, n_bytes: usize) {
        self.mode_after(n_bytes, Mode::PaperOut);
    }

    /// Every job byte received so far, status requests left out.
    pub fn received(&self) -> Vec<u8> {
        self.shared.received()
    }

    /// The job bytes received since the last call, forgotten here: a long run keeps its memory.
    pub fn take_received(&self) -> Vec<u8> {
        self.shared.take_received()
    }

    /// The `n` of every status request received so far.
    pub fn queries(&self) -> Vec<u8> {
        self.shared.queries()
    }

    pub fn wait_for_bytes(&self, n: usize, timeout: Duration) -> bool {
        self.shared.wait_for_bytes(n, timeout)
    }

    /// Pulls the cable: the pty closes (the kiosk's handle then fails with EIO) and the symlink
    /// goes, as udev removes it.
    pub fn unplug(&self) {
        if let Some(line) = self.lock_line().take() {
            line.close();
        }
        match std::fs::remove_file(self.path()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("cannot remove {}: {e}", self.path().display()),
        }
    }

    /// Plugs the printer back in: a new pty, with the symlink pointing at it.
    pub fn replug(&self) {
        self.unplug();
        self.plug();
    }

    fn lock_line(&self) -> MutexGuard<'_, Option<Line>> {
        self.line
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn plug(&self) {
        let (mut master, slave) = TTYPort::pair().expect("pty pair");
        let slave_name = slave.name().expect("pty name");
        // The kiosk opens the device itself, exclusively, as it would a real printer.
        drop(slave);
        // Renamed into place so that the kiosk never sees a half-made link.
        let staging = self.dir.path().join("kiosk-printer.new");
        let _ = std::fs::remove_file(&staging);
        std::os::unix::fs::symlink(&slave_name, &staging).expect("symlink");
        std::fs::rename(&staging, self.path()).expect("symlink into place");

        master
            .set_timeout(Duration::from_millis(50))
            .expect("pty timeout");
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            let shared = Arc::clone(&self.shared);
            std::thread::Builder::new()
                .name("fake-printer".into())
                .spawn(move || serve_pty(&mut master, &stop, &shared))
                .expect("fake printer thread")
        };
        *self.lock_line() = Some(Line { stop, thread });
    }
}

impl Drop for FakePrinter {
    fn drop(&mut self) {
        if let Some(line) = self.lock_line().take() {
            line.close();
        }
    }
}

fn serve_pty(master: &mut TTYPort, stop: &AtomicBool, shared: &Shared) {
    let mut parser = Parser::default();
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        match master.read(&mut buf) {
            Ok(n) => {
                let answers = shared.take_in(&mut parser, &buf[..n]);
                if !answers.is_empty() {
                    let _ = master.write_all(&answers);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            // No one has the other end open (yet, or any more): the master reports a hang-up.
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// A network printer on 127.0.0.1 (raw TCP, as on port 9100), one connection at a time.
pub struct FakeNetworkPrinter {
    addr: SocketAddr,
    shared: Arc<Shared>,
    line: Option<Line>,
}

impl FakeNetworkPrinter {
    pub fn start() -> FakeNetworkPrinter {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("local addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let shared: Arc<Shared> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("fake-network-printer".into())
                .spawn(move || serve_tcp(&listener, &stop, &shared))
                .expect("fake printer thread")
        };
        FakeNetworkPrinter {
            addr,
            shared,
            line: Some(Line { stop, thread }),
        }
    }

    /// `host:port` as in the kiosk config.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    pub fn set_mode(&self, mode: Mode) {
        self.shared.set_mode(mode);
    }

    pub fn received(&self) -> Vec<u8> {
        self.shared.received()
    }

    pub fn wait_for_bytes(&self, n: usize, timeout: Duration) -> bool {
        self.shared.wait_for_bytes(n, timeout)
    }

    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Closes the kiosk's connection from the printer's side and waits until it is closed.
    pub fn hang_up(&self) {
        self.shared.hang_up.store(true, Ordering::SeqCst);
        assert!(
            eventually(Duration::from_secs(30), || !self
                .shared
                .hang_up
                .load(Ordering::SeqCst)),
            "the fake network printer did not hang up"
        );
    }
}

impl Drop for FakeNetworkPrinter {
    fn drop(&mut self) {
        if let Some(line) = self.line.take() {
            line.close();
        }
    }
}

fn serve_tcp(listener: &TcpListener, stop: &AtomicBool, shared: &Shared) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                serve_connection(stream, stop, shared);
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn serve_connection(mut stream: TcpStream, stop: &AtomicBool, shared: &Shared) {
    if stream.set_nonblocking(false).is_err()
        || stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .is_err()
    {
        return;
    }
    let mut parser = Parser::default();
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        if shared.hang_up.swap(false, Ordering::SeqCst) {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                let answers = shared.take_in(&mut parser, &buf[..n]);
                if !answers.is_empty() && stream.write_all(&answers).is_err() {
                    return;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

/// Job bytes with every byte value, in an order that never contains a status request (`10 04`).
pub fn every_byte_job(len: usize) -> Vec<u8> {
    (0..=255u8).cycle().take(len).collect()
}
