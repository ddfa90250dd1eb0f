//! Bad configs never start a half-working kiosk: each is reported with line, key and what is allowed.

use crate::support::{self, MINIMAL};

struct Case {
    name: &'static str,
    /// Replace this text of MINIMAL ...
    find: &'static str,
    /// ... with this.
    replace: &'static str,
    key: &'static str,
    line: usize,
    /// A piece of the message or of the allowed values.
    says: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "unknown key",
        find: "idle_timeout_s = 60",
        replace: "idle_timeout_s = 60\nidle_timout = 30",
        key: "kiosk.idle_timout",
        line: 5,
        says: "\"idle_timeout_s\"",
    },
    Case {
        name: "unknown section",
        find: "[ui]",
        replace: "[screen]",
        key: "screen",
        line: 29,
        says: "\"ui\"",
    },
    Case {
        name: "wrong type",
        find: "idle_timeout_s = 60",
        replace: "idle_timeout_s = \"60\"",
        key: "kiosk.idle_timeout_s",
        line: 4,
        says: "invalid type",
    },
    Case {
        name: "idle timeout out of range",
        find: "idle_timeout_s = 60",
        replace: "idle_timeout_s = 5",
        key: "kiosk.idle_timeout_s",
        line: 4,
        says: "15 to 600 seconds",
    },
    Case {
        name: "idle warning as long as the timeout",
        find: "idle_timeout_s = 60",
        replace: "idle_timeout_s = 20\nidle_warning_s = 20",
        key: "kiosk.idle_warning_s",
        line: 5,
        says: "5 to 15 seconds, or 0",
    },
    Case {
        name: "bad kiosk id",
        find: "id = \"TEST-01\"",
        replace: "id = \"quầy 1\"",
        key: "kiosk.id",
        line: 2,
        says: "letters, digits",
    },
    Case {
        name: "empty office name",
        find: "office_name = \"Trung tâm Phục vụ hành chính công phường Hải Châu\"",
        replace: "office_name = \"  \"",
        key: "kiosk.office_name",
        line: 3,
        says: "must not be empty",
    },
    Case {
        name: "unknown language",
        find: "idle_timeout_s = 60",
        replace: "idle_timeout_s = 60\nlanguages = [\"vi\", \"fr\"]",
        key: "kiosk.languages[1]",
        line: 5,
        says: "\"vi\", \"en\"",
    },
    Case {
        name: "unknown transport",
        find: "transport = \"preview\"",
        replace: "transport = \"usb\"",
        key: "printer.transport",
        line: 10,
        says: "\"serial\"",
    },
    Case {
        name: "serial without port",
        find: "transport = \"preview\"",
        replace: "transport = \"serial\"",
        key: "printer.port",
        line: 9,
        says: "needed when transport = \"serial\"",
    },
    Case {
        name: "serial port not a device",
        find: "transport = \"preview\"",
        replace: "transport = \"serial\"\nport = \"ttyUSB0\"",
        key: "printer.port",
        line: 11,
        says: "/dev/ttyUSB0",
    },
    Case {
        name: "odd baud rate",
        find: "transport = \"preview\"",
        replace: "transport = \"serial\"\nport = \"/dev/ttyUSB0\"\nbaud = 12345",
        key: "printer.baud",
        line: 12,
        says: "9600, 19200",
    },
    Case {
        name: "impossible baud rate for an unused serial port",
        find: "transport = \"preview\"",
        replace: "transport = \"preview\"\nbaud = -7",
        key: "printer.baud",
        line: 11,
        says: "9600, 19200",
    },
    Case {
        name: "impossible address for an unused network printer",
        find: "transport = \"preview\"",
        replace: "transport = \"preview\"\naddress = \"printer\"",
        key: "printer.address",
        line: 11,
        says: "host:port",
    },
    Case {
        name: "impossible baud rate for a scanner without a port",
        find: "[ui]",
        replace: "[scanner]\nbaud = 0\n\n[ui]",
        key: "scanner.baud",
        line: 30,
        says: "9600, 19200",
    },
    Case {
        name: "serial port that is a plain file",
        find: "transport = \"preview\"",
        replace: "transport = \"serial\"\nport = \"/etc/hostname\"",
        key: "printer.port",
        line: 11,
        says: "a link to a serial device",
    },
    Case {
        name: "tcp address without port",
        find: "transport = \"preview\"",
        replace: "transport = \"tcp\"\naddress = \"192.168.1.50\"",
        key: "printer.address",
        line: 11,
        says: "host:port",
    },
    Case {
        name: "port with a non-serial transport",
        find: "transport = \"preview\"",
        replace: "transport = \"preview\"\nport = \"/dev/ttyUSB0\"",
        key: "printer.port",
        line: 11,
        says: "only used with transport = \"serial\"",
    },
    Case {
        name: "paper width",
        find: "preview_dir = \"preview\"",
        replace: "preview_dir = \"preview\"\npaper_width_dots = 500",
        key: "printer.paper_width_dots",
        line: 12,
        says: "384 (58 mm paper) or 576",
    },
    Case {
        name: "codepage without page",
        find: "preview_dir = \"preview\"",
        replace: "preview_dir = \"preview\"\ntext_mode = \"codepage\"",
        key: "printer.code_page",
        line: 9,
        says: "print-test",
    },
    Case {
        name: "code page out of range",
        find: "preview_dir = \"preview\"",
        replace: "preview_dir = \"preview\"\ntext_mode = \"codepage\"\ncode_page = 300",
        key: "printer.code_page",
        line: 13,
        says: "0 to 255",
    },
    Case {
        name: "header line too wide",
        find: "preview_dir = \"preview\"",
        replace: "preview_dir = \"preview\"\nheader_lines = [\"ok\", \"Ủy ban nhân dân phường Hải Châu — Bộ phận tiếp nhận và trả kết quả\"]",
        key: "printer.header_lines[1]",
        line: 12,
        says: "48 characters",
    },
    Case {
        name: "hours end before start",
        find: "\"07:30-11:30,13:30-17:00\"",
        replace: "\"11:30-07:30\"",
        key: "queue.opening_hours",
        line: 14,
        says: "ends before it starts",
    },
    Case {
        name: "overlapping hours",
        find: "\"07:30-11:30,13:30-17:00\"",
        replace: "\"07:30-12:00,11:30-17:00\"",
        key: "queue.opening_hours",
        line: 14,
        says: "overlap",
    },
    Case {
        name: "bad day",
        find: "opening_hours = \"07:30-11:30,13:30-17:00\"",
        replace: "opening_hours = \"07:30-11:30,13:30-17:00\"\nopen_days = [\"mon\", \"T2\"]",
        key: "queue.open_days[1]",
        line: 15,
        says: "\"mon\", \"tue\"",
    },
    Case {
        name: "duplicate prefix",
        find: "prefix = \"CT\"",
        replace: "prefix = \"HT\"",
        key: "queue.services[1].prefix",
        line: 27,
        says: "used by two services",
    },
    Case {
        name: "prefix not capitals",
        find: "prefix = \"CT\"",
        replace: "prefix = \"ct1\"",
        key: "queue.services[1].prefix",
        line: 27,
        says: "1 to 3 capital letters",
    },
    Case {
        name: "plain http to a remote server",
        find: "url = \"\"",
        replace: "url = \"http://motcua.example.gov.vn\"\ntoken = \"t\"",
        key: "server.url",
        line: 7,
        says: "https://",
    },
    Case {
        name: "server without token",
        find: "url = \"\"",
        replace: "url = \"https://motcua.example.gov.vn\"",
        key: "server.token",
        line: 6,
        says: "token issued for this kiosk",
    },
    Case {
        name: "url that is not one",
        find: "url = \"\"",
        replace: "url = \"motcua dot gov\"",
        key: "server.url",
        line: 7,
        says: "https:// URL",
    },
    Case {
        name: "request shorter than connect",
        find: "url = \"\"",
        replace: "url = \"\"\nconnect_timeout_ms = 3000\nrequest_timeout_ms = 1000",
        key: "server.request_timeout_ms",
        line: 9,
        says: "at least connect_timeout_ms",
    },
    Case {
        name: "missing CA file",
        find: "url = \"\"",
        replace: "url = \"\"\nca_file = \"office-ca.pem\"",
        key: "server.ca_file",
        line: 8,
        says: "does not exist",
    },
    Case {
        name: "PIN hash that is not one",
        find: "idle_timeout_s = 60",
        replace: "idle_timeout_s = 60\nadmin_pin_hash = \"123456\"",
        key: "kiosk.admin_pin_hash",
        line: 5,
        says: "hash-pin",
    },
    Case {
        name: "unknown log level",
        find: "dir = \"log\"",
        replace: "dir = \"log\"\nlevel = \"loud\"",
        key: "log.level",
        line: 34,
        says: "\"info\"",
    },
    Case {
        name: "unknown theme",
        find: "fullscreen = false",
        replace: "fullscreen = false\ntheme = \"dark\"",
        key: "ui.theme",
        line: 31,
        says: "\"high-contrast\"",
    },
    Case {
        name: "unknown text size",
        find: "fullscreen = false",
        replace: "fullscreen = false\ntext_size = \"huge\"",
        key: "ui.text_size",
        line: 31,
        says: "\"large\"",
    },
    Case {
        name: "attract screen too soon",
        find: "fullscreen = false",
        replace: "fullscreen = false\nattract_after_s = 5",
        key: "ui.attract_after_s",
        line: 31,
        says: "30 to 3600 seconds (0 = never)",
    },
    Case {
        name: "ticket tone without a player",
        find: "fullscreen = false",
        replace: "fullscreen = false\nticket_tone = true\ntone_player = \"  \"",
        key: "ui.tone_player",
        line: 32,
        says: "aplay -q -",
    },
    Case {
        name: "read aloud without a player",
        find: "fullscreen = false",
        replace: "fullscreen = false\nread_aloud = true\ntone_player = \"\"",
        key: "ui.tone_player",
        line: 32,
        says: "read_aloud is on",
    },
    Case {
        name: "read aloud's recordings in a folder that is not there",
        find: "fullscreen = false",
        replace: "fullscreen = false\nvoice_dir = \"giong-doc\"",
        key: "ui.voice_dir",
        line: 31,
        says: "named as the clips they replace",
    },
    Case {
        name: "a field given to a service that is not there",
        find: "[ui]",
        replace: "[queue.field_services]\n\"Thủy lợi\" = \"thuy-loi\"\n\n[ui]",
        key: "queue.field_services.Thủy lợi",
        line: 30,
        says: "\"ho-tich\"",
    },
    Case {
        name: "dossier lookups out of range",
        find: "[ui]",
        replace: "[dossier]\nlookups_per_minute = 100\n\n[ui]",
        key: "dossier.lookups_per_minute",
        line: 30,
        says: "0 to 60",
    },
    Case {
        name: "scanner port not a device",
        find: "[ui]",
        replace: "[scanner]\nport = \"ttyACM0\"\n\n[ui]",
        key: "scanner.port",
        line: 30,
        says: "/dev/ttyACM0",
    },
    Case {
        name: "scanner baud rate",
        find: "[ui]",
        replace: "[scanner]\nport = \"/dev/ttyACM0\"\nbaud = 1200\n\n[ui]",
        key: "scanner.baud",
        line: 31,
        says: "9600, 19200",
    },
    Case {
        name: "misspelt scanner key",
        find: "[ui]",
        replace: "[scanner]\nprot = \"/dev/ttyACM0\"\n\n[ui]",
        key: "scanner.prot",
        line: 30,
        says: "\"port\"",
    },
    Case {
        name: "qr url not a web address",
        find: "preview_dir = \"preview\"",
        replace: "preview_dir = \"preview\"\nqr_url = \"hang-doi?so={number}\"",
        key: "printer.qr_url",
        line: 12,
        says: "https://",
    },
];

fn problems_of(case: &Case) -> Vec<motcua_kiosk::config::Problem> {
    assert!(
        MINIMAL.contains(case.find),
        "{}: MINIMAL lacks {:?}",
        case.name,
        case.find
    );
    let text = MINIMAL.replacen(case.find, case.replace, 1);
    match support::parse(&text) {
        Ok(_) => panic!("{}: accepted a bad config", case.name),
        Err(e) => e.problems().to_vec(),
    }
}

#[test]
fn minimal_config_is_valid() {
    let config = support::parse(MINIMAL).expect("MINIMAL is valid");
    assert_eq!(config.queue.services.len(), 2);
}

#[test]
fn every_bad_config_names_line_key_and_what_is_allowed() {
    assert!(CASES.len() >= 15);
    let mut failures = Vec::new();
    for case in CASES {
        let problems = problems_of(case);
        let Some(p) = problems.iter().find(|p| p.key == case.key) else {
            failures.push(format!(
                "{}: no problem for key {} in {problems:#?}",
                case.name, case.key
            ));
            continue;
        };
        if p.line != case.line {
            failures.push(format!(
                "{}: line {} instead of {}",
                case.name, p.line, case.line
            ));
        }
        let text = format!("{} {}", p.message, p.allowed.clone().unwrap_or_default());
        if !text.contains(case.says) {
            failures.push(format!(
                "{}: {text:?} does not say {:?}",
                case.name, case.says
            ));
        }
        if p.allowed.is_none() {
            failures.push(format!("{}: says nothing about what is allowed", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn all_problems_are_reported_at_once() {
    let text = MINIMAL
        .replace("idle_timeout_s = 60", "idle_timeout_s = 1")
        .replace("prefix = \"CT\"", "prefix = \"HT\"");
    let err = support::parse(&text).expect_err("two problems");
    assert_eq!(err.problems().len(), 2, "{err}");
    let message = err.to_string();
    assert!(
        message.contains("/etc/motcua-kiosk/kiosk-config.toml:4:1: kiosk.idle_timeout_s"),
        "{message}"
    );
    assert!(message.contains("has 2 problems"), "{message}");
}

#[test]
fn syntax_errors_point_at_the_line() {
    let text = MINIMAL.replace("name_en = \"Civil status\"", "name_en = \"Civil status");
    let err = support::parse(&text).expect_err("unterminated string");
    let p = &err.problems()[0];
    assert_eq!(p.line, 19, "{err}");
}

#[test]
fn missing_required_key_is_named() {
    let text = MINIMAL.replace("id = \"TEST-01\"\n", "");
    let err = support::parse(&text).expect_err("no kiosk id");
    assert!(err.to_string().contains("missing field `id`"), "{err}");
}

#[test]
fn shipped_config_is_valid() {
    let config = motcua_kiosk::config::parse(
        &support::shipped_config_text(),
        &support::repo_root().join("kiosk-config.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(config.ui.fullscreen);
    assert!(config.queue.services.len() >= 2);
    assert_eq!(
        config.kiosk.languages.first(),
        Some(&motcua_kiosk::language::Language::Vi)
    );
}

#[test]
fn a_serial_port_linked_from_outside_dev_is_accepted_when_it_is_a_terminal() {
    // As simulators and some udev setups present a port: a link in a folder of their own.
    let fake = crate::support::printer::FakePrinter::start();
    let port = fake.path();
    assert!(!port.starts_with("/dev"));
    let text = MINIMAL.replace(
        "transport = \"preview\"",
        &format!("transport = \"serial\"\nport = \"{}\"", port.display()),
    );
    let config = support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        config.printer.transport,
        motcua_kiosk::config::PrinterTransport::Serial { .. }
    ));
    // While the kiosk holds the port exclusively (a config reload), it is still a terminal.
    let held = motcua_kiosk::printer::transport::SerialTransport::open(
        &port.to_string_lossy(),
        115_200,
        motcua_kiosk::config::FlowControl::None,
        motcua_kiosk::config::Parity::None,
    )
    .expect("the fake printer opens");
    support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    drop(held);
    // A link to something that is not a terminal is not a port.
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("kiosk-printer");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    let text = MINIMAL.replace(
        "transport = \"preview\"",
        &format!("transport = \"serial\"\nport = \"{}\"", link.display()),
    );
    let problems = support::parse(&text).unwrap_err().problems().to_vec();
    assert_eq!(problems[0].key, "printer.port");
}

#[test]
fn relative_paths_are_taken_from_the_config_folder() {
    let config = support::parse(MINIMAL).expect("valid");
    assert_eq!(
        config.log.dir,
        std::path::Path::new("/etc/motcua-kiosk/log"),
        "log dir resolved against the config's folder"
    );
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let text = MINIMAL.replace(
        "url = \"\"",
        "url = \"https://motcua.example.gov.vn\"\ntoken = \"s3cr3t-token-value\"",
    );
    let config = support::parse(&text).expect("valid");
    assert_eq!(config.server.token.expose(), "s3cr3t-token-value");
    let shown = format!("{config:?} {}", motcua_kiosk::config::Summary(&config));
    assert!(!shown.contains("s3cr3t"), "token leaked: {shown}");
}

#[test]
fn hostile_values_are_rejected_not_panicked_on() {
    for value in [
        "\"💥\"",
        "\"'; DROP TABLE x; --\"",
        &format!("\"{}\"", "x".repeat(500)),
        "-1",
        "9999999999999",
    ] {
        let text = MINIMAL.replace("id = \"TEST-01\"", &format!("id = {value}"));
        assert!(
            support::parse(&text).is_err(),
            "{value} accepted as kiosk id"
        );
        let text = MINIMAL.replace(
            "opening_hours = \"07:30-11:30,13:30-17:00\"",
            &format!("opening_hours = {value}"),
        );
        assert!(
            support::parse(&text).is_err(),
            "{value} accepted as opening hours"
        );
    }
}

#[test]
fn a_logo_that_is_not_a_png_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let logo = dir.path().join("logo.png");
    std::fs::write(&logo, b"GIF89a, not a PNG").unwrap();
    let text = MINIMAL.replace(
        "preview_dir = \"preview\"",
        &format!("preview_dir = \"preview\"\nlogo = \"{}\"", logo.display()),
    );
    let problems = match support::parse(&text) {
        Err(motcua_kiosk::config::ConfigError::Invalid { problems, .. }) => problems,
        other => panic!("expected the logo to be refused, got {other:?}"),
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].key, "printer.logo");
    assert_eq!(problems[0].line, 12);
    assert!(
        problems[0].message.contains("not a PNG"),
        "{}",
        problems[0].message
    );
}

#[test]
fn offline_numbers_are_marked_per_kiosk() {
    let tag = |text: &str| support::parse(text).map(|c| c.queue.offline_tag);
    assert_eq!(tag(MINIMAL).unwrap(), "K01", "from the kiosk id TEST-01");
    let named = MINIMAL.replace("id = \"TEST-01\"", "id = \"sanh-chinh\"");
    assert_eq!(tag(&named).unwrap(), "SAN");
    let set = MINIMAL.replace(
        "opening_hours = \"07:30-11:30,13:30-17:00\"",
        "opening_hours = \"07:30-11:30,13:30-17:00\"\noffline_tag = \"B2\"",
    );
    assert_eq!(tag(&set).unwrap(), "B2");
    let bad = set.replace("\"B2\"", "\"b-2\"");
    let problems = support::parse(&bad).unwrap_err().problems().to_vec();
    assert_eq!(problems[0].key, "queue.offline_tag");
    assert!(
        problems[0]
            .allowed
            .as_deref()
            .unwrap_or("")
            .contains("capital letters")
    );
}
