//! The life of one request: `Staged → Queued → Running → Done`, or `Cancelled` from
//! `Staged` or `Queued`. A staged request is prepared but not yet in the queues: callers
//! that submit many requests in a row stage them and submit them together under one lock
//! (see [`crate::Pool::submit_staged`]).
//!
//! Cancellation wins only while a request is queued: the pool then skips it and nothing
//! runs. Once running, a cancel only raises the abort flag; the syscall finishes, long
//! requests (directory reads, composites) check the flag between steps, and whoever
//! receives the completion frees what the request acquired (dropping a [`Value`] closes
//! its fd). Transitions out of `Queued` happen under the pool's lock, so a worker taking a
//! request and a caller cancelling it cannot both win.
//!
//! [`Value`]: crate::Value

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// Prepared, not yet handed to the pool.
const STAGED: u8 = 4;
/// Waiting in a priority queue.
const QUEUED: u8 = 0;
/// Taken by a worker thread; its syscall may be in progress.
const RUNNING: u8 = 1;
/// Executed; its outcome went to the completion sink.
const DONE: u8 = 2;
/// Cancelled while queued: it never ran and produces no completion.
const CANCELLED: u8 = 3;

/// Where a request is in its life, as seen by [`ReqCell::state`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReqState {
    Staged,
    Queued,
    Running,
    Done,
    Cancelled,
}

/// What [`crate::Pool::cancel`] achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The request was still staged or queued: it will never run and no completion will come.
    Skipped,
    /// The request is running or has run: its completion still comes, with the abort flag
    /// raised so that the receiver discards the result.
    Flagged,
}

/// The shared state of one request, held by the pool's queue entry and by the submitter.
#[derive(Debug)]
pub struct ReqCell {
    state: AtomicU8,
    abort: AtomicBool,
}

impl ReqCell {
    pub(crate) fn new_staged() -> ReqCell {
        ReqCell { state: AtomicU8::new(STAGED), abort: AtomicBool::new(false) }
    }

    /// `Staged → Queued`; false if it was cancelled while staged. Called under the pool lock.
    pub(crate) fn enqueue(&self) -> bool {
        self.state.compare_exchange(STAGED, QUEUED, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    pub fn state(&self) -> ReqState {
        match self.state.load(Ordering::Acquire) {
            QUEUED => ReqState::Queued,
            RUNNING => ReqState::Running,
            DONE => ReqState::Done,
            STAGED => ReqState::Staged,
            _ => ReqState::Cancelled,
        }
    }

    /// True once the request was cancelled, in whatever state.
    pub fn is_aborted(&self) -> bool {
        self.abort.load(Ordering::Acquire)
    }

    /// `Queued → Running`; false if the request was cancelled. Called under the pool lock.
    pub(crate) fn start(&self) -> bool {
        self.state.compare_exchange(QUEUED, RUNNING, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// `Staged → Done`, for a request run by its submitter instead of the pool; false if
    /// it was cancelled.
    pub(crate) fn finish_staged(&self) -> bool {
        self.state.compare_exchange(STAGED, DONE, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// `Running → Done`.
    pub(crate) fn finish(&self) {
        debug_assert_eq!(self.state(), ReqState::Running, "ReqCell::finish: not running");
        self.state.store(DONE, Ordering::Release);
    }

    /// Raises the abort flag and, if still staged or queued, moves to `Cancelled`; returns
    /// the state it left (or is in). Called under the pool lock.
    pub(crate) fn cancel(&self) -> (ReqState, CancelOutcome) {
        self.abort.store(true, Ordering::Release);
        for (from, was) in [(STAGED, ReqState::Staged), (QUEUED, ReqState::Queued)] {
            if self.state.compare_exchange(from, CANCELLED, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return (was, CancelOutcome::Skipped);
            }
        }
        (self.state(), CancelOutcome::Flagged)
    }
}

/// What a running request can ask about itself.
pub struct ReqCtx<'a> {
    pub(crate) cell: &'a ReqCell,
}

impl ReqCtx<'_> {
    /// True once the request was cancelled: long requests stop at their next step.
    pub fn aborted(&self) -> bool {
        self.cell.is_aborted()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued() -> ReqCell {
        let c = ReqCell::new_staged();
        assert!(c.enqueue());
        c
    }

    #[test]
    fn transitions() {
        // A queued request cancels to Skipped and can no longer start.
        let c = queued();
        assert_eq!(c.cancel(), (ReqState::Queued, CancelOutcome::Skipped));
        assert_eq!(c.state(), ReqState::Cancelled);
        assert!(!c.start());
        assert!(c.is_aborted());

        // A staged request cancelled before it is queued never enters the queue.
        let c = ReqCell::new_staged();
        assert_eq!(c.cancel(), (ReqState::Staged, CancelOutcome::Skipped));
        assert!(!c.enqueue());

        // A running request only gets flagged; it still finishes.
        let c = queued();
        assert!(c.start());
        assert_eq!(c.cancel(), (ReqState::Running, CancelOutcome::Flagged));
        assert_eq!(c.state(), ReqState::Running);
        c.finish();
        assert_eq!(c.state(), ReqState::Done);
        assert!(c.is_aborted());

        // Cancelling a finished request is harmless.
        assert_eq!(c.cancel(), (ReqState::Done, CancelOutcome::Flagged));
        assert_eq!(c.state(), ReqState::Done);
    }
}
