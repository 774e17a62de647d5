//! Node's `readFile` as one request: open, fstat, read, close.
//!
//! Node (lib/internal/fs/promises.js, `readFileHandle`) sizes the read by `fstat`: a
//! regular file is read up to the size it had then (a file growing meanwhile is cut
//! there, one shrinking ends early), anything else (procfs, pipes, devices: size 0)
//! until the end. This does the same, in one request instead of one per step.

use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd, RawFd};

use super::{step, stop_if_aborted};
use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::file;
use crate::sys::path::At;
use crate::sys::stat::{self, mode};
use crate::value::ReqError;

/// The most bytes a read file may have: Node's `kIoMaxLength` (2 GiB - 1), beyond which
/// its `readFile` fails (`ERR_FS_FILE_TOO_LARGE`). Larger files fail with `EFBIG`.
pub const READ_FILE_MAX: usize = (1 << 31) - 1;
/// Bytes asked of each `read(2)`: an abort is noticed after at most this much.
const CHUNK: usize = 8 << 20;
/// The first allocation for a file whose size is unknown (Node's
/// `kReadFileUnknownBufferLength`).
const UNKNOWN_SIZE_START: usize = 64 << 10;

/// Where `readFile` reads from.
#[derive(Debug)]
pub enum Source {
    /// A path, opened with these `open(2)` flags (`O_CREAT` creates it with mode 0666).
    Path { at: At, flags: i32 },
    /// An open fd, read from its file position; it stays open.
    Fd(RawFd),
}

/// Reads the file; see the module documentation. Errors name the failing step.
pub fn read_file(src: &Source, ctx: &ReqCtx<'_>) -> Result<Vec<u8>, ReqError> {
    match src {
        Source::Fd(fd) => read_fd(*fd, ctx),
        Source::Path { at, flags } => {
            let fd = file::open(at, *flags | libc::O_NOCTTY, 0o666).map_err(step("open"))?;
            let read = read_fd(fd.as_raw_fd(), ctx);
            let closed = close(fd);
            let bytes = read?;
            closed?;
            Ok(bytes)
        }
    }
}

/// Closes an fd this request opened, reporting the error `close(2)` gives (NFS reports
/// write-back errors there).
fn close(fd: OwnedFd) -> Result<(), ReqError> {
    file::close(fd.into_raw_fd()).map_err(step("close"))
}

fn read_fd(fd: RawFd, ctx: &ReqCtx<'_>) -> Result<Vec<u8>, ReqError> {
    let st = stat::fstat(fd).map_err(step("fstat"))?;
    let size = if st.mode & mode::S_IFMT == mode::S_IFREG { st.size.max(0) as u64 } else { 0 };
    if size > READ_FILE_MAX as u64 {
        return Err(ReqError::os(Errno(libc::EFBIG)).with_syscall("read"));
    }
    // A known size is read exactly; an unknown one until the end of the file.
    let (limit, mut buf) = match size as usize {
        0 => (READ_FILE_MAX, Vec::with_capacity(UNKNOWN_SIZE_START)),
        n => (n, Vec::with_capacity(n)),
    };
    loop {
        stop_if_aborted(ctx)?;
        if buf.len() == limit {
            if size == 0 {
                // An unknown size that reached the limit: too large (Node would fail
                // building a Buffer or string of it).
                return Err(ReqError::os(Errno(libc::EFBIG)).with_syscall("read"));
            }
            return Ok(buf);
        }
        if buf.capacity() == buf.len() {
            buf.reserve(buf.len().clamp(UNKNOWN_SIZE_START, CHUNK));
        }
        let len = buf.len();
        let room = (buf.capacity() - len).min(limit - len).min(CHUNK);
        buf.resize(len + room, 0);
        let n = file::read(fd, &mut buf[len..], None);
        let n = n.map_err(step("read"))?;
        buf.truncate(len + n);
        if n == 0 {
            return Ok(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::{Seek, SeekFrom};
    use std::os::fd::AsRawFd;

    use super::super::testutil::{errno_of, with_ctx, TempDir};
    use super::*;

    fn path_src(t: &TempDir, name: &str, flags: i32) -> Source {
        Source::Path { at: t.at(name), flags }
    }

    #[test]
    fn reads_paths_like_node() {
        let t = TempDir::new("read-file");
        fs::write(t.path("small"), b"hello").unwrap();
        fs::write(t.path("empty"), b"").unwrap();
        fs::write(t.path("big"), vec![7u8; 3 * CHUNK + 5]).unwrap();
        fs::create_dir(t.path("dir")).unwrap();
        // (source, expected length or errno, what the row shows)
        let rows: Vec<(Source, Result<usize, i32>, &str)> = vec![
            (path_src(&t, "small", libc::O_RDONLY), Ok(5), "a small file, in one read"),
            (path_src(&t, "empty", libc::O_RDONLY), Ok(0), "an empty file"),
            (path_src(&t, "big", libc::O_RDONLY), Ok(3 * CHUNK + 5), "several chunks"),
            (
                Source::Path { at: At::cwd(c"/proc/self/status".into()), flags: libc::O_RDONLY },
                Ok(usize::MAX),
                "st_size 0: read to the end (checked non-empty)",
            ),
            (path_src(&t, "missing", libc::O_RDONLY), Err(libc::ENOENT), "open fails"),
            (path_src(&t, "dir", libc::O_RDONLY), Err(libc::EISDIR), "read(2) of a directory"),
            (path_src(&t, "new", libc::O_RDWR | libc::O_CREAT), Ok(0), "flags are honoured: O_CREAT"),
            (path_src(&t, "small", libc::O_WRONLY), Err(libc::EBADF), "a write-only open cannot read"),
        ];
        for (src, want, what) in rows {
            let got = with_ctx(false, |ctx| read_file(&src, ctx));
            match (got, want) {
                (Ok(bytes), Ok(usize::MAX)) => assert!(!bytes.is_empty(), "{what}"),
                (Ok(bytes), Ok(n)) => assert_eq!(bytes.len(), n, "{what}"),
                (Err(e), Err(errno)) => assert_eq!(errno_of(&e), errno, "{what}"),
                (got, want) => panic!("{what}: {got:?} instead of {want:?}"),
            }
        }
        assert!(t.path("new").exists(), "O_CREAT made the file");
    }

    #[test]
    fn an_fd_is_read_from_its_position_and_left_open() {
        let t = TempDir::new("read-file-fd");
        fs::write(t.path("f"), b"0123456789").unwrap();
        let mut file = fs::File::open(t.path("f")).unwrap();
        file.seek(SeekFrom::Start(4)).unwrap();
        let got = with_ctx(false, |ctx| read_file(&Source::Fd(file.as_raw_fd()), ctx)).unwrap();
        assert_eq!(got, b"456789");
        // Still open, at the end now.
        assert_eq!(file.stream_position().unwrap(), 10);
    }

    #[test]
    fn an_abort_stops_between_chunks() {
        let t = TempDir::new("read-file-abort");
        fs::write(t.path("f"), b"x").unwrap();
        let got = with_ctx(true, |ctx| read_file(&path_src(&t, "f", libc::O_RDONLY), ctx));
        assert_eq!(errno_of(&got.unwrap_err()), libc::ECANCELED);
    }

    #[test]
    fn more_than_node_reads_is_efbig_before_reading() {
        let t = TempDir::new("read-file-huge");
        fs::File::create(t.path("huge")).unwrap().set_len(READ_FILE_MAX as u64 + 1).unwrap();
        let got = with_ctx(false, |ctx| read_file(&path_src(&t, "huge", libc::O_RDONLY), ctx));
        let err = got.unwrap_err();
        assert_eq!(errno_of(&err), libc::EFBIG);
        assert!(matches!(err, ReqError::Os { syscall: Some("read"), .. }), "{err:?}");
    }
}
