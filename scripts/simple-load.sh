#!/usr/bin/env bash
# A simple throughput and latency run for the README (the load generator with
# open-loop arrival rates comes with the performance work): starts a Release
# orderflow in a temporary data directory with durable settings
# (synchronous=FULL), drives POST /v1/orders with wrk for DURATION seconds over
# CONNECTIONS keep-alive connections, then waits for every order to finish its
# lifecycle and reports how long that took.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18181}
BIN=${BIN:-build/release/apps/orderflow/orderflow}
command -v wrk > /dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
[ -x "$BIN" ] || make build
data=$(mktemp -d)
trap 'kill $pid 2> /dev/null || true; wait $pid 2> /dev/null || true; rm -rf "$data"' EXIT
"$BIN" serve --data-dir "$data" --port "$PORT" --set log.level=warn --set fulfillment.delivery_delay_ms=0 \
  --set store.synchronous=full --set ratelimit.enabled=false > "$data/log" 2>&1 &
pid=$!
until curl -sf "localhost:$PORT/readyz" > /dev/null; do sleep 0.1; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cpu_before=$(awk '{print $14 + $15}' /proc/$pid/stat)
wchar_before=$(awk '/^wchar/ {print $2}' /proc/$pid/io)
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s scripts/simple-load.lua "http://127.0.0.1:$PORT/v1/orders"
start=$(date +%s.%N)
while :; do
  pending=$(sqlite3 "file:$data/orderflow.db?mode=ro" \
    "select count(*) from orders where status not in ('DELIVERED','REJECTED','CANCELLED','REFUNDED')")
  [ "$pending" -eq 0 ] && break
  sleep 0.2
done
end=$(date +%s.%N)
cpu_after=$(awk '{print $14 + $15}' /proc/$pid/stat)
wchar_after=$(awk '/^wchar/ {print $2}' /proc/$pid/io)
orders=$(sqlite3 "file:$data/orderflow.db?mode=ro" "select count(*) from orders")
delivered=$(sqlite3 "file:$data/orderflow.db?mode=ro" "select count(*) from orders where status='DELIVERED'")
ticks=$(getconf CLK_TCK)
echo "orders accepted: $orders, delivered: $delivered"
echo "backlog drained $(echo "$end - $start" | bc) s after the load stopped"
echo "bytes written per order (write syscalls: WAL, checkpoints, logs): $(( (wchar_after - wchar_before) / orders ))"
echo "server CPU per order: $(echo "scale=1; ($cpu_after - $cpu_before) * 1000000 / $ticks / $orders" | bc) us"
