#!/usr/bin/env bash
# Lighthouse scores and bytes-before-paint/interactive for the login and chat pages, against
# the release build. Build first: `cargo leptos build --release --split` (from the repository root).
# Usage: end2end/bench/page-weight.sh   (uses port 3055 and a temporary data directory)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/end2end/node_modules/.bin:$PATH" CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
target=${CARGO_TARGET_DIR:-target}
base=http://127.0.0.1:3055
data=$(mktemp -d)
LEPTOS_SITE_ADDR=127.0.0.1:3055 LEPTOS_SITE_ROOT="${SITE_ROOT:-$target/site}" DATA_DIR="$data" RUST_LOG=warn \
  "$target/release/server" & server=$!
trap 'kill $server; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done

jar=$(mktemp)
register() { curl -fs -c "$1" -H 'Accept: application/json' -d "username=$2&display_name=$3&password=page+weight+pw" "$base/api/accounts/register" >/dev/null; }
register "$jar" alice "Alice Liddell"
other=$(mktemp); register "$other" bob "Bob Builder"
bob_id=$(curl -fs -b "$other" -H 'content-type: application/json' -d '{}' "$base/api/accounts/me" | sed 's/.*"id":\([0-9]*\).*/\1/')
conv=$(curl -fs -b "$jar" -H 'content-type: application/json' -d "{\"user_id\":$bob_id}" "$base/api/conversations/open_direct" | sed 's/^{"id":\([0-9]*\).*/\1/')
for n in $(seq 1 40); do
  id=$(printf '00000000-0000-4000-8000-%012d' "$n")
  curl -fs -b "$jar" -H 'content-type: application/json' \
    -d "{\"conversation_id\":$conv,\"client_msg_id\":\"$id\",\"body\":\"Message number $n about the weekend plans\",\"reply_to\":null}" \
    "$base/api/messages/send" >/dev/null
done
cookie=$(awk '$6 == "messenger_session" { print $7 }' "$jar")

(cd end2end && node bench/first-paint.mjs "$base" "/chat/$conv" "$cookie")
for page in /login "/chat/$conv"; do
  for preset in mobile desktop; do
    flags=(--quiet --output=json --output-path=stdout --only-categories=performance,accessibility,best-practices,seo
           "--chrome-flags=--headless=new --no-sandbox" "--extra-headers={\"Cookie\":\"messenger_session=$cookie\"}")
    [ "$preset" = desktop ] && flags+=(--preset=desktop)
    lighthouse "$base$page" "${flags[@]}" |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);const c=r.categories;
        const a=r.audits;console.log(process.argv[1].padEnd(14),process.argv[2].padEnd(8),
        Object.values(c).map(x=>`${x.title}: ${Math.round(x.score*100)}`).join("  "),
        ` FCP ${a["first-contentful-paint"].displayValue}  LCP ${a["largest-contentful-paint"].displayValue}  TBT ${a["total-blocking-time"].displayValue}  CLS ${a["cumulative-layout-shift"].displayValue}  bytes ${a["total-byte-weight"].numericValue}`)})' \
      "$page" "$preset"
  done
done
