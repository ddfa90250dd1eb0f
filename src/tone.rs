//! The short confirmation tone played when a ticket has printed (off unless configured), and the
//! player program every sound of the kiosk goes through.
//!
//! Sound is a WAV file handed to a player program on its standard input (`aplay -q -` by
//! default), so the kiosk needs no audio library and a technician can use whatever plays sound
//! on the box. Playing never waits on the caller's thread.

use std::io::Write;
use std::process::{Command, Stdio};

const SAMPLE_RATE: u32 = 22_050;

/// Plays the ticket tone (and the kiosk's other sounds) through a player program.
#[derive(Debug, Clone)]
pub struct TonePlayer {
    program: String,
    args: Vec<String>,
}

impl TonePlayer {
    /// `command` is the program followed by its arguments; `None` when it is empty.
    pub fn new(command: &[String]) -> Option<Self> {
        let (program, args) = command.split_first()?;
        Some(Self {
            program: program.clone(),
            args: args.to_vec(),
        })
    }

    /// Starts the tone and returns at once; a missing or failing player is logged, never fatal.
    pub fn play(&self) {
        self.play_made("ticket tone", chime_wav, || {});
    }

    /// Makes a WAV file with `make` and plays it on a thread of its own, then calls `finished`
    /// (whether or not it played); returns at once. A failure is logged under `what`.
    pub fn play_made(
        &self,
        what: &'static str,
        make: impl FnOnce() -> Vec<u8> + Send + 'static,
        finished: impl FnOnce() + Send + 'static,
    ) {
        let player = self.clone();
        let spawned = std::thread::Builder::new()
            .name("sound".into())
            .spawn(move || {
                if let Err(e) = player.play_wav(&make()) {
                    tracing::warn!("{what}: {e}");
                }
                finished();
            });
        if let Err(e) = spawned {
            tracing::warn!("{what}: cannot start a thread: {e}");
        }
    }

    /// Plays the tone and waits until the player has finished.
    pub fn play_and_wait(&self) -> Result<(), ToneError> {
        self.play_wav(&chime_wav())
    }

    /// Plays `wav` and waits until the player has finished.
    pub fn play_wav(&self, wav: &[u8]) -> Result<(), ToneError> {
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| ToneError::Start(self.program.clone(), e))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A player that stops reading early is not an error worth more than its exit status.
            let _ = stdin.write_all(wav);
        }
        let status = child
            .wait()
            .map_err(|e| ToneError::Start(self.program.clone(), e))?;
        if status.success() {
            Ok(())
        } else {
            Err(ToneError::Failed(self.program.clone(), status.to_string()))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ToneError {
    #[error("cannot run {0}: {1}")]
    Start(String, std::io::Error),
    #[error("{0} ended with {1}")]
    Failed(String, String),
}

/// Two soft notes (E6 then A5, 0.3 s in all) as a 16-bit mono WAV file.
pub fn chime_wav() -> Vec<u8> {
    let mut samples = Vec::new();
    for (freq, seconds) in [(1318.5_f32, 0.12_f32), (880.0, 0.18)] {
        let n = (SAMPLE_RATE as f32 * seconds) as usize;
        for i in 0..n {
            let t = i as f32 / SAMPLE_RATE as f32;
            // Quick rise and a gentle fall, so the notes do not click.
            let envelope = (i as f32 / 200.0).min(1.0) * (1.0 - i as f32 / n as f32).powi(2);
            let value = (2.0 * std::f32::consts::PI * freq * t).sin() * envelope * 0.35;
            samples.push((value * f32::from(i16::MAX)) as i16);
        }
    }
    let data_len = (samples.len() * 2) as u32;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    wav.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        wav.extend_from_slice(&s.to_le_bytes());
    }
    wav
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chime_is_a_well_formed_wav() {
        let wav = chime_wav();
        assert_eq!(&wav[0..4], b"RIFF");
        assert_eq!(&wav[8..16], b"WAVEfmt ");
        let riff_len = u32::from_le_bytes(wav[4..8].try_into().unwrap()) as usize;
        assert_eq!(riff_len + 8, wav.len());
        let data_len = u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize;
        assert_eq!(44 + data_len, wav.len());
        // 0.3 s of 16-bit mono at 22,050 Hz, loud enough to hear and never clipped.
        assert_eq!(data_len, 2 * (2646 + 3969));
        let peak = wav[44..]
            .chunks(2)
            .map(|s| i16::from_le_bytes([s[0], s[1]]).unsigned_abs())
            .max()
            .unwrap();
        assert!((5_000..=i16::MAX as u16 / 2).contains(&peak), "peak {peak}");
    }

    #[test]
    fn a_missing_player_is_an_error_not_a_panic() {
        let player = TonePlayer::new(&["/nonexistent/player".into()]).unwrap();
        assert!(matches!(player.play_and_wait(), Err(ToneError::Start(..))));
        assert!(TonePlayer::new(&[]).is_none());
    }
}
