//! File status: `statx(2)`, with `fstatat(2)` where the kernel lacks statx.

use std::mem::MaybeUninit;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};

use super::cvt::{cvt, Errno, SysResult};
use super::path::At;
use crate::value::FileStat;

/// What to stat.
pub enum StatTarget<'a> {
    Path { at: &'a At, follow: bool },
    Fd(RawFd),
}

/// Cleared the first time statx answers `ENOSYS` (kernels before 4.11, some seccomp
/// filters); from then on `fstatat` is used directly.
static HAVE_STATX: AtomicBool = AtomicBool::new(true);

/// `statx(2)` — file status, with the birth time where the filesystem has it (0 where not).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/statx.2.html>
pub fn stat(target: StatTarget<'_>) -> SysResult<FileStat> {
    let (dirfd, path, flags) = match &target {
        StatTarget::Path { at, follow } => {
            (at.dirfd(), at.c_path().as_ptr(), if *follow { 0 } else { libc::AT_SYMLINK_NOFOLLOW })
        }
        StatTarget::Fd(fd) => (*fd, c"".as_ptr(), libc::AT_EMPTY_PATH),
    };
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

#[cold]
// The field types of `struct stat` differ between architectures (nlink is 32-bit on
// aarch64): the casts are no-ops only on some.
#[allow(clippy::unnecessary_cast)]
fn fstatat(dirfd: RawFd, path: *const libc::c_char, flags: i32) -> SysResult<FileStat> {
    let mut buf = MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: `path` is a valid C string and `buf` is valid for a `struct stat`.
    cvt(unsafe { libc::fstatat(dirfd, path, buf.as_mut_ptr(), flags) })?;
    // SAFETY: fstatat succeeded and filled the buffer.
    let s = unsafe { buf.assume_init_ref() };
    Ok(FileStat {
        dev: s.st_dev,
        ino: s.st_ino,
        mode: s.st_mode,
        nlink: s.st_nlink as u64,
        uid: s.st_uid,
        gid: s.st_gid,
        rdev: s.st_rdev,
        size: s.st_size,
        blksize: s.st_blksize as i64,
        blocks: s.st_blocks,
        atime: (s.st_atime, s.st_atime_nsec as u32),
        mtime: (s.st_mtime, s.st_mtime_nsec as u32),
        ctime: (s.st_ctime, s.st_ctime_nsec as u32),
        birthtime: (0, 0),
    })
}

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
