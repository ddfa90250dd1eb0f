//! Reloading the config while the kiosk runs. The new file is validated first (a bad one is
//! rejected by [`super::load`] and the running config kept); then the parts the kiosk can change
//! on the fly are taken — texts, services, hours, timeouts, the look, the PIN — and the parts
//! that hold open devices, files and connections wait for a restart.

use super::Config;

/// The outcome of reloading a valid file.
#[derive(Debug, Clone)]
pub struct Reload {
    /// What the kiosk runs with from now on: the new file's live parts on the running config.
    pub running: Config,
    /// Live settings that changed, as `[section] key`.
    pub applied: Vec<&'static str>,
    /// Changed settings that take effect at the next restart.
    pub need_restart: Vec<&'static str>,
}

impl Reload {
    /// For the technician: "Applied: [kiosk] office_name. After a restart: [server]."; empty
    /// when nothing changed.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.applied.is_empty() {
            parts.push(format!("Applied: {}.", self.applied.join(", ")));
        }
        if !self.need_restart.is_empty() {
            parts.push(format!(
                "After a restart: {}.",
                self.need_restart.join(", ")
            ));
        }
        parts.join(" ")
    }
}

/// Compares `new` with the running config `old` and merges what can change without a restart.
pub fn merge(old: &Config, new: &Config) -> Reload {
    let mut running = old.clone();
    let mut applied = Vec::new();
    let mut need_restart = Vec::new();

    macro_rules! live {
        ($($section:ident . $key:ident),+ $(,)?) => {$(
            if running.$section.$key != new.$section.$key {
                running.$section.$key = new.$section.$key.clone();
                applied.push(concat!("[", stringify!($section), "] ", stringify!($key)));
            }
        )+};
    }
    macro_rules! at_restart {
        ($($section:ident . $key:ident),+ $(,)?) => {$(
            if old.$section.$key != new.$section.$key {
                need_restart.push(concat!("[", stringify!($section), "] ", stringify!($key)));
            }
        )+};
    }
    macro_rules! section_at_restart {
        ($($section:ident),+ $(,)?) => {$(
            if old.$section != new.$section {
                need_restart.push(concat!("[", stringify!($section), "]"));
            }
        )+};
    }

    live!(
        kiosk.office_name,
        kiosk.office_address,
        kiosk.languages,
        kiosk.idle_timeout,
        kiosk.idle_warning,
        kiosk.admin_pin_hash,
        printer.header_lines,
        printer.footer_lines,
        printer.logo,
        printer.qr_url,
        queue.opening_hours,
        queue.open_days,
        queue.daily_cap,
        queue.offline_tag,
        queue.services,
        queue.field_services,
        ui.orientation,
        ui.theme,
        ui.text_size,
        ui.attract_after,
        ui.ticket_tone,
        ui.read_aloud,
    );
    at_restart!(
        kiosk.id,
        kiosk.data_dir,
        printer.transport,
        printer.paper_width_dots,
        printer.text_mode,
        ui.fullscreen,
        ui.hide_cursor,
        ui.renderer,
    );
    section_at_restart!(server, catalog, dossier, scanner, log);
    Reload {
        running,
        applied,
        need_restart,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::time::Duration;

    fn shipped() -> Config {
        let text = include_str!("../../kiosk-config.toml");
        super::super::parse(text, Path::new("kiosk-config.toml")).unwrap()
    }

    #[test]
    fn the_same_file_changes_nothing() {
        let config = shipped();
        let reload = merge(&config, &config);
        assert!(reload.applied.is_empty() && reload.need_restart.is_empty());
        assert_eq!(reload.running, config);
    }

    #[test]
    fn texts_services_and_timeouts_are_taken_at_once() {
        let old = shipped();
        let mut new = old.clone();
        new.kiosk.office_name = "UBND phường Mới".into();
        new.kiosk.idle_timeout = Duration::from_secs(120);
        new.queue.services.pop();
        new.printer.footer_lines = vec!["Cảm ơn quý vị".into()];
        let reload = merge(&old, &new);
        assert_eq!(
            reload.applied,
            [
                "[kiosk] office_name",
                "[kiosk] idle_timeout",
                "[printer] footer_lines",
                "[queue] services"
            ]
        );
        assert!(reload.need_restart.is_empty());
        assert_eq!(reload.running, new);
    }

    #[test]
    fn devices_and_connections_wait_for_a_restart() {
        let old = shipped();
        let mut new = old.clone();
        new.printer.paper_width_dots = if old.printer.paper_width_dots == 576 {
            384
        } else {
            576
        };
        new.server.request_timeout += Duration::from_secs(1);
        new.kiosk.office_address = "Số 1".into();
        let reload = merge(&old, &new);
        assert_eq!(reload.applied, ["[kiosk] office_address"]);
        assert_eq!(
            reload.need_restart,
            ["[printer] paper_width_dots", "[server]"]
        );
        assert_eq!(
            reload.running.printer.paper_width_dots, old.printer.paper_width_dots,
            "the running printer keeps its paper until the restart"
        );
        assert_eq!(reload.running.kiosk.office_address, "Số 1");
    }
}
