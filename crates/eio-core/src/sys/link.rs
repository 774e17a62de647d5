//! Links and names: mknodat, linkat, symlinkat, readlinkat, and the kernel's own view of
//! where an open fd lives (`/proc/self/fd` on Linux, `F_GETPATH` on darwin, `F_KINFO` on
//! FreeBSD), which `wd` (and on Linux `realpath`) is built on.

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::cvt::{cvt, Errno, SysResult};
use super::path::At;

/// `mknodat(2)` — creates a filesystem node: a FIFO, a socket, a regular file, or (with
/// `CAP_MKNOD`) a character or block device; `mode` carries the `S_IF*` type bits.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/mknodat.2.html>
#[cfg(any(eio_linux, target_os = "freebsd"))]
pub fn mknod(at: &At, mode: u32, dev: u64) -> SysResult<()> {
    // SAFETY: the path is a valid C string for the duration of the call.
    cvt(unsafe { libc::mknodat(at.dirfd(), at.c_path().as_ptr(), mode as libc::mode_t, dev as libc::dev_t) })
        .map(drop)
}

/// `mknod(2)` of the absolute path of `at` (see [`absolute`]): darwin has `mknodat` only
/// since macOS 13, and a library that names it does not load on older systems. A FIFO
/// needs no privilege there either (darwin's `mknod` makes it as `mkfifo` does).
///
/// # References
/// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/mknod.html>
#[cfg(not(any(eio_linux, target_os = "freebsd")))]
// `mode_t` is a u16 and `dev_t` an i32 on darwin.
#[allow(clippy::unnecessary_cast)]
pub fn mknod(at: &At, mode: u32, dev: u64) -> SysResult<()> {
    let path = absolute(at)?;
    // SAFETY: the path is a valid C string for the duration of the call.
    cvt(unsafe { libc::mknod(path.as_ptr(), mode as libc::mode_t, dev as libc::dev_t) }).map(drop)
}

/// The path of `at` for the calls that have no `*at` form: `at`'s own when it is absolute
/// or relative to the current directory, else its directory's path (see [`fd_path`])
/// joined with it, as libeio does for a working directory where `*at` calls are missing.
/// The empty path names nothing (`ENOENT`), as for the `*at` calls.
#[cfg(not(eio_linux))]
fn absolute(at: &At) -> SysResult<CString> {
    let rel = at.c_path().to_bytes();
    match &at.base {
        _ if rel.is_empty() => Err(Errno(libc::ENOENT)),
        super::path::Base::Dir(dir) if rel[0] != b'/' => {
            let mut path = fd_path(dir)?;
            path.push(b'/');
            path.extend_from_slice(rel);
            CString::new(path).map_err(|_| Errno(libc::EINVAL))
        }
        _ => Ok(at.c_path().to_owned()),
    }
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

/// `fchownat(2)` with `AT_SYMLINK_NOFOLLOW` — changes the owner and group of `name` in the
/// directory open on `dirfd`, of the link itself when it is a symlink; `u32::MAX` (-1)
/// leaves one as it is.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fchownat.2.html>
pub fn lchown_c(dirfd: RawFd, name: &CStr, uid: u32, gid: u32) -> SysResult<()> {
    // SAFETY: the name is a valid C string for the duration of the call.
    cvt(unsafe { libc::fchownat(dirfd, name.as_ptr(), uid, gid, libc::AT_SYMLINK_NOFOLLOW) }).map(drop)
}

/// `utimensat(2)` with `AT_SYMLINK_NOFOLLOW` — sets the access and modification times of
/// `name` in the directory open on `dirfd`, of the link itself when it is a symlink, to
/// `(seconds, nanoseconds)`.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/utimensat.2.html>
pub fn lutimens_c(dirfd: RawFd, name: &CStr, times: [(i64, u32); 2]) -> SysResult<()> {
    let ts = times
        .map(|(sec, nsec)| libc::timespec { tv_sec: sec as libc::time_t, tv_nsec: nsec as libc::c_long });
    // SAFETY: the name is a valid C string; `ts` holds the two timespecs the call reads.
    cvt(unsafe { libc::utimensat(dirfd, name.as_ptr(), ts.as_ptr(), libc::AT_SYMLINK_NOFOLLOW) }).map(drop)
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
#[cfg(target_os = "linux")]
const DELETED: &[u8] = b" (deleted)";

/// The absolute path of the file open on `fd`, as the kernel records it
/// (`/proc/self/fd/N`, see proc(5)). `ENOENT` if the file was removed meanwhile or lies
/// outside the process's root; `ENOSYS` without a mounted `/proc`.
///
/// # References
/// - <https://man7.org/linux/man-pages/man5/proc_pid_fd.5.html>
#[cfg(target_os = "linux")]
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
        let st = super::stat::fstat(fd.as_raw_fd())?;
        if st.nlink == 0 {
            return Err(Errno(libc::ENOENT));
        }
    }
    Ok(path)
}

/// `fcntl(F_GETPATH)` (darwin) — the absolute path of the file open on `fd`, as the
/// kernel last saw it; `ENOENT` if it has no name any more (no link left).
///
/// # References
/// - <https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man2/fcntl.2.html>
#[cfg(target_vendor = "apple")]
pub fn fd_path(fd: &OwnedFd) -> SysResult<Vec<u8>> {
    let mut buf = vec![0u8; libc::MAXPATHLEN as usize];
    // SAFETY: F_GETPATH writes a NUL-terminated path of at most MAXPATHLEN bytes to `buf`.
    cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETPATH, buf.as_mut_ptr()) })?;
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    buf.truncate(len);
    named_or_enoent(fd, buf)
}

/// `fcntl(F_KINFO)` (FreeBSD 13.1 and later) — the absolute path of the file open on
/// `fd`, from the kernel's name cache; `ENOENT` if it has no name any more (or the cache
/// lost it), `ENOSYS` on older kernels.
///
/// # References
/// - <https://man.freebsd.org/cgi/man.cgi?query=fcntl&sektion=2>
#[cfg(target_os = "freebsd")]
pub fn fd_path(fd: &OwnedFd) -> SysResult<Vec<u8>> {
    let mut info = std::mem::MaybeUninit::<libc::kinfo_file>::zeroed();
    // SAFETY: the buffer is zeroed and large enough for a `kinfo_file`.
    unsafe { (&raw mut (*info.as_mut_ptr()).kf_structsize).write(size_of::<libc::kinfo_file>() as i32) };
    // SAFETY: F_KINFO fills at most `kf_structsize` bytes of the buffer.
    match cvt(unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_KINFO, info.as_mut_ptr()) }) {
        Err(Errno(libc::EINVAL)) => return Err(Errno(libc::ENOSYS)),
        other => other?,
    };
    // SAFETY: zeroed, then filled by the kernel; `kf_path` is NUL-terminated.
    let path = unsafe { CStr::from_ptr((*info.as_ptr()).kf_path.as_ptr()) }.to_bytes().to_vec();
    named_or_enoent(fd, path)
}

/// `path` if the file still has a name, as `fd_path` reports it on Linux: an empty path,
/// or a file with no link left, is `ENOENT`.
#[cfg(not(target_os = "linux"))]
fn named_or_enoent(fd: &OwnedFd, path: Vec<u8>) -> SysResult<Vec<u8>> {
    let st = super::stat::fstat(fd.as_raw_fd())?;
    if path.first() != Some(&b'/') || st.nlink == 0 {
        return Err(Errno(libc::ENOENT));
    }
    Ok(path)
}

/// `open(O_PATH)` of `at`, following symlinks: a handle on the file itself that grants no
/// access to its contents, for asking the kernel where it is. With `directory`, anything
/// but a directory fails with `ENOTDIR`. Never returns fd 0 (IO::AIO's `aio_wd` avoids it
/// so that a closed stdin is never mistaken for a working directory).
///
/// Off Linux (and with `--cfg eio_portable`) there is no `O_PATH` to count on (darwin has
/// none, FreeBSD only since 14): the file is opened read-only (`O_NONBLOCK`: a FIFO does
/// not block), which needs read permission where Linux needs none.
pub fn open_path(at: &At, directory: bool) -> SysResult<OwnedFd> {
    #[cfg(eio_linux)]
    let access = libc::O_PATH;
    #[cfg(not(eio_linux))]
    let access = libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY;
    let flags = access | if directory { libc::O_DIRECTORY } else { 0 };
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
#[cfg(eio_linux)]
pub fn realpath(at: &At) -> SysResult<Vec<u8>> {
    fd_path(&open_path(at, false)?)
}

/// `realpath(3)` of the path of `at` (see [`absolute`]) — the canonical absolute path:
/// every symlink resolved, no `.` or `..`, resolved by libc component by component.
/// Errors as with the lookup: `ENOENT`, `ENOTDIR`, `ELOOP`, `EACCES`.
///
/// # References
/// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/realpath.html>
#[cfg(not(eio_linux))]
pub fn realpath(at: &At) -> SysResult<Vec<u8>> {
    let path = absolute(at)?;
    // SAFETY: the path is a valid C string; with a null buffer realpath allocates the
    // result with malloc.
    let resolved = super::cvt::cvt_ptr(|| unsafe { libc::realpath(path.as_ptr(), std::ptr::null_mut()) })?
        .ok_or(Errno(libc::ENOENT))?;
    // SAFETY: realpath returned a NUL-terminated string, which we own and free below.
    let bytes = unsafe { CStr::from_ptr(resolved.as_ptr()) }.to_bytes().to_vec();
    // SAFETY: allocated by realpath with malloc, and not used after this.
    unsafe { libc::free(resolved.as_ptr().cast()) };
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{at, TempDir};
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn readlink_grows_past_its_first_buffer() {
        let tmp = TempDir::new("long");
        let dir = tmp.0.clone();
        for len in [1, 255, 256, 257, 1000, 4000] {
            let target = "x".repeat(len);
            let link = dir.join(format!("l{len}"));
            symlink(&CString::new(target.clone()).unwrap(), &at(&link)).unwrap();
            assert_eq!(readlink(&at(&link)).unwrap(), target.as_bytes(), "len {len}");
        }
    }

    #[test]
    fn realpath_agrees_with_std_and_reports_lookup_errors() {
        let tmp = TempDir::new("real");
        let dir = tmp.0.clone();
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
    }

    #[test]
    fn paths_relative_to_a_directory_fd() {
        use crate::sys::path::Base;
        use std::os::unix::fs::FileTypeExt;
        let tmp = TempDir::new("rel");
        let dir = std::fs::canonicalize(&tmp.0).unwrap();
        std::fs::create_dir(dir.join("d")).unwrap();
        let base = Base::Dir(std::sync::Arc::new(open_path(&at(&dir), true).unwrap()));
        let rel = |p: &str| At::from_bytes(base.clone(), p.as_bytes().to_vec()).unwrap();
        mknod(&rel("fifo"), libc::S_IFIFO | 0o600, 0).unwrap();
        assert!(std::fs::symlink_metadata(dir.join("fifo")).unwrap().file_type().is_fifo());
        assert_eq!(mknod(&rel("fifo"), libc::S_IFIFO | 0o600, 0), Err(Errno(libc::EEXIST)));
        let d = dir.to_str().unwrap();
        // (path relative to `dir`, realpath)
        let cases: &[(&str, Result<String, i32>)] = &[
            ("d/..", Ok(d.to_string())),
            ("fifo", Ok(format!("{d}/fifo"))),
            // An absolute path ignores the directory.
            ("/", Ok("/".to_string())),
            ("", Err(libc::ENOENT)),
            ("missing", Err(libc::ENOENT)),
        ];
        for (path, want) in cases {
            let got = realpath(&rel(path)).map(|p| String::from_utf8(p).unwrap()).map_err(|e| e.0);
            assert_eq!(&got, want, "realpath({path:?})");
        }
    }

    #[test]
    fn fd_path_of_a_removed_directory_is_enoent() {
        let tmp = TempDir::new("gone");
        let dir = tmp.0.clone();
        let sub = dir.join("sub (deleted)");
        std::fs::create_dir(&sub).unwrap();
        let fd = open_path(&at(&sub), true).unwrap();
        // A name that merely ends in " (deleted)" is still a name.
        assert_eq!(fd_path(&fd).unwrap(), std::fs::canonicalize(&sub).unwrap().as_os_str().as_bytes());
        std::fs::remove_dir(&sub).unwrap();
        assert_eq!(fd_path(&fd), Err(Errno(libc::ENOENT)));
    }
}
