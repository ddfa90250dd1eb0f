//! The admin screen's one-shot jobs, each on a thread of its own and answering exactly once,
//! also after a panic ([`crate::supervise::once`]): a PIN checked (Argon2 takes a noticeable
//! moment by design), the test ticket printed, the config file read again.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::Config;
use crate::printer::{JobOutcome, Printer};

/// A test print waits at most this long for the printer.
const PRINT_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether `pin` matches `hash`; a check that fails badly says no.
pub fn check_pin(
    pin: String,
    hash: String,
    right: impl FnOnce(bool) + Send + 'static,
) -> io::Result<()> {
    crate::supervise::once(
        "admin-pin",
        false,
        move || crate::pin::verify(&pin, &hash),
        right,
    )
}

/// Prints `config`'s test ticket on `printer`: whether it came out.
pub fn print_test_ticket(
    printer: Printer,
    config: &Config,
    printed: impl FnOnce(bool) + Send + 'static,
) -> io::Result<()> {
    let job = crate::queue::test_ticket(config);
    let print = move || {
        let ok = matches!(
            printer.print(job, PRINT_TIMEOUT),
            JobOutcome::Printed { .. }
        );
        tracing::info!(ok, "admin test print");
        ok
    };
    crate::supervise::once("admin-test-print", false, print, printed)
}

/// The config file at `path` read and validated again, or every problem with it in words.
pub fn read_config(
    path: PathBuf,
    read: impl FnOnce(Result<Box<Config>, String>) + Send + 'static,
) -> io::Result<()> {
    let load = move || {
        crate::config::load(&path)
            .map(Box::new)
            .map_err(|e| e.to_string())
    };
    let failed = Err("reading the file stopped on an internal error".to_string());
    crate::supervise::once("admin-reload", failed, load, read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    const WAIT: Duration = Duration::from_secs(30);

    #[test]
    fn a_pin_is_checked_off_the_callers_thread() {
        let hash = crate::pin::hash("246810").unwrap();
        let (answers, heard) = mpsc::channel();
        for pin in ["246810", "135790"] {
            let to = answers.clone();
            check_pin(pin.into(), hash.clone(), move |right| {
                to.send((pin, right)).unwrap()
            })
            .unwrap();
            assert_eq!(heard.recv_timeout(WAIT).unwrap(), (pin, pin == "246810"));
        }
    }

    #[test]
    fn a_config_that_cannot_be_read_says_why() {
        let (answers, heard) = mpsc::channel();
        read_config("/no/such/kiosk-config.toml".into(), move |read| {
            answers.send(read.map(|_| ())).unwrap();
        })
        .unwrap();
        let problems = heard.recv_timeout(WAIT).unwrap().unwrap_err();
        assert!(
            problems.contains("/no/such/kiosk-config.toml"),
            "{problems}"
        );
    }
}
