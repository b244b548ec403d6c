# fuzz.mk - fuzzing (included from the Makefile; see tests/fuzz/README and
# NOTES.md "Fuzzing").
#   make fuzz [FUZZ_TIME=30] [FUZZ_TARGETS="znr ingest"]
#                     build the libFuzzer harnesses (clang) and run each for
#                     FUZZ_TIME seconds (niced); new inputs in build-fuzz/corpus/,
#                     crashes in build-fuzz/crashes/TARGET/
#   make fuzz-replay  every corpus file and reproducer through the programs of
#                     $(BUILD) (make fuzz-replay SANITIZE=1: the sanitizer build)
#   make fuzz-merge   fold build-fuzz/corpus/ into tests/fuzz/corpus/: only inputs
#                     that reach a new edge (hit counts ignored), so the replay
#                     in make check stays short
#   make fuzz FUZZ_KEEP_GOING=1   go on past crashes (libFuzzer -fork=1: each
#                     crash saved, the run continues): for hunting, not for CI

# integer checks for a clang sanitizer build (Makefile: SANITIZE=1 CC=clang;
# and the harnesses).  Not unsigned-integer-overflow (the PRNG and hashes wrap
# on purpose) nor implicit-integer-sign-change (int <-> size_t everywhere, by
# design); see NOTES.md.
SAN_CLANG = ,$(FUZZ_INT_SAN)
FUZZ_INT_SAN = integer-divide-by-zero,signed-integer-overflow,shift,implicit-signed-integer-truncation

FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build-fuzz
FUZZ_TIME    ?= 30
FUZZ_DIR      = tests/fuzz
FUZZ_TARGETS ?= $(foreach p,$(FUZZ_PAIRS),$(word 1,$(subst :, ,$(p))))
FUZZ_SAN      = address,undefined,float-cast-overflow,$(FUZZ_INT_SAN)
FUZZ_CFLAGS   = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -fno-sanitize-recover=all \
                $(WARN) $(PKG_CFLAGS) -DZN_FUZZ -I$(FUZZ_DIR) -Ilib
FUZZ_LIB_OBJ  = $(patsubst lib/%.c,$(FUZZ_BUILD)/obj/%.o,$(wildcard lib/*.c)) $(FUZZ_BUILD)/obj/schemas_gen.o
FUZZ_BINS     = $(addprefix $(FUZZ_BUILD)/bin/fuzz-,$(FUZZ_TARGETS))
# libFuzzer: no leak detection (the driver frees what each run leaves, so it
# would see nothing; leaks are the replay's); stderr (the programs' messages)
# closed, libFuzzer's own output and the sanitizer reports still shown
FUZZ_RUN_OPTS = -timeout=10 -rss_limit_mb=2048 -max_len=65536 -detect_leaks=0 -close_fd_mask=2 -print_final_stats=1 \
                $(if $(FUZZ_KEEP_GOING),-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)

.PHONY: fuzz fuzz-build fuzz-replay fuzz-merge fuzz-clean

$(FUZZ_BUILD)/obj $(FUZZ_BUILD)/bin:
	mkdir -p $@

# libzn's globals (caches) are reset before each run like the program's;
# zn_err.c's (the list of temporary files, atexit) are the driver's to reset
$(FUZZ_BUILD)/obj/%.o: lib/%.c lib/zn.h $(FUZZ_DIR)/zn_fuzz.h $(FUZZ_DIR)/zn_fuzz_prog.h | $(FUZZ_BUILD)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -include $(if $(filter zn_err,$*),zn_fuzz.h,zn_fuzz_prog.h) -c -o $@ $<

$(FUZZ_BUILD)/schemas_gen.c: $(SCHEMAS) schemas/sensors.tsv schemas/literature.tsv tools/embed-schemas.sh | $(FUZZ_BUILD)/obj
	tools/embed-schemas.sh schemas/sensors.tsv schemas/literature.tsv $(SCHEMAS) > $@

$(FUZZ_BUILD)/obj/schemas_gen.o: $(FUZZ_BUILD)/schemas_gen.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/libzn.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# a program's files with main renamed and their globals in sections of their
# own: filters/zn-X.c and, for a program in several files, filters/X/*.c
$(FUZZ_BUILD)/obj/prog/%.o: filters/%.c lib/zn.h $(wildcard filters/*/*.h) $(FUZZ_DIR)/zn_fuzz.h $(FUZZ_DIR)/zn_fuzz_prog.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -include zn_fuzz_prog.h -Dmain=zn_fuzz_main -c -o $@ $<
fuzz_objs = $(patsubst filters/%.c,$(FUZZ_BUILD)/obj/prog/%.o,filters/$(1).c $(wildcard filters/$(patsubst zn-%,%,$(1))/*.c))

$(FUZZ_BUILD)/obj/driver-%.o: $(FUZZ_DIR)/driver.c $(FUZZ_DIR)/zn_fuzz.h | $(FUZZ_BUILD)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DZN_FUZZ_TARGET='"$*"' -DZN_FUZZ_TARGETS='"$(CURDIR)/$(FUZZ_DIR)/targets"' -c -o $@ $<

# fuzz-TARGET: the driver, the target's program (column 2 of targets) and libzn
FUZZ_PAIRS := $(shell awk '!/^\#/ && NF >= 4 {print $$1 ":" $$2}' $(FUZZ_DIR)/targets)
define FUZZ_BIN_RULE
$(FUZZ_BUILD)/bin/fuzz-$(1): $(FUZZ_BUILD)/obj/driver-$(1).o $(call fuzz_objs,$(2)) $(FUZZ_BUILD)/libzn.a | $(FUZZ_BUILD)/bin
	$(FUZZ_CC) -fsanitize=fuzzer,$$(FUZZ_SAN) -o $$@ $$^ $$(PKG_LIBS) -lcsv -lpthread -lm
endef
# a library harness (program "lib" in targets): tests/fuzz/lib-NAME.c, built
# with libFuzzer and, for the replay, as a plain program in $(BUILD)/bin
# (part of all, so make check has it; not installed)
define FUZZ_LIB_RULE
$(FUZZ_BUILD)/bin/fuzz-$(1): $(FUZZ_DIR)/lib-$(1).c $(FUZZ_BUILD)/libzn.a lib/zn.h | $(FUZZ_BUILD)/bin
	$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer -o $$@ $$< $(FUZZ_BUILD)/libzn.a $$(PKG_LIBS) -lcsv -lpthread -lm
$(BUILD)/bin/fuzz-$(1): $(FUZZ_DIR)/lib-$(1).c $(BUILD)/libzn.a lib/zn.h | $(BUILD)/bin
	$$(CC) $$(CFLAGS) $$(WARN) $$(PKG_CFLAGS) -Ilib -DZN_FUZZ_STANDALONE -o $$@ $$< $(BUILD)/libzn.a $$(LDFLAGS) $$(LIBS)
all: $(BUILD)/bin/fuzz-$(1)
endef
$(foreach p,$(FUZZ_PAIRS),$(eval $(call $(if $(filter lib,$(word 2,$(subst :, ,$(p)))),FUZZ_LIB_RULE,FUZZ_BIN_RULE),$(word 1,$(subst :, ,$(p))),$(word 2,$(subst :, ,$(p))))))

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@bad=; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes/$$t $(FUZZ_DIR)/corpus/$$t; \
	  d=$(FUZZ_DIR)/dict/$${t%%_*}.dict; [ -f $$d ] || d=$(FUZZ_DIR)/dict/znr.dict; \
	  echo "== fuzz-$$t for $(FUZZ_TIME) s (dictionary $$d, log $(FUZZ_BUILD)/fuzz-$$t.log)"; \
	  n0=$$(ls $(FUZZ_BUILD)/crashes/$$t | wc -l); \
	  nice -n 10 $(FUZZ_BUILD)/bin/fuzz-$$t $(FUZZ_RUN_OPTS) -max_total_time=$(FUZZ_TIME) -dict=$$d \
	    -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t/ $(FUZZ_BUILD)/corpus/$$t $(FUZZ_DIR)/corpus/$$t \
	    > $(FUZZ_BUILD)/fuzz-$$t.log 2>&1 || bad="$$bad $$t"; \
	  [ $$(ls $(FUZZ_BUILD)/crashes/$$t | wc -l) -eq $$n0 ] || case " $$bad " in *" $$t "*) ;; *) bad="$$bad $$t";; esac; \
	  { grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
	    $(FUZZ_BUILD)/fuzz-$$t.log | sed 's/stat:://; s/  */ /g' | tr '\n' ' '; \
	    grep -E '^#[0-9]+: cov' $(FUZZ_BUILD)/fuzz-$$t.log | tail -n 1; echo; }; \
	  case " $$bad " in *" $$t "*) grep -E -m 12 'ERROR|SUMMARY|runtime error|^ +#[0-9] |Test unit written' \
	    $(FUZZ_BUILD)/fuzz-$$t.log;; esac; \
	done; \
	if [ -n "$$bad" ]; then echo "fuzz: crashes in:$$bad (reproducers in $(FUZZ_BUILD)/crashes/)" >&2; exit 1; fi

fuzz-replay: all
	@ZN_BIN=$(CURDIR)/$(BUILD)/bin $(FUZZ_DIR)/replay.sh

fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_DIR)/corpus/$$t; \
	  nice -n 10 $(FUZZ_BUILD)/bin/fuzz-$$t $(FUZZ_RUN_OPTS) -merge=1 -use_counters=0 \
	    $(FUZZ_DIR)/corpus/$$t $(FUZZ_BUILD)/corpus/$$t 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files' || true; \
	done

clean: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)
