#!/usr/bin/env bash
# Installs the one build tool the project needs beyond Rust: CMake >= 3.26, which hdf5-metno's
# `static` feature uses to build HDF5 from source. Debian's cmake is 3.25, so a recent CMake comes
# from PyPI into ./.venv (the Makefile puts ./.venv/bin first on PATH). Idempotent and quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
need="3.26"
have_ok() {
    local v
    v=$("$1" --version 2>/dev/null | head -1 | awk '{print $3}') || return 1
    [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$need" "$v" | sort -V | head -1)" = "$need" ]
}
if [ -x .venv/bin/cmake ] && have_ok .venv/bin/cmake; then exit 0; fi
if command -v cmake >/dev/null && have_ok "$(command -v cmake)"; then exit 0; fi
echo "setup: installing CMake >= $need from PyPI into .venv" >&2
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check "cmake==3.31.10"
.venv/bin/cmake --version | head -1 >&2
