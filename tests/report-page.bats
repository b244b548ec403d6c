#!/usr/bin/env bats
# zn-report's page as a reader sees it (the review of the demo pages, items
# 2, 3 and 10): tables that fit the page, figures that draw a model only
# where there are data and keep points off the frame, units that say what a
# number is measured in.  Layout is checked in headless chromium.

load helper

met() { zn-metrics -u --response 30:102 "$FIX/metrics_trace.znr" > "$T/met.znr"; }
fit() {
    sed '2a ##unit.rate=pmol/mg/min' "$FIX/mm_uptake.znr" > "$T/up.znr"
    zn-mm-fit -q -u --by construct --curve 40 --curve-output "$T/curve.znr" "$@" "$T/up.znr" > "$T/fit.znr"
}

# every table of a page in chromium at 1400 px: the names of those wider than
# their box (cut off in a screenshot, in print and in a PDF), one a line
too_wide() {
    local page=$1 out=$2
    sed 's@</body>@<script>var w=[];document.querySelectorAll("div.tw").forEach(function(d){if(d.scrollWidth>d.clientWidth+1)w.push(d.firstElementChild.id)});document.body.setAttribute("data-wide",w.join(" ")||"none");</script></body>@' \
        "$page" > "$T/probe.html"
    timeout 120 chromium --headless --no-sandbox --disable-gpu --window-size=1400,3000 --dump-dom "file://$T/probe.html" \
        2> /dev/null | grep -o 'data-wide="[^"]*"' > "$out"
}

@test "zn-report --html: every table fits the 1100 px page in chromium (the cells table's 17 columns too); no column is lost" {
    command -v chromium >/dev/null || skip "chromium is not installed (tools/deps.sh installs it)"
    met
    fit --compare hill
    zn-report -q --html "$T/r.html" "$FIX/metrics_trace.znr" "$T/met.znr" "$T/fit.znr" "$T/up.znr" "$T/curve.znr" > /dev/null
    too_wide "$T/r.html" "$T/wide"
    run cat "$T/wide"
    assert_output 'data-wide="none"'
    # the cells table is written across (a row per column): each of its columns is a row header, in order
    cols=$(zn-report --format tsv --table cells "$FIX/metrics_trace.znr" | head -1 | tr '\t' '\n' | tail -n +2)
    got=$(sed -n '/<table id="tab-cells"/,/<\/table>/p' "$T/r.html" | grep -o '<th class="r">[^<]*</th>' | sed 's/<[^>]*>//g')
    assert_equal "$got" "$cols"
    # a table of few columns keeps its rows; long names may wrap after an underscore
    run grep -c '<th>made_<wbr/>by</th>' "$T/r.html"
    assert_output 1
}

@test "zn-report: Sy.x says what it is measured in: the unit of y unweighted, relative to the fitted value under 1/y2 (by hand)" {
    fit
    run bash -c "zn-report --format tsv --table fit_stats $T/fit.znr | cut -f 1,6,7"
    assert_success
    assert_line --index 0 "$(printf 'group\tsy_x\tsy_x_unit')"
    assert_line --index 1 --regexp "$(printf '^construct=hZIP4\t[0-9.]+\tpmol/mg/min$')"
    zn-mm-fit -q -u --by construct --weight 1/y2 "$T/up.znr" > "$T/fw.znr"
    zn-report --format tsv --table fit_stats "$T/fw.znr" | cut -f 1,6,7 > "$T/st.tsv"
    run cat "$T/st.tsv"
    assert_line --index 1 --regexp "$(printf '^construct=hZIP4\t[0-9.]+\trelative to the fitted value \\(1/y2 weights\\)$')"
    # relative indeed: sqrt(sum((y - f)^2 / f^2) / df) with the fitted Vmax, Km, in Python
    zn-view --tsv "$T/fw.znr" > "$T/fw.tsv"
    zn-view --tsv "$T/up.znr" > "$T/up.tsv"
    run python3 - "$T/fw.tsv" "$T/up.tsv" "$T/st.tsv" <<'PY'
import sys, csv, math
fit = {r["construct"]: r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")}
up = list(csv.DictReader(open(sys.argv[2]), delimiter="\t"))
st = {r["group"]: float(r["sy_x"]) for r in csv.DictReader(open(sys.argv[3]), delimiter="\t")}
for g, r in fit.items():
    V, K = float(r["Vmax"]), float(r["Km"])
    xy = [(float(u["conc_uM"]), float(u["rate"])) for u in up if u["construct"] == g]
    rel = math.sqrt(sum(((y - V * x / (K + x)) / (V * x / (K + x))) ** 2 for x, y in xy) / (len(xy) - 2))
    got = st["construct=" + g]
    assert abs(got - rel) <= 1e-6 * rel, (g, got, rel)
    print(g, "ok")
PY
    assert_success
}

@test "zn-report --html: model-comparison columns empty in every row take no place in the table; the note names them" {
    fit
    zn-report -q --html "$T/r.html" "$T/fit.znr" "$T/up.znr" > /dev/null
    tab=$(sed -n '/<table id="tab-fit_stats"/,/<\/table>/p' "$T/r.html")
    run grep -c '<th>daicc</th>\|<th>F_<wbr/>p</th>\|<th>prefer</th>' <<< "$tab"
    assert_output 0
    run grep -c 'Left out, empty in every row: compare, compare_status, daicc, F, F_p, prefer, reason' "$T/r.html"
    assert_output 1
    # the TSV keeps every column
    run bash -c "zn-report --format tsv --table fit_stats $T/fit.znr | head -1 | grep -c 'daicc	F	F_p	prefer'"
    assert_output 1
    fit --compare hill
    zn-report -q --html "$T/r2.html" "$T/fit.znr" "$T/up.znr" > /dev/null
    # with --compare: 16 columns for 2 groups, written across (a row per column, as Prism's results)
    run grep -c '<th class="r">daicc</th>' "$T/r2.html"
    assert_output 1
}

# an MM fit given by hand (Vmax 90, Km 1) and points on it but two: a replicate
# at the highest concentration (8 uM) 20 above the curve (y = 100 exactly)
# and one 20 below it, so that the largest rate and the largest residual are
# round numbers, where an axis ends
handfit() {
    printf '##znr=1\n##schema=uptake\n##unit.rate=pmol/mg/min\n#construct\tconc_uM\ttime_min\trate\n' > "$T/h.znr"
    for x in 0.25 0.5 1 2 4; do
        awk -v x=$x 'BEGIN { y = 90 * x / (1 + x); for (i = 0; i < 3; i++) printf "A\t%s\t5\t%.10g\n", x, y }' >> "$T/h.znr"
    done
    printf 'A\t8\t5\t80\nA\t8\t5\t100\nA\t8\t5\t60\n' >> "$T/h.znr"
    zn-mm-fit -q -u --by construct "$T/h.znr" |
        awk -F'\t' 'BEGIN { OFS = "\t" } /^##/ { print; next } /^#/ { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
                   { $c["Vmax"] = 90; $c["Km"] = 1; print }' > "$T/hf.znr"
}

# the kinetics figure's SVG: x of the model's end, of the highest replicate,
# and how far (px) the outermost point of each panel is from the frame
kin_geometry() {
    python3 - "$1" <<'PY'
import re, sys, xml.etree.ElementTree as ET
html = open(sys.argv[1]).read()
svg = re.search(r'<figure id="fig-kinetics-1">\s*(<svg.*?</svg>)', html, re.S).group(1)
root = ET.fromstring(svg)
ns = "{http://www.w3.org/2000/svg}"
frames = [r for r in root.iter(ns + "rect") if r.get("fill") == "none" and r.get("stroke") == "#444"]
model = [p for p in root.iter(ns + "polyline") if p.get("stroke-width") == "1.8"]
mx = max(float(pt.split(",")[0]) for p in model for pt in p.get("points").split())
def circles(r):
    return [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(ns + "circle") if c.get("r") == r]
reps, res = circles("2.6"), circles("2.4")
def gap(pts, fr):
    y0, h = float(fr.get("y")), float(fr.get("height"))
    return min(min(cy - y0, y0 + h - cy) for _, cy in pts)
print("model_end %.1f last_x %.1f" % (mx, max(x for x, _ in reps)))
print("main_gap %.1f res_gap %.1f" % (gap(reps, frames[0]), gap(res, frames[1])))
PY
}

@test "zn-report --html: the fitted curve ends at the highest concentration; the largest rate and residual are off the frame" {
    handfit
    zn-report -q --html "$T/k.html" "$T/h.znr" "$T/hf.znr" > /dev/null
    run kin_geometry "$T/k.html"
    assert_success
    echo "$output"
    read -r _ end _ last <<< "${lines[0]}"
    read -r _ gmain _ gres <<< "${lines[1]}"
    # the model's last point is at 8 uM, where the last replicates are (not at the axis end)
    [ "$end" = "$last" ]
    # a marker's centre at least its radius inside the frame
    awk -v a="$gmain" -v b="$gres" 'BEGIN { exit !(a >= 2.6 && b >= 2.4) }'
    run grep -c 'the fitted curve up to the highest concentration' "$T/k.html"
    assert_output 1
}
