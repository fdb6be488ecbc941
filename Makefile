# ccsim -- one flat Makefile.  `make demo` and `make test` are the contract (DESIGN.md 1).
#
# Sources: every .c under sim/ and protocols/ goes into build/libccsim.a, except
# the CLI entry point sim/cli/main.c.  Every tests/test_<module>.c becomes one
# cmocka binary linked against the library.  Nothing here lists files by hand,
# so adding a module or a test means adding files, not editing this Makefile.
#
# `make` runs as many jobs at once as there are processors.  An explicit -j
# wins, on the command line or in MAKEFLAGS; so does a parent make's, whose
# job slots a sub-make shares.  (GNU make 4.3 hides -j from $(MAKEFLAGS)
# while it reads this file, hence the look at the environment's copy.)
# `make clean all` stays serial, so nothing is built while it is deleted.
ifeq ($(filter -j%,$(MAKEFLAGS) $(shell printenv MAKEFLAGS))$(filter clean,$(MAKECMDGOALS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif

# WERROR=1 turns every warning into an error (.ci/run builds that way).
CFLAGS_WARN := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes \
               -Wmissing-prototypes -Wno-sign-conversion
WERROR  ?=
OPT     ?= -O2 -g
BUILD   ?= build
SAN     ?=
CFLAGS_ALL = -std=c11 -D_POSIX_C_SOURCE=200809L $(OPT) $(CFLAGS_WARN) \
             $(if $(filter-out 0,$(WERROR)),-Werror) $(SAN) -I. $(YAML_CFLAGS) -MMD -MP
YAML_CFLAGS   = $(shell pkg-config --cflags yaml-0.1 2>/dev/null)
YAML_LIBS     = $(shell pkg-config --libs yaml-0.1 2>/dev/null)
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell pkg-config --libs cmocka 2>/dev/null)
PREFIX  ?= /usr/local

LIB_SRC  := $(sort $(filter-out sim/cli/main.c,$(shell find sim protocols -name '*.c')))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
# The core engine (docs/engine.md, "Layers"): sim/*.c and sim/scenario/.
# `make core` builds it alone, without protocols/, and links the engine's
# own tests against it, which proves the engine needs no model.
CORE_SRC := $(sort $(wildcard sim/*.c sim/scenario/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
CORE_TESTS := test_sim test_evq test_clock test_rng test_param
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
CCSIM    := $(BUILD)/ccsim
# Fuzz targets (tests/fuzz/README.md): tests/fuzz/fuzz_NAME.c each define
# LLVMFuzzerTestOneInput.  $(BUILD)/fuzz/replay-NAME feeds corpus files to
# it (any compiler, part of `make test`); `make fuzz` links it with
# libFuzzer instead, with clang, into build-fuzz/fuzz/NAME.
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
REPLAY_BIN := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay-%)
FUZZ_BIN   := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
FUZZ_TIME  ?= 60
FUZZ_TARGETS ?= $(FUZZ_NAMES)

.PHONY: vopr all deps deps-build test unit scenarios broken determinism demo bench install clean \
        sanitize check-deps readme-images core fuzz conformance conformance-redis conformance-sql

all: $(CCSIM) ccsim

# Missing Debian packages are installed by scripts/install-deps.sh (DESIGN.md 1).
# Building ./ccsim needs only a C compiler, pkg-config and libyaml
# (deps-build); the tests also need cmocka and GNU parallel, and the
# timelines gnuplot (deps).
# deps waits for deps-build, so two installs never run at once.
deps-build:
	@pkg-config --exists yaml-0.1 && command -v $(firstword $(CC)) >/dev/null 2>&1 \
	  || sh scripts/install-deps.sh build
deps: deps-build
	@pkg-config --exists yaml-0.1 cmocka && command -v gnuplot >/dev/null 2>&1 \
	  && command -v parallel >/dev/null 2>&1 || sh scripts/install-deps.sh

$(BUILD)/%.o: %.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libccsim.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/libccsim-core.a: $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/core/%: tests/%.c $(BUILD)/libccsim-core.a | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CMOCKA_CFLAGS) -o $@ $< $(BUILD)/libccsim-core.a $(CMOCKA_LIBS) $(YAML_LIBS)

core: $(CORE_TESTS:%=$(BUILD)/core/%)

$(CCSIM): $(BUILD)/sim/cli/main.o $(BUILD)/libccsim.a
	$(CC) $(SAN) -o $@ $^ $(YAML_LIBS)

# The binary the README talks about is ./ccsim at the top of the checkout.
# (only the default build: sanitizer and bench builds leave ./ccsim alone)
ccsim: $(CCSIM)
	@if [ "$(BUILD)" = build ]; then ln -sf $(CCSIM) ccsim; fi

$(BUILD)/tests/%: tests/%.c $(BUILD)/libccsim.a | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CMOCKA_CFLAGS) -o $@ $< $(BUILD)/libccsim.a $(CMOCKA_LIBS) $(YAML_LIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libccsim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libccsim.a $(YAML_LIBS)

# `make test`: unit tests, the scenario library, the broken-file tests and
# the determinism test.  scripts/test.sh prints one summary line at the end.
# The SQL replay driver's parser runs in `make test` when libpq and
# libmariadb are installed (conformance-sql below).  Defined before the
# rule: a rule's prerequisites are expanded when it is read.
SQL_CLIENT_OK := $(shell pkg-config --exists libpq libmariadb 2>/dev/null && echo yes)
SQL_REPLAY_BIN := $(if $(SQL_CLIENT_OK),$(BUILD)/conformance/sql_replay)

test: deps all $(TEST_BIN) $(TOOL_BIN) $(REPLAY_BIN) core $(BUILD)/conformance/redis_replay $(SQL_REPLAY_BIN)
	@BUILD=$(BUILD) sh scripts/test.sh

unit: deps all $(TEST_BIN)
	@BUILD=$(BUILD) sh scripts/test.sh unit

# AddressSanitizer + UndefinedBehaviorSanitizer build of everything, in its
# own build folder, running the same suite.
sanitize: deps
	$(MAKE) BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" test

# `make vopr VOPR_SECONDS=1800`: ccsim's own VOPR (scripts/vopr.sh) on the
# sanitizer build: the whole library under a swarm nemesis, round after
# round of fresh seeds, failing on any internal error.
VOPR_SECONDS ?= 600
vopr: deps
	$(MAKE) BUILD=build-san OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" build-san/ccsim
	@sh scripts/vopr.sh $(VOPR_SECONDS) build-san/ccsim

$(BUILD)/fuzz/obj/%.o: tests/fuzz/%.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# (objects of a pattern chain are kept, so a rebuild relinks only)
.SECONDARY: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/obj/%.o) $(BUILD)/fuzz/obj/replay_main.o

$(BUILD)/fuzz/replay-%: $(BUILD)/fuzz/obj/fuzz_%.o $(BUILD)/fuzz/obj/replay_main.o $(BUILD)/libccsim.a
	$(CC) $(SAN) -o $@ $^ $(YAML_LIBS)

$(BUILD)/fuzz/%: $(BUILD)/fuzz/obj/fuzz_%.o $(BUILD)/libccsim.a
	$(CC) $(SAN) -fsanitize=fuzzer -o $@ $^ $(YAML_LIBS)

# `make fuzz`: every target (or FUZZ_TARGETS="scenario set") built with clang,
# libFuzzer, ASan and UBSan in build-fuzz/, each run for FUZZ_TIME seconds
# on its corpus (scripts/fuzz.sh; a crash's input lands in
# build-fuzz/fuzz/artifacts/).  Needs clang's runtime (libclang-rt-dev).
fuzz: deps-build
	@command -v clang >/dev/null 2>&1 || { echo "make fuzz: needs clang and libclang-rt-dev (sh scripts/install-deps.sh ci)" >&2; exit 1; }
	$(MAKE) CC=clang BUILD=build-fuzz OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link" \
	  $(FUZZ_TARGETS:%=build-fuzz/fuzz/%)
	@FUZZ_TIME=$(FUZZ_TIME) sh scripts/fuzz.sh build-fuzz $(FUZZ_TARGETS)

# `make conformance` (docs/conformance.md): ccsim's Redis command logs
# (`ccsim run --emit redis`, docs/redis-log.md) replayed on real
# redis-server processes, each with its wall clock set per command by an
# LD_PRELOAD shim (tests/conformance/).  Needs redis-server (scripts/
# install-deps.sh ci).  The shim goes into redis-server, so it is built
# without the sanitizers; the driver's log parser also runs in `make test`.
CONF_SHIM_CFLAGS = -std=c11 $(OPT) $(CFLAGS_WARN) $(if $(filter-out 0,$(WERROR)),-Werror) -fPIC -shared

$(BUILD)/conformance/redis_replay: tests/conformance/redis_replay.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $<

$(BUILD)/conformance/clockshim.so: tests/conformance/clockshim.c
	@mkdir -p $(dir $@)
	$(CC) $(CONF_SHIM_CFLAGS) -o $@ $<

# `make conformance-sql` (tests/conformance/sql/README.md): ccsim's SQL
# statement logs (`ccsim run --emit sql`, docs/sql-log.md) replayed on a
# throwaway PostgreSQL 15 and MariaDB 10.11, and the flash sale D1..D5 on
# PostgreSQL.  Needs postgresql, mariadb-server, libpq-dev and
# libmariadb-dev (scripts/install-deps.sh ci).  `make test` runs the
# driver's log parser when the two client libraries are installed.

$(BUILD)/conformance/sql_replay: tests/conformance/sql/sql_replay.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $$(pkg-config --cflags libpq libmariadb) -o $@ $< $$(pkg-config --libs libpq libmariadb)

$(BUILD)/conformance/flash_pg: tests/conformance/sql/flash_pg.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $$(pkg-config --cflags libpq) -o $@ $< $$(pkg-config --libs libpq)

# The three parts run one after the other, each after its own build: the
# L5 part compares in real time (50 ms tolerances), so it must not share
# the processors with a PostgreSQL and a MariaDB starting up.  A part that
# fails does not stop the next; `conformance` fails at the end.
CONFORMANCE_PARTS := conformance-redis conformance-l5 conformance-sql
conformance:
	@rc=0; for p in $(CONFORMANCE_PARTS); do \
	  $(MAKE) --no-print-directory $$p || { rc=1; echo "conformance: $$p FAILED"; }; done; \
	  [ $$rc -eq 0 ] && echo "conformance: all three parts passed"; exit $$rc

conformance-sql: deps all $(BUILD)/conformance/sql_replay $(BUILD)/conformance/flash_pg
	@sh tests/conformance/sql/run.sh $(BUILD)

conformance-redis: deps all $(BUILD)/conformance/redis_replay $(BUILD)/conformance/clockshim.so
	@sh tests/conformance/run.sh $(BUILD)

demo: deps all
	@sh scripts/demo.sh $(CCSIM)

bench: deps
	$(MAKE) BUILD=build-bench OPT="-O2 -g -DNDEBUG_BENCH" all $(TOOL_BIN:$(BUILD)/%=build-bench/%)
	@BUILD=build-bench sh scripts/bench.sh

# `make readme-images`: the timelines the README shows, drawn from the
# scenario library into docs/images/NAME.png (commit them with the README).
README_SCENARIOS := scenarios/locks/L2-lease-gc-pause.yaml \
                    scenarios/locks/L4-fencing-token-gc-pause.yaml \
                    scenarios/redlock/R4-redlock-clock-jump.yaml \
                    scenarios/2pc/T3-coordinator-crash-stuck.yaml
readme-images: deps all
	@mkdir -p docs/images
	@for y in $(README_SCENARIOS); do n=$$(basename $$y .yaml); \
	  $(CCSIM) run $$y -q --out $(BUILD)/readme/$$n >/dev/null; [ $$? -ne 2 ] || exit 1; \
	  cp $(BUILD)/readme/$$n/timeline.png docs/images/$$n.png || exit 1; \
	  echo "docs/images/$$n.png"; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(CCSIM) $(DESTDIR)$(PREFIX)/bin/ccsim

clean:
	rm -rf build build-san build-bench build-fuzz build-o0 build-o2 build-clang ccsim

-include $(BUILD)/conformance/redis_replay.d $(BUILD)/conformance/sql_replay.d $(BUILD)/conformance/flash_pg.d
-include $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/obj/%.d) $(BUILD)/fuzz/obj/replay_main.d $(LIB_OBJ:.o=.d) $(TEST_BIN:=.d) $(CORE_TESTS:%=$(BUILD)/core/%.d) $(BUILD)/sim/cli/main.d

# ---- make conformance-l5 (tests/conformance/l5/README.md) ----
# The L5 family in real time against a real redis-server master and replica
# and a real redis-sentinel (Debian's 7.0), through a loopback proxy of ours
# that makes the replication lag and the power loss; compared with ccsim's
# runs.  About 110 s (L5b waits out the default 30 s down-after).
L5_DIR := $(BUILD)/conformance/l5
L5_BIN := $(L5_DIR)/l5proxy $(L5_DIR)/l5drive
.PHONY: conformance-l5
$(L5_DIR)/%: tests/conformance/l5/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $<
conformance-l5: deps all $(L5_BIN)
	sh tests/conformance/l5/run.sh ./$(CCSIM) $(L5_DIR)
