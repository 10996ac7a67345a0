#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every word in the repository stands on its own: no text or comment points at a design, domain or
# style note that is not in the repository, at a numbered seed text, or at an issue or one of its
# items by number. A reference names its source in words, or states the reason itself.
# Docs and golden transcripts hold no home or work directory of the machine they were written on.
# Prints file:line: text for each such reference and fails; the files are the tracked ones
# (git ls-files), or every file outside .git and build trees when git cannot list them.
# Usage: repo_references_test.sh SOURCE_DIR
set -eu
cd "$1"
machine_paths='(^|[^[:alnum:]_.~-])/(home|root|work)/'
patterns='\b(DESIGN|DOMAIN|STYLE)\.md\b|\b[Ss]eeds? [0-9]{3}\b|\b[Ii]ssues? #?[0-9]+\b|\b[Ii]tems? [0-9]+\b'

list_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z
	else
		find . -type d \( -name .git -o -name 'build*' \) -prune -o -type f -print0
	fi
}

found=$(list_files | xargs -0 grep -sInHE "$patterns" || true)
shown=$(list_files | tr '\0' '\n' | grep -E '^(\./)?(docs/|README\.md$|tests/golden/protocol/)' || true)
if [ -n "$shown" ]; then
	found=$(printf '%s\n%s' "$found" "$(printf '%s\n' "$shown" | tr '\n' '\0' | xargs -0 grep -sInHE "$machine_paths" || true)")
	found=$(printf '%s\n' "$found" | sed '/^$/d')
fi
if [ -n "$found" ]; then
	printf '%s\n' "$found" | cut -c1-240
	echo "FAIL: $(printf '%s\n' "$found" | wc -l) references to files outside the repository, issue numbers or machine paths (above)"
	exit 1
fi
echo "ok: $(list_files | tr -cd '\0' | wc -c) files, no reference to a file outside the repository or to an issue number"
