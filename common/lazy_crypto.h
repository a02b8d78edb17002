/* lazy_crypto: OpenSSL's libcrypto, loaded on first use instead of at start-up.
 *
 * The program hashes and signs only for AWS calls and for the console's template digest;
 * the offline commands (validate, generate, render, report, params, init) never do, yet
 * linking libcrypto made every start of the program load and relocate it (about 1 ms of CPU,
 * a tenth of `validate`). The program is therefore not linked with libcrypto; its headers
 * are still used (CRYPTO_CFLAGS) and the library is opened with dlopen on the first call.
 *
 * Include this header after the OpenSSL headers a file needs: the few OpenSSL functions the
 * program calls are redirected to wrappers that load the library on their first call (under
 * a pthread_once) and fail as the function fails when it cannot be loaded (0 or NULL), so
 * every caller's existing error path reports it. OPENSSL_cleanse needs no library: it is
 * explicit_bzero. The library is looked up by the soname of the OpenSSL the program was built
 * against, or at the path in LMSCTL_LIBCRYPTO when that is set (tests use it to simulate a
 * missing library); it is never unloaded. */
#ifndef LMS_COMMON_LAZY_CRYPTO_H
#define LMS_COMMON_LAZY_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <openssl/rand.h>

#include "common/error.h"

/* The library the headers belong to: its soname follows OpenSSL's major version since 3.0
 * (libcrypto.so.3), and was libcrypto.so.1.1 before. */
#define LMS_CRYPTO_STR2(x) #x
#define LMS_CRYPTO_STR(x) LMS_CRYPTO_STR2(x)
#if defined(OPENSSL_VERSION_MAJOR) && OPENSSL_VERSION_MAJOR >= 3
#define LMS_LIBCRYPTO_SONAME "libcrypto.so." LMS_CRYPTO_STR(OPENSSL_VERSION_MAJOR)
#else
#define LMS_LIBCRYPTO_SONAME "libcrypto.so.1.1"
#endif

/* Loads libcrypto once per process (thread-safe); false, with a message naming the library
 * and its Debian package, when it cannot. The wrappers below call it. */
bool lms_crypto_load(lms_error *err);

int lms_EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
                   const EVP_MD *type, ENGINE *impl);
const EVP_MD *lms_EVP_sha256(void);
const EVP_MD *lms_EVP_md5(void);
const EVP_MD *lms_EVP_sha1(void); /* the AWS CLI's SSO token cache names files by SHA-1 */
int lms_EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n);
unsigned char *lms_HMAC(const EVP_MD *evp_md, const void *key, int key_len, const unsigned char *d,
                        size_t n, unsigned char *md, unsigned int *md_len);
int lms_RAND_bytes(unsigned char *buf, int num);
void lms_OPENSSL_cleanse(void *ptr, size_t len);

#ifndef LMS_LAZY_CRYPTO_IMPL
#undef EVP_Digest
#undef EVP_sha256
#undef EVP_md5
#undef EVP_sha1
#undef EVP_EncodeBlock
#undef HMAC
#undef RAND_bytes
#undef OPENSSL_cleanse
#define EVP_Digest lms_EVP_Digest
#define EVP_sha256 lms_EVP_sha256
#define EVP_md5 lms_EVP_md5
#define EVP_sha1 lms_EVP_sha1
#define EVP_EncodeBlock lms_EVP_EncodeBlock
#define HMAC lms_HMAC
#define RAND_bytes lms_RAND_bytes
#define OPENSSL_cleanse lms_OPENSSL_cleanse
#endif

#endif
