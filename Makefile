# SPDX-License-Identifier: MIT
# The two commands of the README: `make demo` and `make test`.
# Both install what is missing first (scripts/install-deps.sh), then build with CMake.
SHELL      := /bin/bash
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build build-asan build-tsan build-release test demo fuzz bench bench-soak dissector docs \
        deb clean

all: build

deps:
	@bash scripts/install-deps.sh

dissector: deps
	@bash scripts/ensure-dissector.sh

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DS7P_WERROR=ON
	cmake --build $(BUILD) -j $(JOBS)

# ASan + UBSan, built with clang so the libFuzzer targets come along.
build-asan: deps
	CC=clang cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
	    -DS7P_WERROR=ON -DS7P_SANITIZE=ON -DS7P_BUILD_FUZZ=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# ThreadSanitizer (clang): tests only, no fuzz targets; `make test` runs the tests labelled
# `tsan` here (the concurrent ones). A TSan report fails its test.
build-tsan: deps
	CC=clang cmake -S . -B $(TSAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DS7P_WERROR=ON -DS7P_TSAN=ON
	cmake --build $(TSAN_BUILD) -j $(JOBS)

# The optimised build (-O3) must be warning-free too: its optimiser sees other paths than -O2.
# `make test` builds it (nothing runs there); `make bench` runs its benchmarks.
build-release: deps
	cmake -S . -B build-release $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DS7P_WERROR=ON
	cmake --build build-release -j $(JOBS)

test: build build-asan build-tsan build-release dissector
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(TSAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L tsan

# Longer fuzzing runs (FUZZ_SECONDS per target).
FUZZ_SECONDS ?= 300
fuzz: build-asan
	bash scripts/fuzz.sh $(ASAN_BUILD) $(FUZZ_SECONDS)

# Every benchmark against its physical floor, one table (docs/performance.md);
# `make bench BENCH_ARGS=--json` prints the report as JSON.
BENCH_ARGS ?=
bench: build-release
	/usr/bin/python3 scripts/bench-report.py --build build-release $(BENCH_ARGS)

# The 10-minute subscription soak (not part of `make bench`): 1 000 tags x 10 ms for
# SOAK_SECONDS; fails on any lost notification (sequence gap) or wrong value.
SOAK_SECONDS ?= 600
bench-soak: build-release
	./build-release/bench/bench_subscribe --seconds $(SOAK_SECONDS)

# The API reference (Doxygen, HTML in build-docs/html); any warning fails it.
docs: deps
	cmake -E make_directory build-docs
	doxygen docs/Doxyfile

# The Debian package s7plus_VERSION_ARCH.deb (library, header, pkg-config and CMake files,
# s7plus, s7plus-sim, man pages), built for prefix /usr; `apt install ./build-deb/s7plus_*.deb`.
deb: deps
	cmake -S . -B build-deb $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DS7P_WERROR=ON \
	    -DS7P_BUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr
	cmake --build build-deb -j $(JOBS)
	cd build-deb && cpack -G DEB

demo: build
	bash scripts/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-release build-docs build-deb
