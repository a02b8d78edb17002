/* commands: the commands the command table (cli/cli.c) dispatches to that live in their
 * own files. cli/deploy.c: the commands that talk to AWS — deploy, destroy, status and
 * outputs, faces of the stack operations (ops/) on the terminal.
 *
 * They share every AWS code path with the console (aws/), and the model code paths with
 * the other commands: the command line hands them a loader for the catalog and the model
 * (so that -m, --templates and the built-in dev model mean what they mean everywhere).
 *
 * The model's region is authoritative: a --region that differs is refused, a region from
 * the environment or the profile that differs is reported and not used. Without a
 * terminal nothing prompts: a command that needs a confirmation fails naming --yes.
 * Deploys and destroys are appended to the journal ($XDG_STATE_HOME/lmsctl/journal.log,
 * default ~/.local/state/lmsctl/journal.log): time, caller ARN, stack, change set,
 * result, one JSON object a line. Ctrl-C while following stack events leaves the stack
 * operation running and says how to follow it again (exit 130). */
#ifndef LMSCTL_CLI_COMMANDS_H
#define LMSCTL_CLI_COMMANDS_H

#include <stdbool.h>

#include "model/catalog.h"
#include "model/model.h"

typedef struct deploy_env {
	/* Loads the catalog and the model file `model_path` (NULL: the built-in dev model),
	 * printing its own errors; false when either cannot be loaded. The caller keeps
	 * ownership of what it hands out. */
	bool (*load)(void *ctx, const char *model_path, const catalog **cat, const model **m);
	void *ctx;
	const char *model_path;   /* the global -m, or NULL */
	const char *endpoint_url; /* the global --endpoint-url, or NULL */
	const char *profile;      /* the global --profile, or NULL */
	const char *region;       /* the global --region, or NULL */
	bool debug;               /* the global --debug */
	/* The configuration file (cli/conffile.h): the profile per environment, read-only
	 * environments; --write lifts `readonly = true`, --readonly forces it. */
	const struct lms_config *config;
	bool write, readonly;
} deploy_env;

/* Each takes argv[0] = the command's name and returns the exit status (cli/exit.h). */
int cmd_deploy(int argc, char **argv, const deploy_env *env);
int cmd_destroy(int argc, char **argv, const deploy_env *env);
int cmd_status(int argc, char **argv, const deploy_env *env);
int cmd_outputs(int argc, char **argv, const deploy_env *env);
/* diff: the model against the deployed stack (ops/stackdiff.h); drift: drift detection */
int cmd_diff(int argc, char **argv, const deploy_env *env);
int cmd_drift(int argc, char **argv, const deploy_env *env);

extern const char deploy_usage[];
extern const char destroy_usage[];
extern const char status_usage[];
extern const char outputs_usage[];
extern const char diff_usage[];
extern const char drift_usage[];

/* A duration in ms from the environment variable `name` (1 ms .. 1 hour); 0 (the
 * default) when unset, with a warning when it is not such a number. LMSCTL_HTTP_TIMEOUT_MS
 * and LMSCTL_HTTP_BACKOFF_MS shorten the AWS client's timeout and retry pauses (tests). */
long deploy_env_ms(const char *name);

#endif
