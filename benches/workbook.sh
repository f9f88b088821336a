#!/usr/bin/env bash
# Times the workbook round trip of the example county (147 schools): `export` to ODS and to XLSX,
# and `import` of each back (nothing changes, so nothing is written), and of a sheet that changes
# every school (`--dry-run`: merged and checked, not written), beside `planpress check` of
# the same county in the same hyperfine run as the reference (reading and checking every school
# file). Prints each median and its ratio to check's. The goal: each within 2 s on two cores.
#
#   benches/workbook.sh            # 10 runs after 2 warm-ups
#   RUNS=20 benches/workbook.sh
#
# Needs hyperfine (Debian: apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }

cargo build --release --quiet
tmp=$(mktemp -d /dev/shm/planpress-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -r content "$tmp/county"
bin=target/release/planpress
$bin export --root "$tmp/county" --profile internal --out "$tmp/in.ods" >/dev/null
$bin export --root "$tmp/county" --profile internal --out "$tmp/in.xlsx" >/dev/null

# A sheet that changes every school (its short name), for an import that merges and checks all.
python3 - "$tmp/county/schools" "$tmp/學校.csv" <<'PY'
import pathlib, re, sys
rows = ["學校代碼,學校簡稱", "id,short_name"]
for f in sorted(pathlib.Path(sys.argv[1]).glob("*.yaml")):
    m = re.search(r"^short_name: *(.*)$", f.read_text(encoding="utf-8"), re.M)
    rows.append(f"{f.stem},{(m.group(1) if m else '') or f.stem}（改）")
pathlib.Path(sys.argv[2]).write_text("\n".join(rows) + "\n", encoding="utf-8")
PY

# check exits 1 on the example's findings; hyperfine is told to take that as a run.
hyperfine --warmup 2 --runs "${RUNS:-10}" -i --export-json "$tmp/result.json" \
  -n check "$bin check --root $tmp/county" \
  -n "export ods" "$bin export --root $tmp/county --profile internal --out $tmp/out.ods" \
  -n "export xlsx" "$bin export --root $tmp/county --profile internal --out $tmp/out.xlsx" \
  -n "import ods" "$bin import $tmp/in.ods --root $tmp/county" \
  -n "import xlsx" "$bin import $tmp/in.xlsx --root $tmp/county" \
  -n "import, all changed" "$bin import $tmp/學校.csv --root $tmp/county --dry-run" >/dev/null

python3 - "$tmp/result.json" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
medians = {r["command"]: statistics.median(r["times"]) for r in results}
reference = medians["check"]
for name, median in medians.items():
    print(f"{name:20} median {median * 1000:7.0f} ms   {median / reference:5.2f} × check")
PY
