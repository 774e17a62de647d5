//! Per-environment state: each Node environment (the main thread and every worker) has its
//! own completion queue, request table and wake-up, so that environments never see each
//! other's requests and one that ends leaves the others untouched.
//!
//! Threads: [`EnvSink`] is shared with the pool's workers; everything else is used only on
//! the environment's JS thread.
//!
//! Teardown: the cleanup hook marks the sink dead under its lock, so that from then on a
//! worker's completion is dropped on the worker (closing fds, freeing memory) and the
//! threadsafe function is never called again; it cancels the environment's queued
//! requests and releases the threadsafe function, whose finalizer frees [`EnvCtx`].

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use eio_core::{Client, CompletionSink, Outcome, Pool, ReqCell, StagedJob};
use napi::sys;

use crate::raw::{check, Js, Ref, Scope};
use crate::wire::{Delivery, WireBuffer};

/// One finished request waiting for the JS thread.
pub struct Done {
    pub slot: u32,
    pub outcome: Outcome,
}

/// A `napi_threadsafe_function` handle, which Node-API allows any thread to call.
#[derive(Clone, Copy)]
struct Tsfn(sys::napi_threadsafe_function);
// SAFETY: Node-API documents threadsafe functions as callable from any thread; the handle
// is only used while the sink is alive (see `EnvSink`).
unsafe impl Send for Tsfn {}

struct SinkState {
    queue: Vec<Done>,
    /// False once the environment is being torn down (or the process exits).
    alive: bool,
    /// A wake-up was sent and the JS thread has not drained since.
    wake_scheduled: bool,
    tsfn: Tsfn,
}

/// The completion queue of one environment, filled by pool threads.
pub struct EnvSink {
    state: Mutex<SinkState>,
    /// Completions queued and not yet drained (IO::AIO's `npending`).
    npending: AtomicUsize,
}

impl EnvSink {
    fn lock(&self) -> MutexGuard<'_, SinkState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn npending(&self) -> usize {
        self.npending.load(Ordering::Acquire)
    }

    /// Takes everything queued and clears the wake-up flag (JS thread).
    pub fn take(&self) -> Vec<Done> {
        let mut st = self.lock();
        st.wake_scheduled = false;
        let out = std::mem::take(&mut st.queue);
        self.npending.fetch_sub(out.len(), Ordering::AcqRel);
        out
    }

    /// Stops deliveries for good: later completions are dropped on the worker.
    pub fn kill(&self) -> Vec<Done> {
        let mut st = self.lock();
        st.alive = false;
        let out = std::mem::take(&mut st.queue);
        self.npending.fetch_sub(out.len(), Ordering::AcqRel);
        out
    }
}

impl CompletionSink for EnvSink {
    fn complete(&self, token: u64, _cell: &Arc<ReqCell>, outcome: Outcome) {
        let mut st = self.lock();
        if !st.alive {
            drop(st);
            // The environment is gone: free what the request acquired, outside the lock.
            drop(outcome);
            return;
        }
        st.queue.push(Done { slot: token as u32, outcome });
        self.npending.fetch_add(1, Ordering::AcqRel);
        if !st.wake_scheduled {
            st.wake_scheduled = true;
            // SAFETY: the sink is alive, so the environment's cleanup hook has not run and
            // the threadsafe function has not been released; it is called under the lock
            // that the cleanup hook takes before releasing it.
            unsafe {
                sys::napi_call_threadsafe_function(
                    st.tsfn.0,
                    ptr::null_mut(),
                    sys::ThreadsafeFunctionCallMode::nonblocking,
                )
            };
        }
    }
}

/// One request in flight.
pub struct Slot {
    pub cell: Arc<ReqCell>,
    pub delivery: Delivery,
    /// Aborted while running: its promise has settled; the slot waits for the syscall to
    /// return, so that what it acquired is freed then (see [`Slots::abandon`]).
    pub abandoned: bool,
}

impl Slot {
    pub fn new(cell: Arc<ReqCell>, delivery: Delivery) -> Slot {
        Slot { cell, delivery, abandoned: false }
    }
}

/// Requests in flight, indexed by the slot number JavaScript knows them by.
#[derive(Default)]
pub struct Slots {
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    live: usize,
    /// Of those, the abandoned ones.
    abandoned: usize,
}

impl Slots {
    /// The slot the next [`Slots::insert`] will use.
    pub fn next_index(&self) -> u32 {
        self.free.last().copied().unwrap_or(self.slots.len() as u32)
    }

    pub fn insert(&mut self, slot: Slot) -> u32 {
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(slot);
                i
            }
            None => {
                self.slots.push(Some(slot));
                (self.slots.len() - 1) as u32
            }
        }
    }

    pub fn get(&self, i: u32) -> Option<&Slot> {
        self.slots.get(i as usize).and_then(Option::as_ref)
    }

    pub fn remove(&mut self, i: u32) -> Option<Slot> {
        let slot = self.slots.get_mut(i as usize)?.take()?;
        self.live -= 1;
        self.abandoned -= usize::from(slot.abandoned);
        self.free.push(i);
        Some(slot)
    }

    /// Marks a running request whose promise was settled without it (aborted): it keeps
    /// its slot, so that the number is not reused before its completion comes and frees
    /// what the syscall acquired, but nobody waits for it any more.
    pub fn abandon(&mut self, i: u32) {
        if let Some(slot) = self.slots.get_mut(i as usize).and_then(Option::as_mut) {
            if !slot.abandoned {
                slot.abandoned = true;
                self.abandoned += 1;
            }
        }
    }

    /// Requests in flight, abandoned ones included.
    pub fn live(&self) -> usize {
        self.live
    }

    /// Requests in flight whose promises still wait for them.
    pub fn awaited(&self) -> usize {
        self.live - self.abandoned
    }

    fn drain_all(&mut self) -> Vec<Slot> {
        self.free.clear();
        self.live = 0;
        self.abandoned = 0;
        self.slots.drain(..).flatten().collect()
    }
}

/// State used only on the environment's JS thread.
pub struct EnvLocal {
    pub slots: Slots,
    /// Requests submitted by JavaScript since the last `submit_staged`: they enter the
    /// pool together, under one lock, at the end of the current JS job (a microtask).
    pub staged: Vec<StagedJob>,
    /// Completions taken from the sink but not yet delivered (a drain stopped early).
    pub backlog: VecDeque<Done>,
    pub max_poll_reqs: usize,
    pub max_poll_time: Duration,
    /// Where results travel to JavaScript (see `wire.rs`).
    pub wire: WireBuffer,
    /// Work done on the JS thread in this event-loop turn (see `submit.rs`).
    pub turn: TurnWork,
    /// A drain is delivering a batch (its JavaScript may make requests, and those may
    /// complete at once): a drain started meanwhile leaves its completions to that one.
    pub draining: bool,
    /// Whether the threadsafe function currently keeps the event loop alive.
    loop_held: bool,
    dead: bool,
}

/// Requests answered on the JS thread in the current event-loop turn and in the current JS
/// job, which the JS-thread policy (`submit.rs`) bounds. A wake-up or a `poll` (each a
/// macrotask of its own) starts a new turn; `submitStaged` (a microtask queued by the job
/// that made requests) ends the job.
#[derive(Default)]
pub struct TurnWork {
    /// Requests answered on the JS thread this turn, and the bytes they read.
    pub answers: u32,
    pub bytes: usize,
    /// A request was answered when it was made, in the current JS job.
    pub answered_in_job: bool,
}

/// A Node-API callback that Node calls on the JS thread when completions wait
/// (`napi_threadsafe_function_call_js`): the drain's.
pub type OnWake = unsafe extern "C" fn(sys::napi_env, sys::napi_value, *mut c_void, *mut c_void);

/// Everything eio keeps for one environment. Allocated by [`EnvCtx::install`] and freed by
/// the threadsafe function's finalizer, which Node runs last at teardown.
pub struct EnvCtx {
    pub env: sys::napi_env,
    pub sink: Arc<EnvSink>,
    pub client: Arc<Client>,
    pub local: RefCell<EnvLocal>,
    tsfn: sys::napi_threadsafe_function,
    /// The JS dispatch function that receives batches (see `drain.rs`).
    dispatch: Ref,
    /// The JS array of read targets by slot (see [`Delivery::ReadInto`]).
    read_targets: Ref,
}

/// Forwards to the shared sink; the pool's client owns this box.
struct SinkHandle(Arc<EnvSink>);

impl CompletionSink for SinkHandle {
    fn complete(&self, token: u64, cell: &Arc<ReqCell>, outcome: Outcome) {
        self.0.complete(token, cell, outcome)
    }
}

impl EnvCtx {
    /// Sets up eio for the environment of `js`, with `dispatch` as the JS function that
    /// receives batches of completions, `read_targets` as the array in which JavaScript
    /// holds each read's buffer by slot, and `on_wake` as what Node calls when completions
    /// wait. Called once per environment; returns the wire buffer's view for JavaScript.
    pub fn install<'s>(
        js: Scope<'s>,
        dispatch: Js<'s>,
        read_targets: Js<'s>,
        on_wake: OnWake,
    ) -> napi::Result<Js<'s>> {
        if !js.instance_data()?.is_null() {
            return Err(napi::Error::from_reason("eio: already initialised in this environment"));
        }
        // Worker threads outlive any one environment: keep the addon's code mapped even if
        // Node unloads the addon with a worker's environment.
        napi::bindgen_prelude::retain_current_module_for_unload_safety();

        let env = js.env();
        let sink = Arc::new(EnvSink {
            state: Mutex::new(SinkState {
                queue: Vec::new(),
                alive: true,
                wake_scheduled: false,
                tsfn: Tsfn(ptr::null_mut()),
            }),
            npending: AtomicUsize::new(0),
        });
        let client = Client::new(Box::new(SinkHandle(sink.clone())));
        let wire = WireBuffer::new(js)?;
        let view = wire.view(js)?;
        let ctx = Box::into_raw(Box::new(EnvCtx {
            env,
            sink,
            client,
            local: RefCell::new(EnvLocal {
                slots: Slots::default(),
                staged: Vec::new(),
                backlog: VecDeque::new(),
                max_poll_reqs: 0,
                max_poll_time: Duration::ZERO,
                wire,
                turn: TurnWork::default(),
                draining: false,
                loop_held: false,
                dead: false,
            }),
            tsfn: ptr::null_mut(),
            dispatch: js.create_ref(dispatch)?,
            read_targets: js.create_ref(read_targets)?,
        }));

        let name = js.string(b"eio")?;
        let mut tsfn = ptr::null_mut();
        // SAFETY: on the env's JS thread (`js`). `ctx` is a valid heap pointer that only
        // `tsfn_finalize` frees; `dispatch` is a live function; a queue size of 0 means
        // unbounded, so calls never block.
        let status = unsafe {
            sys::napi_create_threadsafe_function(
                env,
                dispatch.raw(),
                ptr::null_mut(),
                name.raw(),
                0,
                1,
                ctx.cast(),
                Some(tsfn_finalize),
                ctx.cast(),
                Some(on_wake),
                &mut tsfn,
            )
        };
        if let Err(e) = check(status, "napi_create_threadsafe_function") {
            // SAFETY: `ctx` was never shared; reclaim it.
            let ctx = unsafe { Box::from_raw(ctx) };
            ctx.release_refs(js);
            return Err(e);
        }
        // SAFETY: `ctx` is live (freed only by `tsfn_finalize`, which cannot have run).
        let ctx_ref = unsafe { &mut *ctx };
        ctx_ref.tsfn = tsfn;
        ctx_ref.sink.lock().tsfn = Tsfn(tsfn);
        // An idle pool must not keep the process alive; `hold_loop` refs it while busy.
        // SAFETY: `tsfn` was just created on this thread.
        check(unsafe { sys::napi_unref_threadsafe_function(env, tsfn) }, "napi_unref_threadsafe_function")?;
        // SAFETY: `ctx` stays valid until `tsfn_finalize`, which Node runs after cleanup
        // hooks; `env_cleanup` only marks it dead.
        let status = unsafe { sys::napi_set_instance_data(env, ctx.cast(), None, ptr::null_mut()) };
        check(status, "napi_set_instance_data")?;
        // SAFETY: as above; the hook runs on this thread at teardown.
        let status = unsafe { sys::napi_add_env_cleanup_hook(env, Some(env_cleanup), ctx.cast()) };
        check(status, "napi_add_env_cleanup_hook")?;
        Ok(view)
    }

    /// The context of the environment of `js`.
    pub fn of<'s>(js: Scope<'s>) -> napi::Result<&'s EnvCtx> {
        let data = js.instance_data()?;
        if data.is_null() {
            return Err(napi::Error::from_reason("eio: not initialised in this environment"));
        }
        // SAFETY: instance data is only ever set to a live `EnvCtx` by `install`, and it
        // stays valid while the environment can still make calls (`tsfn_finalize` clears
        // it before freeing), which outlasts any scope of it.
        Ok(unsafe { &*data.cast::<EnvCtx>() })
    }

    /// Takes a slot for a new request, holding the event loop open while any is in flight
    /// (an abandoned one too: as with libuv's requests, a thread busy with a syscall made
    /// for this environment keeps it alive, and `flush()` waits for it).
    pub fn track(&self, slot: Slot) -> u32 {
        let mut local = self.local.borrow_mut();
        let i = local.slots.insert(slot);
        self.update_loop_hold(&mut local);
        i
    }

    /// The JS dispatch function.
    pub fn dispatch<'s>(&self, js: Scope<'s>) -> napi::Result<Js<'s>> {
        js.ref_value(&self.dispatch)
    }

    /// The array of read targets by slot (see [`Delivery::ReadInto`]).
    pub fn read_targets(&self) -> &Ref {
        &self.read_targets
    }

    pub fn update_loop_hold(&self, local: &mut EnvLocal) {
        let busy = local.slots.live() > 0 && !local.dead;
        if busy != local.loop_held {
            local.loop_held = busy;
            // SAFETY: on the JS thread of `env`, whose threadsafe function is live until
            // `env_cleanup` (which sets `dead` first).
            unsafe {
                if busy {
                    sys::napi_ref_threadsafe_function(self.env, self.tsfn);
                } else {
                    sys::napi_unref_threadsafe_function(self.env, self.tsfn);
                }
            }
        }
    }

    /// Whether the environment is being torn down (nothing is delivered any more).
    pub fn is_dead(&self) -> bool {
        self.local.borrow().dead
    }

    /// Stops deliveries for this environment (process exit, or teardown).
    pub fn shut_down(&self) {
        let dropped = self.sink.kill();
        let mut local = self.local.borrow_mut();
        local.dead = true;
        local.backlog.clear();
        local.staged.clear();
        drop(dropped);
    }

    fn release_refs(self, js: Scope<'_>) {
        let EnvCtx { local, dispatch, read_targets, .. } = self;
        js.delete_ref(dispatch);
        js.delete_ref(read_targets);
        local.into_inner().wire.release(js);
    }
}

/// Frees the context once the threadsafe function is gone (the end of the environment).
unsafe extern "C" fn tsfn_finalize(env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the `EnvCtx` leaked by `install`; this finalizer runs once.
    let ctx = unsafe { Box::from_raw(data.cast::<EnvCtx>()) };
    ctx.shut_down();
    if !env.is_null() {
        // Should Node ever finalize the function before running our hook, the hook must
        // not see the freed context. Removing a hook that already ran is harmless.
        // SAFETY: same env, hook and argument as registered in `install`.
        unsafe { sys::napi_remove_env_cleanup_hook(env, Some(env_cleanup), data) };
        // SAFETY: clear the instance data so that nothing can reach the freed context.
        unsafe { sys::napi_set_instance_data(env, ptr::null_mut(), None, ptr::null_mut()) };
        // SAFETY: finalizers run on the env's JS thread, where deleting the context's
        // references is allowed; no value is made.
        ctx.release_refs(unsafe { Scope::assume(env) });
    }
}

/// The environment is ending: stop deliveries, cancel its queued work.
unsafe extern "C" fn env_cleanup(arg: *mut c_void) {
    // SAFETY: `arg` is the `EnvCtx`, still live: the threadsafe function (whose finalizer
    // frees it) is released only below.
    let ctx = unsafe { &*arg.cast::<EnvCtx>() };
    ctx.shut_down();
    let slots = ctx.local.borrow_mut().slots.drain_all();
    let pool = Pool::global();
    for slot in slots {
        // Queued requests never run; running ones complete into the dead sink, which
        // drops (and so frees) what they acquired.
        pool.cancel(&ctx.client, &slot.cell);
    }
    // SAFETY: the sink is dead, so no worker will call the function again.
    unsafe { sys::napi_release_threadsafe_function(ctx.tsfn, sys::ThreadsafeFunctionReleaseMode::abort) };
}
