//! `aio_load`: a whole file into memory.

use std::os::fd::AsRawFd;

use super::{check_abort, step};
use crate::req::ReqCtx;
use crate::sys::file;
use crate::sys::path::At;
use crate::sys::stat::{self, StatTarget};
use crate::value::ReqError;

/// Bytes read per call: an abort is noticed after at most this much.
const CHUNK: usize = 8 << 20;

/// Reads `at` to its end. `st_size` only sizes the first allocation: files whose size the
/// kernel does not know (procfs says 0) or that grow meanwhile are still read whole.
pub fn load(at: &At, ctx: &ReqCtx<'_>) -> Result<Vec<u8>, ReqError> {
    let fd = file::open(at, libc::O_RDONLY | libc::O_NOCTTY, 0).map_err(step("open"))?;
    let st = stat::stat(StatTarget::Fd(fd.as_raw_fd())).map_err(step("fstat"))?;
    if st.mode & libc::S_IFMT == libc::S_IFDIR {
        return Err(ReqError::os(crate::Errno(libc::EISDIR)).with_syscall("read"));
    }
    // One byte more than the size, so that reaching the end takes no reallocation.
    let mut buf: Vec<u8> = Vec::with_capacity((st.size.max(0) as usize).saturating_add(1));
    loop {
        check_abort(ctx)?;
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
