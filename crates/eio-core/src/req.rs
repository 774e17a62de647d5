//! The life of one request: `Queued → Running → Done`, or `Queued → Cancelled`.
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
    Queued,
    Running,
    Done,
    Cancelled,
}

/// What [`crate::Pool::cancel`] achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The request was still queued: it will never run and no completion will come.
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
    pub(crate) fn new() -> ReqCell {
        ReqCell {
            state: AtomicU8::new(QUEUED),
            abort: AtomicBool::new(false),
        }
    }

    pub fn state(&self) -> ReqState {
        match self.state.load(Ordering::Acquire) {
            QUEUED => ReqState::Queued,
            RUNNING => ReqState::Running,
            DONE => ReqState::Done,
            _ => ReqState::Cancelled,
        }
    }

    /// True once the request was cancelled, in whatever state.
    pub fn is_aborted(&self) -> bool {
        self.abort.load(Ordering::Acquire)
    }

    /// `Queued → Running`; false if the request was cancelled. Called under the pool lock.
    pub(crate) fn start(&self) -> bool {
        self.state
            .compare_exchange(QUEUED, RUNNING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// `Running → Done`.
    pub(crate) fn finish(&self) {
        debug_assert_eq!(
            self.state(),
            ReqState::Running,
            "ReqCell::finish: not running"
        );
        self.state.store(DONE, Ordering::Release);
    }

    /// Raises the abort flag and, if still queued, moves to `Cancelled`. Called under the
    /// pool lock.
    pub(crate) fn cancel(&self) -> CancelOutcome {
        self.abort.store(true, Ordering::Release);
        match self
            .state
            .compare_exchange(QUEUED, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => CancelOutcome::Skipped,
            Err(_) => CancelOutcome::Flagged,
        }
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

    #[test]
    fn transitions() {
        // A queued request cancels to Skipped and can no longer start.
        let c = ReqCell::new();
        assert_eq!(c.cancel(), CancelOutcome::Skipped);
        assert_eq!(c.state(), ReqState::Cancelled);
        assert!(!c.start());
        assert!(c.is_aborted());

        // A running request only gets flagged; it still finishes.
        let c = ReqCell::new();
        assert!(c.start());
        assert_eq!(c.cancel(), CancelOutcome::Flagged);
        assert_eq!(c.state(), ReqState::Running);
        c.finish();
        assert_eq!(c.state(), ReqState::Done);
        assert!(c.is_aborted());

        // Cancelling a finished request is harmless.
        assert_eq!(c.cancel(), CancelOutcome::Flagged);
        assert_eq!(c.state(), ReqState::Done);
    }
}
