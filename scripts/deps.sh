#!/usr/bin/env bash
# deps.sh PACKAGE... : make sure Debian/Ubuntu packages are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and fails, so `make` stops with a clear message.
set -euo pipefail
missing=()
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || apt-get update
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	# A packaged redis-server starts a service on 6379; tests start their own.
	if printf '%s\n' "${missing[@]}" | grep -qx redis-server; then
		(service redis-server stop || systemctl stop redis-server) >/dev/null 2>&1 || true
	fi
else
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
