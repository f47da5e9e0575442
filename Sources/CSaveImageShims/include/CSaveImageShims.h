#ifndef CSAVEIMAGE_SHIMS_H
#define CSAVEIMAGE_SHIMS_H
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include "LazyLibraries.h"

/// copy_file_range(2); returns bytes copied or -1 with errno set.
ssize_t saveimg_copy_file_range(int fd_in, int64_t *off_in, int fd_out, int64_t *off_out, size_t len, unsigned int flags);
/// The FALLOC_FL_INSERT_RANGE constant (0 where the headers lack it).
int saveimg_falloc_fl_insert_range(void);
/// The FALLOC_FL_KEEP_SIZE constant.
int saveimg_falloc_fl_keep_size(void);
/// ioctl(FICLONERANGE): clone a range between files (reflink); -1 with errno where unsupported.
int saveimg_clone_range(int src_fd, uint64_t src_offset, uint64_t length, int dest_fd, uint64_t dest_offset);
/// sync_file_range(SYNC_FILE_RANGE_WRITE): starts writeback of a range without waiting; -1 with errno set.
int saveimg_start_writeback(int fd, int64_t offset, int64_t length);
/// The O_DIRECT open flag (needs _GNU_SOURCE, which Swift's Glibc module does not define).
int saveimg_o_direct(void);
/// errno of the calling thread.
int saveimg_errno(void);

/// lseek(SEEK_DATA) / lseek(SEEK_HOLE); -1 with errno set (ENXIO: no data after offset).
int64_t saveimg_seek_data(int fd, int64_t offset);
int64_t saveimg_seek_hole(int fd, int64_t offset);
/// flistxattr/fgetxattr/fsetxattr (sys/xattr.h); -1 with errno set.
ssize_t saveimg_flistxattr(int fd, char *list, size_t size);
ssize_t saveimg_fgetxattr(int fd, const char *name, void *value, size_t size);
int saveimg_fsetxattr(int fd, const char *name, const void *value, size_t size);

/// Registers `path` to be unlinked if SIGINT/SIGTERM/SIGHUP arrives (then the signal proceeds); -1 if too long.
int saveimg_cleanup_arm(const char *path);
/// Stops removing the registered path on a signal.
void saveimg_cleanup_disarm(void);
/// Blocks SIGINT, SIGTERM and SIGHUP on the calling thread until saveimg_cleanup_release:
/// held across creating a temporary file and arming its removal, a signal in between is
/// delivered (and the file removed) once released, instead of leaving the file behind.
void saveimg_cleanup_hold(void);
/// Restores the signal mask saveimg_cleanup_hold saved.
void saveimg_cleanup_release(void);


/// fallocate(2) (sparse output punches holes); returns 0 or -1 with errno set.
int saveimg_fallocate(int fd, int mode, int64_t offset, int64_t len);

#endif
