//! The last warnings and errors, kept in memory for the admin screen: a technician at the kiosk
//! sees what went wrong without a keyboard or the journal.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// How many lines the admin screen shows.
pub const KEPT: usize = 20;

static RECENT: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());

/// A `tracing` layer that keeps every warning and error in the recent list.
pub struct RecentProblems;

impl<S: Subscriber> Layer<S> for RecentProblems {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let mut text = Fields::default();
        event.record(&mut text);
        let time = crate::clock::now().format("%d/%m %H:%M:%S");
        let word = if level == Level::ERROR {
            "ERROR"
        } else {
            "WARN"
        };
        remember(format!("{time} {word} {}", text.0));
    }
}

/// Adds a line (newest last), dropping the oldest beyond [`KEPT`].
pub fn remember(line: String) {
    let mut recent = RECENT.lock().unwrap_or_else(|p| p.into_inner());
    if recent.len() == KEPT {
        recent.pop_front();
    }
    recent.push_back(line);
}

/// The kept lines, newest first.
pub fn newest_first() -> Vec<String> {
    let recent = RECENT.lock().unwrap_or_else(|p| p.into_inner());
    recent.iter().rev().cloned().collect()
}

/// The message first, then the other fields as `name=value`.
#[derive(Default)]
struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let rest = std::mem::take(&mut self.0);
            let _ = write!(self.0, "{value:?}");
            if !rest.is_empty() {
                self.0.push(' ');
                self.0.push_str(&rest);
            }
        } else {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            let _ = write!(self.0, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::prelude::*;

    #[test]
    fn keeps_the_last_warnings_and_errors_with_their_fields_newest_first() {
        let subscriber = tracing_subscriber::registry().with(RecentProblems);
        let marker = format!("marker-{}", std::process::id());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("{marker} routine");
            tracing::warn!(port = "/dev/ttyUSB0", "{marker} printer silent");
            tracing::error!("{marker} outbox: refused");
        });
        let mine: Vec<String> = newest_first()
            .into_iter()
            .filter(|l| l.contains(&marker))
            .collect();
        assert_eq!(mine.len(), 2, "{mine:?}");
        assert!(mine[0].contains("ERROR") && mine[0].ends_with("outbox: refused"));
        assert!(mine[1].contains("WARN"));
        assert!(
            mine[1].ends_with("printer silent port=/dev/ttyUSB0"),
            "{}",
            mine[1]
        );

        // One test: the list is shared by the whole process.
        for n in 0..(KEPT + 5) {
            remember(format!("line {n}"));
        }
        let lines = newest_first();
        assert_eq!(lines.len(), KEPT);
        assert_eq!(lines[0], format!("line {}", KEPT + 4));
    }
}
