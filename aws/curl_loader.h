/* curl_loader: libcurl, loaded on the first AWS call instead of at start-up.
 *
 * The offline commands (validate, generate, render, report, params, init) and the console's
 * first screen never make an HTTP call, yet linking libcurl made every start of the program
 * load its dependency tree (OpenSSL's TLS, GnuTLS, Kerberos, LDAP, SSH, nghttp2, ...: 30 of the
 * program's 43 shared libraries) and relocate it. The program is therefore not linked with
 * libcurl; its headers are still used (CURL_CFLAGS) and the library is opened with dlopen when
 * the first HTTP client is made.
 *
 * Include this header instead of <curl/curl.h>: the curl_* names used by aws/ and tui/ are
 * redirected to the loaded library. curl_global_init, curl_easy_init and curl_slist_append load
 * the library on their first call (and fail as libcurl fails when it cannot be loaded); the
 * other calls need a handle or a list, which only exist after one of those succeeded.
 * lms_curl_load() loads it up front and says why when it cannot.
 *
 * The library is looked up as "libcurl.so.4" (libcurl's ABI since 7.16) in the dynamic
 * loader's usual places, or at the path in LMSCTL_LIBCURL when that is set (tests use it to
 * simulate a missing library). It is never unloaded, and it is started (curl_global_init) once
 * by the loading thread, under a pthread_once, for the life of the process. */
#ifndef LMS_AWS_CURL_LOADER_H
#define LMS_AWS_CURL_LOADER_H

#include <stdbool.h>
#include <time.h>

#include <curl/curl.h>

#include "common/error.h"

#define LMS_LIBCURL_SONAME "libcurl.so.4"

/* The functions of libcurl the program uses, resolved from the loaded library. */
typedef struct lms_curl_api {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *h);
	void (*easy_reset)(CURL *h);
	CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	CURLcode (*easy_perform)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	time_t (*getdate)(const char *date, const time_t *unused);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
} lms_curl_api;

/* Filled by a successful lms_curl_load(); NULL pointers before. */
extern lms_curl_api lms_curl_fn;

/* Loads libcurl once per process (thread-safe). False, with a message that names the library
 * and the package that provides it, when it cannot be loaded or lacks a function. */
bool lms_curl_load(lms_error *err);

/* The entry points that may come first: they load the library. */
CURLcode lms_curl_global_init(long flags);
void lms_curl_global_cleanup(void);
CURL *lms_curl_easy_init(void);
struct curl_slist *lms_curl_slist_append(struct curl_slist *list, const char *s);
void lms_curl_slist_free_all(struct curl_slist *list);
const char *lms_curl_easy_strerror(CURLcode code);
time_t lms_curl_getdate(const char *date, const time_t *unused);

#ifndef LMS_CURL_LOADER_IMPL
/* curl.h may define these as type-checking macros (typecheck-gcc.h) */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init lms_curl_global_init
#define curl_global_cleanup lms_curl_global_cleanup
#define curl_easy_init lms_curl_easy_init
#define curl_slist_append lms_curl_slist_append
#define curl_slist_free_all lms_curl_slist_free_all
#define curl_easy_strerror lms_curl_easy_strerror
#define curl_getdate lms_curl_getdate
#define curl_easy_cleanup (*lms_curl_fn.easy_cleanup)
#define curl_easy_reset (*lms_curl_fn.easy_reset)
#define curl_easy_setopt (*lms_curl_fn.easy_setopt)
#define curl_easy_getinfo (*lms_curl_fn.easy_getinfo)
#define curl_easy_perform (*lms_curl_fn.easy_perform)
#endif

#endif
