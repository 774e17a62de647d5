//! Operations on directory entries by name: unlink, mkdir, rmdir, rename; and [`NameBuf`],
//! which turns the names a directory read returns into C strings without allocating.

use std::ffi::CStr;
use std::os::fd::RawFd;

use super::cvt::{cvt, SysResult};
use super::path::At;

/// `unlinkat(2)` — removes a name; with `AT_REMOVEDIR` in `flags`, an empty directory.
pub fn unlink(at: &At, flags: i32) -> SysResult<()> {
    unlink_c(at.dirfd(), at.c_path(), flags)
}

/// [`unlink`] of `path` relative to the directory open on `dirfd`.
pub fn unlink_c(dirfd: RawFd, path: &CStr, flags: i32) -> SysResult<()> {
    // SAFETY: the path is a valid C string for the duration of the call.
    cvt(unsafe { libc::unlinkat(dirfd, path.as_ptr(), flags) }).map(drop)
}

/// `mkdirat(2)` — creates a directory.
pub fn mkdir(at: &At, mode: u32) -> SysResult<()> {
    mkdir_c(at.dirfd(), at.c_path(), mode)
}

/// [`mkdir`] of `path` relative to the directory open on `dirfd`.
// `mode_t` is a u32 on Linux, a u16 on darwin and FreeBSD.
#[allow(clippy::unnecessary_cast)]
pub fn mkdir_c(dirfd: RawFd, path: &CStr, mode: u32) -> SysResult<()> {
    // SAFETY: the path is a valid C string for the duration of the call.
    cvt(unsafe { libc::mkdirat(dirfd, path.as_ptr(), mode as libc::mode_t) }).map(drop)
}

/// A reusable buffer that makes C strings of names: a loop over a directory's entries
/// calls the `_c` syscalls with one buffer instead of a `CString` per entry.
#[derive(Default)]
pub struct NameBuf(Vec<u8>);

impl NameBuf {
    /// `name` as a C string, valid until the next call; `None` if it holds a NUL (a name
    /// read from a directory never does).
    pub fn c_str(&mut self, name: &[u8]) -> Option<&CStr> {
        self.0.clear();
        self.0.extend_from_slice(name);
        self.0.push(0);
        CStr::from_bytes_with_nul(&self.0).ok()
    }
}

/// The flag that makes [`rename`] refuse to replace an existing `to` (`EEXIST`):
/// `RENAME_NOREPLACE` on Linux, `RENAME_EXCL` on darwin. Elsewhere rename takes no
/// flags: any flag, this one too, is `ENOSYS`.
#[cfg(eio_linux)]
pub const NOREPLACE: u32 = libc::RENAME_NOREPLACE;
/// See the Linux definition.
#[cfg(target_vendor = "apple")]
pub const NOREPLACE: u32 = libc::RENAME_EXCL;
/// See the Linux definition.
#[cfg(not(any(eio_linux, target_vendor = "apple")))]
pub const NOREPLACE: u32 = 1;

/// `renameat2(2)` — renames `from` to `to`; `flags` takes `RENAME_NOREPLACE`,
/// `RENAME_EXCHANGE` or `RENAME_WHITEOUT`. With no flags it is plain `renameat`, so that it
/// also works where renameat2 is missing.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/rename.2.html>
#[cfg(eio_linux)]
pub fn rename(from: &At, to: &At, flags: u32) -> SysResult<()> {
    rename_c(from.dirfd(), from.c_path(), to.dirfd(), to.c_path(), flags)
}

/// [`rename`] of paths relative to directory fds.
#[cfg(eio_linux)]
pub fn rename_c(fd1: RawFd, p1: &CStr, fd2: RawFd, p2: &CStr, flags: u32) -> SysResult<()> {
    let (p1, p2) = (p1.as_ptr(), p2.as_ptr());
    if flags == 0 {
        // SAFETY: both paths are valid C strings for the duration of the call.
        return cvt(unsafe { libc::renameat(fd1, p1, fd2, p2) }).map(drop);
    }
    // SAFETY: as above; renameat2 takes plain integers otherwise.
    cvt(unsafe { libc::renameat2(fd1, p1, fd2, p2, flags) }).map(drop)
}

/// `renameatx_np(2)` (darwin) — renames `from` to `to`; `flags` takes darwin's
/// `RENAME_EXCL` and `RENAME_SWAP`, which eio's constants export as `RENAME_NOREPLACE`
/// and `RENAME_EXCHANGE`. With no flags it is plain `renameat`.
///
/// # References
/// - darwin's rename(2) manual page, which documents `renameatx_np`.
#[cfg(target_vendor = "apple")]
pub fn rename(from: &At, to: &At, flags: u32) -> SysResult<()> {
    rename_c(from.dirfd(), from.c_path(), to.dirfd(), to.c_path(), flags)
}

/// [`rename`] of paths relative to directory fds.
#[cfg(target_vendor = "apple")]
pub fn rename_c(fd1: RawFd, p1: &CStr, fd2: RawFd, p2: &CStr, flags: u32) -> SysResult<()> {
    let (p1, p2) = (p1.as_ptr(), p2.as_ptr());
    if flags == 0 {
        // SAFETY: both paths are valid C strings for the duration of the call.
        return cvt(unsafe { libc::renameat(fd1, p1, fd2, p2) }).map(drop);
    }
    // SAFETY: as above; renameatx_np takes plain integers otherwise.
    cvt(unsafe { libc::renameatx_np(fd1, p1, fd2, p2, flags) }).map(drop)
}

/// `renameat(2)` — renames `from` to `to`. Flags are `ENOSYS`: FreeBSD has `renameat2`
/// only since 15.0, which a library built for older releases cannot name.
///
/// # References
/// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/renameat.html>
#[cfg(not(any(eio_linux, target_vendor = "apple")))]
pub fn rename(from: &At, to: &At, flags: u32) -> SysResult<()> {
    rename_c(from.dirfd(), from.c_path(), to.dirfd(), to.c_path(), flags)
}

/// [`rename`] of paths relative to directory fds.
#[cfg(not(any(eio_linux, target_vendor = "apple")))]
pub fn rename_c(fd1: RawFd, p1: &CStr, fd2: RawFd, p2: &CStr, flags: u32) -> SysResult<()> {
    if flags != 0 {
        return Err(super::cvt::Errno(libc::ENOSYS));
    }
    // SAFETY: both paths are valid C strings for the duration of the call.
    cvt(unsafe { libc::renameat(fd1, p1.as_ptr(), fd2, p2.as_ptr()) }).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    #[test]
    fn rename_flags_where_renameat2_is_missing() {
        let tmp = crate::testutil::TempDir::new("rename-flags");
        let dir = tmp.0.clone();
        std::fs::write(dir.join("a"), b"a").unwrap();
        std::fs::write(dir.join("b"), b"b").unwrap();
        let at = |n: &str| At::cwd(CString::new(dir.join(n).as_os_str().as_encoded_bytes()).unwrap());
        let noreplace = rename(&at("a"), &at("b"), libc::RENAME_NOREPLACE).unwrap_err();
        // Natively the target exists; FreeBSD (and eio_portable) has no flags at all.
        let want = if cfg!(eio_linux) { libc::EEXIST } else { libc::ENOSYS };
        assert_eq!(noreplace.0, want);
        rename(&at("a"), &at("b"), 0).unwrap();
        assert_eq!(std::fs::read(dir.join("b")).unwrap(), b"a");
    }
}
