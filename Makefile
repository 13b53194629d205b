# The two commands of the README: `make run` and `make test`.
# Both install missing Debian packages first (scripts/install-deps.sh).

BUILD_DIR ?= build/release
JOBS ?= $(shell nproc)
ORDERFLOW := $(BUILD_DIR)/apps/orderflow/orderflow

.PHONY: all deps build run test test-unit bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DOF_WERROR=ON > /dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Starts orderflow on http://localhost:8080 with its data in ./var.
run: build
	@mkdir -p var
	$(ORDERFLOW) serve --data-dir var --port 8080 --set log.format=text

# Every test: unit, contract, integration and end-to-end.
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j 2 --timeout 900

test-unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j 2 -L unit

# The performance figures: builds Release, starts orderflow (synchronous=FULL, then NORMAL
# for comparison), runs the standard `orderflow bench` scenarios and the micro-benchmarks;
# reports in build/bench/ (docs/performance.md). About 10 minutes on 2 cores.
bench: build
	@BUILD_DIR=$(BUILD_DIR) scripts/bench.sh

clean:
	rm -rf build
