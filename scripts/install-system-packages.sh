#!/usr/bin/env bash
# Install the Debian packages the project needs beyond Python and Node: a Chromium for the
# browser tests (Evidence site, partner portal) and a PostgreSQL server for the test of the
# production Dagster instance (the test starts its own server in a temporary directory). Debian's
# Chromium is used rather than `playwright install`, which downloads a browser build from outside
# the package registries.
# Idempotent: a quick no-op when everything is already there.
set -euo pipefail

packages=(chromium postgresql)

have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; }

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
have_postgres || missing+=(postgresql)

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-system-packages: ${packages[*]} already installed"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "install-system-packages: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when apt cannot see a candidate yet (fresh image, no lists).
if ! apt-cache policy "${missing[@]}" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    "${sudo[@]}" apt-get update -qq
fi
if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    # Package lists that are present but stale point at files the mirror no longer has.
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ ! -x /usr/bin/chromium ]] || ! have_postgres; then
    echo "install-system-packages: chromium or postgresql still missing after install" >&2
    exit 1
fi
echo "install-system-packages: installed ${missing[*]}"
