#!/usr/bin/env bats
# zn-mm-fit --fix for the Michaelis-Menten family (issue 18 part 2
# continued): held parameters leave the fitted vector, as for 4pl.
# References: scipy (tests/ref/mmfit_ref.py -> fixtures/expected/mmfit_fix_*)
# and the identity hill with h = 1 == mm.
load helper
load mmfit-helper

@test "mm-fit --fix kd=0.5: mm+linear with the nonspecific uptake held (scipy)" {
    check mmfit_fix_mmlinear.tsv -m mm+linear --fix kd=0.5 --by construct "$FIX/mm_uptake.znr"
    zn-mm-fit -u -m mm+linear --fix kd=0.5 "$FIX/mm_uptake.znr" | grep -q '^##fit=mm+linear:.*:fix=kd=0.5$'
}

@test "mm-fit --fix Km=3: competitive inhibition with a known Km, compared with mixed holding the same Km (scipy)" {
    check mmfit_fix_comp.tsv -m comp --fix Km=3 --compare mixed "$FIX/mm_inhib.znr"
}

@test "mm-fit --fix Vmax=250 --ci profile: one parameter left, its profile interval (scipy)" {
    check mmfit_fix_vmax_profile.tsv -m mm --fix Vmax=250 --by construct --ci profile "$FIX/mm_uptake.znr"
}

@test "mm-fit --fix h=1: the Hill model with h held is Michaelis-Menten (same estimates, SEs, rss, df, AICc)" {
    zn-mm-fit -u --by construct "$FIX/mm_uptake.znr" | fits > "$T/mm.tsv"
    zn-mm-fit -u -m hill --fix h=1 --by construct "$FIX/mm_uptake.znr" | fits > "$T/h.tsv"
    [ "$(col h < "$T/h.tsv" | sort -u)" = 1 ]
    [ -z "$(col h_se < "$T/h.tsv" | sort -u)" ]
    for c in Vmax Vmax_se Vmax_lo Vmax_hi rss df sy_x r2 aicc; do
        paste <(col $c < "$T/mm.tsv") <(col $c < "$T/h.tsv") > "$T/p"
        run awk -v c=$c '{ d = ($1 - $2) / $1; if (d < 0) d = -d; if (!(d < 1e-8)) { print c ": " $1 " vs " $2; exit 1 } }' "$T/p"
        assert_success
    done
    paste <(col Km < "$T/mm.tsv") <(col Khalf < "$T/h.tsv") <(col Km_se < "$T/mm.tsv") <(col Khalf_se < "$T/h.tsv") > "$T/p"
    run awk '{ if (!((($1 - $2) / $1)^2 < 1e-16 && (($3 - $4) / $3)^2 < 1e-16)) { print; exit 1 } }' "$T/p"
    assert_success
    # --share works with a held parameter: Khalf shared, h held
    zn-mm-fit -u -m hill --fix h=1 --by construct --share Khalf "$FIX/mm_uptake.znr" | fits > "$T/s.tsv"
    zn-mm-fit -u --by construct --share Km "$FIX/mm_uptake.znr" | fits > "$T/sm.tsv"
    run awk -v a="$(col share_F < "$T/s.tsv" | head -1)" -v b="$(col share_F < "$T/sm.tsv" | head -1)" \
        'BEGIN { d = (a - b) / b; if (d < 0) d = -d; exit !(d < 1e-7) }'
    assert_success
}

@test "mm-fit --fix: errors name the model's parameters; --compare's model must have the held ones" {
    u() { local st=$1 msg=$2; shift 2; run zn-mm-fit -u "$@"; assert_failure "$st"; assert_line --index 0 "$msg"; }
    u 2 'zn-mm-fit: --fix: Kd is not a parameter of model mm (Vmax, Km)' --fix Kd=2 "$FIX/mm_uptake.znr"
    u 2 'zn-mm-fit: --fix: Km must be > 0' --fix Km=0 "$FIX/mm_uptake.znr"
    u 2 'zn-mm-fit: --fix: h must be > 0' -m hill --fix h=-1 "$FIX/mm_uptake.znr"
    u 2 'zn-mm-fit: --fix: nothing left to fit' --fix Vmax=1,Km=2 "$FIX/mm_uptake.znr"
    u 2 "zn-mm-fit: --fix: Km is held, but --compare's model hill has no Km; compare models that share it" \
        --fix Km=3 --compare hill "$FIX/mm_uptake.znr"
    u 2 "zn-mm-fit: --share: Km is held (--fix); it cannot also be shared" --by construct --fix Km=3 --share Km "$FIX/mm_uptake.znr"
    # kd may be negative (it is not kept positive)
    run zn-mm-fit -u -m mm+linear --fix kd=-0.1 "$FIX/mm_uptake.znr"
    assert_success
}
