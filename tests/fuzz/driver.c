/* driver.c - libFuzzer harness that runs one znflow program's main on each
 * input, as the command line of its line in tests/fuzz/targets.
 *
 * Built by tests/fuzz/fuzz.mk with clang -fsanitize=fuzzer,address,undefined
 * and -DZN_FUZZ: every exit (zn_die, zn_usage_error, zn_in_die, exit in
 * main) returns here through zn_fuzz_jmp (lib/zn_err.c), and the globals of
 * the program and of libzn (put in sections of their own by zn_fuzz_prog.h)
 * are restored to their initial bytes before each run, so each run starts
 * as a new process would.  A run must end with status 0, 1 or 2 (anything else aborts: a
 * finding), and no sanitizer report.
 *
 * Memory: a run that exits early leaves everything it allocated, as a
 * process would (1.3 MB of reader buffers each time), and libzn keeps
 * caches in its globals.  So the driver records every block allocated
 * during a run by the run's thread (ASan's malloc hooks see zlib's, GSL's
 * and libc's too; a program's own threads are not tracked: keep -u) and
 * frees what is left when the run ends (the globals that pointed to it are
 * reset before the next run): each run starts from a fresh process's memory.  Leaks are the
 * replay's business (tests/fuzz/replay.sh, LeakSanitizer at process exit).
 */
#include "zn_fuzz.h"

#include <errno.h>
#include <setjmp.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <sanitizer/allocator_interface.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <zlib.h>

int zn_fuzz_main(int argc, char **argv); /* the program's main, renamed */
extern jmp_buf *zn_fuzz_jmp;              /* lib/zn_err.c */
void zn_fuzz_reset(void);                 /* lib/zn_err.c */

/* the writable globals of the program and libzn (zn_fuzz_prog.h) */
extern char __start_zn_fuzz_data[] __attribute__((weak)), __stop_zn_fuzz_data[] __attribute__((weak));
extern char __start_zn_fuzz_bss[] __attribute__((weak)), __stop_zn_fuzz_bss[] __attribute__((weak));
static char *data0;

#define MAXARG 64
static char dir[64], input[512];
static char *args[MAXARG];
static int nargs, gz, devnull = -1;

static void fail(const char *msg)
{
    fprintf(stderr, "fuzz driver (%s): %s\n", ZN_FUZZ_TARGET, msg);
    abort();
}

/* byte copies the sanitizer does not check: the globals carry ASan's
 * poisoned redzones, and only the bytes themselves are restored */
__attribute__((no_sanitize("address"))) static void raw_copy(char *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) ((volatile char *)d)[i] = s[i];
}
__attribute__((no_sanitize("address"))) static void raw_zero(char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) ((volatile char *)d)[i] = 0;
}

/* ------------------------------------------------ blocks of the current run
 * A set of addresses, open addressing with linear probing, in memory from
 * mmap (the hooks run inside malloc).  Deletion shifts back, so there are
 * no tombstones. */
static uintptr_t *tab;
static size_t tcap, tn;
static int armed;
/* the run's own thread: libFuzzer's threads (the RSS monitor) allocate and
 * free while a run is going on, and their blocks are theirs */
static __thread int run_thread;
static atomic_flag tlock = ATOMIC_FLAG_INIT;

static size_t slot(uintptr_t p) { return (size_t)((p >> 4) * 0x9E3779B97F4A7C15u) & (tcap - 1); }

static void tab_put(uintptr_t p)
{
    size_t i = slot(p);
    while (tab[i] && tab[i] != p) i = (i + 1) & (tcap - 1);
    if (!tab[i]) tab[i] = p, tn++;
}

static void tab_grow(void)
{
    uintptr_t *old = tab;
    size_t ocap = tcap;
    tcap = ocap ? ocap * 2 : 1 << 16;
    tab = mmap(NULL, tcap * sizeof *tab, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (tab == MAP_FAILED) fail("mmap failed");
    tn = 0;
    for (size_t i = 0; i < ocap; i++)
        if (old[i]) tab_put(old[i]);
    if (old) munmap(old, ocap * sizeof *old);
}

static void tab_del(uintptr_t p)
{
    size_t i = slot(p);
    while (tab[i] != p) {
        if (!tab[i]) return;
        i = (i + 1) & (tcap - 1);
    }
    tab[i] = 0;
    tn--;
    for (size_t j = (i + 1) & (tcap - 1); tab[j]; j = (j + 1) & (tcap - 1)) {
        size_t h = slot(tab[j]);
        /* move tab[j] into the hole at i unless its home lies in (i, j] */
        if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
            tab[i] = tab[j];
            tab[j] = 0;
            i = j;
        }
    }
}

static void on_malloc(const volatile void *p, size_t n)
{
    (void)n;
    if (!armed || !run_thread || !p) return;
    while (atomic_flag_test_and_set(&tlock)) {}
    if (2 * (tn + 1) > tcap) tab_grow();
    tab_put((uintptr_t)p);
    atomic_flag_clear(&tlock);
}

static void on_free(const volatile void *p)
{
    if (!armed || !run_thread || !p) return;
    while (atomic_flag_test_and_set(&tlock)) {}
    tab_del((uintptr_t)p);
    atomic_flag_clear(&tlock);
}

/* free every block the run left (armed is 0: the hooks stand aside) */
static void free_leftovers(void)
{
    for (size_t i = 0; i < tcap; i++)
        if (tab[i]) {
            free((void *)tab[i]);
            tab[i] = 0;
        }
    tn = 0;
}

/* descriptors: those open before the first run stay; a run that exits
 * early leaves its files open, and the next run must not inherit them */
#define MAXFD 1024
static unsigned char fd0[MAXFD];
static int fd0_known;

static void close_new_fds(void)
{
    for (int fd = 0; fd < MAXFD; fd++) {
        int open_now = fcntl(fd, F_GETFD) != -1;
        if (!fd0_known) fd0[fd] = (unsigned char)open_now;
        else if (open_now && !fd0[fd]) close(fd);
    }
    fd0_known = 1;
}

/* ASan at process exit: the runs' memory is handled above */
const char *__asan_default_options(void) { return "detect_leaks=0"; }

static char *subst(const char *a)
{
    char buf[1024];
    size_t o = 0;
    while (*a && o < sizeof buf - 600) {
        if (a[0] == '@' && a[1] == 'I' && a[2] == 'N') o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", input), a += 3;
        else if (a[0] == '@' && a[1] == 'D') o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", dir), a += 2;
        else buf[o++] = *a++;
    }
    buf[o] = 0;
    return strdup(buf);
}

/* the line of tests/fuzz/targets named ZN_FUZZ_TARGET */
static void load_target(void)
{
    FILE *f = fopen(ZN_FUZZ_TARGETS, "r");
    if (!f) fail("cannot open " ZN_FUZZ_TARGETS);
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *save = NULL, *tok[MAXARG];
        int n = 0;
        for (char *t = strtok_r(line, " \t\n", &save); t && n < MAXARG; t = strtok_r(NULL, " \t\n", &save)) tok[n++] = t;
        if (n < 4 || tok[0][0] == '#' || strcmp(tok[0], ZN_FUZZ_TARGET)) continue;
        found = 1;
        snprintf(input, sizeof input, "%s/%s", dir, tok[2]);
        gz = strcmp(tok[3], "gz") == 0;
        args[nargs++] = strdup(tok[1]);
        for (int i = 4; i < n && nargs < MAXARG - 1; i++) args[nargs++] = subst(tok[i]);
    }
    fclose(f);
    if (!found) fail("no such target in " ZN_FUZZ_TARGETS);
}

/* the run directory holds files only (the input, -o and --html outputs) */
static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[600];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/znfuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) fail("mkdtemp failed");
    atexit(remove_dir);
    load_target();
    devnull = open("/dev/null", O_WRONLY);
    if (devnull < 0) fail("cannot open /dev/null");
    size_t nd = (size_t)(__stop_zn_fuzz_data - __start_zn_fuzz_data);
    data0 = malloc(nd ? nd : 1);
    raw_copy(data0, __start_zn_fuzz_data, nd);
    /* what libc allocates once and keeps, allocated before the first run */
    static char outbuf[BUFSIZ];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    tzset();
    tab_grow();
    run_thread = 1;
    if (!__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free)) fail("cannot install the malloc hooks");
    return 0;
}

static void write_input(const uint8_t *p, size_t n)
{
    int fd = open(input, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) fail("cannot write the input file");
    if (gz) {
        gzFile g = gzdopen(fd, "wb1");
        if (!g || (n && gzwrite(g, p, (unsigned)n) != (int)n) || gzclose(g) != Z_OK) fail("gzip of the input failed");
        return;
    }
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) fail("write of the input file failed");
        p += k, n -= (size_t)k;
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fd0_known) close_new_fds(); /* notes what libFuzzer has open */
    write_input(data, size);
    raw_copy(__start_zn_fuzz_data, data0, (size_t)(__stop_zn_fuzz_data - __start_zn_fuzz_data));
    raw_zero(__start_zn_fuzz_bss, (size_t)(__stop_zn_fuzz_bss - __start_zn_fuzz_bss));
    if (dup2(devnull, STDOUT_FILENO) < 0) fail("dup2 failed");
    char *argv[MAXARG];
    memcpy(argv, args, sizeof argv); /* getopt permutes argv */
    argv[nargs] = NULL;
    optind = 0; /* glibc: start getopt afresh */
    jmp_buf jb;
    int status;
    zn_fuzz_jmp = &jb;
    armed = 1;
    if (setjmp(jb) == 0) status = zn_fuzz_main(nargs, argv);
    else status = zn_fuzz_status;
    zn_fuzz_jmp = NULL;
    fflush(stdout);
    clearerr(stdout);
    zn_fuzz_reset();
    armed = 0;
    free_leftovers();
    close_new_fds();
    if (status < 0 || status > 2) fail("exit status not 0, 1 or 2");
    return 0;
}
