//! The one place that reads `errno`: every libc call's return value goes through one of
//! these helpers, which turn C's conventions into `Result<_, Errno>`.

use std::fmt;

/// A positive `errno` value, as the kernel reports it (`ENOENT` is 2).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

/// Where the calling thread's `errno` lives: libc's own accessor, named per platform.
fn errno_location() -> *mut i32 {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: `__errno_location` has no preconditions.
    return unsafe { libc::__errno_location() };
    #[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
    // SAFETY: `__error` has no preconditions.
    return unsafe { libc::__error() };
}

impl Errno {
    /// The calling thread's current `errno`.
    pub fn last() -> Errno {
        // SAFETY: the location is valid for reads for the life of the thread.
        Errno(unsafe { *errno_location() })
    }

    /// Sets this thread's `errno` to 0, for the calls that tell an error from a plain
    /// `NULL` only by `errno` (`readdir(3)`): see [`cvt_ptr`].
    #[cfg(not(eio_linux))]
    fn clear() {
        // SAFETY: the location is valid for writes for the life of the thread.
        unsafe { *errno_location() = 0 };
    }

    pub fn raw(self) -> i32 {
        self.0
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Errno({}: {})", self.0, std::io::Error::from_raw_os_error(self.0))
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&std::io::Error::from_raw_os_error(self.0), f)
    }
}

impl From<Errno> for std::io::Error {
    fn from(e: Errno) -> Self {
        std::io::Error::from_raw_os_error(e.0)
    }
}

pub type SysResult<T> = Result<T, Errno>;

/// Integer types a libc call may return, with -1 as its error value.
pub trait IsMinusOne: Copy {
    fn is_minus_one(self) -> bool;
}

macro_rules! impl_is_minus_one {
    ($($t:ty)*) => ($(impl IsMinusOne for $t {
        fn is_minus_one(self) -> bool { self == -1 }
    })*)
}
impl_is_minus_one! { i32 i64 isize }

/// Decodes C's "-1 and `errno`" convention.
pub fn cvt<T: IsMinusOne>(ret: T) -> SysResult<T> {
    if ret.is_minus_one() {
        Err(Errno::last())
    } else {
        Ok(ret)
    }
}

/// Like [`cvt`], calling `f` again while it fails with `EINTR`. Never use it for `close`.
pub fn cvt_r<T: IsMinusOne>(mut f: impl FnMut() -> T) -> SysResult<T> {
    loop {
        match cvt(f()) {
            Err(Errno(libc::EINTR)) => continue,
            other => return other,
        }
    }
}

/// Decodes the "returns the error number, 0 on success" convention (`posix_fadvise`, ...).
pub fn cvt_nz(ret: i32) -> SysResult<()> {
    if ret == 0 {
        Ok(())
    } else {
        Err(Errno(ret))
    }
}

/// Decodes the "`NULL` and `errno` set on error, `NULL` and `errno` untouched at the end"
/// convention of `readdir(3)`: `Ok(None)` at the end.
#[cfg(not(eio_linux))]
pub fn cvt_ptr<T>(f: impl FnOnce() -> *mut T) -> SysResult<Option<std::ptr::NonNull<T>>> {
    Errno::clear();
    match std::ptr::NonNull::new(f()) {
        Some(p) => Ok(Some(p)),
        None => match Errno::last() {
            Errno(0) => Ok(None),
            e => Err(e),
        },
    }
}
