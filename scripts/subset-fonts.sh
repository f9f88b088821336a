#!/usr/bin/env bash
# Regenerate the bundled CJK serif fonts in themes/default/fonts/.
#
# Takes the Traditional Chinese face (index 3, family "Noto Serif CJK TC") of
# Debian's fonts-noto-cjk collections and subsets it, Regular and Bold, to:
#   - the whole Big5/CP950 repertoire plus ASCII 0x20-0x7E,
#   - a few fixed blocks (CJK punctuation, full-width forms, general
#     punctuation, circled numbers, geometric shapes, arrows, Latin-1),
#   - every character used in content/ and themes/default/ (except the
#     generated fonts/ directory itself), plus 壹貳參肆伍陸柒捌玖拾.
# OpenType layout features are all kept (locl, vert, halt, ...); hinting is
# dropped; the name table is kept whole so the family stays "Noto Serif CJK TC".
#
# Usage: scripts/subset-fonts.sh   (needs root or sudo only if fonts-noto-cjk
#                                   is not installed yet)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC_DIR=/usr/share/fonts/opentype/noto
OUT_DIR="$REPO/themes/default/fonts"
FACE_INDEX=3   # 0 JP, 1 KR, 2 SC, 3 TC, 4 HK

# --- 1. tools ---------------------------------------------------------------
if ! dpkg -s fonts-noto-cjk >/dev/null 2>&1 || [ ! -f "$SRC_DIR/NotoSerifCJK-Regular.ttc" ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    $SUDO apt-get install -y fonts-noto-cjk
fi
if ! python3 -c 'import fontTools.subset, brotli' >/dev/null 2>&1; then
    python3 -m pip install fonttools brotli
fi

echo "fonts-noto-cjk $(dpkg-query -W -f='${Version}' fonts-noto-cjk)"
echo "fonttools $(python3 -c 'import fontTools; print(fontTools.version)')"

mkdir -p "$OUT_DIR"
UNICODES="$(mktemp)"
trap 'rm -f "$UNICODES"' EXIT

# --- 2a. code-point list ----------------------------------------------------
python3 - "$REPO" "$SRC_DIR/NotoSerifCJK-Regular.ttc" "$FACE_INDEX" "$UNICODES" <<'PY'
import os, sys, unicodedata
from fontTools.ttLib import TTFont

repo, ttc, index, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

font = TTFont(ttc, fontNumber=index, lazy=True)
family = font["name"].getDebugName(1)
if family != "Noto Serif CJK TC":
    sys.exit(f"face {index} of {ttc} is {family!r}, not 'Noto Serif CJK TC'")
cmap = font.getBestCmap()

cps = set(range(0x20, 0x7F))                         # ASCII
trails = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
for lead in range(0x81, 0xFF):                       # Big5 / CP950
    for trail in trails:
        try:
            s = bytes((lead, trail)).decode("cp950")
        except UnicodeDecodeError:
            continue
        cps.update(ord(c) for c in s)
big5 = set(cps)

for lo, hi in [(0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2000, 0x206F),
               (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x2190, 0x21FF),
               (0x00A0, 0x00FF)]:
    cps.update(range(lo, hi + 1))
cps.update(map(ord, "【】「」『』〈〉《》〇壹貳參肆伍陸柒捌玖拾"))

content = {}                                          # char -> first file using it
skip = os.path.join(repo, "themes", "default", "fonts")
for top in ("content", os.path.join("themes", "default")):
    for root, dirs, files in os.walk(os.path.join(repo, top)):
        dirs[:] = sorted(d for d in dirs if os.path.join(root, d) != skip)
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except UnicodeDecodeError:
                print(f"  skipped (not UTF-8): {os.path.relpath(path, repo)}")
                continue
            for c in text:
                if unicodedata.category(c) != "Cc":
                    content.setdefault(c, os.path.relpath(path, repo))
cps.update(map(ord, content))

with open(out, "w") as f:
    for cp in sorted(cps):
        f.write(f"U+{cp:04X}\n")

covered = cps & cmap.keys()
print(f"requested {len(cps)} code points; the TC face has {len(covered)} of them")
print(f"Big5+ASCII: {len(big5)} code points, {len(big5 & cmap.keys())} in the font")
print(f"content: {len(content)} distinct characters, "
      f"{sum(ord(c) in cmap for c in content)} in the font")
missing = sorted(c for c in content if ord(c) not in cmap)
for c in missing:
    name = unicodedata.name(c, "?")
    print(f"  NOT IN FONT: U+{ord(c):04X} {c!r} {name} (first in {content[c]})")
PY

# --- 2b. subset -------------------------------------------------------------
for weight in Regular Bold; do
    out="$OUT_DIR/NotoSerifCJKtc-$weight-subset.otf"
    python3 -m fontTools.subset "$SRC_DIR/NotoSerifCJK-$weight.ttc" \
        --font-number="$FACE_INDEX" \
        --unicodes-file="$UNICODES" \
        --layout-features='*' \
        --no-hinting \
        --name-IDs='*' \
        --name-languages='*' \
        --output-file="$out"
done

# --- sizes --------------------------------------------------------------------
python3 - "$OUT_DIR" <<'PY'
import os, sys
total = 0
for weight in ("Regular", "Bold"):
    path = os.path.join(sys.argv[1], f"NotoSerifCJKtc-{weight}-subset.otf")
    size = os.path.getsize(path)
    total += size
    print(f"{os.path.basename(path):34} {size:>11,} bytes ({size / 1e6:.1f} MB)")
print(f"{'total':34} {total:>11,} bytes ({total / 1e6:.1f} MB)")
PY
