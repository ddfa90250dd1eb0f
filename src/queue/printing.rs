//! The printer thread as the issuer sees it.

use std::time::Duration;

use super::issue::{PrinterProblem, TicketPrinter};
use crate::printer::{Job, JobOutcome, PrintFailure, Printer, PrinterState};

/// A ticket job waits at most this long for the printer thread (a long ticket at 9600 baud).
const PRINT_TIMEOUT: Duration = Duration::from_secs(30);

impl TicketPrinter for Printer {
    fn check(&self) -> Result<(), PrinterProblem> {
        let state = self.check_now();
        if state.can_print() {
            Ok(())
        } else {
            Err(problem_of(state))
        }
    }

    fn print(
        &self,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<Option<std::path::PathBuf>, PrinterProblem> {
        match Printer::print(
            self,
            Job {
                name: name.to_string(),
                bytes,
            },
            PRINT_TIMEOUT,
        ) {
            JobOutcome::Printed { preview_png } => Ok(preview_png),
            JobOutcome::Failed(f) => Err(match f {
                PrintFailure::PaperOut => PrinterProblem::PaperOut,
                PrintFailure::CoverOpen => PrinterProblem::CoverOpen,
                PrintFailure::NoAnswer => PrinterProblem::NoAnswer,
                PrintFailure::NotConnected => PrinterProblem::NotConnected,
                PrintFailure::Error => PrinterProblem::Error,
                PrintFailure::WriteFailed => PrinterProblem::WriteFailed,
                PrintFailure::TimedOut => PrinterProblem::NoAnswer,
            }),
        }
    }
}

fn problem_of(state: PrinterState) -> PrinterProblem {
    match state {
        PrinterState::PaperOut => PrinterProblem::PaperOut,
        PrinterState::CoverOpen => PrinterProblem::CoverOpen,
        PrinterState::NoAnswer => PrinterProblem::NoAnswer,
        PrinterState::NotConnected => PrinterProblem::NotConnected,
        _ => PrinterProblem::Error,
    }
}
