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
# their box (cut off in a screenshot, in print and in a PDF), and the short
# number lists (td.k: n "3, 3") that wrap over two lines
too_wide() {
    local page=$1 out=$2
    sed 's@</body>@<script>var w=[];document.querySelectorAll("div.tw").forEach(function(d){if(d.scrollWidth>d.clientWidth+1)w.push(d.firstElementChild.id)});document.querySelectorAll("td.k").forEach(function(d){var r=document.createRange();r.selectNodeContents(d);if(r.getClientRects().length>1)w.push("wrapped:"+d.textContent)});document.body.setAttribute("data-wide",w.join(" ")||"none");</script></body>@' \
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
    # n per condition in the tests table: a short list, kept on one line
    grep -q '<td class="k">[0-9]*, [0-9]*, [0-9]*</td>' "$T/r.html"
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

# a ratio trace as zn-bleach leaves it: rates per dish on every record (dish
# a: CFP 1e-4 +- 1e-5, YFP 1.5e-4 +- 2e-5 per s; dish b: CFP 2e-5 +- 1.5e-5,
# YFP 3e-5 +- 1e-5), ##bleach= naming the channels, ##ratio= the ratio
bleached() {
    awk 'BEGIN { OFS = "\t"
        print "##znr=1"; print "##schema=trace"
        print "##bleach=pooled:F_CFP,F_YFP;model=a*exp(-k*t),k per sample;windows=0:20;weight=shot"
        print "##ratio=R=F_YFP/F_CFP;baseline=0:20"
        print "#sample", "condition", "cell", "role", "frame", "t", "F_CFP", "F_YFP", "bleach_k_F_CFP", "bleach_k_se_F_CFP",
              "bleach_k_F_YFP", "bleach_k_se_F_YFP", "R"
        split("1e-4 1e-5 1.5e-4 2e-5", a, " "); split("2e-5 1.5e-5 3e-5 1e-5", b, " ")
        for (c = 1; c <= 2; c++) for (f = 0; f < 5; f++) print "a", "ctl", c, "cell", f, 2 * f, 100, 150, a[1], a[2], a[3], a[4], 1.5
        for (c = 1; c <= 2; c++) for (f = 0; f < 5; f++) print "b", "ctl", c, "cell", f, 2 * f, 100, 150, b[1], b[2], b[3], b[4], 1.5 }'
}

@test "zn-report: the bleaching correction per dish and channel, per hour, with the ratio's drift; unresolved rates flagged (by hand)" {
    bleached > "$T/b.znr"
    run bash -c "zn-report --signal R --format tsv --table bleach $T/b.znr"
    assert_success
    # x 3600; k/SE; the ratio's k_YFP - k_CFP with SE sqrt(se_YFP^2 + se_CFP^2) (as if independent)
    assert_output "$(printf '%s\n' \
        'condition	sample	channel	k_per_h	k_se_per_h	k_over_se	resolved' \
        'ctl	a	F_CFP	0.36	0.036	10	yes' \
        'ctl	a	F_YFP	0.54	0.072	7.5	yes' \
        'ctl	a	ratio F_YFP/F_CFP: k_F_YFP - k_F_CFP	0.18	0.0804984471899924	2.23606797749979	yes' \
        'ctl	b	F_CFP	0.072	0.054	1.33333333333333	no' \
        'ctl	b	F_YFP	0.108	0.036	3	yes' \
        'ctl	b	ratio F_YFP/F_CFP: k_F_YFP - k_F_CFP	0.036	0.0648999229583518	0.554700196225229	no')"
    # the flags: one row per rate not told from 0
    run bash -c "zn-report --signal R --format tsv --table flags $T/b.znr | cut -f 1-4"
    assert_output "$(printf '%s\n' 'source	where	item	flag' 'bleach	b	F_CFP	bleach_unresolved' \
        'bleach	b	ratio F_YFP/F_CFP: k_F_YFP - k_F_CFP	bleach_unresolved')"
    # on the page: the table in the calibration section and a sentence that counts them
    zn-report -q --signal R --html "$T/b.html" "$T/b.znr" > /dev/null
    run grep -c '<table id="tab-bleach">' "$T/b.html"
    assert_output 1
    run grep -c '2 of the 6 rates, in 1 of 2 dishes, are not resolved' "$T/b.html"
    assert_output 1
}

@test "zn-report: numbers for reading in 4 significant digits, as decimals down to 1e-4 (0.00036, not 3.600e-04)" {
    bleached | sed 's/\t2e-5\t1.5e-5\t/\t1e-7\t1.5e-5\t/' > "$T/b.znr"
    run bash -c "zn-report --signal R --table bleach $T/b.znr | awk '\$2 == \"b\" && \$3 == \"F_CFP\" { print \$4, \$5, \$6 }'"
    assert_output '0.00036 0.054 0.006667'
    bleached | sed 's/\t2e-5\t1.5e-5\t/\t1e-9\t1.5e-5\t/' > "$T/b.znr"
    run bash -c "zn-report --signal R --table bleach $T/b.znr | awk '\$2 == \"b\" && \$3 == \"F_CFP\" { print \$4 }'"
    assert_output '3.600e-06'
}

# metrics_trace.znr with its three dishes (5 cells each) in one condition
one_condition() { awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ { print; next } { $2 = "ctl"; print }' "$FIX/metrics_trace.znr"; }

@test "zn-report --html: the heatmap groups a condition's rows by dish, each dish labelled once with its count; grey explained" {
    one_condition > "$T/one.znr"
    zn-report -q --cells 20 --html "$T/h.html" "$T/one.znr" > /dev/null
    fig=$(sed -n '/<figure id="fig-heatmap">/,/<\/figure>/p' "$T/h.html")
    run grep -o 'class="tk dish">[^<]*' <<< "$fig"
    assert_output "$(printf 'class="tk dish">dish%s (5)\n' 1 2 3)"
    grep -q "no value (a row all grey: the cell's calibration failed)" <<< "$fig"
    grep -q 'grouped by condition and, within it, by dish' <<< "$fig"
}

@test "zn-report --html: calibration examples come from every dish in turn, with axis titles and the windows named" {
    one_condition > "$T/one.znr"
    zn-report -q --cells 20 --html "$T/h.html" "$T/one.znr" > /dev/null
    fig=$(sed -n '/<figure id="fig-calcells-1">/,/<\/figure>/p' "$T/h.html")
    # six panels, two from each dish (titles "dishN CELL"), not the first six cells (five of dish1)
    run sh -c 'grep -o "class=\"ti\">dish[0-9]" | sort | uniq -c | awk "{ print \$1, \$2 }"' <<< "$fig"
    assert_output "$(printf '2 class="ti">dish%s\n' 1 2 3)"
    grep -q 'taken from the dishes in turn (dish1 (2), dish2 (2), dish3 (2))' <<< "$fig"
    # axes: time on every panel, the signal on the first of each row
    [ "$(grep -o '>time (s)<' <<< "$fig" | wc -l)" -eq 6 ]
    [ "$(grep -o 'class="al">F (a.u.)<' <<< "$fig" | wc -l)" -eq 2 ]
    # the windows: shaded apart, named (a key, and a title on each shaded rect)
    for w in baseline max min; do
        [ "$(grep -o "<title>$w</title>" <<< "$fig" | wc -l)" -eq 6 ] || fail "window $w not on every panel"
        grep -q "class=\"tk\">$w [0-9]" <<< "$fig" || fail "window $w not in the key"
    done
    # title and caption say the same: the raw signal
    grep -q 'raw F per cell' <<< "$fig"
    grep -q 'the raw signal F (before calibration' <<< "$fig"
}

@test "zn-report --html: concentration-response: replicates and means at their own concentration; the curve solid over the data only" {
    zn-mm-fit -q -u -m 4pl -x conc_uM -y response --curve 60 --curve-output "$T/curve.znr" -o "$T/fit.znr" "$FIX/mm_ic50.znr"
    zn-means -u --by line,conc_uM -c response -o "$T/m.znr" "$FIX/mm_ic50.znr"
    zn-report -q --html "$T/r.html" "$T/m.znr" "$T/fit.znr" "$T/curve.znr" > /dev/null
    fig=$(sed -n '/<figure id="fig-doseresp-1">/,/<\/figure>/p' "$T/r.html")
    # first series: circles; replicates open (r 3), means filled (r 3.4): every mean where replicates are
    grep -o '<circle cx="[0-9.]*" cy="[0-9.]*" r="3.0" fill="#fff"' <<< "$fig" | sed 's/.*cx="\([0-9.]*\)".*/\1/' | sort -u > "$T/rep"
    grep -o '<circle cx="[0-9.]*" cy="[0-9.]*" r="3.4" fill="#' <<< "$fig" | sed 's/.*cx="\([0-9.]*\)".*/\1/' | sort -u > "$T/mean"
    [ -s "$T/mean" ] && [ -s "$T/rep" ]
    run comm -3 "$T/mean" "$T/rep"
    assert_output ""
    # the solid curve spans the positive concentrations measured: its ends at the lowest and highest replicate
    read -r a e <<< "$(grep -o 'points="[^"]*" class="model"' <<< "$fig" | tr -d '"' | sed 's/points=//; s/ class=model//' |
        tr ' ' '\n' | grep . | cut -d, -f1 | sort -n | sed -n '1p;$p' | tr '\n' ' ')"
    # the positive concentrations' pixels: the log panel's circles (the controls' panel is left of x = 164)
    read -r ra re <<< "$(awk '$1 > 164' "$T/rep" | sort -n | sed -n '1p;$p' | tr '\n' ' ')"
    [ "$a" = "$ra" ] && [ "$e" = "$re" ] || fail "curve $a-$e, data $ra-$re"
    grep -q 'class="extrapolated"' <<< "$fig"
}
