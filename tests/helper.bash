# Shared setup for the bats suites.
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
: "${ZN_BIN:?}" "${ZN_TOP:?}"
PATH="$ZN_BIN:$PATH"
FIX="$ZN_TOP/tests/fixtures"
SAMPLES="$ZN_TOP/../shared/samples"
export LC_ALL=C

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
