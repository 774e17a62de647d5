//! The worker pool: nine priority FIFOs and on-demand threads, with IO::AIO's knobs.
//! See `README.md` beside this file for the states and the protocols.

mod config;
mod queue;
#[cfg(test)]
mod tests;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

pub use config::PoolConfig;
use queue::PriorityQueues;

use crate::op::Op;
use crate::req::{CancelOutcome, ReqCell, ReqCtx, ReqState};
use crate::value::{Outcome, ReqError};

/// Lowest request priority.
pub const PRI_MIN: i32 = -4;
/// Highest request priority.
pub const PRI_MAX: i32 = 4;
/// The priority of a request that names none.
pub const PRI_DEFAULT: i32 = 0;

/// Receives the outcome of each request of one [`Client`], normally on the worker thread
/// that ran it. It must not block for long nor call back into the pool: when no thread can
/// be started at all, it is called with the pool's lock held to fail the queued work.
pub trait CompletionSink: Send + Sync {
    fn complete(&self, token: u64, cell: &Arc<ReqCell>, outcome: Outcome);
}

/// One submitter of requests (eio-node has one per Node environment): its completion sink
/// and its share of the counters.
pub struct Client {
    sink: Box<dyn CompletionSink>,
    /// Requests of this client waiting in the queues (IO::AIO's `nready`).
    ready: AtomicUsize,
}

impl Client {
    pub fn new(sink: Box<dyn CompletionSink>) -> Arc<Client> {
        Arc::new(Client {
            sink,
            ready: AtomicUsize::new(0),
        })
    }

    /// Requests of this client that are queued and not yet taken by a thread.
    pub fn nready(&self) -> usize {
        self.ready.load(Ordering::Acquire)
    }
}

/// A request waiting in a queue.
pub(crate) struct Job {
    cell: Arc<ReqCell>,
    op: Op,
    client: Arc<Client>,
    token: u64,
}

/// All mutable pool state; guarded by `Shared::state`. No other lock is taken while it is
/// held, except by a sink (which never calls back into the pool).
struct State {
    queues: PriorityQueues<Job>,
    config: PoolConfig,
    /// Threads started and not yet exited.
    nthreads: usize,
    /// Threads waiting on `work_available`.
    idle: usize,
}

struct Shared {
    state: Mutex<State>,
    work_available: Condvar,
}

/// A pool of worker threads serving prioritised requests. Threads start on demand and
/// exit when idle too long or when `max_parallel` is lowered.
#[derive(Clone)]
pub struct Pool {
    shared: Arc<Shared>,
}

impl Default for Pool {
    fn default() -> Self {
        Pool::new(PoolConfig::default())
    }
}

impl Pool {
    pub fn new(config: PoolConfig) -> Pool {
        Pool {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    queues: PriorityQueues::new(),
                    config,
                    nthreads: 0,
                    idle: 0,
                }),
                work_available: Condvar::new(),
            }),
        }
    }

    /// The process-wide pool that eio-node uses.
    pub fn global() -> &'static Pool {
        static GLOBAL: OnceLock<Pool> = OnceLock::new();
        GLOBAL.get_or_init(Pool::default)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic never happens while the lock is held (requests run outside it), but if
        // one did, the state is still consistent: every update is a single assignment.
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `op` at `priority` (clamped to `PRI_MIN..=PRI_MAX`). Its outcome goes to
    /// `client`'s sink with `token`, unless it is cancelled while still queued.
    pub fn submit(&self, client: &Arc<Client>, priority: i32, token: u64, op: Op) -> Arc<ReqCell> {
        let cell = Arc::new(ReqCell::new());
        let job = Job {
            cell: cell.clone(),
            op,
            client: client.clone(),
            token,
        };
        client.ready.fetch_add(1, Ordering::AcqRel);
        let mut st = self.lock();
        st.queues.push(priority, job);
        self.wake_or_spawn(&mut st, 1);
        cell
    }

    /// Cancels a request: skipped if still queued, else flagged so that its result is
    /// discarded (see [`ReqCell`]).
    /// `client` must be the one the request was submitted with.
    pub fn cancel(&self, client: &Client, cell: &ReqCell) -> CancelOutcome {
        let mut st = self.lock();
        let outcome = cell.cancel();
        if outcome == CancelOutcome::Skipped {
            client.ready.fetch_sub(1, Ordering::AcqRel);
            st.queues
                .note_tombstone(|job: &Job| job.cell.state() == ReqState::Cancelled);
        }
        outcome
    }

    /// Changes the pool's limits. Lowering `max_parallel` asks surplus threads to exit
    /// and returns at once; raising it starts threads for queued work.
    pub fn configure(&self, change: impl FnOnce(&mut PoolConfig)) {
        let mut st = self.lock();
        change(&mut st.config);
        st.config.normalise();
        // Idle threads re-check their limits; threads above `wanted` exit.
        self.shared.work_available.notify_all();
        let live = st.queues.live();
        self.wake_or_spawn(&mut st, live);
    }

    pub fn config(&self) -> PoolConfig {
        self.lock().config.clone()
    }

    /// Threads started and not yet exited (IO::AIO's `nthreads`).
    pub fn nthreads(&self) -> usize {
        self.lock().nthreads
    }

    /// Requests of all clients waiting in the queues.
    pub fn nready(&self) -> usize {
        self.lock().queues.live()
    }

    /// After `added` new jobs: wake idle threads for them, and start threads while queued
    /// jobs outnumber idle threads and the pool is below its limit.
    fn wake_or_spawn(&self, st: &mut State, added: usize) {
        let waiting = st.queues.live();
        if st.idle > 0 {
            for _ in 0..added.min(st.idle) {
                self.shared.work_available.notify_one();
            }
        }
        while waiting > st.idle && st.nthreads < st.config.wanted && st.nthreads < waiting {
            if !self.spawn_worker(st) {
                break;
            }
        }
    }

    #[cold]
    fn spawn_worker(&self, st: &mut State) -> bool {
        let pool = self.clone();
        let spawned = std::thread::Builder::new()
            .name("eio-worker".into())
            .stack_size(256 * 1024)
            .spawn(move || pool.worker_loop());
        match spawned {
            Ok(_) => {
                st.nthreads += 1;
                true
            }
            Err(e) => {
                if st.nthreads == 0 {
                    // No thread will ever take the queued work: fail it rather than hang.
                    let errno = e.raw_os_error().unwrap_or(libc::EAGAIN);
                    self.fail_all_queued(st, errno);
                }
                false
            }
        }
    }

    #[cold]
    fn fail_all_queued(&self, st: &mut State, errno: i32) {
        while let Some(job) = st.queues.pop_where(|job| job.cell.start()) {
            job.client.ready.fetch_sub(1, Ordering::AcqRel);
            job.cell.finish();
            let err = ReqError::os(crate::Errno(errno)).with_syscall("pthread_create");
            job.client.sink.complete(job.token, &job.cell, Err(err));
        }
    }

    fn worker_loop(self) {
        let mut st = self.lock();
        loop {
            match self.next_job(st) {
                Some(job) => {
                    job.client.ready.fetch_sub(1, Ordering::AcqRel);
                    run(job);
                    st = self.lock();
                }
                None => return,
            }
        }
    }

    /// Waits for a job; `None` when this thread should exit (and it has been counted out).
    fn next_job<'a>(&'a self, mut st: MutexGuard<'a, State>) -> Option<Job> {
        let mut idle_since: Option<Instant> = None;
        loop {
            if st.nthreads > st.config.wanted {
                st.nthreads -= 1;
                return None;
            }
            // Tombstones (cancelled while queued) are dropped on the way, freeing their
            // arguments.
            if let Some(job) = st.queues.pop_where(|job| job.cell.start()) {
                return Some(job);
            }
            // Idle. Beyond `max_idle` idle threads, a thread waits only `idle_timeout`.
            st.idle += 1;
            let timed = st.idle > st.config.max_idle;
            if timed {
                let timeout = st.config.idle_timeout;
                let since = *idle_since.get_or_insert_with(Instant::now);
                let left = timeout.saturating_sub(since.elapsed());
                if left.is_zero() {
                    st.idle -= 1;
                    st.nthreads -= 1;
                    return None;
                }
                st = self
                    .shared
                    .work_available
                    .wait_timeout(st, left)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            } else {
                idle_since = None;
                st = self
                    .shared
                    .work_available
                    .wait(st)
                    .unwrap_or_else(|e| e.into_inner());
            }
            st.idle -= 1;
        }
    }
}

/// Runs one job outside the lock and hands its outcome to its client's sink. A panic in
/// the request becomes that request's error.
fn run(job: Job) {
    let Job {
        cell,
        op,
        client,
        token,
    } = job;
    let ctx = ReqCtx { cell: &cell };
    let outcome = catch_unwind(AssertUnwindSafe(|| op.execute(&ctx)))
        .unwrap_or_else(|payload| Err(ReqError::Panic(panic_message(&payload))));
    cell.finish();
    client.sink.complete(token, &cell, outcome);
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "request panicked".to_owned()
    }
}

/// Converts IO::AIO's fractional seconds to a `Duration`; negative or NaN is zero.
pub fn seconds(s: f64) -> Duration {
    if s.is_finite() && s > 0.0 {
        Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX)
    } else {
        Duration::ZERO
    }
}
