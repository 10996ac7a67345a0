#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# scripts/setup-deps --check installs nothing and names each missing package: with a package that
# does not exist (SETUP_DEPS_EXTRA), with a listed package that a stub dpkg-query reports missing,
# and with none missing. apt-get and sudo are stubs that leave a mark if anything calls them.
# Usage: setup_deps_check_test.sh SOURCE_DIR
set -eu
setup_deps=$1/scripts/setup-deps
work=$(mktemp -d /tmp/tractiond-setup-deps.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir "$work/bin" "$work/stub"
for tool in apt-get sudo; do
	printf '#!/bin/sh\ntouch "%s/called-%s"\n' "$work" "$tool" >"$work/bin/$tool"
	chmod +x "$work/bin/$tool"
done
# Reports each package asked for as installed, except $STUB_ABSENT (as dpkg-query -W -f does).
cat >"$work/stub/dpkg-query" <<'STUB'
#!/bin/sh
shift 2
for p in "$@"; do [ "$p" = "${STUB_ABSENT:-}" ] || echo "$p install ok installed"; done
STUB
chmod +x "$work/stub/dpkg-query"

# Runs setup-deps --check with PATH prefixed by $1; its stdout goes to $work/out, returns its status.
check() {
	status=0
	PATH="$1:$PATH" "$setup_deps" --check >"$work/out" 2>"$work/err" || status=$?
	return $status
}
expect_missing_only() { # package: the only "missing package" line names it
	lines=$(grep -c '^missing package: ' "$work/out" || true)
	[ "$lines" = 1 ] || fail "expected one missing package ($1), got: $(cat "$work/out")"
	grep -q "^missing package: $1 " "$work/out" || fail "$1 is not named: $(cat "$work/out")"
}

absent=tractiond-test-no-such-package
if SETUP_DEPS_EXTRA=$absent check "$work/bin"; then fail "--check passed with $absent missing"; fi
expect_missing_only $absent
echo "ok: a package that does not exist is named"

if STUB_ABSENT=python3-serial check "$work/stub:$work/bin"; then fail "--check passed with python3-serial missing"; fi
expect_missing_only python3-serial
echo "ok: a listed package reported missing is named: $(cat "$work/out")"

check "$work/stub:$work/bin" || fail "--check failed with every package installed: $(cat "$work/out" "$work/err")"
[ ! -s "$work/out" ] || fail "--check printed with nothing missing: $(cat "$work/out")"
echo "ok: nothing missing, exit 0"

for tool in apt-get sudo; do
	[ ! -e "$work/called-$tool" ] || fail "--check ran $tool"
done
echo "ok: --check ran neither apt-get nor sudo"
