//! What the admin screen needs that is not Slint: the wrong-PIN lock, the kiosk's addresses and
//! how long it has run. (The recent problems it shows are kept by [`crate::logging::recent`].)

pub mod gate;
pub mod netinfo;

use std::time::Duration;

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
