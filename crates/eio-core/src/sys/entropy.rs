//! Random bytes from the kernel.

use super::cvt::{cvt, SysResult};

/// `getentropy(3)` — fills `buf` (at most 256 bytes, the call's limit) with random bytes
/// from the kernel's generator. Linux (glibc 2.25, musl 1.1.20), darwin and FreeBSD 12
/// all have it.
///
/// # References
/// - <https://man7.org/linux/man-pages/man3/getentropy.3.html>
pub fn getentropy(buf: &mut [u8]) -> SysResult<()> {
    debug_assert!(buf.len() <= 256, "getentropy: at most 256 bytes per call");
    // SAFETY: `buf` is valid for writes of its length for the duration of the call.
    cvt(unsafe { libc::getentropy(buf.as_mut_ptr().cast(), buf.len()) }).map(drop)
}
