// OpenSSL's libcrypto (Debian libssl-dev): only the EVP digest API is used,
// for the SHA-256 of the raw stream (check --deep, seal).
#include <openssl/evp.h>
