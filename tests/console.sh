#!/usr/bin/env bash
# The console as an operator sees it: the real binary in a tmux of its own
# (its own server socket; the operator's tmux is never touched), keys sent
# with send-keys, the screen read with capture-pane and asserted on as text.
# Deploy and destroy run against the scripted backend (LMSCTL_FAKE_AWS).
# Exit 77 (skipped) only when tmux is missing.
set -u
command -v tmux >/dev/null 2>&1 || { echo "tmux not found: console screen tests skipped"; exit 77; }
lmsctl=${LMSCTL:-./lmsctl}
case $lmsctl in /*) ;; *) lmsctl=$PWD/$lmsctl ;; esac
src=${TOP_SRCDIR:-.}
tmp=$(mktemp -d)
sock=$tmp/tmux.sock
pass=0
fail=0
# ncurses keeps some memory for the life of the process (its FAQ: "Testing
# for Memory Leakage"); LeakSanitizer is told, nothing else is hidden
printf 'leak:libncursesw.so\nleak:libtinfo.so\nleak:libpanelw.so\nleak:libmenuw.so\nleak:libformw.so\n' >"$tmp/lsan.supp"
export LSAN_OPTIONS="suppressions=$tmp/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export HOME=$tmp XDG_STATE_HOME=$tmp/state
# no AWS access at all: the console's start-up identity check must fail here, never
# reach an account (tests/console_moto.py drives deploys against moto)
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
	AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI \
	AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
export AWS_EC2_METADATA_DISABLED=true
export LMSCTL_TEMPLATES=${LMSCTL_TEMPLATES:-$src/templates}
unset NO_COLOR
T() { tmux -S "$sock" "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1
"$lmsctl" init --env prod -o prod.yml 2>/dev/null || { echo "FAIL: lmsctl init"; exit 1; }

# start W H [VAR=value...] -- [ARGS...]: the console in a fresh session
start() {
	local w=$1 h=$2
	shift 2
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	T kill-server 2>/dev/null
	rm -f "$tmp/err"
	local cmd="env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 ${envs[*]} $lmsctl $* 2>$tmp/err; echo \"EXIT \$?\" >>$tmp/err; sleep 600"
	T -f /dev/null new-session -d -s main -x "$w" -y "$h" "$cmd" 2>/dev/null || { sleep 0.3; T -f /dev/null new-session -d -s main -x "$w" -y "$h" "$cmd"; }
	T set-option -g status off >/dev/null
	T resize-window -t main -x "$w" -y "$h" 2>/dev/null
}
screen() { T capture-pane -p -t main "$@"; }
# click X Y: a left click at the 0-based cell, as an xterm reports it (SGR 1006)
click() {
	T send-keys -t main -l "$(printf '\033[<0;%d;%dM' $(($1 + 1)) $(($2 + 1)))"
	sleep 0.1
	T send-keys -t main -l "$(printf '\033[<0;%d;%dm' $(($1 + 1)) $(($2 + 1)))"
	sleep 0.15
}
keys() { T send-keys -t main "$@"; sleep 0.15; }
# wait_for PATTERN [SECONDS]: the screen shows it (extended regex)
wait_for() {
	local pattern=$1 secs=${2:-8} i
	for ((i = 0; i < secs * 10; i++)); do
		screen | grep -Eq -- "$pattern" && return 0
		sleep 0.1
	done
	return 1
}
ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL $1"
	screen | sed 's/^/  | /'
	[ -s "$tmp/err" ] && sed 's/^/  ! /' "$tmp/err" | head -20
	fail=$((fail + 1))
}
# expect NAME PATTERN [SECONDS]
expect() { if wait_for "$2" "${3:-8}"; then ok; else bad "$1: the screen lacks /$2/"; fi; }
expect_not() { if screen | grep -Eq -- "$2"; then bad "$1: the screen has /$2/"; else ok; fi; }
# the console's exit status, once it has exited
exit_status() {
	local i
	for ((i = 0; i < 80; i++)); do
		grep -q '^EXIT ' "$tmp/err" 2>/dev/null && { sed -n 's/^EXIT //p' "$tmp/err" | tail -1; return; }
		sleep 0.1
	done
	echo none
}
expect_exit() {
	local got
	got=$(exit_status)
	if [ "$got" != "$2" ]; then bad "$1: exit $got, expected $2"; return; fi
	if grep -q Sanitizer "$tmp/err"; then bad "$1: sanitizer report"; return; fi
	ok
}
lmsctl_pid() { pgrep -P "$(T list-panes -t main -F '#{pane_pid}')" | head -1; }

# ---- opening, panels from the templates ----------------------------------
start 80 24
expect open-header '^ lmsctl .* lms-dev .* dev .* eu-west-1'
expect open-tabs '1 Params +2 Findings'
expect open-footer '\? help'
# every panel is a parameter group of the templates (the headers init writes)
grep '^  # ==== .* ====$' prod.yml | sed 's/^  # ==== \(.*\) ====$/\1/' >groups.txt
[ -s groups.txt ] || bad "no parameter groups found in the model written by init"
while read -r g; do
	screen | grep -q "│[> ]$g " || screen | grep -q "|[> ]$g " || bad "panel '$g' missing from the side list"
done <groups.txt
ok

# ---- moving between panels and fields -----------------------------------------
keys Tab
keys j
expect panel-network '>Network'
expect panel-network-fields 'VPC CIDR block'
keys Tab
keys j
expect field-moves '>.*VPC CIDR block'
expect field-detail 'VpcCidr .* String'
keys ']'
expect next-panel '>Security'
keys '['

# ---- editing: invalid value, the finding beside the field, fixing it -----------------
keys : 'goto VpcCidr' Enter
keys Enter
expect edit-open 'Editing VPC CIDR block'
expect edit-side-by-side 'saved +10\.40\.0\.0/16 +default'
keys C-u
keys 10.40.0.0/8
expect edit-invalid 'PRM003 must be an IPv4 CIDR block'
expect edit-row-finding '>.*VPC CIDR block +10\.40\.0\.0/8 +PRM003'
keys C-u
keys 10.41.0.0/16
expect edit-fixed 'valid: meets its constraint'
keys Enter
expect edit-kept '1 unsaved'
expect edit-value '>●.*VPC CIDR block +10\.41\.0\.0/16'
# numbers accept only numbers
keys : 'goto ServiceMaxTasks' Enter
keys Enter
keys x
expect number-only 'is a number: digits only'
keys Escape
# undo and redo
keys u
expect undo 'undid VpcCidr: 10\.40\.0\.0/16'
expect undo-clean ' saved *$'
keys C-r
expect redo 'redid VpcCidr'

# ---- search ---------------------------------------------------------------------------------
keys / flow Enter
expect search 'flow: Flow log retention'
keys n
expect search-next 'flow: '

# ---- help -----------------------------------------------------------------------------------
keys '?'
expect help 'Help: every key and command'
expect help-global 'Everywhere'
keys G
keys PPage
expect help-commands ':help +every key'
keys q
expect help-closed '1 Params'

# ---- findings ---------------------------------------------------------------------------------
keys 2
expect findings 'Findings +[0-9]+ error'
expect findings-row 'NET006 +NatGatewayMode'
expect findings-first '^│> *✖ NET002'
keys Enter
expect findings-jump '││> ✖ .*NET002'

# ---- preview ----------------------------------------------------------------------------------
keys p
expect preview 'Generated template'
expect preview-status 'sha256 [0-9a-f]{12} .* [0-9]+ bytes'
expect preview-follow '[A-Za-z]+ use [0-9]+/[0-9]+'
keys r
expect preview-rendered 'Rendered view .*resolved for the model'
expect preview-rendered-status 'rendered for dev .* [0-9]+ resources exist'
keys r
expect preview-generated 'Generated template' 
keys / 'HasThirdAz:' Enter
expect preview-search 'HasThirdAz: !Equals'
keys '}'
keys z
expect preview-fold '[0-9]+ lines'
keys 1

# ---- resize to 120x40 and back; too small ---------------------------------------------------------
T resize-window -t main -x 120 -y 40
sleep 0.4
expect resize-wide '^ lmsctl .* saved *$|unsaved *$'
[ "$(screen | wc -l)" -ge 40 ] && ok || bad "resize: fewer than 40 lines"
screen | sed -n 3p | grep -q '┐$' && ok || bad "resize: the frame does not reach column 120"
T resize-window -t main -x 60 -y 20
expect too-small 'Terminal too small: 60x20'
T resize-window -t main -x 80 -y 24
expect resize-back '^ lmsctl '
expect resize-back-footer '\? help'

# ---- quitting with unsaved edits: asked; kept in the recovery file ---------------------------------
keys q
expect quit-asks 'Quit lmsctl\?'
expect quit-asks-unsaved '1 unsaved edit'
keys Escape
expect quit-stay '1 Params'
keys q
keys k
expect_exit quit-keep 0
grep -q 'kept in' "$tmp/err" && ok || bad "quit-keep: no word about the recovery file"
ls "$tmp/state/lmsctl/"*recover >/dev/null 2>&1 && ok || bad "quit-keep: no recovery file"
start 80 24
expect recover-offer 'Unsaved edits from a previous session'
keys r
expect recover-restored '1 unsaved'
keys q
keys d
expect_exit quit-discard 0
ls "$tmp/state/lmsctl/"*recover >/dev/null 2>&1 && bad "quit-discard: the recovery file is still there" || ok

# ---- quitting without edits ------------------------------------------------------------------
start 80 24
expect quit-clean-open '1 Params'
keys q
expect_exit quit-clean 0

# ---- saving a model file: the diff first, comments kept ---------------------------------------
cp prod.yml prod.orig
comments=$(grep -c '^ *#' prod.yml)
start 80 24 -- prod.yml
expect prod-band '^ PROD +lmsctl .* PROD '
keys : 'set VpcCidr 10.44.0.0/16' Enter
keys : w Enter
expect save-diff 'Diff: prod\.yml +\+1 -1'
expect save-diff-lines '- +VpcCidr: 10\.40\.0\.0/16'
expect save-asks 'write it\? \[y/N\]'
keys y
expect save-done 'wrote prod\.yml'
grep -q '^  VpcCidr: 10.44.0.0/16$' prod.yml && ok || bad "save: the value is not in the file"
[ "$(grep -c '^ *#' prod.yml)" = "$comments" ] && ok || bad "save: comments changed"
[ "$(diff prod.orig prod.yml | grep -c '^[<>]')" = 2 ] && ok || bad "save: more than the value changed"
keys q
expect_exit save-quit 0

# ---- saving over a change made in another editor while the diff was open: never silent ----------
cp prod.orig prod.yml
start 80 24 -- prod.yml
expect conflict-open '1 Params'
keys : 'set VpcCidr 10.46.0.0/16' Enter
keys : w Enter
expect conflict-diff 'write it\? \[y/N\]'
echo '# added in another editor' >>prod.yml
keys y
expect conflict-asks 'Changed on disk: not saved'
expect conflict-choices 'reload it, your edits on top'
grep -q '^# added in another editor$' prod.yml && ok || bad "conflict: the other editor's change was overwritten"
grep -q '10.46.0.0/16' prod.yml && bad "conflict: the console's edit was written over the change" || ok
keys r
expect conflict-reloaded 'reloaded prod\.yml; your 1 unsaved edit'
keys : w Enter
expect conflict-diff-again 'Diff: prod\.yml +\+1 -1'
keys y
expect conflict-saved 'wrote prod\.yml'
grep -q '^# added in another editor$' prod.yml && grep -q '^  VpcCidr: 10.46.0.0/16$' prod.yml && ok ||
	bad "conflict: after the reload the file lacks one of the two changes"
keys q
expect_exit conflict-quit 0

# the other choice: the diff against the file as it is now, then write (informed)
cp prod.orig prod.yml
start 80 24 -- prod.yml
expect conflict2-open '1 Params'
keys : 'set VpcCidr 10.48.0.0/16' Enter
keys : w Enter
expect conflict2-diff 'write it\? \[y/N\]'
echo '# added in another editor' >>prod.yml
keys y
expect conflict2-asks 'Changed on disk: not saved'
keys d
expect conflict2-rediff '\- *# added in another editor'
keys y
expect conflict2-saved 'wrote prod\.yml'
grep -q '^  VpcCidr: 10.48.0.0/16$' prod.yml && ok || bad "conflict2: not written after the second diff"
keys q
expect_exit conflict2-quit 0

# ---- saving a model opened through a symbolic link: the link stays, its target is written --------
cp prod.orig prod.yml
mkdir -p linked && cp prod.orig linked/real.yml && chmod 640 linked/real.yml && ln -sf linked/real.yml prod-link.yml
start 80 24 -- prod-link.yml
expect link-open '1 Params'
keys : 'set VpcCidr 10.47.0.0/16' Enter
keys : w Enter
expect link-diff 'write it\? \[y/N\]'
keys y
expect link-saved 'wrote prod-link\.yml'
[ -L prod-link.yml ] && ok || bad "link-save: the link was replaced by a file"
grep -q '^  VpcCidr: 10.47.0.0/16$' linked/real.yml && ok || bad "link-save: the target was not written"
[ "$(stat -c %a linked/real.yml)" = 640 ] && ok || bad "link-save: the target's mode changed"
keys q
expect_exit link-quit 0

# ---- a signal: the terminal restored, the edit kept ----------------------------------------------
start 80 24 -- prod.yml
expect sig-open '1 Params'
keys : 'set FlowLogRetentionDays 400' Enter
keys : 'goto VpcCidr' Enter
keys Enter
keys C-u 10.45.0.0/16
pid=$(lmsctl_pid)
kill -TERM "$pid"
expect_exit sigterm 143
grep -q 'FlowLogRetentionDays' "$tmp/.prod.yml.lmsctl-recover" && grep -q '10.45.0.0/16' "$tmp/.prod.yml.lmsctl-recover" && ok ||
	bad "sigterm: the recovery file lacks the edits (the one being typed included)"
# the console left the alternate screen: the shell's screen is back
screen | grep -q 'Panels' && bad "sigterm: the console's screen is still shown" || ok
rm -f "$tmp/.prod.yml.lmsctl-recover"

# ---- a crash: curses ended by the fatal-signal handler, the signal re-raised ---------------------
start 80 24 -- prod.yml
expect crash-open '1 Params'
keys : 'set FlowLogRetentionDays 731' Enter
kill -SEGV "$(lmsctl_pid)"
st=$(exit_status)
[ "$st" != 0 ] && [ "$st" != none ] && ok || bad "crash: exit $st"
grep -q 'lmsctl: crashed (signal 11)' "$tmp/err" && ok || bad "crash: no word of the crash"
grep -q 'unsaved edits are kept in .*lmsctl-recover' "$tmp/err" && ok || bad "crash: no word of the recovery file"
grep -q '731' "$tmp/.prod.yml.lmsctl-recover" && ok || bad "crash: the edit is not in the recovery file"
screen | grep -q 'Panels' && bad "crash: the console's screen is still shown" || ok
rm -f "$tmp/.prod.yml.lmsctl-recover"

# ---- the deploy gates of PROD: findings marked [blocks deploy]; dev not gated -----------------
cp prod.orig prod-gates.yml
start 120 30 -- prod-gates.yml
expect gates-open '1 Params'
keys 2
expect gates-alarm 'OBS008 +AlarmEmail +\[blocks deploy\] alarm topic AlarmTopic has no recipient'
expect gates-http 'SEC001 +AlbCertificateArn +\[blocks deploy\] listener AlbListener'
expect_not gates-only-the-gates 'CMP010 .*blocks deploy'
start 120 30
expect dev-gates-open '1 Params'
keys 2
expect dev-alarm 'OBS008 +AlarmEmail +alarm topic AlarmTopic has no recipient'
expect_not dev-not-gated 'blocks deploy'

# ---- any bytes: invalid UTF-8, escape sequences, a paste that must not act ----------------------
start 80 24
expect bytes-open '1 Params'
T send-keys -t main -H ff fe c3 28 e2 82 1b 5b 39 39 39 7e 1b 5b 31 3b 39 39 41 00 07 80 9f
sleep 0.3
# a paste of "Dq" outside a field: not a deploy, not a quit
T send-keys -t main -H 1b 5b 32 30 30 7e 44 71 1b 5b 32 30 31 7e
expect paste-ignored 'paste ignored'
keys : 'goto VpcCidr' Enter
keys Enter
keys C-u
T send-keys -t main -H 1b 5b 32 30 30 7e 31 30 2e 35 30 2e 30 2e 30 2f 31 36 1b 5b 32 30 31 7e
expect paste-into-field 'new +10\.50\.0\.0/16'
keys Escape
expect bytes-alive '^ lmsctl '
keys : 'q!' Enter
expect_exit bytes 0

# ---- NO_COLOR, --no-color, light theme, ASCII, TERM=dumb ----------------------------------------------
start 80 24 NO_COLOR=1
expect nocolor-open '1 Params'
if screen -e | grep -Eq $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|38;5|48;5)[;m]'; then bad "NO_COLOR: colors on the screen"; else ok; fi
keys q
start 80 24 -- --no-color --theme light
expect nocolor-option '1 Params'
if screen -e | grep -Eq $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7])[;m]'; then bad "--no-color: colors on the screen"; else ok; fi
keys q
start 80 24
expect color-default '1 Params'
screen -e | grep -Eq $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7])[;m]' && ok || bad "the default theme has no colors"
keys q
start 80 24 LANG=C LC_ALL=C
expect ascii-lines '^\+- Panels -+\+'
expect ascii-symbols 'Network +!1'
keys q
start 80 24 TERM=dumb
expect_exit dumb 2
grep -q 'cannot move the cursor' "$tmp/err" && ok || bad "TERM=dumb: no clear message"

# ---- deploy: validation stops it; review; y/N with No as the default; events; outputs ------------------
start 80 24 LMSCTL_FAKE_AWS=new LMSCTL_FAKE_STEP_MS=5
expect fake-identity '123456789012 .* ops-fake'
keys : 'set VpcCidr nonsense' Enter
keys D
expect deploy-blocked 'Deploy stopped: [0-9]+ finding'
keys Enter
expect deploy-blocked-jump '>.*VPC CIDR block'
keys u
keys D
expect deploy-review 'Change set review'
expect deploy-counts '\+[0-9]+ add +~0 modify +±0 REPLACE +−0 REMOVE'
expect deploy-sha 'sha256 [0-9a-f]{12}'
keys a
expect deploy-confirm 'Apply the change set to lms-dev'
keys Enter
expect deploy-default-no 'not applied'
keys a
keys y
expect deploy-events 'Stack events'
expect deploy-complete 'CREATE_COMPLETE' 20
expect deploy-outputs 'Outputs'
expect deploy-progress '([0-9]+)/\1 resources'
keys 5
expect apilog 'cloudformation:ExecuteChangeSet'
keys y
expect apilog-copy 'copied: aws cloudformation'
keys q

# ---- a replacement asks for the environment name typed -----------------------------------------------
start 80 24 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5
expect update-open 'UPDATE_COMPLETE'
keys D
expect update-review '±[1-9][0-9]* REPLACE'
expect update-stateful '◆ [0-9]+ hold data'
keys a
expect update-typed 'Type the environment name \(dev\)'
keys prod Enter
expect update-typed-wrong "'prod' is not 'dev'"
keys dev Enter
expect update-done 'UPDATE_COMPLETE in' 20
keys q

# ---- Ctrl-C during an operation: detach, cancel, keep watching -------------------------------------------
start 80 24 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=3000
expect ctrlc-open 'UPDATE_COMPLETE'
keys D
expect ctrlc-review 'Change set review' 12
keys a
keys dev Enter
expect ctrlc-running 'Stack events'
keys C-c
expect ctrlc-dialog 'd detach +c cancel the update +w keep watching'
keys c
expect ctrlc-cancelled 'UPDATE_ROLLBACK_COMPLETE' 20
keys q

# ---- re-attach on start; recovery of a failed stack; the root cause pinned --------------------------------
start 80 24 LMSCTL_FAKE_AWS=inprogress LMSCTL_FAKE_STEP_MS=400
expect reattach 're-attached to it'
expect reattach-events 'Watching lms-dev'
keys C-c
keys d
expect detach 'detached'
keys q
start 80 24 LMSCTL_FAKE_AWS=failed-create
expect failed-create 'ROLLBACK_COMPLETE: its create failed; X deletes it'
keys q
start 80 24 LMSCTL_FAKE_AWS=fail LMSCTL_FAKE_STEP_MS=5
expect fail-open 'no stack'
keys D
expect fail-review 'Change set review'
keys a
keys y
expect fail-root-cause 'ROOT CAUSE [A-Za-z0-9]+ CREATE_FAILED' 20
expect fail-status 'ROLLBACK_COMPLETE' 20
keys q

# ---- destroy: the environment name typed ---------------------------------------------------------------------
start 80 24 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5
expect destroy-open 'UPDATE_COMPLETE'
keys X
expect destroy-asks 'Destroy the stack'
expect destroy-typed 'Type the environment name \(dev\)'
keys Escape
expect destroy-cancel 'destroy cancelled: nothing changed'
keys X
keys dev Enter
expect destroy-done 'DELETE_COMPLETE' 20
keys q
# prod: the question names the deletion protection the job lifts first
start 100 40 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5 -- prod.yml
expect destroy-prod-open 'UPDATE_COMPLETE'
keys X
expect destroy-prod-asks 'DESTROY the PROD stack'
expect destroy-prod-names '│   DatabaseCluster \(AWS::RDS::DBCluster\)'
expect destroy-prod-lift 'termination protection if it is on'
keys Escape
keys q

# ---- the mouse: tabs where they are drawn, panels, fields ---------------------------------------------------------
start 80 24 -- prod.yml
expect mouse-open 'Panels'
click 30 1
expect mouse-tab-preview 'Generated template'
click 13 1
expect mouse-tab-findings 'Findings +[0-9]+ error'
click 3 1
expect mouse-tab-params '┌─ Panels'
click 4 3
expect mouse-panel-env '─ Environment +3 fields'
click 4 4
expect mouse-panel '─ Network +7 fields'
click 30 4
expect mouse-field '─ VpcCidr │'
keys q
expect_exit mouse-quit 0

# ---- errors as readable messages; read-only ----------------------------------------------------------------------
start 80 24 LMSCTL_FAKE_AWS=nocreds
expect nocreds 'no AWS credentials found'
keys q
# the start-up check failing after a key said something: the key's message stays, the
# header says there is no access, M has the reason
start 100 24 LMSCTL_FAKE_AWS=nocreds LMSCTL_FAKE_STEP_MS=1500
expect nocreds-late-open 'lms-dev'
keys : 'set VpcCidr 10.52.0.0/16' Enter
expect nocreds-late-set 'VpcCidr = 10\.52\.0\.0/16 \(was '
expect nocreds-late-header 'AWS: no access' 6
expect nocreds-late-kept 'VpcCidr = 10\.52\.0\.0/16 \(was '
expect_not nocreds-late-not-shown 'no AWS credentials found'
keys M
expect nocreds-late-log 'no AWS credentials found'
keys Escape
keys q
keys d
expect_exit nocreds-late-quit 0
# the AWS backend itself, with nothing configured: a readable message, D says it again
start 80 24 -- prod.yml
expect aws-nocreds 'no AWS credentials found: set AWS_ACCESS_KEY_ID' 12
expect aws-nocreds-header 'AWS: no access'
keys 1
keys D
expect aws-nocreds-deploy 'Deploy stopped|no AWS credentials found' 12
keys q
start 80 24 LMSCTL_FAKE_AWS=denied
keys D
expect denied 'access denied: ' 12
expect denied-action 'CreateChangeSet on lms-dev'
keys q
start 80 24 LMSCTL_FAKE_AWS=new -- --readonly
expect readonly-badge 'READ-ONLY'
keys D
expect readonly-deploy 'read-only session \(--readonly\): deploy is disabled'
keys X
expect readonly-destroy 'destroy is disabled'
keys q
expect_exit readonly 0

# ---- a burst of keys (a paste) validates once per redraw, not once per key -----------
start 80 24 LMSCTL_BENCH="$tmp/bench.log" -- prod.yml
expect burst-open 'PROD'
keys : 'goto VpcCidr' Enter
keys Enter
expect burst-edit 'Editing VPC CIDR block'
keys C-u
before=$(wc -l <"$tmp/bench.log")
T send-keys -t main -l "10.40.0.0/16$(printf '%.0s9' $(seq 1 150))"
sleep 1
# every redraw after the paste ran at most one whole-model validation, and there were fewer
# validations than keys
if tail -n +"$((before + 1))" "$tmp/bench.log" | awk '
	$1 == "key" { n++; v += $6; if ($6 > 1) over++ }
	END { exit !(n > 0 && !over && v < 162) }'; then ok; else
	bad "burst: more than one validation in a redraw: $(tail -n +"$((before + 1))" "$tmp/bench.log" | tr '\n' ';' | cut -c1-300)"
fi
keys Escape
keys q
sleep 0.3
keys n

# ---- a field takes at most what its constraint allows, typed or pasted ------------------
rm -f "$tmp/.prod.yml.lmsctl-recover"
start 100 24 -- prod.yml
expect cap-open 'PROD'
keys : 'goto DatabaseName' Enter
keys Enter
expect cap-edit 'Editing'
keys C-u
# a bracketed paste of 100 letters into a field with MaxLength 63: 63 are kept
T send-keys -t main -H 1b 5b 32 30 30 7e $(printf '61 %.0s' $(seq 1 100)) 1b 5b 32 30 31 7e
expect cap-paste 'DatabaseName takes at most 63 characters \(MaxLength\)'
keys Enter
sleep 0.3
if grep -Eq 'a{63}' "$tmp/.prod.yml.lmsctl-recover" 2>/dev/null &&
	! grep -Eq 'a{64}' "$tmp/.prod.yml.lmsctl-recover"; then ok; else
	bad "cap-paste: the value is not 63 letters: $(grep -o 'DatabaseName.*' "$tmp/.prod.yml.lmsctl-recover" 2>&1 | cut -c1-120)"
fi
# typed keys, not a paste: the same limit
keys Enter
keys C-u
T send-keys -t main -l "$(printf '%.0sb' $(seq 1 70))"
expect cap-typed 'DatabaseName takes at most 63 characters'
keys Enter
sleep 0.3
if grep -Eq 'b{63}' "$tmp/.prod.yml.lmsctl-recover" 2>/dev/null &&
	! grep -Eq 'b{64}' "$tmp/.prod.yml.lmsctl-recover"; then ok; else
	bad "cap-typed: the value is not 63 letters"
fi
keys : 'q!' Enter
expect_exit cap 0

# ---- a parameter the pipeline owns shows the value the stack runs, read-only -----------------
rm -f "$tmp/.prod.yml.lmsctl-recover"
start 120 40 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_PIPELINE_VALUE=ContainerImage=ecr.example/lms-app:v42 -- prod.yml
expect pipeline-open 'PROD'
expect pipeline-stack 'UPDATE_COMPLETE|CREATE_COMPLETE'
keys : 'goto ContainerImage' Enter
expect pipeline-row 'lms-app:v42'
expect pipeline-detail 'deployed: ecr\.example/lms-app:v42'
keys Enter
expect pipeline-readonly "ContainerImage is the pipeline's, not the model's: read-only"
keys : 'q!' Enter
expect_exit pipeline 0

# ---- the message log, Esc and q as in tig --------------------------------------------------
rm -f "$tmp/.prod.yml.lmsctl-recover"
start 80 24 -- prod.yml
expect keys-open 'PROD'
# a message longer than the line says where it is in full, and the log has it whole
keys : 'goto NoSuchParameterWithAVeryLongNameThatGoesOnAndOnPastTheEndOfTheLine' Enter
expect keys-cut-hint '\(M: in full\)'
keys : 'goto VpcCidr' Enter
keys M
expect keys-log 'Messages \(newest first\)'
expect keys-log-full 'NoSuchParameterWithAVeryLongNameThatGoesOnAndOnPastTheEndOfTheLine'
keys Escape
# Esc leaves a view for the params view; q closes a view, then quits from params
keys 3
expect keys-preview 'Generated template'
expect_not keys-preview-not-params '─ Panels'
keys Escape
expect keys-esc-params '─ Panels'
keys 2
sleep 0.3
expect_not keys-findings '─ Panels'
keys q
expect keys-q-closes '─ Panels'
expect_not keys-q-still-running 'EXIT'
keys q
expect_exit keys-q-quits 0

# ---- :set and :goto say what they did; the message line keeps no stale message ------------------
rm -f "$tmp/.prod.yml.lmsctl-recover"
cp prod.orig prod.yml 2>/dev/null || true
start 100 24 -- prod.yml
expect say-open 'PROD'
keys : 'set VpcCidr 10.52.0.0/16' Enter
expect say-set 'VpcCidr = 10\.52\.0\.0/16 \(was 10\.40\.0\.0/16\)$'
keys : 'set VpcCidr 10.52.0.0/16' Enter
expect say-set-same 'VpcCidr = 10\.52\.0\.0/16 \(unchanged\)'
keys : 'set VpcCidr 10.52.0.0/8' Enter
expect say-set-error 'VpcCidr = 10\.52\.0\.0/8 \(was 10\.52\.0\.0/16\); (NET001|PRM003) '
keys : 'stack lms-other' Enter
expect say-stack 'stack = lms-other \(was lms-prod\)'
keys : 'set VpcCidrr 10.52.0.0/16' Enter
expect say-set-near "no parameter 'VpcCidrr'; nearest: VpcCidr \(Tab"
keys : 'set vpccidr 10.52.0.0/16' Enter
expect say-set-case "no parameter 'vpccidr'; nearest: VpcCidr"
keys : 'set Zzzzzzzzzz 1' Enter
expect say-set-none "no parameter 'Zzzzzzzzzz' \(none close"
keys : 'goto ServiceMaxTasks' Enter
expect say-goto 'ServiceMaxTasks: Compute panel, '
keys : 'goto DatabaseCluster' Enter
expect say-goto-resource 'DatabaseCluster: AWS::RDS::DBCluster, line [0-9]+ of the preview'
keys : 'goto DatabaseClustr' Enter
expect say-goto-near "no parameter or resource 'DatabaseClustr'; nearest: DatabaseCluster"
# a key clears the message line before it acts (the log keeps the message)
keys j
expect_not say-key-clears "no parameter or resource 'DatabaseClustr'"
keys M
expect say-log-keeps "no parameter or resource 'DatabaseClustr'"
keys Escape
keys : 'q!' Enter
expect_exit say-quit 0
rm -f "$tmp/.prod.yml.lmsctl-recover"
# a job's result replaces what a key said while it ran
start 80 24 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=1500
expect stale-open 'UPDATE_COMPLETE'
keys D
keys : 'goto NoSuchThing' Enter
expect stale-before "no parameter or resource 'NoSuchThing'"
expect stale-review 'Change set review' 12
expect_not stale-cleared "NoSuchThing"
keys Escape
keys q

# ---- the preview scrolls sideways; wide layouts use the space ------------------------------------
start 80 24
expect hs-open '1 Params'
keys 3
keys / '(codeconnections|codestar' Enter
expect hs-cut-right 'AllowedPattern: .*»│$'
expect_not hs-no-left '«'
expect_not hs-end-hidden 'connection/\[0-9a-f-\]\{36\}'
keys l
expect hs-left-mark '│ *1128 +«'
expect hs-status 'from column 9'
keys l l l l l l
expect hs-end-shown 'connection/\[0-9a-f-\]\{36\}\)\?.│$'
expect_not hs-end-no-right '»│$'
keys Right
expect hs-stops 'from column 5[0-9]'
keys h
keys Left
expect hs-back 'from column (3|4)[0-9]'
keys 0
expect_not hs-home '«'
expect_not hs-home-status 'from column'
# the help wraps to the width: at 80 columns the paragraph breaks, at 160 it does not
keys '?'
expect help80-open 'Help: every key and command'
keys G
expect help80-wrapped "its own constraint \(the template's +│" 
expect_not help80-not-one-line "constraint \(the template's AllowedPattern, AllowedValues, Min/Max\), then the cross-field rules"
keys q
expect_not side80-narrow '^│[> ]Network +[0-9]+ fields'
keys q
start 160 48
expect wide-open '1 Params'
expect wide-side '^│[> ]Network +7 fields'
expect wide-side-counts '^│[> ]Observability +[0-9]+ fields +▲1'
keys '?'
keys G
expect help160-one-line "constraint \(the template's AllowedPattern, AllowedValues, Min/Max\), then the cross-field rules\. Enter keeps"
keys q
keys 3
keys / '(codeconnections|codestar' Enter
expect wide-line-whole 'connection/\[0-9a-f-\]\{36\}\)\?. +│$'
expect_not wide-no-cut '»'
keys l
expect_not wide-no-scroll-needed 'from column'
keys q
keys q

# ---- destroy names what the stack holds (ListStackResources), the stateful first ----------------
start 80 24 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5
expect dres-open 'UPDATE_COMPLETE'
keys X
expect dres-asks 'Destroy the stack'
expect dres-count 'Its [0-9]+ resources go; it cannot'
expect dres-stateful '[0-9]+ of them hold data, which goes with them'
screen | grep -A1 'hold data' | tail -1 | grep -q '◆ 1 AWS::RDS::DBCluster: DatabaseCluster' && ok ||
	bad "dres-first: the database is not the first kind listed"
expect dres-more '◆ and [0-9]+ more of [0-9]+ more kind'
expect dres-others 'The other [0-9]+ \([0-9]+ kinds\), most: [0-9]+ '
expect dres-typed 'Type the environment name \(dev\)'
expect_not dres-no-fixed-sentence 'the Aurora cluster, the'
keys Escape
keys 5
expect dres-apilog 'cloudformation:ListStackResources'
keys q
keys q
start 100 40 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5 -- prod.yml
expect dres-prod-open 'UPDATE_COMPLETE'
keys X
expect dres-prod-asks 'DESTROY the PROD stack'
expect dres-prod-logs '◆ [0-9]+ AWS::Logs::LogGroup: '
# databases, caches, file systems, buckets, streams, secrets, then the other kinds that hold data
order=$(screen | grep -o '◆ [0-9]* AWS::[A-Za-z0-9]*::' | sed 's/◆ [0-9]* AWS::\([A-Za-z0-9]*\)::/\1/' | uniq | tr '\n' ' ')
case $order in
"RDS ElastiCache EFS S3 Kinesis KinesisFirehose SecretsManager "*) ok ;;
*) bad "dres-prod-order: $order" ;;
esac
expect dres-prod-protected '│   DatabaseCluster \(AWS::RDS::DBCluster\)'
keys Escape
keys q

# ---- the deployed diff: the stack's parameters and resources against the model ------------------
start 100 30 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5
expect ddiff-open 'UPDATE_COMPLETE'
keys : 'set VpcCidr 10.52.0.0/16' Enter
keys 3
keys d
expect ddiff-title 'Deployed diff: the stack against the model'
expect ddiff-params '# Parameters: 1 of [0-9]+ differ|Parameters: 1 of [0-9]+ differ'
expect ddiff-param 'VpcCidr: 10\.40\.0\.0/16 → 10\.52\.0\.0/16'
expect ddiff-res 'Resources: \+[0-9]+ added +~[0-9]+ modified +−[0-9]+ removed'
keys G
# the main stack's unified diff, above the edge's part (at the end)
for _ in $(seq 8); do
	screen | grep -qE '^│.│ \+      CidrBlock: 10\.52' && screen | grep -qE '^│.│ -      CidrBlock: 10\.40' && break
	keys Up
done
expect ddiff-unified '^│.│ -      CidrBlock: 10\.40\.0\.0/16'
expect ddiff-unified-new '^│.│ \+      CidrBlock: 10\.52\.0\.0/16'
keys q
keys M
expect ddiff-msg 'lms-dev: 1 parameter\(s\) and [0-9]+ resource\(s\) differ'
keys Escape
keys 5
expect ddiff-apilog 'cloudformation:DescribeStacks'
keys : 'diff deployed' Enter
expect ddiff-cmd 'Deployed diff: the stack against the model'
# the edge's after the main stack's, under its own heading, its resources tagged
keys G
expect ddiff-edge-heading 'Edge stack lms-dev-edge \(us-east-1\): 0 parameter\(s\) and 1 resource\(s\) differ'
expect ddiff-edge-res '~ edge:Distribution \(AWS::CloudFront::Distribution\): Properties\.'
keys q
keys M
expect ddiff-edge-msg 'differ from the model; lms-dev-edge: 0'
keys Escape
keys : 'diff nonsense' Enter
expect ddiff-bad ':diff takes nothing \(the saved file\) or deployed'
keys : 'q!' Enter
rm -f "$tmp/state/lmsctl/"*recover
# no stack: nothing to compare
start 80 24 LMSCTL_FAKE_AWS=new LMSCTL_FAKE_STEP_MS=5
expect ddiff-new-open 'no stack'
keys 3
keys d
expect ddiff-none 'no stack deployed yet: nothing to compare with'
keys q
keys q

# ---- drift: detection on the worker, progress, the result in a page of its own -------------------
start 100 30 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=600
expect drift-open 'UPDATE_COMPLETE'
keys 4
keys f
expect drift-progress 'drift detection: DETECTION_IN_PROGRESS'
expect drift-view 'Drift: lms-dev \(DetectStackDrift\)' 10
expect drift-summary 'DRIFTED: 1 of [0-9]+ resource\(s\) drifted'
expect drift-resource 'MODIFIED [A-Za-z0-9]+ \(AWS::[A-Za-z0-9:]+\)'
expect drift-property 'NOT_EQUAL /Properties/Tags/0/Value: expected lms, actual changed-by-hand'
# the edge's under their own heading, each resource tagged
expect drift-edge-heading 'Edge stack lms-dev-edge \(us-east-1\): DRIFTED: 1 of [0-9]+ resource\(s\) drifted'
expect drift-edge-resource 'MODIFIED edge:Distribution \(AWS::CloudFront::Distribution\)'
expect drift-edge-property 'NOT_EQUAL /Properties/DistributionConfig/Comment: expected lms'
keys q
keys M
expect drift-edge-msg 'drift: DRIFTED: 1 of [0-9]+ resource\(s\) drifted; lms-dev-edge: DRIFTED: 1 of'
keys Escape
keys 5
expect drift-apilog 'cloudformation:DescribeStackResourceDrifts'
keys q
keys q
start 80 24 LMSCTL_FAKE_AWS=failed-create LMSCTL_FAKE_STEP_MS=5
expect drift-sync-open 'ROLLBACK_COMPLETE'
keys : drift Enter
expect drift-sync 'IN_SYNC: 0 of [0-9]+ resource\(s\) drifted' 10
expect drift-edge-none 'Edge stack lms-dev-edge \(us-east-1\): not deployed: nothing to check'
keys q
# the deployed diff: the edge not deployed, said under its heading
keys : 'diff deployed' Enter
expect ddiff-edge-none 'Edge stack lms-dev-edge \(us-east-1\): not deployed: nothing to compare' 10
keys q
keys q
start 80 24 LMSCTL_FAKE_AWS=new LMSCTL_FAKE_STEP_MS=5
expect drift-none-open 'no stack'
keys : drift Enter
expect drift-none 'no stack deployed yet: nothing to check for drift'
keys q

# ---- :changeset NAME: a pending change set made elsewhere, opened for the same review ------------
start 100 30 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5
expect cs-open 'UPDATE_COMPLETE'
keys : 'changeset 9-not-a-name' Enter
expect cs-badname "'9-not-a-name' is not a change set name"
keys : 'changeset lms-other-stack' Enter
expect cs-other 'refusing change set lms-other-stack of stack lms-dev: it belongs to another stack'
expect_not cs-other-no-review 'Change set review'
keys : 'changeset lms-executed' Enter
expect cs-executed 'refusing change set lms-executed of stack lms-dev: its execution status is not AVAILABLE'
keys : 'changeset lms-pendin' Enter
expect cs-near 'change set lms-pendin of stack lms-dev cannot be read'
keys : 'changeset lms-pending' Enter
expect cs-review 'change set lms-pending, opened: made outside this session'
expect cs-review-counts '±[1-9][0-9]* REPLACE'
keys n
expect cs-close 'change set lms-pending stays pending in AWS'
keys : 'changeset lms-pending' Enter
expect cs-review-again 'change set lms-pending, opened'
keys a
expect cs-apply-note 'Change set lms-pending was made outside this session'
expect cs-apply-typed 'Type the environment name \(dev\)'
keys dev Enter
expect cs-applied 'UPDATE_COMPLETE in' 20
keys 5
expect cs-apilog-execute 'cloudformation:ExecuteChangeSet'
expect_not cs-apilog-none-made 'CreateChangeSet'
keys q
keys q
# read-only: an opened change set may be reviewed, not applied
start 100 30 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5 -- --readonly
expect cs-ro-open 'UPDATE_COMPLETE'
keys :
expect cs-ro-cmdline 'Enter run +Esc cancel'
keys 'changeset lms-pending' Enter
expect cs-ro-review 'change set lms-pending, opened'
keys a
expect cs-ro-refused 'read-only session .*applying is disabled'
expect_not cs-ro-no-dialog 'Type the environment name'
keys n
keys q
# the stack renamed under an opened change set: not applied to the other stack
start 100 30 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5
expect cs-renamed-open 'UPDATE_COMPLETE'
keys : 'changeset lms-pending' Enter
expect cs-renamed-review 'change set lms-pending, opened'
keys : 'stack lms-elsewhere' Enter
keys a
expect cs-renamed 'the model.s stack changed since change set lms-pending was opened'
expect_not cs-renamed-no-dialog 'Type the environment name'
keys n
keys u
expect cs-renamed-undone 'stack = lms-dev|undid'
keys q
keys q
start 80 24 LMSCTL_FAKE_AWS=new LMSCTL_FAKE_STEP_MS=5
expect cs-nostack-open 'no stack'
keys : 'changeset lms-pending' Enter
expect cs-nostack 'cannot be read: the stack does'
keys q

# ---- two stacks: the main stack, then its edge (us-east-1); one review, one confirmation ---------
start 100 40 LMSCTL_FAKE_AWS=new LMSCTL_FAKE_STEP_MS=5
keys 4
expect edge-startup-main 'no stack yet: D creates it'
expect edge-startup-edge 'edge stack lms-dev-edge in us-east-1: . no stack yet: D creates it after'
keys D
expect edge-review 'Change set review'
expect edge-review-line 'then lms-dev-edge \(us-east-1\): [0-9]+ resources to add, its change set made after'
for _ in $(seq 30); do T send-keys -t main NPage; done
sleep 0.3
expect edge-review-heading 'Edge stack lms-dev-edge \(us-east-1\), after the main stack, its parameters from'
expect edge-review-param 'AlbArn <- the main stack.s output AlbArn'
expect edge-review-resource '\+ add +edge:Distribution +CloudFront::Distribut'
keys a
expect edge-confirm-both 'then the edge stack lms-dev-edge \(us-east-1\): [0-9]+ resources to add'
expect edge-confirm-one 'Deploy lms-dev, then lms-dev-edge\?'
keys y
expect edge-events 'edge:Distribution +CREATE_COMPLETE' 20
expect edge-done 'lms-dev: CREATE_COMPLETE, lms-dev-edge: CREATE_COMPLETE in' 20
expect edge-outputs 'edge:DistributionDomain.* +d111fake.cloudfront.net'
keys 5
expect edge-apilog-execute 'execute-change-set --stack-name lms-dev-edge'
expect edge-apilog-region '(lmsctl|│) --region us-east-1'
keys q
# an update: the edge's change set in the same review; a replacement in either: typed
start 100 40 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5
keys 4
expect edge-update-startup 'edge stack lms-dev-edge in us-east-1: . UPDATE_COMPLETE'
keys D
expect edge-update-line 'then lms-dev-edge \(us-east-1\): 0 add, 1 modify, 0 REPLACE, 0 REMOVE'
expect edge-update-row '~ modify +edge:Distribution'
keys a
expect edge-update-typed 'Type the environment name \(dev\) to apply both'
keys dev Enter
expect edge-update-done 'lms-dev: UPDATE_COMPLETE, lms-dev-edge: UPDATE_COMPLETE in' 20
keys q
# the main stack only modifies, the edge replaces: typed all the same (either side of the rule)
start 100 40 LMSCTL_FAKE_AWS=edge-replace LMSCTL_FAKE_STEP_MS=5
expect edge-replace-open 'UPDATE_COMPLETE'
keys D
expect edge-replace-main '\+0 add +~[1-9][0-9]* modify +±0 REPLACE +−0 REMOVE'
expect edge-replace-line 'then lms-dev-edge \(us-east-1\): 0 add, 0 modify, 1 REPLACE, 0 REMOVE'
expect edge-replace-row 'REPLACE +edge:Distribution'
keys a
expect edge-replace-typed 'Type the environment name \(dev\) to apply both'
keys Escape
keys n
keys q
# declined: both change sets discarded, the edge's in its Region
start 100 40 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5
expect edge-decline-open 'UPDATE_COMPLETE'
keys D
expect edge-decline-review 'then lms-dev-edge \(us-east-1\): 0 add, 1 modify'
keys n
keys M
expect edge-decline-said 'change set discarded: nothing changed'
keys q
keys 5
expect edge-decline-edge 'delete-change-set --stack-name lms-dev-edge'
expect edge-decline-region '(lmsctl-edge|│) --region us-east-1'
keys q
# the edge fails after the main stack deployed: said, the main stack stays, what next
start 100 40 LMSCTL_FAKE_AWS=edge-fail LMSCTL_FAKE_STEP_MS=5
expect edge-fail-open 'no stack'
keys D
expect edge-fail-review 'Change set review'
keys a
keys y
expect edge-fail-root 'ROOT CAUSE edge:Distribution CREATE_FAILED' 20
keys M
expect edge-fail-said 'the edge stack lms-dev-edge failed \(ROLLBACK_COMPLETE'
expect edge-fail-main-stays 'the main stack lms-dev is CREATE_COMPLETE and stays'
expect edge-fail-next 'then D deploys again \(the failed edge stack is deleted first\)'
keys q
keys 4
expect edge-fail-state 'CREATE_COMPLETE, then lms-dev-edge . ROLLBACK_COMPLETE'
keys q
# an edge operation already running at start is followed as the main stack's is
start 100 40 LMSCTL_FAKE_AWS=edge-inprogress LMSCTL_FAKE_STEP_MS=300
expect edge-attach-said 'lms-dev-edge is UPDATE_IN_PROGRESS: re-attached to it'
expect edge-attach-events 'edge:Distribution +UPDATE_COMPLETE' 20
expect edge-attach-done 'lms-dev-edge: UPDATE_COMPLETE' 20
keys q
# destroy: one typed question naming both stacks and what they hold; the edge goes first
start 100 40 LMSCTL_FAKE_AWS=update LMSCTL_FAKE_STEP_MS=5
expect edge-destroy-open 'UPDATE_COMPLETE'
keys X
expect edge-destroy-asks 'Destroy the stacks'
expect edge-destroy-edge 'First the edge stack lms-dev-edge in us-east-1: its [0-9]+ resources go'
expect edge-destroy-main 'then:.*|Delete stack lms-dev in eu-west-1\? Its [0-9]+ resources go'
expect edge-destroy-typed 'Type the environment name \(dev\) to confirm'
keys dev Enter
expect edge-destroy-done 'lms-dev: DELETE_COMPLETE, lms-dev-edge: DELETE_COMPLETE in' 20
keys 5
keys k
expect edge-destroy-edge-first 'delete-stack --stack-name lms-dev-edge --region us-east-1'
keys q

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
