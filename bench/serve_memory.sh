#!/bin/sh
# Memory of `sourcebook serve` with one large content asset (a benchmark,
# not a test): makes a starter site with a SIZE_MB asset of random bytes,
# starts `serve` from the site's folder, and prints the server's resident
# memory (VmRSS) and its peak (VmHWM, from /proc) after the first build,
# after the asset is fetched with curl, after an article is edited, and
# after the asset itself changes.
#
#   bench/serve_memory.sh [BINARY] [SIZE_MB]    (default target/release/sourcebook, 1024)
set -eu
bin=$(realpath "${1:-target/release/sourcebook}")
size=${2:-1024}
work=$(mktemp -d "${TMPDIR:-/tmp}/sourcebook-serve-memory.XXXXXX")
trap 'kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$bin" --quiet init "$work/site" >/dev/null
head -c "$((size * 1024 * 1024))" /dev/urandom >"$work/site/content/basics/big.pdf"
cd "$work/site"
: >"$work/log"
"$bin" serve --port 0 2>"$work/log" &
pid=$!
until grep -q 'http://' "$work/log"; do sleep 0.2; done
base=$(grep -o 'http://[0-9.:]*' "$work/log" | head -n 1)
mem() {
    printf '%-28s %s MiB resident, %s MiB peak\n' "$1" \
        "$(awk '/^VmRSS/ {print int($2 / 1024)}' /proc/$pid/status)" \
        "$(awk '/^VmHWM/ {print int($2 / 1024)}' /proc/$pid/status)"
}
# the server has published a rebuild once its log has one more "rebuilt" line
wait_rebuilt() {
    until [ "$(grep -c 'rebuilt' "$work/log")" -ge "$1" ]; do sleep 0.1; done
}
mem "first build"
curl -s -o "$work/got" "$base/basics/big.pdf"
cmp -s "$work/got" content/basics/big.pdf && same=same || same=DIFFERENT
rm -f "$work/got"
mem "asset fetched ($same bytes)"
sed -i 's/Write in plain words/Write in plainer words/' content/basics/first-article.md
wait_rebuilt 1
curl -s -o /dev/null "$base/basics/big.pdf"
mem "article edited, fetched"
printf x >>content/basics/big.pdf
wait_rebuilt 2
curl -s -o /dev/null "$base/basics/big.pdf"
mem "asset changed, fetched"
