#!/usr/bin/env bash
# The example county built cold with its PDFs by planpress at an earlier commit (BEFORE) and by
# the working tree, each with the example county of its own commit, runs alternating, RUNS of
# each (default 5). Prints for each the median wall seconds, CPU seconds (user + system), peak
# memory and the site's bytes, and the ratios after/before. Everything is written to memory (a
# tmpfs), so that the figures are planpress's, not the disk's.
#
#   benches/county.sh                     # BEFORE=e1fa0ef: before the print layout's work
#   BEFORE=fd22ccb RUNS=7 benches/county.sh
#
# Needs git and GNU time (/usr/bin/time). The earlier commit is compiled in the same target
# folder, so that only planpress itself is compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${BEFORE:-e1fa0ef}
runs=${RUNS:-5}
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }

tmp=$(mktemp -d /dev/shm/planpress-county.XXXXXX)
cleanup() {
  git worktree remove --force "$tmp/src-before" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
target="$PWD/target"

echo "compiling planpress at $before and at the working tree"
git worktree add --quiet --detach "$tmp/src-before" "$before"
CARGO_TARGET_DIR="$target" cargo build --release --quiet --manifest-path "$tmp/src-before/Cargo.toml"
cp "$target/release/planpress" "$tmp/planpress-before"
cargo build --release --quiet
cp "$target/release/planpress" "$tmp/planpress-after"

# One cold build: wall s, user s, system s, peak KiB; then the site's bytes.
run() {
  local which=$1 content=$2
  rm -rf "$tmp/site" "$tmp/.site.planpress"
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" \
    "$tmp/planpress-$which" build --root "$content" --out "$tmp/site" --quiet
  echo "$which $(cat "$tmp/time") $(du -sb "$tmp/site" | cut -f1)" >> "$tmp/runs"
}
for i in $(seq "$runs"); do
  echo "run $i of $runs"
  run before "$tmp/src-before/content"
  run after "$PWD/content"
done
schools=$(ls content/schools/*.yaml | wc -l)

python3 - "$tmp/runs" "$schools" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
schools = int(sys.argv[2])
med = {}
for which in ("before", "after"):
    runs = [list(map(float, r[1:])) for r in rows if r[0] == which]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] + r[2] for r in runs)
    rss = statistics.median(r[3] for r in runs) / 1024
    size = statistics.median(r[4] for r in runs) / 1e6
    med[which] = (wall, cpu, rss, size)
    print(f"{which:6}: wall {wall:6.1f} s, CPU {cpu:6.1f} s, peak {rss:5.0f} MiB, "
          f"site {size:6.1f} MB ({size / schools:.2f} MB per school), medians of {len(runs)}")
b, a = med["before"], med["after"]
print(f"after/before: wall {a[0] / b[0]:.2f}, CPU {a[1] / b[1]:.2f}, "
      f"peak memory {a[2] / b[2]:.2f}, bytes {a[3] / b[3]:.2f}")
PY
