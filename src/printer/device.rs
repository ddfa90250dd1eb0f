//! A printer device file, as Linux's `usblp` driver presents a USB printer (`/dev/usb/lp0`, or
//! the `/dev/kiosk-printer` link of the package's udev rule).
//!
//! Most USB receipt printers are bidirectional: the answer to `DLE EOT` comes back on the same
//! file, so the file is opened for reading and writing and the status is asked with a timeout
//! (`poll`), as on a serial port. A device with no way back (a one-way printer: usblp refuses
//! the read, or the file ends at once), a plain file, or a printer that never answered since it
//! was opened reports [`PrinterState::NoStatus`]: jobs go ahead, and the kiosk says honestly
//! that it cannot see the paper. A printer that answered once and then falls silent is
//! [`PrinterState::NoAnswer`], as on every other transport.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::status::{self, PrinterState};
use super::transport::{OpenError, STATUS_TIMEOUT, Transport, broken_link};

/// What the file can tell about the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WayBack {
    /// A character device opened for reading too: asked at the next status check.
    Untried,
    /// Has answered a status request since it was opened.
    Answers,
    /// No answer can come: a plain file, a device opened write-only, a driver that refuses
    /// reads, a file that ends, or a printer that never answered.
    None,
}

/// A printer device file. Reopened by the printer thread when the device goes away.
pub struct FileTransport {
    file: File,
    path: PathBuf,
    broken: bool,
    way_back: WayBack,
}

impl FileTransport {
    /// Opens for reading and writing (for the status), or write-only where reading is not
    /// allowed; never creates: a missing device must not become a plain file that silently
    /// swallows tickets. A terminal (a USB-serial adapter named here, or a pty) is put in raw
    /// mode so that job bytes pass unchanged.
    pub fn open(path: &Path) -> Result<Self, OpenError> {
        let error = |source| OpenError::File {
            path: path.to_path_buf(),
            source,
        };
        let read_write = OpenOptions::new()
            .read(true)
            .append(true)
            .custom_flags(libc::O_NOCTTY)
            .open(path);
        let (file, readable) = match read_write {
            Ok(file) => (file, true),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                let file = OpenOptions::new()
                    .append(true)
                    .custom_flags(libc::O_NOCTTY)
                    .open(path)
                    .map_err(error)?;
                tracing::info!(
                    "printer device {} is writable only: printing without status",
                    path.display()
                );
                (file, false)
            }
            Err(e) => return Err(error(e)),
        };
        let device = file
            .metadata()
            .map(|m| m.file_type().is_char_device())
            .unwrap_or(false);
        if device {
            raw_if_terminal(&file).map_err(error)?;
        }
        Ok(Self {
            file,
            path: path.to_path_buf(),
            broken: false,
            way_back: if readable && device {
                WayBack::Untried
            } else {
                WayBack::None
            },
        })
    }

    /// Whether the path still names the file we hold: a printer unplugged and plugged back gets
    /// a new device node under the same name, and the old handle only returns errors.
    fn still_there(&self) -> bool {
        match (fs::metadata(&self.path), self.file.metadata()) {
            (Ok(named), Ok(held)) => named.dev() == held.dev() && named.ino() == held.ino(),
            _ => false,
        }
    }

    /// One `DLE EOT n` request: stale input dropped, the request written, one byte awaited.
    /// `Ok(None)` when nothing came in time; `Err(Ask::NoWayBack)` when the file cannot answer.
    fn ask(&mut self, n: u8) -> Result<Option<u8>, Ask> {
        let mut stale = [0u8; 64];
        while wait_readable(&self.file, Duration::ZERO)? {
            read_some(&mut self.file, &mut stale)?;
        }
        self.file
            .write_all(&status::request(n))
            .and_then(|()| self.file.flush())
            .map_err(Ask::Broken)?;
        if !wait_readable(&self.file, STATUS_TIMEOUT)? {
            return Ok(None);
        }
        let mut byte = [0u8; 1];
        read_some(&mut self.file, &mut byte)?;
        Ok(Some(byte[0]))
    }
}

/// Why a request could not be answered.
enum Ask {
    /// The file has no way back (usblp without a bulk-in endpoint, `/dev/null`).
    NoWayBack,
    /// The device is gone.
    Broken(io::Error),
}

impl From<io::Error> for Ask {
    fn from(e: io::Error) -> Self {
        Ask::Broken(e)
    }
}

/// Reads what is there (the caller knows something is). End of file, or a driver that does not
/// read at all (usblp answers `EINVAL` for a one-way printer), means no way back.
fn read_some(file: &mut File, buf: &mut [u8]) -> Result<usize, Ask> {
    loop {
        return match file.read(buf) {
            Ok(0) => Err(Ask::NoWayBack),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Err(Ask::NoWayBack),
            Err(e) => Err(Ask::Broken(e)),
        };
    }
}

/// Waits up to `timeout` for input. A hang-up or an error condition is a broken link.
fn wait_readable(file: &File, timeout: Duration) -> Result<bool, Ask> {
    let mut pollfd = libc::pollfd {
        fd: file.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    loop {
        // SAFETY: one valid pollfd for the call's duration; the descriptor is owned by `file`.
        let ready = unsafe { libc::poll(&mut pollfd, 1, ms) };
        if ready < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Ask::Broken(e));
        }
        if ready == 0 {
            return Ok(false);
        }
        if pollfd.revents & libc::POLLIN != 0 {
            return Ok(true);
        }
        if pollfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            return Err(Ask::Broken(broken_link()));
        }
        return Ok(false);
    }
}

/// A terminal device passes bytes unchanged only in raw mode (no newline translation, no
/// echo, no signals); anything else is left as it is.
fn raw_if_terminal(file: &File) -> io::Result<()> {
    let fd = file.as_raw_fd();
    // SAFETY: isatty only inspects the descriptor, which `file` owns.
    if unsafe { libc::isatty(fd) } != 1 {
        return Ok(());
    }
    // SAFETY: termios is plain data; tcgetattr fills it before it is read.
    let mut settings: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: a valid descriptor and a valid termios to fill or apply.
    unsafe {
        if libc::tcgetattr(fd, &mut settings) != 0 {
            return Err(io::Error::last_os_error());
        }
        libc::cfmakeraw(&mut settings);
        if libc::tcsetattr(fd, libc::TCSANOW, &settings) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

impl Transport for FileTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.broken {
            return Err(broken_link());
        }
        let result = self.file.write_all(bytes).and_then(|()| self.file.flush());
        self.broken = result.is_err();
        result
    }

    fn status(&mut self) -> PrinterState {
        if self.broken || !self.still_there() {
            self.broken = true;
            return PrinterState::NotConnected;
        }
        if self.way_back == WayBack::None {
            return PrinterState::NoStatus;
        }
        let mut no_way_back = false;
        let state = status::query(|n| match self.ask(n) {
            Ok(answer) => Ok(answer),
            Err(Ask::NoWayBack) => {
                no_way_back = true;
                Ok(None)
            }
            Err(Ask::Broken(e)) => Err(e),
        });
        match state {
            PrinterState::NotConnected => {
                self.broken = true;
                state
            }
            PrinterState::NoAnswer if no_way_back || self.way_back == WayBack::Untried => {
                // Asked once more on the next open, never again on this one: a one-way printer
                // would cost every ticket two timeouts.
                tracing::info!(
                    "printer device {} gives no status{}: printing without it",
                    self.path.display(),
                    if no_way_back { "" } else { " (no answer)" }
                );
                self.way_back = WayBack::None;
                PrinterState::NoStatus
            }
            PrinterState::NoAnswer => state,
            answered => {
                self.way_back = WayBack::Answers;
                answered
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_device_file_is_not_connected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lp0");
        fs::write(&path, b"").unwrap();
        let mut t = FileTransport::open(&path).unwrap();
        assert_eq!(
            t.status(),
            PrinterState::NoStatus,
            "a plain file has no way back"
        );
        fs::remove_file(&path).unwrap();
        assert_eq!(t.status(), PrinterState::NotConnected);
        fs::write(&path, b"").unwrap();
        assert_eq!(t.status(), PrinterState::NotConnected);
        assert_eq!(
            FileTransport::open(&path).unwrap().status(),
            PrinterState::NoStatus
        );
    }

    #[test]
    fn dev_null_takes_jobs_without_status() {
        let mut t = FileTransport::open(Path::new("/dev/null")).unwrap();
        assert_eq!(t.way_back, WayBack::Untried);
        // It reads as ended at once: no way back, learnt without waiting for a timeout.
        let started = std::time::Instant::now();
        assert_eq!(t.status(), PrinterState::NoStatus);
        assert!(started.elapsed() < STATUS_TIMEOUT);
        assert_eq!(t.way_back, WayBack::None);
        t.write_all(b"ticket").unwrap();
        assert_eq!(t.status(), PrinterState::NoStatus);
    }
}
