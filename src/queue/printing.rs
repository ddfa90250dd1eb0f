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

    fn print(
        &self,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<Option<std::path::PathBuf>, PrintFailure> {
        let job = Job {
            name: name.to_string(),
            bytes,
        };
        match Printer::print(self, job, PRINT_TIMEOUT) {
            JobOutcome::Printed { preview_png } => Ok(preview_png),
            JobOutcome::Failed(failure) => Err(failure),
        }
    }
}
