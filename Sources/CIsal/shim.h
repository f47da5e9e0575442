#include <isa-l/igzip_lib.h>
#include <isa-l/crc.h>

/* The level buffer sizes are macro expressions Swift does not import. */
static inline uint32_t saveimg_isal_level_buffer_size(int level) {
    switch (level) {
    case 1: return ISAL_DEF_LVL1_DEFAULT;
    case 2: return ISAL_DEF_LVL2_DEFAULT;
    case 3: return ISAL_DEF_LVL3_DEFAULT;
    default: return 0;
    }
}

/* The compression state after isal_deflate (the enum lives in an internal struct). */
static inline int saveimg_isal_deflate_state(const struct isal_zstream *stream) {
    return (int)stream->internal_state.state;
}
