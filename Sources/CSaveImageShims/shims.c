#define _GNU_SOURCE
#include "CSaveImageShims.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <linux/falloc.h>
#include <sys/xattr.h>

ssize_t saveimg_copy_file_range(int fd_in, int64_t *off_in, int fd_out, int64_t *off_out, size_t len, unsigned int flags) {
    loff_t in = off_in ? (loff_t)*off_in : 0;
    loff_t out = off_out ? (loff_t)*off_out : 0;
    ssize_t n = copy_file_range(fd_in, off_in ? &in : NULL, fd_out, off_out ? &out : NULL, len, flags);
    if (off_in) *off_in = (int64_t)in;
    if (off_out) *off_out = (int64_t)out;
    return n;
}

int saveimg_falloc_fl_insert_range(void) {
#ifdef FALLOC_FL_INSERT_RANGE
    return FALLOC_FL_INSERT_RANGE;
#else
    return 0;
#endif
}

int saveimg_falloc_fl_keep_size(void) { return FALLOC_FL_KEEP_SIZE; }

int saveimg_clone_range(int src_fd, uint64_t src_offset, uint64_t length, int dest_fd, uint64_t dest_offset) {
#ifdef FICLONERANGE
    struct file_clone_range r = { .src_fd = src_fd, .src_offset = src_offset, .src_length = length, .dest_offset = dest_offset };
    return ioctl(dest_fd, FICLONERANGE, &r);
#else
    errno = EOPNOTSUPP;
    return -1;
#endif
}

int saveimg_errno(void) { return errno; }

int64_t saveimg_seek_data(int fd, int64_t offset) { return (int64_t)lseek(fd, (off_t)offset, SEEK_DATA); }
int64_t saveimg_seek_hole(int fd, int64_t offset) { return (int64_t)lseek(fd, (off_t)offset, SEEK_HOLE); }

ssize_t saveimg_flistxattr(int fd, char *list, size_t size) { return flistxattr(fd, list, size); }
ssize_t saveimg_fgetxattr(int fd, const char *name, void *value, size_t size) { return fgetxattr(fd, name, value, size); }
int saveimg_fsetxattr(int fd, const char *name, const void *value, size_t size) { return fsetxattr(fd, name, value, size, 0); }

int saveimg_start_writeback(int fd, int64_t offset, int64_t length) {
    return sync_file_range(fd, (off64_t)offset, (off64_t)length, SYNC_FILE_RANGE_WRITE);
}

int saveimg_fallocate(int fd, int mode, int64_t offset, int64_t len) {
    return fallocate(fd, mode, (off_t)offset, (off_t)len);
}

int saveimg_o_direct(void) {
    return O_DIRECT;
}
