#!/usr/bin/env bats
# zn-mm-fit's logistic fits where the least squares are hard: a curved valley
# the optimiser crawls along, and data with no finite optimum.  The data are
# dish means of simulated NVS-ZP7-4 series (the er-ic50 design: 7
# concentrations x 3 dishes, ec50 0.15 uM, hill 1.3, 12 % scatter per dish).
load helper

# zcol NAME: one column of a ZNR stream on stdin
zcol() { zn-view --tsv -c "$1" | tail -n +2; }

series() { # series NAME X... -- Y...: a two-column ZNR file
    local f=$T/$1.znr; shift
    local xs=() ys=() a=x
    for v in "$@"; do [ "$v" = -- ] && { a=y; continue; }; if [ $a = x ]; then xs+=("$v"); else ys+=("$v"); fi; done
    { printf '##znr=1\n#conc_uM\tmean_final\n'; paste <(printf '%s\n' "${xs[@]}") <(printf '%s\n' "${ys[@]}"); } > "$f"
}

@test "mm-fit 4pl: a fit along a curved valley converges to the optimum scipy confirms (was no_convergence at 200 iterations)" {
    # 1/y2 weights from the curve: Prism's reweighting; each round's
    # Levenberg-Marquardt crawls (hundreds of iterations) because plateau,
    # ec50 and hill trade off and the residuals are not small.  Reference:
    # scipy least_squares (xtol=ftol=gtol=1e-15) with the weights 1/f^2 held
    # at this optimum returns it: ec50 0.22177318, hill 1.5278991, bottom
    # 1.0500225, top 2.3227932 (a fixed point of the reweighting)
    series s37 0 0 0 0.01 0.01 0.01 0.03 0.03 0.03 0.1 0.1 0.1 0.3 0.3 0.3 1 1 1 3 3 3  -- 0.9573718184 0.7882129924 1.170486384 1.31469086 0.905728897 1.148812191 1.058416141 1.234754361 1.183801991 1.343397168 1.281373675 1.153873191 2.061060057 1.893341259 1.898162669 1.796643192 2.035625245 2.222259432 2.502166572 2.157365076 2.581287516 
    zn-mm-fit -u -q -m 4pl -x conc_uM -y mean_final -w 1/y2 --ci profile "$T/s37.znr" > "$T/f.znr"
    [ "$(zcol status < "$T/f.znr")" = ok ]
    awk -v e="$(zcol ec50 < "$T/f.znr")" -v h="$(zcol hill < "$T/f.znr")" -v b="$(zcol bottom < "$T/f.znr")" -v t="$(zcol top < "$T/f.znr")" '
        function rel(a, b) { return (a > b ? a - b : b - a) / b }
        BEGIN { exit !(rel(e, 0.22177318) < 2e-5 && rel(h, 1.5278991) < 2e-5 && rel(b, 1.0500225) < 2e-5 && rel(t, 2.3227932) < 2e-5) }'
}

@test "mm-fit 4pl: data that step between two concentrations have no finite optimum: ambiguous, saying where the step is" {
    # the means jump from ~1.45 at 0.1 uM to ~2.1 at 0.3 uM and stay: the
    # sum of squares keeps falling as hill grows (scipy, hill held: 1.5236 at
    # 1, 1.3273 at 3, 1.32061 at 10, 1.3206071 at 50; unweighted), so there
    # is no hill and no ec50 beyond "between 0.1 and 0.3".  It used to stop
    # as no_convergence ("did not converge in 200 iterations"); with more
    # iterations it would stop at some hill ~ 26 and call that a fit
    series s102 0 0 0 0.01 0.01 0.01 0.03 0.03 0.03 0.1 0.1 0.1 0.3 0.3 0.3 1 1 1 3 3 3  -- 0.9233431114 0.8233392729 0.867421755 0.8787323606 1.007177032 1.100668532 0.9527011136 1.148736534 1.127853067 1.239608873 1.636982426 1.468212437 1.725875642 2.603209537 2.092672931 1.632582459 2.582719209 1.975504861 2.194261831 2.400522358 1.694324619 
    for w in 1/y2 none; do
        zn-mm-fit -u -q -m 4pl -x conc_uM -y mean_final -w $w --ci profile "$T/s102.znr" > "$T/f.znr"
        [ "$(zcol status < "$T/f.znr")" = ambiguous ]
        zcol reason < "$T/f.znr" | grep -E '^hill ran off \(\+?[0-9.]+ and growing\): the data step between x = 0.1 and 0.3 with no point on the slope; no finite optimum; hold hill \(--fix hill=...\) or measure between them; ec50 between [0-9.]+ and [0-9.]+ \(95 % profile interval\)$'
        [ "$(zcol ec50 < "$T/f.znr")$(zcol hill < "$T/f.znr")$(zcol top < "$T/f.znr")" = "" ]
        # ec50 keeps its profile interval (the step's SS is the infimum)
        awk -v l="$(zcol ec50_lo < "$T/f.znr")" -v h="$(zcol ec50_hi < "$T/f.znr")" -v ll="$(zcol logec50_lo < "$T/f.znr")" '
            BEGIN { exit !(l > 0.03 && l < 0.1 && h > 0.15 && h < 0.4 && (ll - log(l) / log(10)) ^ 2 < 1e-20) }'
        [ $w = none ] && cp "$T/f.znr" "$T/none.znr"
    done
    # unweighted, against the exact profile (tests/ref/step_profile.py: with
    # ec50 and hill held bottom and top are linear): SSmin 1.320607116 (the
    # step at 0.1 with the 0.1 dishes at their own level), limits
    # 0.0480979195 and 0.185567169
    awk -v l="$(zcol ec50_lo < "$T/none.znr")" -v h="$(zcol ec50_hi < "$T/none.znr")" '
        BEGIN { exit !((l / 0.0480979195 - 1) ^ 2 < 1e-14 && (h / 0.185567169 - 1) ^ 2 < 1e-14) }'
    if command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
        awk -F'\t' '/^[^#]/ { print $1 "\t" $2 }' "$T/s102.znr" > "$T/s102.tsv"
        /usr/bin/python3 "$ZN_TOP/tests/ref/step_profile.py" "$T/s102.tsv" | grep -F 'ec50 interval 0.0480979195 0.185567169'
    fi
    # holding hill settles it: a fit, ec50 between the two concentrations
    zn-mm-fit -u -q -m 4pl --fix hill=1.3 -x conc_uM -y mean_final -w 1/y2 "$T/s102.znr" > "$T/f.znr"
    [ "$(zcol status < "$T/f.znr")" = ok ]
    awk -v e="$(zcol ec50 < "$T/f.znr")" 'BEGIN { exit !(e > 0.1 && e < 0.3) }'
    # a genuinely steep but finite curve is not called a run-off: the same
    # design from hill 4 (no noise) fits with hill 4
    { printf '##znr=1\n#conc_uM\tmean_final\n'
      for x in 0 0.01 0.03 0.1 0.3 1 3; do awk -v x=$x 'BEGIN { printf "%s\t%.12g\n", x, x == 0 ? 1 : 1 + 1.4 / (1 + (0.15 / x) ^ 4) }'; done; } > "$T/h4.znr"
    zn-mm-fit -u -q -m 4pl -x conc_uM -y mean_final "$T/h4.znr" > "$T/f.znr"
    [ "$(zcol status < "$T/f.znr")" = ok ]
    awk -v h="$(zcol hill < "$T/f.znr")" 'BEGIN { exit !(h > 3.999999 && h < 4.000001) }'
}

@test "mm-fit 4pl: the ec50's profile interval covers the truth at the nominal rate over 1000 series of the er-ic50 design" {
    command -v python3 >/dev/null || skip "python3 is not installed"
    # the design's dish means without the imaging (tests/ref/ic50_design.py,
    # Mersenne twister): what the fit and its interval do, apart from the
    # chain (tests/demo.bats runs 100 series through the chain).  Measured:
    # 973 of 1000 fit (ok), their intervals covering 0.9466 (misses 29 low,
    # 23 high: symmetric); 27 are steps with no point on the slope
    # (ambiguous), 25 of them with an ec50 interval (20 cover).  An interval
    # may be open on one side (a limit the data do not bound).  Over the
    # 998 intervals 0.9429, over all 1000 series 0.941.  Nominal within 3
    # binomial SD (0.93 at n ~ 990); every fit that is not ok says why, and
    # those are at most 3 SD of a Poisson above 2.75 %.
    python3 "$ZN_TOP/tests/ref/ic50_design.py" 1000 |
        zn-mm-fit -q -u --by sim -m 4pl -x conc_uM -y mean_final --weight 1/y2 --ci profile |
        zn-view --tsv -c status,ec50_lo,ec50_hi,reason | tail -n +2 > "$T/all"
    run awk -F'\t' '{ n++; if ($1 != "ok") { bad++; if ($4 !~ /^(hill ran off .* the data step between|ec50 ran off (above|below) the)/) odd++ }
                      if ($2 == "" && $3 == "") next
                      ok++; c += ($2 == "" || $2 <= 0.15) && ($3 == "" || 0.15 <= $3) }
        END { p = c / ok; printf "n=%d, an interval in %d: coverage %.4f, over all %.4f; not ok %d (%d unexplained)\n", n, ok, p, c / n, bad, odd
              exit !(n == 1000 && odd == 0 && bad <= 27.5 + 3 * sqrt(27.5) && p >= 0.95 - 3 * sqrt(0.95 * 0.05 / ok)) }' "$T/all"
    printf "# %s\n" "${lines[@]}" >&3
    assert_success
}
