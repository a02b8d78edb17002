/* conffile: lmsctl's own configuration file, for what an operator sets once rather than on
 * every command line.
 *
 * Where: LMSCTL_CONFIG when set (tests, a second setup), else $XDG_CONFIG_HOME/lmsctl/config,
 * else ~/.config/lmsctl/config. A missing file is an empty configuration. The dialect is the
 * AWS shared files' INI (aws/credentials.h's parser: "[section]", "key = value", '#' and
 * ';' comments), with these sections and keys, and no others (a misspelt key is an error,
 * never a silently ignored safety setting):
 *
 *   [console]
 *   theme = dark | light | mono          the console's theme when --theme is not given
 *
 *   [env NAME]                           for models whose environment is NAME
 *   profile = PROFILE                    the AWS profile when --profile is not given; it
 *                                        counts as --profile (it beats AWS_PROFILE and keys
 *                                        in the environment: a stale AWS_PROFILE never
 *                                        sends a prod command to another account)
 *   region = REGION                      the region `init --env NAME` writes in a new model
 *   readonly = true | false              true: deploy, destroy and saving the model are
 *                                        refused unless --write is given
 *
 *   [keys]                               the console's global keys (tui/keymap.h)
 *   ACTION = KEY                         ACTION: help, cmd, search, undo, redo, save,
 *                                        deploy, destroy, messages, quit, view-params,
 *                                        view-findings, view-preview, view-stack,
 *                                        view-log; KEY: one printable character, Ctrl-X
 *                                        (a letter) or F1..F12. It replaces the action's
 *                                        default keys. Two actions on one key and keys
 *                                        the console keeps (n N Ctrl-C Ctrl-L Ctrl-Z Tab
 *                                        Enter Esc) are errors; so is a key a view uses
 *                                        (checked by the caller: lms_config_keys_error)
 */
#ifndef LMSCTL_CLI_CONFFILE_H
#define LMSCTL_CLI_CONFFILE_H

#include "common/error.h"
#include "tui/keymap.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct lms_config_env {
	char *name;
	char *profile; /* NULL: not set */
	char *region;  /* NULL: not set */
	bool readonly;
} lms_config_env;

typedef struct lms_config {
	char *path; /* the file read (or that would be read); NULL when no home is known */
	bool found; /* the file exists */
	char *theme;
	keymap keys; /* [keys]: 0 where an action keeps its default keys */
	lms_config_env *envs;
	size_t n, cap;
} lms_config;

/* Reads the file. False with err (naming the file, the section and the key) when it cannot
 * be read or holds an unknown section, key or value; *cfg is then empty but valid. */
bool lms_config_load(lms_config *cfg, lms_error *err);
/* The settings for environment `name`, or NULL. */
const lms_config_env *lms_config_env_find(const lms_config *cfg, const char *name);
/* Sets err, naming the file and the [keys] entry of `action`, to `why` (for the caller's
 * checks of the bindings); returns false. */
bool lms_config_keys_error(const lms_config *cfg, keymap_action action, const char *why,
                           lms_error *err);
void lms_config_free(lms_config *cfg);

#endif
