# gearsd: `make run` starts the server, `make test` runs every test.
# PYTHON=/path/to/python3.X builds against another CPython (3.11+, shared
# libpython); the default is the system's python3-embed.
SHELL := /bin/bash
export PYTHON
BIN ?= bin/gearsd
ARGS ?=
GOTEST_FLAGS ?= -race -count=1 -timeout 20m

BUILD_DEPS := gcc pkg-config python3-dev
TEST_DEPS := $(BUILD_DEPS) redis-server redis-tools python3-redis iproute2
BENCH_DEPS := $(TEST_DEPS)

# Every CPython 3.12+ that pyenv has, for the matrix.
PYENV_PYTHONS := $(sort $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3))

.PHONY: soak fuzz test-fuzz all build run test test-unit test-python test-blackbox test-matrix check bench difftest docker clean deps-build deps-test

## difftest: the store's differential test against redis-server, longer and
## with random seeds (make test runs it with its fixed seed). Each run
## prints its seed; DIFF_RUNS and DIFF_N size it.
DIFF_RUNS ?= 5
DIFF_N ?= 100000

all: build

deps-build:
	@scripts/deps.sh $(BUILD_DEPS)

deps-test:
	@scripts/deps.sh $(TEST_DEPS)

build: deps-build
	@mkdir -p $(dir $(BIN))
	scripts/go.sh build -o $(BIN) .

run: build
	./$(BIN) $(ARGS)

## test: everything, against the CPython of this build (system 3.11 by default).
test: deps-test check test-unit test-python test-blackbox test-fuzz

## Fuzz targets (package:target); their corpora are in each package's
## testdata/fuzz, which every go test run replays. test-fuzz runs each for
## FUZZTIME_SHORT inputs (a count, not a duration: a duration's deadline can
## end a run in the middle of minimizing an input, which go test then reports
## as "context deadline exceeded"); `make fuzz` for FUZZTIME (new finds go to Go's cache:
## copy the interesting ones into testdata/fuzz/<target>/ to keep them).
FUZZ_TARGETS := server:FuzzParse server:FuzzInline acl:FuzzRules store:FuzzAOFLoad \
	python:FuzzDecode gears:FuzzRecordReply gears:FuzzExecuteArgs
FUZZTIME_SHORT ?= 30000x
FUZZTIME ?= 2m

test-fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} ($(FUZZTIME_SHORT))"; \
		scripts/go.sh test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME_SHORT) ./$${t%%:*}/ ; \
	done

## soak: about SOAK_DURATION (10m) of 200 clients mixing data commands and
## RG.PYEXECUTE (10,000 sessions), a SIGKILL half way under appendfsync
## always; fails on any error, any acknowledged write lost, or resources
## that grow across the second half.
SOAK_DURATION ?= 10m
soak: deps-test build
	go run ./bench/soak -gearsd $(BIN) -duration $(SOAK_DURATION)

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} ($(FUZZTIME))"; \
		scripts/go.sh test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) ./$${t%%:*}/ ; \
	done

check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	scripts/go.sh vet ./...
	CGO_ENABLED=0 go build ./server/ ./store/ ./config/ ./resp/

test-unit:
	scripts/go.sh test $(GOTEST_FLAGS) $$(go list ./... | grep -v /tests)
	GEARSD_EVENT_LOOPS=0 scripts/go.sh test $(GOTEST_FLAGS) ./server/

test-python:
	/usr/bin/python3 -m unittest discover -s gears/runtime/tests -t gears/runtime

test-blackbox: build
	GEARSD_BIN=$(abspath $(BIN)) scripts/go.sh test $(GOTEST_FLAGS) ./tests/

## test-matrix: the Python-facing suites again against every CPython 3.12+
## found, once with 1 lane and a goroutine per connection (no event loop),
## once with 2 lanes (own GIL) and 2 event loops.
test-matrix: deps-test
	@if [ -z "$(PYENV_PYTHONS)" ]; then echo "test-matrix: no CPython 3.12+ found under ~/.pyenv"; fi
	@set -e; for py in $(PYENV_PYTHONS); do \
		v=$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
		echo "== CPython $$v ($$py)"; \
		PYTHON=$$py scripts/go.sh build -o bin/gearsd-$$v . ; \
		PYTHON=$$py scripts/go.sh test $(GOTEST_FLAGS) ./python/ ./scheduler/ ./subinterp/ ./gears/ ; \
		$$py -m unittest discover -s gears/runtime/tests -t gears/runtime ; \
		for lanes in 1 2; do \
			loops=$$((lanes == 1 ? 0 : 2)); \
			echo "== CPython $$v, $$lanes lane(s), $$loops event loop(s)"; \
			GEARSD_BIN=$(CURDIR)/bin/gearsd-$$v GEARSD_LANES=$$lanes GEARSD_EVENT_LOOPS=$$loops PYTHON=$$py scripts/go.sh test $(GOTEST_FLAGS) ./tests/ ; \
		done; \
	done

## bench: gearsd (and redis-server) measured side by side; see docs/benchmarks.md.
bench: deps-test build
	scripts/go.sh build -o bin/rawinterp ./bench/rawinterp
	@set -e; extra=""; for py in $(PYENV_PYTHONS); do \
		v=$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
		PYTHON=$$py scripts/go.sh build -o bin/gearsd-$$v . ; \
		PYTHON=$$py scripts/go.sh build -o bin/rawinterp-$$v ./bench/rawinterp ; \
		extra="-gearsd-owngil bin/gearsd-$$v -rawinterp-owngil bin/rawinterp-$$v -python $$py"; \
	done; \
	go run ./bench -gearsd $(BIN) -rawinterp bin/rawinterp $$extra

difftest: deps-test
	@set -eo pipefail; for i in $$(seq $(DIFF_RUNS)); do \
		GEARSD_DIFF_SEED=random GEARSD_DIFF_N=$(DIFF_N) go test -count=1 -v -run 'TestDifferential' ./store/ | grep -E '^(---|ok|FAIL)|seed' ; \
	done

docker:
	podman build -t gearsd . || docker build -t gearsd .

clean:
	rm -rf bin
