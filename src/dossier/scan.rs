//! Telling a 2D barcode scanner from a person typing. The scanner acts as a USB keyboard: it
//! "types" the scanned text a few milliseconds per key, then Enter (or Tab). A person needs
//! well over 50 ms per key, so a fast run of keys ended by Enter is a scan.
//!
//! Keys are Slint's: text of one key event, Enter `"\n"` (or `"\r"`), Tab `"\t"`, other
//! special keys control characters or the private use area U+F700..=U+F8FF.

use std::time::{Duration, Instant};

/// Longest pause between two keys of one scan.
pub const MAX_GAP: Duration = Duration::from_millis(50);
/// Fewest characters of a scan: the shortest dossier code.
pub const MIN_LEN: usize = 8;
/// Most characters of a scan: anything longer (a scanned page, a stuck key) is dropped.
pub const MAX_LEN: usize = 4096;

/// Finds scans in a stream of key events.
#[derive(Debug, Clone)]
pub struct ScanDetector {
    max_gap: Duration,
    min_len: usize,
    /// The printable keys of the current fast run.
    run: String,
    /// `run` in characters.
    run_len: usize,
    /// The current run went past [`MAX_LEN`]: drop keys until a terminator or a pause.
    overlong: bool,
    last: Option<Instant>,
}

impl Default for ScanDetector {
    fn default() -> Self {
        Self::new(MAX_GAP, MIN_LEN)
    }
}

impl ScanDetector {
    pub fn new(max_gap: Duration, min_len: usize) -> Self {
        Self {
            max_gap,
            min_len,
            run: String::new(),
            run_len: 0,
            overlong: false,
            last: None,
        }
    }

    /// Feeds one key event; returns the scanned text when this key completes a scan.
    ///
    /// Modifier keys (Shift, Control, Alt, AltGr, Caps Lock, Meta: U+0010..=U+0018) are
    /// ignored: a scanner presses Shift for every capital letter.
    pub fn key(&mut self, text: &str, at: Instant) -> Option<String> {
        if text.is_empty() || text.chars().all(|c| ('\u{10}'..='\u{18}').contains(&c)) {
            return None;
        }
        let in_time = self
            .last
            .is_some_and(|last| at.saturating_duration_since(last) <= self.max_gap);
        self.last = Some(at);
        if !in_time {
            self.restart();
        }

        let mut scanned = None;
        for c in text.chars() {
            match c {
                '\n' | '\r' | '\t' => {
                    // A late terminator finds an empty run: the pause restarted it.
                    if !self.overlong && self.run_len >= self.min_len.max(1) {
                        scanned = Some(std::mem::take(&mut self.run));
                    }
                    self.restart();
                }
                '\u{10}'..='\u{18}' => {}
                c if c.is_control() || ('\u{f700}'..='\u{f8ff}').contains(&c) => {
                    // Arrows, Backspace, Escape…: a person at the keyboard.
                    self.run.clear();
                    self.run_len = 0;
                }
                _ if self.overlong => {}
                _ if self.run_len == MAX_LEN => {
                    self.overlong = true;
                    self.run.clear();
                    self.run_len = 0;
                }
                c => {
                    self.run.push(c);
                    self.run_len += 1;
                }
            }
        }
        scanned
    }

    fn restart(&mut self) {
        self.run.clear();
        self.run_len = 0;
        self.overlong = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "000.00.06.H56-231027-0361";

    /// Feeds `keys` one event each, `step` apart from `start`; returns what was scanned and
    /// the time of the last key.
    fn feed<'a>(
        d: &mut ScanDetector,
        keys: impl IntoIterator<Item = &'a str>,
        start: Instant,
        step: Duration,
    ) -> (Vec<String>, Instant) {
        let mut at = start;
        let mut found = Vec::new();
        for (i, key) in keys.into_iter().enumerate() {
            at = start + step * u32::try_from(i).unwrap();
            found.extend(d.key(key, at));
        }
        (found, at)
    }

    fn chars(s: &str) -> Vec<&str> {
        s.char_indices()
            .map(|(i, c)| &s[i..i + c.len_utf8()])
            .collect()
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn with_enter(s: &str) -> Vec<&str> {
        let mut keys = chars(s);
        keys.push("\n");
        keys
    }

    #[test]
    fn a_scan_is_detected() {
        let mut d = ScanDetector::default();
        let (found, _) = feed(&mut d, with_enter(CODE), Instant::now(), ms(5));
        assert_eq!(found, [CODE]);
    }

    #[test]
    fn shift_between_keys_does_not_break_a_scan() {
        let mut d = ScanDetector::default();
        let keys = chars("000.00.06.\u{10}H56-231027-0361\r");
        let (found, _) = feed(&mut d, keys, Instant::now(), ms(5));
        assert_eq!(found, [CODE]);
    }

    #[test]
    fn a_person_is_not_a_scan() {
        let mut d = ScanDetector::default();
        let (found, _) = feed(&mut d, with_enter(CODE), Instant::now(), ms(150));
        assert!(found.is_empty());
    }

    #[test]
    fn a_person_then_a_scan() {
        let mut d = ScanDetector::default();
        let (found, end) = feed(&mut d, chars("ABC123"), Instant::now(), ms(150));
        assert!(found.is_empty());
        let (found, _) = feed(&mut d, with_enter(CODE), end + ms(100), ms(5));
        assert_eq!(found, [CODE]);
    }

    #[test]
    fn one_long_gap_starts_a_new_run() {
        let mut d = ScanDetector::default();
        let t0 = Instant::now();
        let (_, end) = feed(&mut d, chars("000.00.06.H56-2310"), t0, ms(5));
        // After 60 ms only "27-0361" is left: too short.
        let (found, _) = feed(&mut d, with_enter("27-0361"), end + ms(60), ms(5));
        assert!(found.is_empty());
        // The same 60 ms before a long enough tail: only the tail is the scan.
        let (_, end) = feed(&mut d, chars("XYZ"), end + ms(1000), ms(5));
        let (found, _) = feed(&mut d, with_enter("ABCD1234"), end + ms(60), ms(5));
        assert_eq!(found, ["ABCD1234"]);
    }

    #[test]
    fn a_gap_of_exactly_max_gap_is_in_time() {
        let mut d = ScanDetector::default();
        let (found, _) = feed(&mut d, with_enter(CODE), Instant::now(), MAX_GAP);
        assert_eq!(found, [CODE]);
    }

    #[test]
    fn a_late_enter_is_no_scan() {
        let mut d = ScanDetector::default();
        let (found, end) = feed(&mut d, chars(CODE), Instant::now(), ms(5));
        assert!(found.is_empty());
        assert_eq!(d.key("\n", end + ms(51)), None);
        // The run is gone: a second, quick Enter finds nothing either.
        assert_eq!(d.key("\n", end + ms(52)), None);
    }

    #[test]
    fn too_short_is_no_scan() {
        let mut d = ScanDetector::default();
        let (found, _) = feed(&mut d, with_enter("ABC1234"), Instant::now(), ms(5));
        assert!(found.is_empty());
        let mut d = ScanDetector::new(MAX_GAP, 0);
        assert_eq!(d.key("\n", Instant::now()), None);
    }

    #[test]
    fn tab_ends_a_scan() {
        let mut d = ScanDetector::default();
        let mut keys = chars(CODE);
        keys.push("\t");
        let (found, _) = feed(&mut d, keys, Instant::now(), ms(5));
        assert_eq!(found, [CODE]);
    }

    #[test]
    fn special_keys_break_the_run() {
        for special in ["\u{f702}", "\u{8}", "\u{1b}", "\u{7f}", "\u{f704}"] {
            let mut d = ScanDetector::default();
            let mut keys = chars("000.00.06.H56-23");
            keys.push(special);
            keys.extend(with_enter("1027-0361"));
            let (found, _) = feed(&mut d, keys, Instant::now(), ms(5));
            assert_eq!(found, ["1027-0361"], "{special:?}");
        }
    }

    #[test]
    fn an_overlong_run_is_dropped() {
        let mut d = ScanDetector::default();
        let long = "A".repeat(MAX_LEN + 1);
        let (found, end) = feed(&mut d, with_enter(&long), Instant::now(), ms(1));
        assert!(found.is_empty());
        // Exactly MAX_LEN is still a scan, and the detector works again after the drop.
        let long = "A".repeat(MAX_LEN);
        let (found, _) = feed(&mut d, with_enter(&long), end + ms(1), ms(1));
        assert_eq!(found, [long]);
    }

    #[test]
    fn an_overlong_run_without_enter_ends_at_a_pause() {
        let mut d = ScanDetector::default();
        let t0 = Instant::now();
        assert_eq!(d.key(&"A".repeat(MAX_LEN + 10), t0), None);
        let (found, _) = feed(&mut d, with_enter(CODE), t0 + ms(500), ms(5));
        assert_eq!(found, [CODE]);
    }

    #[test]
    fn two_scans_back_to_back() {
        let mut d = ScanDetector::default();
        let mut keys = with_enter(CODE);
        keys.extend(with_enter("H56.22-231027-0001"));
        let (found, _) = feed(&mut d, keys, Instant::now(), ms(5));
        assert_eq!(found, [CODE, "H56.22-231027-0001"]);
    }

    #[test]
    fn one_event_may_hold_several_characters() {
        let mut d = ScanDetector::default();
        let t0 = Instant::now();
        assert_eq!(d.key("000.00.06.", t0), None);
        assert_eq!(d.key("H56-231027-0361\r\n", t0 + ms(5)), Some(CODE.into()));
    }

    #[test]
    fn empty_events_are_ignored() {
        let mut d = ScanDetector::default();
        let t0 = Instant::now();
        let (_, end) = feed(&mut d, chars(CODE), t0, ms(5));
        assert_eq!(d.key("", end + ms(40)), None);
        assert_eq!(d.key("\n", end + ms(45)), Some(CODE.into()));
    }
}
