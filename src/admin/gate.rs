//! Wrong admin PINs: a few tries are free, then each further wrong one locks the PIN entry for
//! twice as long as the last, up to a limit. A guesser gets a handful of tries an hour; a
//! technician who mistyped waits half a minute. A PIN is checked off the UI thread, so each
//! check is tagged: the answer to a check abandoned since (the screen was left) opens nothing.

use std::time::{Duration, Instant};

/// Wrong PINs allowed before the first lock.
pub const FREE_TRIES: u32 = 3;
/// The first lock; every further wrong PIN doubles it.
pub const FIRST_LOCK: Duration = Duration::from_secs(30);
/// The longest lock.
pub const LONGEST_LOCK: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A PIN may be checked now.
    Open,
    /// No PIN is checked until this much time has passed.
    Locked(Duration),
}

#[derive(Debug, Default)]
pub struct PinGate {
    failures: u32,
    locked_until: Option<Instant>,
    /// The tag of the newest check.
    attempt: u64,
}

impl PinGate {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a PIN may be checked at `now`.
    pub fn verdict(&self, now: Instant) -> Verdict {
        match self.locked_until {
            Some(until) if until > now => Verdict::Locked(until - now),
            _ => Verdict::Open,
        }
    }

    /// A wrong PIN at `now`; returns how long the entry is locked (zero while tries are free).
    pub fn wrong(&mut self, now: Instant) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let lock = lock_after(self.failures);
        self.locked_until = (!lock.is_zero()).then(|| now + lock);
        lock
    }

    /// The right PIN: the count starts again.
    pub fn right(&mut self) {
        self.failures = 0;
        self.locked_until = None;
    }

    /// Wrong PINs since the last right one.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Wrong PINs left before the entry locks.
    pub fn tries_left(&self) -> u32 {
        FREE_TRIES.saturating_sub(self.failures)
    }

    /// A PIN to check at `now`: the tag of its check, or how long the entry stays locked.
    pub fn begin(&mut self, now: Instant) -> Result<u64, Duration> {
        match self.verdict(now) {
            Verdict::Locked(left) => Err(left),
            Verdict::Open => {
                self.attempt += 1;
                Ok(self.attempt)
            }
        }
    }

    /// The answer to the check `attempt`, counted: `None` when it was abandoned since.
    pub fn answer(&mut self, attempt: u64, right: bool, now: Instant) -> Option<bool> {
        if attempt != self.attempt {
            return None;
        }
        if right {
            self.right();
        } else {
            let lock = self.wrong(now);
            tracing::warn!(
                failures = self.failures,
                locked_s = lock.as_secs(),
                "wrong admin PIN"
            );
        }
        Some(right)
    }

    /// Leaving the PIN entry: a check on its way counts for nothing.
    pub fn abandon(&mut self) {
        self.attempt += 1;
    }
}

/// The lock after the `failures`-th wrong PIN in a row.
fn lock_after(failures: u32) -> Duration {
    if failures < FREE_TRIES {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_TRIES).min(16);
    FIRST_LOCK.saturating_mul(1 << doublings).min(LONGEST_LOCK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_free_tries_then_locks_that_double_up_to_the_limit() {
        let locks: Vec<u64> = (1..=9).map(|n| lock_after(n).as_secs()).collect();
        assert_eq!(locks, [0, 0, 30, 60, 120, 240, 480, 900, 900]);
        assert_eq!(lock_after(u32::MAX), LONGEST_LOCK);
    }

    #[test]
    fn locked_until_the_time_has_passed() {
        let start = Instant::now();
        let mut gate = PinGate::new();
        assert_eq!(gate.verdict(start), Verdict::Open);
        gate.wrong(start);
        gate.wrong(start);
        assert_eq!(
            gate.verdict(start),
            Verdict::Open,
            "two wrong PINs are free"
        );
        assert_eq!(gate.wrong(start), FIRST_LOCK);
        assert_eq!(gate.verdict(start), Verdict::Locked(FIRST_LOCK));
        let later = start + Duration::from_secs(20);
        assert_eq!(
            gate.verdict(later),
            Verdict::Locked(Duration::from_secs(10))
        );
        let after = start + FIRST_LOCK;
        assert_eq!(gate.verdict(after), Verdict::Open);
        assert_eq!(
            gate.wrong(after),
            FIRST_LOCK * 2,
            "the next wrong one doubles"
        );
        assert_eq!(gate.failures(), 4);
    }

    #[test]
    fn an_abandoned_check_counts_for_nothing() {
        let now = Instant::now();
        let mut gate = PinGate::new();
        let first = gate.begin(now).unwrap();
        gate.abandon();
        assert_eq!(gate.answer(first, true, now), None);
        let second = gate.begin(now).unwrap();
        assert_eq!(gate.answer(second, false, now), Some(false));
        assert_eq!(gate.tries_left(), FREE_TRIES - 1);
        for _ in 0..2 {
            let n = gate.begin(now).unwrap();
            gate.answer(n, false, now);
        }
        assert_eq!(
            gate.begin(now),
            Err(FIRST_LOCK),
            "locked: nothing is checked"
        );
    }

    #[test]
    fn the_right_pin_starts_the_count_again() {
        let now = Instant::now();
        let mut gate = PinGate::new();
        for _ in 0..5 {
            gate.wrong(now);
        }
        gate.right();
        assert_eq!(gate.verdict(now), Verdict::Open);
        assert_eq!(gate.wrong(now), Duration::ZERO);
    }
}
