#!/usr/bin/env bats
# Every error and warning of the imaging filters and of the trace layer in
# libzn, with its exit status and its exact message.

load helper

H='##znr=1\n##schema=trace\n#sample\tcondition\tcell\trole\tframe\tt\tF\n'
# tr RECORDS: a trace with one channel F
tr() { printf "$H"; printf "$@"; }
export H
export -f tr

# fails STATUS MESSAGE COMMAND: the command fails with STATUS and its
# standard error starts with MESSAGE (usage errors add a "Try ..." line)
fails() {
    local want=$1 msg=$2
    shift 2
    run bash -c "$* 2>&1 >/dev/null"
    assert_equal "$status" "$want"
    assert_line --index 0 "$msg"
}

@test "trace layer: schema, unit of t, missing column, frame, t, role, a field that is not a number" {
    fails 1 "zn-background: (standard input): column t is in 'min'; traces keep t in seconds (##unit.t=s)" \
        "printf '##znr=1\n##schema=trace\n##unit.t=min\n#sample\tcondition\tcell\trole\tframe\tt\tF\nd\tc\tr\tcell\t0\t0\t1\n' | zn-background --value 1"
    fails 1 "zn-background: (standard input): schema trace: missing required column 'role'" \
        "printf '##znr=1\n##schema=trace\n#sample\tcondition\tcell\tframe\tt\tF\nd\tc\tr\t0\t0\t1\n' | zn-background --value 1"
    fails 1 "zn-ratio: (standard input):4: column 'frame': \"1.5\" is not a frame index (0, 1, 2, ...)" \
        "tr 'd\tc\tr\tcell\t1.5\t0\t1\n' | zn-ratio --no-baseline"
    fails 1 "zn-ratio: (standard input):4: column 'frame': missing value" "tr 'd\tc\tr\tcell\t\t0\t1\n' | zn-ratio --no-baseline"
    fails 1 "zn-ratio: (standard input):4: column 't': missing value" "tr 'd\tc\tr\tcell\t0\t\t1\n' | zn-ratio --no-baseline"
    fails 1 "zn-ratio: (standard input):4: column 'role': \"roi\" is neither cell nor bg" \
        "tr 'd\tc\tr\troi\t0\t0\t1\n' | zn-ratio --no-baseline"
    # a buffered cell still names the line of the bad field
    fails 1 "zn-ratio: (standard input):5: column 'F': \"12,5\" is not a number (decimal comma? see zn-ingest --decimal-comma)" \
        "tr 'd\tc\tr\tcell\t0\t0\t1\nd\tc\tr\tcell\t1\t1\t12,5\n' | zn-ratio --no-baseline"
    fails 1 "zn-calibrate: (standard input):5: column 'F': \"12,5\" is not a number (decimal comma? see zn-ingest --decimal-comma)" \
        "tr 'd\tc\tr\tcell\t0\t0\t1\nd\tc\tr\tcell\t1\t1\t12,5\n' | zn-calibrate --kd 1nM --fmin 0 --fmax 10"
    fails 1 "zn-background: (standard input):4: column 'F': \"12,5\" is not a number (decimal comma? see zn-ingest --decimal-comma)" \
        "tr 'd\tc\tr\tcell\t0\t0\t12,5\n' | zn-background --value 1"
}

@test "zn-background: usage and data errors" {
    fails 2 "zn-background: --channels: column 'F' is named twice" "tr 'd\tc\tr\tcell\t0\t0\t1\n' | zn-background --value 1 --channels F,F"
    fails 1 "zn-background: (standard input): no fluorescence channel (F or F_*) to correct; name one with --channels" \
        "printf '##znr=1\n##schema=trace\n#sample\tcondition\tcell\trole\tframe\tt\tG\nd\tc\tr\tcell\t0\t0\t1\n' | zn-background --value 1"
    fails 2 'zn-background: --value: "x=" is not V or COL=V (e.g. F_CFP=102.5)' "zn-background --value x= /dev/null"
    fails 2 'zn-background: --value: "=5" is not V or COL=V (e.g. F_CFP=102.5)' "zn-background --value =5 /dev/null"
    fails 1 "zn-background: (standard input):4: background ROI frame 20000000: frames above 16777216 are not supported" \
        "tr 'd\tc\tb\tbg\t20000000\t0\t1\n' | zn-background"
    fails 2 "zn-background: --control works on uptake records; --value, --channels, --keep-bg, --allow-missing and --smooth are for traces" \
        "zn-background --control a=b --value 1 /dev/null"
    fails 2 "zn-background: --control: \"construct\" is not COL=VALUE (e.g. construct=vector)" "zn-background --control construct /dev/null"
    fails 2 "zn-background: --keep-control needs --control" "zn-background --keep-control /dev/null"
    fails 2 "zn-background: --value subtracts constants from every record: --keep-bg and --allow-missing do not apply" \
        "zn-background --value 1 --keep-bg /dev/null"
    fails 1 "zn-background: (standard input):3: no control (construct=vector) at conc_uM=1, time_min=10: every key needs its control records (the control's values there are all missing)" \
        "printf '##znr=1\n#construct\tconc_uM\ttime_min\trate\nZIP4\t1\t10\t50\nvector\t1\t10\t\n' | zn-background --control construct=vector"
    fails 1 "zn-background: (standard input):3: column 'rate': \"x\" is not a number" \
        "printf '##znr=1\n#construct\tconc_uM\ttime_min\trate\nZIP4\t1\t10\tx\nvector\t1\t10\t1\n' | zn-background --control construct=vector"
}

@test "zn-ratio: usage errors" {
    fails 2 "zn-ratio: --num and --den go together (R = num / den)" "zn-ratio --num F /dev/null"
    fails 2 "zn-ratio: --signal is for one channel; with --num/--den the signal is R" "zn-ratio --num F --den F --signal F /dev/null"
    fails 2 "zn-ratio: cross-talk correction needs --num and --den" "zn-ratio --donor-bleed 0.1 /dev/null"
    fails 2 "zn-ratio: --acceptor is only used with --acceptor-direct" "zn-ratio --num F --den F --acceptor F /dev/null"
    fails 2 "zn-ratio: --baseline and --no-baseline exclude each other" "zn-ratio --baseline 0:1 --no-baseline /dev/null"
    fails 2 "zn-ratio: --bleach fits the baseline window: it needs one" "zn-ratio --no-baseline --bleach exp /dev/null"
    fails 2 'zn-ratio: --bleach: "lin" is not a method (exp)' "zn-ratio --bleach lin /dev/null"
    fails 2 'zn-ratio: --donor-bleed: "abc" is not a number' "zn-ratio --num F --den F --donor-bleed abc /dev/null"
}

@test "zn-ratio: a baseline with no values; a bleaching fit that cannot be made" {
    # issue 14: the cell is flagged and the run goes on (it used to end the run)
    run bash -c "tr 'd\tc\tr\tcell\t0\t0\t\nd\tc\tr\tcell\t1\t1\t5\n' | zn-ratio -u --baseline 0:0 2>&1 | records"
    assert_success
    assert_line --index 0 "zn-ratio: (standard input): sample 'd' cell 'r' has no values in the baseline window 0:0 s (all 1 missing or a zero denominator); not normalised, flagged no_baseline"
    assert_line --index 3 "$(printf 'd\tc\tr\tcell\t1\t1\t5\t\t\t\tno_baseline')"
    run bash -c "tr 'd\tc\tr\tcell\t0\t0\t5\nd\tc\tr\tcell\t1\t1\t5\n' | zn-ratio -u --bleach exp --baseline 0:1 2>&1 | records"
    assert_success
    assert_line --index 0 "zn-ratio: (standard input): sample 'd' cell 'r': no photobleaching fit (fewer than 3 baseline values); left uncorrected, flagged bleach_fit_failed"
    assert_line --index 2 "$(printf 'd\tc\tr\tcell\t0\t0\t5\t5\t1\t0\t\tbleach_fit_failed')"
}

@test "zn-calibrate: usage errors" {
    fails 2 'zn-calibrate: --stat: "mode" is not median or mean' "zn-calibrate --stat mode /dev/null"
    fails 2 'zn-calibrate: --unit: "mM" is not pM, nM or uM' "zn-calibrate --unit mM /dev/null"
    fails 2 "zn-calibrate: --max-scatter: 0 is not positive" "zn-calibrate --max-scatter 0 /dev/null"
    fails 2 "zn-calibrate: --hill: -1 is not positive" "zn-calibrate --kd 1nM --hill -1 /dev/null"
    fails 2 "zn-calibrate: a constant Smin/Smax and a window for the same end exclude each other" \
        "zn-calibrate --kd 1nM --fmin 1 --min-window 0:1 /dev/null"
    fails 2 "zn-calibrate: Smax (1) must be above Smin (5)" "zn-calibrate --kd 1nM --fmin 5 --fmax 1 /dev/null"
    fails 2 "zn-calibrate: --sensors: /nonexistent: cannot open: No such file or directory" "zn-calibrate --sensors /nonexistent --list-sensors"
}

@test "zn-calibrate: no signal column, no Smin, a window without values, a sensor of the wrong kind" {
    fails 1 "zn-calibrate: (standard input): no column F or R to calibrate; name the signal with --signal COL" \
        "printf '##znr=1\n##schema=trace\n#sample\tcondition\tcell\trole\tframe\tt\tG\nd\tc\tr\tcell\t0\t0\t1\n' | zn-calibrate --kd 1nM --fmin 0 --fmax 2"
    fails 1 "zn-calibrate: (standard input): no Smin: the meta has no ##window=min (TPEN); give --min-window START:END or --fmin VALUE" \
        "tr 'd\tc\tr\tcell\t0\t0\t1\n' | zn-calibrate --kd 1nM --fmax 2"
    run bash -c "tr 'd\tc\tr\tcell\t0\t0\t\n' | zn-calibrate --kd 1nM --fmin 0 --max-window 0:0 2>&1 >/dev/null"
    assert_success
    assert_output "zn-calibrate: (standard input): sample 'd' cell 'r': bad calibration: max window: no values in the window"
    run bash -c "printf '##znr=1\n##schema=trace\n#sample\tcondition\tcell\trole\tframe\tt\tR\nd\tc\tr\tcell\t0\t0\t1\n' | zn-calibrate --sensor FluoZin-3 --fmin 0 --fmax 2 2>&1 >/dev/null"
    assert_success
    assert_output "zn-calibrate: FluoZin-3 is an intensity sensor but the signal is R (a ratio)"
    run bash -c "tr 'd\tc\tr\tcell\t0\t0\t1\n' | zn-calibrate --sensor ZapCY2 --fmin 0 --fmax 2 2>&1 >/dev/null"
    assert_success
    assert_output "zn-calibrate: ZapCY2 is a FRET sensor but the signal is F (make R with zn-ratio --num/--den)"
}

@test "zn-calibrate: a user catalogue with a bad line is refused, naming the line" {
    cd "$T"
    printf 'A\tintensity\t1nM\t-\t-\t-\n' > c1.tsv
    fails 2 "zn-calibrate: c1.tsv:1: 6 fields; a sensor line has 7 (name kind kd hill beta target source)" "zn-calibrate --sensors c1.tsv --list-sensors"
    printf '# comment\nA\tbright\t1nM\t-\t-\t-\t-\n' > c2.tsv
    fails 2 'zn-calibrate: c2.tsv:2: kind "bright" is not intensity, ratio or FRET' "zn-calibrate --sensors c2.tsv --list-sensors"
    printf 'A\tintensity\t1nM\tx\t-\t-\t-\n' > c3.tsv
    fails 2 'zn-calibrate: c3.tsv:1: hill "x" is not a positive number or -' "zn-calibrate --sensors c3.tsv --list-sensors"
    printf 'A\tintensity\t1nM\t-\t0\t-\t-\n' > c4.tsv
    fails 2 'zn-calibrate: c4.tsv:1: beta "0" is not a positive number or -' "zn-calibrate --sensors c4.tsv --list-sensors"
    printf 'A-1\tintensity\t1nM\t-\t-\t-\t-\na1\tintensity\t1nM\t-\t-\t-\t-\n' > c5.tsv
    fails 2 'zn-calibrate: c5.tsv:2: sensor "a1" is listed twice' "zn-calibrate --sensors c5.tsv --list-sensors"
}

@test "trace layer: t must increase within a cell (duplicate, decreasing); every trace filter says where" {
    # issue 14: zn-metrics integrated an area of 40 for 60 and put t_peak at 10 for 5
    local dup="d\tc\tr\tcell\t0\t0\t1\nd\tc\tr\tcell\t1\t5\t2\nd\tc\tr\tcell\t2\t5\t3\n"
    local back="d\tc\tr\tcell\t0\t0\t1\nd\tc\tr\tcell\t1\t10\t2\nd\tc\tr\tcell\t2\t5\t3\n"
    local msg="(standard input):6: column 't': sample 'd' cell 'r' frame 2 has t = 5 s, not after frame 1's t = %s s (times must increase within a cell; check the time column or --interval of zn-ingest)"
    fails 1 "zn-ratio: $(printf "$msg" 5)" "tr '$dup' | zn-ratio --no-baseline"
    fails 1 "zn-ratio: $(printf "$msg" 10)" "tr '$back' | zn-ratio --no-baseline"
    fails 1 "zn-background: $(printf "$msg" 10)" "tr '$back' | zn-background --value 1"
    fails 1 "zn-calibrate: $(printf "$msg" 10)" "tr '$back' | zn-calibrate --kd 1nM --fmin 0 --fmax 10"
    fails 1 "zn-metrics: $(printf "$msg" 10)" "tr '$back' | zn-metrics --baseline 0:0"
    fails 1 "zn-report: $(printf "$msg" 10)" "tr '$back' | zn-report"
    fails 1 "zn-view: $(printf "$msg" 10)" "tr '$back' | zn-view --check"
    fails 1 "zn-bleach: $(printf "$msg" 10)" "tr '$back' | zn-bleach --window 0:10"
    # negative times that increase are fine (time relative to a stimulus), and a new cell starts again
    run bash -c "tr 'd\tc\tr\tcell\t0\t-10\t1\nd\tc\tr\tcell\t1\t-5\t2\nd\tc\ts\tcell\t0\t-10\t1\n' | zn-ratio -u --baseline -10:-5 | records | cut -f6,8-10"
    assert_success
    assert_output "$(printf 't\tF0\tF_F0\tdF_F0\n-10\t1.5\t0.666666666666667\t-0.333333333333333\n-5\t1.5\t1.33333333333333\t0.333333333333333\n-10\t1\t1\t0')"
}

@test "windows given as options: an end before the start says so" {
    fails 2 'zn-calibrate: --max-window: "10:5" ends (5 s) before it starts (10 s); give START:END with START <= END' \
        "tr 'd\tc\tr\tcell\t0\t0\t1\n' | zn-calibrate --kd 1nM --max-window 10:5 --fmin 0"
    fails 2 'zn-ratio: --baseline: "60:0" ends (0 s) before it starts (60 s); give START:END with START <= END' \
        "zn-ratio --baseline 60:0 /dev/null"
    fails 2 'zn-metrics: --response: "9:-1" ends (-1 s) before it starts (9 s); give START:END with START <= END' \
        "tr 'd\tc\tr\tcell\t0\t0\t1\n' | zn-metrics --baseline 0:0 --response 9:-1"
}

@test "zn-calibrate: Smax not above Smin names the two values and no scatter figure" {
    # issue 14: "Smax is not above Smin (0.3% > 20.0%)" stated a false clause
    run bash -c "tr 'd\tc\tr\tcell\t0\t2\t10\nd\tc\tr\tcell\t1\t3\t10\nd\tc\tr\tcell\t2\t4\t100\nd\tc\tr\tcell\t3\t5\t100.3\n' | zn-calibrate --kd 15nM --max-window 2:3 --min-window 4:5 2>&1 >/dev/null"
    assert_success
    assert_output "zn-calibrate: (standard input): sample 'd' cell 'r': bad calibration: Smax is not above Smin (10 <= 100.15)"
}
