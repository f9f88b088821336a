#!/usr/bin/env bash
# Renders pages of one school's plan to PNG to look at: the cover (approval boxes) and the first
# page of the core-systems table, by default.
#
#   scripts/preview-pdf.sh dongshi-jh            # → /tmp/planpress-preview/dongshi-jh-*.png
#   PAGES="1 5 18" scripts/preview-pdf.sh zhuqi-hs
#
# Needs pdftoppm (poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
school=${1:?usage: scripts/preview-pdf.sh SCHOOL_ID}
out=${OUT:-/tmp/planpress-preview}
mkdir -p "$out"
cargo run --release --quiet -- build --root content --out "$out/site" --school "$school" >/dev/null
for page in ${PAGES:-1 5}; do
  pdftoppm -r 80 -png -f "$page" -l "$page" -singlefile "$out/site/schools/$school/plan.pdf" "$out/$school-$page"
  echo "$out/$school-$page.png"
done
