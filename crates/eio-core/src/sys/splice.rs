//! Moving bytes between pipes and other descriptors inside the kernel — splice, tee — and
//! the pipes themselves: pipe2, the pipe buffer size. (`sendfile` is in `meta`.)
//!
//! All but `pipe2` are Linux's, and darwin has no `pipe2`: there (and with `--cfg
//! eio_portable`) they fail with `ENOSYS`, except a `pipe2` without flags, which `pipe`
//! does, as IO::AIO's `pipe2` does.

use std::os::fd::{FromRawFd, OwnedFd, RawFd};

#[cfg(eio_linux)]
use super::cvt::cvt_r;
#[cfg(not(eio_linux))]
use super::cvt::Errno;
use super::cvt::{cvt, SysResult};

/// `pipe2(2)` — a new pipe, `(read end, write end)`, with `flags | O_CLOEXEC` (`O_NONBLOCK`,
/// `O_DIRECT`), so that no fd eio opens leaks into a child process.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/pipe2.2.html>
#[cfg(any(eio_linux, target_os = "freebsd"))]
pub fn pipe2(flags: i32) -> SysResult<(OwnedFd, OwnedFd)> {
    let mut fds = [-1; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), flags | libc::O_CLOEXEC) })?;
    // SAFETY: pipe2 succeeded, so both are new fds that nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// `pipe(2)`, then `FD_CLOEXEC` on both ends, where `pipe2` is missing (darwin): only
/// without flags (`O_CLOEXEC` aside), `ENOSYS` otherwise, as IO::AIO does. (A child
/// forked by another thread between the two calls inherits the ends.)
///
/// # References
/// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/pipe.html>
#[cfg(not(any(eio_linux, target_os = "freebsd")))]
pub fn pipe2(flags: i32) -> SysResult<(OwnedFd, OwnedFd)> {
    if flags & !libc::O_CLOEXEC != 0 {
        return Err(Errno(libc::ENOSYS));
    }
    let mut fds = [-1; 2];
    // SAFETY: `fds` has room for the two descriptors pipe writes.
    cvt(unsafe { libc::pipe(fds.as_mut_ptr()) })?;
    // SAFETY: pipe succeeded, so both are new fds that nothing else owns.
    let ends = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    for fd in fds {
        // SAFETY: F_SETFD takes an integer and touches no memory.
        cvt(unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) })?;
    }
    Ok(ends)
}

/// `fcntl(F_GETPIPE_SZ)` — the capacity of the pipe `fd` in bytes.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fcntl.2.html>
#[cfg(eio_linux)]
pub fn pipe_size(fd: RawFd) -> SysResult<i32> {
    // SAFETY: F_GETPIPE_SZ takes no argument and touches no memory.
    cvt(unsafe { libc::fcntl(fd, libc::F_GETPIPE_SZ) })
}

/// `fcntl(F_SETPIPE_SZ)` — sets the capacity of the pipe `fd` to at least `size` bytes;
/// returns the capacity the kernel chose (a power-of-two number of pages).
#[cfg(eio_linux)]
pub fn set_pipe_size(fd: RawFd, size: i32) -> SysResult<i32> {
    // SAFETY: F_SETPIPE_SZ takes an integer and touches no memory.
    cvt(unsafe { libc::fcntl(fd, libc::F_SETPIPE_SZ, size) })
}

/// The pipe buffer size is Linux's to read and set (`ENOSYS` elsewhere).
#[cfg(not(eio_linux))]
pub fn pipe_size(_fd: RawFd) -> SysResult<i32> {
    Err(Errno(libc::ENOSYS))
}

/// The pipe buffer size is Linux's to read and set (`ENOSYS` elsewhere).
#[cfg(not(eio_linux))]
pub fn set_pipe_size(_fd: RawFd, _size: i32) -> SysResult<i32> {
    Err(Errno(libc::ENOSYS))
}

/// `splice(2)` — moves up to `len` bytes from `fd_in` to `fd_out`, one of which must be a
/// pipe. An offset given is where to read or write in that file (and is advanced); `None`
/// uses and moves the file position. Returns the bytes moved, 0 at end of input.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/splice.2.html>
#[cfg(eio_linux)]
pub fn splice(
    fd_in: RawFd,
    off_in: Option<&mut i64>,
    fd_out: RawFd,
    off_out: Option<&mut i64>,
    len: usize,
    flags: u32,
) -> SysResult<usize> {
    let off_in = off_in.map_or(std::ptr::null_mut(), |o| o as *mut i64);
    let off_out = off_out.map_or(std::ptr::null_mut(), |o| o as *mut i64);
    // SAFETY: each offset pointer is null or points to an i64 that outlives the call.
    let n = cvt_r(|| unsafe { libc::splice(fd_in, off_in, fd_out, off_out, len, flags) })?;
    Ok(n as usize)
}

/// `tee(2)` — copies up to `len` bytes from the pipe `fd_in` to the pipe `fd_out` without
/// consuming them. Returns the bytes copied.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/tee.2.html>
#[cfg(eio_linux)]
pub fn tee(fd_in: RawFd, fd_out: RawFd, len: usize, flags: u32) -> SysResult<usize> {
    // SAFETY: tee only reads its integer arguments.
    let n = cvt_r(|| unsafe { libc::tee(fd_in, fd_out, len, flags) })?;
    Ok(n as usize)
}

/// `splice` is Linux's (`ENOSYS` elsewhere).
#[cfg(not(eio_linux))]
pub fn splice(
    _fd_in: RawFd,
    _off_in: Option<&mut i64>,
    _fd_out: RawFd,
    _off_out: Option<&mut i64>,
    _len: usize,
    _flags: u32,
) -> SysResult<usize> {
    Err(Errno(libc::ENOSYS))
}

/// `tee` is Linux's (`ENOSYS` elsewhere).
#[cfg(not(eio_linux))]
pub fn tee(_fd_in: RawFd, _fd_out: RawFd, _len: usize, _flags: u32) -> SysResult<usize> {
    Err(Errno(libc::ENOSYS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::cvt::Errno;
    use crate::sys::file;
    use std::os::fd::AsRawFd;

    #[cfg(eio_linux)]
    fn temp_file(contents: &[u8]) -> std::fs::File {
        use std::io::Write;
        let dir = std::env::temp_dir();
        let path = dir.join(format!("eio-splice-{}-{:?}", std::process::id(), std::thread::current().id()));
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        f.write_all(contents).unwrap();
        f
    }

    #[test]
    #[cfg(not(eio_linux))]
    fn pipe_without_pipe2_and_no_splice() {
        let (r, w) = pipe2(libc::O_CLOEXEC).unwrap();
        for fd in [&r, &w] {
            // SAFETY: F_GETFD only reads the fd's flags.
            let fdflags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
            assert_eq!(fdflags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
        }
        assert_eq!(file::write(w.as_raw_fd(), b"x", None), Ok(1));
        let enosys = Err(Errno(libc::ENOSYS));
        assert_eq!(pipe2(libc::O_NONBLOCK).map(drop), enosys.map(drop));
        assert_eq!(pipe_size(r.as_raw_fd()), enosys);
        assert_eq!(set_pipe_size(r.as_raw_fd(), 4096), enosys);
        let n = splice(r.as_raw_fd(), None, w.as_raw_fd(), None, 1, 0);
        assert_eq!(n, Err(Errno(libc::ENOSYS)));
        assert_eq!(tee(r.as_raw_fd(), w.as_raw_fd(), 1, 0), Err(Errno(libc::ENOSYS)));
    }

    #[test]
    #[cfg(eio_linux)]
    fn pipes_splice_and_tee() {
        let (r, w) = pipe2(0).unwrap();
        // SAFETY: F_GETFD only reads the fd's flags.
        let fdflags = unsafe { libc::fcntl(r.as_raw_fd(), libc::F_GETFD) };
        assert_eq!(fdflags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
        let size = set_pipe_size(w.as_raw_fd(), 1 << 16).unwrap();
        assert_eq!(pipe_size(r.as_raw_fd()).unwrap(), size);

        let f = temp_file(b"hello splice");
        let mut off = 6;
        let n = splice(f.as_raw_fd(), Some(&mut off), w.as_raw_fd(), None, 100, 0).unwrap();
        assert_eq!((n, off), (6, 12));

        let (r2, w2) = pipe2(libc::O_NONBLOCK).unwrap();
        assert_eq!(tee(r.as_raw_fd(), w2.as_raw_fd(), 100, 0).unwrap(), 6);
        let mut out = [0u8; 16];
        let n = file::read(r2.as_raw_fd(), &mut out, None).unwrap();
        assert_eq!(&out[..n], b"splice");
        let n = file::read(r.as_raw_fd(), &mut out, None).unwrap();
        assert_eq!(&out[..n], b"splice");
        // The empty non-blocking pipe has nothing to read.
        assert_eq!(file::read(r2.as_raw_fd(), &mut out, None), Err(Errno(libc::EAGAIN)));
        assert_eq!(pipe_size(f.as_raw_fd()), Err(Errno(libc::EBADF)));
        assert_eq!(tee(f.as_raw_fd(), w.as_raw_fd(), 1, 0), Err(Errno(libc::EINVAL)));
    }
}
