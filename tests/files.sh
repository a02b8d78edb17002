#!/usr/bin/env bash
# Every command that writes a file, against the ways a write goes wrong: through
# a symbolic link (the link stays, its target gets the contents, mode kept), a
# dangling link, a read-only directory, a file size limit (RLIMIT_FSIZE) and,
# for the model, its own 1 MiB limit. Each time: the original survives, no
# temporary file is left, and the message names the file. (The console's :w
# is in tests/console.sh; a model changed on disk between read and write in
# tests/test_model.c, where the moment can be chosen.)
set -u
lmsctl=${LMSCTL:-./lmsctl}
case $lmsctl in /*) ;; *) lmsctl=$PWD/$lmsctl ;; esac
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL $1"
	[ -s err.txt ] && sed 's/^/  ! /' err.txt | head -5
	fail=$((fail + 1))
}

"$lmsctl" init --env dev -o model.yml 2>/dev/null || { echo "FAIL: lmsctl init"; exit 1; }
echo '[{"ParameterKey": "VpcCidr", "ParameterValue": "10.44.0.0/16"}]' >params.json

# write NAME FILE: the command NAME writing FILE (for import: FILE is the model)
write() {
	case $1 in
	init) "$lmsctl" init --env dev --force -o "$2" ;;
	generate) "$lmsctl" -m model.yml generate -o "$2" ;;
	render) "$lmsctl" -m model.yml render -o "$2" ;;
	report) "$lmsctl" -m model.yml report -o "$2" ;;
	export) "$lmsctl" -m model.yml params export -o "$2" ;;
	import) "$lmsctl" -m "$2" params import params.json ;;
	esac
}
# original FILE: a file the command may replace (a model for import: it reads it)
original() { if [ "$w" = import ]; then cp model.yml "$1"; else echo ORIGINAL >"$1"; fi; }
no_temp() { ! ls "$1" | grep -q '\.tmp'; }

writers="init generate render report export import"
for w in $writers; do
	# ---- through a symbolic link: the link stays, the target is written, its mode kept
	mkdir -p "$w/real"
	original "$w/real/target"
	chmod 640 "$w/real/target"
	before=$(cat "$w/real/target")
	ln -s real/target "$w/link"
	write "$w" "$w/link" >out.txt 2>err.txt
	rc=$?
	[ "$rc" = 0 ] && ok || bad "$w-symlink: exit $rc"
	[ -L "$w/link" ] && ok || bad "$w-symlink: the link was replaced by a file"
	[ "$(cat "$w/real/target")" != "$before" ] && ok || bad "$w-symlink: the target was not written"
	[ "$(stat -c %a "$w/real/target")" = 640 ] && ok || bad "$w-symlink: the target's mode changed"
	no_temp "$w/real" && no_temp "$w" && ok || bad "$w-symlink: a temporary file is left"

	# ---- a dangling link: refused, nothing created
	ln -s nowhere/target "$w/dangling"
	write "$w" "$w/dangling" >out.txt 2>err.txt
	rc=$?
	[ "$rc" = 2 ] && ok || bad "$w-dangling: exit $rc, expected 2"
	grep -q "$w/dangling" err.txt && ok || bad "$w-dangling: the message does not name the file"
	[ -L "$w/dangling" ] && [ ! -e "$w/nowhere" ] && ok || bad "$w-dangling: the link changed"

	# ---- a read-only directory: refused (no in-place rewrite), the file as it was.
	# root writes anywhere: the command runs without CAP_DAC_OVERRIDE then
	mkdir -p "$w/ro"
	original "$w/ro/file"
	before=$(cat "$w/ro/file")
	chmod 555 "$w/ro"
	asuser=()
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null && asuser=(setpriv --bounding-set -dac_override)
	fi
	if [ "$(id -u)" != 0 ] || [ ${#asuser[@]} -gt 0 ]; then
		"${asuser[@]}" env lmsctl="$lmsctl" bash -c "$(declare -f write); write $w $w/ro/file" >out.txt 2>err.txt
		rc=$?
		[ "$rc" = 2 ] && ok || bad "$w-readonly-dir: exit $rc, expected 2"
		grep -q "$w/ro/file" err.txt && ok || bad "$w-readonly-dir: the message does not name the file"
		[ "$(cat "$w/ro/file")" = "$before" ] && ok || bad "$w-readonly-dir: the file changed"
		no_temp "$w/ro" && ok || bad "$w-readonly-dir: a temporary file is left"
	fi
	chmod 755 "$w/ro"

	# ---- a file size limit (1 KiB; every output here is larger): an error
	# naming the file (not death by SIGXFSZ), the file as it was
	original "$w/limited"
	before=$(cat "$w/limited")
	(ulimit -f 1 && write "$w" "$w/limited") >out.txt 2>err.txt
	rc=$?
	[ "$rc" = 2 ] && ok || bad "$w-size-limit: exit $rc, expected 2"
	grep -q "$w/limited" err.txt && ok || bad "$w-size-limit: the message does not name the file"
	[ "$(cat "$w/limited")" = "$before" ] && ok || bad "$w-size-limit: the file changed"
	no_temp "$w" && ok || bad "$w-size-limit: a temporary file is left"
done

# ---- init refuses an existing link without --force (and leaves it a link)
echo ORIGINAL >init-target
ln -s init-target init-link
"$lmsctl" init --env dev -o init-link >out.txt 2>err.txt
rc=$?
[ "$rc" = 2 ] && grep -q 'init-link.*already exists' err.txt && ok || bad "init-link-exists: exit $rc"
[ -L init-link ] && [ "$(cat init-target)" = ORIGINAL ] && ok || bad "init-link-exists: changed"

# ---- the model's own limit: an import whose result the loader would refuse
# (a 2 MiB value: larger than the 1 MiB a model may hold) changes nothing, exit 2
cp model.yml big.yml
python3 -c 'import json; print(json.dumps([{"ParameterKey": "VpcCidr", "ParameterValue": "x" * (2 << 20)}]))' >big.json
"$lmsctl" -m big.yml params import big.json >out.txt 2>err.txt
rc=$?
[ "$rc" = 2 ] && ok || bad "import-too-big: exit $rc, expected 2"
grep -q 'big\.yml.*larger than 1048576 bytes.*nothing written' err.txt && ok ||
	bad "import-too-big: the message does not say why, naming the model"
cmp -s big.yml model.yml && ok || bad "import-too-big: the model changed"
"$lmsctl" -m big.yml validate >/dev/null 2>err.txt && ok || bad "import-too-big: the model no longer loads"

echo "files.sh: $pass passed, $fail failed"
[ "$fail" = 0 ]
