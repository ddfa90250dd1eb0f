//! A barcode scanner on a serial port: a thread reads it line by line and hands each scan on,
//! reopening the port after it is unplugged or could not be opened.

use std::io::Read;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::time::Duration;

use super::lines::LineReader;
use crate::config::SerialScanner;

/// How often to try again after the scanner is unplugged or cannot be opened.
const RETRY_EVERY: Duration = Duration::from_secs(3);
/// How long one read waits before the thread looks whether it should stop.
const READ_WAIT: Duration = Duration::from_millis(500);

/// The scanner thread; it stops when this is dropped.
pub struct Scanner {
    _stop: mpsc::Sender<()>,
}

/// Starts reading `port`; `on_code` is called from the thread with each scanned line.
pub fn spawn(port: SerialScanner, on_code: impl Fn(String) + Send + 'static) -> Scanner {
    let (stop, stopped) = mpsc::channel();
    if let Err(e) = crate::supervise::spawn("scanner", move || read(&port, &stopped, &on_code)) {
        tracing::error!("cannot start the scanner thread: {e}");
    }
    Scanner { _stop: stop }
}

fn read(scanner: &SerialScanner, stopped: &Receiver<()>, on_code: &impl Fn(String)) {
    let mut reported = false;
    loop {
        match serialport::new(&scanner.port, scanner.baud)
            .timeout(READ_WAIT)
            .open()
        {
            Ok(mut port) => {
                tracing::info!("serial scanner {} open", scanner.port);
                reported = false;
                let mut lines = LineReader::default();
                let mut buf = [0u8; 256];
                while stopped.try_recv() == Err(TryRecvError::Empty) {
                    match port.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => lines.push(&buf[..n]).into_iter().for_each(on_code),
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                        Err(e) => {
                            tracing::warn!("serial scanner {}: {e}", scanner.port);
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                if !reported {
                    tracing::warn!("serial scanner {} cannot be opened: {e}", scanner.port);
                    reported = true;
                }
            }
        }
        if stopped.recv_timeout(RETRY_EVERY) != Err(RecvTimeoutError::Timeout) {
            return;
        }
    }
}
