#!/usr/bin/env bash
# PDF benchmarks, with hyperfine:
#  1. one school's plan: `planpress build --school ID` (whole process: load, HTML, PDF) against
#     the typst CLI compiling the `--emit-typst` output of the same school with the same fonts;
#  2. the whole example county's PDFs in one `planpress build`, and the time per plan.
#
#   benches/pdf.sh                 # school dongshi-jh, 5 runs each
#   SCHOOL=zhuqi-hs RUNS=10 benches/pdf.sh
#
# Needs hyperfine (apt-get install hyperfine) and the typst CLI 0.15.1 on PATH
# (cargo install typst-cli --version 0.15.1 --locked).
set -euo pipefail
cd "$(dirname "$0")/.."
school=${SCHOOL:-dongshi-jh}
runs=${RUNS:-5}
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }
command -v typst >/dev/null || { echo "typst is needed: cargo install typst-cli --version 0.15.1 --locked" >&2; exit 1; }

cargo build --release --quiet
tmp=$(mktemp -d /dev/shm/planpress-pdf.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pp=target/release/planpress

$pp build --root content --out "$tmp/one" --school "$school" --emit-typst "$tmp/typst" >/dev/null
hyperfine --warmup 1 --runs "$runs" --export-json "$tmp/one.json" \
  --prepare "rm -rf $tmp/one $tmp/.one.planpress" \
  -n planpress "$pp build --root content --out $tmp/one --school $school" \
  -n typst-cli "typst compile --ignore-system-fonts --font-path themes/default/fonts --root $tmp/typst/$school $tmp/typst/$school/main.typ $tmp/cli.pdf"

schools=$(ls content/schools/*.yaml | wc -l)
# Cold: without the cache of the run before, every PDF is typeset.
hyperfine --warmup 1 --runs "$runs" --export-json "$tmp/county.json" \
  --prepare "rm -rf $tmp/county $tmp/.county.planpress" \
  -n county "$pp build --root content --out $tmp/county"
hyperfine --warmup 1 --runs "$runs" --export-json "$tmp/html.json" \
  --prepare "rm -rf $tmp/html $tmp/.html.planpress" \
  -n county-html "$pp build --root content --out $tmp/html --no-pdf"

python3 - "$tmp" "$schools" <<'PY'
import json, statistics, sys
tmp, schools = sys.argv[1], int(sys.argv[2])
med = lambda f, i=0: statistics.median(json.load(open(f"{tmp}/{f}"))["results"][i]["times"])
one, cli = med("one.json", 0), med("one.json", 1)
county, html = med("county.json"), med("html.json")
per_plan = (county - html) / schools
print(f"one plan, whole process: planpress {one*1000:.0f} ms, typst CLI {cli*1000:.0f} ms, ratio {one/cli:.2f}")
print(f"county: {schools} plans in {county:.2f} s (HTML alone {html:.2f} s); "
      f"{per_plan*1000:.0f} ms per plan in-process, {per_plan/cli:.2f} of the CLI's time per plan")
PY
