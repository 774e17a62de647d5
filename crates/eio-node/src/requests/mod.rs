//! One exported function per request: convert the validated arguments, submit one core
//! request, return its slot number. The JS layer (`lib/engine.ts`) validated everything
//! already; errors here are only a second line of defence.

use std::time::Duration;

use eio_core::{At, Op, Pool, Target};
use napi::bindgen_prelude::*;
use napi_derive::napi;

mod composite;
mod mem;
mod meta;
mod names;
mod read;
mod scan;

pub(crate) use read::copy_out;

use crate::env::{Delivery, EnvCtx, Slot};
use crate::raw;
use crate::wd::{self, WdHandle};

/// Most requests staged before they are handed to the pool anyway, so that a long
/// synchronous loop of submissions keeps the threads busy while it runs.
const STAGE_MAX: usize = 1024;

/// Stages `op` for the environment `env`; returns the request's slot number. The JS layer
/// calls `submit_staged` at the end of the current job (see `track` in lib/engine.ts).
pub(crate) fn submit(env: &Env, priority: i32, op: Op, delivery: Delivery) -> Result<u32> {
    // SAFETY: the env of the current call, on its JS thread.
    let ctx = unsafe { EnvCtx::get(env.raw())? };
    let id = ctx.local.borrow().slots.next_index();
    let (cell, job) = Pool::global().stage(&ctx.client, priority, id as u64, op);
    let tracked = ctx.track(Slot { cell, delivery });
    debug_assert_eq!(tracked, id, "submit: slot changed between next_index and track");
    let full = {
        let mut local = ctx.local.borrow_mut();
        local.staged.push(job);
        local.staged.len() >= STAGE_MAX
    };
    if full {
        ctx.submit_staged();
    }
    Ok(tracked)
}

/// Hands the requests staged by this environment to the pool, after running those that
/// can complete at once on this thread (see `read::run_ready`).
#[napi]
pub fn submit_staged(env: Env) -> Result<()> {
    // SAFETY: the env of the current call, on its JS thread, inside the call's scope.
    unsafe { read::run_ready(EnvCtx::get(env.raw())?) }
}

pub(crate) fn path_at(env: &Env, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<At> {
    // SAFETY: `path` is a live handle of the current call.
    let bytes = unsafe { raw::path_bytes(env.raw(), path.raw())? };
    wd::at(dir, bytes).map_err(|e| Error::from_reason(format!("eio: bad path argument: {e}")))
}

/// A file position: the JS layer passes -1 for "the current file position".
pub(crate) fn position(env: &Env, offset: Unknown<'_>) -> Result<Option<i64>> {
    // SAFETY: `offset` is a live handle of the current call.
    let n = unsafe { raw::int64(env.raw(), offset.raw())? };
    Ok((n >= 0).then_some(n))
}

#[napi]
pub fn nop(env: Env, priority: i32) -> Result<u32> {
    submit(&env, priority, Op::Nop, Delivery::Plain)
}

#[napi]
pub fn busy(env: Env, priority: i32, seconds: f64) -> Result<u32> {
    let d = eio_core::seconds(seconds).min(Duration::from_secs(1 << 32));
    submit(&env, priority, Op::Busy(d), Delivery::Plain)
}

#[napi]
pub fn open(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    flags: i32,
    mode: u32,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    submit(&env, priority, Op::Open { at, flags, mode }, Delivery::Plain)
}

#[napi]
pub fn close(env: Env, priority: i32, fd: i32) -> Result<u32> {
    submit(&env, priority, Op::Close { fd }, Delivery::Plain)
}

#[napi]
pub fn seek(env: Env, priority: i32, fd: i32, offset: Unknown<'_>, whence: i32) -> Result<u32> {
    // SAFETY: `offset` is a live handle of the current call.
    let offset = unsafe { raw::int64(env.raw(), offset.raw())? };
    submit(&env, priority, Op::Seek { fd, offset, whence }, Delivery::Plain)
}

/// Writes `length` bytes of `data` from `data_offset` at `offset` (-1: the file position).
/// The bytes are copied now, so `data` may change or be detached as soon as this returns.
#[napi]
pub fn write(
    env: Env,
    priority: i32,
    fd: i32,
    offset: Unknown<'_>,
    data: Unknown<'_>,
    data_offset: f64,
    length: u32,
) -> Result<u32> {
    // SAFETY: `data` is a live handle of the current call; the slice is copied at once.
    let view = unsafe { raw::typed_array_bytes(env.raw(), data.raw())? }
        .ok_or_else(|| Error::from_reason("eio: write buffer is detached"))?;
    let start = data_offset as usize; // a safe integer, checked in JS
    let end =
        start.checked_add(length as usize).ok_or_else(|| Error::from_reason("eio: write range overflows"))?;
    let bytes =
        view.get(start..end).ok_or_else(|| Error::from_reason("eio: write range outside buffer"))?.to_vec();
    let offset = position(&env, offset)?;
    submit(&env, priority, Op::Write { fd, offset, data: bytes }, Delivery::Plain)
}

/// `stat`/`lstat` of a path (`path` given) or of `fd`.
#[napi]
pub fn stat(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Option<Unknown<'_>>,
    fd: i32,
    follow: bool,
) -> Result<u32> {
    let target = match path {
        Some(p) => Target::Path(path_at(&env, dir, p)?),
        None => Target::Fd(fd),
    };
    submit(&env, priority, Op::Stat { target, follow }, Delivery::Plain)
}

/// Stats a path on this thread when the kernel can answer from its caches without
/// blocking (see `eio_core::sys::cached`), writing the fields into `out` (a Float64Array
/// in the drain's stat layout). Returns false, touching nothing, when the request must go
/// through the pool instead: the path is not cached or not on a local filesystem, the
/// pool is paused, or this environment has requests in flight. The last rule keeps the
/// fast path to serial use, where it cuts latency: it could overtake queued requests, and
/// under load the pool's threads do this work faster than one JS thread.
#[napi]
pub fn stat_cached(
    env: Env,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    follow: bool,
    out: Unknown<'_>,
) -> Result<bool> {
    // SAFETY: the env of the current call, on its JS thread.
    let ctx = unsafe { EnvCtx::get(env.raw())? };
    if ctx.local.borrow().slots.live() > 0 || Pool::global().is_paused() {
        return Ok(false);
    }
    let at = path_at(&env, dir, path)?;
    let eio_core::sys::cached::Cached::Done(st) = eio_core::sys::cached::stat(&at, follow) else {
        return Ok(false);
    };
    let mut fields = Vec::with_capacity(crate::drain::STAT_FIELDS);
    crate::drain::push_stat(&mut fields, &st);
    // SAFETY: `out` is a live Float64Array of the current call; written before JS runs.
    let view = unsafe { raw::typed_array_bytes(env.raw(), out.raw())? }
        .ok_or_else(|| Error::from_reason("eio: stat output detached"))?;
    for (chunk, v) in view.chunks_exact_mut(8).zip(&fields) {
        chunk.copy_from_slice(&v.to_ne_bytes());
    }
    Ok(true)
}

#[napi]
pub fn unlink(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    submit(&env, priority, Op::Unlink { at }, Delivery::Plain)
}

#[napi]
pub fn mkdir(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>, mode: u32) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    submit(&env, priority, Op::Mkdir { at, mode }, Delivery::Plain)
}

#[napi]
pub fn rmdir(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    submit(&env, priority, Op::Rmdir { at }, Delivery::Plain)
}

#[napi]
#[allow(clippy::too_many_arguments)]
pub fn rename(
    env: Env,
    priority: i32,
    from_dir: Option<&WdHandle>,
    from: Unknown<'_>,
    to_dir: Option<&WdHandle>,
    to: Unknown<'_>,
    flags: u32,
) -> Result<u32> {
    let from = path_at(&env, from_dir, from)?;
    let to = path_at(&env, to_dir, to)?;
    submit(&env, priority, Op::Rename { from, to, flags }, Delivery::Plain)
}

/// Names of a directory's entries, as strings or (`buffers`) as `Buffer`s.
#[napi]
pub fn readdir(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    buffers: bool,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    submit(&env, priority, Op::Readdir { at }, Delivery::Names { buffers })
}

/// A request that panics on its worker thread: for tests that check that a panic fails
/// only its own request. Not part of the public API (index.ts does not export it).
#[napi]
pub fn test_panic(env: Env, priority: i32) -> Result<u32> {
    let op = Op::Custom(Box::new(|_| panic!("eio test: injected panic")));
    submit(&env, priority, op, Delivery::Plain)
}
