//! ESC/POS real-time status (`DLE EOT n`, Epson "transmit real-time status") and what it means for
//! the kiosk.

use std::io;

/// `DLE EOT`: the real-time status request, followed by the status kind `n`.
const DLE_EOT: [u8; 2] = [0x10, 0x04];

/// Printer status: online/offline.
pub const PRINTER: u8 = 1;
/// Offline cause: cover, feed button, paper end, error.
pub const OFFLINE_CAUSE: u8 = 2;
/// Paper roll sensor: near end, end.
pub const PAPER_SENSOR: u8 = 4;

/// The three requests a status check sends, in order.
pub const QUERIES: [u8; 3] = [PRINTER, OFFLINE_CAUSE, PAPER_SENSOR];

/// The three bytes of one request. Unlike escpos 0.20 there is no trailing NUL: a printer reads
/// that NUL as data, and with some clones it ends up on the paper.
pub fn request(n: u8) -> [u8; 3] {
    [DLE_EOT[0], DLE_EOT[1], n]
}

/// Bits every status byte has at fixed values: bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0.
const FIXED_MASK: u8 = 0b1001_0011;
const FIXED_VALUE: u8 = 0b0001_0010;

const OFFLINE: u8 = 1 << 3;
const COVER_OPEN: u8 = 1 << 2;
const FEEDING_BY_BUTTON: u8 = 1 << 3;
const STOPPED_BY_PAPER_END: u8 = 1 << 5;
const ERROR: u8 = 1 << 6;
const NEAR_END: u8 = 0b0000_1100;
const PAPER_END: u8 = 0b0110_0000;

/// Whether `byte` can be a status answer at all; anything else is line noise, a wrong baud rate
/// or a device that is not an ESC/POS printer.
pub fn is_status_byte(byte: u8) -> bool {
    byte & FIXED_MASK == FIXED_VALUE
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterState {
    Ready,
    PaperNearEnd,
    PaperOut,
    CoverOpen,
    /// Reports itself offline and names no cause (paper and cover are fine): its own
    /// "offline", e.g. after a paper jam or from its panel.
    Offline,
    /// Reports an error (cutter, head temperature, a mechanical fault).
    Error,
    /// Connected but no (valid) answer to status queries.
    NoAnswer,
    /// The port or device cannot be opened (unplugged, wrong path, TCP refused).
    NotConnected,
    /// Takes jobs but cannot say how it is: a device file with no way back (a one-way USB
    /// printer, a plain file). Printing goes ahead; paper out is not seen.
    NoStatus,
    /// No printer: jobs go to the preview folder.
    Preview,
}

impl PrinterState {
    pub fn can_print(self) -> bool {
        matches!(
            self,
            Self::Ready | Self::PaperNearEnd | Self::Preview | Self::NoStatus
        )
    }

    /// Stable name for heartbeats and logs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ready => "ok",
            Self::PaperNearEnd => "paper-near-end",
            Self::PaperOut => "paper-out",
            Self::CoverOpen => "cover-open",
            Self::Offline => "offline",
            Self::Error => "error",
            Self::NoAnswer => "no-answer",
            Self::NotConnected => "not-connected",
            Self::Preview => "preview",
            Self::NoStatus => "no-status",
        }
    }

    /// In words, as the status line says it (for the command line and logs).
    pub fn describe(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::PaperNearEnd => "paper near its end",
            Self::PaperOut => "out of paper",
            Self::CoverOpen => "cover open",
            Self::Offline => "offline (the printer stopped itself; check for a paper jam)",
            Self::Error => "reports an error",
            Self::NoAnswer => "does not answer",
            Self::NotConnected => "not connected",
            Self::Preview => "preview folder (no printer)",
            Self::NoStatus => "prints, but does not report its state",
        }
    }

    /// The printer in the central API's heartbeat words (`ok`, `paper-near-end`, `paper-out`,
    /// `cover-open`, `offline`, `preview`, `no-status`): a printer that is silent, failing or
    /// gone is `offline` to the fleet.
    pub fn heartbeat_code(self) -> &'static str {
        match self {
            Self::Ready => "ok",
            Self::PaperNearEnd => "paper-near-end",
            Self::PaperOut => "paper-out",
            Self::CoverOpen => "cover-open",
            Self::Preview => "preview",
            Self::NoStatus => "no-status",
            Self::Offline | Self::Error | Self::NoAnswer | Self::NotConnected => "offline",
        }
    }

    /// The answers to `DLE EOT 1`, `2` and `4`, in that order, read as one state. `None` for any
    /// byte that is not a status byte.
    pub fn from_answers(printer: u8, offline_cause: u8, paper: u8) -> Option<Self> {
        if ![printer, offline_cause, paper]
            .into_iter()
            .all(is_status_byte)
        {
            return None;
        }
        // The cover and the paper explain "offline" in words a clerk can act on; check them first.
        let state = if offline_cause & COVER_OPEN != 0 {
            Self::CoverOpen
        } else if offline_cause & STOPPED_BY_PAPER_END != 0 || paper & PAPER_END != 0 {
            Self::PaperOut
        } else if offline_cause & ERROR != 0 {
            Self::Error
        } else if printer & OFFLINE != 0 && offline_cause & FEEDING_BY_BUTTON == 0 {
            // Offline for no reason it names. Feeding by the button only pauses the printer: data
            // sent meanwhile waits in its buffer and prints afterwards.
            Self::Offline
        } else if paper & NEAR_END != 0 {
            Self::PaperNearEnd
        } else {
            Self::Ready
        };
        Some(state)
    }
}

impl std::fmt::Display for PrinterState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Runs one status check over a link. `ask(n)` sends `DLE EOT n` (after discarding whatever stale
/// input waits) and returns the one-byte answer, `Ok(None)` when none came in time, or an error
/// when the link itself is broken. A request that gets no usable answer is asked once more: a
/// printer busy for a moment (or a kiosk PC that was) is not taken for a silent one.
pub fn query(mut ask: impl FnMut(u8) -> io::Result<Option<u8>>) -> PrinterState {
    let mut answers = [0u8; QUERIES.len()];
    for (answer, n) in answers.iter_mut().zip(QUERIES) {
        let mut tries = 0;
        loop {
            tries += 1;
            match ask(n) {
                Ok(Some(byte)) if is_status_byte(byte) => {
                    *answer = byte;
                    break;
                }
                Ok(_) if tries < 2 => {}
                // Asking on would only wait out the timeout for the other requests too.
                Ok(_) => return PrinterState::NoAnswer,
                Err(e) => {
                    tracing::debug!("printer status DLE EOT {n}: {e}");
                    return PrinterState::NotConnected;
                }
            }
        }
    }
    PrinterState::from_answers(answers[0], answers[1], answers[2]).unwrap_or(PrinterState::NoAnswer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: u8 = 0x12;

    #[test]
    fn a_request_without_an_answer_is_asked_once_more() {
        let mut asked = Vec::new();
        let mut first = true;
        let state = query(|n| {
            asked.push(n);
            // The first request of all is lost; everything else is answered at once.
            Ok(if std::mem::take(&mut first) {
                None
            } else {
                Some(OK)
            })
        });
        assert_eq!(state, PrinterState::Ready);
        assert_eq!(asked, [1, 1, 2, 4]);

        let mut asked = 0;
        let state = query(|_| {
            asked += 1;
            Ok(None)
        });
        assert_eq!(state, PrinterState::NoAnswer);
        assert_eq!(asked, 2, "a silent printer costs two timeouts, not six");
    }

    #[test]
    fn requests_have_no_trailing_nul() {
        assert_eq!(request(1), [0x10, 0x04, 0x01]);
        assert_eq!(request(4), [0x10, 0x04, 0x04]);
    }

    #[test]
    fn fixed_bits_are_checked() {
        assert!(is_status_byte(0x12));
        assert!(is_status_byte(0x7E));
        for garbage in [0x00, 0xFF, 0x13, 0x92, 0x10, 0x02, b'A'] {
            assert!(!is_status_byte(garbage), "{garbage:#04x}");
        }
    }

    #[test]
    fn answers_map_to_states() {
        let s = PrinterState::from_answers;
        assert_eq!(s(OK, OK, OK), Some(PrinterState::Ready));
        assert_eq!(s(OK, OK, OK | NEAR_END), Some(PrinterState::PaperNearEnd));
        assert_eq!(s(OK, OK, OK | 0x04), Some(PrinterState::PaperNearEnd));
        // Epson when the roll ends: offline, stopped by paper end, both end sensor bits.
        assert_eq!(
            s(
                OK | OFFLINE,
                OK | STOPPED_BY_PAPER_END,
                OK | NEAR_END | PAPER_END
            ),
            Some(PrinterState::PaperOut)
        );
        assert_eq!(s(OK, OK, OK | PAPER_END), Some(PrinterState::PaperOut));
        assert_eq!(
            s(OK | OFFLINE, OK | COVER_OPEN, OK),
            Some(PrinterState::CoverOpen)
        );
        // An open cover hides the paper sensor reading; the cover is what to fix first.
        assert_eq!(
            s(OK | OFFLINE, OK | COVER_OPEN, OK | PAPER_END),
            Some(PrinterState::CoverOpen)
        );
        assert_eq!(s(OK | OFFLINE, OK | ERROR, OK), Some(PrinterState::Error));
        assert_eq!(s(OK | OFFLINE, OK, OK), Some(PrinterState::Offline));
        assert_eq!(
            s(OK | OFFLINE, OK | FEEDING_BY_BUTTON, OK),
            Some(PrinterState::Ready)
        );
        assert_eq!(s(0xFF, OK, OK), None);
        assert_eq!(s(OK, OK, 0x00), None);
    }

    #[test]
    fn query_asks_one_two_four_and_stops_at_the_second_silence() {
        let mut asked = Vec::new();
        let state = query(|n| {
            asked.push(n);
            Ok(Some(OK))
        });
        assert_eq!(state, PrinterState::Ready);
        assert_eq!(asked, [1, 2, 4]);

        asked.clear();
        let state = query(|n| {
            asked.push(n);
            Ok((n == 1).then_some(OK))
        });
        assert_eq!(state, PrinterState::NoAnswer);
        assert_eq!(asked, [1, 2, 2]);

        assert_eq!(query(|_| Ok(Some(0xFF))), PrinterState::NoAnswer);
        assert_eq!(
            query(|_| Err(io::Error::from(io::ErrorKind::BrokenPipe))),
            PrinterState::NotConnected
        );
    }

    #[test]
    fn only_ready_near_end_preview_and_no_status_print() {
        use PrinterState::*;
        let all = [
            Ready,
            PaperNearEnd,
            PaperOut,
            CoverOpen,
            Offline,
            Error,
            NoAnswer,
            NotConnected,
            Preview,
            NoStatus,
        ];
        let printable: Vec<_> = all.into_iter().filter(|s| s.can_print()).collect();
        assert_eq!(printable, [Ready, PaperNearEnd, Preview, NoStatus]);
        let codes: Vec<_> = all.into_iter().map(PrinterState::code).collect();
        assert_eq!(
            codes,
            [
                "ok",
                "paper-near-end",
                "paper-out",
                "cover-open",
                "offline",
                "error",
                "no-answer",
                "not-connected",
                "preview",
                "no-status"
            ]
        );
        // Every state in words, none as Rust's debug text.
        for state in all {
            assert!(!state.describe().contains(char::is_uppercase), "{state:?}");
        }
    }
}
