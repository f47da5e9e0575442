#define _GNU_SOURCE
#include "CSaveImageShims.h"
#include <fcntl.h>

int saveimg_start_writeback(int fd, int64_t offset, int64_t len) {
    return sync_file_range(fd, (off64_t)offset, (off64_t)len, SYNC_FILE_RANGE_WRITE);
}
