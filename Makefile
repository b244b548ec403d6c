# znflow - small Unix filters for cellular zinc experiments.
# make            build libzn and the programs into build/bin
# make check      install missing test tools (Debian), build, run all tests
# make check SANITIZE=1   the same under ASan + UBSan (in build-san/)
# make demo       install what the build needs (Debian), build, run the three
#                 protocols on the bundled example data -> demo-out/report.html
# make deps       install what make check needs (tools/deps.sh check)
# make bench      the benchmark (5M records; minutes, not part of check)
# make install    PREFIX=/usr/local DESTDIR=

CC      ?= gcc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/znflow
SHELL   := /bin/bash

WARN     = -Wall -Wextra -Werror -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
PKGS     = zlib gsl
# Evaluated when this file is read: `make demo` and `make check` therefore
# install the libraries first and build in a new make process (a bare
# machine's first run would otherwise link without -lz -lgsl).
PKG_OK     := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libdeflate (Debian libdeflate-dev) behind the BGZF block codec when it is
# there; zlib alone otherwise (ZNFLOW_ZLIB_ONLY=1 forces that build)
ifneq ($(ZNFLOW_ZLIB_ONLY),1)
ifneq ($(shell pkg-config --exists libdeflate 2>/dev/null && echo yes),)
PKG_CFLAGS += $(shell pkg-config --cflags libdeflate) -DZN_HAVE_LIBDEFLATE
PKG_LIBS   += $(shell pkg-config --libs libdeflate)
endif
endif
LIBS     = $(PKG_LIBS) -lcsv -lpthread -lm

# gcc leaves float-cast-overflow out of "undefined"; clang (CC=clang
# BUILD=build-clang) adds the integer checks the tree is clean of (fuzz.mk)
ifeq ($(SANITIZE),1)
BUILD   ?= build-san
SAN      = address,undefined,float-cast-overflow$(if $(findstring clang,$(CC)),$(SAN_CLANG))
CFLAGS  += -O1 -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
else
BUILD   ?= build
endif

PROGS    = zn-ingest zn-view zn-background zn-bleach zn-ratio zn-calibrate zn-metrics zn-mm-fit zn-uptake-rate zn-means zn-report
LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(patsubst lib/%.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/schemas_gen.o
SCHEMAS  = $(wildcard schemas/*.schema)
BINS     = $(addprefix $(BUILD)/bin/,$(PROGS))
UNIT     = $(BUILD)/bin/unit-tests
MANS     = $(wildcard man/*.[157])

.PHONY: all check unit bats deps demo bench install uninstall clean lint-man
.DELETE_ON_ERROR:

all: $(BINS)

# without zlib and GSL found by pkg-config, say what to do instead of failing
# to compile or link
ifneq ($(PKG_OK),yes)
$(LIB_OBJ) $(BINS) $(UNIT): | no-libs
no-libs:
	@echo "znflow: pkg-config finds no zlib and GSL: run 'make deps' (Debian; or tools/deps.sh build), or install zlib, GSL and libcsv development files" >&2; exit 1
.PHONY: no-libs
endif

$(BUILD)/obj $(BUILD)/bin:
	mkdir -p $@

$(BUILD)/obj/%.o: lib/%.c lib/zn.h | $(BUILD)/obj
	$(CC) $(CFLAGS) $(WARN) $(PKG_CFLAGS) -Ilib -c -o $@ $<

$(BUILD)/schemas_gen.c: $(SCHEMAS) schemas/sensors.tsv schemas/literature.tsv tools/embed-schemas.sh | $(BUILD)/obj
	tools/embed-schemas.sh schemas/sensors.tsv schemas/literature.tsv $(SCHEMAS) > $@

$(BUILD)/obj/schemas_gen.o: $(BUILD)/schemas_gen.c
	$(CC) $(CFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/libzn.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/%: filters/%.c $(BUILD)/libzn.a lib/zn.h | $(BUILD)/bin
	$(CC) $(CFLAGS) $(WARN) $(PKG_CFLAGS) -Ilib -o $@ $< $(BUILD)/libzn.a $(LDFLAGS) $(LIBS)

# zn-ingest is one program in several files (filters/ingest/ingest.h says which holds what)
INGEST_SRC = $(wildcard filters/ingest/*.c)
$(BUILD)/bin/zn-ingest: filters/zn-ingest.c $(INGEST_SRC) filters/ingest/ingest.h $(BUILD)/libzn.a lib/zn.h | $(BUILD)/bin
	$(CC) $(CFLAGS) $(WARN) $(PKG_CFLAGS) -Ilib -o $@ filters/zn-ingest.c $(INGEST_SRC) $(BUILD)/libzn.a $(LDFLAGS) $(LIBS)

# zn-report is one program in several files (filters/report/report.h says which holds what)
REPORT_SRC = $(wildcard filters/report/*.c)
$(BUILD)/bin/zn-report: filters/zn-report.c $(REPORT_SRC) filters/report/report.h $(BUILD)/libzn.a lib/zn.h | $(BUILD)/bin
	$(CC) $(CFLAGS) $(WARN) $(PKG_CFLAGS) -Ilib -o $@ filters/zn-report.c $(REPORT_SRC) $(BUILD)/libzn.a $(LDFLAGS) $(LIBS)

$(UNIT): tests/unit/unit-tests.c $(BUILD)/libzn.a lib/zn.h | $(BUILD)/bin
	$(CC) $(CFLAGS) $(WARN) $(PKG_CFLAGS) -Ilib -o $@ $< $(BUILD)/libzn.a $(LDFLAGS) $(LIBS)

# deps first, then the build in a new make process that sees the libraries
deps:
	@tools/deps.sh check

check:
	@tools/deps.sh check
	@$(MAKE) --no-print-directory all $(UNIT)
	@ZN_BIN=$(CURDIR)/$(BUILD)/bin ZN_TOP=$(CURDIR) ZN_SANITIZE=$(SANITIZE) tests/run.sh

lint-man:
	@for m in $(MANS); do \
	  out=$$(LC_ALL=C.UTF-8 MANWIDTH=80 groff -ww -man -Tutf8 -z $$m 2>&1); \
	  if [ -n "$$out" ]; then echo "$$m: $$out"; exit 1; fi; done

demo:
	@tools/deps.sh demo
	@$(MAKE) --no-print-directory -q all 2>/dev/null || $(MAKE) --no-print-directory all
	@tools/demo.sh $(BUILD)/bin

bench: all
	@bench/run.sh $(BUILD)/bin
	@bench/fit.sh $(BUILD)/bin
	@bench/report.sh $(BUILD)/bin
	@bench/ingest.sh $(BUILD)/bin

# what `make install` puts under DATADIR: the protocol pipelines (with a
# note of BINDIR, so that they find the programs), their parameters, the
# example data with its truth and manifest, the demo; znflow in BINDIR
PIPE_FILES = $(filter-out pipelines/znflow,$(wildcard pipelines/* pipelines/slurm/*))
DATA_FILES = $(shell find examples -type f) tools/demo.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)/schemas
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)
	sed 's|^ZNFLOW_DATA=$$|ZNFLOW_DATA=$(DATADIR)|' pipelines/znflow > $(DESTDIR)$(BINDIR)/znflow
	chmod 0755 $(DESTDIR)$(BINDIR)/znflow
	for m in $(MANS); do s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s; done
	install -m 0644 $(SCHEMAS) schemas/sensors.tsv schemas/literature.tsv $(DESTDIR)$(DATADIR)/schemas
	for f in $(PIPE_FILES) $(DATA_FILES); do [ -f $$f ] || continue; \
	  install -D -m $$([ -x $$f ] && echo 0755 || echo 0644) $$f $(DESTDIR)$(DATADIR)/$$f; done
	echo "ZNFLOW_INSTALLED_BIN=$(BINDIR)" > $(DESTDIR)$(DATADIR)/pipelines/installed.conf

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGS) znflow)
	for m in $(MANS); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m); done
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-san demo-out

include tests/fuzz/fuzz.mk
