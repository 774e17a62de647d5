//! File status: `statx(2)` on Linux, with `fstatat(2)` where the kernel lacks statx;
//! `fstatat(2)`/`fstat(2)` elsewhere (darwin and FreeBSD keep the birth time in `struct
//! stat`; with `--cfg eio_portable`, Linux takes this path too and reports no birth time).

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::fd::RawFd;
#[cfg(eio_linux)]
use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(eio_linux)]
use super::cvt::Errno;
use super::cvt::{cvt, SysResult};
use super::path::At;
use crate::value::FileStat;

/// `st_mode` bits as [`FileStat::mode`] holds them: a u32 everywhere, where `mode_t` is a
/// u16 on darwin and FreeBSD (the values are the same on every platform eio builds for).
// The casts are no-ops on Linux.
#[allow(clippy::unnecessary_cast)]
pub mod mode {
    pub const S_IFMT: u32 = libc::S_IFMT as u32;
    pub const S_IFREG: u32 = libc::S_IFREG as u32;
    pub const S_IFDIR: u32 = libc::S_IFDIR as u32;
    pub const S_IFLNK: u32 = libc::S_IFLNK as u32;
    pub const S_ISUID: u32 = libc::S_ISUID as u32;
    pub const S_ISGID: u32 = libc::S_ISGID as u32;
}

/// Cleared the first time statx answers `ENOSYS` (kernels before 4.11, some seccomp
/// filters); from then on `fstatat` is used directly.
#[cfg(eio_linux)]
static HAVE_STATX: AtomicBool = AtomicBool::new(true);

/// The status of the file at `at`; of a symlink itself unless `follow` (`stat`/`lstat`).
pub fn stat_at(at: &At, follow: bool) -> SysResult<FileStat> {
    stat_name(at.dirfd(), at.c_path(), follow)
}

/// [`stat_at`]'s twin for a name already a C string, relative to `dirfd` (a directory scan
/// stating its entries: no allocation per name).
pub fn stat_name(dirfd: RawFd, name: &CStr, follow: bool) -> SysResult<FileStat> {
    let flags = if follow { 0 } else { libc::AT_SYMLINK_NOFOLLOW };
    status(dirfd, name, flags)
}

/// [`stat_at`] of `path` relative to the directory open on `dirfd` (loops over a
/// directory's entries build no `At` per entry).
pub fn stat_c(dirfd: RawFd, path: &CStr, follow: bool) -> SysResult<FileStat> {
    status(dirfd, path, if follow { 0 } else { libc::AT_SYMLINK_NOFOLLOW })
}

/// `statx(2)` with `STATX_MNT_ID` — the id of the mount that holds the file open on `fd`
/// (Linux 5.8): tells a bind mount from the directory it sits in, which `st_dev` cannot.
/// `None` where the kernel or the platform does not say; compare `st_dev` then.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/statx.2.html>
#[cfg(eio_linux)]
pub fn mount_id(fd: RawFd) -> Option<u64> {
    let mut buf = MaybeUninit::<libc::statx>::zeroed();
    let (flags, mask) = (libc::AT_EMPTY_PATH, libc::STATX_MNT_ID);
    // SAFETY: the path is a valid C string and `buf` is valid for a `struct statx`.
    cvt(unsafe { libc::statx(fd, c"".as_ptr(), flags, mask, buf.as_mut_ptr()) }).ok()?;
    // SAFETY: statx succeeded and filled the buffer (which was zeroed beforehand).
    let buf = unsafe { buf.assume_init_ref() };
    (buf.stx_mask & libc::STATX_MNT_ID != 0).then_some(buf.stx_mnt_id)
}

/// Mount ids are Linux's: `None`, compare `st_dev`.
#[cfg(not(eio_linux))]
pub fn mount_id(_fd: RawFd) -> Option<u64> {
    None
}

/// The status of the file open on `fd`: `statx` of it with `AT_EMPTY_PATH`.
#[cfg(eio_linux)]
pub fn fstat(fd: RawFd) -> SysResult<FileStat> {
    status(fd, c"", libc::AT_EMPTY_PATH)
}

/// `fstat(2)` — the status of the file open on `fd`.
///
/// # References
/// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/fstat.html>
#[cfg(not(eio_linux))]
pub fn fstat(fd: RawFd) -> SysResult<FileStat> {
    let mut buf = MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: `buf` is valid for a `struct stat`.
    cvt(unsafe { libc::fstat(fd, buf.as_mut_ptr()) })?;
    // SAFETY: fstat succeeded and filled the buffer.
    Ok(from_stat(unsafe { buf.assume_init_ref() }))
}

/// `statx(2)` — file status, with the birth time where the filesystem has it (0 where not).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/statx.2.html>
#[cfg(eio_linux)]
fn status(dirfd: RawFd, path: &CStr, flags: i32) -> SysResult<FileStat> {
    let path = path.as_ptr();
    if HAVE_STATX.load(Ordering::Relaxed) {
        let mut buf = MaybeUninit::<libc::statx>::zeroed();
        let mask = libc::STATX_BASIC_STATS | libc::STATX_BTIME;
        // SAFETY: `path` is a valid C string and `buf` is valid for a `struct statx`.
        let ret = cvt(unsafe { libc::statx(dirfd, path, flags, mask, buf.as_mut_ptr()) });
        match ret {
            // SAFETY: statx succeeded and filled the buffer (which was zeroed beforehand).
            Ok(_) => return Ok(from_statx(unsafe { buf.assume_init_ref() })),
            Err(Errno(libc::ENOSYS)) => HAVE_STATX.store(false, Ordering::Relaxed),
            Err(e) => return Err(e),
        }
    }
    fstatat(dirfd, path, flags)
}

#[cfg(not(eio_linux))]
fn status(dirfd: RawFd, path: &CStr, flags: i32) -> SysResult<FileStat> {
    fstatat(dirfd, path.as_ptr(), flags)
}

/// `fstatat(2)` — file status, with the birth time where `struct stat` has it.
///
/// # References
/// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/fstatat.html>
#[cfg_attr(eio_linux, cold)]
fn fstatat(dirfd: RawFd, path: *const libc::c_char, flags: i32) -> SysResult<FileStat> {
    let mut buf = MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: `path` is a valid C string and `buf` is valid for a `struct stat`.
    cvt(unsafe { libc::fstatat(dirfd, path, buf.as_mut_ptr(), flags) })?;
    // SAFETY: fstatat succeeded and filled the buffer.
    Ok(from_stat(unsafe { buf.assume_init_ref() }))
}

// The field types of `struct stat` differ between platforms (nlink is 32-bit on aarch64
// Linux and 16-bit on darwin, dev_t is an i32 and mode_t a u16 on darwin, mode_t a u16 on
// FreeBSD): the casts are no-ops only on some.
#[allow(clippy::unnecessary_cast)]
fn from_stat(s: &libc::stat) -> FileStat {
    FileStat {
        dev: s.st_dev as u64,
        ino: s.st_ino as u64,
        mode: s.st_mode as u32,
        nlink: s.st_nlink as u64,
        uid: s.st_uid,
        gid: s.st_gid,
        rdev: s.st_rdev as u64,
        size: s.st_size as i64,
        blksize: s.st_blksize as i64,
        blocks: s.st_blocks as i64,
        atime: (s.st_atime as i64, s.st_atime_nsec as u32),
        mtime: (s.st_mtime as i64, s.st_mtime_nsec as u32),
        ctime: (s.st_ctime as i64, s.st_ctime_nsec as u32),
        birthtime: birthtime(s),
    }
}

/// `st_birthtime`: darwin and FreeBSD have it; FreeBSD says -1 where the filesystem does
/// not record it (UFS1), reported as `(0, 0)` as on Linux.
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
#[allow(clippy::unnecessary_cast)]
fn birthtime(s: &libc::stat) -> (i64, u32) {
    match s.st_birthtime as i64 {
        -1 => (0, 0),
        sec => (sec, s.st_birthtime_nsec as u32),
    }
}

/// Linux's `struct stat` has no birth time (only statx does).
#[cfg(not(any(target_vendor = "apple", target_os = "freebsd")))]
fn birthtime(_: &libc::stat) -> (i64, u32) {
    (0, 0)
}

#[cfg(eio_linux)]
fn from_statx(s: &libc::statx) -> FileStat {
    let ts = |t: &libc::statx_timestamp| (t.tv_sec, t.tv_nsec);
    FileStat {
        dev: libc::makedev(s.stx_dev_major, s.stx_dev_minor),
        ino: s.stx_ino,
        mode: s.stx_mode as u32,
        nlink: s.stx_nlink as u64,
        uid: s.stx_uid,
        gid: s.stx_gid,
        rdev: libc::makedev(s.stx_rdev_major, s.stx_rdev_minor),
        size: s.stx_size as i64,
        blksize: s.stx_blksize as i64,
        blocks: s.stx_blocks as i64,
        atime: ts(&s.stx_atime),
        mtime: ts(&s.stx_mtime),
        ctime: ts(&s.stx_ctime),
        birthtime: if s.stx_mask & libc::STATX_BTIME != 0 { ts(&s.stx_btime) } else { (0, 0) },
    }
}
