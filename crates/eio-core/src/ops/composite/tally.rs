//! What a tree operation has done so far: entries and bytes, counted by its tasks as
//! they go and read by whoever watches its progress (eio-node reads them on a timer).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::value::Value;

/// Counts of a tree operation (`copy`, `move`, `rmtree`), shared between the request and
/// its watcher. Relaxed counters: a reader sees each count grow, never a torn value.
#[derive(Debug, Default)]
pub struct Tally {
    entries: AtomicU64,
    bytes: AtomicU64,
}

impl Tally {
    /// Counts one entry done (created, copied or removed) holding `bytes` bytes of data.
    pub fn add(&self, bytes: u64) {
        self.entries.fetch_add(1, Ordering::Relaxed);
        if bytes > 0 {
            self.bytes.fetch_add(bytes, Ordering::Relaxed);
        }
    }

    /// Counts `bytes` more of data, for an entry counted already or still under way.
    pub fn add_bytes(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// `(entries, bytes)` as they are now.
    pub fn read(&self) -> (u64, u64) {
        (self.entries.load(Ordering::Relaxed), self.bytes.load(Ordering::Relaxed))
    }

    /// The request's result: the counts as they are now.
    pub fn result(&self) -> Value {
        let (entries, bytes) = self.read();
        Value::Counts { entries, bytes }
    }
}
