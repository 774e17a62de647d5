//! Nine FIFO lists, one per priority; the highest non-empty list is served first.
//! Cancelled entries stay in place as tombstones (removing from the middle of a deque is
//! linear) and are skipped when popped; once they make up half the queue, one sweep
//! removes them, so mass cancellation stays linear overall.

use std::collections::VecDeque;

use super::{PRI_MAX, PRI_MIN};

const LEVELS: usize = (PRI_MAX - PRI_MIN + 1) as usize;
/// Below this many tombstones a sweep is not worth it.
const SWEEP_MIN: usize = 64;

pub(crate) struct PriorityQueues<T> {
    lists: [VecDeque<T>; LEVELS],
    /// Entries in all lists, tombstones included.
    len: usize,
    /// Entries known to be cancelled.
    tombstones: usize,
}

impl<T> PriorityQueues<T> {
    pub(crate) fn new() -> Self {
        PriorityQueues { lists: Default::default(), len: 0, tombstones: 0 }
    }

    /// Entries that are not tombstones.
    pub(crate) fn live(&self) -> usize {
        self.len - self.tombstones
    }

    pub(crate) fn push(&mut self, priority: i32, item: T) {
        let level = (priority.clamp(PRI_MIN, PRI_MAX) - PRI_MIN) as usize;
        self.lists[level].push_back(item);
        self.len += 1;
    }

    /// Pops entries, highest priority first, until `take` accepts one; entries it refuses
    /// are tombstones and are dropped.
    pub(crate) fn pop_where(&mut self, mut take: impl FnMut(&T) -> bool) -> Option<T> {
        for list in self.lists.iter_mut().rev() {
            while let Some(item) = list.pop_front() {
                self.len -= 1;
                if take(&item) {
                    return Some(item);
                }
                debug_assert!(self.tombstones > 0, "pop_where: refused entry was not a tombstone");
                self.tombstones -= 1;
            }
        }
        None
    }

    /// Records that one queued entry became a tombstone, sweeping when they dominate.
    pub(crate) fn note_tombstone(&mut self, is_tombstone: impl Fn(&T) -> bool) {
        self.tombstones += 1;
        debug_assert!(self.tombstones <= self.len, "note_tombstone: more tombstones than entries");
        if self.tombstones >= SWEEP_MIN && self.tombstones * 2 >= self.len {
            for list in &mut self.lists {
                list.retain(|item| !is_tombstone(item));
            }
            self.len = self.lists.iter().map(VecDeque::len).sum();
            self.tombstones = 0;
        }
    }
}
