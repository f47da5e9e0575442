#define _GNU_SOURCE
#include "LazyLibraries.h"
#include "lazy_symbol.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <isa-l/igzip_lib.h>
#include <isa-l/crc.h>
#include <openssl/evp.h>

_Static_assert(SAVEIMG_ISAL_DECOMP_OK == ISAL_DECOMP_OK && SAVEIMG_ISAL_END_INPUT == ISAL_END_INPUT
               && SAVEIMG_ISAL_OUT_OVERFLOW == ISAL_OUT_OVERFLOW && SAVEIMG_ISAL_NEED_DICT == ISAL_NEED_DICT
               && SAVEIMG_ISAL_INVALID_BLOCK == ISAL_INVALID_BLOCK && SAVEIMG_ISAL_INVALID_SYMBOL == ISAL_INVALID_SYMBOL
               && SAVEIMG_ISAL_INVALID_LOOKBACK == ISAL_INVALID_LOOKBACK
               && SAVEIMG_ISAL_INVALID_WRAPPER == ISAL_INVALID_WRAPPER
               && SAVEIMG_ISAL_UNSUPPORTED_METHOD == ISAL_UNSUPPORTED_METHOD
               && SAVEIMG_ISAL_INCORRECT_CHECKSUM == ISAL_INCORRECT_CHECKSUM, "ISA-L statuses");

// ---- ISA-L ---------------------------------------------------------------

static struct {
    void (*deflate_init)(struct isal_zstream *);
    void (*deflate_reset)(struct isal_zstream *);
    int (*deflate_set_dict)(struct isal_zstream *, uint8_t *, uint32_t);
    int (*deflate)(struct isal_zstream *);
    void (*inflate_init)(struct inflate_state *);
    int (*inflate)(struct inflate_state *);
    uint32_t (*crc32_gzip_refl)(uint32_t, const unsigned char *, uint64_t);
} isal;
static const char *isal_error = "libisal.so.2 not loaded";
static pthread_once_t isal_once = PTHREAD_ONCE_INIT;

void *saveimg_lazy_symbol(void *library, const char *name, const char *missing, const char **error) {
    void *address = dlsym(library, name);
    if (!address && !*error) *error = missing;
    return address;
}

static void *symbol(void *library, const char *name, const char **error) {
    return saveimg_lazy_symbol(library, name, "a symbol is missing from the library", error);
}

static void isal_open(void) {
    void *library = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!library) { isal_error = dlerror(); return; }
    const char *error = NULL;
    isal.deflate_init = symbol(library, "isal_deflate_init", &error);
    isal.deflate_reset = symbol(library, "isal_deflate_reset", &error);
    isal.deflate_set_dict = symbol(library, "isal_deflate_set_dict", &error);
    isal.deflate = symbol(library, "isal_deflate", &error);
    isal.inflate_init = symbol(library, "isal_inflate_init", &error);
    isal.inflate = symbol(library, "isal_inflate", &error);
    isal.crc32_gzip_refl = symbol(library, "crc32_gzip_refl", &error);
    isal_error = error;
}

const char *saveimg_isal_load(void) {
    pthread_once(&isal_once, isal_open);
    return isal_error;
}

struct deflater { struct isal_zstream stream; uint8_t *level_buffer; uint32_t level_buffer_size; uint32_t level; };

void *saveimg_isal_deflater_new(int level) {
    if (saveimg_isal_load()) return NULL;
    uint32_t size = level == 1 ? ISAL_DEF_LVL1_DEFAULT : level == 2 ? ISAL_DEF_LVL2_DEFAULT
        : level == 3 ? ISAL_DEF_LVL3_DEFAULT : 0;
    if (size == 0) return NULL;
    struct deflater *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->level_buffer = malloc(size);
    if (!d->level_buffer) { free(d); return NULL; }
    d->level_buffer_size = size;
    d->level = (uint32_t)level;
    isal.deflate_init(&d->stream);
    return d;
}

void saveimg_isal_deflater_free(void *deflater) {
    struct deflater *d = deflater;
    if (!d) return;
    free(d->level_buffer);
    free(d);
}

int saveimg_isal_deflate_block(void *deflater, const uint8_t *dict, uint32_t dict_len, const uint8_t *in,
                               uint32_t in_len, uint8_t *out, uint32_t out_capacity, int last, uint32_t *produced) {
    struct deflater *d = deflater;
    struct isal_zstream *s = &d->stream;
    *produced = 0;
    isal.deflate_reset(s);
    s->level = d->level;
    s->level_buf = d->level_buffer;
    s->level_buf_size = d->level_buffer_size;
    s->gzip_flag = IGZIP_DEFLATE;
    s->flush = last ? NO_FLUSH : SYNC_FLUSH;
    s->end_of_stream = last ? 1 : 0;
    if (dict_len > 0) {
        int status = isal.deflate_set_dict(s, (uint8_t *)dict, dict_len);
        if (status != COMP_OK) return status;
    }
    s->next_in = (uint8_t *)in;
    s->avail_in = in_len;
    s->next_out = out;
    s->avail_out = out_capacity;
    int status = isal.deflate(s);
    *produced = out_capacity - s->avail_out;
    if (status != COMP_OK) return status;
    int complete = last ? s->internal_state.state == ZSTATE_END : s->internal_state.state == ZSTATE_NEW_HDR;
    return (s->avail_in == 0 && complete) ? 0 : 1;
}

uint32_t saveimg_isal_crc32(uint32_t crc, const uint8_t *data, uint64_t length) {
    if (saveimg_isal_load()) return 0;
    return isal.crc32_gzip_refl(crc, data, length);
}

void *saveimg_isal_inflater_new(void) {
    if (saveimg_isal_load()) return NULL;
    struct inflate_state *state = calloc(1, sizeof *state);
    if (state) saveimg_isal_inflater_reset(state);
    return state;
}

void saveimg_isal_inflater_free(void *inflater) { free(inflater); }

void saveimg_isal_inflater_reset(void *inflater) {
    struct inflate_state *state = inflater;
    isal.inflate_init(state);
    state->crc_flag = ISAL_GZIP;
}

int saveimg_isal_inflate(void *inflater, const uint8_t **next_in, uint32_t *avail_in, uint8_t **next_out,
                         uint32_t *avail_out, int *finished) {
    struct inflate_state *state = inflater;
    state->next_in = (uint8_t *)*next_in;
    state->avail_in = *avail_in;
    state->next_out = *next_out;
    state->avail_out = *avail_out;
    int status = isal.inflate(state);
    *next_in = state->next_in;
    *avail_in = state->avail_in;
    *next_out = state->next_out;
    *avail_out = state->avail_out;
    *finished = state->block_state == ISAL_BLOCK_FINISH;
    return status;
}

// ---- libcrypto -------------------------------------------------------------

static struct {
    EVP_MD_CTX *(*ctx_new)(void);
    void (*ctx_free)(EVP_MD_CTX *);
    const EVP_MD *(*sha256)(void);
    int (*init)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
    int (*update)(EVP_MD_CTX *, const void *, size_t);
    int (*final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
} crypto;
static const char *crypto_error = "libcrypto.so.3 not loaded";
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void crypto_open(void) {
    void *library = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!library) { crypto_error = dlerror(); return; }
    const char *error = NULL;
    crypto.ctx_new = symbol(library, "EVP_MD_CTX_new", &error);
    crypto.ctx_free = symbol(library, "EVP_MD_CTX_free", &error);
    crypto.sha256 = symbol(library, "EVP_sha256", &error);
    crypto.init = symbol(library, "EVP_DigestInit_ex", &error);
    crypto.update = symbol(library, "EVP_DigestUpdate", &error);
    crypto.final = symbol(library, "EVP_DigestFinal_ex", &error);
    crypto_error = error;
}

const char *saveimg_crypto_load(void) {
    pthread_once(&crypto_once, crypto_open);
    return crypto_error;
}

void *saveimg_sha256_new(void) {
    if (saveimg_crypto_load()) return NULL;
    EVP_MD_CTX *context = crypto.ctx_new();
    if (!context) return NULL;
    if (crypto.init(context, crypto.sha256(), NULL) != 1) { crypto.ctx_free(context); return NULL; }
    return context;
}

int saveimg_sha256_update(void *context, const void *data, size_t length) {
    return crypto.update(context, data, length);
}

int saveimg_sha256_final(void *context, uint8_t *digest) {
    unsigned int length = 0;
    int status = crypto.final(context, digest, &length);
    return status == 1 && length == 32;
}

void saveimg_sha256_free(void *context) {
    if (context) crypto.ctx_free(context);
}
