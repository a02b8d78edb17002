/* curl_loader: libcurl through dlopen on the first AWS call (see curl_loader.h). */
#define LMS_CURL_LOADER_IMPL
#include "aws/curl_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lms_curl_api lms_curl_fn;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static bool load_ok;
static char load_error[512];

/* dlsym returns a data pointer; POSIX guarantees it converts to a function pointer. */
#define RESOLVE(lib, field, name)                                                                  \
	do {                                                                                       \
		void *sym_ = dlsym(lib, name);                                                     \
		if (!sym_) {                                                                       \
			snprintf(load_error, sizeof load_error,                                    \
			         "%s lacks %s: AWS calls need libcurl 7.74 or later", path, name); \
			return;                                                                    \
		}                                                                                  \
		memcpy(&api.field, &sym_, sizeof sym_);                                            \
	} while (0)

static void load(void)
{
	const char *path = getenv("LMSCTL_LIBCURL");
	if (!path || !path[0])
		path = LMS_LIBCURL_SONAME;
	/* RTLD_LOCAL: libcurl's symbols serve this table only; RTLD_NOW: a missing symbol is found
	 * here, not in the middle of a deploy. Never closed: curl keeps global state. */
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		snprintf(load_error, sizeof load_error,
		         "cannot load %s (%s): AWS calls need libcurl; install the Debian package "
		         "libcurl4 (apt-get install libcurl4)",
		         path, why ? why : "unknown error");
		return;
	}
	lms_curl_api api;
	RESOLVE(lib, global_init, "curl_global_init");
	RESOLVE(lib, global_cleanup, "curl_global_cleanup");
	RESOLVE(lib, easy_init, "curl_easy_init");
	RESOLVE(lib, easy_cleanup, "curl_easy_cleanup");
	RESOLVE(lib, easy_reset, "curl_easy_reset");
	RESOLVE(lib, easy_setopt, "curl_easy_setopt");
	RESOLVE(lib, easy_getinfo, "curl_easy_getinfo");
	RESOLVE(lib, easy_perform, "curl_easy_perform");
	RESOLVE(lib, easy_strerror, "curl_easy_strerror");
	RESOLVE(lib, getdate, "curl_getdate");
	RESOLVE(lib, slist_append, "curl_slist_append");
	RESOLVE(lib, slist_free_all, "curl_slist_free_all");
	/* Started once, here, for the life of the process: the clients' own init/cleanup pairs
	 * then only count references, so no thread (the console's worker included) ever runs
	 * libcurl's real start-up or shutdown while another thread is busy. */
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof load_error, "libcurl (%s) failed to start", path);
		return;
	}
	lms_curl_fn = api;
	load_ok = true;
}

bool lms_curl_load(lms_error *err)
{
	pthread_once(&load_once, load);
	if (!load_ok && err)
		lms_error_set(err, NULL, 0, 0, "%s", load_error);
	return load_ok;
}

CURLcode lms_curl_global_init(long flags)
{
	return lms_curl_load(NULL) ? lms_curl_fn.global_init(flags) : CURLE_FAILED_INIT;
}

void lms_curl_global_cleanup(void)
{
	if (load_ok)
		lms_curl_fn.global_cleanup();
}

CURL *lms_curl_easy_init(void)
{
	return lms_curl_load(NULL) ? lms_curl_fn.easy_init() : NULL;
}

struct curl_slist *lms_curl_slist_append(struct curl_slist *list, const char *s)
{
	return lms_curl_load(NULL) ? lms_curl_fn.slist_append(list, s) : NULL;
}

void lms_curl_slist_free_all(struct curl_slist *list)
{
	if (list && load_ok)
		lms_curl_fn.slist_free_all(list);
}

const char *lms_curl_easy_strerror(CURLcode code)
{
	return load_ok ? lms_curl_fn.easy_strerror(code) : "libcurl not loaded";
}

time_t lms_curl_getdate(const char *date, const time_t *unused)
{
	return lms_curl_load(NULL) ? lms_curl_fn.getdate(date, unused) : -1;
}
