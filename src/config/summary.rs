//! `check-config`'s plain-words account of what the kiosk will do with a config.

use std::fmt;

use super::*;

pub struct Summary<'a>(pub &'a Config);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        writeln!(f, "{} is valid. The kiosk will:", c.source.display())?;
        writeln!(f)?;
        row(
            f,
            "Kiosk",
            &format!("{} at {}", c.kiosk.id, c.kiosk.office_name),
        )?;
        if !c.kiosk.office_address.is_empty() {
            row(f, "", &c.kiosk.office_address)?;
        }
        let langs: Vec<_> = c.kiosk.languages.iter().map(|l| l.code()).collect();
        row(
            f,
            "Languages",
            &format!(
                "{} (the first is shown to every new citizen)",
                langs.join(", ")
            ),
        )?;
        row(
            f,
            "Idle",
            &format!(
                "back to the home page, inputs cleared, after {} s without a touch{}",
                c.kiosk.idle_timeout.as_secs(),
                match c.kiosk.idle_warning.as_secs() {
                    0 => String::new(),
                    w => format!(" (asked {w} s before whether the citizen is still there)"),
                }
            ),
        )?;
        row(
            f,
            "Admin",
            match c.kiosk.admin_pin_hash {
                Some(_) => "admin screen opens with the configured PIN",
                None => "admin screen locked: no PIN set (make one with `motcua-kiosk hash-pin`)",
            },
        )?;
        let server = match &c.server.endpoint {
            ServerEndpoint::NotConfigured => {
                "not configured: the kiosk works on its own, without the central system".to_string()
            }
            ServerEndpoint::Demo => {
                "demo: a built-in sample server on 127.0.0.1 (not for a real office)".to_string()
            }
            ServerEndpoint::Remote(url) => format!(
                "{url} (token set, connect timeout {} ms, request timeout {} ms{})",
                c.server.connect_timeout.as_millis(),
                c.server.request_timeout.as_millis(),
                c.server
                    .ca_file
                    .as_ref()
                    .map(|p| format!(", extra CA {}", p.display()))
                    .unwrap_or_default()
            ),
        };
        row(f, "Server", &server)?;
        let transport = match &c.printer.transport {
            PrinterTransport::Serial {
                port,
                baud,
                flow_control,
                parity,
            } => format!(
                "serial port {port} at {baud} baud, parity {parity:?}, flow control {flow_control:?}"
            ),
            PrinterTransport::Tcp { address } => format!("network printer at {address}"),
            PrinterTransport::File { path } => format!("writes to {}", path.display()),
            PrinterTransport::Preview { dir } => {
                format!(
                    "preview: no printer, tickets are saved in {}",
                    dir.display()
                )
            }
        };
        row(f, "Printer", &transport)?;
        let text = match c.printer.text_mode {
            TextMode::Raster => "text printed as pictures (right on every printer)".to_string(),
            TextMode::Codepage { table, page } => {
                format!("text in the printer's code page {page} ({table:?})")
            }
            TextMode::Ascii => "text without diacritics".to_string(),
        };
        row(
            f,
            "",
            &format!(
                "{} dots wide ({} mm paper), {text}",
                c.printer.paper_width_dots,
                if c.printer.paper_width_dots == 384 {
                    58
                } else {
                    80
                }
            ),
        )?;
        row(
            f,
            "Catalog",
            &format!(
                "cached in {}, refreshed every {} min",
                c.catalog.database.display(),
                c.catalog.sync_interval.as_secs() / 60
            ),
        )?;
        row(
            f,
            "Dossiers",
            &match c.dossier.lookups_per_minute {
                0 => "lookups not limited by the kiosk".to_string(),
                n => format!("at most {n} lookups a minute"),
            },
        )?;
        row(
            f,
            "Scanner",
            &match (&c.scanner.serial, c.scanner.keyboard) {
                (Some(s), true) => format!(
                    "serial {} at {} baud, and keyboard scanners",
                    s.port, s.baud
                ),
                (Some(s), false) => format!("serial {} at {} baud", s.port, s.baud),
                (None, true) => "keyboard scanners (no serial scanner)".to_string(),
                (None, false) => "none".to_string(),
            },
        )?;
        let days: Vec<_> = c
            .queue
            .open_days
            .iter()
            .map(|d| d.to_string().to_lowercase())
            .collect();
        row(
            f,
            "Queue",
            &format!(
                "open {} {}; at most {} tickets per service per day",
                days.join(" "),
                c.queue.opening_hours,
                c.queue.daily_cap
            ),
        )?;
        for s in &c.queue.services {
            row(
                f,
                "",
                &format!(
                    "{:<4}{} / {}{}",
                    s.prefix,
                    s.name_vi,
                    s.name_en,
                    if s.priority_allowed {
                        " (priority tickets)"
                    } else {
                        ""
                    }
                ),
            )?;
        }
        row(
            f,
            "Screen",
            &format!(
                "{}, orientation {}, cursor {}, {} theme, {} text, {} renderer",
                if c.ui.fullscreen {
                    "fullscreen"
                } else {
                    "window"
                },
                lower(c.ui.orientation),
                if c.ui.hide_cursor { "hidden" } else { "shown" },
                lower(c.ui.theme),
                lower(c.ui.text_size),
                lower(c.ui.renderer)
            ),
        )?;
        row(
            f,
            "Idle",
            &format!(
                "attract screen {}; ticket tone {}; read aloud {}",
                match c.ui.attract_after {
                    Some(d) => format!("after {} s without a touch", d.as_secs()),
                    None => "never".into(),
                },
                match &c.ui.ticket_tone {
                    Some(player) => format!("played by `{}`", player.join(" ")),
                    None => "off".into(),
                },
                match &c.ui.read_aloud {
                    Some(ReadAloud {
                        voice_dir: Some(dir),
                        ..
                    }) => format!("on, with the office's recordings in {}", dir.display()),
                    Some(_) => "on".into(),
                    None => "off".into(),
                }
            ),
        )?;
        row(
            f,
            "Logs",
            &format!(
                "{} (a file a day, kept {} days), level {}",
                c.log.dir.display(),
                c.log.keep_days,
                c.log.level
            ),
        )
    }
}

fn row(f: &mut fmt::Formatter<'_>, label: &str, text: &str) -> fmt::Result {
    writeln!(f, "  {label:<10} {text}")
}

fn lower(value: impl fmt::Debug) -> String {
    format!("{value:?}").to_lowercase()
}
