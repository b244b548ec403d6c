#!/usr/bin/env bats
# zn-metrics: the half-rise time, the window changes (delta_NAME), the flags
# of an empty response window, by hand; t_half against the FluoZin-3 demo's
# true rise constants; false responders in simulated fast-bleaching dishes.
# (The other metrics against numpy: tests/report.bats, tests/ref/report_ref.py.)

load helper

# a trace of one cell: baseline 0-9 s at F = 1, then F = $1 (6 values, t 10-15)
rise() {
    printf '##znr=1\n##schema=trace\n##window=baseline:0:9\n#sample\tcell\trole\tframe\tt\tF\n'
    for i in 0 1 2 3 4 5 6 7 8 9; do printf 's\tc\tcell\t%d\t%d\t1\n' $i $i; done
    i=10
    for f in $1; do printf 's\tc\tcell\t%d\t%d\t%s\n' $i $i "$f"; i=$((i + 1)); done
}

@test "metrics: t_half is where the running mean reaches half of the rise, interpolated between frames (by hand)" {
    rise "1 2 4 8 9 9" > "$T/r.znr"
    # --smooth 1: baseline 1, peak 9 (t 14), half level 5; frames t 12 (4) and
    # t 13 (8): 12 + (5 - 4)/(8 - 4) = 12.25, so t_half 2.25 after the window's start
    run bash -c "zn-metrics -u --response 10:15 --smooth 1 $T/r.znr | zn-view --tsv -c t_peak,time_to_peak,t_half,amplitude,responder"
    assert_success
    assert_line --index 1 "$(printf '14\t4\t2.25\t8\t1')"
    # --smooth 3: running means 7/3, 14/3, 7, 26/3 at t 11, 12, 13, 14 (the
    # middle of their frames); peak 26/3, half level 1 + (26/3 - 1)/2 = 29/6;
    # between t 12 (28/6) and t 13 (42/6): 12 + 1/14
    run bash -c "zn-metrics -u --response 10:15 --smooth 3 $T/r.znr | zn-view --tsv -c t_peak,t_half"
    assert_line --index 1 "$(printf '14\t2.07142857142857')"
    # a step at the window's start: the first running mean is already above
    # half; the one before it is the baseline at the start (10 s, 1):
    # --smooth 1: 10 + (5 - 1)/(9 - 1) * (10 - 10) = 10 -> 0;
    # --smooth 3: first mean 9 at t 11: 10 + 0.5 * (11 - 10) -> 0.5
    rise "9 9 9 9 9 9" > "$T/s.znr"
    run bash -c "zn-metrics -u --response 10:15 --smooth 1 $T/s.znr | zn-view --tsv -c t_half"
    assert_line --index 1 0
    run bash -c "zn-metrics -u --response 10:15 --smooth 3 $T/s.znr | zn-view --tsv -c t_half"
    assert_line --index 1 0.5
    # no time of a rise for a cell that does not respond (as t_peak)
    rise "1 1 1 1 1 1" > "$T/f.znr"
    run bash -c "zn-metrics -u --response 10:15 $T/f.znr | zn-view --tsv -c t_peak,t_half,responder"
    assert_line --index 1 "$(printf '\t\t0')"
    run bash -c "zn-metrics -u --response 10:15 $T/r.znr | zn-view --meta | grep unit.t_half"
    assert_output '##unit.t_half=s'
}

@test "metrics: delta_NAME = mean over the window - baseline mean (by hand), its unit, empty without a baseline" {
    rise "1 2 4 8 9 9" > "$T/r.znr"
    # late = 13:15: (8 + 9 + 9)/3 = 26/3; minus the baseline 1: 23/3
    run bash -c "zn-metrics -u --response 10:15 --window late=13:15 --window all=10:15 $T/r.znr | zn-view --tsv -c mean_late,mean_all,delta_late,delta_all"
    assert_success
    assert_line --index 0 "$(printf 'mean_late\tmean_all\tdelta_late\tdelta_all')"
    assert_line --index 1 "$(printf '8.66666666666667\t5.5\t7.66666666666667\t4.5')"
    run bash -c "sed '2a ##unit.F=a.u.' $T/r.znr | zn-metrics -u --response 10:15 --window late=13:15 | zn-view --meta | grep 'unit\.[md]'"
    assert_output "$(printf '##unit.mean_late=a.u.\n##unit.delta_late=a.u.')"
    # no baseline value: no change either
    sed 's/^\(s	c	cell	[0-9]	[0-9]	\)1$/\1/' "$T/r.znr" > "$T/nb.znr"
    run bash -c "zn-metrics -u --response 10:15 --window late=13:15 $T/nb.znr | zn-view --tsv -c mean_late,delta_late,flag"
    assert_line --index 1 "$(printf '8.66666666666667\t\tno_baseline;missing_values')"
}

@test "metrics: frames in the response window without a value are no_response_values; a window with no frame is no_response_window" {
    # the cell's response frames have no value (a failed calibration, a lost cell)
    rise "x x x x x x" | sed 's/x$//' > "$T/e.znr"
    run bash -c "zn-metrics -u --response 10:15 $T/e.znr | zn-view --tsv -c flag"
    assert_line --index 1 'no_response_values;missing_values'
    # the window lies after the trace's end: no frame at all
    rise "1 2 4 8 9 9" > "$T/r.znr"
    run bash -c "zn-metrics -u --response 100:200 $T/r.znr | zn-view --tsv -c peak,flag"
    assert_line --index 1 "$(printf '\tno_response_window')"
    # the default window (t after the baseline) on a trace that ends with it
    head -n 13 "$T/r.znr" > "$T/b.znr"
    run bash -c "zn-metrics -u $T/b.znr | zn-view --tsv -c flag"
    assert_line --index 1 'no_response_window'
}

@test "metrics: t_half on the FluoZin-3 demo follows the true rise constants (tau ln 2), time_to_peak does not" {
    # The generator (tools/make-examples.py) raises [Zn] from 120 s (the
    # response window's start) as rest + amp (1 - exp(-(t - 120)/tau)), tau
    # 40-90 s: the half rise is at tau ln 2.  Expected deviations, from the
    # model: the window (278 s) ends before the plateau is reached (1 -
    # exp(-278/tau) >= 0.954), which moves t_half by at most -4.2 s (tau 90);
    # the peak, a maximum of running means, lies about one noise SD (0.4 nM
    # at 10 nM) above the plateau, which moves it by about +0.4 tau/amp s
    # (<= +9 s at amp 3, +3 s typical).  So the mean error is within 5 s.
    command -v /usr/bin/python3 >/dev/null || skip "python3 is not installed"
    "$ZN_TOP/pipelines/fluozin3.sh" --no-report -o "$T/fz" "$ZN_TOP/examples/manifest.tsv" > /dev/null 2>&1
    zn-view --tsv -c sample,cell,time_to_peak,t_half,responder "$T"/fz/dish*.metrics.znr.gz > "$T/m.tsv"
    run /usr/bin/python3 -c '
import csv, math, sys
tr = {(r["dish"], r["cell"]): r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")}
tau, th, ttp = [], [], []
for r in csv.DictReader(open(sys.argv[2]), delimiter="\t"):
    t = tr[(r["sample"], r["cell"])]
    if t["responder"] == "1" and t["calibrates"] == "1":
        if not r["t_half"]: print("no t_half", r); sys.exit(1)
        tau.append(float(t["tau_s"])); th.append(float(r["t_half"])); ttp.append(float(r["time_to_peak"]))
def corr(x, y):
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    return sxy / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))
bias = sum(b - a * math.log(2) for a, b in zip(tau, th)) / len(tau)
print("n %d  r(t_half, tau) %.3f  r(time_to_peak, tau) %.3f  mean t_half - tau ln 2 %.2f s" % (len(tau), corr(tau, th), corr(tau, ttp), bias))
sys.exit(not (len(tau) == 98 and corr(tau, th) >= 0.9 and abs(bias) <= 5))' "$ZN_TOP/examples/truth/fluozin3_cells.tsv" "$T/m.tsv"
    printf "# %s\n" "${lines[@]}" >&3
    assert_success
}

@test "metrics: false responders among flat cells of fast-bleaching dishes stay below alpha (10 simulated dishes, 300 cells)" {
    # Issue 16's target: a cell without a response is called a responder with
    # probability at most alpha (0.05).  The FluoZin-3 demo's dish4 (bleaching
    # 11 % over 10 min) called 2 of its 7 flat cells; dishes made like it,
    # all cells flat (tests/ref/fz_sim.py), through the demo's chain:
    # 50 of 1800 (2.8 %) at tau_bleach 5000 s, 47 of 1800 at 30000 s (NOTES.md)
    command -v /usr/bin/python3 >/dev/null || skip "python3 is not installed"
    for s in $(seq 1 10); do
        /usr/bin/python3 "$ZN_TOP/tests/ref/fz_sim.py" "$s" 5000 "$T/s$s.csv"
        zn-ingest -u --interval 2 --bg 1 --sample "s$s" --window baseline=0:118 --window response=120:398 \
                --window max=440:498 --window min=540:598 "$T/s$s.csv" |
            zn-background -u | zn-bleach -q -u --window baseline,max,560:598 | zn-ratio -u |
            zn-calibrate -q -u --sensor FluoZin-3 --unit nM | zn-metrics -u | zn-view --tsv -c responder | tail -n +2
    done > "$T/r"
    run awk '{ n++; r += $1 } END { print r " of " n; exit !(n == 300 && r <= 0.05 * n) }' "$T/r"
    printf "# %s\n" "${lines[@]}" >&3
    assert_success
}
