#!/usr/bin/env bash
# A whole country's schools on one machine: makes a synthetic county of N distinct schools
# (default 3300: varied names, townships, levels, team sizes, systems, contacts, courses and
# revision records, drawn from the example county's own words so that the fonts cover them),
# with the example county's text, forms and shared documents, then measures
#  1. the whole county's HTML, built cold (`--no-pdf`): wall, CPU (user + system) and peak
#     memory, medians of RUNS (default 3);
#  2. a sample of SAMPLE schools (default 60) built cold with and without their PDFs, which gives
#     the PDF CPU per school; the whole county's PDFs are extrapolated from it.
# Everything is written to memory (a tmpfs), so that the figures are planpress's, not the disk's.
#
#   benches/national.sh
#   SCHOOLS=1000 SAMPLE=30 RUNS=5 benches/national.sh
#
# Needs python3 and GNU time (/usr/bin/time). Peak memory is the largest process's (GNU time):
# with PDFs, each typesetting worker is a process of its own beside the build's.
set -euo pipefail
cd "$(dirname "$0")/.."
schools=${SCHOOLS:-3300}
sample=${SAMPLE:-60}
runs=${RUNS:-3}
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }

cargo build --release --quiet
bin="$PWD/target/release/planpress"
tmp=$(mktemp -d /dev/shm/planpress-national.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/county/schools"
cp -r schemas "$tmp/schemas"
cp -r content/county.yaml content/plan content/docs content/forms "$tmp/county/"

python3 - content/schools "$tmp/county/schools" "$schools" <<'PY'
"""Writes N school files, each a different school: values recombined from the example county's
schools (names, people, systems), never a copy of one."""
import json, pathlib, random, re, sys

source, target, count = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261128)

def scalars(key):
    """Every value of `key: value` lines in the example schools (a small YAML reader is enough:
    the example files are plain block style)."""
    out = []
    for f in sorted(source.glob("*.yaml")):
        for m in re.finditer(rf"^\s*-?\s*{key}: (.+)$", f.read_text(encoding="utf-8"), re.M):
            v = m.group(1).strip().strip('"')
            if v and not v.startswith(("[", "{", "|", ">")):
                out.append(v)
    return sorted(set(out))

people = [n for n in scalars("name") if 2 <= len(n) <= 3 and not re.search(r"[A-Za-z0-9（]", n)]
surnames = sorted({n[0] for n in people})
given = sorted({n[1:] for n in people if len(n) == 3})
townships = scalars("township")
places = sorted({c for n in scalars("short_name") for c in n[:-2]})
# The example's systems, and others that schools run (the fonts hold Big5's characters).
systems = sorted(set(s for s in scalars("system") if len(s) <= 16) | {
    "學習歷程檔案系統", "圖書館管理系統", "數位學習平台", "電子郵件系統", "午餐管理系統",
    "健康資訊系統", "差勤系統", "財產管理系統", "招生報名系統", "線上請假系統"})
units = scalars("unit")
vendors = scalars("vendor")
titles = ["資訊組長", "教務主任", "學務主任", "總務主任", "輔導主任", "人事主任", "會計主任", "資訊教師", "文書組長", "設備組長"]
kinds = [("國民小學", "國小", "es"), ("國民中學", "國中", "jh"), ("國民中小學", "國中小", "ejh"), ("高級中學", "高中", "hs")]

def person():
    return rng.choice(surnames) + rng.choice(given)

def dump(value, indent=0):
    """Block-style YAML; every string double-quoted (JSON's quoting is valid YAML)."""
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.append(dump(v, indent + 2))
            else:
                lines.append(f"{pad}{k}: {scalar(v)}")
    else:
        for item in value:
            body = dump(item, indent + 2).lstrip() if isinstance(item, (dict, list)) else scalar(item)
            lines.append(f"{pad}- {body}")
    return "\n".join(lines)

def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[]"
    return json.dumps(v, ensure_ascii=False)

seen = set()
for i in range(count):
    kind, short_kind, suffix = kinds[0 if i % 10 < 7 else (1 if i % 10 < 9 else (2 if i % 20 == 9 else 3))]
    while True:
        place = "".join(rng.sample(places, 2))
        if place not in seen:
            seen.add(place)
            break
    township = rng.choice(townships)
    principal = person()
    team = [{"group": "召集人", "title": "校長", "name": principal,
             "duties": "綜理資通安全政策及目標之核定、資通安全資源分配與督導", "extension": "101",
             "deputy": person() + "（教務主任）"}]
    for n in range(rng.randint(2, 11)):
        team.append({"group": rng.choice(["策略規劃組", "資安防護組", "績效管理組"]),
                     "title": rng.choice(titles), "name": person(),
                     "duties": "資通安全相關業務之推動及執行", "extension": str(200 + n)})
    core = []
    for system in rng.sample(systems, rng.randint(1, min(5, len(systems)))):
        core.append({"business": rng.choice(["教務管理", "學生事務", "文書", "總務", "輔導"]),
                     "system": system, "importance": ["statutory"],
                     "impact": {"financial": "輕微影響，需要進行系統復原", "life_property": "無",
                                "economy": "無", "dependency": "無", "legal": "無",
                                "reputation": "無", "other": "無"},
                     "ip": f"163.27.{rng.randint(1, 250)}.{rng.randint(2, 250)}",
                     "unit": rng.choice(units), "manager": person(),
                     "vendor": rng.choice(vendors), "mtpd": f"{rng.choice([4, 8, 24])} 工作小時"})
    handler = team[min(1, len(team) - 1)]["name"]
    level = "C" if i % 40 == 0 else "D"
    school = {
        "id": f"s{i:04d}-{suffix}",
        "name": f"嘉義縣{township}{place}{kind}",
        "short_name": f"{place}{short_kind}",
        "type": kind,
        "township": township,
        "level": level,
        "level_basis": f"依資通安全責任等級分級辦法，本校資通安全責任等級為 {level} 級。",
        "kindergarten": rng.random() < 0.4,
        "security_unit": "教務處",
        "phone": f"05-{rng.randint(2000000, 3999999)}",
        "ciso": {"name": principal, "title": "校長"},
        "plan": {"version": f"V{rng.randint(1, 4)}.0", "date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                 "revisions": [{"version": f"V{v}.0", "date": f"{2019 + v}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                                "content": "配合人員異動修訂", "unit": "教務處",
                                "reviser": "資訊組長 " + handler, "approver": "校長 " + principal}
                               for v in range(1, rng.randint(2, 5))]},
        "team": team,
        "staffing": {"security_dedicated": 1 if level == "C" else 0, "security_part_time": 1,
                     "it_staff": rng.randint(1, 4), "general_staff": rng.randint(8, 160), "managers": rng.randint(3, 12)},
        "core_systems": core,
        "contacts": [{"name": handler, "title": "資訊組長", "phone": f"05-{rng.randint(2000000, 3999999)}",
                      "email": f"it{i}@school{i}.cyc.edu.tw"} for _ in range(rng.randint(1, 2))],
        "training": {"year": 113, "courses": [
            {"name": "資通安全專業課程", "audience": ["security_staff", "it_staff"],
             "hours": 12 if level == "C" else 6, "month": rng.randint(1, 12)},
            {"name": "資通安全通識教育訓練", "audience": ["general_staff", "managers"], "hours": 3,
             "month": rng.randint(1, 12)}]},
    }
    (target / f"{school['id']}.yaml").write_text(dump(school) + "\n", encoding="utf-8")
print(f"{count} schools written ({len(people)} people's names, {len(systems)} systems recombined)")
PY

# One measured command: appends "name wall user system peak-KiB" to the runs file.
measure() {
  local name=$1
  shift
  rm -rf "$tmp/site" "$tmp/.site.planpress"
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" >/dev/null 2>&1 ||
    { echo "$name failed: $*" >&2; "$@" --quiet | tail -5; exit 1; }
  echo "$name $(cat "$tmp/time")" >> "$tmp/runs"
}
ids=$(ls "$tmp/county/schools" | sed 's/\.yaml$//' | awk -v n="$schools" -v k="$sample" 'NR % int(n / k) == 1' | head -n "$sample")
picks=()
for id in $ids; do picks+=(--school "$id"); done
for i in $(seq "$runs"); do
  echo "run $i of $runs"
  measure html "$bin" build --root "$tmp/county" --out "$tmp/site" --no-pdf --quiet
  measure sample-html "$bin" build --root "$tmp/county" --out "$tmp/site" --no-pdf --quiet "${picks[@]}"
  measure sample-pdf "$bin" build --root "$tmp/county" --out "$tmp/site" --quiet "${picks[@]}"
done

python3 - "$tmp/runs" "$schools" "$sample" "$(nproc)" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
schools, sample, cores = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def med(name):
    runs = [list(map(float, r[1:])) for r in rows if r[0] == name]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] + r[2] for r in runs),
            statistics.median(r[3] for r in runs) / 1024, len(runs))
html, s_html, s_pdf = med("html"), med("sample-html"), med("sample-pdf")
print(f"{schools} schools, HTML only: wall {html[0]:.1f} s, CPU {html[1]:.1f} s, peak {html[2]:.0f} MiB (medians of {html[3]})")
per_school = (s_pdf[1] - s_html[1]) / sample
print(f"sample of {sample} with PDFs: wall {s_pdf[0]:.1f} s, CPU {s_pdf[1]:.1f} s, largest process {s_pdf[2]:.0f} MiB; "
      f"PDFs {per_school:.2f} CPU-s per school")
total = html[1] + per_school * schools
print(f"extrapolated, {schools} schools with PDFs: CPU {total:.0f} s, about {total / cores / 60:.1f} min wall on {cores} cores")
PY
