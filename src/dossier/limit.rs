//! A kiosk-side limit on dossier lookups, so that a passer-by cannot walk through codes one
//! after another on the lobby screen.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// At most `max` lookups in any `window` (a sliding window, not fixed minutes: a burst across
/// a minute boundary still counts as one burst).
#[derive(Debug, Clone)]
pub struct RateLimit {
    max: u32,
    window: Duration,
    /// When the lookups still inside the window were made, oldest first; never more than `max`.
    recent: VecDeque<Instant>,
}

impl RateLimit {
    /// `max == 0` means no limit.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            recent: VecDeque::new(),
        }
    }

    pub fn per_minute(max: u32) -> Self {
        Self::new(max, Duration::from_secs(60))
    }

    /// Ok when one more lookup is allowed at `now` (and records it); otherwise how long until one is.
    pub fn try_acquire(&mut self, now: Instant) -> Result<(), Duration> {
        if self.max == 0 {
            return Ok(());
        }
        while self
            .recent
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= self.window)
        {
            self.recent.pop_front();
        }
        match self.recent.front() {
            Some(&oldest) if self.recent.len() >= self.max as usize => Err(self
                .window
                .saturating_sub(now.saturating_duration_since(oldest))),
            _ => {
                self.recent.push_back(now);
                Ok(())
            }
        }
    }

    /// Forgets past lookups, e.g. when the admin clears the limit.
    pub fn reset(&mut self) {
        self.recent.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn allows_max_then_says_how_long_to_wait() {
        let t0 = Instant::now();
        let mut l = RateLimit::per_minute(3);
        assert_eq!(l.try_acquire(t0), Ok(()));
        assert_eq!(l.try_acquire(t0 + s(10)), Ok(()));
        assert_eq!(l.try_acquire(t0 + s(20)), Ok(()));
        assert_eq!(l.try_acquire(t0 + s(30)), Err(s(30)));
        // A refused attempt is not recorded: the wait does not grow.
        assert_eq!(l.try_acquire(t0 + s(59)), Err(s(1)));
        assert_eq!(l.try_acquire(t0 + s(60)), Ok(()));
        assert_eq!(l.try_acquire(t0 + s(61)), Err(s(9)));
        assert_eq!(l.try_acquire(t0 + s(70)), Ok(()));
    }

    #[test]
    fn the_window_slides() {
        let t0 = Instant::now();
        let mut l = RateLimit::new(2, s(10));
        assert_eq!(l.try_acquire(t0 + s(9)), Ok(()));
        assert_eq!(l.try_acquire(t0 + s(11)), Ok(()));
        // A fixed window starting at t0 + 10 s would allow this one.
        assert_eq!(l.try_acquire(t0 + s(12)), Err(s(7)));
        assert_eq!(l.try_acquire(t0 + s(19)), Ok(()));
        assert_eq!(l.try_acquire(t0 + s(19)), Err(s(2)));
        assert_eq!(l.try_acquire(t0 + s(100)), Ok(()));
        assert_eq!(l.try_acquire(t0 + s(100)), Ok(()));
        assert_eq!(l.try_acquire(t0 + s(100)), Err(s(10)));
    }

    #[test]
    fn zero_means_no_limit() {
        let t0 = Instant::now();
        let mut l = RateLimit::per_minute(0);
        for _ in 0..10_000 {
            assert_eq!(l.try_acquire(t0), Ok(()));
        }
        assert!(l.recent.is_empty());
    }

    #[test]
    fn reset_forgets() {
        let t0 = Instant::now();
        let mut l = RateLimit::per_minute(1);
        assert_eq!(l.try_acquire(t0), Ok(()));
        assert_eq!(l.try_acquire(t0 + s(1)), Err(s(59)));
        l.reset();
        assert_eq!(l.try_acquire(t0 + s(2)), Ok(()));
        assert_eq!(l.try_acquire(t0 + s(3)), Err(s(59)));
    }

    #[test]
    fn an_earlier_instant_does_not_panic() {
        let t0 = Instant::now() + s(100);
        let mut l = RateLimit::new(1, s(10));
        assert_eq!(l.try_acquire(t0), Ok(()));
        assert_eq!(l.try_acquire(t0 - s(5)), Err(s(10)));
    }
}
