//! "Đọc to": the ticket result and the dossier result said aloud, for citizens who do not read
//! the screen well. What is said is put together from short recorded clips, as the lobby
//! display's calls are (`motcua_central::web::voice`): the display's letters, digits and
//! numbers, and the kiosk's own phrases (`assets/voice/`, made by its `make-clips.sh`). The
//! WAV goes to `[ui] tone_player`, the program that plays the ticket tone. An office may put
//! its own recordings in place of any clip: files of the same names in `[ui] voice_dir`.

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use motcua_central::web::i18n::Lang;
use motcua_central::web::voice::{Part, Voice, VoiceError, spelled, spoken_count};

use crate::config::ReadAloud;
use crate::language::Language;
use crate::tone::TonePlayer;

/// One list gives the phrase names and the clips inside the binary.
macro_rules! phrases {
    ($($name:literal),* $(,)?) => {
        static PHRASES: &[(&str, &[u8])] =
            &[$(($name, include_bytes!(concat!("../assets/voice/", $name, ".wav")))),*];
    };
}

phrases![
    "vi-so-cua-quy-vi-la",
    "vi-truoc-quy-vi-co",
    "vi-nguoi-dang-cho",
    "vi-khong-ai-cho-truoc",
    "vi-moi-cho-goi-so",
    "vi-ho-so-cua-quy-vi",
    "en-your-number-is",
    "en-waiting-ahead",
    "en-nobody-ahead",
    "en-please-wait",
    "en-your-dossier",
    "vi-status-1",
    "en-status-1",
    "vi-status-2",
    "en-status-2",
    "vi-status-3",
    "en-status-3",
    "vi-next-3",
    "en-next-3",
    "vi-status-4",
    "en-status-4",
    "vi-status-5",
    "en-status-5",
    "vi-next-5",
    "en-next-5",
    "vi-status-6",
    "en-status-6",
    "vi-next-6",
    "en-next-6",
    "vi-status-7",
    "en-status-7",
    "vi-status-8",
    "en-status-8",
    "vi-next-8",
    "en-next-8",
    "vi-status-9",
    "en-status-9",
    "vi-next-9",
    "en-next-9",
    "vi-status-10",
    "en-status-10",
    "vi-late",
    "en-late",
];

/// The display's clips and the kiosk's phrases, read once.
fn voice() -> &'static Voice {
    static VOICE: OnceLock<Voice> = OnceLock::new();
    VOICE.get_or_init(|| {
        // Checked by a test: every phrase is a 16-bit mono 16 kHz WAV.
        Voice::builtin()
            .with_clips(PHRASES)
            .unwrap_or_else(|_| Voice::builtin())
    })
}

/// The shipped voice, with the clips `dir` holds (`NAME.wav`: a display clip or a kiosk
/// phrase) in place of the shipped ones.
pub fn voice_with(dir: Option<&Path>) -> Result<Voice, VoiceError> {
    match dir {
        None => Ok(voice().clone()),
        Some(dir) => voice().clone().replaced_from(dir),
    }
}

/// The name of a kiosk phrase in `lang`, when there is one.
fn phrase(lang: Language, what: &str) -> Option<&'static str> {
    let name = format!("{}-{what}", lang.code());
    PHRASES.iter().map(|(n, _)| *n).find(|n| *n == name)
}

fn lang(language: Language) -> Lang {
    match language {
        Language::Vi => Lang::Vi,
        Language::En => Lang::En,
    }
}

/// The fixed phrases of one language.
struct Phrases {
    your_number_is: &'static str,
    nobody_ahead: &'static str,
    /// Before the count ("trước quý vị có"), when the language says something there.
    before_count: Option<&'static str>,
    after_count: &'static str,
    please_wait: &'static str,
    your_dossier: &'static str,
}

fn phrases(language: Language) -> Phrases {
    match language {
        Language::Vi => Phrases {
            your_number_is: "vi-so-cua-quy-vi-la",
            nobody_ahead: "vi-khong-ai-cho-truoc",
            before_count: Some("vi-truoc-quy-vi-co"),
            after_count: "vi-nguoi-dang-cho",
            please_wait: "vi-moi-cho-goi-so",
            your_dossier: "vi-ho-so-cua-quy-vi",
        },
        Language::En => Phrases {
            your_number_is: "en-your-number-is",
            nobody_ahead: "en-nobody-ahead",
            before_count: None,
            after_count: "en-waiting-ahead",
            please_wait: "en-please-wait",
            your_dossier: "en-your-dossier",
        },
    }
}

/// "Số của quý vị là A không một hai. Trước quý vị có ba người đang chờ. Xin mời quý vị chờ
/// gọi số." `people_ahead` is `None` when unknown (an offline ticket): that sentence is left out.
pub fn ticket_words(number: &str, people_ahead: Option<u32>, language: Language) -> Vec<Part> {
    let words = phrases(language);
    let mut parts = vec![Part::Clip(words.your_number_is), Part::Pause(150)];
    parts.extend(spelled(number, lang(language)));
    parts.push(Part::Pause(600));
    match people_ahead {
        None => {}
        Some(0) => parts.extend([Part::Clip(words.nobody_ahead), Part::Pause(600)]),
        Some(n) => {
            if let Some(before) = words.before_count {
                parts.extend([Part::Clip(before), Part::Pause(100)]);
            }
            parts.extend(spoken_count(n, lang(language)));
            parts.extend([Part::Pause(100), Part::Clip(words.after_count)]);
            parts.push(Part::Pause(600));
        }
    }
    parts.push(Part::Clip(words.please_wait));
    parts
}

/// "Hồ sơ của quý vị: đã có kết quả, mời nhận. Mời quý vị mang …": the status and what to do
/// next, as the dossier page words them; an unfinished dossier past its appointment (`late`)
/// with nothing else to do hears the office's apology. Nothing for a status the kiosk does not
/// know.
pub fn status_words(code: u8, late: bool, language: Language) -> Vec<Part> {
    let Some(status) = phrase(language, &format!("status-{code}")) else {
        return Vec::new();
    };
    let mut parts = vec![Part::Clip(phrases(language).your_dossier)];
    parts.extend([Part::Pause(300), Part::Clip(status)]);
    let finished = matches!(code, 9 | 10);
    let next = phrase(language, &format!("next-{code}"))
        .or_else(|| phrase(language, "late").filter(|_| late && !finished));
    if let Some(next) = next {
        parts.extend([Part::Pause(600), Part::Clip(next)]);
    }
    parts
}

/// The parts as one 16-bit mono 16 kHz WAV file.
pub fn render(parts: &[Part]) -> Vec<u8> {
    voice().render(parts)
}

/// Set while something is being said: a second tap does not talk over the first.
static SPEAKING: AtomicBool = AtomicBool::new(false);

/// Clears [`SPEAKING`] however the saying ends.
struct Speaking;

impl Drop for Speaking {
    fn drop(&mut self) {
        SPEAKING.store(false, Ordering::Release);
    }
}

/// Says a ticket's number and the people ahead of it (negative: unknown) as `[ui] read_aloud`
/// says (`None`: off); returns at once.
pub fn say_ticket(how: &Option<ReadAloud>, number: &str, ahead: i32, language: Language) {
    say(
        how,
        ticket_words(number, u32::try_from(ahead).ok(), language),
    );
}

/// Says a dossier's status and what to do next; returns at once.
pub fn say_status(how: &Option<ReadAloud>, code: i32, late: bool, language: Language) {
    let code = u8::try_from(code).unwrap_or(0);
    say(how, status_words(code, late, language));
}

/// Says `parts`; returns at once. Ignored while something else is being said, and when there
/// is nothing to say.
fn say(how: &Option<ReadAloud>, parts: Vec<Part>) {
    let Some(how) = how else {
        return;
    };
    let Some(player) = TonePlayer::new(&how.player) else {
        return;
    };
    if parts.is_empty() || SPEAKING.swap(true, Ordering::AcqRel) {
        return;
    }
    let speaking = Speaking;
    let voice_dir = how.voice_dir.clone();
    let made = move || {
        // Read at each saying, off the UI thread, so recordings changed in place are heard.
        voice_with(voice_dir.as_deref())
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the office's recordings cannot be used; the shipped voice speaks");
                voice().clone()
            })
            .render(&parts)
    };
    player.play_made("read aloud", made, move || drop(speaking));
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_central::web::voice::parse_wav;

    fn clips(parts: &[Part]) -> Vec<&'static str> {
        parts.iter().filter_map(|p| p.clip_name()).collect()
    }

    #[test]
    fn every_phrase_is_a_clip_named_in_its_list() {
        let list = include_str!("../assets/voice/phrases.txt");
        let names: Vec<&str> = list.lines().filter_map(|l| l.split('|').next()).collect();
        let shipped: Vec<&str> = PHRASES.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, shipped, "phrases.txt and the phrases! list differ");
        for (name, bytes) in PHRASES {
            let samples = parse_wav(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(samples.len() > 3_000, "{name} is too short");
        }
    }

    #[test]
    fn a_ticket_is_said_number_first_then_the_wait() {
        assert_eq!(
            clips(&ticket_words("HT-042", Some(3), Language::Vi)),
            [
                "vi-so-cua-quy-vi-la",
                "vi-h",
                "vi-t",
                "vi-0",
                "vi-4",
                "vi-2",
                "vi-truoc-quy-vi-co",
                "vi-3",
                "vi-nguoi-dang-cho",
                "vi-moi-cho-goi-so"
            ]
        );
        assert_eq!(
            clips(&ticket_words("A005", Some(0), Language::En)),
            [
                "en-your-number-is",
                "en-a",
                "en-0",
                "en-0",
                "en-5",
                "en-nobody-ahead",
                "en-please-wait"
            ]
        );
        // Offline: the wait is unknown and not said.
        let offline = clips(&ticket_words("K1-A001", None, Language::Vi));
        assert!(!offline.contains(&"vi-truoc-quy-vi-co"));
        assert_eq!(offline.last(), Some(&"vi-moi-cho-goi-so"));
        let many = clips(&ticket_words("B1", Some(125), Language::Vi));
        assert!(many.windows(3).any(|w| w == ["vi-1", "vi-tram", "vi-2"]));
    }

    #[test]
    fn a_status_is_said_with_what_to_do_next() {
        assert_eq!(
            clips(&status_words(9, true, Language::Vi)),
            ["vi-ho-so-cua-quy-vi", "vi-status-9", "vi-next-9"]
        );
        assert_eq!(
            clips(&status_words(4, false, Language::En)),
            ["en-your-dossier", "en-status-4"]
        );
        // Past the appointment and still in progress: the apology the page shows.
        assert_eq!(
            clips(&status_words(4, true, Language::Vi)),
            ["vi-ho-so-cua-quy-vi", "vi-status-4", "vi-late"]
        );
        // Finished late: nothing to apologise for any more.
        assert_eq!(clips(&status_words(10, true, Language::Vi)).len(), 2);
        assert!(status_words(11, false, Language::Vi).is_empty());
    }

    #[test]
    fn what_is_said_is_the_clips_in_order_with_pauses_between() {
        let parts = ticket_words("A1", Some(2), Language::Vi);
        let samples = parse_wav(&render(&parts)).expect("a WAV");
        let voice = voice();
        let mut expected = Vec::new();
        for part in &parts {
            match part {
                Part::Clip(name) => expected.extend_from_slice(voice.clip(name).expect(name)),
                Part::Pause(ms) => expected.resize(expected.len() + (*ms as usize) * 16, 0),
            }
        }
        assert_eq!(samples, expected);
        // "Số của quý vị là a một. Trước quý vị có hai người đang chờ. Xin mời …": a few
        // seconds, not a fraction, not a minute.
        let seconds = samples.len() as f64 / 16_000.0;
        assert!((4.0..12.0).contains(&seconds), "{seconds} s");
    }
}
