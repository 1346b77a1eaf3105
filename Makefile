# Infograph: `make run` and `make test` work on a fresh machine (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: help tools test-tools build build-debug run test test-rust test-e2e test-repeat bench clean-site

help:
	@echo "make run     - install tools, build (release), migrate, start on http://127.0.0.1:3000 with a demo login"
	@echo "make test    - install tools + chromium, build, run Rust tests and Playwright"
	@echo "make build   - release server + site into target/"
	@echo "make bench   - loopback benchmarks of the release build (SQLite and PostgreSQL)"

tools:
	@scripts/target-cache.sh
	@scripts/install-tools.sh

test-tools: tools
	@scripts/install-tools.sh --test

build: tools
	@scripts/build.sh release

build-debug: tools
	@scripts/build.sh debug

run: build
	@scripts/run.sh release

test: test-tools
	@scripts/test.sh

test-rust: tools
	@scripts/test.sh rust

test-e2e: test-tools
	@scripts/test.sh e2e

# Finds luck: the Rust suites 5 times on both databases, Playwright 3 times (not in CI).
test-repeat: test-tools
	@scripts/test-repeat.sh $(RUST_RUNS) $(E2E_RUNS)

bench: build
	@bench/run.sh

clean-site:
	rm -rf target/site
