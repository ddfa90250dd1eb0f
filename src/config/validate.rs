//! Raw config → [`Config`]: ranges, paths, URLs, port names, hours and combinations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::locate::{self, KeyPath};
use super::raw::*;
use super::*;
use crate::ticket::CodeTable;
use motcua_central::web::voice::parse_wav;

const BAUD_RATES: [u32; 6] = [9600, 19200, 38400, 57600, 115_200, 230_400];
const MAX_PRINT_LINE: usize = 48;
const MAX_PRINT_LINES: usize = 6;

struct Checker<'a> {
    text: &'a str,
    base: PathBuf,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn report(&mut self, key: &str, message: impl Into<String>, allowed: Option<&str>) {
        let offset = locate::span_of(self.text, &KeyPath::parse(key)).map_or(0, |s| s.start);
        let (line, column) = locate::line_col(self.text, offset);
        self.problems.push(Problem {
            line,
            column,
            key: key.to_string(),
            message: message.into(),
            allowed: allowed.map(str::to_string),
        });
    }

    fn range(&mut self, key: &str, value: i64, min: i64, max: i64, unit: &str) -> i64 {
        if !(min..=max).contains(&value) {
            self.report(
                key,
                format!("{value} is out of range"),
                Some(&format!("{min} to {max} {unit}")),
            );
        }
        value.clamp(min, max)
    }

    /// Relative paths are taken from the config file's folder, so the kiosk finds the same
    /// files whatever directory it was started from.
    fn path(&mut self, key: &str, value: &str) -> PathBuf {
        if value.trim().is_empty() {
            self.report(key, "must not be empty", Some("a file or folder path"));
        }
        self.base.join(value)
    }

    fn existing_file(&mut self, key: &str, value: &str) -> Option<PathBuf> {
        if value.is_empty() {
            return None;
        }
        let path = self.base.join(value);
        if !path.is_file() {
            self.report(
                key,
                format!("file {} does not exist", path.display()),
                Some("an existing file, or \"\" for none"),
            );
        }
        Some(path)
    }

    fn text_field(&mut self, key: &str, value: &str, max_chars: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.report(
                key,
                "must not be empty",
                Some(&format!("1 to {max_chars} characters")),
            );
        } else if value.chars().count() > max_chars {
            self.report(
                key,
                "is too long",
                Some(&format!("1 to {max_chars} characters")),
            );
        }
        value.to_string()
    }

    fn print_lines(&mut self, key: &str, lines: &[String]) -> Vec<String> {
        if lines.len() > MAX_PRINT_LINES {
            self.report(
                key,
                format!("has {} lines", lines.len()),
                Some(&format!("at most {MAX_PRINT_LINES} lines")),
            );
        }
        for (i, line) in lines.iter().enumerate() {
            if line.chars().count() > MAX_PRINT_LINE {
                self.report(
                    &format!("{key}[{i}]"),
                    "is wider than the paper",
                    Some(&format!("at most {MAX_PRINT_LINE} characters per line")),
                );
            }
        }
        lines.to_vec()
    }
}

fn is_identifier(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub(super) fn validate(raw: RawConfig, text: &str, path: &Path) -> Result<Config, Vec<Problem>> {
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let base = std::path::absolute(&base).unwrap_or(base);
    let mut c = Checker {
        text,
        base,
        problems: Vec::new(),
    };

    let kiosk = kiosk(&mut c, raw.kiosk);
    let server = server(&mut c, raw.server);
    let printer = printer(&mut c, raw.printer);
    let catalog = CatalogConfig {
        database: c.path("catalog.database", &raw.catalog.database),
        sync_interval: Duration::from_secs(
            60 * c.range(
                "catalog.sync_interval_min",
                raw.catalog.sync_interval_min,
                5,
                1440,
                "minutes",
            ) as u64,
        ),
    };
    let dossier = DossierConfig {
        lookups_per_minute: c.range(
            "dossier.lookups_per_minute",
            raw.dossier.lookups_per_minute,
            0,
            60,
            "lookups (0 = no limit)",
        ) as u32,
    };
    let scanner = scanner(&mut c, raw.scanner);
    let queue = queue(&mut c, raw.queue, &kiosk.id);
    let voice_dir = voice_dir(&mut c, &raw.ui.voice_dir);
    let ui = UiConfig {
        fullscreen: raw.ui.fullscreen,
        orientation: match raw.ui.orientation {
            RawOrientation::Auto => Orientation::Auto,
            RawOrientation::Landscape => Orientation::Landscape,
            RawOrientation::Portrait => Orientation::Portrait,
        },
        hide_cursor: raw.ui.hide_cursor,
        theme: match raw.ui.theme {
            RawTheme::Standard => Theme::Standard,
            RawTheme::HighContrast => Theme::HighContrast,
        },
        text_size: match raw.ui.text_size {
            RawTextSize::Standard => TextSize::Standard,
            RawTextSize::Large => TextSize::Large,
        },
        renderer: match raw.ui.renderer {
            RawRenderer::Software => Renderer::Software,
            RawRenderer::Femtovg => Renderer::Femtovg,
        },
        attract_after: match raw.ui.attract_after_s {
            0 => None,
            s => Some(Duration::from_secs(c.range(
                "ui.attract_after_s",
                s,
                30,
                3600,
                "seconds (0 = never)",
            ) as u64)),
        },
        ticket_tone: player(
            &mut c,
            "ticket_tone",
            raw.ui.ticket_tone,
            &raw.ui.tone_player,
        ),
        read_aloud: player(&mut c, "read_aloud", raw.ui.read_aloud, &raw.ui.tone_player)
            .map(|player| ReadAloud { player, voice_dir }),
    };
    let log = log(&mut c, raw.log);

    if c.problems.is_empty() {
        Ok(Config {
            source: path.to_path_buf(),
            kiosk,
            server,
            printer,
            catalog,
            dossier,
            scanner,
            queue,
            ui,
            log,
        })
    } else {
        c.problems.sort_by_key(|p| (p.line, p.column));
        Err(c.problems)
    }
}

/// The `tone_player` command for a sound that is `wanted` (`use_` names the key that wants it).
fn player(c: &mut Checker<'_>, use_: &str, wanted: bool, player: &str) -> Option<Vec<String>> {
    let words: Vec<String> = player.split_whitespace().map(String::from).collect();
    if words.is_empty() {
        if wanted {
            c.report(
                "ui.tone_player",
                format!("is empty but {use_} is on"),
                Some(
                    "a program that plays a WAV file from its standard input, e.g. \"aplay -q -\"",
                ),
            );
        }
        return None;
    }
    wanted.then_some(words)
}

/// `[ui] voice_dir`, when set: a folder whose recordings all play (checked now, not when a
/// citizen taps "Đọc to").
fn voice_dir(c: &mut Checker<'_>, value: &str) -> Option<PathBuf> {
    if value.trim().is_empty() {
        return None;
    }
    let dir = c.base.join(value.trim());
    match unplayable_recording(&dir) {
        Ok(None) => Some(dir),
        Ok(Some((file, why))) => {
            c.report(
                "ui.voice_dir",
                format!("{}: {why}", file.display()),
                Some("16-bit mono 16 kHz WAV files named as the clips they replace"),
            );
            None
        }
        Err(e) => {
            c.report(
                "ui.voice_dir",
                format!("cannot read the folder {}: {e}", dir.display()),
                Some("a folder of WAV files named as the clips they replace, or \"\" for none"),
            );
            None
        }
    }
}

/// The first `.wav` file in `dir` that is not a clip the kiosk can play, and why.
fn unplayable_recording(dir: &Path) -> std::io::Result<Option<(PathBuf, String)>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("wav")))
        .collect();
    files.sort();
    for file in files {
        let why = match std::fs::read(&file) {
            Ok(bytes) => parse_wav(&bytes).err().map(|e| e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(why) = why {
            return Ok(Some((file, why)));
        }
    }
    Ok(None)
}

fn kiosk(c: &mut Checker<'_>, raw: RawKiosk) -> KioskConfig {
    if !is_identifier(&raw.id, 32) {
        c.report(
            "kiosk.id",
            format!("\"{}\" is not a usable kiosk id", raw.id),
            Some("1 to 32 letters, digits, - or _ (e.g. \"HCM-Q1-01\")"),
        );
    }
    let office_name = c.text_field("kiosk.office_name", &raw.office_name, 120);
    let mut languages = Vec::new();
    for (i, code) in raw.languages.iter().enumerate() {
        match Language::from_code(code) {
            Some(lang) if languages.contains(&lang) => c.report(
                &format!("kiosk.languages[{i}]"),
                format!("\"{code}\" is listed twice"),
                None,
            ),
            Some(lang) => languages.push(lang),
            None => c.report(
                &format!("kiosk.languages[{i}]"),
                format!("\"{code}\" is not a language the kiosk speaks"),
                Some("\"vi\", \"en\""),
            ),
        }
    }
    if raw.languages.is_empty() {
        c.report(
            "kiosk.languages",
            "lists no language",
            Some("[\"vi\"] or [\"vi\", \"en\"]"),
        );
    }
    let idle = c.range(
        "kiosk.idle_timeout_s",
        raw.idle_timeout_s,
        15,
        600,
        "seconds",
    );
    // The warning comes within the timeout: at least 5 s of it stay unwarned.
    let warning = match raw.idle_warning_s {
        None => DEFAULT_IDLE_WARNING.min(idle / 2),
        Some(0) => 0,
        Some(w) => c.range(
            "kiosk.idle_warning_s",
            w,
            5,
            (idle - 5).min(60),
            "seconds, or 0",
        ),
    };
    let admin_pin_hash = if raw.admin_pin_hash.is_empty() {
        None
    } else {
        if !crate::pin::is_valid_hash(&raw.admin_pin_hash) {
            c.report(
                "kiosk.admin_pin_hash",
                "is not a PIN hash made by this kiosk",
                Some("the line printed by `motcua-kiosk hash-pin`, or \"\" to keep the admin screen locked"),
            );
        }
        Some(raw.admin_pin_hash)
    };
    KioskConfig {
        id: raw.id,
        office_name,
        office_address: raw.office_address.trim().to_string(),
        languages,
        idle_timeout: Duration::from_secs(idle as u64),
        idle_warning: Duration::from_secs(warning as u64),
        admin_pin_hash,
        data_dir: c.path("kiosk.data_dir", &raw.data_dir),
    }
}

fn server(c: &mut Checker<'_>, raw: RawServer) -> ServerConfig {
    let endpoint = if raw.url.trim().is_empty() {
        ServerEndpoint::NotConfigured
    } else if raw.url.trim() == "demo" {
        ServerEndpoint::Demo
    } else {
        match url::Url::parse(raw.url.trim()) {
            Ok(url) if url.scheme() == "https" => ServerEndpoint::Remote(url),
            Ok(url) if url.scheme() == "http" && is_loopback(&url) => ServerEndpoint::Remote(url),
            Ok(url) if url.scheme() == "http" => {
                c.report(
                    "server.url",
                    "plain http would send the kiosk token unencrypted",
                    Some("an https:// URL (http:// only for 127.0.0.1 or localhost), \"demo\", or \"\" for none"),
                );
                ServerEndpoint::Remote(url)
            }
            Ok(_) | Err(_) => {
                c.report(
                    "server.url",
                    format!("\"{}\" is not a server address", raw.url),
                    Some("an https:// URL such as \"https://motcua.example.gov.vn\", \"demo\" (built-in sample server), or \"\" for none"),
                );
                ServerEndpoint::NotConfigured
            }
        }
    };
    if matches!(endpoint, ServerEndpoint::Remote(_)) && raw.token.trim().is_empty() {
        c.report(
            "server.token",
            "is empty but a server url is set; the server rejects kiosks without a token",
            Some("the token issued for this kiosk by the central system"),
        );
    }
    let connect = c.range(
        "server.connect_timeout_ms",
        raw.connect_timeout_ms,
        100,
        30_000,
        "milliseconds",
    );
    let request = c.range(
        "server.request_timeout_ms",
        raw.request_timeout_ms,
        200,
        120_000,
        "milliseconds",
    );
    if request < connect {
        c.report(
            "server.request_timeout_ms",
            format!("{request} is shorter than connect_timeout_ms ({connect})"),
            Some("at least connect_timeout_ms"),
        );
    }
    ServerConfig {
        endpoint,
        token: Secret::new(raw.token.trim()),
        connect_timeout: Duration::from_millis(connect as u64),
        request_timeout: Duration::from_millis(request as u64),
        ca_file: c.existing_file("server.ca_file", &raw.ca_file),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A device path (`/dev/…`, which may be absent while the device is unplugged), a Windows
/// `COMn`, or any other path that opens as a terminal now: simulators and some udev setups
/// present ports as links outside `/dev`.
fn is_serial_port_name(port: &str) -> bool {
    (port.starts_with("/dev/") && port.len() > 5 && !port.contains(char::is_whitespace))
        || (port.len() > 3
            && port.starts_with("COM")
            && port[3..].chars().all(|ch| ch.is_ascii_digit()))
        || opens_as_tty(std::path::Path::new(port))
}

/// Whether `path` is a terminal: opened without becoming the controlling terminal and without
/// waiting for a modem line, then closed. A port held exclusively (the running kiosk's own
/// printer, on a config reload) is busy, which only a terminal device is.
#[cfg(unix)]
fn opens_as_tty(path: &std::path::Path) -> bool {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    if !std::fs::metadata(path).is_ok_and(|m| m.file_type().is_char_device()) {
        return false;
    }
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
        .open(path)
    {
        // SAFETY: isatty only inspects the descriptor, which `file` owns until the end of the arm.
        Ok(file) => unsafe { libc::isatty(file.as_raw_fd()) == 1 },
        Err(e) => e.raw_os_error() == Some(libc::EBUSY),
    }
}

#[cfg(not(unix))]
fn opens_as_tty(_: &std::path::Path) -> bool {
    false
}

/// A serial speed is checked whether or not a serial device is configured: `baud = -7` is
/// never right, and waits to break the day someone switches the transport.
fn check_baud(c: &mut Checker<'_>, key: &str, raw: i64, device: &str) -> u32 {
    let baud = u32::try_from(raw).unwrap_or(0);
    if !BAUD_RATES.contains(&baud) {
        c.report(
            key,
            format!("{raw} is not a speed {device} use"),
            Some("9600, 19200, 38400, 57600, 115200, 230400"),
        );
    }
    baud
}

fn scanner(c: &mut Checker<'_>, raw: RawScanner) -> ScannerConfig {
    let baud = check_baud(c, "scanner.baud", raw.baud, "serial scanners");
    let port = raw.port.trim();
    let serial = if port.is_empty() {
        None
    } else {
        if !is_serial_port_name(port) {
            c.report(
                "scanner.port",
                format!("\"{port}\" is not a serial port name"),
                Some("\"\" (no serial scanner), a device path such as \"/dev/ttyACM0\", or a link to a serial device"),
            );
        }
        Some(SerialScanner {
            port: port.to_string(),
            baud,
        })
    };
    ScannerConfig {
        keyboard: raw.keyboard,
        serial,
    }
}

fn printer(c: &mut Checker<'_>, raw: RawPrinter) -> PrinterConfig {
    let baud = check_baud(c, "printer.baud", raw.baud, "thermal printers");
    let address = raw.address.trim();
    let address_ok = address
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
    if !address.is_empty() && !address_ok {
        c.report(
            "printer.address",
            format!("\"{address}\" is not host:port"),
            Some("host:port of a network printer, e.g. \"192.168.1.50:9100\""),
        );
    }
    let transport = match raw.transport {
        RawTransport::Serial => {
            let port = raw.port.trim();
            let valid = is_serial_port_name(port);
            if port.is_empty() {
                c.report(
                    "printer.port",
                    "is needed when transport = \"serial\"",
                    Some("a serial device such as \"/dev/ttyUSB0\" or \"/dev/kiosk-printer\""),
                );
            } else if !valid {
                c.report(
                    "printer.port",
                    format!("\"{port}\" is not a serial port name"),
                    Some("a device path such as \"/dev/ttyUSB0\", \"/dev/ttyS0\" or \"/dev/kiosk-printer\", or a link to a serial device"),
                );
            }
            PrinterTransport::Serial {
                port: port.to_string(),
                baud,
                flow_control: match raw.flow_control {
                    RawFlowControl::None => FlowControl::None,
                    RawFlowControl::RtsCts => FlowControl::RtsCts,
                    RawFlowControl::XonXoff => FlowControl::XonXoff,
                },
                parity: match raw.parity {
                    RawParity::None => Parity::None,
                    RawParity::Even => Parity::Even,
                    RawParity::Odd => Parity::Odd,
                },
            }
        }
        RawTransport::Tcp => {
            if address.is_empty() {
                c.report(
                    "printer.address",
                    "is needed when transport = \"tcp\"",
                    Some("host:port of a network printer, e.g. \"192.168.1.50:9100\""),
                );
            }
            PrinterTransport::Tcp {
                address: address.to_string(),
            }
        }
        RawTransport::File => {
            if raw.path.trim().is_empty() {
                c.report(
                    "printer.path",
                    "is needed when transport = \"file\"",
                    Some("a device or file path, e.g. \"/dev/usb/lp0\""),
                );
            }
            PrinterTransport::File {
                path: c.base.join(raw.path.trim()),
            }
        }
        RawTransport::Preview => PrinterTransport::Preview {
            dir: c.path("printer.preview_dir", &raw.preview_dir),
        },
    };
    if raw.transport != RawTransport::Serial && !raw.port.is_empty() {
        c.report(
            "printer.port",
            "is only used with transport = \"serial\"",
            Some("no port for this transport: remove the line, or set transport = \"serial\""),
        );
    }
    let paper_width_dots = match raw.paper_width_dots {
        384 | 576 => raw.paper_width_dots as u16,
        other => {
            c.report(
                "printer.paper_width_dots",
                format!("{other} dots is not a paper width the kiosk can lay out"),
                Some("384 (58 mm paper) or 576 (80 mm paper)"),
            );
            576
        }
    };
    let text_mode = match raw.text_mode {
        RawTextMode::Raster => TextMode::Raster,
        RawTextMode::Ascii => TextMode::Ascii,
        RawTextMode::Codepage => {
            let table = match raw.code_table {
                RawCodeTable::Wpc1258 => CodeTable::Wpc1258,
                RawCodeTable::Tcvn3 => CodeTable::Tcvn3,
            };
            match raw.code_page {
                None => {
                    c.report(
                        "printer.code_page",
                        "is needed when text_mode = \"codepage\" (it differs between printer models)",
                        Some("0 to 255; `motcua-kiosk print-test` prints a chart to find it (often 52 for WPC1258, 30 for TCVN-3)"),
                    );
                    TextMode::Raster
                }
                Some(n) => TextMode::Codepage {
                    table,
                    page: c.range("printer.code_page", n, 0, 255, "") as u8,
                },
            }
        }
    };
    PrinterConfig {
        transport,
        paper_width_dots,
        text_mode,
        header_lines: c.print_lines("printer.header_lines", &raw.header_lines),
        footer_lines: c.print_lines("printer.footer_lines", &raw.footer_lines),
        logo: logo(c, &raw.logo, paper_width_dots),
        qr_url: qr_url(c, &raw.qr_url),
    }
}

/// The logo must be a PNG the ticket can print: checked now, not at the first ticket, and kept.
fn logo(c: &mut Checker<'_>, value: &str, paper_width_dots: u16) -> Option<LogoFile> {
    let path = c.existing_file("printer.logo", value)?;
    let decoded = std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| Logo::from_png(&bytes, paper_width_dots).map_err(|e| e.to_string()));
    match decoded {
        Ok(image) => Some(LogoFile { path, image }),
        Err(why) => {
            c.report(
                "printer.logo",
                format!("{} cannot be printed: {why}", path.display()),
                Some("a PNG image with dark marks on a light or transparent background"),
            );
            None
        }
    }
}

fn qr_url(c: &mut Checker<'_>, value: &str) -> QrUrl {
    let value = value.trim();
    if value.is_empty() {
        return QrUrl::FollowPage;
    }
    if value == "none" {
        return QrUrl::Off;
    }
    let sample = value
        .replace("{number}", "HT-042")
        .replace("{service}", "ho-tich")
        .replace("{follow}", "/t/0c5e2b7a9d1f4e3c8b6a2d4f1e7c9b3a");
    let ok = sample.len() <= 300
        && url::Url::parse(&sample)
            .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
    if !ok {
        c.report(
            "printer.qr_url",
            format!("\"{value}\" is not a web address"),
            Some("\"\" (the ticket's follow page), \"none\" (no QR code) or an https:// address of at most 300 characters, e.g. \"https://motcua.example.gov.vn{follow}\""),
        );
        return QrUrl::Off;
    }
    QrUrl::Template(value.to_string())
}

fn queue(c: &mut Checker<'_>, raw: RawQueue, kiosk_id: &str) -> QueueConfig {
    let opening_hours = OpeningHours::parse(&raw.opening_hours).unwrap_or_else(|why| {
        c.report(
            "queue.opening_hours",
            why,
            Some("comma-separated ranges such as \"07:30-11:30,13:30-17:00\""),
        );
        OpeningHours::parse("00:00-24:00").unwrap_or_else(|_| unreachable!("constant hours parse"))
    });
    let mut open_days = Vec::new();
    for (i, day) in raw.open_days.iter().enumerate() {
        match day.parse::<chrono::Weekday>() {
            Ok(d) if !open_days.contains(&d) => open_days.push(d),
            Ok(_) => c.report(
                &format!("queue.open_days[{i}]"),
                format!("\"{day}\" is listed twice"),
                None,
            ),
            Err(_) => c.report(
                &format!("queue.open_days[{i}]"),
                format!("\"{day}\" is not a day"),
                Some("\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\""),
            ),
        }
    }
    if raw.open_days.is_empty() {
        c.report(
            "queue.open_days",
            "lists no day",
            Some("e.g. [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]"),
        );
    }
    let daily_cap = c.range(
        "queue.daily_cap",
        raw.daily_cap,
        1,
        9999,
        "tickets per service",
    ) as u32;
    let offline_tag = if raw.offline_tag.is_empty() {
        default_offline_tag(kiosk_id)
    } else {
        let ok = (1..=4).contains(&raw.offline_tag.len())
            && raw
                .offline_tag
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit());
        if !ok {
            c.report(
                "queue.offline_tag",
                format!("\"{}\" cannot mark ticket numbers", raw.offline_tag),
                Some("\"\" (from the kiosk id) or 1 to 4 capital letters and digits, e.g. \"K2\""),
            );
        }
        raw.offline_tag
    };
    if raw.services.is_empty() {
        c.report(
            "queue",
            "has no [[queue.services]]; the kiosk could not issue a ticket while the server is unreachable",
            Some("one or more [[queue.services]] tables with id, name_vi, name_en, prefix"),
        );
    }
    let mut services: Vec<Service> = Vec::new();
    for (i, s) in raw.services.into_iter().enumerate() {
        let key = |field: &str| format!("queue.services[{i}].{field}");
        if !is_identifier(&s.id, 32) {
            c.report(
                &key("id"),
                format!("\"{}\" is not a usable service id", s.id),
                Some("1 to 32 letters, digits, - or _"),
            );
        } else if services.iter().any(|o| o.id == s.id) {
            c.report(
                &key("id"),
                format!("\"{}\" is used by two services", s.id),
                Some("a different id for every service"),
            );
        }
        let prefix_ok =
            (1..=3).contains(&s.prefix.len()) && s.prefix.chars().all(|ch| ch.is_ascii_uppercase());
        if !prefix_ok {
            c.report(
                &key("prefix"),
                format!("\"{}\" cannot start a ticket number", s.prefix),
                Some("1 to 3 capital letters A-Z, e.g. \"HT\" (tickets HT-001...)"),
            );
        } else if services.iter().any(|o| o.prefix == s.prefix) {
            c.report(
                &key("prefix"),
                format!("\"{}\" is used by two services", s.prefix),
                Some("a different prefix for every service"),
            );
        }
        let name_vi = c.text_field(&key("name_vi"), &s.name_vi, 60);
        let name_en = c.text_field(&key("name_en"), &s.name_en, 60);
        services.push(Service {
            id: s.id,
            name_vi,
            name_en,
            prefix: s.prefix,
            priority_allowed: s.priority_allowed,
        });
    }
    let mut field_services = Vec::new();
    for (field, id) in raw.field_services {
        let key = format!("queue.field_services.{field}");
        if field.trim().is_empty() || field.chars().count() > 200 {
            c.report(
                &key,
                "is not a field's name",
                Some("a catalog field as the procedure pages show it, e.g. \"Hoạt động xây dựng\""),
            );
        } else if !services.iter().any(|s| s.id == id) {
            let ids: Vec<String> = services.iter().map(|s| format!("\"{}\"", s.id)).collect();
            c.report(
                &key,
                format!("\"{id}\" is not the id of a service"),
                Some(&ids.join(", ")),
            );
        } else {
            field_services.push((field, id));
        }
    }
    QueueConfig {
        opening_hours,
        open_days,
        daily_cap,
        offline_tag,
        services,
        field_services,
    }
}

/// The kiosk's tag for offline numbers: `K` + the digits its id ends with (`KIOSK-01` → `K01`),
/// else its first three letters or digits.
fn default_offline_tag(kiosk_id: &str) -> String {
    let digits: String = kiosk_id
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if digits.is_empty() {
        kiosk_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(3)
            .collect::<String>()
            .to_ascii_uppercase()
    } else {
        format!("K{digits}")
    }
}

fn log(c: &mut Checker<'_>, raw: RawLog) -> LogConfig {
    if !is_log_filter(&raw.level) {
        c.report(
            "log.level",
            format!("\"{}\" is not a log level", raw.level),
            Some("\"error\", \"warn\", \"info\", \"debug\", \"trace\""),
        );
    }
    LogConfig {
        dir: c.path("log.dir", &raw.dir),
        level: raw.level,
        keep_days: c.range("log.keep_days", raw.keep_days, 1, 365, "days") as u16,
    }
}

/// A level (`info`) or comma-separated `target=level` directives, as `RUST_LOG` takes them.
fn is_log_filter(text: &str) -> bool {
    const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
    !text.trim().is_empty()
        && text.split(',').all(|directive| {
            let level = directive.rsplit_once('=').map_or(directive, |(_, l)| l);
            LEVELS.contains(&level.trim().to_ascii_lowercase().as_str())
        })
}
