#define _GNU_SOURCE
#include "LazyLibraries.h"
#include "lazy_symbol.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

// libvirt's client library (libvirt.so.0), loaded with dlopen on first use
// like libcrypto and ISA-L: no link-time dependency, and a machine without
// libvirt runs saveimg as before. Only the entry points below are used; their
// prototypes are libvirt's public API (libvirt-host.h, libvirt-domain.h,
// virterror.h), declared here with opaque pointers so no libvirt headers are
// needed to build.

typedef void (*saveimg_vir_error_func)(void *user_data, void *error);

static struct {
    int (*get_version)(unsigned long *library, const char *type, unsigned long *type_version);
    void (*set_error_func)(void *user_data, saveimg_vir_error_func handler);
    void *(*open)(const char *uri);
    int (*close)(void *connection);
    char *(*capabilities)(void *connection);
    char *(*domain_capabilities)(void *connection, const char *emulator, const char *arch, const char *machine,
                                 const char *virt_type, unsigned int flags);
    int (*hypervisor_version)(void *connection, unsigned long *version);
    int (*library_version)(void *connection, unsigned long *version);
    char *(*uri)(void *connection);
} libvirt;
static const char *libvirt_error = "libvirt.so.0 not loaded";
static pthread_once_t libvirt_once = PTHREAD_ONCE_INIT;

// libvirt's default handler prints every error on standard error ("libvirt:
// error : ..."); a failed lookup is an answer here (no daemon), not a message.
static void quiet(void *user_data, void *error) { (void)user_data; (void)error; }

static void *libvirt_symbol(void *library, const char *name, const char **error) {
    return saveimg_lazy_symbol(library, name, "a symbol is missing from libvirt.so.0", error);
}

static void libvirt_open(void) {
    void *library = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!library) { libvirt_error = dlerror(); return; }
    const char *error = NULL;
    libvirt.get_version = libvirt_symbol(library, "virGetVersion", &error);
    libvirt.set_error_func = libvirt_symbol(library, "virSetErrorFunc", &error);
    libvirt.open = libvirt_symbol(library, "virConnectOpen", &error);
    libvirt.close = libvirt_symbol(library, "virConnectClose", &error);
    libvirt.capabilities = libvirt_symbol(library, "virConnectGetCapabilities", &error);
    libvirt.domain_capabilities = libvirt_symbol(library, "virConnectGetDomainCapabilities", &error);
    libvirt.hypervisor_version = libvirt_symbol(library, "virConnectGetVersion", &error);
    libvirt.library_version = libvirt_symbol(library, "virConnectGetLibVersion", &error);
    libvirt.uri = libvirt_symbol(library, "virConnectGetURI", &error);
    if (!error) libvirt.set_error_func(NULL, quiet);
    libvirt_error = error;
}

const char *saveimg_libvirt_load(void) {
    pthread_once(&libvirt_once, libvirt_open);
    return libvirt_error;
}

unsigned long saveimg_libvirt_client_version(void) {
    unsigned long version = 0;
    if (saveimg_libvirt_load() || libvirt.get_version(&version, NULL, NULL) != 0) return 0;
    return version;
}

void *saveimg_libvirt_connect(void) {
    if (saveimg_libvirt_load()) return NULL;
    return libvirt.open(NULL);
}

void saveimg_libvirt_disconnect(void *connection) {
    if (connection && !saveimg_libvirt_load()) libvirt.close(connection);
}

char *saveimg_libvirt_capabilities(void *connection) {
    if (!connection || saveimg_libvirt_load()) return NULL;
    return libvirt.capabilities(connection);
}

char *saveimg_libvirt_domain_capabilities(void *connection, const char *arch, const char *machine,
                                          const char *virt_type) {
    if (!connection || saveimg_libvirt_load()) return NULL;
    return libvirt.domain_capabilities(connection, NULL, arch, machine, virt_type, 0);
}

int saveimg_libvirt_versions(void *connection, unsigned long *library, unsigned long *hypervisor) {
    if (!connection || saveimg_libvirt_load()) return -1;
    if (libvirt.library_version(connection, library) != 0) return -1;
    if (libvirt.hypervisor_version(connection, hypervisor) != 0) return -1;
    return 0;
}

char *saveimg_libvirt_uri(void *connection) {
    if (!connection || saveimg_libvirt_load()) return NULL;
    return libvirt.uri(connection);
}
