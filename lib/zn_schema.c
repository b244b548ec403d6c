/* zn_schema.c - record types, compiled in from schemas/ (schemas_gen.c). */
#include "zn.h"

#include <stdlib.h>
#include <string.h>

extern const char *const *zn_schema_texts;

const char *zn_schema_text(const char *name)
{
    for (size_t i = 0; zn_schema_names[i]; i++)
        if (strcmp(zn_schema_names[i], name) == 0) return zn_schema_texts[i];
    return NULL;
}

/* call f for every column line of the schema: name, type, unit, need */
static int each_col(const char *schema, int (*f)(const char *line, void *arg), void *arg)
{
    const char *t = zn_schema_text(schema);
    if (!t) return -1;
    while (*t) {
        const char *e = strchr(t, '\n');
        size_t n = e ? (size_t)(e - t) : strlen(t);
        if (n && t[0] != '#') {
            char *line = zn_strndup(t, n);
            int r = f(line, arg);
            free(line);
            if (r) return r;
        }
        t += n + (e != NULL);
    }
    return 0;
}

static int field(const char *line, int k, char *out, size_t outlen)
{
    for (int i = 0; i < k; i++) {
        line = strchr(line, '\t');
        if (!line) return -1;
        line++;
    }
    size_t n = strcspn(line, "\t");
    if (n >= outlen) n = outlen - 1;
    memcpy(out, line, n);
    out[n] = 0;
    return 0;
}

static int name_matches(const char *pat, const char *col)
{
    size_t n = strlen(pat);
    if (n && pat[n - 1] == '*') return strncmp(pat, col, n - 1) == 0 && col[n - 1];
    return strcmp(pat, col) == 0;
}

struct check {
    char *const *cols;
    size_t ncols;
    zn_buf missing;
};

static int check_one(const char *line, void *arg)
{
    struct check *c = arg;
    char name[128], need[32];
    if (field(line, 0, name, sizeof name) || field(line, 3, need, sizeof need)) return 0;
    if (strcmp(need, "required") != 0) return 0;
    for (size_t i = 0; i < c->ncols; i++)
        if (name_matches(name, c->cols[i])) return 0;
    if (c->missing.n) zn_buf_adds(&c->missing, ", ");
    zn_buf_addc(&c->missing, '\'');
    zn_buf_adds(&c->missing, name);
    zn_buf_addc(&c->missing, '\'');
    return 0;
}

int zn_schema_check(const char *schema, char *const *cols, size_t ncols, char *err, size_t errlen)
{
    struct check c = {cols, ncols, {0}};
    if (each_col(schema, check_one, &c) < 0) {
        snprintf(err, errlen, "unknown schema '%s'", schema);
        return -1;
    }
    if (c.missing.n) {
        snprintf(err, errlen, "schema %s: missing required column%s %s", schema,
                 strchr(c.missing.s, ',') ? "s" : "", c.missing.s);
        zn_buf_free(&c.missing);
        return -1;
    }
    return 0;
}

struct isnum {
    const char *col;
    int result;
};

static int isnum_one(const char *line, void *arg)
{
    struct isnum *q = arg;
    char name[128], type[32];
    if (field(line, 0, name, sizeof name) || field(line, 1, type, sizeof type)) return 0;
    if (!name_matches(name, q->col)) return 0;
    q->result = strcmp(type, "num") == 0 || strcmp(type, "int") == 0;
    return 1;
}

int zn_schema_is_numeric(const char *schema, const char *col)
{
    struct isnum q = {col, -1};
    each_col(schema, isnum_one, &q);
    return q.result;
}
