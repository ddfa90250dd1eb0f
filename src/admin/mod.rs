//! What the admin screen needs that is not Slint: the wrong-PIN lock, the kiosk's facts (how
//! long it has run, its addresses, the recent problems kept by [`crate::logging::recent`]) and
//! what the process does when the screen ends the kiosk.

pub mod gate;
pub mod jobs;
pub mod netinfo;

use std::time::{Duration, Instant};

/// How the kiosk's event loop ended, and so what the process does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ending {
    /// The window was closed.
    #[default]
    Closed,
    /// "Restart" on the admin screen: start the kiosk again.
    Restart,
    /// "Quit to the system": stop, and do not let systemd start it again.
    QuitToShell,
}

/// What the admin panel shows about the kiosk, as of now.
#[derive(Debug, Clone)]
pub struct Facts {
    pub uptime: String,
    pub addresses: Vec<String>,
    /// The last warnings and errors, newest first.
    pub problems: Vec<String>,
}

impl Facts {
    /// The facts of a kiosk started at `started`.
    pub fn now(started: Instant) -> Self {
        Self {
            uptime: uptime_text(started.elapsed()),
            addresses: netinfo::addresses(),
            problems: crate::logging::recent::newest_first(),
        }
    }
}

/// "3 d 04:05:06": days, then hours, minutes and seconds.
pub fn uptime_text(elapsed: Duration) -> String {
    let s = elapsed.as_secs();
    let clock = format!("{:02}:{:02}:{:02}", (s / 3600) % 24, (s / 60) % 60, s % 60);
    match s / 86_400 {
        0 => clock,
        days => format!("{days} d {clock}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_reads_as_days_and_a_clock() {
        assert_eq!(uptime_text(Duration::from_secs(59)), "00:00:59");
        assert_eq!(
            uptime_text(Duration::from_secs(3 * 86_400 + 4 * 3600 + 5 * 60 + 6)),
            "3 d 04:05:06"
        );
    }
}
