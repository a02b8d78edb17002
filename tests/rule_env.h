/* rule_env: the environment fragment most rule tests validate beside their own (the
 * Environment and EnvironmentSuffix parameters, their panel, IsProd), as `env_fragment`
 * for tests/rulefixture.h. Tests whose rules need more of the environment define their
 * own instead. */
#ifndef LMSCTL_TESTS_RULE_ENV_H
#define LMSCTL_TESTS_RULE_ENV_H

static const char env_fragment[] = "Metadata:\n"
                                   "  AWS::CloudFormation::Interface:\n"
                                   "    ParameterGroups:\n"
                                   "      - Label: {default: Environment}\n"
                                   "        Parameters: [Environment, EnvironmentSuffix]\n"
                                   "Parameters:\n"
                                   "  Environment:\n"
                                   "    Type: String\n"
                                   "    Description: kind\n"
                                   "    Default: dev\n"
                                   "  EnvironmentSuffix:\n"
                                   "    Type: String\n"
                                   "    Description: suffix\n"
                                   "    Default: dev\n"
                                   "Conditions:\n"
                                   "  IsProd: !Equals [!Ref Environment, prod]\n";

#endif
