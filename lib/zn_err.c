/* zn_err.c - one error path for every program, allocation that never
 * returns NULL, growable strings, and removal of temporary outputs. */
#include "zn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *zn_prog = "znflow";
int zn_quiet = 0;

static char **cleanup;
static size_t ncleanup, capcleanup;

static void run_cleanup(void)
{
    for (size_t i = 0; i < ncleanup; i++)
        if (cleanup[i]) unlink(cleanup[i]);
}

void zn_cleanup_add(const char *path)
{
    static int registered;
    if (!registered) {
        atexit(run_cleanup);
        registered = 1;
    }
    zn_grow(&cleanup, &capcleanup, ncleanup + 1, sizeof *cleanup);
    cleanup[ncleanup++] = zn_strdup(path);
}

void zn_cleanup_forget(const char *path)
{
    for (size_t i = 0; i < ncleanup; i++)
        if (cleanup[i] && strcmp(cleanup[i], path) == 0) {
            free(cleanup[i]);
            cleanup[i] = NULL;
        }
}

#ifdef ZN_FUZZ
/* The fuzzing build (tests/fuzz/, built with -include tests/fuzz/zn_fuzz.h,
 * which maps exit to this): with a harness's jump buffer set, an exit
 * removes the temporary outputs and returns to the harness with the status
 * in zn_fuzz_status, so one process runs a program's main many times. */
#include <setjmp.h>
_Noreturn void (exit)(int); /* stdlib.h's was renamed by zn_fuzz.h */
jmp_buf *zn_fuzz_jmp;
int zn_fuzz_status;

void zn_fuzz_exit(int code)
{
    if (!zn_fuzz_jmp) (exit)(code);
    run_cleanup();
    zn_fuzz_status = code;
    longjmp(*zn_fuzz_jmp, 1);
}

/* after each run: the harness frees what the run allocated */
void zn_fuzz_reset(void)
{
    for (size_t i = 0; i < ncleanup; i++) free(cleanup[i]);
    free(cleanup);
    cleanup = NULL;
    ncleanup = capcleanup = 0;
}
#endif

void zn_set_prog(const char *argv0)
{
    const char *s = strrchr(argv0, '/');
    zn_prog = s ? s + 1 : argv0;
}

void zn_die(int code, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", zn_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(code);
}

void zn_usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", zn_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", zn_prog);
    exit(ZN_EXIT_USAGE);
}

void zn_warn(const char *fmt, ...)
{
    va_list ap;
    if (zn_quiet) return;
    fprintf(stderr, "%s: ", zn_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void *zn_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) zn_die(ZN_EXIT_DATA, "out of memory (%zu bytes)", n);
    return p;
}

void *zn_calloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) zn_die(ZN_EXIT_DATA, "out of memory (%zu x %zu bytes)", n, m);
    return p;
}

void *zn_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) zn_die(ZN_EXIT_DATA, "out of memory (%zu bytes)", n);
    return q;
}

char *zn_strdup(const char *s) { return zn_strndup(s, strlen(s)); }

char *zn_strndup(const char *s, size_t n)
{
    char *p = zn_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *zn_asprintf(const char *fmt, ...)
{
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = zn_malloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, aq);
    va_end(aq);
    return s;
}

void zn_grow(void *pp, size_t *cap, size_t need, size_t sz)
{
    void **p = pp;
    if (need <= *cap) return;
    size_t c = *cap ? *cap : 8;
    while (c < need) c *= 2;
    *p = zn_realloc(*p, c * sz);
    *cap = c;
}

void zn_buf_add(zn_buf *b, const char *s, size_t n)
{
    zn_grow(&b->s, &b->cap, b->n + n + 1, 1);
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

void zn_buf_adds(zn_buf *b, const char *s) { zn_buf_add(b, s, strlen(s)); }

void zn_buf_addc(zn_buf *b, char c) { zn_buf_add(b, &c, 1); }

void zn_buf_addf(zn_buf *b, const char *fmt, ...)
{
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    zn_grow(&b->s, &b->cap, b->n + (size_t)n + 1, 1);
    vsnprintf(b->s + b->n, (size_t)n + 1, fmt, aq);
    va_end(aq);
    b->n += (size_t)n;
}

void zn_buf_free(zn_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->n = b->cap = 0;
}
