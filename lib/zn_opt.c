/* zn_opt.c - the options every filter shares, parsed and documented once. */
#include "zn.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char zn_opt_help[] =
    "Output options (all programs):\n"
    "  -o, --output FILE     write to FILE instead of standard output (a regular\n"
    "                        file via a temporary file, renamed on success;\n"
    "                        -o - is standard output)\n"
    "  -l, --level N         gzip level 0-9 of the compressed output (default 1)\n"
    "  -u, --uncompressed    write plain text even to a file\n"
    "  -z, --gzip            write compressed (BGZF) even to a pipe or terminal\n"
    "                        (default: compressed to a regular file, plain text\n"
    "                        to a pipe, a terminal or a device)\n"
    "      --no-provenance   do not append a ##pg= line (output that is byte-stable\n"
    "                        for tests)\n"
    "  -q, --quiet           no warnings or notes on standard error\n"
    "      --progress        report progress on standard error (by itself when\n                        stderr is a terminal and the input is long; a line\n                        per report when stderr is a file)\n"
    "  -h, --help            show this help and exit\n"
    "      --version         show the version and exit\n";

void zn_opt_init(zn_opt *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->level = ZN_DEFAULT_LEVEL;
    o->progress = isatty(STDERR_FILENO) ? 2 : 0; /* on a terminal: progress for long work */
    zn_set_prog(argv[0]);
    zn_buf b = {0};
    zn_buf_adds(&b, zn_prog);
    zn_buf_addc(&b, ' ');
    zn_buf_adds(&b, ZN_VERSION);
    for (int i = 1; i < argc; i++) {
        zn_buf_addc(&b, ' ');
        const char *a = argv[i];
        if (!*a || strpbrk(a, " \t\n'\"\\$*?;|&<>()")) {
            zn_buf_addc(&b, '\'');
            for (; *a; a++) {
                if (*a == '\'') zn_buf_adds(&b, "'\\''");
                else if (*a == '\t' || *a == '\n') zn_buf_addc(&b, ' ');
                else zn_buf_addc(&b, *a);
            }
            zn_buf_addc(&b, '\'');
        } else
            zn_buf_adds(&b, a);
    }
    o->pg = b.s;
}

int zn_opt_common(zn_opt *o, int c, const char *arg, const char *usage)
{
    long v;
    switch (c) {
    case 'o': o->out = arg; return 1;
    case 'l':
        if (zn_parse_long(arg, strlen(arg), &v) != ZN_NUM_OK || v < 0 || v > 9)
            zn_usage_error("-l/--level: \"%s\" is not a level from 0 to 9", arg);
        o->level = (int)v;
        return 1;
    case 'u': o->plain = 1; return 1;
    case 'z': o->plain = -1; return 1;
    case 'q':
        o->quiet = zn_quiet = 1;
        if (o->progress == 2) o->progress = 0;
        return 1;
    case ZN_OPT_NO_PG: o->no_pg = 1; return 1;
    case ZN_OPT_PROGRESS: o->progress = 1; return 1;
    case 'h':
        fputs(usage, stdout);
        fputs(zn_opt_help, stdout);
        printf("\nExit status: 0 success, 1 bad data or I/O error, 2 bad usage.\n"
               "Full documentation: man %s\n",
               zn_prog);
        exit(fflush(stdout) || ferror(stdout) ? ZN_EXIT_DATA : ZN_EXIT_OK);
    case ZN_OPT_VERSION:
        printf("%s (znflow) %s\n", zn_prog, ZN_VERSION);
        exit(fflush(stdout) || ferror(stdout) ? ZN_EXIT_DATA : ZN_EXIT_OK);
    case '?': /* getopt has printed the reason */
        fprintf(stderr, "Try '%s --help' for more information.\n", zn_prog);
        exit(ZN_EXIT_USAGE);
    case ':':
        fprintf(stderr, "Try '%s --help' for more information.\n", zn_prog);
        exit(ZN_EXIT_USAGE);
    }
    return 0;
}

void zn_opt_check_stdin(int nfiles, const char *usage)
{
    if (nfiles == 0 && isatty(0)) {
        fputs(usage, stderr);
        fprintf(stderr, "\n%s: no input: name a file or pipe a stream in.\nTry '%s --help' for more information.\n",
                zn_prog, zn_prog);
        exit(ZN_EXIT_USAGE);
    }
}

double zn_opt_num(const char *name, const char *arg)
{
    double x;
    if (zn_parse_double(arg, strlen(arg), &x) != ZN_NUM_OK)
        zn_usage_error("%s: \"%s\" is not a number%s", name, arg, zn_num_hint(arg, strlen(arg)));
    return x;
}

double zn_opt_pos(const char *name, const char *arg)
{
    double x = zn_opt_num(name, arg);
    if (!(x > 0)) zn_usage_error("%s: %s is not positive", name, arg);
    return x;
}

/* the open output, reachable while the program runs (an exit on an error
 * leaves it to the cleanup of temporary files, not to a leak report) */
static zn_wr *open_out;

int zn_opt_plain(const zn_opt *o, const char *path)
{
    if (o->plain) return o->plain > 0;
    struct stat st;
    if (!path || strcmp(path, "-") == 0) return !(fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode));
    if (stat(path, &st) != 0) return 0; /* a new file (or an error zn_wr_open will report) */
    return !S_ISREG(st.st_mode);
}

zn_wr *zn_opt_open_out(const zn_opt *o)
{
    char err[600];
    zn_wr *w = zn_wr_open(o->out, o->level, zn_opt_plain(o, o->out), err, sizeof err);
    if (!w) zn_die(ZN_EXIT_DATA, "%s", err);
    open_out = w;
    return w;
}

void zn_opt_close_out(zn_wr *w)
{
    char err[600];
    if (w == open_out) open_out = NULL;
    if (zn_wr_close(w, err, sizeof err) != 0) zn_die(ZN_EXIT_DATA, "%s", err);
}

void zn_opt_free(zn_opt *o)
{
    free(o->pg);
    o->pg = NULL;
}

void zn_progress(const zn_opt *o, long nrec, int done)
{
    if (!o->progress || (!done && (nrec & 0xfffff) != 0)) return;
    /* by itself on a terminal: only work of 2^20 records or more is worth a line */
    if (o->progress == 2 && nrec < 0x100000) return;
    /* a terminal: one line rewritten in place; a log file: a line per report */
    static int tty = -1;
    if (tty < 0) tty = isatty(STDERR_FILENO);
    if (tty) fprintf(stderr, "\r%s: %ld records%s", zn_prog, nrec, done ? "\n" : "");
    else fprintf(stderr, "%s: %ld records%s\n", zn_prog, nrec, done ? ", done" : "");
    fflush(stderr);
}
