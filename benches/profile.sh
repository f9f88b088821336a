#!/usr/bin/env bash
# Where the CPU of a cold build goes: the example county built with its PDFs into a tmpfs under
# `perf record`, and the samples, summed over the build and its typesetting workers, counted by
# stage (Typst's layout, Typst's PDF export and what in it, packing the PDFs' objects, the search
# index, the HTML pages, the rest), in CPU seconds.
#
#   benches/profile.sh               # FREQ=299 samples per second and thread
#
# Needs perf (linux-tools; perf_event_paranoid ≤ 1 or root) and python3. planpress is compiled
# with frame pointers, so that perf can walk the stacks, in a target folder of its own
# (PROFILE_TARGET, default target/frame-pointers): the first run compiles everything once.
set -euo pipefail
cd "$(dirname "$0")/.."
freq=${FREQ:-299}
target=${PROFILE_TARGET:-$PWD/target/frame-pointers}
command -v perf >/dev/null || { echo "perf is needed: apt-get install linux-perf" >&2; exit 1; }

echo "compiling planpress with frame pointers into $target"
RUSTFLAGS="-C force-frame-pointers=yes" CARGO_TARGET_DIR="$target" cargo build --release --quiet

tmp=$(mktemp -d /dev/shm/planpress-profile.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "building the example county cold with its PDFs under perf"
perf record --quiet -F "$freq" --call-graph fp -o "$tmp/perf.data" \
  "$target/release/planpress" build --root content --out "$tmp/site" --quiet
perf script -i "$tmp/perf.data" -F comm,tid,ip,sym 2>/dev/null > "$tmp/stacks"

python3 - "$tmp/stacks" "$freq" <<'PY'
import collections, sys

# A sample's stage: the first rule any frame of its stack matches, in this order (the export
# runs inside Typst's crates, the search index inside the build's own code).
STAGES = [
    ("search index", ("pagefind::",)),
    ("PDF packing (lopdf)", ("lopdf::",)),
    ("PDF export (typst-pdf, krilla)", ("typst_pdf::", "krilla::", "PdfEngine::export")),
    # Evicting a school's memoized results is the price of reusing the county's.
    ("layout (Typst)", ("typst_layout::", "typst_realize::", "typst_eval::", "typst::compile",
                        "comemo::memoize::evict")),
    ("HTML pages", ("planpress::render::pages", "tera::")),
]
# What in a stage: the first rule matched, else "the rest of it".
PARTS = {
    "PDF export (typst-pdf, krilla)": [
        ("deflate, level 6", ("krilla::stream::deflate_encode",)),
        # The bounding boxes are computed inside the subsetting: looked for first.
        ("glyph bounding boxes", ("krilla::text::cid::compute_bbox",)),
        ("font subsetting", ("krilla::text::cid::subset_font",)),
        ("tagging", ("krilla::interchange::tagging",)),
    ],
    "search index": [
        ("gzip, level 9", ("zlib_rs::",)),
        ("HTML parsing", ("lol_html::",)),
        ("word segmentation", ("icu_segmenter::", "unicode_segmentation::", "charabia::")),
    ],
    "PDF packing (lopdf)": [
        ("reading", ("lopdf::reader::",)),
        ("object streams, deflate", ("lopdf::object_stream::",)),
    ],
}

def stacks(path):
    frames = []
    for line in open(path, errors="replace"):
        if not line.strip():
            if frames:
                yield frames
            frames = []
        elif line[0] in " \t":  # a frame: address and symbol; the sample's own line is not
            frames.append(line.strip().split(" ", 1)[-1])
    if frames:
        yield frames

def first(rules, stack):
    for name, patterns in rules:
        if any(p in frame for frame in stack for p in patterns):
            return name
    return None

stage = collections.Counter()
part = collections.Counter()
for stack in stacks(sys.argv[1]):
    s = first(STAGES, stack) or "the rest (resolving, hashing, cache, leak check)"
    stage[s] += 1
    if s in PARTS:
        part[(s, first(PARTS[s], stack) or "the rest of it")] += 1

freq = float(sys.argv[2])
total = sum(stage.values())
print(f"\n{total / freq:6.1f} CPU-s sampled\n")
for s, n in stage.most_common():
    print(f"{n / freq:6.1f} s  {100 * n / total:4.1f} %  {s}")
    for (p_stage, p), m in sorted(part.items(), key=lambda kv: -kv[1]):
        if p_stage == s:
            print(f"{m / freq:14.1f} s  {p}")
PY
