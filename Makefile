# thelook_datagen: PGXS build. "make demo" and "make test" work on a fresh Debian machine: they
# install what is missing (test/deps.sh), then come back here with pg_config available.
EXTENSION   = thelook_datagen
EXTVERSION  = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" thelook_datagen.control)
MODULE_big  = thelook_datagen

CORE_SRCS   = $(sort $(wildcard src/core/*.cpp src/core/*/*.cpp))
PG_SRCS     = $(sort $(wildcard src/pg/*.cpp src/pg/*/*.cpp))
OBJS        = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

# SQL: every object is defined once, in src/sql/<subsystem>/<object>/<version>.sql, and the
# scripts are assembled from templates by src/sql/assemble.sh (src/sql/README.md): the install
# script of default_version from src/sql/install.sql, each upgrade A--B from
# src/sql/upgrades/A--B.sql with the objects as of B. versions/ holds the frozen install scripts
# of released versions (versions/freeze.sh), installed as they are. (Not sql/: pg_regress takes
# its test list from there.)
SQL_SOURCES = $(shell find src/sql -name '*.sql') src/sql/assemble.sh
UPGRADES    = $(patsubst src/sql/upgrades/%.sql,$(EXTENSION)--%.sql,$(sort $(wildcard src/sql/upgrades/*--*.sql)))
DATA_built  = $(EXTENSION)--$(EXTVERSION).sql $(UPGRADES)
DATA        = $(sort $(wildcard versions/$(EXTENSION)--*.sql))
ifneq ($(filter $(addprefix versions/,$(DATA_built)),$(DATA)),)
$(error versions/ holds a script that src/sql/ builds ($(filter $(addprefix versions/,$(DATA_built)),$(DATA))): bump default_version in $(EXTENSION).control)
endif
DATA_FILES  = $(wildcard data/*.tsv data/*.txt)
# Install scripts built here (also those of earlier default_versions); versions/ is never cleaned.
EXTRA_CLEAN = $(DATA_built) $(wildcard $(EXTENSION)--*.sql) test/unit/unit_tests test/unit/*.o test/unit/*.d \
              results regression.diffs regression.out

REGRESS     = $(basename $(notdir $(sort $(wildcard sql/*.sql))))

# The server to build for: PG_CONFIG=... on the command line, else the pg_config on the PATH, else
# the newest /usr/lib/postgresql/*/bin/pg_config (test/find_pg_config.sh; test/lib.sh agrees).
PG_CONFIG  ?= $(or $(shell test/find_pg_config.sh),pg_config)
# The test scripts (test/lib.sh) take the server from it too.
export PG_CONFIG
PGXS       := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

# -Wshadow=compatible-local: PostgreSQL 16 and later add it to CFLAGS; here too, so a build on 15
# finds what breaks theirs under WERROR.
WARNINGS    = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register \
              -Wno-sign-compare -Wshadow=compatible-local
PG_CXXFLAGS = -std=c++17 -fPIC $(WARNINGS) $(if $(WERROR),-Werror) -Isrc
PG_CPPFLAGS = -Isrc
SHLIB_LINK  = -lstdc++

# Rebuild an object when a header it includes changes (PGXS writes .deps/*.Po with -MMD).
override autodepend := yes
# No LLVM bitcode: it would need clang and gives nothing to a worker that runs no JIT-able SQL.
override with_llvm := no

ifneq ($(PGXS),)
include $(PGXS)
# PGXS puts the server headers on the -I path; make them system headers so that -Werror is
# about our code, not theirs.
override CPPFLAGS := $(patsubst -I$(includedir_server),-isystem $(includedir_server),$(CPPFLAGS))
endif

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_SOURCES) $(EXTENSION).control
	src/sql/assemble.sh $(EXTVERSION) src/sql/install.sql > $@.tmp && mv $@.tmp $@
# thelook_datagen--A--B.sql: the objects as of B (the text after the last "--").
$(UPGRADES): $(EXTENSION)--%.sql: $(SQL_SOURCES)
	src/sql/assemble.sh $(lastword $(subst --, ,$*)) src/sql/upgrades/$*.sql > $@.tmp && mv $@.tmp $@

install: install-thelook-data
.PHONY: install-thelook-data
install-thelook-data:
	$(MKDIR_P) '$(DESTDIR)$(datadir)/extension/$(EXTENSION)'
	$(INSTALL_DATA) $(DATA_FILES) '$(DESTDIR)$(datadir)/extension/$(EXTENSION)/'

# Unit tests of the pure C++ core, no server: Catch2 v2 (bookworm: one header) or v3 (trixie,
# sid: headers and libCatch2.a), whichever is installed (test/unit/catch.hpp).
# (\043 is '#', which make would take for a comment.)
CATCH2_LIBS := $(shell printf '\043include <catch2/catch_session.hpp>\n' | $(or $(CXX),c++) -std=c++17 -E -x c++ - >/dev/null 2>&1 && echo -lCatch2)
UNIT_SRCS = $(sort $(wildcard test/unit/*.cpp))
UNIT_OBJS = $(patsubst %.cpp,%.o,$(filter-out test/unit/main.cpp,$(UNIT_SRCS)))
# One object per test file (make -j, and an edit rebuilds one); the core's objects are the
# extension's own (built once, with the same warnings): src/core never includes postgres.h.
UNIT_CXX = $(CXX) -std=c++17 -O2 $(WARNINGS) $(if $(WERROR),-Werror) -Isrc -DTHELOOK_DATA_DIR='"$(CURDIR)/data"'
test/unit/catch_main.o: test/unit/main.cpp
	$(UNIT_CXX) -c -o $@ $<
test/unit/%.o: test/unit/%.cpp
	$(UNIT_CXX) -MMD -MP -c -o $@ $<
-include $(wildcard test/unit/*.d)
test/unit/unit_tests: test/unit/catch_main.o $(UNIT_OBJS) $(CORE_SRCS:.cpp=.o)
	$(UNIT_CXX) -o $@ $^ $(CATCH2_LIBS)

.PHONY: unit demo test deps regress lifecycle-tests bench charts deb dist test-matrix fuzz test-citus
unit: test/unit/unit_tests
	test/unit/unit_tests

deps:
	test/deps.sh

# The two commands of the README.
# The build runs a job per core (JOBS) unless make was given -j itself.
JOBS ?= $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc))
demo:
	test/deps.sh
	$(MAKE) $(JOBS) all
	$(MAKE) install
	test/demo.sh

test:
	test/deps.sh
	$(MAKE) $(JOBS) WERROR=1 all
	$(MAKE) install
	$(MAKE) $(JOBS) WERROR=1 unit
	test/run_regress.sh
	test/run_scripts.sh

# sqlsmith against a throwaway cluster for a bounded time (SQLSMITH_SECONDS, SQLSMITH_QUERIES);
# not part of make test: it reports what it found rather than pass/fail on PostgreSQL's own errors.
fuzz:
	test/deps.sh sqlsmith
	$(MAKE) all
	$(MAKE) install
	test/sqlsmith.sh

# The manual's pictures: charts from real runs (python3-matplotlib) and diagrams (graphviz), Debian's.
charts:
	test/deps.sh python3-matplotlib graphviz
	$(MAKE) all
	$(MAKE) install
	for c in docs/charts/*.sh; do bash $$c || exit 1; done

bench:
	test/deps.sh
	$(MAKE) $(JOBS) all
	$(MAKE) install
	BENCH_OUT=bench/results/latest.txt bench/run.sh

# Debian packages in the style of Debian's own postgresql-NN-<extension> (debian/: pg_buildext,
# debian/pgversions): one binary package postgresql-NN-thelook-datagen per PostgreSQL version
# installed and supported here. dpkg-buildpackage writes the .deb files into the parent directory.
deb:
	test/deps.sh debhelper dpkg-dev postgresql-all
	pg_buildext updatecontrol
	DEB_BUILD_OPTIONS="parallel=$$(nproc) $$DEB_BUILD_OPTIONS" dpkg-buildpackage -us -uc -b
	@ls ../postgresql-*-thelook-datagen_*.deb

# The release archive for PGXN (a zip, as pgvector's; META.json at its top): what HEAD holds (or
# DIST_TREE, any commit), under thelook_datagen-<version>/. test/matrix.sh builds everything from it.
DISTVERSION = $(shell sed -n 's/^ *"version": "\(.*\)",/\1/p' META.json | head -n 1)
DIST_TREE  ?= HEAD
# DIST_DIR: where the zip goes (test/matrix.sh gives each run its own, so two runs never share one).
DIST_DIR   ?= dist
dist:
	mkdir -p $(DIST_DIR)
	git archive --format zip --prefix=$(EXTENSION)-$(DISTVERSION)/ --output $(DIST_DIR)/$(EXTENSION)-$(DISTVERSION).zip $(DIST_TREE)
	@echo $(DIST_DIR)/$(EXTENSION)-$(DISTVERSION).zip

# A coordinator and two workers of Citus (built from ../shared/vendor/) in a trixie root (docs/citus.md).
test-citus:
	test/citus/run.sh

# The suite on each Debian release in a fresh debootstrapped root (test/matrix.sh; docs/install.md).
MATRIX_SUITES ?= bookworm trixie sid
test-matrix:
	test/matrix.sh $(MATRIX_SUITES)
