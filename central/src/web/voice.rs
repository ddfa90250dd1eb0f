//! The lobby display's voice: short clips (a chime, "mời số", "đến quầy số", digits, letters
//! and numbers in Vietnamese and English; `central/web/audio/`, made by its `make-clips.sh`)
//! put together into one WAV per call, so a display plays one file. An office may replace any
//! clip with its own recording: a file of the same name in the folder `voice_dir` names.
//!
//! Every clip is 16-bit mono PCM at 16 kHz; so is the announcement.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::i18n::{Lang, Langs};

/// Samples a second.
pub const RATE: u32 = 16_000;

/// One list of clip names gives both the names and the clips shipped inside the binary.
macro_rules! clips {
    ($($name:literal),* $(,)?) => {
        /// The name (without `.wav`) of every clip the announcements use.
        pub const CLIP_NAMES: &[&str] = &[$($name),*];

        /// The clips shipped inside the binary.
        static BUILTIN: &[(&str, &[u8])] =
            &[$(($name, include_bytes!(concat!("../../web/audio/", $name, ".wav")))),*];
    };
}

clips![
    "chime",
    "en-0",
    "en-1",
    "en-10",
    "en-11",
    "en-12",
    "en-13",
    "en-14",
    "en-15",
    "en-16",
    "en-17",
    "en-18",
    "en-19",
    "en-2",
    "en-20",
    "en-3",
    "en-30",
    "en-4",
    "en-40",
    "en-5",
    "en-50",
    "en-6",
    "en-60",
    "en-7",
    "en-70",
    "en-8",
    "en-80",
    "en-9",
    "en-90",
    "en-a",
    "en-b",
    "en-c",
    "en-d",
    "en-e",
    "en-f",
    "en-g",
    "en-h",
    "en-i",
    "en-j",
    "en-k",
    "en-l",
    "en-m",
    "en-n",
    "en-number",
    "en-o",
    "en-p",
    "en-please-go-to-counter",
    "en-hundred",
    "en-q",
    "en-r",
    "en-s",
    "en-t",
    "en-u",
    "en-v",
    "en-w",
    "en-x",
    "en-y",
    "en-z",
    "vi-0",
    "vi-1",
    "vi-10",
    "vi-2",
    "vi-3",
    "vi-4",
    "vi-5",
    "vi-6",
    "vi-7",
    "vi-8",
    "vi-9",
    "vi-a",
    "vi-b",
    "vi-c",
    "vi-d",
    "vi-den-quay-so",
    "vi-e",
    "vi-f",
    "vi-g",
    "vi-h",
    "vi-i",
    "vi-j",
    "vi-k",
    "vi-l",
    "vi-lam",
    "vi-m",
    "vi-moi-so",
    "vi-mot",
    "vi-tram",
    "vi-linh",
    "vi-muoi",
    "vi-n",
    "vi-o",
    "vi-p",
    "vi-q",
    "vi-r",
    "vi-s",
    "vi-t",
    "vi-u",
    "vi-v",
    "vi-w",
    "vi-x",
    "vi-y",
    "vi-z",
];

/// Why a WAV file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WavError {
    #[error("not a WAV file (RIFF/WAVE)")]
    NotWav,
    #[error("no {0} chunk")]
    Missing(&'static str),
    #[error(
        "{0}; clips must be 16-bit mono PCM at 16000 Hz (convert: sox IN.wav -r 16000 -c 1 -b 16 -e signed-integer OUT.wav)"
    )]
    Format(String),
}

/// The samples of a 16-bit mono 16 kHz PCM WAV file.
pub fn parse_wav(bytes: &[u8]) -> Result<Vec<i16>, WavError> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(WavError::NotWav);
    }
    let mut format = None;
    let mut data = None;
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        let body = &bytes[at + 8..bytes.len().min(at + 8 + size)];
        match id {
            b"fmt " => format = Some(body),
            b"data" => data = Some(body),
            _ => {}
        }
        // Chunks are padded to an even size.
        at += 8 + size + (size & 1);
    }
    let f = format.ok_or(WavError::Missing("fmt"))?;
    if f.len() < 16 {
        return Err(WavError::Missing("complete fmt"));
    }
    let word = |i: usize| u16::from_le_bytes([f[i], f[i + 1]]);
    let (tag, channels, bits) = (word(0), word(2), word(14));
    let rate = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
    // 0xFFFE (extensible) is PCM when its sub-format says so; sox writes plain PCM.
    if tag != 1 || channels != 1 || bits != 16 || rate != RATE {
        return Err(WavError::Format(format!(
            "format {tag}, {channels} channel(s), {bits} bits, {rate} Hz"
        )));
    }
    let data = data.ok_or(WavError::Missing("data"))?;
    Ok(data
        .chunks_exact(2)
        .map(|s| i16::from_le_bytes([s[0], s[1]]))
        .collect())
}

/// A 16-bit mono 16 kHz PCM WAV file of `samples`.
pub fn write_wav(samples: &[i16]) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX - 64);
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes a second
    out.extend_from_slice(&2u16.to_le_bytes()); // bytes a frame
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// One piece of an announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Clip(&'static str),
    /// Silence, in milliseconds.
    Pause(u32),
}

impl Part {
    /// The clip's name; `None` for a pause.
    pub fn clip_name(self) -> Option<&'static str> {
        match self {
            Part::Clip(name) => Some(name),
            Part::Pause(_) => None,
        }
    }
}

/// Why the office's own clips cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("{}: {source}", dir.display())]
    Folder {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {why}", file.display())]
    Clip { file: PathBuf, why: String },
}

/// The clips in use: the shipped ones, some replaced by the office's.
#[derive(Debug, Clone)]
pub struct Voice {
    clips: HashMap<&'static str, Arc<[i16]>>,
    /// Clips the office replaced, by name.
    pub replaced: Vec<&'static str>,
}

impl Voice {
    /// The shipped clips.
    pub fn builtin() -> Self {
        let clips = BUILTIN
            .iter()
            .map(|(name, bytes)| {
                // Checked by a test: every shipped clip parses.
                let samples = parse_wav(bytes).unwrap_or_default();
                (*name, Arc::from(samples))
            })
            .collect();
        Self {
            clips,
            replaced: Vec::new(),
        }
    }

    /// The shipped clips, with those `dir` holds (`NAME.wav`, same names) in their place.
    /// Files of other names are logged and left alone.
    pub fn with_folder(dir: &Path) -> Result<Self, VoiceError> {
        Self::builtin().replaced_from(dir)
    }

    /// These clips, with those `dir` holds (`NAME.wav`, a name this voice has) in their place.
    /// Files of other names are logged and left alone.
    pub fn replaced_from(mut self, dir: &Path) -> Result<Self, VoiceError> {
        let folder_error = |source| VoiceError::Folder {
            dir: dir.to_path_buf(),
            source,
        };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(folder_error)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for path in entries {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let is_wav = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
            let Some(name) = self
                .clips
                .keys()
                .copied()
                .find(|n| *n == stem)
                .filter(|_| is_wav)
            else {
                tracing::warn!(file = %path.display(), "not a clip name of the voice; ignored");
                continue;
            };
            let bytes = std::fs::read(&path).map_err(|e| VoiceError::Clip {
                file: path.clone(),
                why: e.to_string(),
            })?;
            let samples = parse_wav(&bytes).map_err(|e| VoiceError::Clip {
                file: path.clone(),
                why: e.to_string(),
            })?;
            self.clips.insert(name, Arc::from(samples));
            self.replaced.push(name);
        }
        Ok(self)
    }

    /// These clips as well (another program's phrases), each a 16-bit mono 16 kHz WAV file.
    pub fn with_clips(mut self, extra: &[(&'static str, &[u8])]) -> Result<Self, VoiceError> {
        for (name, bytes) in extra {
            let samples = parse_wav(bytes).map_err(|e| VoiceError::Clip {
                file: PathBuf::from(format!("{name}.wav")),
                why: e.to_string(),
            })?;
            self.clips.insert(name, Arc::from(samples));
        }
        Ok(self)
    }

    /// The samples of one clip.
    pub fn clip(&self, name: &str) -> Option<&[i16]> {
        self.clips.get(name).map(|c| &c[..])
    }

    /// Puts `parts` together as one WAV file.
    pub fn render(&self, parts: &[Part]) -> Vec<u8> {
        let mut samples: Vec<i16> = Vec::new();
        for part in parts {
            match part {
                Part::Clip(name) => samples.extend_from_slice(self.clip(name).unwrap_or(&[])),
                Part::Pause(ms) => {
                    samples.resize(samples.len() + (RATE * ms / 1000) as usize, 0);
                }
            }
        }
        write_wav(&samples)
    }
}

/// The name of a clip: `vi-h`, `en-4`.
fn clip(lang: Lang, what: &str) -> Option<&'static str> {
    let name = format!("{}-{what}", lang.code());
    CLIP_NAMES.iter().find(|n| **n == name).copied()
}

/// A ticket number or a counter name read character by character: letters by their names,
/// digits one by one ("HT-042": hát tê, không bốn hai); anything else is a short pause.
pub fn spelled(text: &str, lang: Lang) -> Vec<Part> {
    let mut parts = Vec::new();
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        let part = if c.is_ascii_alphanumeric() {
            clip(lang, c.encode_utf8(&mut [0; 4])).map(Part::Clip)
        } else {
            None
        };
        match part {
            Some(p) => {
                if matches!(parts.last(), Some(Part::Clip(_))) {
                    parts.push(Part::Pause(60));
                }
                parts.push(p);
            }
            None if matches!(parts.last(), Some(Part::Clip(_))) => parts.push(Part::Pause(200)),
            None => {}
        }
    }
    while matches!(parts.last(), Some(Part::Pause(_))) {
        parts.pop();
    }
    parts
}

/// A counter number from 1 to 99 as spoken ("mười lăm", "hai mươi mốt"; "twenty-one").
fn spoken_number(n: u32, lang: Lang) -> Vec<&'static str> {
    let (tens, units) = (n / 10, n % 10);
    let digit = |d: u32| d.to_string();
    let names: Vec<String> = match lang {
        Lang::Vi => {
            let mut words = match tens {
                0 => vec![],
                1 => vec!["10".to_string()],
                t => vec![digit(t), "muoi".into()],
            };
            match (tens, units) {
                (_, 0) if tens > 0 => {}
                (0, u) => words.push(digit(u)),
                (t, 1) if t >= 2 => words.push("mot".into()),
                (_, 5) => words.push("lam".into()),
                (_, u) => words.push(digit(u)),
            }
            words
        }
        Lang::En if n < 20 => vec![digit(n)],
        Lang::En => {
            let mut words = vec![digit(tens * 10)];
            if units > 0 {
                words.push(digit(units));
            }
            words
        }
    };
    names.iter().filter_map(|w| clip(lang, w)).collect()
}

/// A count as spoken, 0 to 999 ("một trăm linh năm", "one hundred five"); larger counts digit
/// by digit.
pub fn spoken_count(n: u32, lang: Lang) -> Vec<Part> {
    let words: Vec<&'static str> = match n {
        0 => clip(lang, "0").into_iter().collect(),
        1..=99 => spoken_number(n, lang),
        100..=999 => {
            let (hundreds, rest) = (n / 100, n % 100);
            let mut words: Vec<&'static str> =
                clip(lang, &hundreds.to_string()).into_iter().collect();
            words.extend(clip(
                lang,
                if lang == Lang::Vi { "tram" } else { "hundred" },
            ));
            match (lang, rest) {
                (_, 0) => {}
                // "một trăm linh năm": a single unit after the hundreds is joined by "linh", and
                // read as a plain digit (not "lăm", not "mốt").
                (Lang::Vi, 1..=9) => {
                    words.extend(clip(lang, "linh"));
                    words.extend(clip(lang, &rest.to_string()));
                }
                (_, rest) => words.extend(spoken_number(rest, lang)),
            }
            words
        }
        _ => return spelled(&n.to_string(), lang),
    };
    let mut parts = Vec::new();
    for word in words {
        if !parts.is_empty() {
            parts.push(Part::Pause(40));
        }
        parts.push(Part::Clip(word));
    }
    parts
}

/// A counter's name: a number from 1 to 99 as a number, anything else spelled.
fn counter_name(name: &str, lang: Lang) -> Vec<Part> {
    let name = name.trim();
    let number = name
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=99).contains(n) && !name.starts_with('0') && name.len() <= 2);
    match number {
        Some(n) => {
            let mut parts = Vec::new();
            for c in spoken_number(n, lang) {
                if !parts.is_empty() {
                    parts.push(Part::Pause(40));
                }
                parts.push(Part::Clip(c));
            }
            parts
        }
        None => spelled(name, lang),
    }
}

/// "Mời số HT không bốn hai đến quầy số ba" (and "Number H T zero four two, please go to
/// counter three" when English follows), after a chime.
pub fn announcement(number: &str, counter: &str, langs: &Langs) -> Vec<Part> {
    let mut parts = vec![Part::Clip("chime"), Part::Pause(350)];
    for (i, lang) in langs.all().iter().enumerate() {
        if i > 0 {
            parts.push(Part::Pause(700));
        }
        let (call, go) = match lang {
            Lang::Vi => ("vi-moi-so", "vi-den-quay-so"),
            Lang::En => ("en-number", "en-please-go-to-counter"),
        };
        parts.push(Part::Clip(call));
        parts.push(Part::Pause(150));
        parts.extend(spelled(number, *lang));
        let counter = counter_name(counter, *lang);
        if !counter.is_empty() {
            parts.push(Part::Pause(300));
            parts.push(Part::Clip(go));
            parts.push(Part::Pause(150));
            parts.extend(counter);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clips(parts: &[Part]) -> Vec<&'static str> {
        parts.iter().filter_map(|p| p.clip_name()).collect()
    }

    #[test]
    fn every_shipped_clip_is_16_bit_mono_16_khz_and_every_name_has_one() {
        for (name, bytes) in BUILTIN {
            let samples = parse_wav(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(samples.len() > 1000, "{name} is too short");
        }
        assert_eq!(BUILTIN.len(), CLIP_NAMES.len());
    }

    #[test]
    fn numbers_are_read_letter_by_letter_and_digit_by_digit() {
        let vi = Langs::one(Lang::Vi);
        assert_eq!(
            clips(&announcement("HT-042", "3", &vi)),
            [
                "chime",
                "vi-moi-so",
                "vi-h",
                "vi-t",
                "vi-0",
                "vi-4",
                "vi-2",
                "vi-den-quay-so",
                "vi-3"
            ]
        );
        let counter = |name: &str, lang| clips(&counter_name(name, lang));
        assert_eq!(counter("15", Lang::Vi), ["vi-10", "vi-lam"]);
        assert_eq!(counter("21", Lang::Vi), ["vi-2", "vi-muoi", "vi-mot"]);
        assert_eq!(counter("40", Lang::Vi), ["vi-4", "vi-muoi"]);
        assert_eq!(counter("10", Lang::Vi), ["vi-10"]);
        assert_eq!(counter("35", Lang::En), ["en-30", "en-5"]);
        assert_eq!(counter("13", Lang::En), ["en-13"]);
        assert_eq!(counter("3A", Lang::Vi), ["vi-3", "vi-a"]);
        assert_eq!(counter("007", Lang::Vi), ["vi-0", "vi-0", "vi-7"]);
        // Nothing to say for the counter: the call alone.
        let both = Langs::parse("vi,en").expect("langs");
        let parts = clips(&announcement("K1-HT-003", "Ô", &both));
        assert_eq!(parts.first(), Some(&"chime"));
        assert!(!parts.contains(&"vi-den-quay-so") && parts.contains(&"en-number"));
        assert_eq!(parts.iter().filter(|c| c.starts_with("en-")).count(), 8);
    }

    #[test]
    fn counts_are_spoken_as_numbers_up_to_999() {
        let count = |n, lang| clips(&spoken_count(n, lang));
        assert_eq!(count(0, Lang::Vi), ["vi-0"]);
        assert_eq!(count(25, Lang::Vi), ["vi-2", "vi-muoi", "vi-lam"]);
        assert_eq!(count(105, Lang::Vi), ["vi-1", "vi-tram", "vi-linh", "vi-5"]);
        assert_eq!(
            count(121, Lang::Vi),
            ["vi-1", "vi-tram", "vi-2", "vi-muoi", "vi-mot"]
        );
        assert_eq!(count(300, Lang::Vi), ["vi-3", "vi-tram"]);
        assert_eq!(count(110, Lang::Vi), ["vi-1", "vi-tram", "vi-10"]);
        assert_eq!(
            count(342, Lang::En),
            ["en-3", "en-hundred", "en-40", "en-2"]
        );
        assert_eq!(count(1200, Lang::En), ["en-1", "en-2", "en-0", "en-0"]);
    }

    #[test]
    fn added_clips_are_checked_and_rendered() {
        let tone = write_wav(&[7i16; 1600]);
        let voice = Voice::builtin()
            .with_clips(&[("kiosk-phrase", &tone)])
            .expect("a good clip");
        let rendered = parse_wav(&voice.render(&[Part::Clip("kiosk-phrase")])).expect("wav");
        assert_eq!(rendered, vec![7i16; 1600]);
        let bad = Voice::builtin().with_clips(&[("bad", b"not a wav")]);
        assert!(matches!(bad, Err(VoiceError::Clip { why, .. }) if why.contains("RIFF")));
    }

    #[test]
    fn a_wav_written_is_read_back_and_wrong_formats_are_named() {
        let samples = [0i16, 1, -1, i16::MAX, i16::MIN];
        assert_eq!(parse_wav(&write_wav(&samples)), Ok(samples.to_vec()));
        assert_eq!(parse_wav(b"RIFF\0\0\0\0AVI "), Err(WavError::NotWav));
        let mut stereo = write_wav(&samples);
        stereo[22] = 2;
        assert!(matches!(parse_wav(&stereo), Err(WavError::Format(f)) if f.contains("2 channel")));
    }
}
