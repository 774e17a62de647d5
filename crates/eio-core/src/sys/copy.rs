//! Copying file contents: copy_file_range and SEEK_DATA/SEEK_HOLE (sendfile, ftruncate and
//! the metadata calls are in [`super::meta`]).

use std::os::fd::RawFd;

#[cfg(eio_linux)]
use super::cvt::cvt_r;
use super::cvt::{cvt, Errno, SysResult};

/// `copy_file_range(2)` — copies up to `len` bytes from `fd_in` at `*off_in` to `fd_out`
/// at `*off_out` inside the kernel, advancing both offsets; 0 at the end of the input
/// (and, on procfs, sysfs and some overlayfs setups, at offset 0 of a non-empty file).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/copy_file_range.2.html>
#[cfg(eio_linux)]
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

/// `copy_file_range`: Linux's (`ENOSYS` elsewhere; the copy falls back to `pread`/`pwrite`).
/// FreeBSD 13 has one too, but a library built against FreeBSD 12's ABI cannot count on it.
#[cfg(not(eio_linux))]
pub fn copy_file_range(
    _fd_in: RawFd,
    _off_in: &mut i64,
    _fd_out: RawFd,
    _off_out: &mut i64,
    _len: usize,
) -> SysResult<usize> {
    Err(Errno(libc::ENOSYS))
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
