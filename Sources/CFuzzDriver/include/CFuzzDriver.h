#ifndef CFUZZDRIVER_H
#define CFUZZDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver entry point (FuzzerMain.cpp / FuzzerDriver.cpp), linked
/// in by `-sanitize=fuzzer`. Declared here because no header ships it; only
/// the saveimg-fuzz target calls it, and only when built with -DSAVEIMG_FUZZ.
int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
