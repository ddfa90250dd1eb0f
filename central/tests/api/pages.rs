//! The server's pages over HTTP (the browser tests are in the kiosk's suite, tests/browser.rs):
//! security headers, escaping of what the office configures, static files, the display's
//! token, and the announcement WAV put together from its clips in order.

use std::path::{Path, PathBuf};

use crate::support::{self, COUNTER, Harness, Response};

const DISPLAY: &str = "lobby-display-token";

fn get(h: &Harness, path: &str, headers: &[(&str, &str)]) -> Response {
    support::request(h.server.addr(), "GET", path, headers, None)
}

fn text(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn harness() -> Harness {
    Harness::start_with(|c| c.display_token = Some(DISPLAY.into()))
}

#[test]
fn every_page_and_file_carries_the_security_headers() {
    let h = harness();
    let page = get(&h, &format!("/display?token={DISPLAY}"), &[]);
    let css = text(&page)
        .split('"')
        .find(|s| s.starts_with("/static/app.css?v="))
        .expect("the page links its style sheet")
        .to_string();
    for path in [
        "/counter",
        &format!("/display?token={DISPLAY}"),
        "/display?token=wrong",
        &css,
        "/static/nothing.js",
        "/audio/chime.wav",
        "/audio/call.wav?number=HT-001&counter=1",
    ] {
        let r = get(&h, path, &[]);
        let csp = r.header("content-security-policy").unwrap_or_default();
        for part in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
    }
    // A page that may carry a token is never cached.
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(
        page.header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
    );
}

#[test]
fn what_the_office_configures_is_shown_as_text() {
    let name = "<script>alert(\"tên\")</script> 'Hải Châu' & 🏛️🇻🇳";
    let notice: String = format!("{name} <img src=x onerror=alert(1)> ")
        .chars()
        .cycle()
        .take(500)
        .collect();
    let h = Harness::start_with(|c| {
        c.display_token = Some(DISPLAY.into());
        c.office_name = name.into();
        c.display_notice = Some(notice.clone());
    });
    let page = text(&get(
        &h,
        &format!("/display?token={DISPLAY}&lang=vi,en"),
        &[],
    ));
    assert!(
        !page.contains("<script>alert") && !page.contains("<img"),
        "{page}"
    );
    assert!(page.contains(
        "&lt;script&gt;alert(&quot;tên&quot;)&lt;/script&gt; &#39;Hải Châu&#39; &amp; 🏛️🇻🇳"
    ));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    // Scripts come only from files: every <script> names one, or is a JSON data block.
    for tag in page.split("<script").skip(1) {
        assert!(
            tag.trim_start().starts_with("src=\"/static/")
                || tag.starts_with(" type=\"application/json\""),
            "{tag}"
        );
    }
    // The counter page learns the name from the API, as data.
    let mine = h.get_with("/queue/counter", Some(COUNTER), &[]).json();
    assert_eq!(mine["office_name"], name);

    // A notice longer than a display shows is refused at start.
    let mut config = support::config(&h.database, motcua_central::Clock::system());
    config.display_notice = Some("x".repeat(501));
    config.listen = "127.0.0.1:0".parse().expect("address");
    let refused = motcua_central::spawn(config)
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(
        refused.as_ref().is_err_and(|e| e.contains("notice")),
        "{refused:?}"
    );
}

#[test]
fn the_display_opens_with_a_watching_token_only() {
    let h = harness();
    for token in [DISPLAY, support::TOKEN, COUNTER] {
        let r = get(&h, &format!("/display?token={token}"), &[]);
        assert_eq!(r.status, 200, "{token}");
    }
    for path in ["/display", "/display?token=", "/display?token=not-a-token"] {
        let r = get(&h, path, &[]);
        assert_eq!(r.status, 401, "{path}");
        assert!(text(&r).contains("Mã màn hình không đúng"), "{path}");
    }
    let en = text(&get(&h, "/display?token=nope&lang=en", &[]));
    assert!(en.contains("Display token refused"));
    // Both languages: the English beside the Vietnamese.
    let both = text(&get(
        &h,
        &format!("/display?token={DISPLAY}&lang=vi,en"),
        &[],
    ));
    assert!(both.contains("Mời số <span class=\"alt\" lang=\"en\">Now calling</span>"));
    assert!(both.contains("data-langs=\"vi,en\""));
    // The counter page: Vietnamese first, English on asking, remembered in a cookie.
    let vi = get(&h, "/counter", &[]);
    assert!(text(&vi).contains("Gọi số tiếp theo") && text(&vi).contains("F1"));
    let en = get(&h, "/counter?lang=en", &[]);
    assert!(text(&en).contains("Call next"));
    assert!(
        en.header("set-cookie")
            .is_some_and(|c| c.starts_with("motcua-lang=en;"))
    );
    let again = get(&h, "/counter", &[("Cookie", "motcua-lang=en")]);
    assert!(text(&again).contains("Call next"));
}

#[test]
fn static_files_have_versioned_addresses_and_answer_304_when_unchanged() {
    let h = harness();
    let page = text(&get(&h, "/counter", &[]));
    let js = page
        .split('"')
        .find(|s| s.starts_with("/static/counter.js?v="))
        .expect("linked")
        .to_string();
    let r = get(&h, &js, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(
        r.header("cache-control")
            .is_some_and(|c| c.contains("immutable"))
    );
    let etag = r.header("etag").expect("etag").to_string();
    let again = get(&h, &js, &[("If-None-Match", &etag)]);
    assert_eq!((again.status, again.body.len()), (304, 0));
    assert_eq!(get(&h, "/static/../Cargo.toml", &[]).status, 404);
    let font = get(&h, "/static/NotoSans-Bold.ttf", &[]);
    assert_eq!(font.header("content-type"), Some("font/ttf"));
}

/// The samples of a 16-bit mono 16 kHz WAV (checked here without the server's code).
fn samples(wav: &[u8]) -> Vec<i16> {
    assert_eq!(&wav[0..4], b"RIFF");
    assert_eq!(&wav[8..12], b"WAVE");
    let mut at = 12;
    let mut format = None;
    while at + 8 <= wav.len() {
        let size = u32::from_le_bytes(wav[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
        let body = &wav[at + 8..(at + 8 + size).min(wav.len())];
        match &wav[at..at + 4] {
            b"fmt " => format = Some(body.to_vec()),
            b"data" => {
                let f = format.expect("fmt before data");
                assert_eq!(u16::from_le_bytes([f[0], f[1]]), 1, "PCM");
                assert_eq!(u16::from_le_bytes([f[2], f[3]]), 1, "mono");
                assert_eq!(u32::from_le_bytes([f[4], f[5], f[6], f[7]]), 16_000);
                assert_eq!(u16::from_le_bytes([f[14], f[15]]), 16, "16-bit");
                return body
                    .chunks_exact(2)
                    .map(|s| i16::from_le_bytes([s[0], s[1]]))
                    .collect();
            }
            _ => {}
        }
        at += 8 + size + (size & 1);
    }
    panic!("no data chunk")
}

fn clip_file(dir: &Path, name: &str) -> Vec<i16> {
    samples(&std::fs::read(dir.join(format!("{name}.wav"))).expect("clip"))
}

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web/audio")
}

/// Checks that `wav` is `clips` in this order with only silence around and between them;
/// returns the seconds of silence.
fn assert_made_of(wav: &[i16], clips: &[Vec<i16>], names: &[&str]) -> f64 {
    let mut at = 0;
    let mut silence = 0;
    for (clip, name) in clips.iter().zip(names) {
        let found = wav[at..]
            .windows(clip.len())
            .position(|w| w == &clip[..])
            .unwrap_or_else(|| panic!("{name} is not where it should be (after sample {at})"));
        assert!(
            wav[at..at + found].iter().all(|s| *s == 0),
            "only silence before {name}"
        );
        silence += found;
        at += found + clip.len();
    }
    assert!(
        wav[at..].iter().all(|s| *s == 0),
        "nothing after the last clip"
    );
    silence += wav.len() - at;
    silence as f64 / 16_000.0
}

#[test]
fn a_call_is_announced_as_one_wav_of_its_clips_in_order() {
    let h = harness();
    let r = get(&h, "/audio/call.wav?number=HT-042&counter=3&lang=vi", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("audio/wav"));
    let wav = samples(&r.body);
    let names = [
        "chime",
        "vi-moi-so",
        "vi-h",
        "vi-t",
        "vi-0",
        "vi-4",
        "vi-2",
        "vi-den-quay-so",
        "vi-3",
    ];
    let clips: Vec<Vec<i16>> = names.iter().map(|n| clip_file(&shipped(), n)).collect();
    let silence = assert_made_of(&wav, &clips, &names);
    let seconds = wav.len() as f64 / 16_000.0;
    let spoken: usize = clips.iter().map(Vec::len).sum();
    assert!((3.0..8.0).contains(&seconds), "{seconds} s");
    assert!((0.5..2.0).contains(&silence), "{silence} s of pauses");
    assert_eq!(wav.len() - spoken, (silence * 16_000.0).round() as usize);

    // Both languages: the Vietnamese call, then the English one; counter 12 as a number.
    let r = get(
        &h,
        "/audio/call.wav?number=CT-105&counter=12&lang=vi,en",
        &[],
    );
    let names = [
        "chime",
        "vi-moi-so",
        "vi-c",
        "vi-t",
        "vi-1",
        "vi-0",
        "vi-5",
        "vi-den-quay-so",
        "vi-10",
        "vi-2",
        "en-number",
        "en-c",
        "en-t",
        "en-1",
        "en-0",
        "en-5",
        "en-please-go-to-counter",
        "en-12",
    ];
    let clips: Vec<Vec<i16>> = names.iter().map(|n| clip_file(&shipped(), n)).collect();
    assert_made_of(&samples(&r.body), &clips, &names);

    for bad in [
        "/audio/call.wav?counter=3",
        "/audio/call.wav?number=HT%20042&counter=3",
        "/audio/call.wav?number=HT-042&counter=",
        "/audio/call.wav?number=HT-042&counter=3&lang=fr",
    ] {
        assert_eq!(get(&h, bad, &[]).status, 400, "{bad}");
    }
    assert_eq!(get(&h, "/audio/nothing.wav", &[]).status, 404);
}

#[test]
fn an_office_recording_replaces_the_shipped_clip_of_its_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    // "ba" as the office recorded it: here a 440 Hz tone of 0.4 s.
    let tone: Vec<i16> = (0..6400)
        .map(|i| ((i as f64 * 440.0 * std::f64::consts::TAU / 16_000.0).sin() * 8000.0) as i16)
        .collect();
    std::fs::write(
        dir.path().join("vi-3.wav"),
        motcua_central::web::voice::write_wav(&tone),
    )
    .expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a clip").expect("write");
    let voice = dir.path().to_path_buf();
    let h = Harness::start_with(|c| c.voice_dir = Some(voice));
    let wav = samples(&get(&h, "/audio/call.wav?number=HT-001&counter=3", &[]).body);
    let names = ["vi-den-quay-so", "vi-3"];
    let clips = vec![clip_file(&shipped(), "vi-den-quay-so"), tone];
    let start = wav
        .windows(clips[0].len())
        .position(|w| w == &clips[0][..])
        .expect("đến quầy số");
    assert_made_of(&wav[start..], &clips, &names);

    // A recording in another format stops the server with the file's name and the fix.
    std::fs::write(dir.path().join("vi-4.wav"), b"RIFF\x24\0\0\0WAVEfmt ").expect("write");
    let mut config = support::config(&h.database, motcua_central::Clock::system());
    config.listen = "127.0.0.1:0".parse().expect("address");
    config.voice_dir = Some(dir.path().to_path_buf());
    let e = motcua_central::spawn(config)
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(e.as_ref().is_err_and(|e| e.contains("vi-4.wav")), "{e:?}");
}
