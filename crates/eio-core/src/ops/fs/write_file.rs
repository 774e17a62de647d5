//! Node's `writeFile` (and `appendFile`) as one request: open, write everything, fsync
//! if asked (`flush`), close.
//!
//! Node writes in chunks of 512 KiB, one round trip through its pool each, and checks its
//! `AbortSignal` between them; this writes in one request and checks the request's abort
//! flag between chunks.

use std::os::fd::{AsRawFd, IntoRawFd, RawFd};

use super::{step, stop_if_aborted};
use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::At;
use crate::sys::{file, meta};
use crate::value::ReqError;

/// Bytes given to each `write(2)`: an abort is noticed after at most this much.
const CHUNK: usize = 8 << 20;

/// Where `writeFile` writes to.
#[derive(Debug)]
pub enum Dest {
    /// A path, opened with these flags and, if it creates the file, this mode.
    Path { at: At, flags: i32, mode: u32 },
    /// An open fd, written at its file position; it stays open.
    Fd(RawFd),
}

/// Writes all of `data`; see the module documentation. Errors name the failing step.
pub fn write_file(dst: &Dest, data: &[u8], flush: bool, ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
    match dst {
        Dest::Fd(fd) => write_fd(*fd, data, flush, ctx),
        Dest::Path { at, flags, mode } => {
            let fd = file::open(at, *flags | libc::O_NOCTTY, *mode).map_err(step("open"))?;
            let written = write_fd(fd.as_raw_fd(), data, flush, ctx);
            // close(2) reports write-back errors on some filesystems (NFS): part of the result.
            let closed = file::close(fd.into_raw_fd()).map_err(step("close"));
            written.and(closed)
        }
    }
}

fn write_fd(fd: RawFd, data: &[u8], flush: bool, ctx: &ReqCtx<'_>) -> Result<(), ReqError> {
    let mut done = 0;
    while done < data.len() {
        stop_if_aborted(ctx)?;
        let end = data.len().min(done + CHUNK);
        let n = file::write(fd, &data[done..end], None).map_err(step("write"))?;
        if n == 0 {
            // write(2) of a non-empty range never returns 0 on a file; do not spin.
            return Err(ReqError::os(Errno(libc::EIO)).with_syscall("write"));
        }
        done += n;
    }
    if flush {
        meta::fsync(fd).map_err(step("fsync"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::{Seek, SeekFrom, Write};
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::PermissionsExt;

    use super::super::testutil::{errno_of, with_ctx, TempDir};
    use super::*;

    const CREATE: i32 = libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC;
    const APPEND: i32 = libc::O_WRONLY | libc::O_CREAT | libc::O_APPEND;

    #[test]
    fn writes_paths_like_node() {
        let t = TempDir::new("write-file");
        fs::write(t.path("old"), b"previous contents").unwrap();
        fs::write(t.path("log"), b"one\n").unwrap();
        let big = vec![5u8; 2 * CHUNK + 3];
        // (file, flags, data, expected contents or errno, what the row shows)
        let rows: Vec<(&str, i32, &[u8], Result<Vec<u8>, i32>, &str)> = vec![
            ("new", CREATE, b"hello", Ok(b"hello".to_vec()), "creates"),
            ("old", CREATE, b"short", Ok(b"short".to_vec()), "truncates (O_TRUNC)"),
            ("log", APPEND, b"two\n", Ok(b"one\ntwo\n".to_vec()), "appends (O_APPEND)"),
            ("big", CREATE, &big, Ok(big.clone()), "several chunks"),
            ("empty", CREATE, b"", Ok(Vec::new()), "nothing to write still creates"),
            ("old", CREATE | libc::O_EXCL, b"x", Err(libc::EEXIST), "O_EXCL"),
            ("nodir/f", CREATE, b"x", Err(libc::ENOENT), "open fails"),
        ];
        for (name, flags, data, want, what) in rows {
            let dst = Dest::Path { at: t.at(name), flags, mode: 0o640 };
            let got = with_ctx(false, |ctx| write_file(&dst, data, false, ctx));
            match (got, want) {
                (Ok(()), Ok(contents)) => assert_eq!(fs::read(t.path(name)).unwrap(), contents, "{what}"),
                (Err(e), Err(errno)) => assert_eq!(errno_of(&e), errno, "{what}"),
                (got, want) => panic!("{what}: {got:?} instead of {want:?}"),
            }
        }
        let mode = fs::metadata(t.path("new")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & !0o022, 0o640 & !0o022, "the mode (under the umask) of a created file");
    }

    #[test]
    fn an_fd_is_written_at_its_position_and_left_open() {
        let t = TempDir::new("write-file-fd");
        let mut file = fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(t.path("f"))
            .unwrap();
        file.write_all(b"0123456789").unwrap();
        file.seek(SeekFrom::Start(2)).unwrap();
        with_ctx(false, |ctx| write_file(&Dest::Fd(file.as_raw_fd()), b"ab", true, ctx)).unwrap();
        assert_eq!(fs::read(t.path("f")).unwrap(), b"01ab456789");
        assert_eq!(file.stream_position().unwrap(), 4, "the fd stays open, its position moved");
    }

    #[test]
    fn an_abort_stops_before_writing() {
        let t = TempDir::new("write-file-abort");
        let dst = Dest::Path { at: t.at("f"), flags: CREATE, mode: 0o666 };
        let got = with_ctx(true, |ctx| write_file(&dst, b"data", false, ctx));
        assert_eq!(errno_of(&got.unwrap_err()), libc::ECANCELED);
        assert_eq!(fs::read(t.path("f")).unwrap(), b"", "opened (and created) but nothing written");
    }
}
