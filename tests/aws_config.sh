#!/usr/bin/env bash
# The AWS configuration from outside, as the AWS CLI reads it: a role profile with
# mfa_serial is refused with a message when there is no terminal to ask on (never a prompt
# nobody sees), AWS_SHARED_CREDENTIALS_FILE=/dev/null is an empty file, an endpoint_url in
# the profile's config is where the calls go, and a bad source_profile is blamed on the
# profile that names it.
set -u
lmsctl=${LMSCTL:-./lmsctl}
case $lmsctl in /*) ;; *) lmsctl=$PWD/$lmsctl ;; esac
src=$(cd "${TOP_SRCDIR:-.}" && pwd)
. "$src/tests/expect.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION \
	AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_CLOUDFORMATION \
	AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONTAINER_CREDENTIALS_FULL_URI \
	AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
export HOME=$tmp AWS_EC2_METADATA_DISABLED=true LMSCTL_HTTP_TIMEOUT_MS=3000 LMSCTL_HTTP_BACKOFF_MS=10
export AWS_CONFIG_FILE=$tmp/config AWS_SHARED_CREDENTIALS_FILE=$tmp/credentials


printf '[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n' >credentials
cat >config <<'CFG'
[profile mfa]
role_arn = arn:aws:iam::123456789012:role/lms-operator
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/ops
[profile badsource]
role_arn = arn:aws:iam::123456789012:role/lms-operator
source_profile = nope
[profile local]
aws_access_key_id = AKIDLOCAL
aws_secret_access_key = local-secret
endpoint_url = http://127.0.0.1:9/from-config
CFG

expect mfa-no-terminal 1 'needs an MFA code \(mfa_serial\) and none can be asked here' 'MFA code for' -- \
	"$lmsctl" status --profile mfa
expect bad-source-profile 1 'profile "nope" \(from source_profile of profile "badsource"\)' 'from --profile' -- \
	"$lmsctl" status --profile badsource
# the calls go to the config's endpoint (nothing listens on port 9: the error names it)
expect config-endpoint 1 '127\.0\.0\.1:9|from-config' '' -- "$lmsctl" status --profile local
AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null \
	expect dev-null 1 'no AWS credentials found' 'not a regular file' -- "$lmsctl" status

# MFA on a terminal: the prompt names the device, the code is not echoed, a right code is
# accepted by STS (the fault server's refusal rules) and a wrong one is refused by it.
if command -v tmux >/dev/null 2>&1; then
	coproc FAULT { exec python3 "$src/tests/fault_server.py" --lifetime 120 \
		--recorded "$src/tests/fixtures/deploy/recorded"; }
	read -r -t 20 port <&"${FAULT[0]}"
	sock=$tmp/tmux.sock
	mfa_run() { # CODE KEY: types CODE at the prompt; leaves the screen in screen.txt
		tmux -S "$sock" new-session -d -x 150 -y 30 \
			"env HOME=$tmp AWS_CONFIG_FILE=$tmp/config AWS_SHARED_CREDENTIALS_FILE=$tmp/credentials \
			AWS_EC2_METADATA_DISABLED=true LMSCTL_HTTP_BACKOFF_MS=10 $lmsctl status --profile mfa \
			--endpoint-url http://127.0.0.1:$port/recorded/mfa/$2; echo EXIT=\$?; sleep 30"
		for _ in $(seq 100); do
			tmux -S "$sock" capture-pane -p >screen.txt 2>/dev/null
			grep -q 'MFA code for' screen.txt && break
			sleep 0.1
		done
		tmux -S "$sock" send-keys "$1" Enter
		for _ in $(seq 100); do
			tmux -S "$sock" capture-pane -p >screen.txt
			grep -q 'EXIT=' screen.txt && break
			sleep 0.1
		done
		tmux -S "$sock" kill-server 2>/dev/null
	}
	check_screen() { # NAME WANT REFUSED
		if grep -Eq -- "$2" screen.txt && ! grep -Eq -- "$3" screen.txt; then
			pass=$((pass + 1))
		else
			echo "FAIL $1:"; sed 's/^/  | /' screen.txt | grep -v '^  | $' | head -12
			fail=$((fail + 1))
		fi
	}
	mfa_run 123456 tty-right
	check_screen mfa-terminal-right 'MFA code for arn:aws:iam::123456789012:mfa/ops \(profile mfa\)' \
		'ops \(profile mfa\): *123456|MultiFactorAuthentication|needs an MFA code'
	# lmsctl's own styles reach the terminal as styles, not as escaped text
	check_screen styles-on-a-terminal '^dev stack lms-dev in account 123456789012' '\\x1b|\\xee'
	mfa_run 654321 tty-wrong
	check_screen mfa-terminal-wrong 'MultiFactorAuthentication failed' '654321'
	exec {FAULT[1]}>&-
else
	echo "tmux not found: the MFA prompt on a terminal is not tested"
fi

echo "aws_config: $pass passed, $fail failed"
[ "$fail" = 0 ]
