//! Clocks the pool uses to tell a thread that computes from one that waits.

use std::mem::MaybeUninit;
use std::time::Duration;

/// `clock_gettime(CLOCK_THREAD_CPUTIME_ID)` — CPU time used by the calling thread.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/clock_gettime.2.html>
pub fn thread_cpu_time() -> Duration {
    let mut ts = MaybeUninit::<libc::timespec>::zeroed();
    // SAFETY: `ts` is valid for writing a timespec. This clock exists on Linux, darwin
    // (10.12 and later) and FreeBSD; on failure the zeroed value reads as zero CPU time.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, ts.as_mut_ptr()) };
    // SAFETY: zero-initialised and possibly filled by the call above.
    let ts = unsafe { ts.assume_init() };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
