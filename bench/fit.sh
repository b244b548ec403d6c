#!/bin/bash
# make bench (second part): zn-mm-fit against R nls and scipy curve_fit on
# the same data, NGROUPS groups (default 10,000) of 8 concentrations x 3
# replicates, in one run.  Prints fits per second, peak memory, ratios and
# the largest difference between the estimates.  Not part of make check.
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/bench/out"
GROUPS_N=${NGROUPS:-10000}
mkdir -p "$out"
AWK=$(command -v mawk || command -v awk)
data="$out/mm_${GROUPS_N}.znr"
# truth per group: Km 0.5-10 uM, Vmax 100-300 pmol/mg/min; noise SD 4% of Vmax
$AWK -v ng="$GROUPS_N" 'BEGIN { srand(11); print "##znr=1"; print "##schema=uptake"; print "#group\tconc_uM\trate"
    split("0.1 0.25 0.5 1 2.5 5 10 20", c, " ")
    for (g = 1; g <= ng; g++) { K = 0.5 + 9.5 * rand(); V = 100 + 200 * rand()
        for (i = 1; i <= 8; i++) for (k = 1; k <= 3; k++) {
            z = sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand())
            printf "g%d\t%s\t%.5g\n", g, c[i], V * c[i] / (K + c[i]) + 0.04 * V * z } } }' > "$data"
grep -v '^#' "$data" | sed 's/\t/,/g' | { echo group,conc,rate; cat; } > "$out/mm.csv"

t() { /usr/bin/time -f '%e %M' -o "$out/t.txt" "$@"; read -r s k < "$out/t.txt"; echo "$s $k"; }
# zn-mm-fit takes a fraction of a second: the median of 5 runs
med5() { local a=() k=0 x m; for _ in 1 2 3 4 5; do read -r x m < <(t "$@"); a+=("$x"); [ "$m" -gt "$k" ] && k=$m; done
         echo "$(printf '%s\n' "${a[@]}" | sort -g | sed -n 3p) $k"; }
read -r s_zn k_zn < <(med5 bash -c "'$bin/zn-mm-fit' -u --by group '$data' > '$out/zn.tsv'")
read -r s_zs k_zs < <(med5 bash -c "'$bin/zn-mm-fit' -u --sorted --by group '$data' > /dev/null")
# memory flat in the number of groups: a tenth of them
head -n $((3 + GROUPS_N * 24 / 10)) "$data" > "$out/mm_tenth.znr"
read -r _ k_z10 < <(t bash -c "'$bin/zn-mm-fit' -u --sorted --by group '$out/mm_tenth.znr' > /dev/null")

cat > "$out/fit.R" <<'REOF'
d <- read.csv(commandArgs(TRUE)[1])
t0 <- proc.time()[["elapsed"]]
res <- lapply(split(d, factor(d$group, levels = unique(d$group))), function(g) {
    f <- tryCatch(nls(rate ~ SSmicmen(conc, Vm, K), data = g), error = function(e) NULL)
    if (is.null(f)) c(NA, NA) else coef(f)
})
el <- proc.time()[["elapsed"]] - t0
m <- do.call(rbind, res)
write.table(data.frame(group = rownames(m), Vmax = m[, 1], Km = m[, 2]), commandArgs(TRUE)[2],
            sep = "\t", quote = FALSE, row.names = FALSE)
cat(el, "\n", sep = "")
REOF
cat > "$out/fit.py" <<'PEOF'
import sys, time, csv
import numpy as np
from scipy.optimize import curve_fit
rows = list(csv.reader(open(sys.argv[1])))[1:]
groups = {}
for g, c, r in rows: groups.setdefault(g, ([], []))[0].append(float(c)); groups[g][1].append(float(r))
def mm(S, V, K): return V * S / (K + S)
t0 = time.time(); out = []
for g, (x, y) in groups.items():
    x = np.array(x); y = np.array(y)
    try: p, _ = curve_fit(mm, x, y, p0=[y.max(), np.median(x)]); out.append((g, p[0], p[1]))
    except Exception: out.append((g, float('nan'), float('nan')))
el = time.time() - t0
with open(sys.argv[2], 'w') as f:
    f.write('group\tVmax\tKm\n')
    for g, a, b in out: f.write('%s\t%r\t%r\n' % (g, a, b))
print(el)
PEOF
have_r=0; have_py=0
if command -v Rscript > /dev/null; then
    read -r s_r k_r < <(t bash -c "Rscript '$out/fit.R' '$out/mm.csv' '$out/r.tsv' > '$out/r_el.txt'"); have_r=1
fi
if /usr/bin/python3 -c 'import scipy' 2> /dev/null; then
    read -r s_py k_py < <(t bash -c "/usr/bin/python3 '$out/fit.py' '$out/mm.csv' '$out/py.tsv' > '$out/py_el.txt'"); have_py=1
fi
fps() { awk -v n="$GROUPS_N" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "zn-mm-fit vs R nls and scipy curve_fit: $GROUPS_N groups x 24 points, Michaelis-Menten"
printf '%-36s %8.2f s %8s fits/s %7s MiB\n' "zn-mm-fit (all groups held)" "$s_zn" "$(fps "$s_zn")" "$(mib "$k_zn")"
printf '%-36s %8.2f s %8s fits/s %7s MiB (a tenth of the groups: %s MiB)\n' "zn-mm-fit --sorted" "$s_zs" "$(fps "$s_zs")" "$(mib "$k_zs")" "$(mib "$k_z10")"
# estimates side by side: largest relative difference of Km and Vmax over
# the groups both fitted
zn_est() { awk -F'\t' '/^#[^#]/ { for (i = 1; i <= NF; i++) h[$i] = i } !/^#/ && $h["status"] == "ok" { print $1 "\t" $h["Vmax"] "\t" $h["Km"] }' "$out/zn.tsv"; }
zn_est > "$out/zn_est.tsv"
agree() { awk -F'\t' 'NR == FNR { v[$1] = $2; k[$1] = $3; next } FNR > 1 && ($1 in v) && $3 != "NA" && $3 != "nan" {
        n++; a = ($2 - v[$1]) / v[$1]; b = ($3 - k[$1]) / k[$1]; if (a < 0) a = -a; if (b < 0) b = -b
        if (a > mv) mv = a; if (b > mk) mk = b; if (b > 1e-6) far++ }
        END { printf "%d groups fitted by both; largest relative difference Vmax %.2g, Km %.2g; %d differ above 1e-6", n, mv, mk, far }' "$out/zn_est.tsv" "$1"; }
echo "zn-mm-fit: $(wc -l < "$out/zn_est.tsv") of $GROUPS_N groups ok"
if [ $have_r = 1 ]; then
    el=$(tr -d ' \n' < "$out/r_el.txt")
    printf '%-36s %8.2f s %8s fits/s (fitting loop %.2f s: %s fits/s) %s MiB\n' "R nls (SSmicmen, split + lapply)" "$s_r" "$(fps "$s_r")" "$el" "$(fps "$el")" "$(mib "$k_r")"
    echo "  R: $(agree "$out/r.tsv")"
    awk -v a="$s_zn" -v b="$el" -v c="$s_r" 'BEGIN { printf "  zn-mm-fit (whole run) is %.1fx R nls whole run, %.1fx its fitting loop alone (target >= 50x)\n", c / a, b / a }'
fi
if [ $have_py = 1 ]; then
    el=$(tr -d ' \n' < "$out/py_el.txt")
    printf '%-36s %8.2f s %8s fits/s (fitting loop %.2f s: %s fits/s) %s MiB\n' "scipy curve_fit (a loop)" "$s_py" "$(fps "$s_py")" "$el" "$(fps "$el")" "$(mib "$k_py")"
    echo "  scipy: $(agree "$out/py.tsv")"
    awk -v a="$s_zn" -v b="$el" -v c="$s_py" 'BEGIN { printf "  zn-mm-fit (whole run) is %.1fx scipy whole run, %.1fx its fitting loop alone (target >= 10x)\n", c / a, b / a }'
fi
