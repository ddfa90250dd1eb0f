#!/usr/bin/env bash
# Generates the lobby display's voice clips: every file the announcement of a call is made of
# (central/src/web/voice.rs), as 16-bit mono 16 kHz WAV, with espeak-ng's Vietnamese and
# English voices and sox. The clips are committed; run this only to change them:
#
#   bash central/web/audio/make-clips.sh        # needs espeak-ng and sox (Debian packages)
#
# An office replaces any clip with its own recording by putting a file of the same name in the
# folder named by `voice_dir` in central.toml (central/README.md, "The lobby display's voice").
set -euo pipefail
cd "$(dirname "$0")"

rate=16000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# NAME|VOICE|TEXT: what each clip says. Letters are read as Vietnamese readers name them
# ("hát tê" for HT), numbers as spoken numbers.
clips=$(cat <<'LIST'
vi-moi-so|vi|mời số
vi-den-quay-so|vi|đến quầy số
vi-0|vi|không
vi-1|vi|một
vi-2|vi|hai
vi-3|vi|ba
vi-4|vi|bốn
vi-5|vi|năm
vi-6|vi|sáu
vi-7|vi|bảy
vi-8|vi|tám
vi-9|vi|chín
vi-10|vi|mười
vi-muoi|vi|mươi
vi-mot|vi|mốt
vi-lam|vi|lăm
vi-tram|vi|trăm
vi-linh|vi|linh
vi-a|vi|a
vi-b|vi|bê
vi-c|vi|xê
vi-d|vi|đê
vi-e|vi|e
vi-f|vi|ép
vi-g|vi|giê
vi-h|vi|hát
vi-i|vi|i
vi-j|vi|di
vi-k|vi|ca
vi-l|vi|e lờ
vi-m|vi|em mờ
vi-n|vi|en nờ
vi-o|vi|o
vi-p|vi|pê
vi-q|vi|quy
vi-r|vi|e rờ
vi-s|vi|ét xì
vi-t|vi|tê
vi-u|vi|u
vi-v|vi|vê
vi-w|vi|vê kép
vi-x|vi|ích xì
vi-y|vi|i dài
vi-z|vi|dét
en-number|en-gb|number
en-please-go-to-counter|en-gb|please go to counter
en-hundred|en-gb|hundred
en-0|en-gb|zero
en-1|en-gb|one
en-2|en-gb|two
en-3|en-gb|three
en-4|en-gb|four
en-5|en-gb|five
en-6|en-gb|six
en-7|en-gb|seven
en-8|en-gb|eight
en-9|en-gb|nine
en-10|en-gb|ten
en-11|en-gb|eleven
en-12|en-gb|twelve
en-13|en-gb|thirteen
en-14|en-gb|fourteen
en-15|en-gb|fifteen
en-16|en-gb|sixteen
en-17|en-gb|seventeen
en-18|en-gb|eighteen
en-19|en-gb|nineteen
en-20|en-gb|twenty
en-30|en-gb|thirty
en-40|en-gb|forty
en-50|en-gb|fifty
en-60|en-gb|sixty
en-70|en-gb|seventy
en-80|en-gb|eighty
en-90|en-gb|ninety
en-a|en-gb|ay
en-b|en-gb|bee
en-c|en-gb|see
en-d|en-gb|dee
en-e|en-gb|ee
en-f|en-gb|eff
en-g|en-gb|jee
en-h|en-gb|aitch
en-i|en-gb|eye
en-j|en-gb|jay
en-k|en-gb|kay
en-l|en-gb|el
en-m|en-gb|em
en-n|en-gb|en
en-o|en-gb|oh
en-p|en-gb|pee
en-q|en-gb|queue
en-r|en-gb|are
en-s|en-gb|ess
en-t|en-gb|tee
en-u|en-gb|you
en-v|en-gb|vee
en-w|en-gb|double you
en-x|en-gb|ex
en-y|en-gb|why
en-z|en-gb|zed
LIST
)

# Speech: a female variant, a little slower than espeak's default; silence trimmed at both
# ends (the server puts its own pauses between clips), level normalised.
while IFS='|' read -r name voice text; do
    espeak-ng -v "$voice+f3" -s 140 -w "$tmp/raw.wav" "$text"
    sox "$tmp/raw.wav" -t wavpcm -r "$rate" -b 16 -c 1 "$name.wav" \
        silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse norm -3
done <<<"$clips"

# The chime: two soft bell tones, high then low, before every announcement.
sox -n -r "$rate" -b 16 -c 1 "$tmp/ding.wav" synth 0.55 sine 1046.5 sine 2093 \
    remix - fade q 0.005 0.55 0.5
sox -n -r "$rate" -b 16 -c 1 "$tmp/dong.wav" synth 0.9 sine 784 sine 1568 \
    remix - fade q 0.005 0.9 0.85
sox "$tmp/ding.wav" "$tmp/dong.wav" -t wavpcm chime.wav norm -6

ls *.wav | wc -l
