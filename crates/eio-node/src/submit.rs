//! How a request enters the pool, and the one policy for answering it on the JS thread
//! instead.
//!
//! A request is staged by the call that makes it and handed to the pool with the rest of
//! its JS job's requests when that job ends (`submitStaged`, a microtask that
//! lib/engine.ts queues), under one lock.
//!
//! # Answering on the JS thread
//!
//! A request that the kernel can answer without waiting for I/O (`Op::run_now`: a stat of
//! a cached path, a read of cached bytes) costs a few µs on the JS thread, where a round
//! trip through a worker costs 15-50 (see `latency.md`). It is answered here only when all
//! of these hold ([`may_answer_here`]):
//!
//! - nothing else of this environment is in flight (but requests abandoned by an abort,
//!   which nobody waits for): it cannot overtake a queued request, and under load the
//!   pool's threads do the work in parallel while this thread builds the results;
//! - the pool is not paused (`maxParallel: 0` holds every request);
//! - for a request answered when it is made: the caller allows it (no signal or group to
//!   wire, see lib/requests.ts), and no other request was answered so in this JS job, so
//!   that a burst made in one go (`Promise.all(paths.map(lstat))`) goes to the threads;
//! - the turn's budget is not spent: at most [`TURN_ANSWERS`] requests and [`TURN_BYTES`]
//!   bytes read per event-loop turn (a stat takes a few µs, a read of up to 64 KiB some
//!   more: a millisecond or two in all). Past it, requests go to the pool, whose completion
//!   comes back in a macrotask of its own (a new turn, see `drain::new_turn`), so that
//!   timers and I/O run between bursts: a loop of `await stat(p)` can never starve the
//!   event loop. The bound counts requests rather than time, so that whether a request is
//!   answered here never depends on how loaded the machine is.
//!
//! A stat is tried when it is made ([`stat`]): answered so, it needs no slot, record or
//! completion. A read is tried when its job ends ([`submit_staged`]), as the caller's
//! buffer must not be written before the JS job that made the request has ended.

use eio_core::{Op, Pool, StagedJob, Value};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::target;
use crate::env::{Done, EnvCtx, EnvLocal, Slot};
use crate::raw::{Js, Scope};
use crate::wd::WdHandle;
use crate::wire::{Delivery, ANSWERED_NOW};

/// Most requests staged before they are handed to the pool anyway, so that a long
/// synchronous loop of submissions keeps the threads busy while it runs.
const STAGE_MAX: usize = 1024;

/// Most requests answered on the JS thread per event-loop turn.
const TURN_ANSWERS: u32 = 256;
/// Most bytes read on the JS thread per event-loop turn: about 100 µs of copying.
const TURN_BYTES: usize = 1 << 20;

/// Stages `op` for the environment of the current call; returns the request's slot number.
/// The JS layer calls `submitStaged` at the end of the current job (see `track` in
/// lib/engine.ts).
pub fn submit(env: &Env, priority: i32, op: Op, delivery: Delivery) -> Result<u32> {
    stage(EnvCtx::of(Scope::of_call(env))?, priority, op, delivery)
}

fn stage(ctx: &EnvCtx, priority: i32, op: Op, delivery: Delivery) -> Result<u32> {
    let id = ctx.local.borrow().slots.next_index();
    let (cell, job) = Pool::global().stage(&ctx.client, priority, u64::from(id), op);
    let tracked = ctx.track(Slot::new(cell, delivery));
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

/// Whether a request may be answered on the JS thread now (see the module), `others` being
/// the requests of this environment in flight besides it.
fn may_answer_here(local: &EnvLocal, others: usize) -> bool {
    let turn = &local.turn;
    others == 0 && turn.answers < TURN_ANSWERS && turn.bytes < TURN_BYTES && !Pool::global().is_paused()
}

/// Counts a request answered on the JS thread, and the bytes it read.
fn answered_here(local: &mut EnvLocal, bytes: usize) {
    local.turn.answers += 1;
    local.turn.bytes += bytes;
}

/// `stat`/`lstat` of a path (`path` given) or of `fd`; `bigint`: as exact integers
/// (`BigIntStats`). Answered at once when the policy allows it (`now`: the caller has no
/// signal or group to wire) and the kernel's caches do: then the result is in the wire
/// buffer's slots for results answered now, and the return value is `ANSWERED_NOW`; else
/// the request's slot number.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn stat(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Option<Unknown<'_>>,
    fd: i32,
    follow: bool,
    bigint: bool,
    now: bool,
) -> Result<u32> {
    let js = Scope::of_call(&env);
    let op = Op::Stat { target: target(&env, dir, path, fd)?, follow };
    let delivery = if bigint { Delivery::BigInt } else { Delivery::Plain };
    stat_or_stage(EnvCtx::of(js)?, js, priority, op, delivery, now)
}

/// Answers the stat `op` now if the policy and the kernel's caches allow it (see [`stat`]),
/// else stages it.
fn stat_or_stage(
    ctx: &EnvCtx,
    js: Scope<'_>,
    priority: i32,
    op: Op,
    delivery: Delivery,
    now: bool,
) -> Result<u32> {
    let may = now && {
        let local = ctx.local.borrow();
        !local.turn.answered_in_job && may_answer_here(&local, local.slots.awaited())
    };
    if may {
        if let Some(Value::Stat(st)) = op.run_now(None) {
            let mut local = ctx.local.borrow_mut();
            answered_here(&mut local, 0);
            local.turn.answered_in_job = true;
            local.wire.write_now(js, &st, delivery)?;
            return Ok(ANSWERED_NOW);
        }
    }
    stage(ctx, priority, op, delivery)
}

/// Bits of the flags of the raw stat function (see [`stat_function`]): the priority plus 4
/// in the low four bits, then these.
const STAT_FOLLOW: u32 = 1 << 4;
const STAT_BIGINT: u32 = 1 << 5;
const STAT_NOW: u32 = 1 << 6;

/// The native stat of a path given as a string, relative to the cwd or absolute: `(flags,
/// path) => slot | ANSWERED_NOW`, as [`stat`] without a Wd or an fd. `stat`/`lstat` of
/// a string path is the request made most often (build tools, walks), and this raw
/// Node-API function costs less per call than napi-rs's wrapper of [`stat`]: two
/// arguments instead of eight, and the path read in one call. Arguments are validated in
/// JavaScript.
#[napi(ts_return_type = "(flags: number, path: string) => number")]
pub fn stat_function(env: &Env) -> Result<Unknown<'_>> {
    let js = Scope::of_call(env);
    let f = js.function(c"stat", Some(stat_cb))?;
    Ok(js.unknown(f))
}

unsafe extern "C" fn stat_cb(
    env: napi::sys::napi_env,
    info: napi::sys::napi_callback_info,
) -> napi::sys::napi_value {
    // SAFETY: Node calls this on the env's JS thread, inside the call's handle scope.
    let js = unsafe { Scope::assume(env) };
    // SAFETY: `info` is this callback's.
    let args = unsafe { js.callback_args::<2>(info) };
    let answer = args.and_then(|([flags, path], argc)| {
        if argc < 2 {
            return Err(Error::from_reason("eio: stat takes 2 arguments"));
        }
        let flags = js.uint32_of(flags)?;
        let at = eio_core::At::from_bytes(eio_core::Base::Cwd, js.string_bytes(path)?)
            .map_err(|e| Error::from_reason(format!("eio: bad path argument: {e}")))?;
        let op = Op::Stat { target: eio_core::Target::Path(at), follow: flags & STAT_FOLLOW != 0 };
        let delivery = if flags & STAT_BIGINT != 0 { Delivery::BigInt } else { Delivery::Plain };
        let priority = (flags & 0xf) as i32 - 4;
        let id = stat_or_stage(EnvCtx::of(js)?, js, priority, op, delivery, flags & STAT_NOW != 0)?;
        js.uint32(id)
    });
    match answer {
        Ok(v) => v.raw(),
        Err(e) => {
            // The exception reaches the caller, whose `request` turns it into a rejection.
            js.throw_error(&e.reason);
            std::ptr::null_mut()
        }
    }
}

/// The end of a JS job that made requests: answers on this thread the staged reads that
/// the page cache holds whole (delivering them as their completions, before returning),
/// as the policy allows, and hands the rest to the pool.
#[napi]
pub fn submit_staged(env: Env) -> Result<()> {
    let js = Scope::of_call(&env);
    let ctx = EnvCtx::of(js)?;
    ctx.local.borrow_mut().turn.answered_in_job = false;
    answer_ready(ctx, js)
}

/// Runs the staged reads that may be answered here (see the module), in order, up to the
/// first that may not: from there on the rest goes to the pool in order. A read answered
/// here goes straight into the caller's buffer, with no bounce buffer (a buffer detached
/// or shrunk meanwhile is left to the pool, whose completion refuses it as for any read).
fn answer_ready(ctx: &EnvCtx, js: Scope<'_>) -> Result<()> {
    let (staged, others) = {
        let mut local = ctx.local.borrow_mut();
        let staged = std::mem::take(&mut local.staged);
        let live_staged = staged.iter().filter(|job| !job.is_cancelled()).count();
        (staged, local.slots.awaited() - live_staged)
    };
    if staged.is_empty() {
        return Ok(());
    }
    let mut targets = None;
    let mut done = Vec::new();
    let mut rest = Vec::new();
    for job in staged {
        if !rest.is_empty() || job.is_cancelled() || !matches!(job.op(), Op::Read { .. }) {
            rest.push(job);
            continue;
        }
        if !may_answer_here(&ctx.local.borrow(), others) {
            rest.push(job);
            continue;
        }
        let targets = match targets {
            Some(t) => t,
            None => *targets.insert(js.ref_value(ctx.read_targets())?),
        };
        match read_into_target(ctx, js, targets, &job) {
            Some(n) => {
                answered_here(&mut ctx.local.borrow_mut(), n);
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
        Pool::global().submit_staged(rest);
    }
    if done.is_empty() {
        return Ok(());
    }
    ctx.local.borrow_mut().backlog.extend(done);
    crate::drain::drain(ctx, js)
}

/// Runs `job` now if it is a read that the page cache can answer whole (`Op::run_now`),
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
    match js.with_buffer_range(target, at, len, |dest| job.op().run_now(Some(dest))) {
        Some(Some(Value::Int(n))) => Some(n as usize),
        _ => None,
    }
}
