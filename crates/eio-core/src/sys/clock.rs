//! Clocks the pool uses to tell a thread that waits from one that computes.

use std::mem::MaybeUninit;
use std::time::Duration;

/// What the calling thread has used so far: CPU time, and how often it gave up the CPU to
/// wait (voluntary context switches: for a disk read, a lock, a pipe), as opposed to being
/// preempted for another thread. `waits` is `None` where the system does not count them
/// per thread.
pub struct ThreadUsage {
    pub cpu: Duration,
    pub waits: Option<u64>,
}

/// The calling thread's CPU clock, and its voluntary switches from
/// `getrusage(RUSAGE_THREAD)` (whose CPU times are only as fine as the scheduler tick,
/// 4 ms here: too coarse for windows of a few requests).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/getrusage.2.html>
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
pub fn thread_usage() -> ThreadUsage {
    let mut ru = MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `ru` is valid for writing an rusage. RUSAGE_THREAD exists since Linux 2.6.26
    // and FreeBSD 8.1; on failure the zeroed value reads as nothing used.
    unsafe { libc::getrusage(libc::RUSAGE_THREAD, ru.as_mut_ptr()) };
    // SAFETY: zero-initialised and possibly filled by the call above.
    let ru = unsafe { ru.assume_init() };
    ThreadUsage { cpu: thread_cpu_time(), waits: Some(ru.ru_nvcsw as u64) }
}

/// Where threads have no usage of their own (darwin): the thread's CPU clock alone.
#[cfg(not(any(target_os = "linux", target_os = "freebsd")))]
pub fn thread_usage() -> ThreadUsage {
    ThreadUsage { cpu: thread_cpu_time(), waits: None }
}

/// `clock_gettime(CLOCK_THREAD_CPUTIME_ID)` — CPU time used by the calling thread.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/clock_gettime.2.html>
fn thread_cpu_time() -> Duration {
    let mut ts = MaybeUninit::<libc::timespec>::zeroed();
    // SAFETY: `ts` is valid for writing a timespec. This clock exists on Linux, darwin
    // (10.12 and later) and FreeBSD; on failure the zeroed value reads as zero CPU time.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, ts.as_mut_ptr()) };
    // SAFETY: zero-initialised and possibly filled by the call above.
    let ts = unsafe { ts.assume_init() };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(any(target_os = "linux", target_os = "freebsd"))]
    fn a_sleep_counts_as_a_wait() {
        let before = thread_usage();
        std::thread::sleep(Duration::from_millis(1));
        assert!(thread_usage().waits.unwrap() > before.waits.unwrap());
    }
}
