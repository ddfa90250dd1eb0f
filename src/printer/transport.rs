//! The ways bytes reach a printer: a serial port, a network printer on port 9100, a device file
//! (`device`), or a preview folder. Only the printer thread holds a transport, so every call may block.

use std::fs;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, DataBits, Parity, SerialPort, StopBits};

pub use super::device::FileTransport;
use super::status::{self, PrinterState};
use crate::config::{FlowControl, PrinterTransport};

/// How long a printer gets to answer one `DLE EOT` request; real ones answer within milliseconds.
pub const STATUS_TIMEOUT: Duration = Duration::from_millis(300);
/// How long one write may wait for the port or socket to take more data.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Slack on top of the time the bytes take on the wire before a serial write counts as stuck.
const DRAIN_SLACK: Duration = Duration::from_secs(2);
/// Short, so that a kiosk asked for a fresh status does not wait long for an unreachable printer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Draws a job's bytes as a PNG for the preview folder; `None` when it cannot.
pub type RenderPreview = Box<dyn Fn(&[u8]) -> Option<Vec<u8>> + Send>;

pub trait Transport: Send {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;

    /// Asks the printer for its state. `NotConnected` means the link is gone and the transport
    /// is useless: the owner drops it and opens a new one.
    fn status(&mut self) -> PrinterState;

    /// Writes one job. A transport that keeps jobs as files names them after `name` and returns
    /// the picture it made, if any.
    fn write_job(&mut self, name: &str, bytes: &[u8]) -> io::Result<Option<PathBuf>> {
        let _ = name;
        self.write_all(bytes).map(|()| None)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open the printer's serial port {port}: {source}")]
    Serial {
        port: String,
        source: serialport::Error,
    },
    #[error("cannot connect to the network printer {address}: {source}")]
    Tcp { address: String, source: io::Error },
    #[error("cannot open the printer device {}: {source}", path.display())]
    File { path: PathBuf, source: io::Error },
    #[error("cannot create the preview folder {}: {source}", path.display())]
    Preview { path: PathBuf, source: io::Error },
}

/// Opens the configured transport. `render` is only used by the preview folder.
pub fn open(
    config: &PrinterTransport,
    render: Option<RenderPreview>,
) -> Result<Box<dyn Transport>, OpenError> {
    Ok(match config {
        PrinterTransport::Serial {
            port,
            baud,
            flow_control,
            parity,
        } => Box::new(SerialTransport::open(port, *baud, *flow_control, *parity)?),
        PrinterTransport::Tcp { address } => Box::new(TcpTransport::connect(address)?),
        PrinterTransport::File { path } => Box::new(FileTransport::open(path)?),
        PrinterTransport::Preview { dir } => Box::new(PreviewTransport::open(dir, render)?),
    })
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// A request that could not even be sent in time (flow control holding it back) is a printer
/// that does not answer, not a broken link.
fn silence_on_timeout(result: io::Result<Option<u8>>) -> io::Result<Option<u8>> {
    match result {
        Err(e) if is_timeout(&e) => Ok(None),
        other => other,
    }
}

/// Reads one answer byte; `Ok(None)` when the read timed out.
fn read_one(link: &mut impl Read) -> io::Result<Option<u8>> {
    let mut byte = [0u8; 1];
    loop {
        return match link.read(&mut byte) {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the printer closed the connection",
            )),
            Ok(_) => Ok(Some(byte[0])),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => Ok(None),
            Err(e) => Err(e),
        };
    }
}

pub(super) fn broken_link() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "the printer connection was lost",
    )
}

/// RS-232 or USB-serial, opened by path so that a udev symlink such as `/dev/kiosk-printer`
/// follows the adapter from one USB port to another.
pub struct SerialTransport {
    port: Box<dyn SerialPort>,
    baud: u32,
    /// Set after an I/O error other than a timeout: the device is gone (EIO after unplugging).
    broken: bool,
}

impl SerialTransport {
    pub fn open(
        path: &str,
        baud: u32,
        flow_control: FlowControl,
        parity: crate::config::Parity,
    ) -> Result<Self, OpenError> {
        let error = |source| OpenError::Serial {
            port: path.to_string(),
            source,
        };
        let port = serialport::new(path, baud)
            .data_bits(DataBits::Eight)
            .parity(match parity {
                crate::config::Parity::None => Parity::None,
                crate::config::Parity::Even => Parity::Even,
                crate::config::Parity::Odd => Parity::Odd,
            })
            .stop_bits(StopBits::One)
            .flow_control(match flow_control {
                FlowControl::None => serialport::FlowControl::None,
                FlowControl::RtsCts => serialport::FlowControl::Hardware,
                FlowControl::XonXoff => serialport::FlowControl::Software,
            })
            .timeout(WRITE_TIMEOUT)
            .open()
            .map_err(error)?;
        // Bytes that arrived before the line settings applied are garbled.
        port.clear(ClearBuffer::All).map_err(error)?;
        Ok(Self {
            port,
            baud,
            broken: false,
        })
    }

    /// Waits until the port has sent everything, so that the status asked next describes the
    /// printer after this job and is not queued behind it. Bounded: with flow control a stopped
    /// printer would otherwise hold the printer thread forever.
    fn drain(&mut self, len: usize) -> io::Result<()> {
        // 8N1: ten bits on the wire per byte.
        let on_wire = Duration::from_secs_f64(len as f64 * 10.0 / f64::from(self.baud.max(1)));
        let deadline = Instant::now() + on_wire + DRAIN_SLACK;
        loop {
            if self.port.bytes_to_write()? == 0 {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the printer did not take the data in time",
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn write_and_drain(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.set_timeout(WRITE_TIMEOUT)?;
        self.port.write_all(bytes)?;
        self.drain(bytes.len())
    }
}

impl Transport for SerialTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.broken {
            return Err(broken_link());
        }
        let result = self.write_and_drain(bytes);
        if let Err(e) = &result {
            if is_timeout(e) {
                // The rest of a job cut short must not come out later in front of the next one.
                let _ = self.port.clear(ClearBuffer::Output);
            } else {
                self.broken = true;
            }
        }
        result
    }

    fn status(&mut self) -> PrinterState {
        if self.broken {
            return PrinterState::NotConnected;
        }
        if self.port.set_timeout(STATUS_TIMEOUT).is_err() {
            self.broken = true;
            return PrinterState::NotConnected;
        }
        let port = &mut self.port;
        let state = status::query(|n| {
            // A late answer to an earlier request would be read as this one's.
            port.clear(ClearBuffer::Input)?;
            silence_on_timeout(
                port.write_all(&status::request(n))
                    .and_then(|()| read_one(port)),
            )
        });
        self.broken = state == PrinterState::NotConnected;
        state
    }
}

/// A network printer (raw TCP, usually port 9100). Status goes over the same socket.
pub struct TcpTransport {
    stream: TcpStream,
    broken: bool,
}

impl TcpTransport {
    pub fn connect(address: &str) -> Result<Self, OpenError> {
        let error = |source| OpenError::Tcp {
            address: address.to_string(),
            source,
        };
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the name resolves to no address");
        for addr in address.to_socket_addrs().map_err(error)? {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream.set_nodelay(true).map_err(error)?;
                    stream
                        .set_write_timeout(Some(WRITE_TIMEOUT))
                        .map_err(error)?;
                    stream
                        .set_read_timeout(Some(STATUS_TIMEOUT))
                        .map_err(error)?;
                    return Ok(Self {
                        stream,
                        broken: false,
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(error(last))
    }

    /// Reads and drops whatever waits on the socket.
    fn discard_input(&mut self) -> io::Result<()> {
        self.stream.set_nonblocking(true)?;
        let mut buf = [0u8; 256];
        let result = loop {
            match self.stream.read(&mut buf) {
                Ok(0) => break Err(broken_link()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        self.stream.set_nonblocking(false)?;
        result
    }

    fn ask(&mut self, n: u8) -> io::Result<Option<u8>> {
        self.discard_input()?;
        silence_on_timeout(
            self.stream
                .write_all(&status::request(n))
                .and_then(|()| read_one(&mut self.stream)),
        )
    }
}

impl Transport for TcpTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.broken {
            return Err(broken_link());
        }
        let result = self.stream.write_all(bytes);
        // After a failed or partial send the stream's position in the job is unknown: start over
        // on a new connection.
        self.broken = result.is_err();
        result
    }

    fn status(&mut self) -> PrinterState {
        if self.broken {
            return PrinterState::NotConnected;
        }
        let state = status::query(|n| self.ask(n));
        self.broken = state == PrinterState::NotConnected;
        state
    }
}

/// No printer: each job becomes `<dir>/<name>.bin` plus `<dir>/<name>.png`, for demos and for
/// checking ticket layout without paper.
pub struct PreviewTransport {
    dir: PathBuf,
    render: Option<RenderPreview>,
    unnamed: u64,
}

impl PreviewTransport {
    pub fn open(dir: &Path, render: Option<RenderPreview>) -> Result<Self, OpenError> {
        fs::create_dir_all(dir).map_err(|source| OpenError::Preview {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Self {
            dir: dir.to_path_buf(),
            render,
            unnamed: 0,
        })
    }
}

impl Transport for PreviewTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.unnamed += 1;
        let name = format!("job-{}", self.unnamed);
        self.write_job(&name, bytes).map(|_| ())
    }

    fn status(&mut self) -> PrinterState {
        // Someone may have removed the folder; making it again is all a reconnect would do.
        match fs::create_dir_all(&self.dir) {
            Ok(()) => PrinterState::Preview,
            Err(_) => PrinterState::NotConnected,
        }
    }

    fn write_job(&mut self, name: &str, bytes: &[u8]) -> io::Result<Option<PathBuf>> {
        fs::create_dir_all(&self.dir)?;
        // Time first: names sort in printing order, and tomorrow's HT-001 keeps today's.
        let stem = format!(
            "{}-{}",
            crate::clock::now().format("%Y%m%d-%H%M%S"),
            file_stem(name)
        );
        fs::write(self.dir.join(format!("{stem}.bin")), bytes)?;
        prune(&self.dir, PREVIEW_KEEP);
        let Some(png) = self.render.as_ref().and_then(|render| render(bytes)) else {
            return Ok(None);
        };
        let path = self.dir.join(format!("{stem}.png"));
        fs::write(&path, png)?;
        Ok(Some(path))
    }
}

/// Jobs kept in the preview folder: a demo kiosk left running for months must not fill its disk.
const PREVIEW_KEEP: usize = 200;

/// Deletes all but the newest `keep` jobs (their `.bin` and `.png`) of the preview folder.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut stems: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".bin").map(str::to_string)
        })
        .collect();
    if stems.len() <= keep {
        return;
    }
    stems.sort();
    for stem in &stems[..stems.len() - keep] {
        for ext in ["bin", "png"] {
            let _ = fs::remove_file(dir.join(format!("{stem}.{ext}")));
        }
    }
}

/// A job name made safe as a file name inside the preview folder: ASCII letters, digits, `-` and
/// `_` only, so neither `..` nor `/` can lead out of it.
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .take(80)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if stem.chars().all(|c| c == '-') {
        "job".to_string()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_folder_keeps_only_the_newest_jobs() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..7 {
            for ext in ["bin", "png"] {
                fs::write(
                    dir.path().join(format!("2026112{i}-080000-ticket.{ext}")),
                    b"x",
                )
                .unwrap();
            }
        }
        fs::write(dir.path().join("notes.txt"), b"kept").unwrap();
        prune(dir.path(), 3);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "20261124-080000-ticket.bin",
                "20261124-080000-ticket.png",
                "20261125-080000-ticket.bin",
                "20261125-080000-ticket.png",
                "20261126-080000-ticket.bin",
                "20261126-080000-ticket.png",
                "notes.txt"
            ]
        );
    }

    #[test]
    fn file_stems_stay_in_the_folder() {
        assert_eq!(file_stem("ticket-HT-042"), "ticket-HT-042");
        assert_eq!(file_stem("checklist_1.004"), "checklist_1-004");
        assert_eq!(file_stem("../../etc/passwd"), "------etc-passwd");
        assert_eq!(file_stem("vé số HT 042"), "v--s--HT-042");
        assert_eq!(file_stem(""), "job");
        assert_eq!(file_stem("../.."), "job");
        assert_eq!(file_stem(&"x".repeat(500)).len(), 80);
    }

    #[test]
    fn preview_names_unnamed_jobs_and_skips_a_failed_picture() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("preview");
        let mut t = PreviewTransport::open(&folder, Some(Box::new(|_| None))).unwrap();
        assert_eq!(t.status(), PrinterState::Preview);
        t.write_all(b"one").unwrap();
        t.write_all(b"two").unwrap();
        let named = |suffix: &str| {
            fs::read_dir(&folder)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(suffix))
        };
        assert_eq!(fs::read(named("-job-1.bin").unwrap()).unwrap(), b"one");
        assert_eq!(fs::read(named("-job-2.bin").unwrap()).unwrap(), b"two");
        assert_eq!(t.write_job("ticket-HT-001", b"x").unwrap(), None);
        assert!(named("-ticket-HT-001.bin").is_some());
        assert!(named("-ticket-HT-001.png").is_none());
    }
}
