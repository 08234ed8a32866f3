#!/usr/bin/env bash
# netdoc's whole test suite, the one command for a fresh machine (and CI, via .ci/run).
#
# Installs what it needs first, each only when missing:
#   - the rustup target wasm32-unknown-unknown and the rustfmt/clippy components
#   - Debian's chromium and chromium-driver (apt-get; sudo only when not root)
#   - the npm packages in package-lock.json (`npm ci`: playwright-core, no browser download)
#   - jc (PyPI, pinned) in a venv at target/jc-venv, put on PATH, for the jc_diff test
#     (engine/tests/jc_diff.rs), which NETDOC_REQUIRE_JC=1 makes fail if jc is missing
# then runs, stopping at the first failure:
#   cargo fmt --all --check
#   cargo clippy --workspace --all-targets -- -D warnings
#   cargo clippy -p netdoc-ui --target wasm32-unknown-unknown -- -D warnings
#   NETDOC_REQUIRE_JC=1 cargo test --workspace --no-fail-fast   (every failing test named, then stop)
#   cargo xtask e2e          (builds dist/ with the wasm-release profile, browser tests)
#
# `--keep-going` runs every step even after a failure (and still exits non-zero).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

KEEP_GOING=0
for arg in "$@"; do
  case "$arg" in
    --keep-going) KEEP_GOING=1 ;;
    *) echo "usage: $0 [--keep-going]" >&2; exit 2 ;;
  esac
done

SUITE_START=$(date +%s)
SUMMARY=()
FAILED=()

# step NAME COMMAND...: a section header, the command, its time; stop on failure.
step() {
  local name=$1; shift
  echo
  echo "==== ${name}"
  echo "---- \$ $*"
  local start=$(date +%s)
  "$@"
  local rc=$?
  local took=$(( $(date +%s) - start ))
  if [ "$rc" -eq 0 ]; then
    SUMMARY+=("ok     ${took}s  ${name}")
    echo "---- ok: ${name} (${took}s)"
  else
    SUMMARY+=("FAILED ${took}s  ${name} (exit ${rc})")
    FAILED+=("$name")
    echo "---- FAILED: ${name} (exit ${rc}, ${took}s)"
    if [ "$KEEP_GOING" -eq 0 ]; then
      finish
    fi
  fi
}

finish() {
  echo
  echo "==== summary ($(( $(date +%s) - SUITE_START ))s in all)"
  printf '  %s\n' "${SUMMARY[@]}"
  if [ "${#FAILED[@]}" -gt 0 ]; then
    echo "FAILED: ${FAILED[*]}"
    exit 1
  fi
  echo "all steps passed"
  exit 0
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_rust_parts() {
  command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; return 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown || return 1
  fi
  local installed
  installed=$(rustup component list --installed) || return 1
  for c in rustfmt clippy; do
    if ! grep -q "^${c}" <<<"$installed"; then
      rustup component add "$c" || return 1
    fi
  done
  echo "rustc $(rustc --version | cut -d' ' -f2), wasm32-unknown-unknown, rustfmt, clippy: present"
}

install_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "$(/usr/bin/chromium --version 2>/dev/null): present"
    return 0
  fi
  as_root apt-get update -qq || return 1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver || return 1
  /usr/bin/chromium --version
}

install_node_packages() {
  if ! command -v npm >/dev/null; then
    as_root apt-get update -qq || return 1
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm || return 1
  fi
  echo "node $(node --version), npm $(npm --version)"
  npm ci --no-audit --no-fund
}

# The jc release engine/tests/jc_diff.rs was written against (it checks the version).
JC_VERSION=1.26.1
JC_VENV=target/jc-venv

# The version line of the venv's jc, empty when there is none.
jc_version() {
  local out
  out=$("$JC_VENV/bin/jc" --version 2>/dev/null) || return 0
  grep -m1 '^jc version:' <<<"$out" | tr -s ' '
}

install_jc() {
  if [ "$(jc_version)" != "jc version: ${JC_VERSION}" ]; then
    if ! python3 -m venv --help >/dev/null 2>&1; then
      as_root apt-get update -qq || return 1
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv || return 1
    fi
    python3 -m venv --clear "$JC_VENV" || return 1
    "$JC_VENV/bin/python3" -m pip install -q --disable-pip-version-check "jc==${JC_VERSION}" || return 1
  fi
  export PATH="$PWD/$JC_VENV/bin:$PATH"
  echo "$(jc_version): present"
}

step "install: rust target and components" install_rust_parts
step "install: chromium (Debian)" install_chromium
step "install: npm packages (npm ci)" install_node_packages
step "install: jc ${JC_VERSION} (PyPI, venv in ${JC_VENV})" install_jc
step "cargo fmt" cargo fmt --all --check
step "cargo clippy (host)" cargo clippy --workspace --all-targets -- -D warnings
step "cargo clippy (wasm32 page)" cargo clippy -p netdoc-ui --target wasm32-unknown-unknown -- -D warnings
step "cargo test" env NETDOC_REQUIRE_JC=1 cargo test --workspace --no-fail-fast
step "browser tests (cargo xtask e2e)" cargo xtask e2e
finish
