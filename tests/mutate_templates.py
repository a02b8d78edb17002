#!/usr/bin/env python3
"""Template mutation test: every control the report and the docs claim fails
when it is broken.

For each mutation below: copy templates/ to a temporary directory, apply one
edit (flip a boolean, drop a property, widen a CIDR, lengthen a schedule,
change a deletion policy, ...), then run `lmsctl -m prod.yml validate` and
`lmsctl -m prod.yml report --output json` with LMSCTL_TEMPLATES on the copy.
Each must exit 1 with an error of the expected rule, and the report must say
that every obligation the rule supports (model/rules.def, its obligations
column) does not hold.

A mutation of the edge stack's fragment (templates/edge/, a companion in
us-east-1) is validated with `--stack edge`; `report` covers the
environment's two stacks, so its obligations are checked the same way.

Coverage: every rule id of the registry (`validate --rules --output json`)
is the target of a mutation, or is listed in EXEMPT with its reason (a rule
that reads only model values, or whose findings never fail). A rule added
to the registry without either fails this test.

Environment: LMSCTL (the program), TOP_SRCDIR (for templates/). Options:
--only ID (run the mutations of one rule or one mutation name), --jobs N
(default 2), --list.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# A prod model with a certificate: the listener serves HTTPS.
CERTIFICATE = {"AlbCertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/"
                                    "0b8e2f57-6b1e-4c3a-9f0e-2a7d5c1e9b44"}

# A prod model whose web path has an alias and its certificate (us-east-1).
WEB_ALIAS = {"WebDomainName": "lms.example.edu",
             "WebCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/"
                                  "0b8e2f57-6b1e-4c3a-9f0e-2a7d5c1e9b44"}

# (name, file, old text, new text, expected rule[, model values]). The old text must occur;
# its first occurrence is replaced. The rules' obligations come from the
# registry, not from this list.
MUTATIONS = [
    # --- protection: encryption at rest (SEC002, SEC003) ---
    ("db-unencrypted", "data.yml", "      StorageEncrypted: true\n", "      StorageEncrypted: false\n", "SEC002"),
    ("db-no-cmk", "data.yml", "      StorageEncrypted: true\n      KmsKeyId: !GetAtt DataKey.Arn\n",
     "      StorageEncrypted: true\n", "SEC002"),
    ("cache-at-rest-off", "data.yml", "      AtRestEncryptionEnabled: true\n", "      AtRestEncryptionEnabled: false\n",
     "SEC002"),
    ("efs-unencrypted", "data.yml", "      Encrypted: true\n", "      Encrypted: false\n", "SEC002"),
    ("stream-no-key", "analytics.yml", "        EncryptionType: KMS\n", "        EncryptionType: NONE\n", "SEC002"),
    ("topic-no-key", "observability.yml", "      KmsMasterKeyId: !GetAtt AlarmTopicKey.Arn\n", "", "SEC002"),
    ("secret-no-cmk", "api.yml", "      KmsKeyId: !GetAtt SecretsKey.Arn\n", "", "SEC002"),
    ("bucket-no-encryption", "analytics.yml", "              KMSMasterKeyID: !GetAtt DataLakeKey.Arn\n", "",
     "SEC003"),
    # --- protection: key rotation (SEC004) ---
    ("key-no-rotation", "analytics.yml", "      EnableKeyRotation: true\n", "      EnableKeyRotation: false\n",
     "SEC004"),
    ("key-slow-rotation", "observability.yml", "      EnableKeyRotation: true\n",
     "      EnableKeyRotation: true\n      RotationPeriodInDays: 366\n", "SEC004"),
    # --- protection: TLS in transit (SEC005, SEC006, TRP003) ---
    ("proxy-tls-off", "data.yml", "      RequireTLS: true # clients connect with TLS or not at all\n",
     "      RequireTLS: false\n", "SEC005"),
    ("cache-tls-off", "data.yml", "      TransitEncryptionEnabled: true\n      TransitEncryptionMode: required\n",
     "      TransitEncryptionEnabled: false\n", "SEC005"),
    ("cache-tls-preferred", "data.yml", "      TransitEncryptionMode: required\n",
     "      TransitEncryptionMode: preferred\n", "SEC005"),
    ("db-force-ssl-off", "data.yml", "        rds.force_ssl: '1'", "        rds.force_ssl: '0'", "SEC005"),
    ("efs-policy-allows-plain", "data.yml", "                aws:SecureTransport: 'false'",
     "                aws:SecureTransport: 'true'", "SEC005"),
    ("efs-mount-no-tls", "compute.yml", "            TransitEncryption: ENABLED\n",
     "            TransitEncryption: DISABLED\n", "TRP003"),
    ("efs-mount-no-tls-sec", "compute.yml", "            TransitEncryption: ENABLED\n",
     "            TransitEncryption: DISABLED\n", "SEC005"),
    ("bucket-policy-allows-plain", "analytics.yml", "                aws:SecureTransport: 'false'",
     "                aws:SecureTransport: 'true'", "SEC006"),
    ("topic-policy-allows-plain", "observability.yml", "                aws:SecureTransport: 'false'",
     "                aws:SecureTransport: 'true'", "SEC006"),
    # --- protection: public access, listeners, images (SEC007, SEC008, SEC010) ---
    ("bucket-public-acls", "analytics.yml", "        BlockPublicAcls: true\n", "        BlockPublicAcls: false\n",
     "SEC007"),
    ("bucket-public-policy", "analytics.yml", "        RestrictPublicBuckets: true\n", "", "SEC007"),
    ("listener-old-tls", "compute.yml", "ELBSecurityPolicy-TLS13-1-2-2021-06",
     "ELBSecurityPolicy-2016-08", "SEC008", CERTIFICATE),
    ("images-not-scanned", "pipeline.yml", "ScanOnPush: true", "ScanOnPush: false", "SEC010"),
    ("images-mutable-tags", "pipeline.yml", "ImageTagMutability: IMMUTABLE", "ImageTagMutability: MUTABLE",
     "SEC010"),
    # --- protection: ingress, IAM, keys, cache AUTH (TRP012, TRP013, TRP008, TRP016) ---
    ("ingress-anywhere", "network.yml", "CidrIp: !Select [0, !Ref AppSubnetCidrs]", "CidrIp: 0.0.0.0/0", "TRP012"),
    ("ingress-widened", "network.yml", "CidrIp: !Select [1, !Ref AppSubnetCidrs]", "CidrIp: 0.0.0.0/1", "TRP012"),
    ("ingress-ipv6-anywhere", "network.yml", "CidrIp: !Select [2, !Ref AppSubnetCidrs]", "CidrIpv6: '::/0'",
     "TRP012"),
    ("iam-wildcard", "analytics.yml", "                  - s3:PutObject\n                Resource:\n                  - !GetAtt DataLakeBucket.Arn\n                  - !Sub '${DataLakeBucket.Arn}/*'\n",
     "                  - s3:PutObject\n                Resource: '*'\n", "TRP013"),
    ("key-policy-no-logs", "security.yml", "Service: !Sub 'logs.${AWS::Region}.amazonaws.com'",
     "Service: !Sub 'sns.${AWS::Region}.amazonaws.com'", "TRP008"),
    # --- protection: the exposure the Control Tower comparison found unchecked (SEC011-SEC015) ---
    ("cache-no-rbac", "data.yml", "      UserGroupIds:\n        - !Ref CacheUserGroup\n", "", "SEC011"),
    ("cache-default-user-on", "data.yml", "      AccessString: 'off -@all'\n", "      AccessString: 'on -@all'\n",
     "SEC011"),
    ("iam-service-wildcard", "network.yml", "                  - logs:DescribeLogStreams\n", "                  - 'logs:*'\n",
     "SEC012"),
    ("iam-not-action", "network.yml",
     "              - Effect: Allow\n                Action:\n                  - logs:CreateLogStream\n",
     "              - Effect: Allow\n                NotAction:\n                  - logs:CreateLogStream\n", "SEC012"),
    ("db-instance-public", "data.yml", "      PubliclyAccessible: false\n", "      PubliclyAccessible: true\n", "SEC013"),
    ("db-instance-public-unset", "data.yml", "      PubliclyAccessible: false\n", "", "SEC013"),
    ("app-subnet-public-ips", "network.yml",
     "      CidrBlock: !Select [0, !Ref AppSubnetCidrs]\n      MapPublicIpOnLaunch: false\n",
     "      CidrBlock: !Select [0, !Ref AppSubnetCidrs]\n      MapPublicIpOnLaunch: true\n", "SEC014"),
    ("tasks-public-ips", "compute.yml", "          AssignPublicIp: DISABLED\n", "          AssignPublicIp: ENABLED\n",
     "SEC014"),
    ("bucket-acls-on", "analytics.yml", "          - ObjectOwnership: BucketOwnerEnforced # ACLs off\n",
     "          - ObjectOwnership: ObjectWriter\n", "SEC015"),
    ("bucket-public-read-acl", "analytics.yml", "      OwnershipControls:\n",
     "      AccessControl: PublicRead\n      OwnershipControls:\n", "SEC015"),
    # --- protection: 30-day secret rotation (DAT005) ---
    ("rotation-31-days", "data.yml", "ScheduleExpression: rate(30 days)", "ScheduleExpression: rate(31 days)",
     "DAT005"),
    ("rotation-hours", "api.yml", "ScheduleExpression: rate(30 days)", "ScheduleExpression: rate(744 hours)",
     "DAT005"),
    ("rotation-after-days", "data.yml", "ScheduleExpression: rate(30 days)", "AutomaticallyAfterDays: 31",
     "DAT005"),
    # --- retention (OBS001, OBS003, OBS005, TRP001, TRP002, TRP010) ---
    ("log-group-no-retention", "analytics.yml", "      RetentionInDays: !Ref AnalyticsLogRetentionDays\n", "",
     "OBS001"),
    ("log-group-no-key", "network.yml", "      KmsKeyId: !GetAtt LogsKey.Arn\n", "", "OBS001"),
    ("log-group-no-key-trp", "network.yml", "      KmsKeyId: !GetAtt LogsKey.Arn\n", "", "TRP010"),
    ("data-lake-forever", "analytics.yml", "            ExpirationInDays: !Ref DataLakeRetentionDays\n", "",
     "OBS003"),
    ("bucket-forever", "pipeline.yml", "            NoncurrentVersionExpiration:\n              NoncurrentDays: 90\n", "",
     "OBS005"),
    ("retain-policy", "analytics.yml", "    DeletionPolicy: Delete\n", "    DeletionPolicy: Retain\n", "TRP001"),
    ("snapshot-policy", "data.yml", "    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n    DependsOn: DatabaseLogGroup\n",
     "    DeletionPolicy: Snapshot\n    UpdateReplacePolicy: Delete\n    DependsOn: DatabaseLogGroup\n", "TRP001"),
    ("bucket-not-emptied", "analytics.yml", "      BucketNames:\n        - !Ref DataLakeBucket\n",
     "      BucketNames: []\n", "TRP002"),
    # --- transfer (SEC009) ---
    ("multi-region-key", "security.yml", "      EnableKeyRotation: true\n",
     "      EnableKeyRotation: true\n      MultiRegion: true\n", "SEC009"),
    # --- accountability (OBS002, OBS004, OBS006, TRP007) ---
    ("trail-no-validation", "observability.yml", "      EnableLogFileValidation: true\n",
     "      EnableLogFileValidation: false\n", "OBS006"),
    ("trail-not-logging", "observability.yml", "      IsLogging: true\n", "      IsLogging: false\n", "OBS006"),
    ("trail-before-policy", "observability.yml", "      - TrailBucketPolicy\n", "", "TRP007"),
    ("no-approval", "pipeline.yml", "Category: Approval", "Category: Test", "OBS004"),
    # --- accountability, access, breach notification: the logs the Control Tower comparison found unchecked
    # (OBS009-OBS012) ---
    ("trail-no-cloudwatch-copy", "observability.yml", "      CloudWatchLogsRoleArn: !GetAtt TrailLogsRole.Arn\n", "",
     "OBS009"),
    ("db-no-log-exports", "data.yml", "      EnableCloudwatchLogsExports:\n        - postgresql\n", "", "OBS010"),
    ("db-connections-unlogged", "data.yml", "        log_connections: '1'", "        log_connections: '0'", "OBS010"),
    ("api-execution-logs-off", "api.yml", "          LoggingLevel: ERROR\n", "          LoggingLevel: OFF\n", "OBS011"),
    ("api-no-access-logs", "api.yml",
     "      AccessLogSetting:\n        DestinationArn: !Sub 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:"
     "log-group:${ApiAccessLogGroup}'\n",
     "      AccessLogSetting:\n", "OBS011"),
    ("alb-no-access-logs", "compute.yml", "        - Key: access_logs.s3.enabled\n          Value: 'true'\n",
     "        - Key: access_logs.s3.enabled\n          Value: 'false'\n", "OBS012"),
    # --- breach notification and availability (OBS007, TRP009, CMP005) ---
    ("alarm-no-action", "observability.yml", "      AlarmActions: [!Ref AlarmTopic]\n", "", "OBS007"),
    ("alarm-no-ok-action", "observability.yml", "      OKActions: [!Ref AlarmTopic]\n", "", "OBS007"),
    ("alarm-disabled", "observability.yml", "      AlarmActions: [!Ref AlarmTopic]\n",
     "      ActionsEnabled: false\n      AlarmActions: [!Ref AlarmTopic]\n", "OBS007"),
    ("alarm-period-30", "observability.yml", "      Period: 60\n", "      Period: 30\n", "TRP009"),
    ("alarm-period-45", "observability.yml", "      Period: 60\n", "      Period: 45\n", "CMP005"),
    # --- availability: data tier (DAT00x) ---
    ("cache-single-az", "data.yml", "      MultiAZEnabled: true\n", "      MultiAZEnabled: false\n", "DAT004"),
    ("cache-no-failover", "data.yml", "      AutomaticFailoverEnabled: true\n",
     "      AutomaticFailoverEnabled: false\n", "DAT004"),
    ("db-deletion-unprotected", "data.yml", "      DeletionProtection: !If [HasDatabaseDeletionProtection, true, false]\n",
     "      DeletionProtection: false\n", "DAT006"),
    ("db-reader-same-az", "data.yml", "      AvailabilityZone: !Select [1, !GetAZs '']\n",
     "      AvailabilityZone: !Select [0, !GetAZs '']\n", "DAT003"),
    ("db-backups-40-days", "data.yml", "      BackupRetentionPeriod: !Ref DatabaseBackupRetentionDays\n",
     "      BackupRetentionPeriod: 40\n", "DAT002"),
    ("db-capacity-step", "data.yml", "        MinCapacity: !Ref DatabaseMinCapacity\n",
     "        MinCapacity: 0.7\n", "DAT001"),
    ("db-backup-window-29", "data.yml", "      PreferredBackupWindow: !Ref DatabaseBackupWindow\n",
     "      PreferredBackupWindow: '17:00-17:29'\n", "DAT007"),
    ("cache-engine-version", "data.yml", "      Engine: !Ref CacheEngine\n      EngineVersion: !Ref CacheEngineVersion\n",
     "      Engine: redis\n      EngineVersion: '7.2'\n", "DAT008"),
    # --- availability: compute (CMP00x, SCL, AZL) ---
    ("fargate-size", "compute.yml", "      Memory: !Ref TaskMemory\n", "      Memory: 100000\n", "CMP001"),
    ("min-above-max", "compute.yml", "      MinCapacity: !Ref ServiceMinTasks\n      MaxCapacity: !Ref ServiceMaxTasks\n",
     "      MinCapacity: 400\n      MaxCapacity: !Ref ServiceMaxTasks\n", "CMP002"),
    ("one-task", "compute.yml", "      MinCapacity: !Ref ServiceMinTasks\n      MaxCapacity: !Ref ServiceMaxTasks\n",
     "      MinCapacity: 1\n      MaxCapacity: !Ref ServiceMaxTasks\n", "CMP003"),
    ("slow-health-check", "compute.yml", "      HealthCheckIntervalSeconds: !Ref HealthCheckIntervalSeconds\n",
     "      HealthCheckIntervalSeconds: 300\n", "CMP004"),
    ("exam-timezone-utc", "compute.yml", "            Timezone: Asia/Singapore\n", "            Timezone: UTC\n",
     "CMP007"),
    ("slow-detection", "compute.yml", "      EvaluationPeriods: 1\n      DatapointsToAlarm: 1\n",
     "      EvaluationPeriods: 3\n      DatapointsToAlarm: 3\n", "SCL001"),
    ("few-tasks", "compute.yml", "      MinCapacity: !Ref ServiceMinTasks\n      MaxCapacity: !Ref ServiceMaxTasks\n",
     "      MinCapacity: !Ref ServiceMinTasks\n      MaxCapacity: 10\n", "SCL002"),
    ("proxy-share-small", "data.yml", "        MaxConnectionsPercent: 90\n", "        MaxConnectionsPercent: 50\n",
     "SCL003"),
    ("pool-too-large", "compute.yml", "              Value: !Ref DatabaseConnectionsPerTask\n",
     "              Value: 20\n", "SCL003"),
    ("alb-one-az", "compute.yml", "        - !Ref AppSubnet2\n        - !If [HasThirdAz, !Ref AppSubnet3, !Ref AWS::NoValue]\n",
     "", "AZL001"),
    ("burst-below-rate", "api.yml", "ThrottlingBurstLimit: !Ref ApiThrottleBurstLimit", "ThrottlingBurstLimit: 10",
     "CMP006"),
    # --- accountability: audit logs a year (OBS002) ---
    ("flow-logs-30-days", "network.yml", "      RetentionInDays: !Ref FlowLogRetentionDays\n",
     "      RetentionInDays: 30\n", "OBS002"),
    # --- deploy traps (TRP00x, TRP01x) ---
    ("service-before-mounts", "compute.yml", "      - FileSystemMountTargetsReady\n", "", "TRP004"),
    ("deployment-before-method", "api.yml", "      - ApiProxyAnyMethod\n", "", "TRP005"),
    ("stage-before-account", "api.yml", "      - ApiAccountSettingsReady\n      - ApiExecutionLogGroup\n",
     "      - ApiExecutionLogGroup\n", "TRP006"),
    ("lambda-default-log-group", "api.yml", "        LogGroup: !Ref ApiKeyRotationLogGroup\n",
     "        LogGroup: /aws/lambda/somewhere-else\n", "TRP011"),
    ("eips-over-quota", "network.yml", "\nResources:\n",
     "\nResources:\n" + "".join(f"  ExtraEip{i}:\n    Type: AWS::EC2::EIP\n" for i in range(3)), "TRP014"),
    ("too-many-resources", "compute.yml", "\nResources:\n",
     "\nResources:\n" + "".join(f"  Filler{i}:\n    Type: AWS::CloudFormation::WaitConditionHandle\n"
                                  for i in range(420)), "TRP015"),
    ("cache-auth-token", "data.yml", "      TransitEncryptionMode: required\n",
     "      TransitEncryptionMode: required\n      AuthToken: 'not a token'\n", "TRP016"),
    ("name-too-long", "data.yml", "ReplicationGroupId: !Sub 'lms-cache-${EnvironmentSuffix}'",
     "ReplicationGroupId: !Sub 'lms-cache-for-the-whole-platform-${EnvironmentSuffix}'", "NAM002"),
    # --- the web path's front door (EDG00x; edge/: the edge stack, --stack edge) ---
    ("cloudfront-acl-in-eu-west-1", "api.yml", "      Scope: REGIONAL\n", "      Scope: CLOUDFRONT\n", "EDG001"),
    ("viewer-cert-outside-us-east-1", "edge/edge.yml", "          - AcmCertificateArn: !Ref WebCertificateArn\n",
     "          - AcmCertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/"
     "0b8e2f57-6b1e-4c3a-9f0e-2a7d5c1e9b44\n", "EDG002", WEB_ALIAS),
    ("distribution-without-waf", "edge/edge.yml", "        WebACLId: !GetAtt WebAcl.Arn\n", "", "EDG003"),
    ("waf-rate-rule-counts", "edge/edge.yml",
     "          Action:\n            Block: {}\n          Statement:\n            RateBasedStatement:\n",
     "          Action:\n            Count: {}\n          Statement:\n            RateBasedStatement:\n", "EDG003"),
    ("viewer-http-allowed", "edge/edge.yml", "          ViewerProtocolPolicy: redirect-to-https\n",
     "          ViewerProtocolPolicy: allow-all\n", "EDG004"),
    ("origin-match-viewer", "edge/edge.yml", "        OriginProtocolPolicy: !Ref AlbOriginProtocol\n",
     "        OriginProtocolPolicy: match-viewer\n", "EDG004"),
    ("api-path-cached", "edge/edge.yml",
     "            ViewerProtocolPolicy: https-only\n            AllowedMethods: [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE]\n"
     "            CachedMethods: [GET, HEAD]\n            CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
     "            ViewerProtocolPolicy: https-only\n            AllowedMethods: [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE]\n"
     "            CachedMethods: [GET, HEAD]\n            CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6",
     "EDG005"),
    ("api-4xx-without-cors", "api.yml", "      ResponseType: DEFAULT_4XX\n", "      ResponseType: UNAUTHORIZED\n",
     "EDG006"),
    # --- parameters as the template declares them (PRM00x) ---
    ("param-type", "network.yml", "  FlowLogRetentionDays:\n    Type: Number\n",
     "  FlowLogRetentionDays:\n    Type: AWS::EC2::VPC::Id\n", "PRM001"),
    ("param-allowed-values", "network.yml", " 180, 365, 400,", " 180, 400,", "PRM002"),
    ("param-pattern", "data.yml", "    AllowedPattern: '[a-z][a-z0-9_]{0,62}'\n", "    AllowedPattern: '[0-9]+'\n",
     "PRM003"),
    ("param-max-length", "data.yml", "    MaxLength: 63\n", "    MaxLength: 2\n", "PRM004"),
    ("param-max-value", "network.yml", "      Days CloudWatch Logs keeps the VPC flow logs.\n    Default: 90\n",
     "      Days CloudWatch Logs keeps the VPC flow logs.\n    Default: 90\n    MaxValue: 100\n", "PRM005"),
    # --- the template renders (REN00x) ---
    ("circular-condition", "network.yml", "  HasNatPerAz: !Equals [!Ref NatGatewayMode, per-az]\n",
     "  HasNatPerAz: !And [!Condition HasThirdAzNat, !Equals [!Ref NatGatewayMode, per-az]]\n", "REN001"),
    ("select-out-of-range", "network.yml", "CidrIp: !Select [0, !Ref AppSubnetCidrs]",
     "CidrIp: !Select [9, !Ref AppSubnetCidrs]", "REN004"),
    ("conditions-too-deep", "network.yml", "\nConditions:\n",
     "\nConditions:\n" + "".join(f"  Deep{i}: !Not [!Condition Deep{i + 1}]\n" for i in range(1100))
     + "  Deep1100: !Equals [a, a]\n", "REN003"),
    ("ref-to-nothing", "observability.yml", "      OKActions: [!Ref AlarmTopic]\n", "      OKActions: [!Ref NoSuchTopic]\n",
     "REN002"),
]

# Rules that no template mutation can make fail, each with the reason.
EXEMPT = {
    "API001": "reads the model's institutions only",
    "API002": "reads the model's institutions only",
    "API003": "reads the model's institutions only",
    "API004": "reads the model's institutions and ApiIntegrationRateLimit's value",
    "MDL001": "reads the model file's keys only",
    "MDL002": "reads the model file's keys only",
    "MDL003": "reads the model's stack name only",
    "MDL004": "reads the model's region only",
    "NAM001": "reads the model's suffix only",
    "NAM003": "a warning: never fails validation",
    "NET001": "reads the model's CIDR values only",
    "NET002": "reads the model's CIDR values only",
    "NET003": "reads the model's CIDR values only",
    "NET004": "reads the model's CIDR values only",
    "NET005": "reads the model's AvailabilityZoneCount only",
    "NET006": "reads the model's NatGatewayMode and AvailabilityZoneCount only",
    "PRM006": "a warning: never fails validation",
    "CMP008": "reads the model's TaskSessionCapacity and TargetSessionsPerTask only",
    "CMP009": "reads the model's exam-window, task and capacity values only",
    "CMP010": "info: never fails validation",
    "CMP011": "reads the model's ServiceMinTasks, session capacity and target and SurgeStepUsers only",
    "SEC001": "a warning in every environment (deploy refuses it in prod): never fails validation",
    "OBS008": "a warning in every environment (deploy refuses it in prod): never fails validation; "
              "its cases are in tests/test_rules_posture.c, the refusal in tests/deploy_moto.py",
}


def run(lmsctl, model, templates, *args):
    env = dict(os.environ, LMSCTL_TEMPLATES=templates)
    p = subprocess.run([lmsctl, "-m", model, *args], env=env, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def mutate(src, m):
    name, fname, old, new = m[:4]
    tmp = tempfile.mkdtemp(prefix="lmsctl-mutate-")
    dst = os.path.join(tmp, "templates")
    shutil.copytree(src, dst)
    path = os.path.join(dst, fname)
    text = open(path).read()
    if old not in text:
        shutil.rmtree(tmp)
        return None
    if old == new:  # a wildcard resource: the action's Resource becomes "*"
        at = text.index(old)
        rs = text.index("Resource:", at)
        eol = text.index("\n", rs)
        text = text[:rs] + "Resource: '*'" + text[eol:]
    else:
        text = text.replace(old, new, 1)
    open(path, "w").write(text)
    return tmp


def model_with(model, values, tmp):
    """A copy of the model file with some top-level values replaced."""
    text = open(model).read()
    for k, v in values.items():
        text = re.sub(rf"(?m)^  {k}: .*$", f"  {k}: '{v}'", text)
    path = os.path.join(tmp, "model.yml")
    open(path, "w").write(text)
    return path


def check(lmsctl, model, src, registry, m):
    name, fname, _, _, rule = m[:5]
    tmp = mutate(src, m)
    if tmp is None:
        return name, [f"the text to mutate is not in {fname}"]
    problems = []
    stack = ["--stack", "edge"] if fname.startswith("edge/") else []
    try:
        templates = os.path.join(tmp, "templates")
        if len(m) > 5:
            model = model_with(model, m[5], tmp)
            rc, out, err = run(lmsctl, model, src, "validate", *stack)
            if rc != 0:
                problems.append(f"the model's own values fail on templates/: {out.strip()[-300:]}")
        rc, out, err = run(lmsctl, model, templates, "validate", "--output", "json", *stack)
        if rc != 1:
            problems.append(f"validate exited {rc}, not 1: {err.strip()[:300]}")
        try:
            found = json.loads(out)["findings"]
        except ValueError:
            found = []
            problems.append("validate --output json is not JSON")
        if not any(f["id"] == rule and f["severity"] == "error" for f in found):
            ids = sorted({f["id"] for f in found if f["severity"] == "error"})
            problems.append(f"no error {rule} (errors: {', '.join(ids) or 'none'})")
        rc, out, err = run(lmsctl, model, templates, "report", "--output", "json")
        if rc != 1:
            problems.append(f"report exited {rc}, not 1")
        try:
            doc = json.loads(out)
        except ValueError:
            return name, problems + ["report --output json is not JSON"]
        obligations = {o["key"]: o for o in doc["pdpa"] + [doc["availability"]]}
        for key in registry[rule]["obligations"]:
            o = obligations.get(key)
            if o is None:
                problems.append(f"the report has no obligation {key}")
                continue
            if o["holds"] is not False:
                problems.append(f"obligation {key} still holds")
            if not any(b["rule"] == rule for b in o["breaking"]):
                problems.append(f"obligation {key} does not list {rule} as breaking it")
            st = [r for r in o["rule_status"] if r["id"] == rule]
            if not st or st[0]["status"] != "error":
                problems.append(f"obligation {key}: {rule}'s status is not error")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return name, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    lmsctl = os.environ.get("LMSCTL", "lmsctl")
    src = os.path.join(os.environ.get("TOP_SRCDIR", "."), "templates")
    start = time.monotonic()

    p = subprocess.run([lmsctl, "validate", "--rules", "--output", "json"], capture_output=True, text=True)
    registry = {r["id"]: r for r in json.loads(p.stdout)}
    fail = 0
    # coverage: every rule has a mutation or an exemption with its reason
    targets = {m[4] for m in MUTATIONS}
    for rid in sorted(registry):
        if rid not in targets and rid not in EXEMPT:
            print(f"FAIL coverage: rule {rid} ({registry[rid]['summary']}) has no mutation "
                  f"and no exemption in {os.path.basename(__file__)}")
            fail += 1
    for rid in sorted(set(EXEMPT) | targets):
        if rid not in registry:
            print(f"FAIL coverage: {rid} is not a registered rule")
            fail += 1
    for rid in sorted(set(EXEMPT) & targets):
        print(f"FAIL coverage: {rid} is both exempt and a mutation target")
        fail += 1
    names = [m[0] for m in MUTATIONS]
    if len(set(names)) != len(names):
        print("FAIL: mutation names repeat")
        fail += 1
    if a.list:
        for m in MUTATIONS:
            print(f"{m[0]:28} {m[4]}  {m[1]}")
        return 0
    todo = [m for m in MUTATIONS if not a.only or a.only in (m[0], m[4])]

    with tempfile.TemporaryDirectory(prefix="lmsctl-mutate-model-") as d:
        model = os.path.join(d, "prod.yml")
        subprocess.run([lmsctl, "init", "--env", "prod", "-o", model], check=True, capture_output=True)
        # the unmutated templates pass: each failure below is the mutation's
        rc, out, err = run(lmsctl, model, src, "validate")
        if rc != 0:
            print(f"FAIL baseline: the prod model does not validate on templates/:\n{out}{err}")
            return 1
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
            for name, problems in ex.map(lambda m: check(lmsctl, model, src, registry, m), todo):
                if problems:
                    fail += 1
                    print(f"FAIL {name}: " + "; ".join(problems))
    took = time.monotonic() - start
    print(f"{len(todo)} mutations of templates/, {len(targets)} rules targeted, {len(EXEMPT)} exempt; "
          f"{fail} failure(s); {took:.1f} s")
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
