#!/usr/bin/env bash
# Installs the Debian 12 packages orderflow needs to build and test, if any
# is missing. Uses sudo when not run as root. Safe to run again: it does
# nothing when everything is there.
set -euo pipefail

packages=(
  g++ cmake pkg-config ninja-build make
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcurl4-openssl-dev libssl-dev libsodium-dev
  libsqlite3-dev sqlite3
  libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  prometheus  # promtool: the e2e tests check /metrics and deploy/prometheus/alerts.yml with it
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "orderflow: installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
