#!/usr/bin/env bash
# The example county with three released editions per school against the same county with one,
# each built cold (no site, no cache beside it) with its PDFs, timed with hyperfine in one run
# (medians of 5). Released editions are never typeset again: their pages come from their frozen
# plans and their PDFs are taken from the store, so the aim is a ratio of at most 1.2.
# Also times a build of the three-edition county with nothing changed since the last.
# Everything is written to memory (a tmpfs), so that the figures are planpress's, not the disk's.
#
#   benches/editions.sh          # 5 runs each
#   RUNS=7 benches/editions.sh
#
# Needs hyperfine (Debian: apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }
runs=${RUNS:-5}

cargo build --release --quiet
bin="$PWD/target/release/planpress"
tmp=$(mktemp -d /dev/shm/planpress-editions.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -r schemas "$tmp/schemas"
cp -r content "$tmp/one"
cp -r content "$tmp/three"
release() {
  "$bin" release --root "$1" --all --allow-incomplete --version "$2" --date "$3" \
    --note 年度檢視修訂 >/dev/null 2>&1
}
echo "releasing every school: once in one county, three times in the other"
release "$tmp/one" V3.1 2026-08-01
release "$tmp/three" V1.1 2024-08-01
release "$tmp/three" V2.1 2025-08-01
release "$tmp/three" V3.1 2026-08-01
du -sh "$tmp/one/editions" "$tmp/three/editions"

build() { echo "$bin build --root $tmp/$1 --out $tmp/site-$1 --quiet"; }
hyperfine --runs "$runs" --export-json "$tmp/cold.json" \
  --prepare "rm -rf $tmp/site-one $tmp/.site-one.planpress $tmp/site-three $tmp/.site-three.planpress" \
  -n one-edition "$(build one)" -n three-editions "$(build three)"
$(build three)
hyperfine --runs "$runs" --export-json "$tmp/unchanged.json" -n three-unchanged "$(build three)"

python3 - "$tmp" <<'PY'
import json, statistics, sys
tmp = sys.argv[1]
med = lambda f, i=0: statistics.median(json.load(open(f"{tmp}/{f}.json"))["results"][i]["times"])
one, three, unchanged = med("cold", 0), med("cold", 1), med("unchanged")
print(f"cold: one edition {one:.2f} s, three editions {three:.2f} s (ratio {three / one:.2f}); "
      f"three editions, nothing changed: {unchanged:.2f} s")
PY
