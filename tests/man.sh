#!/usr/bin/env bash
# The man pages render without warnings, and their RULES section names the registered rules.
set -u
src=${TOP_SRCDIR:-.}

# The RULES section of lmsctl(1) names exactly the registered rule ids
# (model/rules.def), singly or as ranges (PRM001\-PRM006).
registered=$(grep -oE '^RULE\([A-Z]{3}[0-9]{3},' "$src/model/rules.def" | sed -E 's/^RULE\(//; s/,$//' | sort -u)
named=$(sed -n '/^\.SH RULES/,/^\.SH /p' "$src/man/lmsctl.1" |
	grep -oE '[A-Z]{3}[0-9]{3}(\\-[A-Z]{3}[0-9]{3})?' |
	while IFS= read -r tok; do
		case $tok in
		*-*)
			from=${tok%%\\-*} to=${tok##*-}
			[ "${from:0:3}" = "${to:0:3}" ] || { echo "BAD-RANGE:$tok"; continue; }
			for ((i = 10#${from:3}; i <= 10#${to:3}; i++)); do printf '%s%03d\n' "${from:0:3}" "$i"; done
			;;
		*) echo "$tok" ;;
		esac
	done | sort -u)
if [ -z "$registered" ] || [ "$registered" != "$named" ]; then
	echo "man/lmsctl.1 RULES and model/rules.def differ (< registry only, > man page only):"
	diff <(printf '%s\n' "$registered") <(printf '%s\n' "$named") | grep '^[<>]'
	exit 1
fi
echo "man/lmsctl.1 RULES names the $(printf '%s\n' "$registered" | wc -l) registered rule ids"

command -v man >/dev/null || { echo "SKIP: man is not installed (apt-get install man-db)"; exit 77; }
rc=0
for page in "$src"/man/lmsctl.1 "$src"/man/lmsctl-model.5; do
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -n "$warn" ]; then echo "$page:"; echo "$warn"; rc=1; else echo "$page renders cleanly"; fi
done
exit $rc
