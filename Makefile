# The two commands of the README:
#   make demo   builds reagent and runs the demo against a local mock model (no key, no network)
#   make test   builds everything and runs the whole test suite through ctest
# Both install missing Debian packages first (scripts/install-deps).
PRESET ?= dev
JOBS ?= $(shell nproc)

.PHONY: demo test build deps release asan tsan fuzz bench install clean

deps:
	@scripts/install-deps

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

demo: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target reagent-cli
	@scripts/demo build/release/bin/reagent

test: build
	@ctest --preset $(PRESET)

release:
	@$(MAKE) --no-print-directory build PRESET=release

asan:
	@$(MAKE) --no-print-directory test PRESET=asan

# The concurrency tests (sessions across threads and processes, limiter, breaker, the agent
# with parallel tools, `scan --jsonl` on several threads) under ThreadSanitizer. The preset
# passes -Wno-tsan: GCC 12 warns (an error under -Werror) that boost.asio's
# atomic_thread_fence is not instrumented, which stopped the server from building at all.
tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS)
	@ctest --preset tsan

# Builds the libFuzzer targets (clang-14) and runs each for FUZZ_SECONDS (default 60) under
# nice, one after another; FUZZ_TARGETS picks some ("json_policy sse"). Findings land in
# build/fuzz/findings/.
fuzz:
	@scripts/install-deps fuzz
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@scripts/run-fuzzers build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench:
	@scripts/install-deps bench
	@$(MAKE) --no-print-directory release
	@scripts/run-benchmarks build/release

install: release
	@cmake --install build/release --prefix $(or $(PREFIX),/usr/local)

clean:
	@rm -rf build
