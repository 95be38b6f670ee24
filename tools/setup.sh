#!/usr/bin/env bash
# Installs whatever tinyml-kit needs and is missing; does nothing when all is there.
#
#   bash tools/setup.sh            # Debian packages, npm packages, the Deno Jupyter kernelspec
#
# Called by `npm run course` and `npm test` (see README.md), so learners and CI never run it by hand.
# Only two registries are used: Debian's apt and the npm registry.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# Debian packages, with what each is for:
apt_packages=(
  # Jupyter pieces the notebook runner and `lab` drive (under /usr/bin/python3)
  jupyter-client jupyter-nbconvert python3-nbclient jupyter-notebook
  # headless Chromium renders plotly figures to PNG
  chromium
  # the real Arduino build engine and AVR toolchain (arduino-cli cannot be installed offline)
  arduino-builder arduino-core-avr gcc-avr avr-libc simavr
  # Cortex-M4 (Nano 33 BLE Sense core) compiler and emulator
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
  # voices, audio tools and real human speech for keyword spotting
  espeak-ng flite sox
  # real human speakers saying the digits, in five languages (the "does it work for everyone?" set)
  asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav asterisk-core-sounds-fr-wav asterisk-core-sounds-it-wav
  asterisk-core-sounds-ru-wav asterisk-prompt-es-co asterisk-prompt-fr-armelle asterisk-prompt-it-menardi-wav
  # the 8x8 digits dataset
  python3-sklearn
)

# --- 1. Debian packages ---------------------------------------------------------------------------
missing=()
for p in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "This machine has no apt-get. Install these Debian/Ubuntu packages (or your system's equivalents), then re-run:"
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      say "Need root to install: ${missing[*]}"
      say "Run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
      exit 1
    fi
  fi
  say "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# --- 2. npm packages (Deno and Bun come from npm too) --------------------------------------------
stamp="node_modules/.tinyml-installed"
want="$(sha256sum package.json package-lock.json | sha256sum | cut -c1-64)"
if [ ! -x node_modules/.bin/deno ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "Installing npm packages (npm install, from package-lock.json)"
  # `npm ci` refuses this lock: the registry here lacks other platforms' optional Deno binaries,
  # which `npm install` skips while still installing the locked versions.
  npm install --no-audit --no-fund --loglevel=error >&2
  sha256sum package.json package-lock.json | sha256sum | cut -c1-64 >"$stamp"
fi

# --- 3. The Deno Jupyter kernelspec, pointing at this project's own Deno ----------------------------
node_modules/.bin/deno run -A --quiet tools/kernelspec.ts >&2
