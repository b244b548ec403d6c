/* zn_dict.c - a string -> index hash map (FNV-1a, linear probing). */
#include "zn.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

size_t zn_dict_get(const zn_dict *d, const char *key)
{
    if (!d->cap) return (size_t)-1;
    size_t j = fnv(key) & (d->cap - 1);
    while (d->key[j]) {
        if (strcmp(d->key[j], key) == 0) return d->val[j];
        j = (j + 1) & (d->cap - 1);
    }
    return (size_t)-1;
}

size_t zn_dict_put(zn_dict *d, const char *key, size_t val)
{
    if (2 * (d->n + 1) > d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 64;
        char **nk = zn_calloc(ncap, sizeof *nk);
        size_t *nv = zn_calloc(ncap, sizeof *nv);
        for (size_t i = 0; i < d->cap; i++)
            if (d->key[i]) {
                size_t j = fnv(d->key[i]) & (ncap - 1);
                while (nk[j]) j = (j + 1) & (ncap - 1);
                nk[j] = d->key[i];
                nv[j] = d->val[i];
            }
        free(d->key);
        free(d->val);
        d->key = nk;
        d->val = nv;
        d->cap = ncap;
    }
    size_t j = fnv(key) & (d->cap - 1);
    while (d->key[j]) {
        if (strcmp(d->key[j], key) == 0) return d->val[j];
        j = (j + 1) & (d->cap - 1);
    }
    d->key[j] = zn_strdup(key);
    d->val[j] = val;
    d->n++;
    return val;
}

void zn_dict_free(zn_dict *d)
{
    for (size_t i = 0; i < d->cap; i++) free(d->key[i]);
    free(d->key);
    free(d->val);
    memset(d, 0, sizeof *d);
}
