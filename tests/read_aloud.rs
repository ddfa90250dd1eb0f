//! "Đọc to": the ticket and dossier results said aloud through the configured player, in the
//! citizen's language, made of the clips in the order the sentence needs; absent when off.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use motcua_central::web::voice::{Part, parse_wav, write_wav};
use motcua_kiosk::language::Language;
use motcua_kiosk::ui::{
    DossierAdapter, DossierStep, KioskState, QueueAdapter, QueueStep, ServerState,
};
use motcua_kiosk::{dossier, speech};
use slint::ComponentHandle;

use crate::queue::always_open;
use crate::support::net::{self, central_with};
use crate::support::ui::{UiKiosk, find, kiosk, settle, tap, type_keys, wait_until};
use crate::support::{self, MINIMAL};

const WAIT: Duration = Duration::from_secs(10);

/// A kiosk says one thing at a time, process-wide: tests that speak take turns.
static SPEAKER: Mutex<()> = Mutex::new(());

fn speaker() -> MutexGuard<'static, ()> {
    SPEAKER.lock().unwrap_or_else(|e| e.into_inner())
}

/// A player that keeps each WAV it is given (one file per call), takes `seconds` to "play",
/// then leaves a `.done` file.
fn player(dir: &Path, seconds: f32) -> (PathBuf, PathBuf) {
    let script = dir.join("player.sh");
    let heard = dir.join("heard");
    std::fs::create_dir(&heard).unwrap();
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncd \"{}\"\ncat > said-$$.wav.part\nmv said-$$.wav.part said-$$.wav\nsleep {seconds}\ntouch said-$$.done\n",
            heard.display()
        ),
    )
    .unwrap();
    (script, heard)
}

fn said(heard: &Path) -> Vec<Vec<i16>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(heard)
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| parse_wav(&std::fs::read(f).unwrap()).expect("a 16 kHz mono WAV"))
        .collect()
}

/// How many sayings have finished playing.
fn finished(heard: &Path) -> usize {
    std::fs::read_dir(heard)
        .unwrap()
        .filter(|f| {
            f.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|e| e == "done")
        })
        .count()
}

/// A tone of `hz` for `ms`: a recording no synthetic clip can be mistaken for.
fn tone(hz: f32, ms: u32) -> Vec<i16> {
    (0..16 * ms)
        .map(|i| ((i as f32 * hz * std::f32::consts::TAU / 16_000.0).sin() * 8000.0) as i16)
        .collect()
}

fn config_text(url: &str, data_dir: &Path, script: &Path) -> String {
    let text = support::with_server(&always_open(MINIMAL, data_dir), url, net::KIOSK_TOKEN);
    // Run by sh rather than executed: a script just written cannot be exec'd while another
    // test thread's fork still holds it open.
    text.replace(
        "[ui]",
        &format!(
            "[ui]\nread_aloud = true\ntone_player = \"/bin/sh {} -\"",
            script.display()
        ),
    )
}

/// Takes a regular number for certification; `words` are the screen's words in the language
/// shown: take a number, the service, no priority, no SMS.
fn take_a_number(k: &UiKiosk, words: [&str; 4]) {
    let queue = || k.window().global::<QueueAdapter>();
    assert!(
        wait_until(k, WAIT, || queue().get_live()),
        "waiting counts arrive"
    );
    tap(k, words[0]);
    tap(k, words[1]);
    if queue().get_step() == QueueStep::Priority {
        tap(k, words[2]);
    }
    if queue().get_step() == QueueStep::SmsOffer {
        tap(k, words[3]);
    }
    assert!(wait_until(k, WAIT, || queue().get_step() == QueueStep::Done));
}

const VI: [&str; 4] = [
    "Lấy số thứ tự",
    "Chứng thực",
    "Không, lấy số thường",
    "Không cần, lấy số",
];
const EN: [&str; 4] = [
    "Take a number",
    "Certification of copies",
    "No, a regular number",
    "No thanks, give me a number",
];

#[test]
fn the_ticket_and_the_dossier_are_said_aloud_in_the_citizens_language() {
    let _turn = speaker();
    let c = central_with(|cfg| cfg.dossier_lookups_per_minute = 100);
    let dir = tempfile::tempdir().unwrap();
    let (script, heard) = player(dir.path(), 1.5);
    let text = config_text(c.url().as_str(), dir.path(), &script);
    let k = kiosk(
        &support::parse(&text).unwrap_or_else(|e| panic!("{e}")),
        1920,
        1080,
    );
    let queue = || k.window().global::<QueueAdapter>();

    take_a_number(&k, VI);
    let (number, ahead) = (queue().get_number(), queue().get_people_ahead());
    assert!(ahead >= 0, "the server said how many wait");
    tap(&k, "Đọc to");
    // A second tap while it speaks does not talk over it.
    tap(&k, "Đọc to");
    assert!(
        wait_until(&k, WAIT, || said(&heard).len() == 1),
        "the player got the words"
    );
    let expected = speech::render(&speech::ticket_words(
        &number,
        Some(ahead as u32),
        Language::Vi,
    ));
    assert_eq!(
        said(&heard)[0],
        parse_wav(&expected).unwrap(),
        "the whole sentence, in order"
    );
    assert!(wait_until(&k, WAIT, || finished(&heard) == 1));
    settle();
    assert_eq!(said(&heard).len(), 1, "the second tap was ignored");

    // In English, once the first has finished.
    tap(&k, "Xong");
    tap(&k, "English");
    take_a_number(&k, EN);
    let number = queue().get_number();
    let ahead = queue().get_people_ahead();
    tap(&k, "Read aloud");
    assert!(wait_until(&k, WAIT, || said(&heard).len() == 2));
    let english = speech::render(&speech::ticket_words(
        &number,
        Some(ahead as u32),
        Language::En,
    ));
    assert!(said(&heard).contains(&parse_wav(&english).unwrap()));
    assert!(wait_until(&k, WAIT, || finished(&heard) == 2));

    // A dossier ready for collection: its status and what to bring.
    tap(&k, "Done");
    assert!(wait_until(&k, WAIT, || {
        k.window().global::<KioskState>().get_server_state() == ServerState::Online
    }));
    let code = motcua_central::seed::sample_dossiers(c.server.seeded_on())
        .into_iter()
        .find(|s| s.dossier.status == 9)
        .map(|s| s.dossier.code)
        .expect("a dossier ready for collection");
    tap(&k, "Check a dossier");
    type_keys(
        &k,
        &code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>(),
    );
    tap(&k, "Look up");
    let dossier = || k.window().global::<DossierAdapter>();
    assert!(wait_until(&k, WAIT, || dossier().get_step() == DossierStep::Result));
    assert_eq!(dossier().get_result().status_code, 9);
    tap(&k, "Read aloud");
    assert!(wait_until(&k, WAIT, || said(&heard).len() == 3));
    let status = speech::render(&speech::status_words(9, false, Language::En));
    assert!(said(&heard).contains(&parse_wav(&status).unwrap()));
    let seconds = parse_wav(&status).unwrap().len() as f64 / 16_000.0;
    assert!(
        (5.0..20.0).contains(&seconds),
        "status and next step: {seconds} s"
    );
}

#[test]
fn without_read_aloud_there_is_no_button() {
    let c = central_with(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let text = support::with_server(
        &always_open(MINIMAL, dir.path()),
        c.url().as_str(),
        net::KIOSK_TOKEN,
    );
    let k = kiosk(
        &support::parse(&text).unwrap_or_else(|e| panic!("{e}")),
        1920,
        1080,
    );
    assert!(!k.window().global::<KioskState>().get_read_aloud());
    take_a_number(&k, VI);
    assert!(find(&k, "Đọc to").is_empty());
}

#[test]
fn the_status_phrases_say_what_the_dossier_page_says() {
    let list = std::fs::read_to_string(support::repo_root().join("assets/voice/phrases.txt"))
        .expect("phrases.txt");
    let text = |name: String| {
        list.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}|"))?.split_once('|'))
            .map(|(_, text)| text.to_string())
    };
    for code in 1..=10u8 {
        let s = dossier::status_info(code).expect("a status");
        assert_eq!(text(format!("vi-status-{code}")).as_deref(), Some(s.vi));
        assert_eq!(text(format!("en-status-{code}")).as_deref(), Some(s.en));
        assert_eq!(text(format!("vi-next-{code}")).as_deref(), s.next_vi);
        assert_eq!(text(format!("en-next-{code}")).as_deref(), s.next_en);
    }
    assert_eq!(text("vi-late".into()).as_deref(), Some(dossier::LATE_VI));
    assert_eq!(text("en-late".into()).as_deref(), Some(dossier::LATE_EN));
}

#[test]
fn the_offices_own_recordings_replace_the_shipped_clips() {
    let _turn = speaker();
    let c = central_with(|_| {});
    let dir = tempfile::tempdir().unwrap();
    let (script, heard) = player(dir.path(), 0.2);
    let voice = dir.path().join("voice");
    std::fs::create_dir(&voice).unwrap();
    let clip = voice.join("vi-so-cua-quy-vi-la.wav");
    std::fs::write(&clip, write_wav(&tone(440.0, 300))).unwrap();
    // Not a clip name: left alone.
    std::fs::write(voice.join("ghi-chu.txt"), "recorded by the office").unwrap();
    let text = config_text(c.url().as_str(), dir.path(), &script).replace(
        "read_aloud = true",
        &format!("read_aloud = true\nvoice_dir = \"{}\"", voice.display()),
    );
    let config = support::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let k = kiosk(&config, 1920, 1080);
    let queue = || k.window().global::<QueueAdapter>();

    take_a_number(&k, VI);
    let (number, ahead) = (queue().get_number(), queue().get_people_ahead());
    let words = speech::ticket_words(&number, Some(ahead as u32), Language::Vi);
    tap(&k, "Đọc to");
    assert!(wait_until(&k, WAIT, || said(&heard).len() == 1));
    let office = speech::voice_with(Some(&voice)).expect("the office's voice");
    assert_eq!(office.replaced, ["vi-so-cua-quy-vi-la"]);
    let first = &said(&heard)[0];
    assert_eq!(first, &parse_wav(&office.render(&words)).unwrap());
    assert_eq!(
        first[..4800],
        tone(440.0, 300)[..],
        "the recording opens the sentence"
    );
    let shipped = parse_wav(&speech::render(&words)).unwrap();
    assert_eq!(
        first[4800..],
        shipped[speech::voice_with(None)
            .unwrap()
            .clip("vi-so-cua-quy-vi-la")
            .unwrap()
            .len()..],
        "the rest is the shipped voice"
    );
    assert!(wait_until(&k, WAIT, || finished(&heard) == 1));

    // A recording replaced in place is heard from the next tap.
    std::fs::write(&clip, write_wav(&tone(660.0, 200))).unwrap();
    tap(&k, "Đọc to");
    assert!(wait_until(&k, WAIT, || said(&heard).len() == 2));
    assert!(
        said(&heard)
            .iter()
            .any(|w| w[..3200] == tone(660.0, 200)[..] && w[3200..3200 + 2400] == [0; 2400]),
        "the new recording, then the pause"
    );
    assert_eq!(words[1], Part::Pause(150));
}

#[test]
fn a_recording_in_another_format_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let voice = dir.path().join("voice");
    std::fs::create_dir(&voice).unwrap();
    // 8-bit stereo at 44.1 kHz, as a phone or a recorder might save it.
    let mut wav = b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x01\0\x02\0\x44\xac\0\0\x88\x58\x01\0\x02\0\x08\0data\x08\0\0\0".to_vec();
    wav.extend_from_slice(&[128; 8]);
    std::fs::write(voice.join("vi-status-9.wav"), wav).unwrap();
    let text = MINIMAL.replace(
        "[ui]",
        &format!(
            "[ui]\nread_aloud = true\nvoice_dir = \"{}\"",
            voice.display()
        ),
    );
    let err = support::parse(&text).expect_err("a clip that cannot play");
    let p = &err.problems()[0];
    assert_eq!(p.key, "ui.voice_dir");
    assert!(p.message.contains("vi-status-9.wav"), "{err}");
    assert!(
        p.allowed.as_deref().is_some_and(|a| a.contains("16 kHz")),
        "{err}"
    );
}
