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

use crate::drain;
use crate::raw::{self, check};

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
    fn take(&self) -> Vec<Done> {
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

/// How a request's result is turned into JS values, decided when it was submitted.
pub enum Delivery {
    /// Numbers, stats, nothing: the tag says it all.
    Plain,
    /// Bytes read are copied at `offset` into the view that JavaScript holds for this
    /// slot in its read-target array (`readTargets` in lib/engine.ts), which keeps the view
    /// alive until the completion is delivered without a Node-API reference per read.
    ReadInto { offset: usize },
    /// Directory names as strings, or as `Buffer`s.
    Names { buffers: bool },
}

/// One request in flight.
pub struct Slot {
    pub cell: Arc<ReqCell>,
    pub delivery: Delivery,
}

/// Requests in flight, indexed by the slot number JavaScript knows them by.
#[derive(Default)]
pub struct Slots {
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    live: usize,
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
        self.free.push(i);
        Some(slot)
    }

    pub fn live(&self) -> usize {
        self.live
    }

    fn drain_all(&mut self) -> Vec<Slot> {
        self.free.clear();
        self.live = 0;
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
    /// Whether the threadsafe function currently keeps the event loop alive.
    loop_held: bool,
    dead: bool,
}

/// Everything eio keeps for one environment. Allocated by [`EnvCtx::install`] and freed by
/// the threadsafe function's finalizer, which Node runs last at teardown.
pub struct EnvCtx {
    pub env: sys::napi_env,
    pub sink: Arc<EnvSink>,
    pub client: Arc<Client>,
    pub local: RefCell<EnvLocal>,
    tsfn: sys::napi_threadsafe_function,
    /// The JS dispatch function, for drains started from JS (`poll`).
    dispatch: sys::napi_ref,
    /// The JS array of read targets by slot (see [`Delivery::ReadInto`]).
    read_targets: sys::napi_ref,
}

/// Forwards to the shared sink; the pool's client owns this box.
struct SinkHandle(Arc<EnvSink>);

impl CompletionSink for SinkHandle {
    fn complete(&self, token: u64, cell: &Arc<ReqCell>, outcome: Outcome) {
        self.0.complete(token, cell, outcome)
    }
}

impl EnvCtx {
    /// Sets up eio for the environment `env`, with `dispatch` as the JS function that
    /// receives batches of completions and `read_targets` as the array in which JavaScript
    /// holds each read's buffer by slot. Called once per environment.
    ///
    /// # Safety
    /// `env`, `dispatch` and `read_targets` must be live handles of the current call on
    /// `env`'s JS thread.
    pub unsafe fn install(
        env: sys::napi_env,
        dispatch: sys::napi_value,
        read_targets: sys::napi_value,
    ) -> napi::Result<()> {
        let mut existing = ptr::null_mut();
        // SAFETY: guaranteed by the caller.
        check(unsafe { sys::napi_get_instance_data(env, &mut existing) }, "napi_get_instance_data")?;
        if !existing.is_null() {
            return Err(napi::Error::from_reason("eio: already initialised in this environment"));
        }
        // Worker threads outlive any one environment: keep the addon's code mapped even if
        // Node unloads the addon with a worker's environment.
        napi::bindgen_prelude::retain_current_module_for_unload_safety();

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
        // SAFETY: guaranteed by the caller.
        let dispatch_ref = unsafe { raw::create_ref(env, dispatch)? };
        // SAFETY: guaranteed by the caller.
        let read_targets_ref = unsafe { raw::create_ref(env, read_targets)? };
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
                loop_held: false,
                dead: false,
            }),
            tsfn: ptr::null_mut(),
            dispatch: dispatch_ref,
            read_targets: read_targets_ref,
        }));

        let mut name = ptr::null_mut();
        // SAFETY: a static string and a valid out-pointer.
        let status = unsafe { sys::napi_create_string_utf8(env, c"eio".as_ptr(), 3, &mut name) };
        check(status, "napi_create_string_utf8")?;
        let mut tsfn = ptr::null_mut();
        // SAFETY: `ctx` is a valid heap pointer that only `tsfn_finalize` frees; `dispatch`
        // is a live function; a queue size of 0 means unbounded, so calls never block.
        let status = unsafe {
            sys::napi_create_threadsafe_function(
                env,
                dispatch,
                ptr::null_mut(),
                name,
                0,
                1,
                ctx.cast(),
                Some(tsfn_finalize),
                ctx.cast(),
                Some(tsfn_call_js),
                &mut tsfn,
            )
        };
        if let Err(e) = check(status, "napi_create_threadsafe_function") {
            // SAFETY: `ctx` was never shared; reclaim it.
            drop(unsafe { Box::from_raw(ctx) });
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
        Ok(())
    }

    /// The context of the environment of the current call.
    ///
    /// # Safety
    /// `env` must be the live env of the current call, on its JS thread.
    pub unsafe fn get<'a>(env: sys::napi_env) -> napi::Result<&'a EnvCtx> {
        let mut data = ptr::null_mut();
        // SAFETY: guaranteed by the caller.
        check(unsafe { sys::napi_get_instance_data(env, &mut data) }, "napi_get_instance_data")?;
        if data.is_null() {
            return Err(napi::Error::from_reason("eio: not initialised in this environment"));
        }
        // SAFETY: instance data is only ever set to a live `EnvCtx` by `install`, and it
        // stays valid while the environment can still make calls.
        Ok(unsafe { &*data.cast::<EnvCtx>() })
    }

    /// Takes a slot for a new request, holding the event loop open while any is in flight.
    pub fn track(&self, slot: Slot) -> u32 {
        let mut local = self.local.borrow_mut();
        let i = local.slots.insert(slot);
        self.update_loop_hold(&mut local);
        i
    }

    /// Hands the staged requests to the pool.
    pub fn submit_staged(&self) {
        let staged = std::mem::take(&mut self.local.borrow_mut().staged);
        if !staged.is_empty() {
            Pool::global().submit_staged(staged);
        }
    }

    /// The array of read targets by slot (see [`Delivery::ReadInto`]).
    ///
    /// # Safety
    /// On the JS thread of `env`, inside a handle scope.
    pub unsafe fn read_targets(&self) -> napi::Result<sys::napi_value> {
        // SAFETY: the reference lives as long as the context; guaranteed by the caller.
        unsafe { raw::ref_value(self.env, self.read_targets) }
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

    /// Delivers completions to JavaScript (see `drain`), from a wake-up or from `poll`.
    ///
    /// # Safety
    /// On the JS thread of a live `env`, inside a call or callback scope.
    pub unsafe fn drain(&self) -> napi::Result<()> {
        let fresh = self.sink.take();
        // SAFETY: the dispatch reference lives as long as the context.
        let dispatch = unsafe { raw::ref_value(self.env, self.dispatch)? };
        // SAFETY: guaranteed by the caller.
        unsafe { drain::deliver(self, dispatch, fresh) }
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
}

/// Called by Node when a completion wake-up reaches the JS thread.
unsafe extern "C" fn tsfn_call_js(
    env: sys::napi_env,
    _js_cb: sys::napi_value,
    context: *mut c_void,
    _data: *mut c_void,
) {
    if env.is_null() || context.is_null() {
        return; // the function is being torn down
    }
    // SAFETY: `context` is the `EnvCtx` that `install` gave this function; it is freed only
    // by `tsfn_finalize`, after which this is never called.
    let ctx = unsafe { &*context.cast::<EnvCtx>() };
    if ctx.local.borrow().dead {
        return;
    }
    // SAFETY: Node calls this on the env's JS thread with a handle and callback scope open.
    if let Err(e) = unsafe { ctx.drain() } {
        let msg = std::ffi::CString::new(e.reason).unwrap_or_default();
        // SAFETY: a valid C string; throwing here surfaces as an uncaught exception.
        unsafe { sys::napi_throw_error(env, ptr::null(), msg.as_ptr()) };
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
        // SAFETY: the reference belongs to this env, which is still valid in finalizers.
        unsafe { raw::delete_ref(env, ctx.dispatch) };
        // SAFETY: as above.
        unsafe { raw::delete_ref(env, ctx.read_targets) };
        // SAFETY: clear the instance data so that nothing can reach the freed context.
        unsafe { sys::napi_set_instance_data(env, ptr::null_mut(), None, ptr::null_mut()) };
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
