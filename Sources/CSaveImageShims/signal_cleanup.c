// Removes one registered temporary file when SIGINT, SIGTERM or SIGHUP
// arrives, then lets the signal end the process as it would have. Only
// async-signal-safe calls (unlink, sigaction, raise) run in the handler.
#include "CSaveImageShims.h"
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>

static char cleanup_path[4096];
static volatile sig_atomic_t cleanup_armed = 0;

static void cleanup_handler(int sig) {
    if (cleanup_armed) unlink(cleanup_path);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

int saveimg_cleanup_arm(const char *path) {
    size_t n = strlen(path);
    if (n >= sizeof cleanup_path) return -1;
    cleanup_armed = 0;
    memcpy(cleanup_path, path, n + 1);
    cleanup_armed = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cleanup_handler;
    sigemptyset(&sa.sa_mask);
    /* A signal the caller ignores (nohup, `trap '' INT`) stays ignored. */
    int signals[] = { SIGINT, SIGTERM, SIGHUP };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction current;
        if (sigaction(signals[i], NULL, &current) == 0 && current.sa_handler == SIG_IGN) continue;
        sigaction(signals[i], &sa, NULL);
    }
    return 0;
}

void saveimg_cleanup_disarm(void) { cleanup_armed = 0; }

static sigset_t held_mask;

void saveimg_cleanup_hold(void) {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &held_mask);
}

void saveimg_cleanup_release(void) { pthread_sigmask(SIG_SETMASK, &held_mask, NULL); }
