/* lazy_crypto: libcrypto through dlopen on first use (see lazy_crypto.h). */
#define _DEFAULT_SOURCE /* explicit_bzero */
#define LMS_LAZY_CRYPTO_IMPL
#include "common/lazy_crypto.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	int (*digest)(const void *, size_t, unsigned char *, unsigned int *, const EVP_MD *,
	              ENGINE *);
	const EVP_MD *(*sha256)(void);
	const EVP_MD *(*md5)(void);
	const EVP_MD *(*sha1)(void);
	int (*encode_block)(unsigned char *, const unsigned char *, int);
	unsigned char *(*hmac)(const EVP_MD *, const void *, int, const unsigned char *, size_t,
	                       unsigned char *, unsigned int *);
	int (*rand_bytes)(unsigned char *, int);
} fn;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static bool load_ok;
static char load_error[512];

static bool resolve(void *lib, const char *path, const char *name, void *field, size_t size)
{
	void *sym = dlsym(lib, name);
	if (!sym) {
		snprintf(load_error, sizeof load_error, "%s lacks %s", path, name);
		return false;
	}
	/* dlsym returns a data pointer; POSIX guarantees it converts to a function pointer */
	memcpy(field, &sym, size);
	return true;
}

static void load(void)
{
	const char *path = getenv("LMSCTL_LIBCRYPTO");
	if (!path || !path[0])
		path = LMS_LIBCRYPTO_SONAME;
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		snprintf(
		    load_error, sizeof load_error,
		    "cannot load %s (%s): signing and hashing need OpenSSL's libcrypto; install "
		    "the Debian package libssl3 (apt-get install libssl3)",
		    path, why ? why : "unknown error");
		return;
	}
	load_ok = resolve(lib, path, "EVP_Digest", &fn.digest, sizeof fn.digest) &&
	          resolve(lib, path, "EVP_sha256", &fn.sha256, sizeof fn.sha256) &&
	          resolve(lib, path, "EVP_md5", &fn.md5, sizeof fn.md5) &&
	          resolve(lib, path, "EVP_sha1", &fn.sha1, sizeof fn.sha1) &&
	          resolve(lib, path, "EVP_EncodeBlock", &fn.encode_block, sizeof fn.encode_block) &&
	          resolve(lib, path, "HMAC", &fn.hmac, sizeof fn.hmac) &&
	          resolve(lib, path, "RAND_bytes", &fn.rand_bytes, sizeof fn.rand_bytes);
}

bool lms_crypto_load(lms_error *err)
{
	pthread_once(&load_once, load);
	if (!load_ok && err)
		lms_error_set(err, NULL, 0, 0, "%s", load_error);
	return load_ok;
}

int lms_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
                   const EVP_MD *type, ENGINE *impl)
{
	return type && lms_crypto_load(NULL) ? fn.digest(data, count, md, size, type, impl) : 0;
}

const EVP_MD *lms_EVP_sha256(void)
{
	return lms_crypto_load(NULL) ? fn.sha256() : NULL;
}

const EVP_MD *lms_EVP_md5(void)
{
	return lms_crypto_load(NULL) ? fn.md5() : NULL;
}

const EVP_MD *lms_EVP_sha1(void)
{
	return lms_crypto_load(NULL) ? fn.sha1() : NULL;
}

int lms_EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n)
{
	return lms_crypto_load(NULL) ? fn.encode_block(t, f, n) : 0;
}

unsigned char *lms_HMAC(const EVP_MD *evp_md, const void *key, int key_len, const unsigned char *d,
                        size_t n, unsigned char *md, unsigned int *md_len)
{
	return evp_md && lms_crypto_load(NULL) ? fn.hmac(evp_md, key, key_len, d, n, md, md_len)
	                                       : NULL;
}

int lms_RAND_bytes(unsigned char *buf, int num)
{
	return lms_crypto_load(NULL) ? fn.rand_bytes(buf, num) : 0;
}

void lms_OPENSSL_cleanse(void *ptr, size_t len)
{
	if (ptr && len)
		explicit_bzero(ptr, len);
}
