//! Sub-work: a request that spreads its steps over the pool's own threads, as IO::AIO's
//! composites spread their sub-requests over its one pool. See `README.md` ("Sub-work")
//! for the protocol and why it cannot deadlock.
//!
//! A request calls [`ReqCtx::fan_out`] with a first step and a last one. The first step
//! runs at once and spawns *tasks* into a [`Scope`]; each task may spawn more. A task waits
//! in its scope's stack (last in, first out: depth first, which bounds what a tree walk
//! holds open), and for each task one *ticket* waits in the pool's priority queues at the
//! request's priority, first in first out with every other request. A thread that pops a
//! ticket runs the newest task of that scope. When the last task has run (and every
//! [`Hold`] is released), the thread that ran it calls the last step and delivers the
//! request's outcome. No thread ever waits for another: the request holds no thread
//! between its tasks.
//!
//! Outside a pool worker (a request executed directly, a unit test) the same scope runs
//! *inline*: the calling thread runs every task itself, then the last step.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::{panic_message, Completion, Pool};
use crate::req::{ReqCell, ReqCtx};
use crate::sys::cvt::Errno;
use crate::value::{Outcome, ReqError, Value};

/// One step of a fanned-out request. An error ends the scope: tasks not yet started are
/// dropped unrun, running ones see [`Scope::aborted`], and the last step gets the error.
pub type Task = Box<dyn FnOnce(&Scope) -> Result<(), ReqError> + Send>;

/// What runs once every task has: the scope's result (the first error, if any) in, the
/// request's outcome out.
type LastStep = Box<dyn FnOnce(Result<(), ReqError>) -> Outcome + Send>;

/// The handle tasks get: spawn more work, ask whether to stop.
#[derive(Clone)]
pub struct Scope {
    shared: Arc<ScopeShared>,
}

/// The state of one fanned-out request, shared by its tasks and its tickets.
pub(crate) struct ScopeShared {
    /// Where tickets go; `None` inline.
    pool: Option<Pool>,
    priority: i32,
    /// The request: its abort flag stops the tasks. Inline, the owner polls the
    /// request's context instead and closes the scope.
    request: Option<Arc<ReqCell>>,
    /// Set once the scope failed or was aborted (mirrors `ScopeState::closed`, read
    /// without the lock by running tasks).
    closed: AtomicBool,
    /// Guards everything else; never held while a task or the last step runs.
    state: Mutex<ScopeState>,
    /// Inline only: the owner waits here for tasks spawned by other threads (a
    /// [`Hold`]'s holder) and for the end.
    changed: Condvar,
}

struct ScopeState {
    /// Tasks not yet started, newest last.
    tasks: Vec<Task>,
    /// Tasks spawned and not finished (queued or running), plus live holds. The scope
    /// ends when it reaches 0.
    pending: usize,
    /// The first error of a task (or `ECANCELED` once the request was aborted).
    failure: Option<ReqError>,
    end: End,
}

/// What happens when `pending` reaches 0.
enum End {
    /// In the pool: the last step, then the request's completion.
    Deliver { last: LastStep, completion: Completion },
    /// Inline: the owner runs the last step itself.
    Owner,
    /// Already ended.
    Ended,
}

impl ReqCtx<'_> {
    /// Runs this request as sub-work: `first` now, on this thread, with a [`Scope`] to
    /// spawn tasks into; the tasks on the pool's threads at this request's priority; then
    /// `last`, given the first error of any step, which makes the request's outcome.
    ///
    /// On a pool worker the request keeps no thread while its tasks wait: this returns at
    /// once and the outcome is delivered by the thread that finishes the last task (the
    /// value returned here is discarded). Elsewhere the tasks run on the calling thread
    /// and this returns the outcome. A panic in any step fails the request.
    pub fn fan_out(
        &self,
        first: impl FnOnce(&Scope) -> Result<(), ReqError>,
        last: impl FnOnce(Result<(), ReqError>) -> Outcome + Send + 'static,
    ) -> Outcome {
        let last: LastStep = Box::new(last);
        let Some((pool, priority, completion)) = super::take_completion(self.cell) else {
            return self.fan_out_inline(first, last);
        };
        let request = Some(Arc::clone(completion.cell()));
        let scope = Scope::new(Some(pool), priority, request, End::Deliver { last, completion });
        // The first step counts as a task, so that nothing it spawns can end the scope
        // before it returns.
        scope.shared.run_step(|| first(&scope));
        // The outcome travels with the scope (see `End::Deliver`).
        Ok(Value::Unit)
    }

    #[cold]
    fn fan_out_inline(&self, first: impl FnOnce(&Scope) -> Result<(), ReqError>, last: LastStep) -> Outcome {
        let scope = Scope::new(None, crate::pool::PRI_DEFAULT, None, End::Owner);
        let shared = &scope.shared;
        shared.run_step(|| first(&scope));
        let mut st = shared.lock();
        loop {
            if self.aborted() && !shared.closed.load(Ordering::Acquire) {
                st = shared.close(st, ReqError::os(Errno(libc::ECANCELED)));
            }
            if let Some(task) = st.tasks.pop() {
                drop(st);
                shared.run_step(|| task(&scope));
                st = shared.lock();
            } else if st.pending == 0 {
                break;
            } else {
                st = shared.changed.wait(st).unwrap_or_else(|e| e.into_inner());
            }
        }
        st.end = End::Ended;
        let result = st.failure.take().map_or(Ok(()), Err);
        drop(st);
        last(result)
    }
}

impl Scope {
    fn new(pool: Option<Pool>, priority: i32, request: Option<Arc<ReqCell>>, end: End) -> Scope {
        Scope {
            shared: Arc::new(ScopeShared {
                pool,
                priority,
                request,
                closed: AtomicBool::new(false),
                // 1: the first step, running.
                state: Mutex::new(ScopeState { tasks: Vec::new(), pending: 1, failure: None, end }),
                changed: Condvar::new(),
            }),
        }
    }

    /// Queues one task.
    pub fn spawn(&self, task: impl FnOnce(&Scope) -> Result<(), ReqError> + Send + 'static) {
        self.spawn_all(std::iter::once(Box::new(task) as Task));
    }

    /// Queues tasks, the last of them to run first; their tickets enter the pool under
    /// one lock. Tasks spawned after the scope failed are dropped unrun.
    pub fn spawn_all(&self, tasks: impl IntoIterator<Item = Task>) {
        let shared = &self.shared;
        let mut tasks: Vec<Task> = tasks.into_iter().collect();
        let added = tasks.len();
        {
            let mut st = shared.lock();
            if shared.closed.load(Ordering::Acquire) {
                drop(st);
                // A task may hold a `Hold` of this scope: dropped outside the lock.
                drop(tasks);
                return;
            }
            st.tasks.append(&mut tasks);
            st.pending += added;
        }
        match &shared.pool {
            Some(pool) if added > 0 => pool.push_tickets(shared.priority, shared, added),
            Some(_) => {}
            None => shared.changed.notify_all(),
        }
    }

    /// True once the request was aborted or a task failed: long tasks stop at their next
    /// step (their error is then ignored).
    pub fn aborted(&self) -> bool {
        self.shared.aborted()
    }

    /// `ECANCELED` once [`Scope::aborted`]: for tasks to return between steps.
    pub fn check(&self) -> Result<(), ReqError> {
        if self.aborted() {
            Err(ReqError::os(Errno(libc::ECANCELED)))
        } else {
            Ok(())
        }
    }

    /// Keeps the scope open without a task, for work that continues elsewhere (an answer
    /// from the client): the scope cannot end before the hold is released or dropped.
    pub fn hold(&self) -> Hold {
        self.shared.lock().pending += 1;
        Hold { shared: Some(Arc::clone(&self.shared)) }
    }
}

/// Keeps a [`Scope`] open; see [`Scope::hold`]. Release it from a task or with a task
/// spawned just before: a release that ends the scope runs the request's last step on
/// the releasing thread.
pub struct Hold {
    shared: Option<Arc<ScopeShared>>,
}

impl Hold {
    /// The scope this hold keeps open, to spawn the work that continues.
    pub fn scope(&self) -> Scope {
        Scope { shared: Arc::clone(self.shared.as_ref().expect("a live hold")) }
    }

    /// Ends the hold with the error of the work it stood for: the scope fails.
    pub fn fail(mut self, err: ReqError) {
        if let Some(shared) = self.shared.take() {
            shared.finish_step(Err(err));
        }
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            shared.finish_step(Ok(()));
        }
    }
}

impl ScopeShared {
    fn lock(&self) -> MutexGuard<'_, ScopeState> {
        // Steps run outside the lock, so a panic never poisons it mid-update.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn aborted(&self) -> bool {
        self.closed.load(Ordering::Acquire) || self.request.as_ref().is_some_and(|cell| cell.is_aborted())
    }

    /// Runs one ticket: the newest task, unless the scope was closed meanwhile (its tasks
    /// were dropped then, leaving tickets with nothing to run).
    pub(crate) fn run_ticket(self: &Arc<Self>) {
        let Some(task) = self.lock().tasks.pop() else {
            return;
        };
        let scope = Scope { shared: Arc::clone(self) };
        if self.aborted() {
            drop(task);
            self.finish_step(Err(ReqError::os(Errno(libc::ECANCELED))));
            return;
        }
        self.run_step(|| task(&scope));
    }

    /// Runs a step (the first one or a task), a panic becoming its error, and counts it
    /// done.
    fn run_step(&self, step: impl FnOnce() -> Result<(), ReqError>) {
        let result = catch_unwind(AssertUnwindSafe(step))
            .unwrap_or_else(|payload| Err(ReqError::Panic(panic_message(&payload))));
        self.finish_step(result);
    }

    /// One task (or hold) is done; the scope ends with the last one.
    fn finish_step(&self, result: Result<(), ReqError>) {
        let mut st = self.lock();
        if let Err(e) = result {
            st = self.close(st, e);
        }
        st.pending -= 1;
        if st.pending > 0 {
            return;
        }
        match std::mem::replace(&mut st.end, End::Ended) {
            End::Deliver { last, completion } => {
                let result = st.failure.take().map_or(Ok(()), Err);
                drop(st);
                let outcome = catch_unwind(AssertUnwindSafe(|| last(result)))
                    .unwrap_or_else(|payload| Err(ReqError::Panic(panic_message(&payload))));
                completion.complete(outcome);
            }
            end @ End::Owner => {
                st.end = end;
                drop(st);
                self.changed.notify_all();
            }
            End::Ended => debug_assert!(false, "finish_step: the scope ended twice"),
        }
    }

    /// Records the scope's first error and drops the tasks not yet started (their tickets
    /// find nothing to run). Returns the guard, `pending` reduced by the tasks dropped.
    fn close<'a>(&'a self, mut st: MutexGuard<'a, ScopeState>, err: ReqError) -> MutexGuard<'a, ScopeState> {
        st.failure.get_or_insert(err);
        self.closed.store(true, Ordering::Release);
        let dropped = std::mem::take(&mut st.tasks);
        st.pending -= dropped.len();
        // The tasks' captures (fds, buffers) are freed outside the lock.
        drop(st);
        drop(dropped);
        self.lock()
    }

    /// No thread will ever run this scope's tickets (none can be started): fail it.
    #[cold]
    pub(crate) fn fail_unrun(&self, err: ReqError) {
        // The one ticket being failed stands for one queued task; closing drops them all,
        // so `pending` must not be reduced again for it.
        let mut st = self.lock();
        if matches!(st.end, End::Ended) {
            return; // an earlier ticket of this scope failed it already
        }
        st.pending += 1;
        drop(st);
        self.finish_step(Err(err));
    }
}
