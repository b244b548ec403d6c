#!/usr/bin/env bats
# The R and pandas recipes of README.md and znr(5), run as documented on the
# demo's results: the right columns, types and row count, several files
# read as one table, the numbers those of zn-view.  Each recipe is also
# looked up, word for word, in README.md and man/znr.5.

load helper

setup_file() {
    export R="$BATS_FILE_TMPDIR"
    "$ZN_TOP/tools/demo.sh" "$ZN_BIN" "$R/results" > "$R/demo.log" 2>&1
}

# the recipes, as documented (README.md and man/znr.5)
RBASE='d <- read.delim(pipe("zn-view --tsv results/fluozin3/*.metrics.znr.gz"), na.strings = "", colClasses = c(cell = "character"))'
RDT='d <- fread(cmd = "zn-view --tsv results/fluozin3/*.metrics.znr.gz", na.strings = "", colClasses = list(character = "cell"))'
PANDAS='d = pd.read_csv(io.StringIO(subprocess.check_output("zn-view --tsv results/fluozin3/*.metrics.znr.gz", shell=True, text=True)), sep="\t", dtype={"cell": str})'
RFIT='f <- read.delim(pipe("zn-view --tsv results/uptake-65zn/*.fit.znr.gz"), na.strings = "")'
PFIT='f = pd.read_csv(io.StringIO(subprocess.check_output("zn-view --tsv results/uptake-65zn/*.fit.znr.gz", shell=True, text=True)), sep="\t")'

# a page's text with roff escapes undone
man_text() { sed -e 's/\\-/-/g' -e 's/\\e/\\/g' -e "s/\\\\(aq/'/g" "$ZN_TOP/man/znr.5"; }
documented() {
    grep -qF -- "$1" "$ZN_TOP/README.md" || fail "README.md does not have: $1"
    man_text | grep -qF -- "$1" || fail "man/znr.5 does not have: $1"
}
# what R and pandas must see: zn-view's table of the dishes' metrics (one
# record per cell, 30 cells a dish), the columns' types as the schema says
expect_metrics() {
    local m=("$R"/results/fluozin3/*.metrics.znr.gz) col
    [ ${#m[@]} -ge 3 ]
    zn-view --tsv "${m[@]}" > "$R/m.tsv"
    assert_line "rows $((${#m[@]} * 30)) cols 15"
    [ "$(($(wc -l < "$R/m.tsv") - 1))" = $((${#m[@]} * 30)) ]
    assert_line "names sample condition cell baseline_mean baseline_sd peak t_peak time_to_peak t_half amplitude auc mean_plateau delta_plateau responder flag"
    assert_line "names $(head -n 1 "$R/m.tsv" | tr '\t' ' ')"
    assert_line "samples $(cut -f 1 "$R/m.tsv" | tail -n +2 | sort -u | tr '\n' ' ' | sed 's/ $//')"
    assert_line --regexp "^types character character character numeric numeric numeric (integer|numeric) (integer|numeric) numeric numeric numeric numeric numeric (integer|numeric) character$"
    assert_line "cells $(awk -F'\t' 'NR > 1 && $4 != ""' "$R/m.tsv" | wc -l) flagged $(awk -F'\t' 'NR > 1 && $15 != ""' "$R/m.tsv" | wc -l)"
    assert_line "mean $(awk -F'\t' 'NR > 1 && $4 != "" { s += $4; n++ } END { printf "%.10g", s / n }' "$R/m.tsv")"
}
pandas_python() {
    for p in /usr/bin/python3 python3; do
        "$p" -c 'import pandas' 2>/dev/null && { echo "$p"; return; }
    done
    return 1
}

@test "R (base): read.delim of zn-view --tsv: columns, types, rows, three files as one table" {
    command -v Rscript >/dev/null || skip "R is not installed (Debian r-base-core; tools/deps.sh check installs it)"
    documented "$RBASE"
    documented "$RFIT"
    cd "$R"
    run Rscript -e "$RBASE" -e "$RFIT" -e 'say <- function(...) writeLines(paste(unlist(list(...)), collapse = " "))
        say("rows", nrow(d), "cols", ncol(d)); say("names", names(d))
        say("samples", sort(unique(d$sample))); say("types", sapply(d, class))
        say("cells", sum(!is.na(d$baseline_mean)), "flagged", sum(!is.na(d$flag)))
        say("mean", format(mean(d$baseline_mean, na.rm = TRUE), digits = 10))
        say("fits", nrow(f), sort(f$construct), class(f$Km), class(f$Vmax_lo))'
    assert_success
    expect_metrics
    assert_line "fits 2 hZIP4 mZIP8 numeric numeric"
}

@test "R (data.table): fread of zn-view --tsv: columns, types, rows, three files as one table" {
    Rscript -e 'library(data.table)' >/dev/null 2>&1 || skip "R data.table is not installed (Debian r-cran-data.table; tools/deps.sh check installs it)"
    documented "$RDT"
    documented "library(data.table)"
    cd "$R"
    run Rscript -e 'library(data.table)' -e "$RDT" -e 'say <- function(...) writeLines(paste(unlist(list(...)), collapse = " "))
        say("rows", nrow(d), "cols", ncol(d)); say("names", names(d))
        say("samples", sort(unique(d$sample))); say("types", sapply(d, class))
        say("cells", sum(!is.na(d$baseline_mean)), "flagged", sum(!is.na(d$flag)))
        writeLines(paste("mean", format(mean(d$baseline_mean, na.rm = TRUE), digits = 10)))'
    assert_success
    expect_metrics
}

@test "pandas: read_csv of zn-view --tsv: columns, types, rows, three files as one table" {
    py=$(pandas_python) || skip "pandas is not installed (Debian python3-pandas; tools/deps.sh check installs it)"
    documented "$PANDAS"
    documented "$PFIT"
    documented "import io, subprocess, pandas as pd"
    cd "$R"
    run "$py" -c "import io, subprocess, pandas as pd
$PANDAS
$PFIT
kind = lambda t: 'character' if t == object else 'integer' if t.kind == 'i' else 'numeric'
print('rows', len(d), 'cols', len(d.columns)); print('names', *d.columns)
print('samples', *sorted(d['sample'].unique())); print('types', *[kind(t) for t in d.dtypes])
print('cells', d['baseline_mean'].notna().sum(), 'flagged', d['flag'].notna().sum())
print('mean', '%.10g' % d['baseline_mean'].mean())
print('fits', len(f), *sorted(f['construct']), kind(f['Km'].dtype), kind(f['Vmax_lo'].dtype))"
    assert_success
    expect_metrics
    assert_line "fits 2 hZIP4 mZIP8 numeric numeric"
}
