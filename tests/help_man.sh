#!/usr/bin/env bash
# Every option of every command is in `lmsctl CMD --help`, in man/lmsctl.1 and in the
# three completion files (completions/), and nowhere is an option the parser does not take:
# - the options --help prints for a command are exactly the ones each completion file
#   offers for it;
# - each is named in the command's entry in man/lmsctl.1 (COMMANDS), or in the text every
#   command shares (OPTIONS, CONSOLE, the COMMANDS text outside the entries);
# - each option a command's man entry names is in its --help;
# - each long option --help prints is one the parser takes (`lmsctl CMD --opt=x --zz`
#   is not "unknown option '--opt...'"), and each option in the parser's tables
#   (cli/*.c, cli/options.h) is in some --help.
set -u
src=${TOP_SRCDIR:-.}
lmsctl=${LMSCTL:-lmsctl}
man=$src/man/lmsctl.1
comp=$src/completions
commands='init validate generate params deploy destroy status outputs diff drift render report'
rc=0
fail() {
	echo "FAIL: $*"
	rc=1
}
sorted() { tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' '; }

# The options `lmsctl CMD --help` lists: the lines that start with an option, and
# "(also --format F)".
help_options() {
	"$lmsctl" $1 --help | grep -E '^ {2,}-' |
		grep -oE '^ +(-[A-Za-z], )?--[a-z0-9-]+|also --[a-z0-9-]+' |
		grep -oE -- '--?[A-Za-z0-9-]+' | sorted
}

# The options a completion file offers for CMD ('' : lmsctl's own).
bash_options() {
	sed -n '/^_lmsctl_options()/,/^}/p' "$comp/lmsctl.bash" |
		sed -n "s/^\t${1:-''}) echo '\(.*\)' ;;\$/\1/p" | sorted
}
zsh_options() {
	sed -n "s/^\t${1:-''}) opts=(\(.*\)) ;;\$/\1/p" "$comp/_lmsctl" | sorted
}
fish_options() {
	awk -v want="${1:-''}" '
		/^function __lmsctl_options/ { inside = 1; next }
		inside && /^end/ { exit }
		inside && $1 == "case" { cur = $2; next }
		inside && cur == want && $1 == "printf" { for (i = 3; i <= NF; i++) print $i }
	' "$comp/lmsctl.fish" | tr '\n' ' ' | sorted
}

# man/lmsctl.1's text for CMD (its COMMANDS entries; "" : the shared text), with \- as -.
man_text() {
	awk -v want="$1" -v cmds=" $commands " '
		/^\.SH / { sec = $2; cur = ""; tp = 0; next }
		sec == "COMMANDS" && /^\.TP/ { tp = 1; next }
		sec == "COMMANDS" && tp && /^\.B / { if (index(cmds, " " $2 " ")) cur = $2; tp = 0 }
		sec == "COMMANDS" && /^\.PP/ { cur = "" }
		{ tp = 0 }
		want != "" && sec == "COMMANDS" && cur == want { print }
		want == "" && (sec == "OPTIONS" || sec == "CONSOLE" || sec == "SYNOPSIS" ||
			(sec == "COMMANDS" && cur == "")) { print }
	' "$man" | sed 's/\\-/-/g; s/\\f[BIRP]//g'
}
man_options() {
	# an aws(1) command line quoted in the text names aws's options, not ours
	man_text "$1" | grep -v '^\.B aws ' | grep -oP '(?<![-A-Za-z0-9])--?[A-Za-z][a-z0-9-]*(?![A-Za-z0-9])' |
		grep -vE '^-[A-Za-z][a-z0-9]' | sorted
}
has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

shared_man=$(man_options "")
all_help=""
for cmd in "" $commands; do
	name=${cmd:-lmsctl}
	help=$(help_options "$cmd")
	[ -n "$help" ] || fail "$name --help lists no options"
	all_help="$all_help $help"
	for f in bash zsh fish; do
		got=$(${f}_options "$cmd")
		[ "$got" = "$help" ] || fail "completions ($f) offer '$got' for $name; --help lists '$help'"
	done
	entry=$(man_options "$cmd")
	for o in $help; do
		has "$entry $shared_man" "$o" || fail "$name $o: in --help, not in man/lmsctl.1"
		case $o in
		--help | --version) continue ;;
		--*) ;;
		*) continue ;;
		esac
		err=$("$lmsctl" $cmd "$o=x" --zz-probe 2>&1 >/dev/null)
		case $err in *"unknown option '$o"*) fail "$name $o: in --help, but the parser does not take it" ;; esac
	done
	[ -z "$cmd" ] && continue
	for o in $entry; do
		has "$help --help" "$o" || fail "$name $o: in man/lmsctl.1's entry, not in --help"
	done
done
for o in $(cat "$src"/cli/*.c "$src"/cli/options.h | grep -oE 'CLI_[A-Z]+\("[a-z0-9-]+"' |
	sed -E 's/.*"(.*)"/--\1/' | sort -u); do
	has "$all_help" "$o" || fail "$o is in the parser's tables but no --help lists it"
done
[ $rc = 0 ] && echo "every option of every command is in --help, man/lmsctl.1 and the completions"
exit $rc
