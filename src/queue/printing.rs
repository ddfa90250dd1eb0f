//! The printer thread as the issuer sees it.

use std::time::Duration;

use super::issue::TicketPrinter;
use crate::printer::{Job, JobOutcome, PrintFailure, Printer};

/// A ticket job waits at most this long for the printer thread (a long ticket at 9600 baud).
const PRINT_TIMEOUT: Duration = Duration::from_secs(30);

impl TicketPrinter for Printer {
    fn check(&self) -> Result<(), PrintFailure> {
        match PrintFailure::from_state(self.check_now()) {
            None => Ok(()),
            Some(failure) => Err(failure),
        }
    }

    fn print(&self, name: &str, bytes: Vec<u8>) -> JobOutcome {
        let job = Job {
            name: name.to_string(),
            bytes,
        };
        Printer::print(self, job, PRINT_TIMEOUT)
    }
}
