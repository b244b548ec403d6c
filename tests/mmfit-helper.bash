# Shared by the zn-mm-fit suites (load after helper).

# the fit records as a plain table: header without '#', no meta lines, no
# iterations column (it depends on the algorithm, not on the answer)
fits() {
    grep -v '^##' | sed 's/^#//' | awk -F'\t' -v OFS='\t' '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == "iterations") k = i }
        { s = ""; for (i = 1; i <= NF; i++) if (i != k) s = s (s == "" && i == 1 ? "" : OFS) $i; print s }'
}

check() { # check EXPECTED ARGS...: zn-mm-fit ARGS agrees with EXPECTED (relative TOL, default 1e-7)
    local exp="$FIX/expected/$1"; shift
    zn-mm-fit -u "$@" | fits > "$T/got.tsv"
    run same_table "$exp" "$T/got.tsv" ${TOL:-1e-7}
    assert_success
}
