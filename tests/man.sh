#!/usr/bin/env bash
# The man pages render without warnings.
set -u
src=${TOP_SRCDIR:-.}
command -v man >/dev/null || { echo "SKIP: man is not installed (apt-get install man-db)"; exit 77; }
rc=0
for page in "$src"/man/lmsctl.1 "$src"/man/lmsctl-model.5; do
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -n "$warn" ]; then echo "$page:"; echo "$warn"; rc=1; else echo "$page renders cleanly"; fi
done
exit $rc
