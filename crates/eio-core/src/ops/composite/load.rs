//! `aio_load`: a whole file into memory.

use std::os::fd::AsRawFd;

use super::{check_abort, step};
use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::file;
use crate::sys::path::At;
use crate::sys::stat::{self, mode};
use crate::value::ReqError;

/// Bytes read per call: an abort is noticed after at most this much.
const CHUNK: usize = 8 << 20;
/// The largest file loaded: Node 20's largest `Buffer` (`buffer.constants.MAX_LENGTH`).
const MAX_LOAD: usize = 1 << 32;

/// Reads `at` to its end. `st_size` only sizes the first allocation: files whose size the
/// kernel does not know (procfs says 0) or that grow meanwhile are still read whole. A
/// file larger than [`MAX_LOAD`] fails with `EFBIG`.
pub fn load(at: &At, ctx: &ReqCtx<'_>) -> Result<Vec<u8>, ReqError> {
    let fd = file::open(at, libc::O_RDONLY | libc::O_NOCTTY, 0).map_err(step("open"))?;
    let st = stat::fstat(fd.as_raw_fd()).map_err(step("fstat"))?;
    if st.mode & mode::S_IFMT == mode::S_IFDIR {
        return Err(ReqError::os(Errno(libc::EISDIR)).with_syscall("read"));
    }
    let too_big = || ReqError::os(Errno(libc::EFBIG)).with_syscall("read");
    if st.size as u64 > MAX_LOAD as u64 {
        return Err(too_big());
    }
    // One byte more than the size, so that reaching the end takes no reallocation.
    let mut buf: Vec<u8> = Vec::with_capacity(st.size.max(0) as usize + 1);
    loop {
        check_abort(ctx)?;
        if buf.len() > MAX_LOAD {
            return Err(too_big());
        }
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(buf.len().clamp(64 << 10, CHUNK));
        }
        let len = buf.len();
        let room = (buf.capacity() - len).min(CHUNK);
        buf.resize(len + room, 0);
        let n = file::read(fd.as_raw_fd(), &mut buf[len..], None);
        let n = match n {
            Ok(n) => n,
            Err(e) => return Err(step("read")(e)),
        };
        buf.truncate(len + n);
        if n == 0 {
            return Ok(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::testutil::{with_ctx, TempDir};

    #[test]
    fn sizes() {
        let t = TempDir::new("load");
        fs::File::create(t.path("huge")).unwrap().set_len(MAX_LOAD as u64 + 1).unwrap();
        fs::write(t.path("small"), b"abc").unwrap();
        // (file, expected length or errno)
        let rows: [(&str, Result<usize, i32>); 4] = [
            ("small", Ok(3)),
            ("/proc/self/stat", Ok(0)), // st_size 0, yet read whole: checked as non-empty
            ("huge", Err(libc::EFBIG)), // refused before reading anything
            ("missing", Err(libc::ENOENT)),
        ];
        for (name, want) in rows {
            let at = if name.starts_with('/') {
                At::cwd(std::ffi::CString::new(name).unwrap())
            } else {
                t.at(name)
            };
            let got = with_ctx(false, |ctx| load(&at, ctx));
            match (got, want) {
                (Ok(bytes), Ok(0)) => assert!(!bytes.is_empty(), "{name}"),
                (Ok(bytes), Ok(n)) => assert_eq!(bytes.len(), n, "{name}"),
                (Err(e), Err(errno)) => {
                    assert_eq!(e.errno().map(|e| e.raw()), Some(errno), "{name}")
                }
                (got, want) => panic!("{name}: {got:?} instead of {want:?}"),
            }
        }
    }
}
