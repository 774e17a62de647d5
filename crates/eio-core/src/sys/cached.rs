//! Answers from the kernel's caches only: the calls here either complete without waiting
//! for any I/O or say they would have to ([`Cached::WouldBlock`]), so a caller may make
//! them on a thread that must never block (a JS thread) and fall back to the pool
//! otherwise. See `latency.md`: this turns a 15-20 µs round trip through the pool into a
//! few µs for the common case of a stat whose path is in the dentry cache.
//!
//! Only Linux can promise that (`openat2` with `RESOLVE_CACHED`): elsewhere, and with
//! `--cfg eio_portable`, every answer is [`Cached::WouldBlock`].

#[cfg(eio_linux)]
use std::{
    mem::MaybeUninit,
    os::fd::{AsRawFd, FromRawFd, OwnedFd},
    sync::atomic::{AtomicBool, Ordering},
};

#[cfg(eio_linux)]
use super::cvt::{cvt, Errno, SysResult};
use super::path::At;
#[cfg(eio_linux)]
use super::stat;
use crate::value::FileStat;

pub enum Cached<T> {
    Done(T),
    /// The answer needs I/O (or this kernel or filesystem cannot promise otherwise).
    WouldBlock,
}

/// Cleared when the kernel lacks `openat2` or `RESOLVE_CACHED` (before Linux 5.12).
#[cfg(eio_linux)]
static HAVE_RESOLVE_CACHED: AtomicBool = AtomicBool::new(true);

/// Filesystems whose `getattr` never waits for I/O once the inode is in memory. Network
/// and FUSE filesystems revalidate attributes remotely, so they are never on this list.
#[cfg(eio_linux)]
const LOCAL_FS: [i64; 4] = [
    0xEF53,     // ext2, ext3, ext4
    0x58465342, // xfs
    0x9123683E, // btrfs
    0x01021994, // tmpfs
];

/// `openat2(2)` with `RESOLVE_CACHED` — opens `at` as an `O_PATH` fd only if every path
/// component is already in the dentry cache; `EAGAIN` otherwise.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/openat2.2.html>
#[cfg(eio_linux)]
fn open_cached(at: &At, follow: bool) -> SysResult<OwnedFd> {
    let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
    // `struct open_how` as the kernel defines it (libc's is non-exhaustive).
    #[repr(C)]
    struct OpenHow {
        flags: u64,
        mode: u64,
        resolve: u64,
    }
    let how = OpenHow {
        flags: (libc::O_PATH | libc::O_CLOEXEC | nofollow) as u64,
        mode: 0,
        resolve: libc::RESOLVE_CACHED,
    };
    // SAFETY: the path is a valid C string and `how` a valid `open_how` of the size given.
    let fd = cvt(unsafe {
        libc::syscall(
            libc::SYS_openat2,
            at.dirfd(),
            at.c_path().as_ptr(),
            &how as *const OpenHow,
            std::mem::size_of::<OpenHow>(),
        )
    })?;
    // SAFETY: openat2 returned a new fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// `fstatfs(2)` — whether the filesystem holding `fd` is on [`LOCAL_FS`].
#[cfg(eio_linux)]
// `f_type` is a different integer type on different architectures.
#[allow(clippy::unnecessary_cast)]
fn on_local_fs(fd: &OwnedFd) -> bool {
    let mut buf = MaybeUninit::<libc::statfs>::zeroed();
    // SAFETY: `buf` is valid for writing a `struct statfs`.
    if unsafe { libc::fstatfs(fd.as_raw_fd(), buf.as_mut_ptr()) } != 0 {
        return false;
    }
    // SAFETY: fstatfs succeeded and filled the buffer.
    let kind = unsafe { buf.assume_init_ref() }.f_type as i64;
    LOCAL_FS.contains(&kind)
}

/// A stat that never blocks: `Done` with the status when the path is cached and on a
/// local filesystem, `WouldBlock` otherwise (including every failure, so that errors
/// always come from the ordinary path with their exact cause).
#[cfg(eio_linux)]
pub fn stat(at: &At, follow: bool) -> Cached<FileStat> {
    if !HAVE_RESOLVE_CACHED.load(Ordering::Relaxed) {
        return Cached::WouldBlock;
    }
    let fd = match open_cached(at, follow) {
        Ok(fd) => fd,
        Err(Errno(libc::ENOSYS | libc::EINVAL | libc::EPERM)) => {
            // No openat2, no RESOLVE_CACHED, or a seccomp filter refusing it.
            HAVE_RESOLVE_CACHED.store(false, Ordering::Relaxed);
            return Cached::WouldBlock;
        }
        Err(_) => return Cached::WouldBlock,
    };
    if !on_local_fs(&fd) {
        return Cached::WouldBlock;
    }
    match stat::fstat(fd.as_raw_fd()) {
        Ok(st) => Cached::Done(st),
        Err(_) => Cached::WouldBlock,
    }
}

/// Nothing here can promise not to block: the caller takes the ordinary path.
#[cfg(not(eio_linux))]
pub fn stat(_at: &At, _follow: bool) -> Cached<FileStat> {
    Cached::WouldBlock
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::stat;
    use std::ffi::CString;

    #[test]
    fn cached_stat_matches_the_ordinary_one() {
        let dir = std::env::temp_dir();
        let at = At::cwd(CString::new(dir.as_os_str().as_encoded_bytes()).unwrap());
        // Warm the dentry cache, then compare.
        let slow = stat::stat_at(&at, true).unwrap();
        match stat(&at, true) {
            Cached::Done(fast) => {
                assert_eq!((fast.dev, fast.ino, fast.mode), (slow.dev, slow.ino, slow.mode));
            }
            // Old kernel, or a temp dir on a filesystem not on the list: nothing to compare.
            Cached::WouldBlock => eprintln!("cached stat unavailable here; skipped"),
        }
        let missing = At::cwd(CString::new("/nonexistent/eio/cached").unwrap());
        assert!(matches!(stat(&missing, true), Cached::WouldBlock), "errors must take the ordinary path");
    }
}
