//! Waiting for something with a deadline instead of sleeping a fixed time: fast when the machine
//! is fast, patient when it is busy.

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// Generous: CI machines are small and busy. Nothing waited for with it measures speed.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Polls `condition` until it holds or `timeout` passes.
pub fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The first message on `from` that `wanted` accepts (the others are dropped), or `None` when
/// none came within `timeout`.
pub fn first<T>(
    from: &Receiver<T>,
    timeout: Duration,
    mut wanted: impl FnMut(&T) -> bool,
) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        let message = from
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()?;
        if wanted(&message) {
            return Some(message);
        }
    }
}
