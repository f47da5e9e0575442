// The fuzz driver's heap setting (see CFuzzDriver.h).
#include <malloc.h>
#include "CFuzzDriver.h"

void saveimg_fuzz_keep_freed_buffers(void) {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
}
