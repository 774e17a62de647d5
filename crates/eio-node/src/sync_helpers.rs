//! IO::AIO's synchronous "miscellaneous functions": they run on the JS thread and throw.
//!
//! Failures come back as the kernel reports them, a negative errno, in place of the result
//! (`-9` for `EBADF`); `lib/sync.ts` turns that into a Node-style error naming the syscall.
//! So a successful call costs no exception, and the error is built in one place. A result
//! of [`NOT_EIO_MAPPING`] means the function needs a `Buffer` that eio's `mmap` returned.
//!
//! Memory functions never load or store the buffer's bytes: they pass its address to the
//! kernel, which validates it. Calls that could destroy or hide memory (`mprotect`, and
//! `madvise` beyond plain hints) are only made on eio's own mappings; see `mappings.rs`.

use eio_core::sys::cvt::SysResult;
use eio_core::sys::{mem, splice};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::int64;
use crate::mappings::{self, Unmapped};
use crate::raw::Scope;

/// Returned instead of an errno when a function needs a `Buffer` from eio's `mmap`.
#[napi]
pub const NOT_EIO_MAPPING: i32 = -0x10000;

/// `0`, or the negative errno.
fn status(r: SysResult<()>) -> i32 {
    r.map_or_else(|e| -e.raw(), |()| 0)
}

/// The count, or the negative errno.
fn count<T: TryInto<i64>>(r: SysResult<T>) -> i64 {
    match r {
        Ok(n) => n.try_into().unwrap_or(i64::MAX),
        Err(e) => -(e.raw() as i64),
    }
}

/// IO::AIO's `sendfile`: copies `length` bytes of `in_fd` from `offset` to `out_fd`;
/// returns the bytes written (fewer at end of file or when `out_fd` would block).
#[napi]
pub fn sendfile_sync(
    env: Env,
    out_fd: i32,
    in_fd: i32,
    offset: Unknown<'_>,
    length: Unknown<'_>,
) -> Result<i64> {
    let (offset, length) = (int64(&env, offset)?, int64(&env, length)?);
    Ok(count(eio_core::ops::meta::sendfile(out_fd, in_fd, offset, length as u64, &|| false)))
}

/// `posix_fadvise`.
#[napi]
pub fn fadvise(env: Env, fd: i32, offset: Unknown<'_>, length: Unknown<'_>, advice: i32) -> Result<i32> {
    let (offset, length) = (int64(&env, offset)?, int64(&env, length)?);
    Ok(status(mem::fadvise(fd, offset, length, advice)))
}

/// Advice that only tunes paging and never changes or hides memory: allowed on any buffer.
fn is_pure_hint(advice: i32) -> bool {
    matches!(advice, libc::MADV_NORMAL | libc::MADV_RANDOM | libc::MADV_SEQUENTIAL | libc::MADV_WILLNEED)
}

/// `madvise` on `length` bytes of `buf` from `offset`: any advice on an eio mapping, only
/// the pure hints (`MADV_NORMAL`, `MADV_RANDOM`, `MADV_SEQUENTIAL`, `MADV_WILLNEED`) on other
/// memory, whose pages eio does not own (they may hold other objects too).
#[napi]
pub fn madvise(env: Env, buf: Unknown<'_>, offset: f64, length: f64, advice: i32) -> Result<i32> {
    let range = mappings::range(&env, &buf, offset, length)?;
    if !range.is_owned() && !is_pure_hint(advice) {
        return Ok(NOT_EIO_MAPPING);
    }
    // SAFETY: either the pages belong to an eio mapping, whose memory JavaScript gave
    // eio's functions to manage (`range` keeps it mapped), or the advice is a pure hint.
    Ok(status(unsafe { mem::madvise(range.addr(), range.len(), advice) }))
}

/// `mprotect` on `length` bytes of `buf` from `offset`, which must be an eio mapping.
#[napi]
pub fn mprotect(env: Env, buf: Unknown<'_>, offset: f64, length: f64, prot: i32) -> Result<i32> {
    let range = mappings::range(&env, &buf, offset, length)?;
    if !range.is_owned() {
        return Ok(NOT_EIO_MAPPING);
    }
    // SAFETY: the pages belong to an eio mapping (kept mapped by `range`), whose protection
    // JavaScript asked to change; mappings are page-aligned, so the widened range stays
    // inside it.
    Ok(status(unsafe { mem::mprotect(range.addr(), range.len(), prot) }))
}

/// `munlock` on `length` bytes of `buf` from `offset`.
#[napi]
pub fn munlock(env: Env, buf: Unknown<'_>, offset: f64, length: f64) -> Result<i32> {
    let range = mappings::range(&env, &buf, offset, length)?;
    Ok(status(mem::munlock(range.addr(), range.len())))
}

#[napi]
pub fn munlockall() -> i32 {
    status(mem::munlockall())
}

/// `mmap`: a `Buffer` over a new mapping of `length` bytes (`fd` -1: anonymous), or the
/// negative errno.
#[napi(ts_return_type = "Buffer | number")]
pub fn mmap<'env>(
    env: &'env Env,
    length: f64,
    prot: i32,
    flags: i32,
    fd: i32,
    offset: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let offset = int64(env, offset)?;
    let js = Scope::of_call(env);
    let value = match mem::Mapping::new(length as usize, prot, flags, fd, offset) {
        Ok(map) => mappings::into_buffer(js, map)?,
        Err(e) => js.number(-(e.raw() as f64))?,
    };
    Ok(js.unknown(value))
}

/// `munmap`: detaches `buf` (a `Buffer` from `mmap`) and releases the mapping once no request
/// uses it. `0`, also when `buf` was already detached, or [`NOT_EIO_MAPPING`].
#[napi]
pub fn munmap(env: Env, buf: Unknown<'_>) -> Result<i32> {
    let js = Scope::of_call(&env);
    let view = js.view(js.arg(&buf))?;
    Ok(match mappings::unmap(js, &view)? {
        Unmapped::Done | Unmapped::AlreadyDetached => 0,
        Unmapped::NotAMapping => NOT_EIO_MAPPING,
    })
}

/// `splice`: offsets of -1 stand for "the file position" (a null pointer).
#[napi]
pub fn splice(
    env: Env,
    fd_in: i32,
    off_in: Unknown<'_>,
    fd_out: i32,
    off_out: Unknown<'_>,
    length: f64,
    flags: u32,
) -> Result<i64> {
    let mut off_in = Some(int64(&env, off_in)?).filter(|&o| o >= 0);
    let mut off_out = Some(int64(&env, off_out)?).filter(|&o| o >= 0);
    Ok(count(splice::splice(fd_in, off_in.as_mut(), fd_out, off_out.as_mut(), length as usize, flags)))
}

#[napi]
pub fn tee(fd_in: i32, fd_out: i32, length: f64, flags: u32) -> i64 {
    count(splice::tee(fd_in, fd_out, length as usize, flags))
}

/// The pipe's capacity; with `size` >= 0, sets it first (to at least `size`).
#[napi]
pub fn pipesize(fd: i32, size: i32) -> i64 {
    if size >= 0 {
        count(splice::set_pipe_size(fd, size))
    } else {
        count(splice::pipe_size(fd))
    }
}

/// `pipe2` with `flags | O_CLOEXEC`: `[readFd, writeFd]`, or the negative errno.
#[napi(ts_return_type = "[number, number] | number")]
pub fn pipe2(flags: i32) -> Either<Vec<i32>, i32> {
    use std::os::fd::IntoRawFd;
    match splice::pipe2(flags) {
        Ok((r, w)) => Either::A(vec![r.into_raw_fd(), w.into_raw_fd()]),
        Err(e) => Either::B(-e.raw()),
    }
}

/// The major number of a device id (a bigint: `dev_t` has 64 bits on Linux and FreeBSD,
/// 32 on darwin).
// `dev_t` and the numbers' types differ between platforms: the casts are no-ops on some.
#[allow(clippy::unnecessary_cast)]
#[napi]
pub fn major(env: Env, dev: Unknown<'_>) -> Result<u32> {
    Ok(libc::major(int64(&env, dev)? as libc::dev_t) as u32)
}

/// The minor number of a device id.
#[allow(clippy::unnecessary_cast)]
#[napi]
pub fn minor(env: Env, dev: Unknown<'_>) -> Result<u32> {
    Ok(libc::minor(int64(&env, dev)? as libc::dev_t) as u32)
}

/// The device id of a major and minor number, as a bigint (darwin's 32-bit `dev_t` is
/// widened as `stat` widens `st_dev`).
#[allow(clippy::unnecessary_cast)]
#[napi]
pub fn makedev(major: u32, minor: u32) -> BigInt {
    BigInt::from(libc::makedev(major as _, minor as _) as u64)
}
