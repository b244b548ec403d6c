#!/usr/bin/env bats
# The ZNR format and zn-view: round trips, compression shape, concatenation,
# truncation, bad input, write failures, locale.

load helper

@test "plain -> gz -> plain round trip is byte-exact" {
    trace_plain > "$T/a.znr"
    zn-view --no-provenance "$T/a.znr" > "$T/a.znr.gz"
    run gzip -dc "$T/a.znr.gz"
    assert_success
    assert_output "$(cat "$T/a.znr")"
    zn-view --no-provenance -u "$T/a.znr.gz" | cmp - "$T/a.znr"
}

@test "output is BGZF: gzip members with the BC field, ending in the 28-byte EOF member" {
    trace_plain > "$T/a.znr"
    zn-view "$T/a.znr" > "$T/a.gz"
    # first member header: 1f 8b 08 04 ... 06 00 42 43 02 00
    run bash -c "head -c 16 '$T/a.gz' | od -An -tx1 | tr -d ' \n'"
    assert_output --regexp '^1f8b0804.{10}ff0600424302'
    run bash -c "tail -c 28 '$T/a.gz' | od -An -tx1 | tr -d ' \n'"
    assert_output "1f8b08040000000000ff0600424302001b0003000000000000000000"
}

@test "a big stream is cut into many members, each ending on a record" {
    awk 'BEGIN { print "##znr=1"; print "#sample\tcell\tframe\tF";
                 for (i = 0; i < 60000; i++) printf "d1\tc%d\t%d\t%.4f\n", i % 50, i, i / 7 }' > "$T/big.znr"
    zn-view --no-provenance -o "$T/big.gz" "$T/big.znr"
    zn-view --no-provenance -u "$T/big.gz" | cmp - "$T/big.znr"
    # every member's data ends with a newline: decompress member by member
    run python3 - "$T/big.gz" <<'PY'
import sys, zlib, struct
d = open(sys.argv[1], 'rb').read(); i = 0; n = 0; bad = 0
while i < len(d):
    bsize = struct.unpack('<H', d[i+16:i+18])[0] + 1
    data = zlib.decompress(d[i+18:i+bsize-8], -15)
    if data and not data.endswith(b'\n'): bad += 1
    n += 1; i += bsize
print(n, bad)
PY
    [ "$status" -eq 0 ] || skip "python3 not available"
    read -r members bad <<< "$output"
    [ "$members" -gt 10 ]
    [ "$bad" -eq 0 ]
}

@test "-l 9 writes a valid, smaller file; -l 0 stores" {
    awk 'BEGIN { print "##znr=1"; print "#a\tb"; for (i = 0; i < 20000; i++) print i "\t" i % 7 }' > "$T/x.znr"
    zn-view -l 9 -o "$T/x9.gz" "$T/x.znr"
    zn-view -l 0 -o "$T/x0.gz" "$T/x.znr"
    [ "$(stat -c %s "$T/x9.gz")" -lt "$(stat -c %s "$T/x0.gz")" ]
    gzip -t "$T/x9.gz" "$T/x0.gz"
}

@test "the block codec (libdeflate when built with it) and zlib (ZN_ZLIB=1) write the same records, CRCs checked" {
    awk 'BEGIN { print "##znr=1"; print "#sample\tcell\tframe\tF";
                 for (i = 0; i < 80000; i++) printf "d1\tc%d\t%d\t%.6f\n", i % 50, i, sin(i) * 1000 }' > "$T/big.znr"
    zn-view --no-provenance -o "$T/a.gz" "$T/big.znr"
    ZN_ZLIB=1 zn-view --no-provenance -o "$T/z.gz" "$T/big.znr"
    gzip -t "$T/a.gz" "$T/z.gz"
    gzip -dc "$T/a.gz" | cmp - "$T/big.znr"
    gzip -dc "$T/z.gz" | cmp - "$T/big.znr"
    for l in 1 6 9; do zn-view --no-provenance -l $l "$T/big.znr" -o "$T/l.gz"; gzip -dc "$T/l.gz" | cmp - "$T/big.znr"; done
    # both readers check the CRC: flip a bit of the first member's CRC field
    bsize=$(( $(od -An -tu2 -j16 -N2 "$T/a.gz") + 1 ))
    cp "$T/a.gz" "$T/bad.gz"
    byte=$(od -An -tu1 -j$((bsize - 8)) -N1 "$T/a.gz")
    printf "$(printf '\\%03o' $(( byte ^ 1 )))" | dd of="$T/bad.gz" bs=1 seek=$((bsize - 8)) conv=notrunc 2> /dev/null
    run zn-view -u "$T/bad.gz"
    assert_failure 1
    assert_output --partial "corrupt gzip data"
    run env ZN_ZLIB=1 zn-view -u "$T/bad.gz"
    assert_failure 1
    assert_output --partial "corrupt gzip data in the member at byte 0 (zlib: incorrect data check)"
}

@test "-l out of range is a usage error" {
    run zn-view -l 12 /dev/null
    assert_failure 2
    assert_line --index 0 "zn-view: -l/--level: \"12\" is not a level from 0 to 9"
    assert_line --index 1 "Try 'zn-view --help' for more information."
}

@test "concatenated gz files are one stream, segments kept" {
    trace_plain > "$T/a.znr"
    trace_plain | sed 's/^d1/d2/' > "$T/b.znr"
    zn-view --no-provenance -o "$T/a.gz" "$T/a.znr"
    zn-view --no-provenance -o "$T/b.gz" "$T/b.znr"
    cat "$T/a.gz" "$T/b.gz" > "$T/ab.gz"
    run zn-view --check "$T/ab.gz"
    assert_success
    assert_output "$T/ab.gz: ok: 8 records in 2 segments, schema trace"
    run zn-view --tsv "$T/ab.gz"
    assert_success
    assert_line --index 0 "sample	condition	cell	role	frame	t	F"
    [ "${#lines[@]}" -eq 9 ]
}

@test "several files on the command line are one stream" {
    trace_plain > "$T/a.znr"
    trace_plain | sed 's/^d1/d2/' > "$T/b.znr"
    run zn-view --check "$T/a.znr" "$T/b.znr"
    assert_success
    assert_output "stream: ok: 8 records in 2 segments, schema trace"
}

@test "segments with different headers are an error naming both" {
    trace_plain > "$T/a.znr"
    printf '##znr=1\n#sample\tcell\n' > "$T/b.znr"
    run zn-view -u "$T/a.znr" "$T/b.znr"
    assert_failure 1
    assert_output --partial "zn-view: $T/b.znr:2: this segment's columns differ from the first segment's ($T/a.znr:3): \"sample	cell\" vs \"sample	condition	cell	role	frame	t	F\""
}

@test "truncated gzip in the middle of a member is an error" {
    trace_plain > "$T/a.znr"
    zn-view -o "$T/a.gz" "$T/a.znr"
    head -c 60 "$T/a.gz" > "$T/cut.gz"
    run zn-view -u "$T/cut.gz"
    assert_failure 1
    assert_output --partial "zn-view: $T/cut.gz: truncated gzip data: the file ends in the middle of a member"
}

@test "a file cut exactly between members (no EOF marker) is an error" {
    trace_plain > "$T/a.znr"
    zn-view -o "$T/a.gz" "$T/a.znr"
    head -c -28 "$T/a.gz" > "$T/cut.gz"
    gzip -t "$T/cut.gz"   # gzip itself cannot tell
    run zn-view -u "$T/cut.gz"
    assert_failure 1
    assert_output --partial "zn-view: $T/cut.gz: truncated: the BGZF end-of-file marker is missing, so the file was cut short"
}

@test "a cut file followed by another one in a concatenation is detected" {
    trace_plain > "$T/a.znr"
    zn-view -o "$T/a.gz" "$T/a.znr"
    head -c -28 "$T/a.gz" > "$T/cut.gz"
    cat "$T/cut.gz" "$T/a.gz" > "$T/both.gz"
    run zn-view -u "$T/both.gz"
    assert_failure 1
    assert_output --partial "the one before it was cut short (no BGZF end-of-file marker before it)"
}

@test "plain gzip (not BGZF) from gzip itself is read" {
    trace_plain | gzip -c > "$T/a.gz"
    run zn-view --check "$T/a.gz"
    assert_success
    assert_output "$T/a.gz: ok: 4 records in 1 segment, schema trace"
}

@test "corrupt gzip data is an error" {
    trace_plain > "$T/a.znr"
    zn-view -o "$T/a.gz" "$T/a.znr"
    printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xffgarbage-garbage' > "$T/bad.gz"
    run zn-view -u "$T/bad.gz"
    assert_failure 1
    assert_output --partial "zn-view: $T/bad.gz: corrupt gzip data"
}

@test "empty input is an error" {
    : > "$T/empty"
    run zn-view -u "$T/empty"
    assert_failure 1
    assert_output "zn-view: $T/empty: empty input (expected a ZNR stream starting with ##znr=1)"
}

@test "header only is a valid empty stream" {
    printf '##znr=1\n##schema=trace\n#sample\tcell\trole\tframe\tt\tF\n' > "$T/h.znr"
    run zn-view --check "$T/h.znr"
    assert_success
    assert_output "$T/h.znr: ok: 0 records in 1 segment, schema trace"
}

@test "a CSV export given to zn-view says to use zn-ingest" {
    run zn-view -u "$FIX/fiji_wide.csv"
    assert_failure 1
    assert_output "zn-view: $FIX/fiji_wide.csv:1: not a ZNR stream: the first line should be \"##znr=1\" (an instrument export? convert it with zn-ingest)"
}

@test "unsupported version" {
    printf '##znr=2\n#a\n' > "$T/v2"
    run zn-view -u "$T/v2"
    assert_failure 1
    assert_output "zn-view: $T/v2:1: unsupported ZNR version \"2\" (this is zn-view 0.1.0, which reads version 1)"
}

@test "ragged row names file and line" {
    { trace_plain; printf 'd1\tctl\tr1\tcell\t2\t4\n'; } > "$T/r.znr"
    run zn-view -u "$T/r.znr"
    assert_failure 1
    assert_output "zn-view: $T/r.znr:8: ragged row: 6 fields, the header has 7 columns"
}

@test "--check: a non-number names the column and the value, with a hint" {
    { trace_plain; printf 'd1\tctl\tr1\tcell\t2\t4\t12,5\n'; } > "$T/n.znr"
    run zn-view --check "$T/n.znr"
    assert_failure 1
    assert_output "zn-view: $T/n.znr:8: column 'F': \"12,5\" is not a number (decimal comma? see zn-ingest --decimal-comma)"
}

@test "--check: missing required column" {
    printf '##znr=1\n##schema=trace\n#sample\tcell\tframe\tF\n' > "$T/m.znr"
    run zn-view --check "$T/m.znr"
    assert_failure 1
    assert_output "zn-view: $T/m.znr: schema trace: missing required columns 'role', 't'"
}

@test "--check: frames out of order" {
    { trace_plain; printf 'd1\tctl\tr1\tcell\t1\t2\t3\n'; } > "$T/o.znr"
    run zn-view --check "$T/o.znr"
    assert_failure 1
    assert_output --partial "zn-view: $T/o.znr:8: not in canonical order: sample 'd1' cell 'r1' frame 1 comes after frame 1"
}

@test "--check: the same sample in two concatenated segments is out of order" {
    trace_plain > "$T/a.znr"
    run zn-view --check "$T/a.znr" "$T/a.znr"
    assert_failure 1
    assert_output "zn-view: $T/a.znr:4: not in canonical order: sample 'd1' cell 'bg1' appears again after other cells: the frames of a cell must be together (zn-ingest writes canonical order; to sort a stream made otherwise, see \"Canonical order\" in man znr)"
}

@test "--check: a cell that comes back after another is out of order" {
    { trace_plain; printf 'd1\tctl\tr2\tcell\t0\t0\t3\nd1\tctl\tr1\tcell\t5\t10\t3\n'; } > "$T/o.znr"
    run zn-view --check "$T/o.znr"
    assert_failure 1
    assert_output --partial "zn-view: $T/o.znr:9: not in canonical order: sample 'd1' cell 'r1' appears again after other cells"
}

@test "--check: background after the cells of its sample" {
    { trace_plain; printf 'd1\tctl\tbg2\tbg\t0\t0\t3\n'; } > "$T/o.znr"
    run zn-view --check "$T/o.znr"
    assert_failure 1
    assert_output --partial "not in canonical order: background ROI 'bg2' of sample 'd1' comes after its cells"
}

@test "-c selects and reorders columns; a missing one is named" {
    trace_plain > "$T/a.znr"
    run zn-view -u --no-provenance -c cell,F "$T/a.znr"
    assert_success
    assert_line --index 2 "#cell	F"
    assert_line --index 3 "bg1	41.2"
    run zn-view -u -c cell,G "$T/a.znr"
    assert_failure 1
    assert_output "zn-view: $T/a.znr: missing column 'G' (the stream has: sample, condition, cell, role, frame, t, F)"
}

@test "--meta prints the meta lines; provenance is appended by each program" {
    trace_plain > "$T/a.znr"
    zn-view -u "$T/a.znr" | zn-view -u -c sample,cell,role,frame,t,F > "$T/b.znr"
    run zn-view --meta "$T/b.znr"
    assert_success
    assert_line --index 0 "##znr=1"
    assert_line --index 1 "##schema=trace"
    assert_line --index 2 "##pg=zn-view 0.1.0 -u $T/a.znr"
    assert_line --index 3 "##pg=zn-view 0.1.0 -u -c sample,cell,role,frame,t,F"
}

@test "writing to a full disk fails with exit 1 (compressed and plain)" {
    trace_plain > "$T/a.znr"
    run bash -c "zn-view '$T/a.znr' > /dev/full"
    assert_failure 1
    assert_output "zn-view: write error on standard output: No space left on device"
    run bash -c "zn-view -u '$T/a.znr' > /dev/full"
    assert_failure 1
}

@test "-o: a failed run leaves no file, and no temporary file" {
    { trace_plain; printf 'bad\n'; } > "$T/r.znr"
    mkdir "$T/out"
    run zn-view -o "$T/out/x.gz" "$T/r.znr"
    assert_failure 1
    run ls -A "$T/out"
    assert_output ""
}

@test "-o: success replaces the file atomically" {
    trace_plain > "$T/a.znr"
    echo old > "$T/x.gz"
    zn-view -o "$T/x.gz" "$T/a.znr"
    gzip -t "$T/x.gz"
    [ "$(ls "$T" | grep -c tmp)" -eq 0 ]
}

@test "numbers are read and written the same under a German locale" {
    locale -a 2>/dev/null | grep -qi '^de_DE' || skip "no German locale installed"
    trace_plain > "$T/a.znr"
    run env LC_ALL=de_DE.UTF-8 zn-ingest -u --no-provenance --interval 0.5 "$FIX/fiji_wide.csv"
    assert_success
    assert_line --index 7 "fiji_wide		1	cell	1	0.5	110"
    assert_line --index 9 "fiji_wide		2	cell	0	0	200"
}

@test "--help to stdout exits 0; --version" {
    run zn-view --help
    assert_success
    assert_line --index 0 "Usage: zn-view [OPTIONS] [FILE...]"
    assert_output --partial "--no-provenance"
    run zn-view --version
    assert_success
    assert_output "zn-view (znflow) 0.1.0"
}

@test "an unknown option is a usage error (exit 2)" {
    run zn-view --frobnicate
    assert_failure 2
    assert_line --index 1 "Try 'zn-view --help' for more information."
}

@test "a terminal on stdin and no file prints usage instead of waiting" {
    command -v script >/dev/null || skip "script(1) not available"
    run script -qec "$ZN_BIN/zn-view" /dev/null
    assert_output --partial "zn-view: no input: name a file or pipe a stream in."
}

@test "CRLF line ends in a ZNR file are tolerated" {
    trace_plain | sed 's/$/\r/' > "$T/crlf.znr"
    run zn-view --check "$T/crlf.znr"
    assert_success
}

@test "--progress reports the number of records on stderr" {
    trace_plain > "$T/a.znr"
    run bash -c "zn-view --progress -u '$T/a.znr' 2>&1 >/dev/null | tr '\r' '\n' | tail -n 1"
    assert_output "zn-view: 4 records, done"
}

@test "--progress to a log file: one newline-terminated line per report, no carriage returns" {
    awk 'BEGIN { print "##znr=1"; print "#sample\tcell\tframe\tF"; for (i = 0; i < 2200000; i++) printf "d\tc\t%d\t1\n", i }' > "$T/big.znr"
    zn-view --progress -u "$T/big.znr" > /dev/null 2> "$T/log"
    run grep -c $'\r' "$T/log"
    assert_output 0
    run cat "$T/log"
    assert_output "$(printf 'zn-view: 1048576 records\nzn-view: 2097152 records\nzn-view: 2200000 records, done')"
    [ "$(tail -c 1 "$T/log" | od -An -c | tr -d ' ')" = '\n' ]
}

@test "make install honours PREFIX and DESTDIR" {
    run make -C "$ZN_TOP" --no-print-directory install PREFIX=/opt/zn DESTDIR="$T/root" BUILD="${ZN_BIN%/bin}" SANITIZE="${ZN_SANITIZE:-}"
    assert_success
    [ -x "$T/root/opt/zn/bin/zn-ingest" ]
    [ -x "$T/root/opt/zn/bin/zn-view" ]
    [ -f "$T/root/opt/zn/share/man/man5/znr.5" ]
    [ -f "$T/root/opt/zn/share/man/man1/zn-ingest.1" ]
    [ -f "$T/root/opt/zn/share/znflow/schemas/trace.schema" ]
}

@test "malformed streams: each problem named with file and line" {
    printf '##znr=1\n##oops\n#a\n' > "$T/m.znr"
    run zn-view -u "$T/m.znr"
    assert_failure 1
    assert_output "zn-view: $T/m.znr:2: meta line \"##oops\" is not ##key=value"
    printf '##znr=1\n#a\n1\n#b\n' > "$T/m.znr"
    run zn-view -u "$T/m.znr"
    assert_failure 1
    assert_output "zn-view: $T/m.znr:4: a line beginning with '#' among the records: a meta or header line (a new segment must begin with ##znr=1), or a record whose first field begins with '#', which the format does not allow"
    printf '##znr=1\n#a\t\n' > "$T/m.znr"
    run zn-view -u "$T/m.znr"
    assert_failure 1
    assert_output "zn-view: $T/m.znr:2: header column 2 has no name"
    printf '##znr=1\n#a\ta\n' > "$T/m.znr"
    run zn-view -u "$T/m.znr"
    assert_failure 1
    assert_output "zn-view: $T/m.znr:2: column 'a' appears twice in the header (columns 1 and 2)"
    printf '##znr=1\n##x=1\n' > "$T/m.znr"
    run zn-view -u "$T/m.znr"
    assert_failure 1
    assert_output "zn-view: $T/m.znr:2: the stream ends before its header line (#col1<TAB>col2...)"
    printf '##znr=1\n1\n' > "$T/m.znr"
    run zn-view -u "$T/m.znr"
    assert_failure 1
    assert_output "zn-view: $T/m.znr:2: expected the header line (#col1<TAB>col2...) after the meta lines, found a record"
    printf '##znr=1\n##window=base:5:1\n#a\n' > "$T/m.znr"
    run zn-view --check "$T/m.znr"
    assert_failure 1
    assert_output "zn-view: $T/m.znr: meta: window \"base:5:1\" ends before it starts"
}

@test "a file that does not exist" {
    run zn-view "$T/nonexist.gz"
    assert_failure 1
    assert_output "zn-view: $T/nonexist.gz: cannot open: No such file or directory"
}

@test "-o files get the usual permissions (umask), not mkstemp's 0600" {
    trace_plain > "$T/a.znr"
    (umask 022; zn-view -o "$T/p.gz" "$T/a.znr")
    run stat -c %a "$T/p.gz"
    assert_output "644"
}

# ---------------------------------------------------------------- issue 14

magic() { head -c 2 "$1" | od -An -tx1 | tr -d ' \n'; }

@test "a pipe gets plain text: zn-view FILE.gz | grep finds the records" {
    trace_plain | zn-view -z -o "$T/a.gz"
    [ "$(magic "$T/a.gz")" = 1f8b ]
    run bash -c "zn-view '$T/a.gz' | grep -c '^d1'"
    assert_output 4
    # every filter: a pipe between two gets text, no flag needed
    run bash -c "trace_plain | zn-view | head -c 6"
    assert_output "##znr="
    run bash -c "zn-ingest --interval 5 --bg 1 '$FIX/fiji_fluozin3.csv' | zn-background | head -c 6"
    assert_output "##znr="
}

@test "a regular file gets BGZF: -o FILE, -o on an existing file, and a redirect" {
    trace_plain > "$T/a.znr"
    zn-view -o "$T/new.gz" "$T/a.znr"
    [ "$(magic "$T/new.gz")" = 1f8b ]
    zn-view --no-provenance -o "$T/new.gz" "$T/a.znr"
    [ "$(magic "$T/new.gz")" = 1f8b ]
    zn-view "$T/a.znr" > "$T/redir.gz"
    [ "$(magic "$T/redir.gz")" = 1f8b ]
    zn-view "$T/a.znr" >> "$T/redir.gz"
    gzip -t "$T/redir.gz"
    zn-view -o - "$T/a.znr" > "$T/dash.gz"
    [ "$(magic "$T/dash.gz")" = 1f8b ]
    zn-view --no-provenance -u "$T/new.gz" | cmp - "$T/a.znr"
}

@test "-u forces text to a file, -z/--gzip forces BGZF to a pipe; -o - is standard output" {
    trace_plain > "$T/a.znr"
    zn-view --no-provenance -u -o "$T/u.znr" "$T/a.znr"
    cmp "$T/u.znr" "$T/a.znr"
    zn-view --no-provenance -u "$T/a.znr" > "$T/u2.znr"
    cmp "$T/u2.znr" "$T/a.znr"
    run bash -c "zn-view -z '$T/a.znr' | od -An -tx1 -N2 | tr -d ' '"
    assert_output 1f8b
    run bash -c "zn-view --gzip '$T/a.znr' | gzip -dc | grep -c '^d1'"
    assert_output 4
    run bash -c "zn-view -o - '$T/a.znr' | head -c 6"
    assert_output "##znr="
    [ ! -e ./- ]
    # the last of -u and -z wins
    run bash -c "zn-view -z -u '$T/a.znr' | head -c 6"
    assert_output "##znr="
}

@test "zn-mm-fit --curve-output follows the same rule (a file: BGZF; -u: text)" {
    zn-mm-fit --by construct --curve 5 --curve-output "$T/c.gz" "$FIX/mm_uptake.znr" > /dev/null
    [ "$(magic "$T/c.gz")" = 1f8b ]
    zn-mm-fit -u --by construct --curve 5 --curve-output "$T/c.txt" "$FIX/mm_uptake.znr" > /dev/null
    [ "$(head -c 6 "$T/c.txt")" = "##znr=" ]
}

# two traces with different samples, a few hundred kB each so that they span
# several BGZF blocks
two_traces() {
    for s in d1 d2; do
        awk -v s="$s" 'BEGIN { print "##znr=1"; print "##schema=trace"; print "#sample\tcondition\tcell\trole\tframe\tt\tF"
            for (c = 0; c < 30; c++) for (f = 0; f < 400; f++) printf "%s\tctl\tr%d\tcell\t%d\t%d\t%.3f\n", s, c, f, 2 * f, 100 + (c * f) % 97 / 7 }' > "$T/$s.znr"
    done
}

@test "a filter writing several segments to BGZF writes a stream that reads back (zn-view -o m.gz a.gz b.gz)" {
    two_traces
    zn-view --no-provenance -o "$T/a.gz" "$T/d1.znr"
    zn-view --no-provenance -o "$T/b.gz" "$T/d2.znr"
    zn-view --no-provenance -o "$T/m.gz" "$T/a.gz" "$T/b.gz"
    run zn-view --check "$T/m.gz"
    assert_success
    assert_output "$T/m.gz: ok: 24000 records in 2 segments, schema trace"
    zn-view --no-provenance -u "$T/m.gz" | cmp - <(cat "$T/d1.znr" "$T/d2.znr")
    # and again, one stream of two segments in, two segments out
    zn-view --no-provenance -o "$T/m2.gz" "$T/m.gz"
    cmp "$T/m.gz" "$T/m2.gz"
}

@test "cat a.gz b.gz | zn-metrics -o x.gz reads back" {
    awk -F'\t' '/^#/ || $1 == "dish1"' "$FIX/metrics_trace.znr" | zn-view -o "$T/a.gz"
    awk -F'\t' '/^#/ || $1 == "dish2"' "$FIX/metrics_trace.znr" | zn-view -o "$T/b.gz"
    cat "$T/a.gz" "$T/b.gz" | zn-metrics --response 30:102 -o "$T/x.gz"
    run zn-view --check "$T/x.gz"
    assert_success
    assert_output --regexp "ok: [0-9]+ records in 2 segments, schema metrics"
    # the same records as one zn-metrics over the two samples as one segment
    awk -F'\t' '/^#/ || $1 == "dish1" || $1 == "dish2"' "$FIX/metrics_trace.znr" | zn-metrics --response 30:102 --no-provenance |
        grep -v '^#' > "$T/one.tsv"
    zn-view -u "$T/x.gz" | grep -v '^#' | cmp - "$T/one.tsv"
}

@test "bgzip of concatenated text reads back, also when a segment starts exactly at a block boundary" {
    two_traces
    cat "$T/d1.znr" "$T/d2.znr" | bgzip -c > "$T/c.gz"
    run zn-view --check "$T/c.gz"
    assert_success
    assert_output "$T/c.gz: ok: 24000 records in 2 segments, schema trace"
    # a first file of exactly one bgzip block (0xff00 = 65280 bytes): the
    # second ##znr=1 is the first byte of the second block
    python3 - "$T/e.znr" <<'PY'
import sys
out = '##znr=1\n##schema=trace\n#sample\tcondition\tcell\trole\tframe\tt\tF\n'
f = 0
while 65280 - len(out) > 100:
    out += 'd1\tctl\tr1\tcell\t%d\t%d\t1.5\n' % (f, f); f += 1
line = 'd1\tctl\tr1\tcell\t%d\t%d\t1.' % (f, f)
out += line + '5' * (65280 - len(out) - len(line) - 1) + '\n'
open(sys.argv[1], 'w').write(out)
PY
    [ "$(stat -c %s "$T/e.znr")" -eq 65280 ]
    cat "$T/e.znr" "$T/d2.znr" | bgzip -c > "$T/e.gz"
    run zn-view --check "$T/e.gz"
    assert_success
}

@test "a complete plain-gzip member after a BGZF file reads back; BGZF after plain gzip is still checked" {
    two_traces
    zn-view -o "$T/a.gz" "$T/d1.znr"
    gzip -c "$T/d2.znr" > "$T/b.gz"
    cat "$T/a.gz" "$T/b.gz" > "$T/ab.gz"
    run zn-view --check "$T/ab.gz"
    assert_success
    assert_output "$T/ab.gz: ok: 24000 records in 2 segments, schema trace"
    # plain gzip first, then a BGZF file cut before its EOF member
    zn-view -o "$T/a2.gz" "$T/d2.znr"
    gzip -c "$T/d1.znr" > "$T/p.gz"
    cat "$T/p.gz" <(head -c -28 "$T/a2.gz") > "$T/pc.gz"
    run zn-view --check "$T/pc.gz"
    assert_failure 1
    assert_output --partial "truncated: the BGZF end-of-file marker is missing"
}

@test "truncation is still caught: a file cut in half before a good one, a file without its final EOF member" {
    two_traces
    zn-view -o "$T/a.gz" "$T/d1.znr"
    zn-view -o "$T/b.gz" "$T/d2.znr"
    head -c $(( $(stat -c %s "$T/a.gz") / 2 )) "$T/a.gz" > "$T/half.gz"
    cat "$T/half.gz" "$T/b.gz" > "$T/hb.gz"
    run zn-view --check "$T/hb.gz"
    assert_failure 1
    head -c -28 "$T/b.gz" > "$T/noeof.gz"
    run zn-view --check "$T/noeof.gz"
    assert_failure 1
    assert_output --partial "truncated: the BGZF end-of-file marker is missing"
    # cut exactly between members (each member ends on a line), then a good file
    cat "$T/noeof.gz" "$T/a.gz" > "$T/na.gz"
    run zn-view --check "$T/na.gz"
    assert_failure 1
    assert_output --partial "the one before it was cut short"
    # and a multi-segment file written by a filter, cut before its last EOF member
    zn-view -o "$T/m.gz" "$T/a.gz" "$T/b.gz"
    head -c -28 "$T/m.gz" > "$T/mcut.gz"
    run zn-view --check "$T/mcut.gz"
    assert_failure 1
    assert_output --partial "truncated: the BGZF end-of-file marker is missing"
}

@test "-o on a device, a FIFO or /dev/stdout writes to it; the node stays what it was" {
    trace_plain > "$T/a.znr"
    if [ "$(id -u)" = 0 ]; then
        mknod "$T/null" c 1 3
        zn-view -o "$T/null" "$T/a.znr"
        [ -c "$T/null" ]
    fi
    mkfifo "$T/fifo"
    cat "$T/fifo" > "$T/from-fifo" &
    zn-view --no-provenance -o "$T/fifo" "$T/a.znr"
    wait
    [ -p "$T/fifo" ]
    cmp "$T/from-fifo" "$T/a.znr"   # a FIFO is a pipe: plain text
    # /dev/stdout is the descriptor, also when it is redirected to a file
    zn-view --no-provenance -u -o /dev/stdout "$T/a.znr" > "$T/redir"
    cmp "$T/redir" "$T/a.znr"
    run bash -c "zn-view -o /dev/stdout '$T/a.znr' | head -c 6"
    assert_output "##znr="
    ls -A "$T" | grep -v '\.tmp\.' > /dev/null
    run bash -c "ls -A '$T' | grep -c '\.tmp\.'"
    assert_output 0
}

@test "-o through a symbolic link replaces the target's content and keeps the link" {
    trace_plain > "$T/a.znr"
    mkdir "$T/data"
    printf 'old\n' > "$T/data/target.gz"
    ln -s data/target.gz "$T/link.gz"
    zn-view --no-provenance -o "$T/link.gz" "$T/a.znr"
    [ -L "$T/link.gz" ]
    [ "$(readlink "$T/link.gz")" = data/target.gz ]
    zn-view --no-provenance -u "$T/data/target.gz" | cmp - "$T/a.znr"
    # a dangling link: the target is created through it
    ln -s data/new.gz "$T/dangling.gz"
    zn-view -o "$T/dangling.gz" "$T/a.znr"
    [ -L "$T/dangling.gz" ]
    [ -s "$T/data/new.gz" ]
    # a directory is refused
    run zn-view -o "$T/data" "$T/a.znr"
    assert_failure 1
    assert_output --partial "is a directory"
}

@test "SIGINT, SIGTERM, SIGHUP and SIGPIPE during -o remove the temporary file" {
    for sig in INT TERM HUP PIPE; do
        mkfifo "$T/in.$sig"
        env --default-signal zn-view -o "$T/out.$sig.gz" "$T/in.$sig" &
        pid=$!
        exec 8> "$T/in.$sig"
        trace_plain >&8
        for _ in $(seq 50); do ls "$T"/out.$sig.gz.tmp.* > /dev/null 2>&1 && break; sleep 0.1; done
        ls "$T"/out.$sig.gz.tmp.* > /dev/null   # the temporary file exists while it runs
        kill -s "$sig" "$pid"
        status=0
        wait "$pid" || status=$?
        exec 8>&-
        [ "$status" -eq $((128 + $(kill -l "$sig"))) ] || fail "SIG$sig: status $status"
        run bash -c "ls '$T' | grep -c 'out\.$sig'"
        assert_output 0
    done
}

@test "##pg records the final -o name, not the temporary one" {
    trace_plain > "$T/a.znr"
    zn-view -o "$T/x.gz" "$T/a.znr"
    run zn-view --meta "$T/x.gz"
    assert_output --partial "pg=zn-view $(zn-view --version | awk "{ print \$3 }") -o $T/x.gz $T/a.znr"
    refute_output --partial ".tmp."
}

@test "a text field beginning with '#' in the first column is refused by the writer, naming it" {
    # zn-ingest refuses such names itself (usage error); the writer is the net under every program
    printf 'Frame,Mean1,Mean2\n1,10,20\n2,11,21\n' > "$T/#dish.csv"
    run zn-ingest --interval 1 -o "$T/x.gz" "$T/#dish.csv"
    assert_failure
    assert_output --partial "begins with '#'"
    [ ! -e "$T/x.gz" ]
    # a cell named #3 is data in the second column, and a header line when -c puts it first
    printf '##znr=1\n#sample\tcell\nd1\t#3\n' > "$T/c.znr"
    run zn-view -c cell,sample -o "$T/y.gz" "$T/c.znr"
    assert_failure 1
    assert_output --partial "zn-view: column 'cell': \"#3\" begins with '#', so its record would read as a header line"
    [ ! -e "$T/y.gz" ]
    run bash -c "ls '$T' | grep -c tmp"
    assert_output 0
    # '#' elsewhere than the first byte of a record is data
    printf '##znr=1\n#sample\tcell\nd1\t#3\n' > "$T/h.znr"
    run zn-view --no-provenance -u "$T/h.znr"
    assert_success
    assert_output "$(cat "$T/h.znr")"
    # the reader says what such a line may be
    printf '##znr=1\n#sample\tcell\nd1\tc\n#d2\tc\n' > "$T/h2.znr"
    run zn-view -u "$T/h2.znr"
    assert_failure 1
    assert_output --partial "h2.znr:4: a line beginning with '#' among the records: a meta or header line (a new segment must begin with ##znr=1), or a record whose first field begins with '#'"
}

@test "a NUL byte in a field is refused with the line and column (reading and --check)" {
    printf '##znr=1\n#sample\tcell\tF\nd1\tc\x001\t2\n' > "$T/n.znr"
    run zn-view -u "$T/n.znr"
    assert_failure 1
    assert_output --partial "n.znr:3: column 'cell': a NUL byte in the field"
    run zn-view --check "$T/n.znr"
    assert_failure 1
    assert_output --partial "n.znr:3: column 'cell': a NUL byte"
    printf '##znr=1\n#sample\tcell\tF\nd1\tc\t2\x00\n' > "$T/n2.znr"
    run zn-view --check "$T/n2.znr"
    assert_failure 1
    assert_output --partial "n2.znr:3: column 'F': a NUL byte"
    printf '##znr=1\n##a=b\x00c\n#sample\n' > "$T/n3.znr"
    run zn-view --check "$T/n3.znr"
    assert_failure 1
    assert_output --partial "n3.znr:2: a NUL byte in a meta or header line"
}

@test "> /dev/full fails at the first failed write, not after all the input (plain and BGZF)" {
    # an endless stream: the program must stop by itself on the write error
    endless() { printf '##znr=1\n#sample\tcell\tframe\tF\n'; awk 'BEGIN { for (i = 0; ; i++) printf "d1\tc1\t%d\t%d.5\n", i, i % 1000 }'; }
    export -f endless
    for z in -u -z; do
        run timeout 60 bash -c "endless | zn-view $z > /dev/full"
        [ "$status" -eq 1 ] || fail "zn-view $z > /dev/full: status $status (124: it kept reading)"
        assert_output --partial "zn-view: write error on standard output: No space left on device"
    done
    run timeout 60 bash -c "endless | zn-view -o /dev/full"
    [ "$status" -eq 1 ] || fail "zn-view -o /dev/full: status $status"
    assert_output --partial "zn-view: write error on /dev/full: No space left on device"
}

@test "--check exits 1 when its summary cannot be written" {
    trace_plain > "$T/a.znr"
    run bash -c "zn-view --check '$T/a.znr' > /dev/full"
    assert_failure 1
    assert_output --partial "zn-view: write error on standard output"
}

@test "-c t,t is refused; -c without the schema's required columns leaves ##schema= out and passes --check" {
    trace_plain > "$T/a.znr"
    run zn-view -c t,t "$T/a.znr"
    assert_failure 2
    assert_output --partial "-c/--columns: column 't' is named twice"
    run zn-view -c t,F "$T/a.znr"
    assert_success
    refute_output --partial "##schema=trace"
    assert_output --partial "missing required columns 'sample', 'cell', 'role', 'frame', so the output is not a trace stream: ##schema= left out"
    zn-view -q -c t,F "$T/a.znr" > "$T/tf.znr"
    run zn-view --check "$T/tf.znr"
    assert_success
    assert_output "$T/tf.znr: ok: 4 records in 1 segment, schema none"
    # a selection that keeps the required columns keeps the schema
    zn-view -c sample,cell,role,frame,t "$T/a.znr" > "$T/k.znr"
    run zn-view --check "$T/k.znr"
    assert_output "$T/k.znr: ok: 4 records in 1 segment, schema trace"
}

@test "--check rejects what the filters reject: frame 0.5, -1, 1e18; role xx; empty t; inf anywhere" {
    bad() { # bad COLUMN VALUE: the trace with the first cell record's COLUMN set to VALUE
        trace_plain | awk -F'\t' -v OFS='\t' -v c="$1" -v v="$2" 'NR == 3 { for (i = 1; i <= NF; i++) col[$i] = i }
            NR == 6 { $col[c] = v } { print }' > "$T/b.znr"
    }
    for v in 0.5 -1 1e18; do
        bad frame "$v"
        run zn-view --check "$T/b.znr"
        assert_failure 1
        assert_output --partial "b.znr:6: column 'frame': \"$v\" is not a frame index"
        run zn-background --value 1 "$T/b.znr"
        assert_failure 1
    done
    bad role xx
    run zn-view --check "$T/b.znr"
    assert_failure 1
    assert_output --partial "b.znr:6: column 'role': \"xx\" is neither cell nor bg"
    bad t ""
    run zn-view --check "$T/b.znr"
    assert_failure 1
    assert_output --partial "b.znr:6: column 't': missing value"
    for v in inf -inf nan Infinity 1e400; do
        bad F "$v"
        run zn-view --check "$T/b.znr"
        assert_failure 1
        assert_output --partial "b.znr:6: column 'F': \"$v\""
    done
    # a column the schema does not know
    trace_plain | awk -F'\t' -v OFS='\t' 'NR <= 2 { print; next } NR == 3 { print $0, "ratio"; next } { print $0, (NR == 5 ? "inf" : "1.5") }' > "$T/u.znr"
    run zn-view --check "$T/u.znr"
    assert_failure 1
    assert_output --partial "u.znr:5: column 'ratio': \"inf\" is not data"
    # and the good one passes
    run bash -c "trace_plain | zn-view --check"
    assert_success
}

@test "order errors say what to do (no zn-view --sort), and the sort recipe of znr(5) works" {
    trace_plain > "$T/a.znr"
    # cell r1 before the background ROI, frames reversed
    { sed -n 1,3p "$T/a.znr"; sed -n 4,7p "$T/a.znr" | tac; } > "$T/shuf.znr"
    run zn-view --check "$T/shuf.znr"
    assert_failure 1
    assert_output --partial "not in canonical order"
    assert_output --partial "zn-ingest writes canonical order; to sort a stream made otherwise, see \"Canonical order\" in man znr"
    refute_output --partial "--sort"
    # the recipe, as the man page has it
    sed -n '/^To sort a trace/,/^\.EE/p' "$ZN_TOP/man/znr.5" | sed -n '/^\.EX/,/^\.EE/p' | grep -v '^\.E[XE]' |
        sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\e/\\/g' -e "s|in.znr.gz|$T/shuf.znr|g" -e "s|sorted.znr.gz|$T/sorted.znr|" > "$T/recipe.sh"
    grep -q "sort -t" "$T/recipe.sh"
    bash "$T/recipe.sh"
    run zn-view --check "$T/sorted.znr"
    assert_success
    diff <(zn-view -u "$T/sorted.znr" | grep -v "^##") <(grep -v "^##" "$T/a.znr")
}

@test "a UTF-8 BOM at the start of a ZNR file (a Windows editor) is accepted and not written back" {
    trace_plain > "$T/a.znr"
    { printf '\xef\xbb\xbf'; cat "$T/a.znr"; } > "$T/bom.znr"
    run zn-view --check "$T/bom.znr"
    assert_success
    zn-view --no-provenance -u "$T/bom.znr" | cmp - "$T/a.znr"
    # also a second file with a BOM in a concatenation
    trace_plain | sed 's/^d1/d2/' > "$T/b.znr"
    { printf '\xef\xbb\xbf'; cat "$T/b.znr"; } > "$T/bom2.znr"
    cat "$T/bom.znr" "$T/bom2.znr" > "$T/cat.znr"
    run zn-view --check "$T/cat.znr"
    assert_success
    assert_output "$T/cat.znr: ok: 8 records in 2 segments, schema trace"
    run bash -c "zn-view -u '$T/cat.znr' | grep -c $'\xef\xbb\xbf'"
    assert_output 0
}

@test "a file cut inside a member and followed by another: the message says so and where" {
    awk 'BEGIN { print "##znr=1"; print "#sample\tcell\tframe\tF";
                 for (i = 0; i < 60000; i++) printf "d1\tc%d\t%d\t%.4f\n", i % 50, i, sin(i) }' > "$T/big.znr"
    zn-view -o "$T/a.gz" "$T/big.znr"
    sed 's/^d1/d2/' "$T/big.znr" | zn-view -o "$T/b.gz"
    size=$(stat -c %s "$T/a.gz")
    head -c $((size / 2)) "$T/a.gz" > "$T/cut.gz"
    cat "$T/cut.gz" "$T/b.gz" > "$T/cb.gz"
    for z in "" 1; do
        run env ${z:+ZN_ZLIB=1} zn-view --check "$T/cb.gz"
        assert_failure 1
        assert_output --regexp "cb.gz: corrupt gzip data in the member at byte [0-9]+ \(.*\): the member is damaged, or was cut short and another file follows it"
    done
}

@test "a header of 100,000 columns is read (duplicates found by hash), and a duplicate among them is named" {
    awk 'BEGIN { printf "##znr=1\n#c0"; for (i = 1; i < 100000; i++) printf "\tc%d", i; printf "\n"
                 for (r = 0; r < 3; r++) { printf "%d", r; for (i = 1; i < 100000; i++) printf "\t%d", i % 7; printf "\n" } }' > "$T/wide.znr"
    run zn-view --check "$T/wide.znr"
    assert_success
    assert_output "$T/wide.znr: ok: 3 records in 1 segment, schema none"
    run bash -c "zn-view -u -c c99999,c0 '$T/wide.znr' | tail -n 1"
    assert_output "$(printf '4\t2')"  # 99999 % 7 = 4; row 2
    sed '2s/$/\tc51234/' "$T/wide.znr" | sed '3,$s/$/\t1/' > "$T/dup.znr"
    run zn-view --check "$T/dup.znr"
    assert_failure 1
    assert_output "zn-view: $T/dup.znr:2: column 'c51234' appears twice in the header (columns 51235 and 100001)"
}

@test "text and compressed files concatenated in any order read as one stream, also through a pipe that delivers a byte at a time" {
    # cat of files written with and without -u (a results folder holds both)
    two_traces
    awk '{ sub(/^d1\t/, "d3\t") } 1' "$T/d1.znr" > "$T/d3.znr"
    zn-view -z -o "$T/d2.gz" "$T/d2.znr"
    zn-view -u -o "$T/d3.txt" "$T/d3.znr"
    zn-view -u --no-provenance "$T/d1.znr" "$T/d2.gz" "$T/d3.txt" > "$T/want"
    for order in "d1.znr d2.gz d3.txt" "d2.gz d1.znr" "d1.znr d2.gz" "d2.gz d3.txt d2.gz"; do
        files=(); for f in $order; do files+=("$T/$f"); done
        zn-view -u --no-provenance "${files[@]}" > "$T/args"
        cat "${files[@]}" | zn-view -u --no-provenance > "$T/cat"
        cmp "$T/args" "$T/cat"
        # one byte per write(2): every boundary falls inside the magic, a line, a member
        cat "${files[@]}" | dd bs=1 status=none | zn-view -u --no-provenance > "$T/slow"
        cmp "$T/args" "$T/slow"
    done
    cmp "$T/want" <(cat "$T/d1.znr" "$T/d2.gz" "$T/d3.txt" | zn-view -u --no-provenance)
    # filters and --check read it too
    run bash -c "cat '$T/d1.znr' '$T/d2.gz' '$T/d3.txt' | zn-view --check"
    assert_success
    assert_output "(standard input): ok: 36000 records in 3 segments, schema trace"
    # a compressed part cut before its end-of-file member, then text: caught
    head -c -28 "$T/d2.gz" > "$T/cut.gz"
    run bash -c "cat '$T/cut.gz' '$T/d3.txt' | zn-view --check"
    assert_failure 1
    assert_output --partial "truncated: the BGZF end-of-file marker is missing before the plain text that follows"
    # text after gzip that is not ZNR is still damage, not a stream
    { cat "$T/d2.gz"; printf 'garbage\n'; } > "$T/g.gz"
    run zn-view --check "$T/g.gz"
    assert_failure 1
    assert_output --partial "data after the end of the gzip stream is not gzip"
}
