/* zn_io.c - bytes in and out.
 *
 * Reader: plain text or gzip, told apart by the magic bytes; gzip may have
 * any number of members (cat of several files).  A member that is cut short
 * is an error.  When the input is BGZF (its first member carries the "BC"
 * extra field, as everything znflow writes does), it must end with the empty
 * end-of-file member, so a file cut exactly between two members is detected
 * too; the offsets of such markers are kept so that the ZNR layer can check
 * that every concatenated segment was closed.
 *
 * Writer: BGZF-shaped gzip (members of at most 0xff00 input bytes that end
 * on a line, then the EOF member), compressed in a second thread so that the
 * codec overlaps the parsing; or plain text with -u.  Every write and the
 * final close are checked; a named output goes to a temporary file that is
 * renamed only when everything succeeded.
 */
#define _GNU_SOURCE
#include "zn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef ZN_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

/* ================================================================ reader */

#define RD_IN_SIZE (256 * 1024)
#define RD_BUF_SIZE (1024 * 1024)

/* The end of a gzip member: its decompressed stream offset, its size, and
 * whether it was BGZF (BC field) and an empty end-of-file marker. */
struct mbound {
    uint64_t off;
    uint32_t isize;
    unsigned char bgzf, marker;
};

struct zn_rd {
    int fd;
    char *name;
    unsigned char *in; /* raw input */
    size_t in_pos, in_len;
    int in_eof;
    uint64_t raw_total;  /* raw bytes read so far */
    uint64_t member_off; /* raw offset where the current member began */
    int gz, bgzf;
    z_stream zs;
    int zs_init, in_member, last_was_marker, member_is_bgzf, nmembers;
    gz_header hd;
    unsigned char extra[64];
    uint64_t out_total;
    struct mbound *marks; /* member ends at or after the line last returned, ascending */
    size_t nmarks, capmarks, markhead;
    int last_bgzf;        /* the last whole member carried the BC field */
    int prev_nl;          /* text: the last byte appended was a newline (or none came yet) */
    char *buf; /* decompressed data */
    size_t pos, end, cap;
    uint64_t buf_base; /* stream offset of buf[0] */
    uint64_t line_off; /* stream offset of the line last returned */
    long lineno;
    int eof;
    char err[512];
#ifdef ZN_HAVE_LIBDEFLATE
    struct libdeflate_decompressor *ld; /* whole BGZF members */
#endif
};

/* zlib's "invalid distance too far back" after a concatenation means this */
#define CORRUPT_HINT                                                                                   \
    ": the member is damaged, or was cut short and another file follows it (cat of an interrupted "   \
    "job's output?); make the file again from its source"

static int rd_fail(zn_rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rd_fail(zn_rd *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* a member ended at out_total: remember it (entries before the line last
 * returned can no longer be asked about and are dropped) */
static void rd_member_end(zn_rd *r, uint32_t isize, int bgzf)
{
    int marker = bgzf && isize == 0;
    r->last_was_marker = marker;
    r->last_bgzf = bgzf;
    while (r->markhead < r->nmarks && r->marks[r->markhead].off < r->line_off) r->markhead++;
    if (r->markhead > 0 && r->markhead * 2 >= r->nmarks) {
        memmove(r->marks, r->marks + r->markhead, (r->nmarks - r->markhead) * sizeof *r->marks);
        r->nmarks -= r->markhead;
        r->markhead = 0;
    }
    zn_grow(&r->marks, &r->capmarks, r->nmarks + 1, sizeof *r->marks);
    r->marks[r->nmarks++] = (struct mbound){r->out_total, isize, (unsigned char)bgzf, (unsigned char)marker};
}

/* move the unread raw bytes to the front of the input buffer */
static void rd_compact(zn_rd *r)
{
    memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
    r->in_len -= r->in_pos;
    r->in_pos = 0;
}

/* one read() into the free end of the input buffer; -1 error */
static int rd_read(zn_rd *r)
{
    ssize_t k;
    do k = read(r->fd, r->in + r->in_len, RD_IN_SIZE - r->in_len);
    while (k < 0 && errno == EINTR);
    if (k < 0) return rd_fail(r, "%s: read error: %s", r->name, strerror(errno));
    if (k == 0) r->in_eof = 1;
    r->in_len += (size_t)k;
    r->raw_total += (uint64_t)k;
    return 0;
}

/* room for n more decompressed bytes at buf[end] */
static void rd_room(zn_rd *r, size_t n)
{
    while (r->cap - r->end < n) {
        r->cap *= 2;
        r->buf = zn_realloc(r->buf, r->cap + 1);
    }
}

static int rd_raw(zn_rd *r)
{ /* read more raw bytes; -1 error */
    if (r->in_pos == r->in_len) r->in_pos = r->in_len = 0;
    if (r->in_pos > 0 && r->in_len - r->in_pos < 16) rd_compact(r);
    if (r->in_len == RD_IN_SIZE) return 0;
    return rd_read(r);
}

zn_rd *zn_rd_open(const char *path, char *err, size_t errlen)
{
    int fd = 0;
    if (path && strcmp(path, "-") != 0) {
        fd = open(path, O_RDONLY);
        if (fd < 0) {
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
            return NULL;
        }
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: is a directory", path);
            close(fd);
            return NULL;
        }
    }
    zn_rd *r = zn_calloc(1, sizeof *r);
    r->fd = fd;
    r->name = zn_strdup(path && strcmp(path, "-") ? path : "(standard input)");
    r->in = zn_malloc(RD_IN_SIZE);
    r->cap = RD_BUF_SIZE;
    r->buf = zn_malloc(r->cap + 1);
    r->prev_nl = 1;
    while (!r->in_eof && r->in_len < 2)
        if (rd_raw(r) < 0) {
            snprintf(err, errlen, "%s", r->err);
            zn_rd_close(r);
            return NULL;
        }
    if (r->in_len >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
        r->gz = 1;
        if (inflateInit2(&r->zs, 15 + 16) != Z_OK) {
            snprintf(err, errlen, "%s: cannot initialise zlib", r->name);
            zn_rd_close(r);
            return NULL;
        }
        r->zs_init = 1;
#ifdef ZN_HAVE_LIBDEFLATE
        if (!getenv("ZN_ZLIB")) r->ld = libdeflate_alloc_decompressor();
#endif
    }
    return r;
}

static int member_has_bc(const zn_rd *r)
{
    const unsigned char *e = r->extra;
    size_t n = r->hd.extra_len < sizeof r->extra ? r->hd.extra_len : sizeof r->extra;
    for (size_t i = 0; i + 4 <= n;) {
        size_t sl = (size_t)e[i + 2] | (size_t)e[i + 3] << 8;
        if (e[i] == 'B' && e[i + 1] == 'C' && sl == 2) return 1;
        i += 4 + sl;
    }
    return 0;
}

#ifdef ZN_HAVE_LIBDEFLATE
/* at least need raw bytes from in_pos, unless the input ends first */
static int rd_need(zn_rd *r, size_t need)
{
    if (r->in_pos + need > RD_IN_SIZE) rd_compact(r);
    while (r->in_len - r->in_pos < need && !r->in_eof)
        if (rd_read(r) < 0) return -1;
    return 0;
}

/* A whole BGZF member at in_pos (the layout znflow and htslib write:
 * FLG = FEXTRA only, one BC subfield with the member size) inflated in one
 * call to libdeflate, CRC and size checked.  1 done (*got bytes appended at
 * buf[end]), 0 not such a member or not whole (the zlib path takes it and
 * reports what is wrong), -1 error. */
static int rd_bgzf_member(zn_rd *r, size_t *got)
{
    if (rd_need(r, 18) < 0) return -1;
    const unsigned char *h = r->in + r->in_pos;
    if (r->in_len - r->in_pos < 18 || h[2] != 8 || h[3] != 4 || h[10] != 6 || h[11] != 0 || h[12] != 'B' ||
        h[13] != 'C' || h[14] != 2 || h[15] != 0)
        return 0;
    size_t total = ((size_t)h[16] | (size_t)h[17] << 8) + 1;
    if (total < 26) return 0;
    if (rd_need(r, total) < 0) return -1;
    if (r->in_len - r->in_pos < total) return 0;
    h = r->in + r->in_pos;
    const unsigned char *t = h + total - 8;
    uint32_t crc = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
    size_t isize = (size_t)t[4] | (size_t)t[5] << 8 | (size_t)t[6] << 16 | (size_t)t[7] << 24;
    if (isize > 0x10000) return 0; /* not a BGZF block after all */
    rd_room(r, isize);
    size_t actual = 0;
    if (libdeflate_deflate_decompress(r->ld, h + 18, total - 26, r->buf + r->end, isize, &actual) !=
            LIBDEFLATE_SUCCESS ||
        actual != isize)
        return rd_fail(r, "%s: corrupt gzip data in the member at byte %llu (a BGZF block does not inflate to "
                          "its stated size)" CORRUPT_HINT, r->name, (unsigned long long)r->member_off);
    if (libdeflate_crc32(0, r->buf + r->end, isize) != crc)
        return rd_fail(r, "%s: corrupt gzip data in the member at byte %llu (CRC mismatch)" CORRUPT_HINT, r->name,
                       (unsigned long long)r->member_off);
    r->in_pos += total;
    r->end += isize;
    r->out_total += isize;
    if (r->nmembers == 0) r->bgzf = 1;
    r->nmembers++;
    rd_member_end(r, (uint32_t)isize, 1);
    *got = isize;
    return 1;
}
#endif

static int rd_fill(zn_rd *r);

/* zlib (and libdeflate) ready for a compressed part met after text */
static int rd_start_gzip(zn_rd *r)
{
    if (!r->zs_init) {
        if (inflateInit2(&r->zs, 15 + 16) != Z_OK) return rd_fail(r, "%s: cannot initialise zlib", r->name);
        r->zs_init = 1;
    }
#ifdef ZN_HAVE_LIBDEFLATE
    if (!r->ld && !getenv("ZN_ZLIB")) r->ld = libdeflate_alloc_decompressor();
#endif
    r->gz = 1;
    r->in_member = 0;
    return 0;
}

/* Plain text: raw bytes appended at buf[end] as they are, up to a line
 * that begins with the gzip magic (cat a.znr b.znr.gz: a compressed stream
 * after the text), where the rest is handed back to the raw buffer and read
 * as gzip.  >0 bytes, 0 end, -1 error. */
static int rd_fill_text(zn_rd *r)
{
    for (;;) {
        if (r->in_pos == r->in_len) {
            if (r->in_eof) {
                r->eof = 1;
                return 0;
            }
            if (rd_raw(r) < 0) return -1;
            continue;
        }
        /* a 0x1f at a line start needs the byte after it to decide */
        int nl = r->prev_nl; /* not buf[end - 1]: the line reader turns newlines into NULs */
        if (r->in_len - r->in_pos < 2 && !r->in_eof && r->in[r->in_pos] == 0x1f && nl) {
            if (rd_raw(r) < 0) return -1;
            continue;
        }
        const unsigned char *c = r->in + r->in_pos;
        size_t k = r->in_len - r->in_pos, room = r->cap - r->end, stop = k;
        if (k > room) k = stop = room;
        for (const unsigned char *q = c; (q = memchr(q, 0x1f, (size_t)(c + k - q))) != NULL; q++) {
            size_t j = (size_t)(q - c);
            if (!(j ? c[j - 1] == '\n' : nl)) continue;
            if (j + 1 < r->in_len - r->in_pos && c[j + 1] == 0x8b) {
                stop = j;
                break;
            }
            if (j + 1 == r->in_len - r->in_pos && !r->in_eof) { /* decide on the next call */
                stop = j;
                break;
            }
        }
        memcpy(r->buf + r->end, c, stop);
        if (stop) r->prev_nl = c[stop - 1] == '\n';
        r->in_pos += stop;
        r->end += stop;
        r->out_total += stop;
        if (stop == k || r->in[r->in_pos] != 0x1f || r->in_len - r->in_pos < 2 || r->in[r->in_pos + 1] != 0x8b) {
            if (stop) return (int)stop;
            continue;
        }
        /* the gzip magic at a line start: the compressed part begins */
        r->prev_nl = 1;
        if (rd_start_gzip(r) < 0) return -1;
        if (stop) return (int)stop;
        return rd_fill(r);
    }
}

/* append decompressed bytes at buf[end]; >0 bytes, 0 end, -1 error */
static int rd_fill(zn_rd *r)
{
    if (r->eof) return 0;
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->end -= r->pos;
        r->buf_base += r->pos;
        r->pos = 0;
    }
    rd_room(r, 1);
    if (!r->gz) return rd_fill_text(r);
    for (;;) {
        if (r->in_pos == r->in_len && !r->in_eof && rd_raw(r) < 0) return -1;
        if (!r->in_member) {
            if (r->in_pos == r->in_len && r->in_eof) {
                r->eof = 1;
                if (r->last_bgzf && !r->last_was_marker)
                    return rd_fail(r,
                                   "%s: truncated: the BGZF end-of-file marker is missing, so the "
                                   "file was cut short (an interrupted job or a full disk?)",
                                   r->name);
                return 0;
            }
            while (r->in_len - r->in_pos < 2 && !r->in_eof)
                if (rd_raw(r) < 0) return -1;
            if (r->in_len - r->in_pos < 2 || r->in[r->in_pos] != 0x1f || r->in[r->in_pos + 1] != 0x8b) {
                while (r->in_len - r->in_pos < 6 && !r->in_eof)
                    if (rd_raw(r) < 0) return -1;
                /* a text ZNR stream after the compressed one (cat a.znr.gz
                 * b.znr): read on as text; the segment before must have
                 * been closed like any other */
                if (r->in_len - r->in_pos >= 6 && memcmp(r->in + r->in_pos, "##znr=", 6) == 0) {
                    if (r->last_bgzf && !r->last_was_marker)
                        return rd_fail(r,
                                       "%s: truncated: the BGZF end-of-file marker is missing before the "
                                       "plain text that follows, so the compressed part was cut short",
                                       r->name);
                    r->gz = 0;
                    r->prev_nl = 1;
                    return rd_fill_text(r);
                }
                return rd_fail(r, "%s: data after the end of the gzip stream is not gzip (corrupt file?)",
                               r->name);
            }
            r->member_off = r->raw_total - (r->in_len - r->in_pos);
#ifdef ZN_HAVE_LIBDEFLATE
            if (r->ld) {
                size_t got = 0;
                int k = rd_bgzf_member(r, &got);
                if (k < 0) return -1;
                if (k > 0) {
                    if (got) return 1;
                    continue;
                }
            }
#endif
            inflateReset(&r->zs);
            memset(&r->hd, 0, sizeof r->hd);
            r->hd.extra = r->extra;
            r->hd.extra_max = sizeof r->extra;
            inflateGetHeader(&r->zs, &r->hd);
            r->in_member = 1;
            r->member_is_bgzf = -1;
        }
        r->zs.next_in = r->in + r->in_pos;
        r->zs.avail_in = (uInt)(r->in_len - r->in_pos);
        r->zs.next_out = (unsigned char *)r->buf + r->end;
        r->zs.avail_out = (uInt)(r->cap - r->end);
        uLong before_out = r->zs.total_out;
        int ret = inflate(&r->zs, Z_NO_FLUSH);
        size_t got = r->zs.total_out - before_out;
        r->in_pos = r->in_len - r->zs.avail_in;
        r->end += got;
        r->out_total += got;
        if (r->member_is_bgzf < 0 && r->hd.done) {
            r->member_is_bgzf = member_has_bc(r);
            if (r->nmembers == 0) r->bgzf = r->member_is_bgzf;
        }
        if (ret == Z_STREAM_END) {
            r->in_member = 0;
            r->nmembers++;
            rd_member_end(r, (uint32_t)r->zs.total_out, r->member_is_bgzf == 1);
            if (got) return (int)got;
            continue;
        }
        if (ret == Z_DATA_ERROR)
            return rd_fail(r, "%s: corrupt gzip data in the member at byte %llu (zlib: %s)" CORRUPT_HINT, r->name,
                           (unsigned long long)r->member_off, r->zs.msg ? r->zs.msg : "?");
        if (ret == Z_MEM_ERROR) return rd_fail(r, "%s: out of memory in zlib", r->name);
        if (ret == Z_BUF_ERROR || (ret == Z_OK && got == 0)) {
            if (r->in_eof && r->in_pos == r->in_len)
                return rd_fail(r, "%s: truncated gzip data: the file ends in the middle of a member "
                               "(cut short by an interrupted job or a full disk?)",
                               r->name);
            if (r->end == r->cap) return 1; /* caller grows */
            continue;
        }
        if (got) return (int)got;
    }
}

int zn_rd_getline(zn_rd *r, char **line, size_t *len)
{
    size_t scan = r->pos;
    for (;;) {
        char *nl = memchr(r->buf + scan, '\n', r->end - scan);
        if (nl) {
            size_t n = (size_t)(nl - (r->buf + r->pos));
            *line = r->buf + r->pos;
            r->line_off = r->buf_base + r->pos;
            r->pos += n + 1;
            if (n && (*line)[n - 1] == '\r') n--;
            (*line)[n] = 0;
            *len = n;
            r->lineno++;
            return 1;
        }
        size_t done = r->end - r->pos;
        int k = rd_fill(r);
        if (k < 0) return -1;
        scan = r->pos + done;
        if (k == 0 && r->eof) {
            if (r->pos == r->end) return 0;
            size_t n = r->end - r->pos;
            *line = r->buf + r->pos;
            r->line_off = r->buf_base + r->pos;
            r->pos = r->end;
            if (n && (*line)[n - 1] == '\r') n--;
            (*line)[n] = 0;
            *len = n;
            r->lineno++;
            return 1;
        }
    }
}

int zn_rd_slurp(zn_rd *r, char **out, size_t *len)
{
    for (;;) {
        int k = rd_fill(r);
        if (k < 0) return -1;
        if (k == 0 && r->eof) break;
    }
    size_t n = r->end - r->pos;
    char *s = zn_malloc(n + 1);
    memcpy(s, r->buf + r->pos, n);
    s[n] = 0;
    r->pos = r->end;
    *out = s;
    *len = n;
    return 0;
}

int zn_rd_segment_closed(zn_rd *r)
{
    while (r->markhead < r->nmarks && r->marks[r->markhead].off < r->line_off) r->markhead++;
    size_t i = r->markhead;
    if (i == r->nmarks || r->marks[i].off != r->line_off) return 1; /* inside a member: one text compressed */
    for (; i < r->nmarks && r->marks[i].off == r->line_off; i++) {
        const struct mbound *m = &r->marks[i];
        /* closed by a marker; plain gzip cannot tell; a full 0xff00 block is
         * bgzip/htslib cutting one text anywhere */
        if (m->marker || !m->bgzf || m->isize == 0xff00) return 1;
    }
    return 0;
}

const char *zn_rd_error(const zn_rd *r) { return r->err; }
const char *zn_rd_name(const zn_rd *r) { return r->name; }
long zn_rd_lineno(const zn_rd *r) { return r->lineno; }
int zn_rd_is_gzip(const zn_rd *r) { return r->gz; }
int zn_rd_is_bgzf(const zn_rd *r) { return r->bgzf; }

void zn_rd_close(zn_rd *r)
{
    if (!r) return;
    if (r->zs_init) inflateEnd(&r->zs);
#ifdef ZN_HAVE_LIBDEFLATE
    if (r->ld) libdeflate_free_decompressor(r->ld);
#endif
    if (r->fd > 0) close(r->fd);
    free(r->name);
    free(r->in);
    free(r->buf);
    free(r->marks);
    free(r);
}

/* ================================================================ writer */

#define WR_BLOCK 0xff00 /* input bytes per BGZF member (as htslib) */
#define WR_NSLOT 8

const unsigned char zn_bgzf_eof[28] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43,
                                       2,    0,    0x1b, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};

struct slot {
    char *data;
    size_t n;
    int full;
    int marker; /* write the EOF member, not data */
};

struct zn_wr {
    int fd, plain, level;
    char *path, *tmp, *target; /* -o name; temporary file; name it replaces */
    char *buf; /* block being filled */
    size_t n, line_start;
    uint64_t total; /* bytes put so far */
    int bol;        /* at the beginning of a line */
    int hash;       /* this record's first byte is '#' (found at zn_wr_eol) */
    char *col0;     /* records follow (zn_wr_records): the first column's name */
    /* compression thread */
    int threaded;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct slot slot[WR_NSLOT];
    int head, tail, done;
    int closing; /* in zn_wr_close: errors are returned, not fatal */
    int err; /* errno of the first failed write (thread or main) */
    unsigned char *zout;
    z_stream zs;
#ifdef ZN_HAVE_LIBDEFLATE
    struct libdeflate_compressor *ld; /* used by one thread at a time */
#endif
};

static int write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t k = write(fd, s, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

/* compress one block into w->zout; returns its size */
static size_t bgzf_block(zn_wr *w, const char *data, size_t n, int level)
{
    static const unsigned char hdr[18] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 'B', 'C', 2, 0, 0, 0};
#ifdef ZN_HAVE_LIBDEFLATE
    /* libdeflate: the same DEFLATE stream format, about 3x zlib's speed at
     * level 1 on these machines (PERFORMANCE.md); zlib stores a block that
     * does not shrink */
    if (w->ld && level > 0) {
        size_t clen = libdeflate_deflate_compress(w->ld, data, n, w->zout + 18, 0x10000 - 18 - 8);
        if (clen) {
            memcpy(w->zout, hdr, 18);
            size_t total = 18 + clen + 8;
            put16(w->zout + 16, (unsigned)(total - 1));
            put32(w->zout + 18 + clen, libdeflate_crc32(0, data, n));
            put32(w->zout + 18 + clen + 4, (uint32_t)n);
            return total;
        }
        level = 0;
    }
#endif
    deflateParams(&w->zs, level, Z_DEFAULT_STRATEGY);
    deflateReset(&w->zs);
    w->zs.next_in = (unsigned char *)data;
    w->zs.avail_in = (uInt)n;
    w->zs.next_out = w->zout + 18;
    w->zs.avail_out = 0x10000 - 18 - 8;
    int ret = deflate(&w->zs, Z_FINISH);
    if (ret != Z_STREAM_END) { /* did not fit: store instead */
        if (level != 0) return bgzf_block(w, data, n, 0);
        zn_die(ZN_EXIT_DATA, "internal error: BGZF block does not fit");
    }
    size_t clen = 0x10000 - 18 - 8 - w->zs.avail_out;
    memcpy(w->zout, hdr, 18);
    size_t total = 18 + clen + 8;
    put16(w->zout + 16, (unsigned)(total - 1));
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const unsigned char *)data, (uInt)n);
    put32(w->zout + 18 + clen, crc);
    put32(w->zout + 18 + clen + 4, (uint32_t)n);
    return total;
}

static void *wr_thread(void *arg)
{
    zn_wr *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->slot[w->tail].full && !w->done) pthread_cond_wait(&w->cv, &w->mu);
        if (!w->slot[w->tail].full && w->done) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        struct slot *s = &w->slot[w->tail];
        int failed = w->err;
        pthread_mutex_unlock(&w->mu);
        int e = 0;
        if (!failed && s->marker) e = write_all(w->fd, zn_bgzf_eof, sizeof zn_bgzf_eof);
        else if (!failed) {
            size_t total = bgzf_block(w, s->data, s->n, w->level);
            e = write_all(w->fd, w->zout, total);
        }
        pthread_mutex_lock(&w->mu);
        if (e && !w->err) w->err = e;
        s->full = 0;
        w->tail = (w->tail + 1) % WR_NSLOT;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

/* Temporary outputs removed when a signal ends the program: a fixed table
 * (the handler may only read it and call unlink, which is async-signal-safe),
 * then the signal's default action, so the exit status says what happened. */
#define SIG_NTMP 8
static char *volatile sig_tmp[SIG_NTMP];
static const int sig_list[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

static void sig_cleanup(int sig)
{
    for (int i = 0; i < SIG_NTMP; i++) {
        char *p = sig_tmp[i];
        if (p) unlink(p);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void sig_add(char *path)
{
    static int installed;
    if (!installed) {
        installed = 1;
        for (size_t i = 0; i < sizeof sig_list / sizeof *sig_list; i++) {
            struct sigaction old, sa;
            /* a signal the caller ignores (nohup, a background job) stays ignored */
            if (sigaction(sig_list[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = sig_cleanup;
            sigemptyset(&sa.sa_mask);
            sigaction(sig_list[i], &sa, NULL);
        }
    }
    for (int i = 0; i < SIG_NTMP; i++)
        if (!sig_tmp[i]) {
            sig_tmp[i] = path;
            return;
        }
}

static void sig_forget(const char *path)
{
    for (int i = 0; i < SIG_NTMP; i++)
        if (sig_tmp[i] == path) sig_tmp[i] = NULL;
}

/* Where -o PATH goes.  A regular file or a new name is written as a
 * temporary file beside it and renamed at the end (*target = the name
 * to replace); a symbolic link to a regular file replaces the target's
 * content and keeps the link (the name renamed is the link's target);
 * anything else (a device, a FIFO, a socket, a dangling link) is opened and
 * written directly.  Returns an fd (direct) or -2 (use a temporary for
 * *target), -1 error in err. */
static int out_target(const char *path, char **target, char *err, size_t errlen)
{
    struct stat lst, st;
    *target = NULL;
    /* /dev/stdout, /dev/fd/N, /proc/self/fd/N: the descriptor, never the
     * file it happens to be redirected to */
    if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd < 0) snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return fd;
    }
    if (lstat(path, &lst) != 0) {
        if (errno == ENOENT) {
            *target = zn_strdup(path);
            return -2;
        }
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(lst.st_mode)) {
        snprintf(err, errlen, "%s: is a directory (give a file name)", path);
        return -1;
    }
    if (S_ISREG(lst.st_mode)) {
        *target = zn_strdup(path);
        return -2;
    }
    if (S_ISLNK(lst.st_mode) && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (real) {
            *target = real;
            return -2;
        }
    }
    if (S_ISLNK(lst.st_mode) && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a directory (give a file name)", path);
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return fd;
}

zn_wr *zn_wr_open(const char *path, int level, int plain, char *err, size_t errlen)
{
    zn_wr *w = zn_calloc(1, sizeof *w);
    w->plain = plain;
    w->level = level;
    w->fd = 1;
    w->bol = 1;
    if (path && strcmp(path, "-") != 0) {
        char *target;
        int fd = out_target(path, &target, err, errlen);
        if (fd == -1) {
            free(w);
            return NULL;
        }
        w->path = zn_strdup(path);
        if (fd >= 0) w->fd = fd;
        else {
            w->target = target;
            w->tmp = zn_asprintf("%s.tmp.XXXXXX", target);
            w->fd = mkstemp(w->tmp);
            if (w->fd < 0) {
                snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
                free(w->path);
                free(w->tmp);
                free(w->target);
                free(w);
                return NULL;
            }
            mode_t mask = umask(0); /* mkstemp makes 0600: give the file the usual mode */
            umask(mask);
            fchmod(w->fd, 0666 & ~mask);
            zn_cleanup_add(w->tmp);
            sig_add(w->tmp);
        }
    }
    w->buf = zn_malloc(WR_BLOCK);
    if (!plain) {
        w->zout = zn_malloc(0x10000);
        if (deflateInit2(&w->zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            zn_die(ZN_EXIT_DATA, "cannot initialise zlib");
#ifdef ZN_HAVE_LIBDEFLATE
        if (level > 0 && !getenv("ZN_ZLIB") && !(w->ld = libdeflate_alloc_compressor(level)))
            zn_die(ZN_EXIT_DATA, "cannot initialise libdeflate");
#endif
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cv, NULL);
        for (int i = 0; i < WR_NSLOT; i++) w->slot[i].data = zn_malloc(WR_BLOCK);
        if (pthread_create(&w->th, NULL, wr_thread, w) == 0) w->threaded = 1;
    }
    return w;
}

static void wr_flush1(zn_wr *w, size_t n);

/* A write failed (a full disk, a closed pipe): stop now, not after the
 * rest of the input (the temporary file goes with the exit).  zn_wr_close
 * reports it instead. */
static void wr_check(zn_wr *w)
{
    if (w->closing) return;
    int e;
    if (w->threaded) {
        pthread_mutex_lock(&w->mu);
        e = w->err;
        pthread_mutex_unlock(&w->mu);
    } else
        e = w->err;
    if (e) zn_die(ZN_EXIT_DATA, "write error on %s: %s", w->path ? w->path : "standard output", strerror(e));
}

/* hand buf[0..n) to the compressor (or write it), keep the rest */
static void wr_flush(zn_wr *w, size_t n)
{
    wr_flush1(w, n);
    wr_check(w);
}

static void wr_flush1(zn_wr *w, size_t n)
{
    if (n == 0) return;
    if (w->plain) {
        if (!w->err) w->err = write_all(w->fd, w->buf, n);
    } else if (!w->threaded) {
        size_t total = bgzf_block(w, w->buf, n, w->level);
        if (!w->err) w->err = write_all(w->fd, w->zout, total);
    } else {
        pthread_mutex_lock(&w->mu);
        while (w->slot[w->head].full) pthread_cond_wait(&w->cv, &w->mu);
        struct slot *s = &w->slot[w->head];
        pthread_mutex_unlock(&w->mu);
        s->marker = 0;
        char *t = s->data; /* swap buffers, no copy */
        s->data = w->buf;
        s->n = n;
        w->buf = t;
        memcpy(w->buf, s->data + n, w->n - n);
        pthread_mutex_lock(&w->mu);
        s->full = 1;
        w->head = (w->head + 1) % WR_NSLOT;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        w->n -= n;
        w->line_start = w->line_start > n ? w->line_start - n : 0;
        return;
    }
    memmove(w->buf, w->buf + n, w->n - n);
    w->n -= n;
    w->line_start = w->line_start > n ? w->line_start - n : 0; /* a line longer than a block: no line end kept */
}

void zn_wr_segment(zn_wr *w)
{
    if (w->plain || w->total == 0) return;
    wr_flush(w, w->n);
    if (!w->threaded) {
        if (!w->err) w->err = write_all(w->fd, zn_bgzf_eof, sizeof zn_bgzf_eof);
        wr_check(w);
        return;
    }
    pthread_mutex_lock(&w->mu);
    while (w->slot[w->head].full) pthread_cond_wait(&w->cv, &w->mu);
    struct slot *s = &w->slot[w->head];
    s->marker = 1;
    s->n = 0;
    s->full = 1;
    w->head = (w->head + 1) % WR_NSLOT;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* a record's first byte is '#': it would read back as a header line */
static _Noreturn void wr_hash(zn_wr *w, const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && k < 60 && s[k] != '\t') k++;
    zn_die(ZN_EXIT_DATA,
           "column '%s': \"%.*s\" begins with '#', so its record would read as a header line; "
           "rename it, or put another column first",
           w->col0, (int)k, s);
}

void zn_wr_records(zn_wr *w, const char *first_col)
{
    free(w->col0);
    w->col0 = first_col ? zn_strdup(first_col) : NULL;
}

void zn_wr_put(zn_wr *w, const char *s, size_t n)
{
    if (w->bol && n) {
        w->hash = w->col0 && s[0] == '#';
        w->bol = 0;
    }
    w->total += n;
    while (n) {
        if (w->n == WR_BLOCK) /* cut at the last line end, or here if one line fills a block */
            wr_flush(w, w->line_start ? w->line_start : w->n);
        size_t k = WR_BLOCK - w->n;
        if (k > n) k = n;
        memcpy(w->buf + w->n, s, k);
        w->n += k;
        s += k;
        n -= k;
    }
}

void zn_wr_puts(zn_wr *w, const char *s) { zn_wr_put(w, s, strlen(s)); }

void zn_wr_text(zn_wr *w, const char *s, size_t n)
{
    while (n) {
        const char *e = memchr(s, '\n', n);
        size_t k = e ? (size_t)(e - s) : n;
        zn_wr_put(w, s, k);
        if (e) {
            zn_wr_eol(w);
            k++;
        }
        s += k;
        n -= k;
    }
}

void zn_wr_putc(zn_wr *w, char c)
{
    if (w->bol) {
        w->hash = w->col0 && c == '#';
        w->bol = 0;
    }
    if (w->n < WR_BLOCK) {
        w->buf[w->n++] = c;
        w->total++;
    }
    else zn_wr_put(w, &c, 1);
}

void zn_wr_double(zn_wr *w, double x)
{
    char b[40];
    zn_wr_put(w, b, zn_fmt_double(b, x));
}

void zn_wr_long(zn_wr *w, long x)
{
    char b[32];
    zn_wr_put(w, b, (size_t)snprintf(b, sizeof b, "%ld", x));
}

void zn_wr_eol(zn_wr *w)
{
    if (w->hash) /* the line is in buf unless it was longer than a block */
        wr_hash(w, w->line_start < w->n ? w->buf + w->line_start : "#", w->line_start < w->n ? w->n - w->line_start : 1);
    zn_wr_putc(w, '\n');
    w->line_start = w->n;
    w->bol = 1;
}

int zn_wr_close(zn_wr *w, char *err, size_t errlen)
{
    w->closing = 1;
    wr_flush(w, w->n);
    if (w->threaded) {
        pthread_mutex_lock(&w->mu);
        w->done = 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->th, NULL);
    }
    if (!w->plain && !w->err) w->err = write_all(w->fd, zn_bgzf_eof, sizeof zn_bgzf_eof);
    const char *name = w->path ? w->path : "standard output";
    int e = w->err;
    if (close(w->fd) != 0 && !e && errno != EBADF) e = errno; /* NFS reports late */
    int rc = 0;
    if (e) {
        snprintf(err, errlen, "write error on %s: %s", name, strerror(e));
        rc = -1;
    } else if (w->tmp && rename(w->tmp, w->target) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", w->tmp, w->target, strerror(errno));
        rc = -1;
    }
    if (w->tmp) {
        if (rc) unlink(w->tmp);
        sig_forget(w->tmp);
        zn_cleanup_forget(w->tmp);
    }
    if (!w->plain) {
        deflateEnd(&w->zs);
#ifdef ZN_HAVE_LIBDEFLATE
        if (w->ld) libdeflate_free_compressor(w->ld);
#endif
        if (w->threaded) {
            pthread_mutex_destroy(&w->mu);
            pthread_cond_destroy(&w->cv);
        }
        for (int i = 0; i < WR_NSLOT; i++) free(w->slot[i].data);
        free(w->zout);
    }
    free(w->buf);
    free(w->path);
    free(w->tmp);
    free(w->target);
    free(w->col0);
    free(w);
    return rc;
}
