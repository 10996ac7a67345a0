#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds the Debian package with CPack and checks it: its metadata (Debian package names in
# Depends, the conffile), its contents, lintian (no errors), and, as root, an install with dpkg into
# a throwaway root (dpkg --root with chrootless maintainer scripts, which honour $DPKG_ROOT) after
# which the installed binaries run against the installed simulator. Never touches this system's
# /etc, /usr or users.
# Usage: check-package.sh BUILD_DIR
set -eu
build=$1
for tool in cpack dpkg-deb dpkg-shlibdeps fakeroot lintian; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool is missing (Debian packages cmake, dpkg-dev, fakeroot, lintian)"
		exit 77
	fi
done
work=$(mktemp -d /tmp/tractiond-package.XXXXXX)
pids=""
cleanup() {
	for pid in $pids; do kill "$pid" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

(cd "$work" && fakeroot cpack -G DEB -B "$work" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1) ||
	{ cat "$work/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(ls "$work"/tractiond_*.deb)
echo "package: $(basename "$deb")"

fail() { echo "FAIL: $*"; exit 1; }
field() { dpkg-deb -f "$deb" "$1"; }
depends=$(field Depends)
echo "Depends: $depends"
for dep in libmodbus5 libsystemd0 libsqlite3-0 libstdc++6 systemd libjs-chart.js libssl3 libcrypt1 \
	libmosquitto1; do
	printf '%s' "$depends" | grep -q "$dep" || fail "Depends lacks $dep"
done
for conffile in /etc/tractiond/tractiond.json /etc/tractiond/web.json /etc/tractiond/mqtt.json; do
	dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx "$conffile" ||
		fail "$conffile is not a conffile"
done

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/sbin/tractiond ./usr/bin/tractionctl ./usr/bin/traction-sim \
	./usr/sbin/tractiond-web ./etc/tractiond/web.json ./lib/systemd/system/tractiond-web.service \
	./usr/share/tractiond/web/index.html ./usr/share/tractiond/web/js/stop.js \
	./usr/share/man/man8/tractiond-web.8.gz ./usr/share/doc/tractiond/web.md \
	./usr/sbin/tractiond-mqtt ./etc/tractiond/mqtt.json ./lib/systemd/system/tractiond-mqtt.service \
	./usr/share/man/man8/tractiond-mqtt.8.gz ./usr/share/doc/tractiond/mqtt.md \
	./etc/tractiond/tractiond.json ./etc/tractiond/programs/ \
	./lib/systemd/system/tractiond.service ./lib/systemd/system/tractiond.socket \
	./usr/lib/sysusers.d/tractiond.conf ./usr/lib/tmpfiles.d/tractiond.conf \
	./usr/share/tractiond/devices/sim-inversion.json ./usr/share/tractiond/programs/quick-check.json \
	./usr/share/tractiond/sim/inversion.json \
	./usr/share/man/man8/tractiond.8.gz ./usr/share/man/man1/tractionctl.1.gz \
	./usr/share/man/man1/traction-sim.1.gz ./usr/share/man/man5/tractiond.json.5.gz \
	./usr/share/man/man7/tractiond-protocol.7.gz \
	./usr/share/doc/tractiond/copyright ./usr/share/doc/tractiond/changelog.gz; do
	printf '%s\n' "$contents" | grep -qx "$path" || fail "the package lacks $path"
done
echo "contents: ok"

lintian --no-tag-display-limit "$deb" >"$work/lintian.log" 2>&1 || true
grep -E '^E: ' "$work/lintian.log" && fail "lintian reports errors"
echo "lintian: no errors"
grep -E '^W: ' "$work/lintian.log" || true

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: installing with dpkg into a throwaway root needs root"
	exit 77
fi
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/etc"
: >"$root/var/lib/dpkg/status"
dpkg --root="$root" --force-script-chrootless --force-depends --force-not-root \
	--log="$work/dpkg.log" -i "$deb" >"$work/dpkg-i.log" 2>&1 ||
	{ cat "$work/dpkg-i.log"; fail "dpkg -i into $root"; }
grep -q '^ii  tractiond' "$work/dpkg-i.log" 2>/dev/null || dpkg --root="$root" -l tractiond | grep -q '^ii' ||
	fail "tractiond is not installed in $root"
grep -q '^tractiond:' "$root/etc/passwd" || fail "postinst did not create the user in $root"
grep -q '^tractiond-web:' "$root/etc/passwd" || fail "postinst did not create user tractiond-web"
grep -q '^tractiond:.*tractiond-web' "$root/etc/group" || fail "tractiond-web is not in group tractiond"
grep -q '^tractiond-mqtt:' "$root/etc/passwd" || fail "postinst did not create user tractiond-mqtt"
grep -q '^tractiond:.*tractiond-mqtt' "$root/etc/group" || fail "tractiond-mqtt is not in group tractiond"
echo "dpkg -i: ok (user $(grep '^tractiond:' "$root/etc/passwd" | cut -d: -f1,3,6,7))"

# The installed binaries, with the installed data, against the installed simulator.
"$root/usr/sbin/tractiond" --version
port_file=$work/sim.port
# No --model or --map: an installed simulator finds its shipped data beside its binary.
"$root/usr/bin/traction-sim" --device inversion --listen 127.0.0.1:0 --port-file "$port_file" \
	>"$work/sim.log" 2>&1 &
pids="$pids $!"
wait_for() { # condition, seconds
	i=0
	while ! eval "$1"; do
		i=$((i + 1))
		[ "$i" -le $(($2 * 10)) ] || return 1
		sleep 0.1
	done
}
wait_for '[ -s "$port_file" ]' 10 || { cat "$work/sim.log"; fail "the installed simulator did not start"; }
port=$(cat "$port_file")
# The installed config with its absolute paths moved into the throwaway root, and without its socket
# group (group tractiond exists only in the throwaway root).
sed -e "s#\"/usr/share/#\"$root/usr/share/#g" -e "s#\"/etc/tractiond/#\"$root/etc/tractiond/#g" \
	-e 's#"socket_group": "tractiond"#"socket_group": ""#' \
	"$root/etc/tractiond/tractiond.json" >"$work/tractiond.json"
"$root/usr/sbin/tractiond" --config "$work/tractiond.json" --check-config ||
	fail "the installed config does not load"
"$root/usr/sbin/tractiond" --config "$work/tractiond.json" --device-uri "tcp://127.0.0.1:$port?unit=1" \
	--socket "$work/d.sock" --state-dir "$work/state" >"$work/tractiond.log" 2>&1 &
daemon=$!
pids="$pids $daemon"
ctl() { "$root/usr/bin/tractionctl" --socket "$work/d.sock" "$@"; }
wait_for 'ctl status --json 2>/dev/null | grep -q "\"state\": *\"idle\""' 20 ||
	{ cat "$work/tractiond.log"; fail "the installed daemon did not reach idle"; }
ctl run quick-check --follow >"$work/run.log" 2>&1 || { cat "$work/run.log" "$work/tractiond.log"; fail "quick-check"; }
echo "installed binaries: quick-check completed against the installed simulator"

# The installed panel with its installed config (paths into the throwaway root), its page and
# Debian's Chart.js: it serves both.
sed -e "s#\"/run/tractiond/tractiond.sock\"#\"$work/d.sock\"#" -e 's#127.0.0.1:8480#127.0.0.1:0#' \
	"$root/etc/tractiond/web.json" >"$work/web.json"
"$root/usr/sbin/tractiond-web" --config "$work/web.json" --check-config ||
	fail "the installed panel's config does not load"
"$root/usr/sbin/tractiond-web" --config "$work/web.json" --port-file "$work/web.port" \
	>"$work/web.log" 2>&1 &
pids="$pids $!"
wait_for '[ -s "$work/web.port" ]' 10 || { cat "$work/web.log"; fail "the installed panel did not start"; }
web_port=$(cat "$work/web.port")
for page in / /lib/chart.min.js /js/stop.js; do
	/usr/bin/python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)" \
		"http://127.0.0.1:$web_port$page" || fail "the installed panel does not serve $page"
done
echo "installed panel: serves its page and Chart.js"
kill -TERM "$daemon"
wait "$daemon" || fail "the installed daemon did not exit 0 on SIGTERM"
echo "ok"
