#!/usr/bin/env bash
# Redraws the benchmark's canvas PNGs with Debian's chromium (headless): see draw.html.
set -euo pipefail
cd "$(dirname "$0")"
chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$PWD/draw.html" 2>/dev/null \
  | sed -n '/<pre id="out">/,/<\/pre>/p' | sed 's/<[^>]*>//g' | while read -r name data; do
    [ -n "$name" ] && base64 -d <<<"$data" > "$name"
  done
ls -l ./*.png
