#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the build into a temporary root and checks the installed units: systemd-analyze verify
# (including the ExecStart binary and the Documentation= man pages), and
# systemd-analyze security --offline with an exposure of 2.0 or lower for each service.
# Usage: check-units.sh BUILD_DIR
set -eu
build=$1
for tool in systemd-analyze man; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool is missing (Debian packages systemd, man-db)"
		exit 77
	fi
done
root=$(mktemp -d /tmp/tractiond-units.XXXXXX)
trap 'rm -rf "$root"' EXIT
DESTDIR=$root cmake --install "$build" --prefix /usr >/dev/null

units=$root/lib/systemd/system
# verify checks that ExecStart exists: point it at the binary in the temporary root. Man pages are
# looked up there too, not on this system.
mkdir "$root/check"
for unit in tractiond.service tractiond.socket tractiond-web.service tractiond-mqtt.service; do
	sed "s#=/usr/sbin/tractiond#=$root/usr/sbin/tractiond#" "$units/$unit" >"$root/check/$unit"
done
MANPATH=$root/usr/share/man systemd-analyze verify "$root/check/tractiond.service" \
	"$root/check/tractiond.socket" "$root/check/tractiond-web.service" \
	"$root/check/tractiond-mqtt.service"
echo "verify: ok"

for service in tractiond.service tractiond-web.service tractiond-mqtt.service; do
	report=$(systemd-analyze security --offline=yes --root="$root" "$units/$service" 2>&1)
	score=$(printf '%s\n' "$report" | sed -n "s/.*Overall exposure level for $service: \([0-9.]*\).*/\1/p")
	if [ -z "$score" ]; then
		printf '%s\n' "$report"
		echo "FAIL: no exposure level in the report of $service"
		exit 1
	fi
	echo "security: $service exposure $score"
	if ! awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
		printf '%s\n' "$report"
		echo "FAIL: $service exposure $score is above 2.0"
		exit 1
	fi
done
