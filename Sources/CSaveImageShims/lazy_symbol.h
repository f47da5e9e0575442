// One symbol of a library opened with dlopen on first use (lazy_libraries.c,
// libvirt_client.c): its address, or NULL with *error set to `missing` (the
// first missing symbol's message is kept).
#ifndef SAVEIMG_LAZY_SYMBOL_H
#define SAVEIMG_LAZY_SYMBOL_H
void *saveimg_lazy_symbol(void *library, const char *name, const char *missing, const char **error);
#endif
