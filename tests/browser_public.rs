//! The office server's public pages in a real Chromium at a phone's 360×800: a ticket the kiosk
//! prints is followed from its QR code (the payload read back from the printed ESC/POS bytes)
//! and shows its call within 2 s; every page passes an axe-core audit (no serious or critical
//! violation) in Vietnamese and English. `SCREENSHOT_DIR=docs/screenshots` keeps the README's
//! pictures.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::browser::{WAIT, api, take_ticket};
use crate::support::browser::{Browser, browser, epoch_ms};
use crate::support::net::{self, central_with};
use crate::support::ui::{kiosk, wait_until};
use crate::support::{self, MINIMAL};

const COUNTER3: &str = "counter-three-token-0123";
const AXE: &str = include_str!("fixtures/axe-core/axe.min.js");

/// Every `.bin` print job under `dir`, oldest first by name.
fn print_jobs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(print_jobs(&path));
        } else if path.extension().is_some_and(|e| e == "bin") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Runs axe-core on the page; the serious and critical violations, as `rule: target`.
fn audit(b: &Browser) -> Vec<String> {
    b.js(&format!("{AXE}\n;return true"), vec![]);
    let result = b.run(b.client.execute_async(
        "const done = arguments[arguments.length - 1];
         axe.run(document, { resultTypes: ['violations'] })
            .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
               .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
            .catch(e => done(['axe failed: ' + e]));",
        vec![],
    ));
    result
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn keep_screenshot(b: &Browser, name: &str) {
    if let Ok(dir) = std::env::var("SCREENSHOT_DIR") {
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(Path::new(&dir).join(name), b.screenshot()).expect("write screenshot");
    }
}

#[test]
fn a_printed_qr_code_follows_the_ticket_to_its_call_and_every_page_passes_axe() {
    let c = central_with(|cfg| {
        cfg.counter_tokens
            .push(motcua_central::CounterToken::parse(&format!("3={COUNTER3}")).expect("token"));
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let text = crate::queue::always_open(MINIMAL, dir.path());
    let config = support::parse(&support::with_server(
        &text,
        c.url().as_str(),
        net::KIOSK_TOKEN,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let k = kiosk(&config, 1920, 1080);
    assert!(wait_until(&k, WAIT, || crate::browser::queue(&k).get_live()));
    assert_eq!(take_ticket(&k, None), "HT-001");

    // The QR code as the printer received it.
    let jobs = print_jobs(&k.dir.path().join("preview"));
    let job = jobs.last().expect("the ticket was printed");
    let bytes = std::fs::read(job).expect("print job");
    let payloads = motcua_kiosk::ticket::qr_payloads(&bytes).expect("ESC/POS");
    assert_eq!(payloads.len(), 1, "one QR code on the ticket");
    let url = String::from_utf8(payloads[0].clone()).expect("an address");
    let id = url
        .strip_prefix(&format!("{}t/", c.url()))
        .unwrap_or_else(|| panic!("the ticket's follow page: {url}"));
    assert!(id.len() == 32, "{url}");

    let b = browser();
    b.windows(1, 360, 800);
    b.goto(&url);
    assert_eq!(b.text("number"), "HT-001");
    b.wait_for(
        "the page follows the ticket",
        WAIT,
        "return document.body.dataset.link === 'up'",
    );
    keep_screenshot(&b, "public-follow.png");
    b.js(
        "window.seen = null;
         new MutationObserver(() => { if (!window.seen) window.seen = [document.getElementById('state').textContent, Date.now()]; })
           .observe(document.getElementById('state'), { childList: true, characterData: true, subtree: true });
         return true",
        vec![],
    );
    let before = epoch_ms();
    let (status, call) = api(&c, "POST", "/queue/call-next", COUNTER3, json!({}));
    assert_eq!(status, 200, "{call}");
    assert_eq!(call["number"], "HT-001");
    let seen = b.wait_for("the call on the phone", WAIT, "return window.seen");
    let delay = seen[1].as_f64().unwrap_or(f64::MAX) - before;
    assert_eq!(seen[0], "Đã đến lượt — mời đến quầy 3");
    assert!(
        delay < 2000.0,
        "the phone showed the call after {delay:.0} ms"
    );
    assert_eq!(
        b.js(
            "return document.getElementById('ticket').dataset.status",
            vec![]
        ),
        json!("called")
    );
    keep_screenshot(&b, "public-follow-called.png");

    let dossier = &motcua_central::seed::sample_dossiers(c.server.seeded_on())[0].code;
    let pages = [
        ("public-home.png", "".to_string()),
        ("public-follow-called.png", format!("t/{id}")),
        ("public-search.png", "procedures?q=khai+sinh".to_string()),
        ("public-procedure.png", "procedures/2.000528".to_string()),
        ("public-dossier.png", format!("dossiers?code={dossier}")),
    ];
    let mut problems = Vec::new();
    for lang in ["vi", "en"] {
        for (shot, path) in &pages {
            let sep = if path.contains('?') { '&' } else { '?' };
            b.goto(&format!("{}{path}{sep}lang={lang}", c.url()));
            b.wait_for(
                "the page",
                WAIT,
                "return document.readyState === 'complete'",
            );
            if lang == "vi" && !shot.contains("follow") {
                keep_screenshot(&b, shot);
            }
            problems.extend(
                audit(&b)
                    .into_iter()
                    .map(|p| format!("/{path} ({lang}): {p}")),
            );
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Results as one types, on the search page.
    b.goto(&format!("{}procedures", c.url()));
    b.type_into("#q", "ket hon");
    b.wait_for(
        "results as one types",
        Duration::from_secs(5),
        "return [...document.querySelectorAll('#results a')].some(a => a.getAttribute('href') === '/procedures/2.000806')",
    );
    assert_eq!(
        b.js("return location.search", vec![]),
        Value::from("?q=ket%20hon")
    );
}
