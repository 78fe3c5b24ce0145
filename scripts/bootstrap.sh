#!/usr/bin/env bash
# Installs the Debian 12 packages redkit needs to build, test and run its
# demo, skipping those already installed. Safe to run again: when nothing is
# missing it only queries dpkg and prints one line.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libhiredis-dev libssl-dev openssl
  redis-server redis-tools
  libfmt-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libbenchmark-dev libcpp-httplib-dev
  libfaketime
  prometheus-alertmanager
  prometheus
)

# Package names given as arguments are installed instead of the list above,
# the same way (tests/fuzz/build_and_run.sh asks for clang like this).
if (($# > 0)); then
  packages=("$@")
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "bootstrap: dpkg-query not found; install these packages by hand: ${packages[*]}" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ $status != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#packages[@]} packages are installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
as_root=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "bootstrap: missing ${missing[*]}; run as root or install sudo" >&2
    exit 1
  fi
  # sudo resets the environment, so the frontend is passed explicitly.
  as_root=(sudo DEBIAN_FRONTEND=noninteractive)
fi

echo "bootstrap: installing ${missing[*]}"
# apt's progress goes to a log that is shown only when something fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { "${as_root[@]}" apt-get update -q &&
       "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "bootstrap: apt-get failed while installing ${missing[*]}" >&2
  exit 1
fi
