//! Requests on memory: msync, mtouch, mlock, mlockall.
//!
//! # Memory safety
//!
//! These requests act on memory addresses from a worker thread, while JavaScript owns the
//! memory and may free it at any moment (an `ArrayBuffer` can be transferred, detached or
//! collected). Two rules make that safe:
//!
//! - **Memory eio owns** (a [`Mapping`] made by eio's `mmap`) is held by the request through
//!   an `Arc`: unmapping it from JavaScript only drops JavaScript's share, and the pages
//!   stay mapped until the request lets go of its own.
//! - **Memory eio does not own** is never loaded from or stored to. The requests only pass
//!   its address to system calls that validate it and never change its contents (msync,
//!   mlock, and madvise's `MADV_POPULATE_READ`/`MADV_POPULATE_WRITE`, which fault pages in
//!   without accessing them): if the memory went away meanwhile, the call fails with
//!   `ENOMEM`, and if it was reused, it only synced, locked or faulted in someone's pages.
//!
//! `mtouch` therefore never reads or writes a byte itself, unlike libeio: populating also
//! turns what would be a `SIGBUS` (a page past the end of a file) into an error. Only
//! Linux can populate without touching: elsewhere `mtouch` fails with `ENOSYS`.

use std::sync::Arc;

use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::mem::{self, Mapping};
use crate::value::{Outcome, Value};

/// `mtouch` faults pages in this many bytes at a time, checking for cancellation between.
const TOUCH_CHUNK: usize = 1 << 20;

/// A range of memory a request acts on. See the module documentation for why it is safe.
#[derive(Debug)]
pub struct MemRange {
    addr: usize,
    len: usize,
    /// The eio mapping the range lies in, kept mapped until the request drops it; `None`
    /// for memory eio does not own.
    owner: Option<Arc<Mapping>>,
}

impl MemRange {
    /// `len` bytes from `offset` inside `map`; `None` if that is not inside it.
    pub fn in_mapping(map: Arc<Mapping>, offset: usize, len: usize) -> Option<MemRange> {
        let addr = map.addr().checked_add(offset)?;
        map.contains(addr, len).then_some(MemRange { addr, len, owner: Some(map) })
    }

    /// Memory eio does not own, at `addr`: only used with validating system calls.
    pub fn foreign(addr: usize, len: usize) -> MemRange {
        MemRange { addr, len, owner: None }
    }

    pub fn addr(&self) -> usize {
        self.addr
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the range lies in an eio mapping (which this value keeps mapped).
    pub fn is_owned(&self) -> bool {
        self.owner.is_some()
    }
}

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum MemOp {
    /// `aio_msync`: writes a shared file mapping's dirty pages back (`MS_*` flags).
    Msync { range: MemRange, flags: i32 },
    /// `aio_mtouch`: faults in every page of the range, as a write if `modify`
    /// (IO::AIO's `MT_MODIFY`), which breaks copy-on-write and dirties file pages.
    Mtouch { range: MemRange, modify: bool },
    /// `aio_mlock`: faults in and locks the range's pages.
    Mlock { range: MemRange },
    /// `aio_mlockall`: `MCL_CURRENT` / `MCL_FUTURE` / `MCL_ONFAULT`.
    Mlockall { flags: i32 },
}

impl MemOp {
    pub fn execute(self, ctx: &ReqCtx<'_>) -> Outcome {
        match self {
            MemOp::Msync { range, flags } => mem::msync(range.addr, range.len, flags)?,
            MemOp::Mtouch { range, modify } => touch(&range, modify, &|| ctx.aborted())?,
            MemOp::Mlock { range } => mem::mlock(range.addr, range.len)?,
            MemOp::Mlockall { flags } => mem::mlockall(flags)?,
        }
        Ok(Value::Unit)
    }
}

/// Faults in `range` chunk by chunk; stops with `ECANCELED` once `aborted()` says so.
fn touch(range: &MemRange, modify: bool, aborted: &dyn Fn() -> bool) -> Result<(), Errno> {
    let end = range.addr.saturating_add(range.len);
    let mut at = range.addr;
    while at < end {
        if aborted() {
            return Err(Errno(libc::ECANCELED));
        }
        let n = (end - at).min(TOUCH_CHUNK);
        mem::populate(at, n, modify)?;
        at += n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::mem::{page_size, test_support};
    use std::os::fd::AsRawFd;

    fn anon(len: usize, prot: i32) -> Arc<Mapping> {
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        Arc::new(Mapping::new(len, prot, flags, -1, 0).unwrap())
    }

    #[test]
    fn ranges_stay_inside_their_mapping() {
        let p = page_size();
        let m = anon(p + 1, libc::PROT_READ);
        // (offset, len, inside?) — the mapping's pages reach 2p.
        let cases = [
            (0, 0, true),
            (0, p + 1, true),
            (0, 2 * p, true),
            (p, p, true),
            (0, 2 * p + 1, false),
            (2 * p, 1, false),
            (usize::MAX, 1, false),
        ];
        for (offset, len, inside) in cases {
            let got = MemRange::in_mapping(m.clone(), offset, len).is_some();
            assert_eq!(got, inside, "in_mapping({offset}, {len})");
        }
    }

    #[test]
    fn a_request_keeps_its_mapping_alive() {
        let p = page_size();
        let (fd, name) = test_support::memfd(p);
        let rw = libc::PROT_READ | libc::PROT_WRITE;
        let m = Arc::new(Mapping::new(p, rw, libc::MAP_SHARED, fd.as_raw_fd(), 0).unwrap());
        let range = MemRange::in_mapping(m.clone(), 0, p).unwrap();
        drop(m); // as JavaScript's munmap does: the request's share remains
        assert!(test_support::is_mapped(&name));
        #[cfg(eio_linux)]
        touch(&range, true, &|| false).unwrap();
        mem::msync(range.addr, range.len, libc::MS_SYNC).unwrap();
        drop(range);
        assert!(!test_support::is_mapped(&name));
    }

    #[test]
    #[cfg(not(eio_linux))]
    fn touch_is_enosys_where_pages_cannot_be_populated() {
        let m = anon(page_size(), libc::PROT_READ);
        let range = MemRange::in_mapping(m, 0, page_size()).unwrap();
        assert_eq!(touch(&range, false, &|| false), Err(Errno(libc::ENOSYS)));
    }

    #[test]
    #[cfg(eio_linux)]
    fn touch_fails_on_memory_that_is_gone_and_stops_when_aborted() {
        use std::cell::Cell;
        // Nothing is ever mapped at page 0.
        let gone = MemRange::foreign(1, page_size());
        assert_eq!(touch(&gone, false, &|| false), Err(Errno(libc::ENOMEM)));

        let m = anon(4 * TOUCH_CHUNK, libc::PROT_READ);
        let range = MemRange::in_mapping(m, 0, 4 * TOUCH_CHUNK).unwrap();
        let asked = Cell::new(0);
        let abort_after_two = || {
            asked.set(asked.get() + 1);
            asked.get() > 2
        };
        assert_eq!(touch(&range, false, &abort_after_two), Err(Errno(libc::ECANCELED)));
        assert_eq!(asked.get(), 3);
        touch(&range, false, &|| false).unwrap();
        // Writing to a read-only mapping is refused, not a crash.
        assert!(touch(&range, true, &|| false).is_err());
    }
}
