#!/usr/bin/env bash
# Generates the kiosk's "Đọc to" (read aloud) phrases: every line of phrases.txt
# (NAME|VOICE|TEXT) becomes NAME.wav, 16-bit mono 16 kHz, with espeak-ng and sox, the way the
# lobby display's clips are made (central/web/audio/make-clips.sh). Letters, digits and numbers
# come from the lobby display's clips. The clips are committed; run this only to change them:
#
#   bash assets/voice/make-clips.sh        # needs espeak-ng and sox (Debian packages)
#
# The status phrases must say what the dossier page says (src/dossier/status.rs): a test
# compares them.
set -euo pipefail
cd "$(dirname "$0")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

while IFS='|' read -r name voice text; do
    espeak-ng -v "$voice+f3" -s 140 -w "$tmp/raw.wav" "$text"
    sox "$tmp/raw.wav" -t wavpcm -r 16000 -b 16 -c 1 "$name.wav" \
        silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse norm -3
done <phrases.txt

ls *.wav | wc -l
