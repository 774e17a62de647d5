//! Memory: mmap, munmap, msync, mlock, madvise, mprotect and friends, plus
//! `posix_fadvise`, the page-cache advice for files.
//!
//! Addresses here are plain `usize`s, never references: the calls that only ask the kernel
//! about a range (msync, mlock, munlock, populating madvise) are safe on any address, since
//! the kernel validates the range and fails with `ENOMEM`/`EFAULT` instead of faulting, and
//! none of them changes what the memory holds. The calls that can destroy or hide memory
//! (`madvise` with arbitrary advice, `mprotect`) are `unsafe`: the caller must own the range.
//! [`Mapping`] is the owner eio creates.
//!
//! Populating (`MADV_POPULATE_*`) is Linux's and `posix_fadvise` is missing on darwin:
//! there (and with `--cfg eio_portable`) they fail with `ENOSYS`.

use std::os::fd::RawFd;
use std::sync::OnceLock;

#[cfg(any(eio_linux, target_os = "freebsd"))]
use super::cvt::cvt_nz;
use super::cvt::{cvt, Errno, SysResult};

/// The system's page size.
pub fn page_size() -> usize {
    static PAGE: OnceLock<usize> = OnceLock::new();
    *PAGE.get_or_init(|| {
        // SAFETY: sysconf only reads its argument.
        let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if n > 0 {
            n as usize
        } else {
            4096
        }
    })
}

/// Widens `[addr, addr + len)` to whole pages, as the memory calls require (libeio does the
/// same): the start rounds down, the end up. An empty range stays empty.
pub fn page_align(addr: usize, len: usize) -> (usize, usize) {
    if len == 0 {
        return (addr, 0);
    }
    let mask = page_size() - 1;
    let start = addr & !mask;
    let end = addr.saturating_add(len).saturating_add(mask) & !mask;
    (start, end - start)
}

/// The `mmap` flags that place a mapping at a given address, which eio refuses.
#[cfg(target_os = "linux")]
const FIXED: i32 = libc::MAP_FIXED | libc::MAP_FIXED_NOREPLACE;
#[cfg(not(target_os = "linux"))]
const FIXED: i32 = libc::MAP_FIXED;

/// A memory mapping that eio created and owns: its pages stay mapped exactly as long as
/// this value lives, and dropping it unmaps them. Shared as `Arc<Mapping>` between the
/// JavaScript `Buffer` that shows it and the requests working on it, so that whoever lets
/// go last unmaps it.
#[derive(Debug)]
pub struct Mapping {
    addr: usize,
    len: usize,
}

impl Mapping {
    /// `mmap(2)` — maps `len` bytes of `fd` from `offset` (or anonymous memory, `fd` -1 and
    /// `MAP_ANONYMOUS`) wherever the kernel chooses. `MAP_FIXED` and `MAP_FIXED_NOREPLACE`
    /// are refused with `EINVAL`: eio takes no address, and a fixed mapping at address 0
    /// would replace whatever is mapped there.
    ///
    /// # References
    /// - <https://man7.org/linux/man-pages/man2/mmap.2.html>
    pub fn new(len: usize, prot: i32, flags: i32, fd: RawFd, offset: i64) -> SysResult<Mapping> {
        if flags & FIXED != 0 || len == 0 {
            return Err(Errno(libc::EINVAL));
        }
        // SAFETY: without MAP_FIXED the kernel picks an unused range, so no existing memory
        // is affected; the pointer is only kept as an address.
        let ptr = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, flags, fd, offset) };
        if ptr == libc::MAP_FAILED {
            return Err(Errno::last());
        }
        Ok(Mapping { addr: ptr as usize, len })
    }

    /// The first byte's address.
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// The length asked for (the mapping itself extends to the end of the last page).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `[addr, addr + len)` lies inside the mapping's pages.
    pub fn contains(&self, addr: usize, len: usize) -> bool {
        let (_, pages) = page_align(self.addr, self.len);
        addr >= self.addr && addr.checked_add(len).is_some_and(|end| end <= self.addr + pages)
    }
}

impl Drop for Mapping {
    /// `munmap(2)`. It can only fail for a range that is not a mapping, which this is.
    fn drop(&mut self) {
        // SAFETY: the range is the mapping this value owns; nothing refers to it once the
        // last owner lets go.
        unsafe { libc::munmap(self.addr as *mut libc::c_void, self.len) };
    }
}

// SAFETY: a `Mapping` is an address range and an obligation to unmap it; munmap may be
// called from any thread, and the value hands out no references to the memory.
unsafe impl Send for Mapping {}
// SAFETY: as above; shared access only reads the two integers.
unsafe impl Sync for Mapping {}

/// `msync(2)` — writes the pages of a shared file mapping in `[addr, addr + len)` back to
/// the file (`MS_SYNC`: and waits; `MS_ASYNC`: schedules; `MS_INVALIDATE`). The range is
/// widened to whole pages. Fails with `ENOMEM` where nothing is mapped.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/msync.2.html>
pub fn msync(addr: usize, len: usize, flags: i32) -> SysResult<()> {
    let (start, len) = page_align(addr, len);
    // SAFETY: msync validates the range itself and does not change the memory's contents.
    cvt(unsafe { libc::msync(start as *mut libc::c_void, len, flags) }).map(drop)
}

/// `mlock(2)` — faults in and locks the pages of `[addr, addr + len)` into RAM. The range is
/// widened to whole pages.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/mlock.2.html>
pub fn mlock(addr: usize, len: usize) -> SysResult<()> {
    let (start, len) = page_align(addr, len);
    // SAFETY: mlock validates the range itself and does not change the memory's contents.
    cvt(unsafe { libc::mlock(start as *const libc::c_void, len) }).map(drop)
}

/// `munlock(2)` — unlocks the pages of `[addr, addr + len)`, widened to whole pages.
pub fn munlock(addr: usize, len: usize) -> SysResult<()> {
    let (start, len) = page_align(addr, len);
    // SAFETY: munlock validates the range itself and does not change the memory's contents.
    cvt(unsafe { libc::munlock(start as *const libc::c_void, len) }).map(drop)
}

/// `mlockall(2)` — locks all current (`MCL_CURRENT`) and/or future (`MCL_FUTURE`) pages.
pub fn mlockall(flags: i32) -> SysResult<()> {
    // SAFETY: mlockall only reads its argument.
    cvt(unsafe { libc::mlockall(flags) }).map(drop)
}

/// `munlockall(2)`.
pub fn munlockall() -> SysResult<()> {
    // SAFETY: munlockall has no arguments.
    cvt(unsafe { libc::munlockall() }).map(drop)
}

/// `madvise(2)` with `MADV_POPULATE_READ` or (`write`) `MADV_POPULATE_WRITE` — faults in
/// every page of `[addr, addr + len)` as a read or a write would, without accessing the
/// memory: a page that a real access would kill the process on (`SIGBUS` past the end of a
/// file, `SIGSEGV` on a protected page) fails with `EFAULT`/`ENOMEM` instead. A write
/// fault breaks copy-on-write and dirties shared file pages. Linux 5.14 and later; where
/// the kernel does not know the advice, `ENOSYS`.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/madvise.2.html>
#[cfg(eio_linux)]
pub fn populate(addr: usize, len: usize, write: bool) -> SysResult<()> {
    let advice = if write { libc::MADV_POPULATE_WRITE } else { libc::MADV_POPULATE_READ };
    let (start, len) = page_align(addr, len);
    // SAFETY: populating validates the range and leaves the memory's contents unchanged.
    match cvt(unsafe { libc::madvise(start as *mut libc::c_void, len, advice) }) {
        Ok(_) => Ok(()),
        Err(Errno(libc::EINVAL)) if !advice_known(advice) => Err(Errno(libc::ENOSYS)),
        Err(e) => Err(e),
    }
}

/// Populating without touching the memory is Linux's (`ENOSYS` elsewhere).
#[cfg(not(eio_linux))]
pub fn populate(_addr: usize, _len: usize, _write: bool) -> SysResult<()> {
    Err(Errno(libc::ENOSYS))
}

/// Whether the kernel knows `advice`: it checks the advice before anything else, and an
/// empty range at an aligned address is otherwise always accepted.
#[cfg(eio_linux)]
fn advice_known(advice: i32) -> bool {
    let aligned = page_size() as *mut libc::c_void;
    // SAFETY: an empty range touches no memory.
    unsafe { libc::madvise(aligned, 0, advice) == 0 }
}

/// `madvise(2)` — gives `advice` (a `MADV_*`) for `[addr, addr + len)`, widened to whole
/// pages.
///
/// # Safety
/// Advice such as `MADV_DONTNEED`, `MADV_FREE`, `MADV_REMOVE` or `MADV_WIPEONFORK` discards
/// the memory's contents: unless `advice` is a pure hint, the caller must own every page
/// of the widened range (e.g. a [`Mapping`]) and nothing may rely on its contents.
pub unsafe fn madvise(addr: usize, len: usize, advice: i32) -> SysResult<()> {
    let (start, len) = page_align(addr, len);
    // SAFETY: guaranteed by the caller.
    cvt(unsafe { libc::madvise(start as *mut libc::c_void, len, advice) }).map(drop)
}

/// `mprotect(2)` — sets the protection (`PROT_*`) of `[addr, addr + len)`, widened to whole
/// pages.
///
/// # Safety
/// Removing access makes later reads or writes of the range kill the process: the caller
/// must own every page of the widened range, and nothing else may access it against the
/// new protection.
pub unsafe fn mprotect(addr: usize, len: usize, prot: i32) -> SysResult<()> {
    let (start, len) = page_align(addr, len);
    // SAFETY: guaranteed by the caller.
    cvt(unsafe { libc::mprotect(start as *mut libc::c_void, len, prot) }).map(drop)
}

/// `posix_fadvise(2)` — tells the kernel how `[offset, offset + len)` of `fd` will be used
/// (`POSIX_FADV_*`; `len` 0: to the end of the file).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/posix_fadvise.2.html>
#[cfg(any(eio_linux, target_os = "freebsd"))]
pub fn fadvise(fd: RawFd, offset: i64, len: i64, advice: i32) -> SysResult<()> {
    // SAFETY: posix_fadvise only reads its integer arguments.
    cvt_nz(unsafe { libc::posix_fadvise(fd, offset, len, advice) })
}

/// `posix_fadvise`: darwin's libc lacks it (`ENOSYS`, as IO::AIO says).
#[cfg(not(any(eio_linux, target_os = "freebsd")))]
pub fn fadvise(_fd: RawFd, _offset: i64, _len: i64, _advice: i32) -> SysResult<()> {
    Err(Errno(libc::ENOSYS))
}

/// Helpers for tests that need to see whether a mapping exists.
#[cfg(test)]
pub(crate) mod test_support {
    use std::ffi::CString;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A new memfd of `len` bytes with a name no other mapping has.
    pub fn memfd(len: usize) -> (OwnedFd, String) {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("eio-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let c = CString::new(name.clone()).unwrap();
        // SAFETY: `c` is a valid C string; memfd_create returns a new fd or -1.
        let fd = unsafe { libc::memfd_create(c.as_ptr(), libc::MFD_CLOEXEC) };
        assert!(fd >= 0, "memfd_create failed");
        // SAFETY: a new fd nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        std::fs::File::from(fd.try_clone().unwrap()).set_len(len as u64).unwrap();
        (fd, name)
    }

    /// Whether a memfd of this name is mapped in this process (by /proc/self/maps).
    pub fn is_mapped(name: &str) -> bool {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        maps.lines().any(|l| l.contains(&format!("memfd:{name} ")) || l.ends_with(&format!("memfd:{name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn page_align_widens_to_whole_pages() {
        let p = page_size();
        let cases = [
            // (addr, len) -> (start, len)
            ((0, 0), (0, 0)),
            ((p + 1, 0), (p + 1, 0)),
            ((p, 1), (p, p)),
            ((p, p), (p, p)),
            ((p + 1, p), (p, 2 * p)),
            ((2 * p - 1, 2), (p, 2 * p)),
            ((3 * p, 5 * p + 1), (3 * p, 6 * p)),
        ];
        for ((addr, len), want) in cases {
            assert_eq!(page_align(addr, len), want, "page_align({addr}, {len})");
        }
    }

    #[test]
    fn mapping_maps_unmaps_and_refuses_fixed() {
        let p = page_size();
        let rw = libc::PROT_READ | libc::PROT_WRITE;
        let (fd, name) = test_support::memfd(2 * p);
        let m = Mapping::new(p + 10, rw, libc::MAP_SHARED, fd.as_raw_fd(), 0).unwrap();
        assert!(test_support::is_mapped(&name));
        assert_eq!(m.addr() % p, 0);
        assert!(m.contains(m.addr(), 2 * p));
        assert!(!m.contains(m.addr(), 2 * p + 1));
        assert!(!m.contains(m.addr() - 1, 1));
        msync(m.addr() + 1, m.len() - 1, libc::MS_SYNC).unwrap();
        #[cfg(eio_linux)]
        populate(m.addr() + 3, m.len() - 3, true).unwrap();
        if let Err(e) = mlock(m.addr(), 1) {
            // RLIMIT_MEMLOCK may forbid locking; it still must not fault.
            assert!([libc::EPERM, libc::ENOMEM, libc::EAGAIN].contains(&e.0), "{e:?}");
        }
        munlock(m.addr(), 1).unwrap();
        drop(m);
        assert!(!test_support::is_mapped(&name));

        let anon = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        for fixed in [libc::MAP_FIXED, libc::MAP_FIXED_NOREPLACE] {
            let e = Mapping::new(p, rw, anon | fixed, -1, 0).unwrap_err();
            assert_eq!(e, Errno(libc::EINVAL));
        }
        assert_eq!(Mapping::new(0, rw, anon, -1, 0).unwrap_err(), Errno(libc::EINVAL));
        assert_eq!(Mapping::new(p, rw, libc::MAP_SHARED, -1, 0).unwrap_err(), Errno(libc::EBADF));
    }

    #[test]
    fn validating_calls_fail_where_nothing_is_mapped() {
        // Nothing is ever mapped at page 0 (eio refuses MAP_FIXED).
        assert_eq!(msync(0, 1, libc::MS_SYNC), Err(Errno(libc::ENOMEM)));
        let populated = if cfg!(eio_linux) { libc::ENOMEM } else { libc::ENOSYS };
        assert_eq!(populate(1, 1, false), Err(Errno(populated)));
        assert_eq!(populate(0, 1, true), Err(Errno(populated)));
        assert_eq!(mlock(0, 1), Err(Errno(libc::ENOMEM)));
    }

    #[test]
    #[cfg(eio_linux)]
    fn populate_reports_instead_of_faulting() {
        let p = page_size();
        let anon = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        // A read-only mapping cannot take a write fault; an inaccessible one no fault.
        let ro = Mapping::new(p, libc::PROT_READ, anon, -1, 0).unwrap();
        populate(ro.addr(), p, false).unwrap();
        assert!(populate(ro.addr(), p, true).is_err());
        let none = Mapping::new(p, libc::PROT_NONE, anon, -1, 0).unwrap();
        assert!(populate(none.addr(), p, false).is_err());
    }

    #[test]
    fn fadvise_checks_its_fd() {
        let want = if cfg!(eio_linux) { libc::EBADF } else { libc::ENOSYS };
        assert_eq!(fadvise(-1, 0, 0, libc::POSIX_FADV_NORMAL), Err(Errno(want)));
    }
}
