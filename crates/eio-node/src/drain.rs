//! The batched drain, libeio's `poll_cb`: completions go to JavaScript in batches of at
//! most `wire::CHUNK`, one call of the JS `dispatch(view, count, extras, more)` per batch
//! (see `wire.rs` for what a batch holds), bounded by `max_poll_reqs` and `max_poll_time`.

use std::ffi::c_void;
use std::time::{Duration, Instant};

use napi::sys;

use crate::env::{Done, EnvCtx, TurnWork};
use crate::raw::Scope;
use crate::wire::{self, Batch};

/// Called by Node when a completion wake-up reaches the JS thread (see `EnvCtx::install`).
pub unsafe extern "C" fn on_wake(
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
    if ctx.is_dead() {
        return;
    }
    // SAFETY: Node calls this on the env's JS thread with a handle and callback scope open
    // until it returns.
    let js = unsafe { Scope::assume(env) };
    if let Err(e) = new_turn(ctx, js) {
        // Surfaces as an uncaught exception.
        js.throw_error(&e.reason);
    }
}

/// A macrotask of the drain's own (a wake-up, or `poll` after a drain stopped early): a new
/// event-loop turn for the JS-thread policy (`submit.rs`), then the drain.
pub fn new_turn(ctx: &EnvCtx, js: Scope<'_>) -> napi::Result<()> {
    ctx.local.borrow_mut().turn = TurnWork::default();
    drain(ctx, js)
}

/// Delivers the completions waiting in the sink (and any backlog) to JavaScript, from a
/// wake-up, from `poll`, or after requests completed on this thread (`submit.rs`).
pub fn drain(ctx: &EnvCtx, js: Scope<'_>) -> napi::Result<()> {
    let fresh = ctx.sink.take();
    let (limit, time_limit) = {
        let mut local = ctx.local.borrow_mut();
        local.backlog.extend(fresh);
        if local.draining {
            // An outer drain is delivering a batch whose JavaScript made requests that
            // completed at once: it delivers these too, after its batch.
            return Ok(());
        }
        local.draining = true;
        let limit = if local.max_poll_reqs == 0 { usize::MAX } else { local.max_poll_reqs };
        (limit, local.max_poll_time)
    };
    let result = deliver(ctx, js, limit, time_limit);
    ctx.local.borrow_mut().draining = false;
    result
}

fn deliver(ctx: &EnvCtx, js: Scope<'_>, limit: usize, time_limit: Duration) -> napi::Result<()> {
    let started = Instant::now();
    let mut delivered = 0;
    loop {
        let stop = js.nested(|js| {
            let dispatch = ctx.dispatch(js)?;
            let (args, count, stop, fds) = {
                let mut local = ctx.local.borrow_mut();
                let local = &mut *local;
                let mut batch = Batch::new(js, &mut local.wire, ctx.read_targets())?;
                while !batch.is_full() && delivered < limit {
                    let Some(Done { slot, outcome }) = local.backlog.pop_front() else {
                        break;
                    };
                    // A slot is freed only by its completion or by a cancel that skipped it.
                    if let Some(req) = local.slots.remove(slot) {
                        batch.encode(slot, req.delivery, req.cell.is_aborted(), outcome);
                        delivered += 1;
                    }
                }
                let count = batch.len();
                let (extras, fds) = batch.finish();
                ctx.update_loop_hold(local);
                let over_time = !time_limit.is_zero() && started.elapsed() >= time_limit;
                let stop = local.backlog.is_empty() || delivered >= limit || over_time;
                let more = !local.backlog.is_empty() && stop;
                let view = local.wire.view(js)?;
                let args = [view, js.uint32(count as u32)?, extras, js.boolean(more)?];
                (args, count, stop, fds)
            };
            // The borrow of the local state ends before JavaScript runs: dispatch may make
            // requests. Dispatch settles every record (lib/engine.ts catches per record), so
            // it fails only when JavaScript cannot run: the environment is going away and
            // nobody will ever see these fds. Returning early drops (closes) them.
            if count > 0 {
                js.call(dispatch, &args)?;
            }
            wire::delivered(fds);
            Ok(stop)
        })?;
        if stop {
            return Ok(());
        }
    }
}
