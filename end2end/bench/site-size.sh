#!/usr/bin/env bash
# Prints the size of the built site's assets: raw, gzip -9 and brotli -q 11. With a split build
# (`cargo leptos build --split`) messenger.wasm is what a page needs before it is interactive;
# the chunks that features fetch on first use are listed after it, with their total.
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
# The split build's chunks (fetched on first use), largest first, and their total.
total_raw=0; total_gz=0; total_br=0; n=0
while read -r f; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli -q 11 -c "$f" | wc -c)
  printf '  %-26s %10d %10d %10d\n' "$(basename "$f" | cut -c1-26)" "$raw" "$gz" "$br"
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br)); n=$((n + 1))
done < <(ls -S "$dir"/chunk_*.wasm "$dir"/split_*.wasm "$dir"/__wasm_split.*.js 2>/dev/null)
[ "$n" -eq 0 ] || printf '%-28s %10d %10d %10d\n' "chunks ($n files)" "$total_raw" "$total_gz" "$total_br"
