/* lmsctl's configuration file (cli/conffile.h). */
#include "cli/conffile.h"

#include "aws/credentials.h"
#include "common/buf.h"
#include "common/file.h"
#include "common/str.h"
#include "common/vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Largest configuration file read. */
#define CONFIG_MAX_SIZE ((size_t)256 * 1024)

void lms_config_free(lms_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->envs[i].name);
		free(cfg->envs[i].profile);
		free(cfg->envs[i].region);
	}
	free(cfg->envs);
	free(cfg->theme);
	free(cfg->path);
	memset(cfg, 0, sizeof *cfg);
}

const lms_config_env *lms_config_env_find(const lms_config *cfg, const char *name)
{
	for (size_t i = 0; name && i < cfg->n; i++)
		if (strcmp(cfg->envs[i].name, name) == 0)
			return &cfg->envs[i];
	return NULL;
}

static char *config_path(void)
{
	const char *set = getenv("LMSCTL_CONFIG");
	if (set && set[0])
		return strdup(set);
	buf p;
	buf_init(&p, 0);
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	/* the XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored */
	if (xdg && xdg[0] == '/')
		buf_addf(&p, "%s/lmsctl/config", xdg);
	else if (home && home[0])
		buf_addf(&p, "%s/.config/lmsctl/config", home);
	else
		return NULL;
	return buf_take(&p);
}

static lms_config_env *env_entry(lms_config *cfg, const char *name)
{
	lms_config_env *e = (lms_config_env *)lms_config_env_find(cfg, name);
	if (e)
		return e;
	if (!VEC_RESERVE(cfg->envs, cfg->cap, cfg->n + 1))
		return NULL;
	e = &cfg->envs[cfg->n];
	memset(e, 0, sizeof *e);
	if (!(e->name = strdup(name)))
		return NULL;
	cfg->n++;
	return e;
}

static bool valid_region(const char *r)
{
	size_t n = strlen(r);
	if (n < 6 || n > 30)
		return false;
	for (const char *p = r; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

static bool set_string(char **slot, const char *value)
{
	char *v = strdup(value);
	if (!v)
		return false;
	free(*slot);
	*slot = v;
	return true;
}

/* One setting; false with err on an unknown or invalid one. */
static bool apply(lms_config *cfg, const char *section, const char *key, const char *value,
                  lms_error *err)
{
	static const char unknown_section[] =
	    "unknown section (the file has [console], [keys] and [env NAME] sections)";
	const char *what = NULL;
	char *owned = NULL;
	bool env = strncmp(section, "env ", 4) == 0 && section[4];
	bool keys = strcmp(section, "keys") == 0;
	if (!key || !value || (strcmp(section, "console") != 0 && !env && !keys)) {
		what = unknown_section;
	} else if (keys) {
		int a = keymap_action_find(key);
		int k = keymap_key_parse(value);
		if (a < 0)
			what = (owned = lms_strdupf("unknown action (the actions: %s)",
			                            keymap_action_names()))
			           ? owned
			           : "unknown action";
		else if (!k)
			what = "not a key (one printable character, Ctrl-X with a letter, or "
			       "F1 to F12)";
		else if (keymap_reserved(k))
			what = (owned = lms_strdupf("%s is kept by the console (n N Tab Enter Esc "
			                            "Backspace Ctrl-C Ctrl-L Ctrl-Z)",
			                            value))
			           ? owned
			           : "kept by the console";
		else
			cfg->keys.key[a] = k;
	} else if (strcmp(section, "console") == 0) {
		if (strcmp(key, "theme") != 0)
			what = "unknown key (the [console] section has theme)";
		else if (strcmp(value, "dark") != 0 && strcmp(value, "light") != 0 &&
		         strcmp(value, "mono") != 0)
			what = "theme must be dark, light or mono";
		else if (!set_string(&cfg->theme, value))
			what = "out of memory";
	} else {
		lms_config_env *e = env_entry(cfg, section + 4);
		if (!e)
			what = "out of memory";
		else if (strcmp(key, "profile") == 0)
			what = !value[0]                         ? "profile is empty"
			       : !set_string(&e->profile, value) ? "out of memory"
			                                         : NULL;
		else if (strcmp(key, "region") == 0)
			what = !valid_region(value)
			           ? "region must be a region name such as eu-west-1"
			       : !set_string(&e->region, value) ? "out of memory"
			                                        : NULL;
		else if (strcmp(key, "readonly") == 0) {
			if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
				e->readonly = strcmp(value, "true") == 0;
			else
				what = "readonly must be true or false";
		} else
			what =
			    "unknown key (an [env NAME] section has profile, region and readonly)";
	}
	if (what)
		lms_error_set(err, cfg->path, 0, 0, "[%s]%s%s%s%s: %s", section, key ? " " : "",
		              key ? key : "", key && value ? " = " : "", key && value ? value : "",
		              what);
	bool ok = what == NULL;
	free(owned);
	return ok;
}

bool lms_config_keys_error(const lms_config *cfg, keymap_action action, const char *why,
                           lms_error *err)
{
	char name[16];
	keymap_key_name(cfg->keys.key[action], name, sizeof name);
	lms_error_set(err, cfg->path, 0, 0, "[keys] %s = %s: %s", keymap_action_name(action), name,
	              why);
	return false;
}

bool lms_config_load(lms_config *cfg, lms_error *err)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->path = config_path();
	if (!cfg->path)
		return true;
	buf text;
	lms_error ferr = {0};
	if (!file_read(cfg->path, CONFIG_MAX_SIZE, &text, &ferr)) {
		bool missing = errno == ENOENT;
		if (!missing)
			lms_error_set(err, cfg->path, 0, 0, "%s",
			              ferr.msg ? ferr.msg : "cannot read it");
		lms_error_clear(&ferr);
		return missing;
	}
	cfg->found = true;
	lms_error perr = {0};
	aws_ini *ini = aws_ini_parse(buf_cstr(&text), text.len, &perr);
	buf_free(&text);
	if (!ini) {
		lms_error_set(err, cfg->path, perr.line, 0, "%s",
		              perr.msg ? perr.msg : "malformed");
		lms_error_clear(&perr);
		return false;
	}
	bool ok = true;
	for (size_t i = 0; ok && i < aws_ini_count(ini); i++) {
		const char *section, *key, *value;
		aws_ini_entry(ini, i, &section, &key, &value);
		if (key)
			ok = apply(cfg, section, key, value, err);
		else if (strcmp(section, "console") != 0 && strcmp(section, "keys") != 0 &&
		         strncmp(section, "env ", 4) != 0)
			ok = apply(cfg, section, NULL, NULL, err);
	}
	aws_ini_free(ini);
	int a, b;
	if (ok && keymap_clash(&cfg->keys, &a, &b)) {
		char name[16];
		keymap_key_name(cfg->keys.key[a], name, sizeof name);
		char *why = lms_strdupf("%s is also %s's key (bind %s to another key, or pick "
		                        "another one)",
		                        name, keymap_action_name((keymap_action)b),
		                        keymap_action_name((keymap_action)b));
		ok = lms_config_keys_error(cfg, (keymap_action)a, why ? why : "a key twice", err);
		free(why);
	}
	if (!ok) {
		char *path = cfg->path;
		cfg->path = NULL;
		lms_config_free(cfg);
		cfg->path = path;
	}
	return ok;
}
