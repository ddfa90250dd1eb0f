//! The printer from the technician's shell: `printer status`, `print-test` and `ticket issue`
//! say what happened in words, against the pty printer reached through a link outside `/dev`.

use crate::queue::always_open;
use crate::support::printer::{FakePrinter, Mode};
use crate::support::{self, MINIMAL};

/// A kiosk config printing to `fake` over its serial link, open around the clock.
fn serial_config(fake: &FakePrinter) -> support::ConfigDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = always_open(MINIMAL, dir.path()).replace(
        "transport = \"preview\"\npreview_dir = \"preview\"",
        &format!(
            "transport = \"serial\"\nport = \"{}\"",
            fake.path().display()
        ),
    );
    let path = dir.path().join("kiosk-config.toml");
    std::fs::write(&path, text).expect("write config");
    support::ConfigDir { dir, path }
}

fn run(config: &support::ConfigDir, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--config", config.path.to_str().expect("utf-8 path")];
    all.extend_from_slice(args);
    let out = support::kiosk_cmd(config.dir.path(), &all);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn printer_status_says_the_state_in_words_and_names_offline() {
    let fake = FakePrinter::start();
    let config = serial_config(&fake);
    for (mode, exit, words) in [
        (Mode::Ok, 0, "ready (ok)"),
        (Mode::PaperOut, 1, "out of paper (paper-out)"),
        (Mode::CoverOpen, 1, "cover open (cover-open)"),
        (Mode::Offline, 1, "offline (the printer stopped itself"),
        (Mode::Error, 1, "reports an error (error)"),
    ] {
        fake.set_mode(mode);
        let (code, out, err) = run(&config, &["printer", "status"]);
        assert_eq!(code, exit, "{mode:?}: {out}{err}");
        assert!(out.contains(words), "{mode:?}: {out}");
        assert!(out.contains("at 115200 baud"), "{out}");
    }
}

#[test]
fn a_refused_ticket_is_told_in_words_without_taking_a_number() {
    let fake = FakePrinter::start();
    let config = serial_config(&fake);
    fake.set_mode(Mode::PaperOut);
    let (code, out, err) = run(&config, &["ticket", "issue", "--service", "ho-tich"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out.trim(),
        "refused: the printer is out of paper; no number was taken"
    );
    assert!(!out.contains("PrinterNotReady"), "{out}");
    fake.set_mode(Mode::Offline);
    let (_, out, _) = run(&config, &["ticket", "issue", "--service", "ho-tich"]);
    assert!(out.starts_with("refused: the printer is offline"), "{out}");
    fake.set_mode(Mode::Ok);
    let (code, out, err) = run(&config, &["ticket", "issue", "--service", "ho-tich"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("printed (offline)"), "{out}");
    // In the citizen's language.
    fake.take_received();
    let english = [
        "ticket",
        "issue",
        "--service",
        "ho-tich",
        "--language",
        "en",
    ];
    let (code, out, err) = run(&config, &english);
    assert_eq!(code, 0, "{out}{err}");
    let paper = String::from_utf8_lossy(&fake.received()).into_owned();
    assert!(paper.contains("YOUR NUMBER"), "{paper}");
    let (code, _, err) = run(
        &config,
        &[
            "ticket",
            "issue",
            "--service",
            "ho-tich",
            "--language",
            "fr",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("possible values: vi, en"), "{err}");
}

#[test]
fn print_test_pages_are_exactly_the_pages_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = support::with_data_dir(MINIMAL, dir.path());
    let path = dir.path().join("kiosk-config.toml");
    std::fs::write(&path, text).expect("write config");
    let config = support::ConfigDir { dir, path };
    let chart_pages = |config: &support::ConfigDir| -> Vec<u8> {
        let preview = config.dir.path().join("preview");
        let chart = std::fs::read_dir(&preview)
            .expect("preview folder")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with("-code-pages.bin"))
            .expect("the chart job");
        let bytes = std::fs::read(&chart).expect("chart bytes");
        std::fs::remove_dir_all(&preview).expect("clear preview");
        // Every page selection (ESC t n) after the chart's own ASCII start.
        bytes
            .windows(3)
            .filter(|w| w[0] == 0x1B && w[1] == b't')
            .map(|w| w[2])
            .collect()
    };
    let (code, out, err) = run(&config, &["print-test", "--pages", "52,255"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(chart_pages(&config), [52, 255]);
    let (code, _, _) = run(&config, &["print-test"]);
    assert_eq!(code, 0);
    assert_eq!(chart_pages(&config), motcua_kiosk::ticket::CHART_PAGES);
}
