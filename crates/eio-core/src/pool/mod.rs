//! The worker pool: nine priority FIFOs and on-demand threads, with IO::AIO's knobs.
//! See `README.md` beside this file for the states and the protocols.

mod config;
mod queue;
mod scope;
#[cfg(test)]
mod scope_tests;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

pub use config::PoolConfig;
use queue::PriorityQueues;
use scope::ScopeShared;
pub use scope::{Hold, Scope, Task};

use crate::op::Op;
use crate::req::{CancelOutcome, ReqCell, ReqCtx, ReqState};
use crate::sys::clock::{thread_usage, ThreadUsage};
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
        Arc::new(Client { sink, ready: AtomicUsize::new(0) })
    }

    /// Requests of this client that are queued and not yet taken by a thread.
    pub fn nready(&self) -> usize {
        self.ready.load(Ordering::Acquire)
    }
}

/// What waits in the queues.
pub(crate) enum Job {
    Request(Request),
    /// A ticket for one task of a request spread over the pool (see `scope.rs`).
    Ticket(Arc<ScopeShared>),
}

/// A request submitted by a client.
pub(crate) struct Request {
    cell: Arc<ReqCell>,
    op: Op,
    client: Arc<Client>,
    token: u64,
    priority: i32,
}

impl Job {
    /// Takes the job for running (`Queued → Running` for a request); false for a request
    /// cancelled while queued, a tombstone. Under the pool lock.
    fn start(&self) -> bool {
        match self {
            Job::Request(req) => req.cell.start(),
            Job::Ticket(_) => true,
        }
    }

    fn is_tombstone(&self) -> bool {
        matches!(self, Job::Request(req) if req.cell.state() == ReqState::Cancelled)
    }
}

/// A request prepared by [`Pool::stage`], not yet in the queues.
pub struct StagedJob {
    job: Request,
}

impl StagedJob {
    /// Whether the request was cancelled while staged (it will not run).
    pub fn is_cancelled(&self) -> bool {
        self.job.cell.is_aborted()
    }

    /// The token the request was staged with.
    pub fn token(&self) -> u64 {
        self.job.token
    }

    /// What the request does, for a submitter that may run it itself (`finish_now`).
    pub fn op(&self) -> &Op {
        &self.job.op
    }

    /// Marks the request done by its submitter, who ran it on its own thread: it never
    /// reaches the queues and its client's sink is not called (the submitter delivers the
    /// outcome itself). Gives back its token and op, or `None` if it was cancelled. Running
    /// a request so overtakes whatever is queued: the submitter decides when it may.
    pub fn finish_now(self) -> Option<(u64, Op)> {
        let Request { cell, op, token, .. } = self.job;
        cell.finish_staged().then_some((token, op))
    }
}

/// How long an out-of-work thread polls for new work before it sleeps: long enough to
/// catch the next request of a caller that submits one at a time (saving two context
/// switches, see `latency.md`), short enough to cost little when the pool goes quiet.
const SPIN: Duration = Duration::from_micros(20);
/// With work queued and every thread busy, this long without a completion means the
/// threads are stuck (a FIFO open, a hung NFS server): the supervisor adds a thread.
const STALL: Duration = Duration::from_millis(1);
/// A worker re-estimates whether it is blocked after this many requests or this long.
const WINDOW_JOBS: u32 = 32;
const WINDOW_TIME: Duration = Duration::from_millis(2);

/// All mutable pool state; guarded by `Shared::state`. No other lock is taken while it is
/// held, except by a sink when no thread can be started (see `fail_all_queued`).
struct State {
    queues: PriorityQueues<Job>,
    config: PoolConfig,
    /// Threads started and not yet exited.
    nthreads: usize,
    /// Threads waiting on `work_available`.
    idle: usize,
    /// Of those, threads already woken for queued work and not yet back: waking another
    /// for the same work would only cost a futex call and a context switch.
    waking: usize,
    /// Threads polling `queued_hint` before they sleep.
    spinning: usize,
    /// Threads executing a request.
    running: usize,
    /// Threads spawned that have not yet looked for work: they will take queued jobs, so
    /// the supervisor must not count their absence as a stall.
    starting: usize,
    /// Workers whose recent requests mostly waited rather than computed.
    blocked: usize,
    /// Requests completed since the pool started; the supervisor's sign of progress.
    completions: u64,
    supervisor: Supervisor,
}

#[derive(PartialEq)]
enum Supervisor {
    NotStarted,
    /// Waiting on `supervise` until there is something to watch.
    Asleep,
    Watching,
}

struct Shared {
    state: Mutex<State>,
    work_available: Condvar,
    supervise: Condvar,
    /// Live queued requests, mirrored outside the lock for spinning threads.
    queued_hint: AtomicUsize,
    /// Cores available to the process; the soft thread limit starts there.
    ncpu: usize,
}

/// A pool of worker threads serving prioritised requests. Threads start on demand and
/// exit when idle too long or when `max_parallel` is lowered. See `pool/README.md`.
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
        let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get());
        Pool {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    queues: PriorityQueues::new(),
                    config,
                    nthreads: 0,
                    idle: 0,
                    waking: 0,
                    spinning: 0,
                    running: 0,
                    starting: 0,
                    blocked: 0,
                    completions: 0,
                    supervisor: Supervisor::NotStarted,
                }),
                work_available: Condvar::new(),
                supervise: Condvar::new(),
                queued_hint: AtomicUsize::new(0),
                ncpu,
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
        let (cell, staged) = self.stage(client, priority, token, op);
        self.submit_staged([staged]);
        cell
    }

    /// Prepares a request without queueing it; [`Pool::submit_staged`] queues many at once
    /// under one lock. A staged request can already be cancelled.
    pub fn stage(
        &self,
        client: &Arc<Client>,
        priority: i32,
        token: u64,
        op: Op,
    ) -> (Arc<ReqCell>, StagedJob) {
        let cell = Arc::new(ReqCell::new_staged());
        let job = Request { cell: cell.clone(), op, client: client.clone(), token, priority };
        (cell, StagedJob { job })
    }

    /// Queues staged requests, in order; those cancelled meanwhile are dropped.
    pub fn submit_staged(&self, jobs: impl IntoIterator<Item = StagedJob>) {
        let mut st = self.lock();
        let mut added = 0;
        for StagedJob { job } in jobs {
            if job.cell.enqueue() {
                job.client.ready.fetch_add(1, Ordering::AcqRel);
                st.queues.push(job.priority, Job::Request(job));
                added += 1;
            }
        }
        if added > 0 {
            self.publish(&st);
            self.wake_or_spawn(&mut st, added);
        }
    }

    /// Cancels a request: skipped if still staged or queued, else flagged so that its
    /// result is discarded (see [`ReqCell`]). `client` must be the one it was submitted with.
    pub fn cancel(&self, client: &Client, cell: &ReqCell) -> CancelOutcome {
        let mut st = self.lock();
        let (was, outcome) = cell.cancel();
        if was == ReqState::Queued {
            client.ready.fetch_sub(1, Ordering::AcqRel);
            st.queues.note_tombstone(Job::is_tombstone);
            self.publish(&st);
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

    /// Whether `max_parallel` is 0: requests wait until it is raised.
    pub fn is_paused(&self) -> bool {
        self.lock().config.wanted == 0
    }

    /// Requests of all clients waiting in the queues.
    pub fn nready(&self) -> usize {
        self.lock().queues.live()
    }

    /// Queues `n` tickets of a scope at `priority` (see `scope.rs`).
    fn push_tickets(&self, priority: i32, scope: &Arc<ScopeShared>, n: usize) {
        let mut st = self.lock();
        for _ in 0..n {
            st.queues.push(priority, Job::Ticket(Arc::clone(scope)));
        }
        self.publish(&st);
        self.wake_or_spawn(&mut st, n);
    }

    fn publish(&self, st: &State) {
        self.shared.queued_hint.store(st.queues.live(), Ordering::Release);
    }

    /// Threads may start freely up to the cores plus the threads that wait rather than
    /// compute; beyond that only the supervisor adds them, and never beyond `wanted`.
    fn soft_limit(&self, st: &State) -> usize {
        (self.shared.ncpu + st.blocked).min(st.config.wanted)
    }

    /// After `added` new jobs: wake idle threads for those no spinning thread will take,
    /// start threads per the soft limit, and let the supervisor watch for stalls.
    fn wake_or_spawn(&self, st: &mut State, added: usize) {
        let waiting = st.queues.live();
        for _ in 0..added.min(self.unclaimed(st)).min(st.idle - st.waking) {
            self.wake_one(st);
        }
        let soft = self.soft_limit(st);
        while waiting > st.idle + st.spinning + st.starting
            && st.nthreads < soft
            && st.nthreads < waiting + st.running
        {
            if !self.spawn_worker(st) {
                return;
            }
        }
        if waiting > st.idle + st.spinning + st.starting && st.nthreads < st.config.wanted {
            self.watch(st);
        }
    }

    /// Makes sure the supervisor watches for stalls.
    #[cold]
    fn watch(&self, st: &mut State) {
        match st.supervisor {
            Supervisor::Watching => {}
            Supervisor::Asleep => {
                st.supervisor = Supervisor::Watching;
                self.shared.supervise.notify_one();
            }
            Supervisor::NotStarted => {
                let pool = self.clone();
                let started = std::thread::Builder::new()
                    .name("eio-supervisor".into())
                    .stack_size(64 * 1024)
                    .spawn(move || pool.supervisor_loop());
                if started.is_ok() {
                    st.supervisor = Supervisor::Watching;
                }
            }
        }
    }

    /// While work is queued and all threads are busy, adds a thread whenever `STALL`
    /// passes without a completion.
    fn supervisor_loop(self) {
        let mut st = self.lock();
        loop {
            let stalled_possible =
                |st: &State| st.queues.live() > st.idle + st.spinning && st.nthreads < st.config.wanted;
            if !stalled_possible(&st) {
                st.supervisor = Supervisor::Asleep;
                while st.supervisor == Supervisor::Asleep {
                    st = self.shared.supervise.wait(st).unwrap_or_else(|e| e.into_inner());
                }
                continue;
            }
            let before = st.completions;
            st = self.shared.supervise.wait_timeout(st, STALL).unwrap_or_else(|e| e.into_inner()).0;
            if st.completions == before && stalled_possible(&st) {
                self.spawn_worker(&mut st);
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
                st.starting += 1;
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
        let err = || ReqError::os(crate::Errno(errno)).with_syscall("pthread_create");
        while let Some(job) = st.queues.pop_where(Job::start) {
            match job {
                Job::Request(req) => {
                    req.client.ready.fetch_sub(1, Ordering::AcqRel);
                    req.cell.finish();
                    req.client.sink.complete(req.token, &req.cell, Err(err()));
                }
                Job::Ticket(scope) => scope.fail_unrun(err()),
            }
        }
        self.publish(st);
    }

    fn worker_loop(self) {
        WORKER.with(|w| w.borrow_mut().pool = Some(self.clone()));
        let mut meter = BlockMeter::default();
        let mut st = self.lock();
        st.starting -= 1;
        loop {
            let (guard, job, slept) = self.next_job(st);
            st = guard;
            if slept {
                meter.interrupt();
            }
            let Some(job) = job else {
                if meter.blocked {
                    st.blocked -= 1;
                }
                return;
            };
            st.running += 1;
            drop(st);
            let started = Instant::now();
            match job {
                Job::Request(req) => {
                    req.client.ready.fetch_sub(1, Ordering::AcqRel);
                    run(req);
                }
                Job::Ticket(scope) => scope.run_ticket(),
            }
            let verdict = meter.record(started.elapsed());
            st = self.lock();
            st.running -= 1;
            st.completions += 1;
            match verdict {
                Some(true) => st.blocked += 1,
                Some(false) => st.blocked -= 1,
                None => {}
            }
        }
    }

    /// Takes the next job, spinning then sleeping while there is none; `None` when this
    /// thread should exit (it has been counted out). Also whether the thread slept.
    fn next_job<'a>(&'a self, mut st: MutexGuard<'a, State>) -> (MutexGuard<'a, State>, Option<Job>, bool) {
        let mut idle_since: Option<Instant> = None;
        let mut spun = false;
        let mut slept = false;
        loop {
            if st.nthreads > st.config.wanted {
                st.nthreads -= 1;
                return (st, None, slept);
            }
            // Tombstones (cancelled while queued) are dropped on the way, freeing their
            // arguments.
            if let Some(job) = st.queues.pop_where(Job::start) {
                self.publish(&st);
                // A submitter that saw this thread spinning counted on it for every job it
                // queued, but it takes only one: pass the wake-up on for the rest.
                if self.unclaimed(&st) > 0 && st.idle > st.waking {
                    self.wake_one(&mut st);
                }
                return (st, Some(job), slept);
            }
            if !spun {
                spun = true;
                st.spinning += 1;
                drop(st);
                self.spin();
                st = self.lock();
                st.spinning -= 1;
                continue;
            }
            // Idle. Beyond `max_idle` idle threads, a thread waits only `idle_timeout`.
            st.idle += 1;
            slept = true;
            if st.idle > st.config.max_idle {
                let since = *idle_since.get_or_insert_with(Instant::now);
                let left = st.config.idle_timeout.saturating_sub(since.elapsed());
                if left.is_zero() {
                    st.idle -= 1;
                    st.waking = st.waking.min(st.idle);
                    st.nthreads -= 1;
                    return (st, None, slept);
                }
                st = self.shared.work_available.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
            } else {
                idle_since = None;
                st = self.shared.work_available.wait(st).unwrap_or_else(|e| e.into_inner());
            }
            st.idle -= 1;
            // Woken for work, by a timeout or spuriously: either way no longer asleep.
            st.waking = st.waking.saturating_sub(1);
            spun = false;
        }
    }

    /// Queued jobs that no thread is about to take: spinning, woken and starting threads
    /// each take one.
    fn unclaimed(&self, st: &State) -> usize {
        st.queues.live().saturating_sub(st.spinning + st.waking + st.starting)
    }

    /// Wakes one idle thread for queued work (the caller checked that one is asleep).
    fn wake_one(&self, st: &mut State) {
        st.waking += 1;
        self.shared.work_available.notify_one();
    }

    /// Polls for queued work for up to `SPIN`.
    fn spin(&self) {
        let start = Instant::now();
        for i in 1u32.. {
            if self.shared.queued_hint.load(Ordering::Acquire) > 0 {
                return;
            }
            if i % 64 == 0 && start.elapsed() >= SPIN {
                return;
            }
            std::hint::spin_loop();
        }
    }
}

/// Estimates whether a worker waits rather than computes, over a window of requests run
/// back to back: blocked when the thread was on a CPU for less than half of their wall
/// time *and* gave up the CPU to wait (a voluntary switch) in at least half of them. The
/// second test tells waiting in the kernel from being preempted: on a machine short of
/// cores, cached requests also take more wall time than CPU, and more threads would only
/// make that worse. A blocked worker lets the pool start another thread in its place.
#[derive(Default)]
struct BlockMeter {
    jobs: u32,
    wall: Duration,
    /// Usage when the window began (after the request that opened it).
    start: Option<ThreadUsage>,
    blocked: bool,
}

impl BlockMeter {
    /// Records one request that took `wall`; returns the new verdict when it changed.
    fn record(&mut self, wall: Duration) -> Option<bool> {
        let Some(start) = &self.start else {
            self.start = Some(thread_usage());
            return None;
        };
        self.jobs += 1;
        self.wall += wall;
        if self.jobs < WINDOW_JOBS && self.wall < WINDOW_TIME {
            return None;
        }
        let now = thread_usage();
        let computed = now.cpu.saturating_sub(start.cpu) * 2 >= self.wall;
        let waited = match (now.waits, start.waits) {
            (Some(now), Some(start)) => now.saturating_sub(start) * 2 >= u64::from(self.jobs),
            _ => true, // not counted here: CPU time alone decides
        };
        let blocked = !computed && waited;
        *self = BlockMeter { blocked: self.blocked, ..BlockMeter::default() };
        if blocked != self.blocked {
            self.blocked = blocked;
            Some(blocked)
        } else {
            None
        }
    }

    /// The thread ran out of work: its sleep is no request's, so the window starts anew.
    fn interrupt(&mut self) {
        *self = BlockMeter { blocked: self.blocked, ..BlockMeter::default() };
    }
}

/// The pool a worker thread serves, and the request it runs when that request may spread
/// over the pool ([`may_fan_out`]): [`ReqCtx::fan_out`] takes the request's completion
/// from here, and the scope delivers it later.
#[derive(Default)]
struct WorkerSlot {
    pool: Option<Pool>,
    running: Option<(i32, Completion)>,
}

thread_local! {
    static WORKER: RefCell<WorkerSlot> = RefCell::default();
}

/// How a request's outcome reaches its client: whoever holds this delivers it once.
pub(crate) struct Completion {
    cell: Arc<ReqCell>,
    client: Arc<Client>,
    token: u64,
}

impl Completion {
    pub(crate) fn cell(&self) -> &Arc<ReqCell> {
        &self.cell
    }

    /// `Running → Done`, then the outcome to the client's sink.
    pub(crate) fn complete(self, outcome: Outcome) {
        self.cell.finish();
        self.client.sink.complete(self.token, &self.cell, outcome);
    }
}

/// The completion of the request this worker runs, if it is the request of `cell`, with
/// the pool and the request's priority: `None` outside a pool worker.
fn take_completion(cell: &ReqCell) -> Option<(Pool, i32, Completion)> {
    WORKER.with(|w| {
        let mut w = w.borrow_mut();
        match &w.running {
            Some((_, c)) if std::ptr::eq(Arc::as_ptr(&c.cell), cell) => {
                let (priority, completion) = w.running.take().expect("matched above");
                Some((w.pool.clone()?, priority, completion))
            }
            _ => None,
        }
    })
}

/// Whether a request may spread over the pool ([`ReqCtx::fan_out`]): composites, the stat
/// of many paths, and closures (for Rust users and tests). The others skip the bookkeeping.
fn may_fan_out(op: &Op) -> bool {
    matches!(op, Op::Composite(_) | Op::StatMany { .. } | Op::Custom(_))
}

/// Runs one request outside the lock and hands its outcome to its client's sink. A panic
/// in the request becomes that request's error.
fn run(req: Request) {
    let Request { cell, op, client, token, priority } = req;
    let ctx = ReqCtx { cell: &cell };
    if !may_fan_out(&op) {
        let outcome = catch_unwind(AssertUnwindSafe(|| op.execute(&ctx)))
            .unwrap_or_else(|payload| Err(ReqError::Panic(panic_message(&payload))));
        cell.finish();
        client.sink.complete(token, &cell, outcome);
        return;
    }
    let completion = Completion { cell: Arc::clone(&cell), client, token };
    WORKER.with(|w| w.borrow_mut().running = Some((priority, completion)));
    let outcome = catch_unwind(AssertUnwindSafe(|| op.execute(&ctx)))
        .unwrap_or_else(|payload| Err(ReqError::Panic(panic_message(&payload))));
    match WORKER.with(|w| w.borrow_mut().running.take()) {
        Some((_, completion)) => completion.complete(outcome),
        // Handed to sub-work (`ReqCtx::fan_out`), which delivers the real outcome.
        None => drop(outcome),
    }
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
