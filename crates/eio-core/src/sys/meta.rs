//! File metadata, space and syncing: statvfs, statfs, faccessat, utimensat, fchownat,
//! fchmodat, truncate, fallocate, fsync and friends, sendfile, readahead, fiemap.
//!
//! Where a platform lacks a call (sendfile between any two fds, readahead, syncfs,
//! sync_file_range and fiemap are Linux's; darwin has no fdatasync or posix_fallocate),
//! its wrapper fails with `ENOSYS`, and the request substitutes what IO::AIO does or
//! reports that. `--cfg eio_portable` makes Linux take those paths too.

use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::cvt::{cvt, cvt_r, Errno, SysResult};
use super::path::{At, Target};

/// `statvfs(3)` — filesystem statistics, as POSIX defines them.
pub type StatVfs = libc::statvfs;

/// `fstatvfs(3)` — statistics of the filesystem holding `fd`.
///
/// # References
/// - <https://man7.org/linux/man-pages/man3/fstatvfs.3.html>
pub fn fstatvfs(fd: RawFd) -> SysResult<StatVfs> {
    let mut buf = MaybeUninit::<StatVfs>::zeroed();
    // SAFETY: `buf` is valid for writes of a `struct statvfs`.
    cvt_r(|| unsafe { libc::fstatvfs(fd, buf.as_mut_ptr()) })?;
    // SAFETY: fstatvfs succeeded and filled the buffer (zeroed beforehand).
    Ok(unsafe { buf.assume_init() })
}

/// `statvfs(3)` of a path (following symlinks): [`fstatvfs`] of an `O_PATH` handle on
/// `at`, which grants no access, so this works on anything (no read permission needed,
/// FIFOs do not block).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/openat.2.html>
#[cfg(eio_linux)]
pub fn statvfs_at(at: &At) -> SysResult<StatVfs> {
    // SAFETY: the path is a valid C string; openat does not keep the pointer.
    let fd =
        cvt_r(|| unsafe { libc::openat(at.dirfd(), at.c_path().as_ptr(), libc::O_PATH | libc::O_CLOEXEC) })?;
    // SAFETY: openat returned a new fd that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    fstatvfs(fd.as_raw_fd())
}

/// `statvfs(3)` of a path (following symlinks). There is no `statvfsat` and no `O_PATH`:
/// a path relative to a directory fd is opened read-only (`O_NONBLOCK`: a FIFO does not
/// block), so unlike on Linux it needs read permission.
///
/// # References
/// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/statvfs.html>
#[cfg(not(eio_linux))]
pub fn statvfs_at(at: &At) -> SysResult<StatVfs> {
    if at.dirfd() == libc::AT_FDCWD || at.c_path().to_bytes().first() == Some(&b'/') {
        let mut buf = MaybeUninit::<StatVfs>::zeroed();
        // SAFETY: the path is a valid C string and `buf` is valid for a `struct statvfs`.
        cvt_r(|| unsafe { libc::statvfs(at.c_path().as_ptr(), buf.as_mut_ptr()) })?;
        // SAFETY: statvfs succeeded and filled the buffer (zeroed beforehand).
        return Ok(unsafe { buf.assume_init() });
    }
    let fd = super::file::open(at, libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY, 0)?;
    fstatvfs(fd.as_raw_fd())
}

/// `statfs(2)` — filesystem statistics with the filesystem's type (`f_type`), which
/// `statvfs` lacks.
pub type StatFs = libc::statfs;

/// `fstatfs(2)` — statistics of the filesystem holding `fd`.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fstatfs.2.html>
pub fn fstatfs(fd: RawFd) -> SysResult<StatFs> {
    let mut buf = MaybeUninit::<StatFs>::zeroed();
    // SAFETY: `buf` is valid for writes of a `struct statfs`.
    cvt_r(|| unsafe { libc::fstatfs(fd, buf.as_mut_ptr()) })?;
    // SAFETY: fstatfs succeeded and filled the buffer (zeroed beforehand).
    Ok(unsafe { buf.assume_init() })
}

/// `statfs(2)` of a path (following symlinks). There is no `statfsat`: a path relative to
/// a directory fd is opened (`O_PATH` on Linux, which needs no permission; read-only and
/// `O_NONBLOCK` elsewhere, so that a FIFO does not block) and [`fstatfs`] asked.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/statfs.2.html>
pub fn statfs_at(at: &At) -> SysResult<StatFs> {
    if at.dirfd() == libc::AT_FDCWD || at.c_path().to_bytes().first() == Some(&b'/') {
        let mut buf = MaybeUninit::<StatFs>::zeroed();
        // SAFETY: the path is a valid C string and `buf` is valid for a `struct statfs`.
        cvt_r(|| unsafe { libc::statfs(at.c_path().as_ptr(), buf.as_mut_ptr()) })?;
        // SAFETY: statfs succeeded and filled the buffer (zeroed beforehand).
        return Ok(unsafe { buf.assume_init() });
    }
    #[cfg(eio_linux)]
    let flags = libc::O_PATH;
    #[cfg(not(eio_linux))]
    let flags = libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY;
    let fd = super::file::open(at, flags, 0)?;
    fstatfs(fd.as_raw_fd())
}

/// `faccessat(2)` — whether the real user may access `at` as `mode` asks (`F_OK`, or
/// `R_OK | W_OK | X_OK`), following symlinks, as `access(2)` does.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/faccessat.2.html>
pub fn access(at: &At, mode: i32) -> SysResult<()> {
    // SAFETY: the path is a valid C string for the duration of the call.
    cvt(unsafe { libc::faccessat(at.dirfd(), at.c_path().as_ptr(), mode, 0) }).map(drop)
}

/// `fchownat(2)` with `AT_SYMLINK_NOFOLLOW` — `lchown`: changes the owner and group of a
/// symlink itself; `u32::MAX` (-1) leaves one as it is.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fchownat.2.html>
pub fn lchown(at: &At, uid: u32, gid: u32) -> SysResult<()> {
    let path = at.c_path().as_ptr();
    // SAFETY: the path is a valid C string for the duration of the call.
    cvt(unsafe { libc::fchownat(at.dirfd(), path, uid, gid, libc::AT_SYMLINK_NOFOLLOW) }).map(drop)
}

/// A time for [`utimens`]: seconds and nanoseconds since the epoch.
pub type TimeSpec = (i64, u32);

fn timespec((sec, nsec): TimeSpec) -> libc::timespec {
    libc::timespec { tv_sec: sec, tv_nsec: nsec as libc::c_long }
}

/// `utimensat(2)` / `futimens(3)` — sets the access and modification times of a path
/// (following symlinks) or an fd; `None` sets both to the current time.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/utimensat.2.html>
pub fn utimens(target: &Target, times: Option<[TimeSpec; 2]>) -> SysResult<()> {
    match target {
        Target::Path(at) => utimensat(at, times, 0),
        Target::Fd(fd) => {
            let ts = times.map(|[a, m]| [timespec(a), timespec(m)]);
            let ptr = ts.as_ref().map_or(std::ptr::null(), |t| t.as_ptr());
            // SAFETY: `ptr` is null or points at two timespecs.
            cvt(unsafe { libc::futimens(*fd, ptr) }).map(drop)
        }
    }
}

/// `utimensat(2)` with `AT_SYMLINK_NOFOLLOW` — sets the times of a path itself: a
/// symlink's own, not its target's; `None` sets both to the current time.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/utimensat.2.html>
pub fn lutimens(at: &At, times: Option<[TimeSpec; 2]>) -> SysResult<()> {
    utimensat(at, times, libc::AT_SYMLINK_NOFOLLOW)
}

fn utimensat(at: &At, times: Option<[TimeSpec; 2]>, flags: libc::c_int) -> SysResult<()> {
    let ts = times.map(|[a, m]| [timespec(a), timespec(m)]);
    let ptr = ts.as_ref().map_or(std::ptr::null(), |t| t.as_ptr());
    // SAFETY: the path is a valid C string; `ptr` is null or points at two timespecs.
    cvt(unsafe { libc::utimensat(at.dirfd(), at.c_path().as_ptr(), ptr, flags) }).map(drop)
}

/// `fchownat(2)` / `fchown(2)` — changes owner and group; `u32::MAX` (-1) leaves one as it is.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fchownat.2.html>
pub fn chown(target: &Target, uid: u32, gid: u32) -> SysResult<()> {
    match target {
        Target::Path(at) => {
            let path = at.c_path().as_ptr();
            // SAFETY: the path is a valid C string.
            cvt(unsafe { libc::fchownat(at.dirfd(), path, uid, gid, 0) })
        }
        // SAFETY: fchown only reads its integer arguments.
        Target::Fd(fd) => cvt(unsafe { libc::fchown(*fd, uid, gid) }),
    }
    .map(drop)
}

/// `fchmodat(2)` / `fchmod(2)` — changes the permission bits.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fchmodat.2.html>
// `mode_t` is a u32 on Linux, a u16 on darwin and FreeBSD.
#[allow(clippy::unnecessary_cast)]
pub fn chmod(target: &Target, mode: u32) -> SysResult<()> {
    let mode = mode as libc::mode_t;
    match target {
        Target::Path(at) => {
            let path = at.c_path().as_ptr();
            // SAFETY: the path is a valid C string.
            cvt(unsafe { libc::fchmodat(at.dirfd(), path, mode, 0) })
        }
        // SAFETY: fchmod only reads its integer arguments.
        Target::Fd(fd) => cvt(unsafe { libc::fchmod(*fd, mode) }),
    }
    .map(drop)
}

/// `truncate(2)` — sets a path's size. It has no `*at` form: for a path relative to a
/// directory fd, see [`truncate_at`].
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/truncate.2.html>
pub fn truncate(path: &std::ffi::CStr, length: i64) -> SysResult<()> {
    // SAFETY: the path is a valid C string.
    cvt_r(|| unsafe { libc::truncate(path.as_ptr(), length) }).map(drop)
}

/// `ftruncate(2)` — sets the size of the file open as `fd`.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/ftruncate.2.html>
pub fn ftruncate(fd: RawFd, length: i64) -> SysResult<()> {
    // SAFETY: ftruncate only reads its integer arguments.
    cvt_r(|| unsafe { libc::ftruncate(fd, length) }).map(drop)
}

/// `openat(2)` for writing, then `ftruncate(2)`: `truncate` for a path relative to a
/// directory fd, which `truncate(2)` itself cannot take. `O_NONBLOCK` keeps a FIFO from
/// blocking the worker (it then fails, as truncate(2) would), `O_NOCTTY` keeps a terminal
/// from becoming the controlling one.
pub fn truncate_at(at: &At, length: i64) -> SysResult<()> {
    // SAFETY: the path is a valid C string; openat does not keep the pointer.
    let fd = cvt_r(|| unsafe {
        libc::openat(
            at.dirfd(),
            at.c_path().as_ptr(),
            libc::O_WRONLY | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    })?;
    // SAFETY: openat returned a new fd that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    ftruncate(fd.as_raw_fd(), length)
}

/// `fallocate(2)` — allocates, deallocates, zeroes, collapses or inserts a range
/// (`FALLOC_FL_*` in `mode`).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fallocate.2.html>
#[cfg(eio_linux)]
pub fn fallocate(fd: RawFd, mode: i32, offset: i64, len: i64) -> SysResult<()> {
    // SAFETY: fallocate only reads its integer arguments.
    cvt_r(|| unsafe { libc::fallocate(fd, mode, offset, len) }).map(drop)
}

/// `posix_fallocate(3)` — allocates `[offset, offset + len)`, extending the file if
/// needed: `fallocate` with mode 0. Any other mode (the `FALLOC_FL_*` flags are Linux's)
/// is `ENOSYS`.
///
/// # References
/// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/posix_fallocate.html>
#[cfg(any(all(target_os = "linux", eio_portable), target_os = "freebsd"))]
pub fn fallocate(fd: RawFd, mode: i32, offset: i64, len: i64) -> SysResult<()> {
    if mode != 0 {
        return Err(Errno(libc::ENOSYS));
    }
    // SAFETY: posix_fallocate only reads its integer arguments.
    super::cvt::cvt_nz(unsafe { libc::posix_fallocate(fd, offset, len) })
}

/// `fallocate`: darwin has neither it nor `posix_fallocate` (`ENOSYS`, as IO::AIO says).
#[cfg(not(any(target_os = "linux", target_os = "freebsd")))]
pub fn fallocate(_fd: RawFd, _mode: i32, _offset: i64, _len: i64) -> SysResult<()> {
    Err(Errno(libc::ENOSYS))
}

/// `fsync(2)` — flushes the file's data and metadata to the device.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fsync.2.html>
pub fn fsync(fd: RawFd) -> SysResult<()> {
    // SAFETY: fsync only reads its integer argument.
    cvt_r(|| unsafe { libc::fsync(fd) }).map(drop)
}

/// `fdatasync(2)` — flushes the file's data (and the metadata needed to read it back).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fdatasync.2.html>
#[cfg(any(eio_linux, target_os = "freebsd"))]
pub fn fdatasync(fd: RawFd) -> SysResult<()> {
    // SAFETY: fdatasync only reads its integer argument.
    cvt_r(|| unsafe { libc::fdatasync(fd) }).map(drop)
}

/// `fdatasync`: darwin's libc does not declare it (`ENOSYS`; `fsync` stands in).
#[cfg(not(any(eio_linux, target_os = "freebsd")))]
pub fn fdatasync(_fd: RawFd) -> SysResult<()> {
    Err(Errno(libc::ENOSYS))
}

/// `syncfs(2)` — flushes the whole filesystem holding `fd`.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/syncfs.2.html>
#[cfg(eio_linux)]
pub fn syncfs(fd: RawFd) -> SysResult<()> {
    // SAFETY: syncfs only reads its integer argument.
    cvt(unsafe { libc::syncfs(fd) }).map(drop)
}

/// `syncfs`: Linux's (`ENOSYS` elsewhere).
#[cfg(not(eio_linux))]
pub fn syncfs(_fd: RawFd) -> SysResult<()> {
    Err(Errno(libc::ENOSYS))
}

/// `sync(2)` — flushes every filesystem; cannot fail.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/sync.2.html>
pub fn sync() {
    // SAFETY: sync takes no arguments and cannot fail.
    unsafe { libc::sync() }
}

/// `sync_file_range(2)` — starts or waits for writeback of a byte range
/// (`SYNC_FILE_RANGE_*` in `flags`).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/sync_file_range.2.html>
#[cfg(eio_linux)]
pub fn sync_file_range(fd: RawFd, offset: i64, nbytes: i64, flags: u32) -> SysResult<()> {
    // SAFETY: sync_file_range only reads its integer arguments.
    cvt_r(|| unsafe { libc::sync_file_range(fd, offset, nbytes, flags) }).map(drop)
}

/// `sync_file_range`: Linux's (`ENOSYS` elsewhere).
#[cfg(not(eio_linux))]
pub fn sync_file_range(_fd: RawFd, _offset: i64, _nbytes: i64, _flags: u32) -> SysResult<()> {
    Err(Errno(libc::ENOSYS))
}

/// `sendfile(2)` — copies up to `count` bytes from `in_fd` at `*offset` (which it
/// advances; the fd's own offset is untouched) to `out_fd` at its file position.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/sendfile.2.html>
#[cfg(eio_linux)]
pub fn sendfile(out_fd: RawFd, in_fd: RawFd, offset: &mut i64, count: usize) -> SysResult<usize> {
    // SAFETY: `offset` is valid for reads and writes of an off_t for the call.
    let n = cvt_r(|| unsafe { libc::sendfile(out_fd, in_fd, offset, count) })?;
    Ok(n as usize)
}

/// `sendfile` from any fd to any fd is Linux's: darwin's and FreeBSD's only write to
/// sockets, with another signature (`ENOSYS`; the callers copy with `pread`/`write`).
#[cfg(not(eio_linux))]
pub fn sendfile(_out_fd: RawFd, _in_fd: RawFd, _offset: &mut i64, _count: usize) -> SysResult<usize> {
    Err(Errno(libc::ENOSYS))
}

/// `readahead(2)` — reads `count` bytes at `offset` into the page cache.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/readahead.2.html>
#[cfg(eio_linux)]
pub fn readahead(fd: RawFd, offset: i64, count: usize) -> SysResult<()> {
    // SAFETY: readahead only reads its integer arguments.
    cvt_r(|| unsafe { libc::readahead(fd, offset, count) }).map(drop)
}

/// `readahead`: Linux's (`ENOSYS` elsewhere; the request reads the range instead).
#[cfg(not(eio_linux))]
pub fn readahead(_fd: RawFd, _offset: i64, _count: usize) -> SysResult<()> {
    Err(Errno(libc::ENOSYS))
}

/// `FS_IOC_FIEMAP`, `_IOWR('f', 11, struct fiemap)`: the libc crate does not define it.
#[cfg(eio_linux)]
const FS_IOC_FIEMAP: libc::c_ulong = 0xC020_660B;

/// `struct fiemap` of `<linux/fiemap.h>`, without its trailing extent array.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct FiemapHeader {
    pub fm_start: u64,
    pub fm_length: u64,
    pub fm_flags: u32,
    pub fm_mapped_extents: u32,
    pub fm_extent_count: u32,
    pub fm_reserved: u32,
}

/// `struct fiemap_extent` of `<linux/fiemap.h>`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FiemapExtent {
    pub fe_logical: u64,
    pub fe_physical: u64,
    pub fe_length: u64,
    pub fe_reserved64: [u64; 2],
    pub fe_flags: u32,
    pub fe_reserved: [u32; 3],
}

/// `ioctl(FS_IOC_FIEMAP)` — maps `[start, start + length)` of the file to its extents.
/// With `count == 0` the kernel only counts them: the result has no extents and
/// `fm_mapped_extents` holds the count. Returns the header and up to `count` extents.
///
/// # References
/// - <https://www.kernel.org/doc/html/latest/filesystems/fiemap.html>
#[cfg(eio_linux)]
pub fn fiemap(
    fd: RawFd,
    start: u64,
    length: u64,
    flags: u32,
    count: u32,
) -> SysResult<(FiemapHeader, Vec<FiemapExtent>)> {
    // One u64-aligned buffer: the header (32 bytes) then `count` extents (56 bytes each).
    #[repr(C)]
    struct Request {
        header: FiemapHeader,
        extents: [FiemapExtent; 0],
    }
    let words = (size_of::<FiemapHeader>() + count as usize * size_of::<FiemapExtent>()) / 8;
    let mut buf = vec![0u64; words];
    let req = buf.as_mut_ptr().cast::<Request>();
    let header = FiemapHeader {
        fm_start: start,
        fm_length: length,
        fm_flags: flags,
        fm_extent_count: count,
        ..FiemapHeader::default()
    };
    // SAFETY: `buf` is u64-aligned and at least a header long; FiemapHeader is plain data.
    unsafe { (&raw mut (*req).header).write(header) };
    // SAFETY: the buffer holds the header and room for `fm_extent_count` extents, which is
    // all the kernel writes; the pointer is valid for the call.
    cvt_r(|| unsafe { libc::ioctl(fd, FS_IOC_FIEMAP, req) })?;
    // SAFETY: the header was initialised above and updated by the kernel.
    let header = unsafe { (&raw const (*req).header).read() };
    let mapped = (header.fm_mapped_extents.min(count)) as usize;
    // SAFETY: the kernel filled `mapped` (<= count) extents after the header; extents are
    // plain data at an 8-aligned offset (32) inside `buf`.
    let extents =
        unsafe { std::slice::from_raw_parts((&raw const (*req).extents).cast::<FiemapExtent>(), mapped) }
            .to_vec();
    Ok((header, extents))
}

/// `FS_IOC_FIEMAP` is Linux's (`ENOSYS` elsewhere, as IO::AIO says).
#[cfg(not(eio_linux))]
pub fn fiemap(
    _fd: RawFd,
    _start: u64,
    _length: u64,
    _flags: u32,
    _count: u32,
) -> SysResult<(FiemapHeader, Vec<FiemapExtent>)> {
    Err(Errno(libc::ENOSYS))
}

/// Errors that `sendfile(2)` gives for descriptor types it cannot handle, where IO::AIO
/// copies with `pread`/`write` instead.
pub fn sendfile_unsupported(e: Errno) -> bool {
    matches!(
        e.0,
        libc::ENOSYS | libc::EINVAL | libc::ENOTSUP | libc::EAFNOSUPPORT | libc::EPROTOTYPE | libc::ENOTSOCK
    )
}
