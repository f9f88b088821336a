#!/usr/bin/env bash
# Times `planpress build` of the example county's HTML, written to memory (a tmpfs), so that the
# figure is the generator's and not the disk's. Prints hyperfine's summary, the median and the
# pages per second.
#
#   benches/html.sh            # 10 runs after 2 warm-ups
#   RUNS=20 benches/html.sh
#
# Needs hyperfine (Debian: apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }

cargo build --release --quiet
tmp=$(mktemp -d /dev/shm/planpress-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

target/release/planpress build --root content --out "$tmp/public" --no-pdf >/dev/null
pages=$(find "$tmp/public" -name '*.html' | wc -l)

# Without the cache of the run before: every page is made.
hyperfine --warmup 2 --runs "${RUNS:-10}" --export-json "$tmp/result.json" \
  --prepare "rm -rf $tmp/public $tmp/.public.planpress" \
  "target/release/planpress build --root content --out $tmp/public --no-pdf"

python3 - "$tmp/result.json" "$pages" <<'PY'
import json, statistics, sys
times = json.load(open(sys.argv[1]))["results"][0]["times"]
pages = int(sys.argv[2])
median = statistics.median(times)
print(f"{pages} HTML pages; median {median * 1000:.0f} ms over {len(times)} runs; "
      f"{pages / median:,.0f} pages/s")
PY
