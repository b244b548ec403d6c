#!/usr/bin/env bats
# Man pages: they lint clean, every option in --help is documented, and the
# EXAMPLES run (lines starting with "$ " in .EX blocks, continued with "\").

load helper

pages() { ls "$ZN_TOP"/man/*.[157]; }

@test "man pages lint clean (groff -ww)" {
    for m in $(pages); do
        run env LC_ALL=C.UTF-8 groff -ww -man -Tutf8 -z "$m"
        assert_output ""
    done
}

@test "every program has a man page with NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, EXAMPLES, SEE ALSO" {
    for p in "$ZN_BIN"/zn-*; do
        m="$ZN_TOP/man/$(basename "$p").1"
        [ -f "$m" ] || fail "no man page for $(basename "$p")"
        for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
            grep -q "^\.SH $s\$" "$m" || grep -q "^\.SH \"$s\"\$" "$m" || fail "$m has no $s section"
        done
    done
}

@test "every long option in --help is in the man page" {
    for p in "$ZN_BIN"/zn-*; do
        m="$ZN_TOP/man/$(basename "$p").1"
        for o in $("$p" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
            esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
            grep -q -- "$esc" "$m" || fail "$(basename "$p"): $o is in --help but not in $m"
        done
    done
}

@test "the EXAMPLES of every page run" {
    cp -r "$FIX"/* "$T"/
    cp -r "$ZN_TOP/examples" "$T"/
    cd "$T"
    n=0
    for m in $(pages); do
        # text of .EX blocks in the EXAMPLES section, roff escapes undone
        sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$m" | sed -n '/^\.EX/,/^\.EE/p' | grep -v '^\.E[XE]' |
            sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\e$/\\/' > "$T/ex.txt"
        cmds=$(awk '/^\$ / { c = substr($0, 3); while (c ~ /\\$/ && (getline l) > 0) { sub(/\\$/, "", c); c = c l } print c }' "$T/ex.txt")
        while IFS= read -r c; do
            [ -n "$c" ] || continue
            n=$((n + 1))
            run bash -o pipefail -c "$c"
            [ "$status" -eq 0 ] || fail "$(basename "$m"): example failed (status $status): $c
$output"
        done <<< "$cmds"
    done
    [ "$n" -ge 8 ] || fail "only $n examples found: is the extraction broken?"
}

@test "every program's --help fits 80 columns" {
    for p in "$ZN_BIN"/zn-*; do
        run "$p" --help
        assert_success
        awk -v p="${p##*/}" 'length > 80 { printf "%s: %d columns: %s\n", p, length, $0; bad = 1 } END { exit bad }' <<< "$output"
    done
}
