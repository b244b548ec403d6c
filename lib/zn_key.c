/* zn_key.c - group keys: the values of a list of columns (--by, --match)
 * joined by 0x1f, numbers written in their shortest form so that "1" and
 * "1.0" are the same group. */
#include "zn.h"

#include <stdlib.h>
#include <string.h>

size_t zn_in_collist(const zn_in *in, const char *list, int *cols, size_t max, const char *opt)
{
    size_t n = 0;
    char *copy = zn_strdup(list), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == max) zn_usage_error("%s: at most %zu columns", opt, max);
        cols[n++] = zn_in_need(in, t);
    }
    free(copy);
    return n;
}

char *zn_key_make(const zn_in *in, const int *cols, size_t n)
{
    zn_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        double x;
        const char *f = in->f[cols[i]];
        size_t fl = in->fl[cols[i]];
        if (i) zn_buf_addc(&b, '\x1f');
        if (zn_parse_double(f, fl, &x) == ZN_NUM_OK) {
            char num[40];
            zn_buf_add(&b, num, zn_fmt_double(num, x));
        } else
            zn_buf_add(&b, f, fl);
    }
    if (!b.s) zn_buf_adds(&b, "");
    return b.s;
}

size_t zn_key_field(const char *key, size_t i, const char **start)
{
    const char *p = key;
    for (; i; i--) {
        const char *e = strchr(p, '\x1f');
        if (!e) {
            *start = "";
            return 0;
        }
        p = e + 1;
    }
    const char *e = strchr(p, '\x1f');
    *start = p;
    return e ? (size_t)(e - p) : strlen(p);
}

char *zn_key_text(char *const *names, size_t n, const char *key)
{
    zn_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        const char *v;
        size_t l = zn_key_field(key, i, &v);
        zn_buf_addf(&b, "%s%s=%.*s", i ? ", " : "", names[i], (int)l, v);
    }
    if (!b.s) zn_buf_adds(&b, "");
    return b.s;
}
