#ifndef CSAVEIMAGE_LAZY_LIBRARIES_H
#define CSAVEIMAGE_LAZY_LIBRARIES_H
#include <stdint.h>
#include <stddef.h>

// ISA-L (libisal.so.2) and OpenSSL's libcrypto (libcrypto.so.3) are loaded
// with dlopen on first use, not at process start: linked normally they cost
// about half of `saveimg inspect`'s start-up in the dynamic loader (symbol
// relocations), and only gzip conversion and check --deep / seal need them.
// Each *_load() returns NULL when the library is ready, else dlerror()'s text.

const char *saveimg_isal_load(void);
/// A raw-deflate compressor at ISA-L level 1-3; NULL if out of memory or the level is invalid.
void *saveimg_isal_deflater_new(int level);
void saveimg_isal_deflater_free(void *deflater);
/// Compresses `in` as one raw-deflate piece primed with `dict`: byte-aligned
/// (sync flush) unless `last`, which ends the deflate stream. Returns 0, or
/// ISA-L's status (negative), or 1 if ISA-L stopped early (output too small).
int saveimg_isal_deflate_block(void *deflater, const uint8_t *dict, uint32_t dict_len, const uint8_t *in,
                               uint32_t in_len, uint8_t *out, uint32_t out_capacity, int last, uint32_t *produced);
/// CRC-32 as gzip's trailer has it (crc32_gzip_refl).
uint32_t saveimg_isal_crc32(uint32_t crc, const uint8_t *data, uint64_t length);

/// isal_inflate's statuses (igzip_lib.h; checked against it in lazy_libraries.c).
enum {
    SAVEIMG_ISAL_DECOMP_OK = 0, SAVEIMG_ISAL_END_INPUT = 1, SAVEIMG_ISAL_OUT_OVERFLOW = 2, SAVEIMG_ISAL_NEED_DICT = 6,
    SAVEIMG_ISAL_INVALID_BLOCK = -1, SAVEIMG_ISAL_INVALID_SYMBOL = -2, SAVEIMG_ISAL_INVALID_LOOKBACK = -3,
    SAVEIMG_ISAL_INVALID_WRAPPER = -4, SAVEIMG_ISAL_UNSUPPORTED_METHOD = -5, SAVEIMG_ISAL_INCORRECT_CHECKSUM = -6,
};

/// A gzip-member inflater (header parsed, CRC-32 and length checked); NULL if out of memory.
void *saveimg_isal_inflater_new(void);
void saveimg_isal_inflater_free(void *inflater);
/// Starts a new gzip member.
void saveimg_isal_inflater_reset(void *inflater);
/// One isal_inflate call; advances the pointers and counts; sets *finished
/// when the member (trailer included) is complete. Returns ISA-L's status.
int saveimg_isal_inflate(void *inflater, const uint8_t **next_in, uint32_t *avail_in, uint8_t **next_out,
                         uint32_t *avail_out, int *finished);

const char *saveimg_crypto_load(void);
/// An EVP SHA-256 context (EVP_MD_CTX_new + EVP_DigestInit_ex(EVP_sha256())); NULL on failure.
void *saveimg_sha256_new(void);
/// 1 on success (EVP_DigestUpdate).
int saveimg_sha256_update(void *context, const void *data, size_t length);
/// 1 on success; writes 32 bytes (EVP_DigestFinal_ex).
int saveimg_sha256_final(void *context, uint8_t *digest);
void saveimg_sha256_free(void *context);

// libvirt's client library (libvirt.so.0; libvirt_client.c): this machine as a
// target, asked through libvirt's API instead of one `virsh` process per
// question. Strings returned are malloc'ed (release them with free()); NULL
// means libvirt is absent or did not answer (its errors are not printed).

const char *saveimg_libvirt_load(void);
/// virGetVersion: the client library's version (major * 1,000,000 + minor * 1,000 + micro); 0 if absent.
unsigned long saveimg_libvirt_client_version(void);
/// virConnectOpen(NULL): the default URI, as virsh chooses it (LIBVIRT_DEFAULT_URI, libvirt.conf, probing).
void *saveimg_libvirt_connect(void);
void saveimg_libvirt_disconnect(void *connection);
/// virConnectGetCapabilities.
char *saveimg_libvirt_capabilities(void *connection);
/// virConnectGetDomainCapabilities for one virt type, arch and machine (the default emulator).
char *saveimg_libvirt_domain_capabilities(void *connection, const char *arch, const char *machine,
                                          const char *virt_type);
/// virConnectGetLibVersion (the daemon's libvirt) and virConnectGetVersion (its hypervisor); 0 on success.
int saveimg_libvirt_versions(void *connection, unsigned long *library, unsigned long *hypervisor);
/// virConnectGetURI.
char *saveimg_libvirt_uri(void *connection);

#endif
