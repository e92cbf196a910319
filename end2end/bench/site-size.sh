#!/usr/bin/env bash
# Prints the size of the built site's assets: raw, gzip -9 and brotli -q 11.
# Usage: end2end/bench/site-size.sh [site-pkg-dir]   (default target/site/pkg)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-target/site/pkg}
printf '%-28s %10s %10s %10s\n' file raw gzip brotli
for f in "$dir"/messenger.wasm "$dir"/messenger.js "$dir"/messenger.css; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli -q 11 -c "$f" | wc -c)
  printf '%-28s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
