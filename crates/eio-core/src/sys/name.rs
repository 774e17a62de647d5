//! Operations on directory entries by name: unlink, mkdir, rmdir, rename.

use super::cvt::{cvt, SysResult};
use super::path::At;

/// `unlinkat(2)` — removes a name; with `AT_REMOVEDIR` in `flags`, an empty directory.
pub fn unlink(at: &At, flags: i32) -> SysResult<()> {
    // SAFETY: the path is a valid C string for the duration of the call.
    cvt(unsafe { libc::unlinkat(at.dirfd(), at.c_path().as_ptr(), flags) }).map(drop)
}

/// `mkdirat(2)` — creates a directory.
pub fn mkdir(at: &At, mode: u32) -> SysResult<()> {
    // SAFETY: the path is a valid C string for the duration of the call.
    cvt(unsafe { libc::mkdirat(at.dirfd(), at.c_path().as_ptr(), mode as libc::mode_t) }).map(drop)
}

/// `renameat2(2)` — renames `from` to `to`; `flags` takes `RENAME_NOREPLACE`,
/// `RENAME_EXCHANGE` or `RENAME_WHITEOUT`. With no flags it is plain `renameat`, so that it
/// also works where renameat2 is missing.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/rename.2.html>
#[cfg(eio_linux)]
pub fn rename(from: &At, to: &At, flags: u32) -> SysResult<()> {
    let (fd1, p1, fd2, p2) = (from.dirfd(), from.c_path().as_ptr(), to.dirfd(), to.c_path().as_ptr());
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
    let (fd1, p1, fd2, p2) = (from.dirfd(), from.c_path().as_ptr(), to.dirfd(), to.c_path().as_ptr());
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
    if flags != 0 {
        return Err(super::cvt::Errno(libc::ENOSYS));
    }
    let (fd1, p1, fd2, p2) = (from.dirfd(), from.c_path().as_ptr(), to.dirfd(), to.c_path().as_ptr());
    // SAFETY: both paths are valid C strings for the duration of the call.
    cvt(unsafe { libc::renameat(fd1, p1, fd2, p2) }).map(drop)
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
