#!/usr/bin/env bash
# The AWS configuration from outside, as the AWS CLI reads it: a role profile with
# mfa_serial is refused with a message when there is no terminal to ask on (never a prompt
# nobody sees), AWS_SHARED_CREDENTIALS_FILE=/dev/null is an empty file, an endpoint_url in
# the profile's config is where the calls go, and a bad source_profile is blamed on the
# profile that names it.
set -u
lmsctl=${LMSCTL:-./lmsctl}
case $lmsctl in /*) ;; *) lmsctl=$PWD/$lmsctl ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0
fail=0
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION \
	AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_CLOUDFORMATION \
	AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONTAINER_CREDENTIALS_FULL_URI \
	AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
export HOME=$tmp AWS_EC2_METADATA_DISABLED=true LMSCTL_HTTP_TIMEOUT_MS=3000 LMSCTL_HTTP_BACKOFF_MS=10
export AWS_CONFIG_FILE=$tmp/config AWS_SHARED_CREDENTIALS_FILE=$tmp/credentials

# expect NAME WANT_EXIT PATTERN [REFUSED_PATTERN] -- COMMAND...
expect() {
	local name=$1 want=$2 pattern=$3 refused=$4
	shift 5
	"$@" >out.txt 2>err.txt </dev/null
	local got=$?
	if [ "$got" != "$want" ] || ! grep -Eq -- "$pattern" out.txt err.txt ||
		{ [ -n "$refused" ] && grep -Eq -- "$refused" out.txt err.txt; } ||
		grep -q Sanitizer err.txt; then
		echo "FAIL $name: exit $got (expected $want), output:"; sed 's/^/  | /' out.txt err.txt | head -8
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}

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

echo "aws_config: $pass passed, $fail failed"
[ "$fail" = 0 ]
