#!/usr/bin/env bash
# Rebuilds of the example county with its PDFs, timed with hyperfine in one run (medians of 5):
#  1. cold: no site and no cache beside it;
#  2. unchanged: nothing changed since the last build;
#  3. one school: one school's file changed since the last build (its CISO's name, which its
#     plan and forms print).
# Prints the three medians and the ratios of 2 and 3 to 1. The site and its cache are written
# to memory (a tmpfs), so that the figures are planpress's and not the disk's.
#
#   benches/rebuild.sh          # 5 runs each
#   RUNS=7 benches/rebuild.sh
#
# Needs hyperfine (Debian: apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }
runs=${RUNS:-5}

cargo build --release --quiet
tmp=$(mktemp -d /dev/shm/planpress-rebuild.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -r content "$tmp/county"
cp -r schemas "$tmp/schemas"
school="$tmp/county/schools/dongshi-jh.yaml"
build="$PWD/target/release/planpress build --root $tmp/county --out $tmp/public --quiet"
# Each run finds the school changed: its CISO's name alternates between two names.
edit="python3 -c \"import sys,pathlib; p=pathlib.Path(sys.argv[1]); t=p.read_text(); \
a,b='黃振榮','黃振新'; p.write_text(t.replace(a,b) if a in t else t.replace(b,a))\" $school"

hyperfine --runs "$runs" --export-json "$tmp/cold.json" \
  --prepare "rm -rf $tmp/public $tmp/.public.planpress" -n cold "$build"
$build
hyperfine --runs "$runs" --export-json "$tmp/unchanged.json" -n unchanged "$build"
hyperfine --runs "$runs" --export-json "$tmp/one.json" --prepare "$edit" -n one-school "$build"

python3 - "$tmp" <<'PY'
import json, statistics, sys
tmp = sys.argv[1]
med = lambda f: statistics.median(json.load(open(f"{tmp}/{f}.json"))["results"][0]["times"])
cold, unchanged, one = med("cold"), med("unchanged"), med("one")
print(f"cold {cold:.2f} s; unchanged {unchanged:.2f} s ({unchanged / cold:.1%} of cold); "
      f"one school edited {one:.2f} s ({one / cold:.1%} of cold)")
PY
