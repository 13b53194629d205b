#!/usr/bin/env bash
# `make bench`: the figures the README quotes. Expects a Release build in
# BUILD_DIR (make bench builds it first). For each durability setting
# (synchronous=FULL, then NORMAL for comparison) it starts orderflow on a free
# port in a temporary data directory, runs the standard scenarios with
# `orderflow bench` (which prints the table with the machine and the disk's
# fsync rate), and writes the JSON report and SVG charts to OUT_DIR:
#   report.json, report.svg                 synchronous=FULL (the durable setting)
#   report-normal.json, report-normal.svg   synchronous=NORMAL (comparison only)
#   micro.txt, micro.json                   the micro-benchmarks (bench/)
# About 8-10 minutes on 2 cores. SCENARIOS, SYNC_MODES, MICRO=0 change what runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build/release}
OUT_DIR=${OUT_DIR:-build/bench}
BIN=$BUILD_DIR/apps/orderflow/orderflow
MICRO_BIN=$BUILD_DIR/bench/orderflow_micro_bench
SCENARIOS=${SCENARIOS:-closed:duration=20,steady:rate=2000:duration=30,spike:rate=200:duration=30,brief-10k,sustained-200:duration=30,peak-500:duration=30}
SYNC_MODES=${SYNC_MODES:-full normal}
MICRO=${MICRO:-1}
[ -x "$BIN" ] || { echo "no $BIN: run make bench (it builds Release first)"; exit 1; }
command -v curl > /dev/null || { echo "curl is needed"; exit 1; }
mkdir -p "$OUT_DIR"

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (echo > "/dev/tcp/127.0.0.1/$port") 2> /dev/null || { echo "$port"; return; }
  done
}

pid=""
data=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; fi
  if [ -n "$data" ]; then rm -rf "$data"; fi
}
trap cleanup EXIT

echo "orderflow make bench, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2> /dev/null || echo unknown)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)," \
  "$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo); load generator on the same machine"
echo "scenarios: $SCENARIOS"
status=0
for sync in $SYNC_MODES; do
  data=$(mktemp -d "${TMPDIR:-/tmp}/orderflow-bench-XXXXXX")
  port=$(free_port)
  "$BIN" serve --data-dir "$data" --port "$port" --set http.address=127.0.0.1 --set catalog.demo=false \
    --set "store.synchronous=$sync" --set fulfillment.delivery_delay_ms=0 --set log.level=warn --set ratelimit.enabled=false > "$data/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break
    kill -0 "$pid" 2> /dev/null || { echo "orderflow did not start:"; cat "$data/server.log"; exit 1; }
    sleep 0.1
  done
  if [ "$sync" = full ]; then suffix=""; label="synchronous=FULL (durable: every commit fsynced)"; else
    suffix="-$sync"; label="synchronous=$(echo "$sync" | tr a-z A-Z) (COMPARISON ONLY: a power loss may drop the last commits)"; fi
  echo
  "$BIN" bench --url "http://127.0.0.1:$port" --scenario "$SCENARIOS" --setup-catalog --server-pid "$pid" \
    --fsync-dir "$data" --label "$label" --report "$OUT_DIR/report$suffix.json" --svg "$OUT_DIR/report$suffix.svg" \
    || status=$?
  echo "server log warnings: $(grep -c . "$data/server.log" || true) lines (kept in the report directory as server$suffix.log)"
  cp "$data/server.log" "$OUT_DIR/server$suffix.log"
  cleanup
  pid=""
  data=""
done

if [ "$MICRO" = 1 ] && [ -x "$MICRO_BIN" ]; then
  echo
  echo "micro-benchmarks ($MICRO_BIN):"
  "$MICRO_BIN" --benchmark_min_time=0.2 --benchmark_out="$OUT_DIR/micro.json" --benchmark_out_format=json \
    | tee "$OUT_DIR/micro.txt"
fi
echo
echo "reports: $OUT_DIR/report.json, $OUT_DIR/report.svg (FULL); $OUT_DIR/report-normal.json, .svg (NORMAL); $OUT_DIR/micro.txt"
exit $status
