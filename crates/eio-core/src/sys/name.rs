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
pub fn rename(from: &At, to: &At, flags: u32) -> SysResult<()> {
    let (fd1, p1, fd2, p2) = (from.dirfd(), from.c_path().as_ptr(), to.dirfd(), to.c_path().as_ptr());
    if flags == 0 {
        // SAFETY: both paths are valid C strings for the duration of the call.
        return cvt(unsafe { libc::renameat(fd1, p1, fd2, p2) }).map(drop);
    }
    // SAFETY: as above; renameat2 takes plain integers otherwise.
    cvt(unsafe { libc::renameat2(fd1, p1, fd2, p2, flags) }).map(drop)
}
