//! Bounce buffers for reads: a read lands in memory of eio's own and is copied into the
//! caller's buffer on the JS thread (see `requests::read`). Allocating and zeroing one per
//! read, and freeing on the JS thread what a worker allocated, cost more than the read of
//! a cached block, so small buffers are kept for reuse in a free list of the JS thread that
//! submits and drains them (one per environment: each has its own thread).
//!
//! A reused buffer still holds the bytes of an earlier read. They never reach JavaScript:
//! a read comes back cut to the count the kernel returned (`Op::Read`), and only that much
//! is copied out.

use std::cell::RefCell;

/// Buffers larger than this are allocated for their read and freed after it.
const MAX_POOLED: usize = 64 * 1024;
/// The most bytes of capacity the free list keeps (256 reads of 4 KiB in flight).
const MAX_KEPT: usize = 1024 * 1024;

#[derive(Default)]
struct FreeList {
    buffers: Vec<Vec<u8>>,
    /// The capacity of `buffers`, summed.
    kept: usize,
}

thread_local! {
    static FREE: RefCell<FreeList> = RefCell::new(FreeList::default());
}

/// A buffer of `len` bytes to read into. Its contents are unspecified (zeroes or an
/// earlier read's bytes): the caller must only ever expose the bytes a read wrote.
pub fn take(len: usize) -> Vec<u8> {
    if len > MAX_POOLED {
        return vec![0; len];
    }
    let reused = FREE.with_borrow_mut(|free| {
        let buf = free.buffers.pop()?;
        free.kept -= buf.capacity();
        Some(buf)
    });
    match reused {
        Some(mut buf) => {
            // The bytes an earlier read left are kept, not zeroed again; only a longer
            // read than the last one initialises (zeroes) the part beyond them.
            buf.resize(len, 0);
            buf
        }
        None => vec![0; len],
    }
}

/// Gives back a buffer that `take` returned, once its bytes have been copied out.
pub fn give(buf: Vec<u8>) {
    let cap = buf.capacity();
    if cap == 0 || cap > MAX_POOLED {
        return;
    }
    FREE.with_borrow_mut(|free| {
        if free.kept + cap <= MAX_KEPT {
            free.kept += cap;
            free.buffers.push(buf);
        }
    });
}
