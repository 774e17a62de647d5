//! The pool's settings and counters, and cancellation.

use eio_core::{seconds, CancelOutcome, Pool};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::env::EnvCtx;
use crate::raw::Scope;

/// `configure()`'s options, already validated by the JS layer. Times are in seconds.
#[napi(object)]
pub struct PoolOptions {
    pub min_parallel: Option<u32>,
    pub max_parallel: Option<u32>,
    pub max_idle: Option<u32>,
    pub idle_timeout: Option<f64>,
    pub max_poll_reqs: Option<u32>,
    pub max_poll_time: Option<f64>,
}

#[napi]
pub fn configure(env: Env, options: PoolOptions) -> Result<()> {
    Pool::global().configure(|cfg| {
        if let Some(n) = options.min_parallel {
            cfg.set_min_parallel(n as usize);
        }
        if let Some(n) = options.max_parallel {
            cfg.set_max_parallel(n as usize);
        }
        if let Some(n) = options.max_idle {
            cfg.max_idle = n as usize;
        }
        if let Some(s) = options.idle_timeout {
            cfg.idle_timeout = seconds(s);
        }
    });
    let ctx = EnvCtx::of(Scope::of_call(&env))?;
    let mut local = ctx.local.borrow_mut();
    if let Some(n) = options.max_poll_reqs {
        local.max_poll_reqs = n as usize;
    }
    if let Some(s) = options.max_poll_time {
        local.max_poll_time = seconds(s);
    }
    Ok(())
}

/// Requests of this environment not yet settled (IO::AIO's `nreqs`).
#[napi]
pub fn nreqs(env: Env) -> Result<u32> {
    let ctx = EnvCtx::of(Scope::of_call(&env))?;
    Ok(ctx.local.borrow().slots.live() as u32)
}

/// Requests of this environment waiting for a thread (IO::AIO's `nready`).
#[napi]
pub fn nready(env: Env) -> Result<u32> {
    let ctx = EnvCtx::of(Scope::of_call(&env))?;
    // Requests staged in this JS job are waiting too (IO::AIO queues at the call): hand
    // them to the pool now, so that they are counted (else `nop(); nready()` gives 0).
    crate::submit::submit_to_pool(ctx);
    Ok(ctx.client.nready() as u32)
}

/// Requests of this environment executed but not yet settled (IO::AIO's `npending`).
#[napi]
pub fn npending(env: Env) -> Result<u32> {
    let ctx = EnvCtx::of(Scope::of_call(&env))?;
    Ok((ctx.sink.npending() + ctx.local.borrow().backlog.len()) as u32)
}

/// Worker threads running in the process (IO::AIO's `nthreads`).
#[napi]
pub fn nthreads() -> u32 {
    Pool::global().nthreads() as u32
}

/// Cancels request `id`. True if it was still queued: it is gone and will never complete.
/// False if it is running (or done): its promise is settled without it (the caller rejects
/// it now), and when the syscall returns, what it acquired is freed.
#[napi]
pub fn cancel(env: Env, id: u32) -> Result<bool> {
    let ctx = EnvCtx::of(Scope::of_call(&env))?;
    let cell = match ctx.local.borrow().slots.get(id) {
        Some(slot) => slot.cell.clone(),
        None => return Ok(false),
    };
    let skipped = Pool::global().cancel(&ctx.client, &cell) == CancelOutcome::Skipped;
    let mut local = ctx.local.borrow_mut();
    if skipped {
        local.slots.remove(id);
    } else {
        local.slots.abandon(id);
    }
    ctx.update_loop_hold(&mut local);
    Ok(skipped)
}
