# pipelines/manifest.awk - read and check a manifest; the one parser of the
# scripts, znflow-run, the Makefile (through znflow-manifest) and znflow.
#
#   awk -F'\t' -v prog=NAME -v dir=MANIFEST_DIR -f manifest.awk params.conf [PARAMS] MANIFEST
#
# params.conf gives the protocols' parameters and their defaults; PARAMS
# (optional, --params FILE) overrides some of them (NAME=VALUE lines, the
# same names).  The manifest is a TSV with the header experiment, protocol,
# condition, inputs, options.  A BOM and CR line ends (Windows editors,
# Excel) are taken off, and the quotes Excel puts around a field with a
# comma; spaces around fields and inputs are dropped; a last line without
# a newline is read; empty lines and lines starting with # are skipped.
# Every row is checked: a name fit to be a file name (letters, digits,
# . _ + -; not starting with . or -), unique; a known
# protocol; the protocol's number of inputs (comma-separated, relative to
# the manifest's folder or absolute); options: NAME=VALUE parameter
# overrides (name as in params.conf without the protocol's prefix, in
# lower case: interval=5 for FZ_INTERVAL in a fluozin3 row; an er-ic50
# row takes conc= and the ER_ imaging parameters, final=800:990, its
# dish being imaged as in er-fret-zip7; the other IC_ parameters are the
# series fit's, one value for all dishes: --params only), and for
# uptake-65zn the assay's zn-uptake-rate options.  All errors are printed
# (prog: MANIFEST:LINE: ...), then exit 1.  Output, one line per row:
#   LINE US EXPERIMENT US PROTOCOL US CONDITION US INPUT,INPUT... US UPTAKE-OPTIONS US NAME=VALUE...
# (US: the unit separator \037, which bash's read does not merge as it does
# tabs) with absolute inputs and every parameter of the row resolved
# (rowparam() below).

function err(where, msg) {
    printf "%s: %s: %s\n", prog, where, msg > "/dev/stderr"
    nerr++
}
function isnum(s) { return s ~ /^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$|^\.[0-9]+$/ }
# the problem with VALUE for parameter NAME, or ""
function badvalue(name, value,    w, b, n, i) {
    if (value == "") return "is empty"
    if (value !~ /^[A-Za-z0-9_.:\/=+%,-]+$/) return "must be one word of letters, digits and . _ : / = + % , -"
    if (name ~ /_(BASELINE|RESPONSE|PLATEAU|MAX|MIN|FINAL)$/) {
        if (split(value, w, ":") != 2 || !isnum(w[1]) || !isnum(w[2]))
            return "is not a window START:END (seconds, e.g. 0:118)"
        if (w[1] + 0 >= w[2] + 0) return "is a window that ends before it starts"
    }
    if (name ~ /_BLEACH$/) {   # zn-bleach --window: window names or START:END, comma-separated
        n = split(value, b, ",")
        for (i = 1; i <= n; i++) {
            if (b[i] ~ /:/) {
                if (split(b[i], w, ":") != 2 || !isnum(w[1]) || !isnum(w[2]) || w[1] + 0 >= w[2] + 0)
                    return "is not a list of windows (names such as baseline, or START:END in seconds)"
            } else if (b[i] !~ /^[A-Za-z][A-Za-z0-9_]*$/)
                return "is not a list of windows (names such as baseline, or START:END in seconds)"
        }
    }
    if (name ~ /_CONC$/ && !isnum(value)) return "is not a concentration (a number, 0 for the vehicle)"
    if (name ~ /_INTERVAL$/ && (!isnum(value) || value + 0 <= 0)) return "is not a positive number of seconds"
    if (name ~ /_CURVE$/ && (value !~ /^[0-9]+$/ || value + 0 < 2)) return "is not a whole number of points (2 or more)"
    return ""
}
# NAME=VALUE lines of params.conf and --params
function param_line(file, line,    eq, name, value) {
    sub(/\r$/, "", line)
    if (line ~ /^[ \t]*(#|$)/) return
    eq = index(line, "=")
    name = substr(line, 1, eq - 1); value = substr(line, eq + 1)
    if (eq < 2 || name !~ /^[A-Z][A-Z0-9_]*$/) {
        err(file ":" FNR, "not a NAME=VALUE line: " line); return
    }
    if (file == ARGV[1]) {
        known[name] = 1; def[name] = value; order[++nparam] = name
    } else if (!(name in known)) {
        err(file ":" FNR, "unknown parameter " name " (the names are those of params.conf)")
    } else if ((msg = badvalue(name, value)) != "") {
        err(file ":" FNR, name "=" value ": the value " msg)
    } else def[name] = value
}
# is NAME a parameter of one row (experiment, dish) of protocol P?  Its
# protocol's (and, for er-ic50, the ER_ imaging ones), except the series
# parameters of er-ic50: every IC_ name but IC_CONC belongs to the fit over
# all dishes, which has one value (params.conf, --params), never one per row
function rowparam(p, name) {
    if (p == "er-ic50" && name ~ /^IC_/) return name == "IC_CONC"
    return index(name, prefix[p] "_") == 1 || ((p in also) && index(name, also[p] "_") == 1)
}
BEGIN {
    prefix["fluozin3"] = "FZ"; prefix["er-fret-zip7"] = "ER"; prefix["uptake-65zn"] = "UP"
    ninputs["fluozin3"] = 1; ninputs["er-fret-zip7"] = 2; ninputs["uptake-65zn"] = 4
    prefix["er-ic50"] = "IC"; ninputs["er-ic50"] = 2
    what["er-ic50"] = "give two inputs, the donor (CFP) and acceptor (YFP) exports"
    what["fluozin3"] = "give one input, the Fiji Multi Measure export"
    what["er-fret-zip7"] = "give two inputs, the donor (CFP) and acceptor (YFP) exports"
    what["uptake-65zn"] = "give four inputs: counter export, its layout, BCA plate, its layout"
    protocols = "fluozin3, er-fret-zip7, uptake-65zn, er-ic50"
    # an er-ic50 dish is imaged as an er-fret-zip7 one: its row takes the ER_
    # parameters too (final=800:990 as well as conc=0.3)
    also["er-ic50"] = "ER"
    US = "\037"
    man = ARGV[ARGC - 1]
}
FILENAME != man { param_line(FILENAME, $0); next }
FNR == 1 {
    hdr = 1
    sub(/^\357\273\277/, "")
    sub(/\r$/, "")
    if ($0 != "experiment\tprotocol\tcondition\tinputs\toptions") {
        err(man, "the header must be: experiment, protocol, condition, inputs, options (tab-separated)")
        exit 1
    }
    next
}
{
    sub(/\r$/, "")
    if ($0 ~ /^[ \t]*$/ || $0 ~ /^#/) next
    at = man ":" FNR
    # Excel's "Text (Tab delimited)" quotes a field with a comma or a quote;
    # spaces around a field are a typing accident
    for (i = 1; i <= NF; i++) {
        gsub(/^[ ]+|[ ]+$/, "", $i)
        if ($i ~ /^".*"$/) { $i = substr($i, 2, length($i) - 2); gsub(/""/, "\"", $i) }
    }
    if (NF < 4 || NF > 5) { err(at, NF " fields; a row has 5, tab-separated: experiment, protocol, condition, inputs, options"); next }
    e = $1; p = $2; c = $3; in_ = $4; opt = NF == 5 ? $5 : ""
    if (e !~ /^[A-Za-z0-9][A-Za-z0-9._+-]*$/) {
        err(at, "experiment '" e "': a name may hold letters, digits and . _ + - and must not start with . or - (it names the result files)")
        next
    }
    if (e in seen) { err(at, "experiment " e " is already on line " seen[e] " (names must be unique: they name the result files)"); next }
    seen[e] = FNR
    at = at ": experiment " e
    if (!(p in prefix)) { err(at, "unknown protocol '" p "' (known: " protocols ")"); next }
    # inputs
    if (in_ == "") { err(at, "no inputs: " what[p]); next }
    n = split(in_, f, ",")
    files = ""; bad = 0
    for (i = 1; i <= n; i++) {
        gsub(/^[ ]+|[ ]+$/, "", f[i])
        if (f[i] == "") { err(at, "an empty input in '" in_ "' (a comma too many?)"); bad = 1; break }
        files = files (i > 1 ? "," : "") (f[i] ~ /^\// ? f[i] : dir "/" f[i])
    }
    if (bad) next
    if (n != ninputs[p]) { err(at, n " inputs: " what[p]); next }
    # options: parameter overrides and (uptake) zn-uptake-rate options
    split("", val)
    pre = prefix[p] "_"
    for (i = 1; i <= nparam; i++) if (rowparam(p, order[i])) val[order[i]] = def[order[i]]
    nw = split(opt, w, " ")
    rest = ""
    for (i = 1; i <= nw; i++) {
        if (w[i] ~ /^[a-z][a-z0-9_]*=/) {
            k = substr(w[i], 1, index(w[i], "=") - 1); v = substr(w[i], index(w[i], "=") + 1)
            name = pre toupper(k)
            if (!(name in val) && (p in also) && (also[p] "_" toupper(k)) in val) name = also[p] "_" toupper(k)
            if (!(name in val) && name in known) {
                err(at, "'" k "' is a parameter of the whole series (the fit over every dish), not of one dish: give " name "=" v " in a --params file (make: PARAMS=FILE)"); bad = 1; continue
            }
            if (!(name in val)) {
                keys = ""
                for (j = 1; j <= nparam; j++) if (rowparam(p, order[j])) keys = keys (keys == "" ? "" : ", ") tolower(substr(order[j], index(order[j], "_") + 1))
                err(at, "unknown parameter '" k "' for " p " (known: " keys ")"); bad = 1; continue
            }
            if ((msg = badvalue(name, v)) != "") { err(at, k "=" v ": the value " msg); bad = 1; continue }
            val[name] = v
        } else if (p == "uptake-65zn") {
            rest = rest (rest == "" ? "" : " ") w[i]
        } else {
            err(at, "'" w[i] "' is not a parameter: options of a " p " row are NAME=VALUE (e.g. interval=5)"); bad = 1
        }
    }
    if (bad) next
    ps = ""
    for (i = 1; i <= nparam; i++) if (order[i] in val) ps = ps (ps == "" ? "" : " ") order[i] "=" val[order[i]]
    out[++nrow] = FNR US e US p US c US files US rest US ps
}
END {
    if (!hdr && !nerr) err(man, "empty: the header must be: experiment, protocol, condition, inputs, options (tab-separated)")
    if (nerr) exit 1
    for (i = 1; i <= nrow; i++) print out[i]
}
