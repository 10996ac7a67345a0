#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# repo_references_test.sh finds what it is for: in a throwaway tree (walked, not a git checkout)
# with one reference of each kind (and a machine path in the docs) planted on a known line, it fails and names each file:line; in
# the same tree without them it passes.
# Usage: repo_references_detects_test.sh SOURCE_DIR
set -eu
check=$1/tests/scripts/repo_references_test.sh
work=$(mktemp -d /tmp/tractiond-references.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$work/tree/src" "$work/tree/build/x"
printf 'int a;\n// as the design note says (%s.md)\n' "DESIGN" >"$work/tree/src/a.cpp"
printf 'line\nline\n"guidance": "Seed %s: holds"\n' "001" >"$work/tree/b.json"
printf '# fixed in issue %s item %s\n' "4" "5" >"$work/tree/src/c.sh"
printf 'see %s.md\n' "STYLE" >"$work/tree/build/x/ignored.txt"
mkdir "$work/tree/docs"
printf 'recorded in /%s/someone/tree\n' "home" >"$work/tree/docs/d.md"

status=0
"$check" "$work/tree" >"$work/out" 2>&1 || status=$?
[ $status -ne 0 ] || fail "passed with planted references: $(cat "$work/out")"
for where in ./src/a.cpp:2: ./b.json:3: ./src/c.sh:1: ./docs/d.md:1:; do
	grep -q "^$where" "$work/out" || fail "does not name $where: $(cat "$work/out")"
done
! grep -q ignored.txt "$work/out" || fail "looked inside a build tree: $(cat "$work/out")"
echo "ok: each planted reference named by file:line"

rm "$work/tree/src/a.cpp" "$work/tree/b.json" "$work/tree/src/c.sh" "$work/tree/docs/d.md"
"$check" "$work/tree" >"$work/out" 2>&1 || fail "failed on a clean tree: $(cat "$work/out")"
echo "ok: a clean tree passes"
