//! Copying file contents: copy_file_range, sendfile, SEEK_DATA/SEEK_HOLE, and the fd-based
//! metadata calls a copy ends with (ftruncate, futimens, fchmod, fchown).

use std::os::fd::RawFd;

use super::cvt::{cvt, cvt_r, Errno, SysResult};

/// `copy_file_range(2)` — copies up to `len` bytes from `fd_in` at `*off_in` to `fd_out`
/// at `*off_out` inside the kernel, advancing both offsets; 0 at the end of the input
/// (and, on procfs, sysfs and some overlayfs setups, at offset 0 of a non-empty file).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/copy_file_range.2.html>
pub fn copy_file_range(
    fd_in: RawFd,
    off_in: &mut i64,
    fd_out: RawFd,
    off_out: &mut i64,
    len: usize,
) -> SysResult<usize> {
    // SAFETY: both offsets are valid, exclusive `loff_t` pointers for the call.
    let n = cvt_r(|| unsafe { libc::copy_file_range(fd_in, off_in, fd_out, off_out, len, 0) })?;
    Ok(n as usize)
}

/// `sendfile(2)` — copies up to `count` bytes from `in_fd` at `*offset` (advanced) to
/// `out_fd` at its file position (advanced). Linux moves at most 0x7ffff000 bytes a call.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/sendfile.2.html>
pub fn sendfile(out_fd: RawFd, in_fd: RawFd, offset: &mut i64, count: usize) -> SysResult<usize> {
    // SAFETY: `offset` is a valid, exclusive `off_t` pointer for the call.
    let n = cvt_r(|| unsafe { libc::sendfile(out_fd, in_fd, offset, count) })?;
    Ok(n as usize)
}

/// `lseek(2)` with `SEEK_DATA` — the start of the first data region at or after `offset`;
/// `None` when only a hole follows up to the end of the file (`ENXIO`).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/lseek.2.html>
pub fn seek_data(fd: RawFd, offset: i64) -> SysResult<Option<i64>> {
    // SAFETY: lseek only reads its integer arguments.
    match cvt(unsafe { libc::lseek(fd, offset, libc::SEEK_DATA) }) {
        Ok(at) => Ok(Some(at)),
        Err(Errno(libc::ENXIO)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `lseek(2)` with `SEEK_HOLE` — the start of the first hole at or after `offset` (the end
/// of the file counts as a hole).
pub fn seek_hole(fd: RawFd, offset: i64) -> SysResult<i64> {
    // SAFETY: lseek only reads its integer arguments.
    cvt(unsafe { libc::lseek(fd, offset, libc::SEEK_HOLE) })
}

/// `ftruncate(2)` — sets the file's size; growing it adds a hole.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/ftruncate.2.html>
pub fn ftruncate(fd: RawFd, len: i64) -> SysResult<()> {
    // SAFETY: ftruncate only reads its integer arguments.
    cvt_r(|| unsafe { libc::ftruncate(fd, len) }).map(drop)
}

/// `futimens(3)` — sets access and modification times, with nanoseconds, on an open file
/// (so that a read-only destination still gets them).
///
/// # References
/// - <https://man7.org/linux/man-pages/man3/futimens.3.html>
pub fn futimens(fd: RawFd, atime: (i64, u32), mtime: (i64, u32)) -> SysResult<()> {
    let ts = |(sec, nsec): (i64, u32)| libc::timespec {
        tv_sec: sec as libc::time_t,
        tv_nsec: nsec as libc::c_long,
    };
    let times = [ts(atime), ts(mtime)];
    // SAFETY: `times` is an array of two valid timespecs for the duration of the call.
    cvt(unsafe { libc::futimens(fd, times.as_ptr()) }).map(drop)
}

/// `fchmod(2)` — sets the permission bits of an open file.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fchmod.2.html>
pub fn fchmod(fd: RawFd, mode: u32) -> SysResult<()> {
    // SAFETY: fchmod only reads its integer arguments.
    cvt(unsafe { libc::fchmod(fd, mode as libc::mode_t) }).map(drop)
}

/// `fchown(2)` — sets the owner and group of an open file.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fchown.2.html>
pub fn fchown(fd: RawFd, uid: u32, gid: u32) -> SysResult<()> {
    // SAFETY: fchown only reads its integer arguments.
    cvt(unsafe { libc::fchown(fd, uid, gid) }).map(drop)
}
