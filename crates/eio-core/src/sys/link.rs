//! Links and names: mknodat, linkat, symlinkat, readlinkat, and the kernel's own view of
//! where an open fd lives (`/proc/self/fd`), which `realpath` and `wd` are built on.

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::cvt::{cvt, Errno, SysResult};
use super::path::At;

/// `mknodat(2)` — creates a filesystem node: a FIFO, a socket, a regular file, or (with
/// `CAP_MKNOD`) a character or block device; `mode` carries the `S_IF*` type bits.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/mknodat.2.html>
pub fn mknod(at: &At, mode: u32, dev: u64) -> SysResult<()> {
    // SAFETY: the path is a valid C string for the duration of the call.
    cvt(unsafe { libc::mknodat(at.dirfd(), at.c_path().as_ptr(), mode as libc::mode_t, dev as libc::dev_t) })
        .map(drop)
}

/// `linkat(2)` — makes `to` a new name for the file `from` (a final symlink in `from` is
/// not followed, as `link(2)` does on Linux).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/linkat.2.html>
pub fn link(from: &At, to: &At) -> SysResult<()> {
    // SAFETY: both paths are valid C strings for the duration of the call.
    cvt(unsafe { libc::linkat(from.dirfd(), from.c_path().as_ptr(), to.dirfd(), to.c_path().as_ptr(), 0) })
        .map(drop)
}

/// `symlinkat(2)` — creates the symlink `at` whose contents are `target`, byte for byte.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/symlinkat.2.html>
pub fn symlink(target: &CStr, at: &At) -> SysResult<()> {
    // SAFETY: both strings are valid C strings for the duration of the call.
    cvt(unsafe { libc::symlinkat(target.as_ptr(), at.dirfd(), at.c_path().as_ptr()) }).map(drop)
}

/// `readlinkat(2)` — the contents of the symlink `path` (relative to `dirfd`), however
/// long: the buffer grows until the contents fit with room to spare, which is how a
/// truncated answer is told apart from a complete one.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/readlinkat.2.html>
pub fn readlink_c(dirfd: RawFd, path: &CStr) -> SysResult<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::with_capacity(256);
    loop {
        let cap = buf.capacity();
        // SAFETY: `buf` is valid for writes of `cap` bytes; the path is a valid C string.
        let n =
            cvt(unsafe { libc::readlinkat(dirfd, path.as_ptr(), buf.as_mut_ptr().cast(), cap) })? as usize;
        if n < cap {
            // SAFETY: readlinkat initialised the first `n` bytes.
            unsafe { buf.set_len(n) };
            return Ok(buf);
        }
        buf.reserve(cap * 2);
    }
}

/// [`readlink_c`] of a path argument.
pub fn readlink(at: &At) -> SysResult<Vec<u8>> {
    readlink_c(at.dirfd(), at.c_path())
}

/// What the kernel appends to `/proc/self/fd/N` when the file has no name any more.
const DELETED: &[u8] = b" (deleted)";

/// The absolute path of the file open on `fd`, as the kernel records it
/// (`/proc/self/fd/N`, see proc(5)). `ENOENT` if the file was removed meanwhile or lies
/// outside the process's root; `ENOSYS` without a mounted `/proc`.
///
/// # References
/// - <https://man7.org/linux/man-pages/man5/proc_pid_fd.5.html>
pub fn fd_path(fd: &OwnedFd) -> SysResult<Vec<u8>> {
    let link =
        CString::new(format!("/proc/self/fd/{}", fd.as_raw_fd())).expect("no NUL in a formatted number");
    let path = match readlink_c(libc::AT_FDCWD, &link) {
        Ok(path) => path,
        Err(Errno(libc::ENOENT)) => return Err(Errno(libc::ENOSYS)),
        Err(e) => return Err(e),
    };
    // Unreachable from our root (another mount namespace, a lazily unmounted fs).
    if path.first() != Some(&b'/') {
        return Err(Errno(libc::ENOENT));
    }
    // The name may itself end in " (deleted)": only a link count of 0 says it is gone.
    if path.ends_with(DELETED) {
        let st = super::stat::stat(super::stat::StatTarget::Fd(fd.as_raw_fd()))?;
        if st.nlink == 0 {
            return Err(Errno(libc::ENOENT));
        }
    }
    Ok(path)
}

/// `open(O_PATH)` of `at`, following symlinks: a handle on the file itself that grants no
/// access to its contents, for asking the kernel where it is. With `directory`, anything
/// but a directory fails with `ENOTDIR`. Never returns fd 0 (IO::AIO's `aio_wd` avoids it
/// so that a closed stdin is never mistaken for a working directory).
pub fn open_path(at: &At, directory: bool) -> SysResult<OwnedFd> {
    let flags = libc::O_PATH | if directory { libc::O_DIRECTORY } else { 0 };
    let fd = super::file::open(at, flags, 0)?;
    if fd.as_raw_fd() != 0 {
        return Ok(fd);
    }
    // SAFETY: F_DUPFD_CLOEXEC only reads its integer arguments.
    let dup = cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 1) })?;
    // SAFETY: fcntl returned a new fd that nothing else owns; `fd` (0) closes on drop.
    Ok(unsafe { OwnedFd::from_raw_fd(dup) })
}

/// The canonical absolute path of `at`: every symlink resolved, no `.` or `..`, as the
/// kernel resolved it in one lookup (so no component can change between steps).
/// Errors are the lookup's: `ENOENT` for an empty path or a missing component, `ENOTDIR`,
/// `ELOOP`, `EACCES`.
pub fn realpath(at: &At) -> SysResult<Vec<u8>> {
    fd_path(&open_path(at, false)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    fn tmp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("eio-link-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn at(p: &Path) -> At {
        At::cwd(CString::new(p.as_os_str().as_bytes()).unwrap())
    }

    #[test]
    fn readlink_grows_past_its_first_buffer() {
        let dir = tmp("long");
        for len in [1, 255, 256, 257, 1000, 4000] {
            let target = "x".repeat(len);
            let link = dir.join(format!("l{len}"));
            symlink(&CString::new(target.clone()).unwrap(), &at(&link)).unwrap();
            assert_eq!(readlink(&at(&link)).unwrap(), target.as_bytes(), "len {len}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn realpath_agrees_with_std_and_reports_lookup_errors() {
        let dir = tmp("real");
        let dir = std::fs::canonicalize(&dir).unwrap();
        std::fs::create_dir(dir.join("d")).unwrap();
        std::fs::write(dir.join("f"), b"").unwrap();
        std::os::unix::fs::symlink("d", dir.join("ld")).unwrap();
        std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
        let d = dir.to_str().unwrap();
        let cases: &[(String, Result<String, i32>)] = &[
            // A symlink and `..` are resolved.
            (format!("{d}/ld/../f"), Ok(format!("{d}/f"))),
            (format!("{d}/./d/"), Ok(format!("{d}/d"))),
            // The empty path names nothing.
            (String::new(), Err(libc::ENOENT)),
            (format!("{d}/missing/x"), Err(libc::ENOENT)),
            // A file used as a directory.
            (format!("{d}/f/x"), Err(libc::ENOTDIR)),
            (format!("{d}/loop"), Err(libc::ELOOP)),
        ];
        for (path, want) in cases {
            let got = realpath(&At::cwd(CString::new(path.as_str()).unwrap()))
                .map(|p| String::from_utf8(p).unwrap())
                .map_err(|e| e.0);
            assert_eq!(&got, want, "realpath({path:?})");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn fd_path_of_a_removed_directory_is_enoent() {
        let dir = tmp("gone");
        let sub = dir.join("sub (deleted)");
        std::fs::create_dir(&sub).unwrap();
        let fd = open_path(&at(&sub), true).unwrap();
        // A name that merely ends in " (deleted)" is still a name.
        assert_eq!(fd_path(&fd).unwrap(), std::fs::canonicalize(&sub).unwrap().as_os_str().as_bytes());
        std::fs::remove_dir(&sub).unwrap();
        assert_eq!(fd_path(&fd), Err(Errno(libc::ENOENT)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
