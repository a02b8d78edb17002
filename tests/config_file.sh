#!/usr/bin/env bash
# lmsctl's configuration file (lmsctl(1), FILES): found through LMSCTL_CONFIG,
# XDG_CONFIG_HOME or ~/.config; a misspelt key or value is refused (exit 2) with the file,
# section and key named, never ignored; an environment marked readonly refuses deploy and
# destroy before any AWS call unless --write; the environment's profile counts as
# --profile and errors say where it came from; init takes the environment's region; the
# console shows READ-ONLY and does not save; [keys] rebinds the console's global actions
# (each key spelling on both sides of the grammar; clashes refused) and the console
# follows it (the new key acts, the default no longer does, help and footer show it).
set -u
lmsctl=${LMSCTL:-./lmsctl}
case $lmsctl in /*) ;; *) lmsctl=$PWD/$lmsctl ;; esac
src=$(cd "${TOP_SRCDIR:-.}" && pwd)
. "$src/tests/expect.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE LMSCTL_CONFIG \
	XDG_CONFIG_HOME AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
export HOME=$tmp AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=$tmp/aws-config \
	AWS_SHARED_CREDENTIALS_FILE=$tmp/aws-credentials LMSCTL_HTTP_TIMEOUT_MS=3000 \
	LMSCTL_HTTP_BACKOFF_MS=10


# no file anywhere: nothing changes
expect no-file 0 'lmsctl ' '' -- "$lmsctl" --version
expect no-file-validate 0 '' 'configuration' -- "$lmsctl" validate

# the three places, first match wins
mkdir -p .config/lmsctl xdg/lmsctl
printf '[console]\ntheme = blue\n' >.config/lmsctl/config
expect home-file 2 'config/lmsctl/config.*\[console\] theme = blue: theme must be dark, light or mono' '' -- \
	"$lmsctl" validate
printf '[console]\ntheme = light\n[env dev]\nreadonly = yes\n' >xdg/lmsctl/config
XDG_CONFIG_HOME=$tmp/xdg expect xdg-file 2 'xdg/lmsctl/config.*\[env dev\] readonly = yes: readonly must be true or false' '' -- \
	"$lmsctl" validate
# a relative XDG_CONFIG_HOME is ignored (the XDG spec): back to ~/.config
XDG_CONFIG_HOME=xdg expect xdg-relative 2 '\.config/lmsctl/config' 'xdg/lmsctl' -- "$lmsctl" validate
rm .config/lmsctl/config

# misspelt keys and sections are errors, not ignored safety settings
printf '[env prod]\nread-only = true\n' >c1
LMSCTL_CONFIG=$tmp/c1 expect unknown-key 2 'c1.*\[env prod\] read-only = true: unknown key' '' -- "$lmsctl" validate
printf '[environment prod]\nreadonly = true\n' >c2
LMSCTL_CONFIG=$tmp/c2 expect unknown-section 2 'c2.*\[environment prod\].*unknown section' '' -- "$lmsctl" validate
printf '[env prod]\nregion = eu west 1\n' >c3
LMSCTL_CONFIG=$tmp/c3 expect bad-region 2 'region must be a region name' '' -- "$lmsctl" validate
printf '[env prod\nreadonly = true\n' >c4
LMSCTL_CONFIG=$tmp/c4 expect malformed 2 'c4:1: .*without' '' -- "$lmsctl" validate
expect write-and-readonly 2 'contradict' '' -- "$lmsctl" --write --readonly validate

# [keys]: an action's key replaced; each key spelling at its edge, both sides
keys() { printf '[keys]\n%s\n' "$@" >k; }
for good in 'messages = F2' 'messages = F12' 'messages = F10' 'deploy = Ctrl-T' 'deploy = Ctrl-t' \
	'messages = F' 'messages = !' 'messages = ~' 'save = W' 'view-stack = 9' 'help = F1'; do
	keys "$good"
	LMSCTL_CONFIG=$tmp/k expect "key-ok[$good]" 0 '' 'keys' -- "$lmsctl" validate
done
for bad in 'messages = F13' 'messages = F0' 'messages = F01' 'messages = F1x' 'deploy = Ctrl-1' 'deploy = Ctrl-' \
	'deploy = Ctrl-EE' 'messages = MM' 'messages = ctrl-e' 'messages = f2' 'messages = é'; do
	keys "$bad"
	LMSCTL_CONFIG=$tmp/k expect "key-bad[$bad]" 2 "k.*\\[keys\\] ${bad%% *} = .*: not a key" '' -- "$lmsctl" validate
done
keys 'message = F2'
LMSCTL_CONFIG=$tmp/k expect key-unknown-action 2 'k.*\[keys\] message = F2: unknown action .*messages' '' -- "$lmsctl" validate
# two actions on one key: a default still in use, or two bindings; freeing the default lifts it
keys 'messages = S'
LMSCTL_CONFIG=$tmp/k expect key-on-default 2 '\[keys\] messages = S: S is also save.s key' '' -- "$lmsctl" validate
keys 'messages = S' 'save = F3'
LMSCTL_CONFIG=$tmp/k expect key-default-freed 0 '' 'keys' -- "$lmsctl" validate
keys 'messages = F3' 'save = F3'
LMSCTL_CONFIG=$tmp/k expect key-twice 2 '\[keys\] (messages|save) = F3: F3 is also (save|messages).s key' '' -- "$lmsctl" validate
# keys the console keeps, and keys a view uses for its own (the view would hide it)
keys 'deploy = n'
LMSCTL_CONFIG=$tmp/k expect key-reserved 2 '\[keys\] deploy = n: n is kept by the console' '' -- "$lmsctl" validate
keys 'deploy = Ctrl-C'
LMSCTL_CONFIG=$tmp/k expect key-reserved-ctrl 2 '\[keys\] deploy = Ctrl-C: Ctrl-C is kept' '' -- "$lmsctl" validate
keys 'messages = j'
LMSCTL_CONFIG=$tmp/k expect key-view-clash 2 '\[keys\] messages = j: j is the .* view.s key' '' -- "$lmsctl" validate
for taken in e 0 Y Ctrl-F Ctrl-B; do
	keys "messages = $taken"
	LMSCTL_CONFIG=$tmp/k expect "key-view-unlisted[$taken]" 2 "\\[keys\\] messages = $taken: $taken is the" '' -- "$lmsctl" validate
done
keys 'messages = J'
LMSCTL_CONFIG=$tmp/k expect key-view-free 0 '' 'keys' -- "$lmsctl" validate

# a read-only environment: deploy and destroy refused before any AWS call (no credentials
# are looked for); --write lifts it (then the missing credentials are what stops them)
printf '[env dev]\nreadonly = true\n[env prod]\nreadonly = false\n' >ro
export LMSCTL_CONFIG=$tmp/ro
expect ro-deploy 2 'deploy: environment dev is read-only in .*ro \(\[env dev\] readonly = true\): add --write' 'credential' -- \
	"$lmsctl" deploy --yes
expect ro-destroy 2 'destroy: environment dev is read-only' 'credential' -- "$lmsctl" destroy --yes
expect ro-write 1 'credential' 'read-only' -- "$lmsctl" --write deploy --yes
expect ro-status 1 'credential' 'read-only' -- "$lmsctl" status
# diff reads; diff --change-set makes (and deletes) a change set: an AWS change
expect ro-diff 1 'credential' 'read-only' -- "$lmsctl" diff
expect ro-diff-change-set 2 'diff: environment dev is read-only' 'credential' -- "$lmsctl" diff --change-set
"$lmsctl" init --env prod -o prod.yml 2>/dev/null
expect ro-other-env 1 'credential' 'read-only' -- "$lmsctl" -m prod.yml deploy --yes --allow-plain-http
expect readonly-flag 2 'read-only session \(--readonly\)' 'credential' -- "$lmsctl" --readonly -m prod.yml destroy --yes
unset LMSCTL_CONFIG

# the environment's profile counts as --profile, and errors say where it came from
printf '[env dev]\nprofile = lms-dev-operator\nregion = eu-central-1\n' >prof
printf '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = x\n' >aws-credentials
LMSCTL_CONFIG=$tmp/prof expect config-profile 1 'profile "lms-dev-operator" \(from \[env dev\] in .*prof\) is not in' 'from --profile' -- \
	"$lmsctl" status
LMSCTL_CONFIG=$tmp/prof expect flag-beats-config 1 'profile "other" \(from --profile\)' 'lms-dev-operator' -- \
	"$lmsctl" --profile other status
# init writes the environment's region; --set still wins
LMSCTL_CONFIG=$tmp/prof "$lmsctl" init --env dev -o dev.yml 2>/dev/null
if grep -q '^region: eu-central-1' dev.yml; then pass=$((pass + 1)); else echo "FAIL init-region: $(grep -n region: dev.yml | head -2)"; fail=$((fail + 1)); fi
LMSCTL_CONFIG=$tmp/prof "$lmsctl" init --env dev --set region=eu-west-1 -o dev2.yml 2>/dev/null
if grep -q '^region: eu-west-1' dev2.yml; then pass=$((pass + 1)); else echo "FAIL init-set-region"; fail=$((fail + 1)); fi

# the console: READ-ONLY in the header, and no save
if command -v tmux >/dev/null 2>&1; then
	sock=$tmp/tmux.sock
	cp prod.yml roprod.yml
	printf '[env prod]\nreadonly = true\n' >ro2
	screen() {
		# up to 15 s: a loaded machine (sanitizer build, two cores shared) starts slowly
		for _ in $(seq 150); do
			tmux -S "$sock" capture-pane -p >screen.txt 2>/dev/null
			grep -Eq -- "$1" screen.txt && return 0
			sleep 0.1
		done
		return 1
	}
	tmux -S "$sock" new-session -d -x 100 -y 30 \
		"env LMSCTL_CONFIG=$tmp/ro2 TERM=xterm-256color $lmsctl roprod.yml; sleep 5"
	if screen 'READ-ONLY'; then pass=$((pass + 1)); else echo "FAIL console-badge:"; cat screen.txt; fail=$((fail + 1)); fi
	tmux -S "$sock" send-keys ':set AlarmEmail ops@example.com' Enter
	sleep 0.3
	tmux -S "$sock" send-keys ':w' Enter
	if screen 'read-only session \(the configuration file'; then pass=$((pass + 1)); else
		echo "FAIL console-save:"; cat screen.txt; fail=$((fail + 1)); fi
	if cmp -s prod.yml roprod.yml; then pass=$((pass + 1)); else echo "FAIL console-file-changed"; fail=$((fail + 1)); fi
	tmux -S "$sock" kill-server 2>/dev/null
	rm -f roprod.yml.lmsctl-recover* .roprod.yml* 2>/dev/null
	# a server of its own: the first one may still be exiting on its socket, and a client
	# that reaches it then gets "server exited unexpectedly" (seen under load)
	sock=$tmp/tmux2.sock
	tmux -S "$sock" new-session -d -x 100 -y 30 \
		"env LMSCTL_CONFIG=$tmp/ro2 TERM=xterm-256color $lmsctl --write roprod.yml; sleep 5"
	if screen 'Params' && ! grep -q 'READ-ONLY' screen.txt; then pass=$((pass + 1)); else
		echo "FAIL console-write:"; cat screen.txt; fail=$((fail + 1)); fi
	tmux -S "$sock" kill-server 2>/dev/null

	# [keys]: messages on F2; M no longer opens the log; help and the footer show F2;
	# the stack view on 9 in the tabs; deploy on F5 in the stack view's footer and text
	printf '[keys]\nmessages = F2\nview-stack = 9\ndeploy = F5\n' >keysconf
	sock=$tmp/tmux-keys.sock
	tmux -S "$sock" new-session -d -x 120 -y 40 \
		"env LMSCTL_CONFIG=$tmp/keysconf TERM=xterm-256color $lmsctl prod.yml; sleep 5"
	if screen 'F2 messages' && grep -q ' 9 Stack' screen.txt && ! grep -q ' 4 Stack' screen.txt; then
		pass=$((pass + 1)); else echo "FAIL keys-footer-tabs:"; cat screen.txt; fail=$((fail + 1)); fi
	tmux -S "$sock" send-keys M
	sleep 0.5
	tmux -S "$sock" capture-pane -p >screen.txt
	if ! grep -q 'Messages (newest first)' screen.txt; then pass=$((pass + 1)); else
		echo "FAIL keys-default-gone:"; cat screen.txt; fail=$((fail + 1)); fi
	tmux -S "$sock" send-keys F2
	if screen 'Messages \(newest first\)'; then pass=$((pass + 1)); else
		echo "FAIL keys-f2-messages:"; cat screen.txt; fail=$((fail + 1)); fi
	tmux -S "$sock" send-keys Escape
	sleep 0.3
	tmux -S "$sock" send-keys '?'
	if screen 'F2 +messages: the last 200, in full \(the configuration file.s \[keys\]; M no'; then
		pass=$((pass + 1)); else echo "FAIL keys-help:"; cat screen.txt; fail=$((fail + 1)); fi
	tmux -S "$sock" send-keys Escape
	sleep 0.3
	tmux -S "$sock" send-keys 9
	if screen '─ Stack ─' && grep -q 'F5 reviews a change set' screen.txt &&
		grep -q '^F5 deploy' screen.txt && ! grep -q 'D deploy' screen.txt; then pass=$((pass + 1)); else
		echo "FAIL keys-9-stack:"; cat screen.txt; fail=$((fail + 1)); fi
	tmux -S "$sock" kill-server 2>/dev/null
fi

echo "config_file: $pass passed, $fail failed"
[ "$fail" = 0 ]
