# Shared setup for the bats suites.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
: "${ZN_BIN:?}" "${ZN_TOP:?}"
PATH="$ZN_BIN:$PATH"
export ZNFLOW_BIN="$ZN_BIN"   # the pipeline scripts use the programs under test
# make install in the tests builds with the flags of the build under test (a
# sanitizer build-san/ is not relinked with plain flags)
case $ZN_BIN in */build-san/bin) export ZN_SANITIZE=${ZN_SANITIZE:-1} ;; esac
FIX="$ZN_TOP/tests/fixtures"
SAMPLES="$ZN_TOP/../shared/samples"
export LC_ALL=C

# col NAME: the values of one column of a table (header first) on stdin
col() { awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { print $k }'; }

setup() {
    T="$BATS_TEST_TMPDIR"
}

# a small valid trace stream (plain text)
trace_plain() {
    printf '##znr=1\n##schema=trace\n#sample\tcondition\tcell\trole\tframe\tt\tF\n'
    printf 'd1\tctl\tbg1\tbg\t0\t0\t41.2\nd1\tctl\tbg1\tbg\t1\t2\t41.5\n'
    printf 'd1\tctl\tr1\tcell\t0\t0\t182.5\nd1\tctl\tr1\tcell\t1\t2\t0.1\n'
}

need_samples() {
    [ -d "$SAMPLES" ] || skip "shared/samples is not beside the project"
}

# same_table A B TOL: A and B are TSV tables of the same shape; numeric fields
# agree within relative tolerance TOL (absolute below 1e-300), all other
# fields are identical.  Prints the first difference.
same_table() {
    awk -F'\t' -v tol="$3" '
        function num(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
        NR == FNR { a[FNR] = $0; na = FNR; next }
        { nb = FNR; split(a[FNR], x, "\t"); n = split($0, y, "\t")
          if (length(a[FNR]) == 0 && FNR > na) { print "B has more lines than A (line " FNR ")"; bad = 1; exit }
          if (n != length(x)) { print "line " FNR ": " length(x) " fields vs " n; bad = 1; exit }
          for (i = 1; i <= n; i++) {
              if (num(x[i]) && num(y[i])) {
                  d = x[i] - y[i]; if (d < 0) d = -d; m = (x[i] < 0 ? -x[i] : x[i]);
                  if (d > tol * m && d > 1e-300) { print "line " FNR " field " i ": " x[i] " vs " y[i]; bad = 1; exit }
              } else if (x[i] != y[i]) { print "line " FNR " field " i ": \"" x[i] "\" vs \"" y[i] "\""; bad = 1; exit }
          } }
        END { if (!bad && na != nb) { print "A has " na " lines, B has " nb; bad = 1 } exit bad }' "$1" "$2"
}

# records without meta lines
records() { grep -v '^##'; }
export -f same_table records trace_plain
