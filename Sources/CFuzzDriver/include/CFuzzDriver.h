#ifndef CFUZZDRIVER_H
#define CFUZZDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver entry point (FuzzerMain.cpp / FuzzerDriver.cpp), linked
/// in by `-sanitize=fuzzer`. Declared here because no header ships it; only
/// the saveimg-fuzz target calls it, and only when built with -DSAVEIMG_FUZZ.
int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*UserCb)(const uint8_t *Data, size_t Size));

/// The stream harness's landmarks of `s[0..<n]` (see stream_landmarks.c):
/// `sections` must hold `n` entries, `records` `max_records`; `last_brace`
/// gets the offset of the last '{' or -1.
void saveimg_fuzz_stream_landmarks(const uint8_t *s, size_t n,
                                   size_t *sections, size_t *section_count,
                                   size_t *records, size_t max_records, size_t *record_count,
                                   ptrdiff_t *last_brace);

/// Keeps freed buffers of up to 256 MiB in the heap instead of unmapping
/// them (glibc's mallopt M_MMAP_THRESHOLD and M_TRIM_THRESHOLD): the
/// harnesses allocate and free buffers of about 1 MiB per input, each of
/// which would otherwise cost a page fault per 4 KiB touched.
void saveimg_fuzz_keep_freed_buffers(void);

#endif
