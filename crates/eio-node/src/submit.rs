//! How a request enters the pool: staged by the call that makes it, handed to the pool with
//! the rest of its JS job's requests at the end of that job (`submitStaged`, a microtask
//! queued by lib/engine.ts), unless it can be answered on the JS thread first.

use eio_core::{Op, Pool, StagedJob, Value};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::env::{Done, EnvCtx, Slot};
use crate::raw::{Js, Scope};
use crate::wire::Delivery;

/// Most requests staged before they are handed to the pool anyway, so that a long
/// synchronous loop of submissions keeps the threads busy while it runs.
const STAGE_MAX: usize = 1024;

/// Bytes of cached reads one batch may read on the JS thread: about 100 µs of copying.
const INLINE_BYTES: usize = 1 << 20;

/// Stages `op` for the environment of the current call; returns the request's slot number.
/// The JS layer calls `submitStaged` at the end of the current job (see `track` in
/// lib/engine.ts).
pub fn submit(env: &Env, priority: i32, op: Op, delivery: Delivery) -> Result<u32> {
    let ctx = EnvCtx::of(Scope::of_call(env))?;
    let id = ctx.local.borrow().slots.next_index();
    let (cell, job) = Pool::global().stage(&ctx.client, priority, u64::from(id), op);
    let tracked = ctx.track(Slot { cell, delivery });
    debug_assert_eq!(tracked, id, "submit: slot changed between next_index and track");
    let full = {
        let mut local = ctx.local.borrow_mut();
        local.staged.push(job);
        local.staged.len() >= STAGE_MAX
    };
    if full {
        submit_to_pool(ctx);
    }
    Ok(tracked)
}

/// Hands the staged requests to the pool.
pub fn submit_to_pool(ctx: &EnvCtx) {
    let staged = std::mem::take(&mut ctx.local.borrow_mut().staged);
    if !staged.is_empty() {
        Pool::global().submit_staged(staged);
    }
}

/// Hands this environment's staged requests to the pool, after running those that can
/// complete at once on this thread (see [`run_ready`]).
#[napi]
pub fn submit_staged(env: Env) -> Result<()> {
    let js = Scope::of_call(&env);
    run_ready(EnvCtx::of(js)?, js)
}

/// Hands this environment's staged requests to the pool (the end of a JS job), after
/// running on this thread the reads whose bytes the page cache already holds
/// (`Op::read_now`) and delivering them, as their completions, before returning.
///
/// A read of cached data costs less than waking a worker and being woken by it, so random
/// reads of cached files need no thread hop, and no bounce buffer: the bytes go straight
/// into the caller's buffer, which is written here, after the JS job that made the request
/// (a buffer detached or shrunk meanwhile is left to the pool, whose completion refuses
/// it as for any read). Reads run here only while nothing else of this environment is
/// outstanding and the pool is not paused, so that they never overtake a queued request;
/// from the first request that has to wait, the rest of the batch goes to the pool in order.
///
/// At most [`INLINE_BYTES`] are read here per batch: a batch of many large reads is worth
/// the pool's threads (the cores in parallel), and the event loop is never held for long.
fn run_ready(ctx: &EnvCtx, js: Scope<'_>) -> Result<()> {
    let (staged, others) = {
        let mut local = ctx.local.borrow_mut();
        let staged = std::mem::take(&mut local.staged);
        let live_staged = staged.iter().filter(|job| !job.is_cancelled()).count();
        (staged, local.slots.live() - live_staged)
    };
    if staged.is_empty() {
        return Ok(());
    }
    let pool = Pool::global();
    let may_run = others == 0 && !pool.is_paused();
    let mut targets = None;
    let mut done = Vec::new();
    let mut rest = Vec::new();
    let mut inline_bytes = 0;
    for job in staged {
        if !may_run || !rest.is_empty() || job.is_cancelled() || inline_bytes >= INLINE_BYTES {
            rest.push(job);
            continue;
        }
        if !matches!(job.op(), Op::Read { .. }) {
            rest.push(job);
            continue;
        }
        let targets = match targets {
            Some(t) => t,
            None => *targets.insert(js.ref_value(ctx.read_targets())?),
        };
        match read_into_target(ctx, js, targets, &job) {
            Some(n) => {
                inline_bytes += n;
                if let Some((token, op)) = job.finish_now() {
                    if let Op::Read { buf, .. } = op {
                        crate::bounce::give(buf);
                    }
                    done.push(Done { slot: token as u32, outcome: Ok(Value::Int(n as i64)) });
                }
            }
            None => rest.push(job),
        }
    }
    if !rest.is_empty() {
        pool.submit_staged(rest);
    }
    if done.is_empty() {
        return Ok(());
    }
    ctx.local.borrow_mut().backlog.extend(done);
    crate::drain::drain(ctx, js)
}

/// Runs `job` now if it is a read that the page cache can answer whole (`Op::read_now`),
/// straight into its target: the count read, or `None` when it must go to the pool (its
/// target detached, shrunk or not a buffer Node-API can see into; bytes not cached).
fn read_into_target(ctx: &EnvCtx, js: Scope<'_>, targets: Js<'_>, job: &StagedJob) -> Option<usize> {
    let Op::Read { buf, .. } = job.op() else {
        return None;
    };
    let len = buf.len();
    let slot = job.token() as u32;
    let at = match ctx.local.borrow().slots.get(slot)?.delivery {
        Delivery::ReadInto { offset } => offset,
        _ => return None,
    };
    if len == 0 {
        return None; // the pool's completion tells a detached buffer from an empty read
    }
    // JavaScript set this slot's element right after the read call, and clears it only
    // once the completion is dispatched.
    let target = js.get_element(targets, slot).ok()?;
    js.with_buffer_range(target, at, len, |dest| job.op().read_now(dest)).flatten()
}
