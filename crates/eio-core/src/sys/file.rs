//! Opening, closing, seeking, reading and writing file descriptors.

use std::ffi::CStr;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use super::cvt::{cvt, cvt_r, SysResult};
use super::path::At;

/// `openat(2)` — opens `at` with `flags | O_CLOEXEC`, so that no fd eio opens leaks into a
/// child process.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/openat.2.html>
pub fn open(at: &At, flags: i32, mode: u32) -> SysResult<OwnedFd> {
    open_c(at.dirfd(), at.c_path(), flags, mode)
}

/// [`open`] of `path` relative to the directory open on `dirfd`.
pub fn open_c(dirfd: RawFd, path: &CStr, flags: i32, mode: u32) -> SysResult<OwnedFd> {
    // SAFETY: the path is a valid C string; openat does not keep the pointer.
    let fd = cvt_r(|| unsafe {
        libc::openat(dirfd, path.as_ptr(), flags | libc::O_CLOEXEC, mode as libc::c_uint)
    })?;
    // SAFETY: openat returned a new fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `close(2)` — closes a descriptor the caller owns. Never retried on `EINTR`: on Linux the
/// fd is released even then, and a retry could close an fd another thread just opened.
pub fn close(fd: RawFd) -> SysResult<()> {
    // SAFETY: closing an fd number has no memory-safety preconditions.
    match cvt(unsafe { libc::close(fd) }) {
        Err(e) if e.0 == libc::EINTR => Ok(()),
        other => other.map(drop),
    }
}

/// `lseek(2)` — repositions the file offset; returns the new offset.
pub fn seek(fd: RawFd, offset: i64, whence: i32) -> SysResult<i64> {
    // SAFETY: lseek only reads its integer arguments.
    cvt(unsafe { libc::lseek(fd, offset, whence) })
}

/// `pread(2)`, or `read(2)` at the current position when `offset` is `None`.
pub fn read(fd: RawFd, buf: &mut [u8], offset: Option<i64>) -> SysResult<usize> {
    let (ptr, len) = (buf.as_mut_ptr().cast(), buf.len());
    let n = cvt_r(|| match offset {
        // SAFETY: `ptr` is valid for writes of `len` bytes for the duration of the call.
        Some(off) => unsafe { libc::pread(fd, ptr, len, off) },
        // SAFETY: as above.
        None => unsafe { libc::read(fd, ptr, len) },
    })?;
    Ok(n as usize)
}

/// `preadv2(2)` with `RWF_NOWAIT` — reads at `offset` only what the page cache holds:
/// `EAGAIN` when even the first byte would have to wait for I/O, `EOPNOTSUPP` where the file
/// cannot promise that (NFS, FUSE), and a short count when only part of the range is cached
/// (as at the end of the file). Linux's: `ENOSYS` elsewhere (and with `--cfg eio_portable`),
/// where every read goes to the pool.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/preadv2.2.html>
#[cfg(eio_linux)]
pub fn read_cached(fd: RawFd, buf: &mut [u8], offset: i64) -> SysResult<usize> {
    let iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    // SAFETY: `iov` describes `buf`, valid for writes of its length during the call.
    let n = cvt_r(|| unsafe { libc::preadv2(fd, &iov, 1, offset, libc::RWF_NOWAIT) })?;
    Ok(n as usize)
}

/// `preadv2(2)` with `RWF_NOWAIT` is Linux's (`ENOSYS` elsewhere).
#[cfg(not(eio_linux))]
pub fn read_cached(_fd: RawFd, _buf: &mut [u8], _offset: i64) -> SysResult<usize> {
    Err(super::cvt::Errno(libc::ENOSYS))
}

/// `pwrite(2)`, or `write(2)` at the current position when `offset` is `None`. One call:
/// a short count is returned as is, as IO::AIO and Node's `fs.write` do.
pub fn write(fd: RawFd, buf: &[u8], offset: Option<i64>) -> SysResult<usize> {
    let (ptr, len) = (buf.as_ptr().cast(), buf.len());
    let n = cvt_r(|| match offset {
        // SAFETY: `ptr` is valid for reads of `len` bytes for the duration of the call.
        Some(off) => unsafe { libc::pwrite(fd, ptr, len, off) },
        // SAFETY: as above.
        None => unsafe { libc::write(fd, ptr, len) },
    })?;
    Ok(n as usize)
}

/// `ioctl(dst, FICLONE, src)` — makes `dst`'s contents a copy-on-write clone of all of
/// `src` (btrfs, XFS with reflink, bcachefs...): `EOPNOTSUPP`, `EXDEV` or `EINVAL` where
/// the filesystems cannot share extents.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/ioctl_ficlone.2.html>
#[cfg(eio_linux)]
pub fn ficlone(dst: RawFd, src: RawFd) -> SysResult<()> {
    // SAFETY: FICLONE takes the source fd as its integer argument; nothing is written to memory.
    super::cvt::cvt(unsafe { libc::ioctl(dst, libc::FICLONE, src) }).map(drop)
}

/// `FICLONE` is Linux's (`EOPNOTSUPP` elsewhere: darwin clones with clonefile(2), by path).
#[cfg(not(eio_linux))]
pub fn ficlone(_dst: RawFd, _src: RawFd) -> SysResult<()> {
    Err(super::cvt::Errno(libc::EOPNOTSUPP))
}
