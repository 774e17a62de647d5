//! `read`, the one request made hundreds of thousands of times a second (random block
//! reads), as a raw Node-API function: napi-rs's generated wrapper costs more per call
//! than the rest of the submission (it opens and closes a borrow scope, an allocation
//! and a lock per call), so this function reads its arguments itself.

use std::ptr;

use eio_core::{Op, StagedJob, Value};
use napi::{sys, Env};
use napi_derive::napi;

use super::submit;
use crate::env::{Delivery, Done, EnvCtx};
use crate::raw::{self, check};

/// The number of arguments of the read function.
const ARGS: usize = 5;

/// The native read function: `(priority, fd, offset, length, targetOffset) => slot`.
///
/// Reads `length` bytes at `offset` (-1: the file position; a number or a bigint), to be
/// copied at `targetOffset` into the view the caller puts at `readTargets[slot]`. The bytes
/// land in a buffer of eio's own and are copied on the JS thread at completion, so a view
/// detached or transferred meanwhile is never written behind JavaScript's back. Arguments
/// are validated in JS.
#[napi(
    ts_return_type = "(priority: number, fd: number, offset: number | bigint, length: number, targetOffset: number) => number"
)]
pub fn read_function(env: Env) -> napi::Result<napi::bindgen_prelude::Unknown<'static>> {
    let mut f = ptr::null_mut();
    // SAFETY: the env of the current call; the name is a static C string, the callback a
    // plain function that takes no data.
    let status = unsafe {
        sys::napi_create_function(env.raw(), c"read".as_ptr(), 4, Some(read_cb), ptr::null_mut(), &mut f)
    };
    check(status, "napi_create_function")?;
    // SAFETY: `f` is a live function value of the current call.
    Ok(unsafe { napi::bindgen_prelude::Unknown::from_raw_unchecked(env.raw(), f) })
}

unsafe extern "C" fn read_cb(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node calls this on the env's JS thread with a live callback info.
    match unsafe { read_call(env, info) } {
        Ok(v) => v,
        Err(e) => {
            let msg = std::ffi::CString::new(e.reason).unwrap_or_default();
            // SAFETY: a valid C string on the env's JS thread; the exception reaches the
            // caller, whose `request` turns it into a rejection.
            unsafe { sys::napi_throw_error(env, ptr::null(), msg.as_ptr()) };
            ptr::null_mut()
        }
    }
}

/// # Safety
/// On the JS thread of `env`, inside the callback whose info is `info`.
unsafe fn read_call(env: sys::napi_env, info: sys::napi_callback_info) -> napi::Result<sys::napi_value> {
    let mut argc = ARGS;
    let mut argv = [ptr::null_mut(); ARGS];
    // SAFETY: `argv` has room for `argc` values.
    let status = unsafe {
        sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), ptr::null_mut())
    };
    check(status, "napi_get_cb_info")?;
    if argc < ARGS {
        return Err(napi::Error::from_reason("eio: read takes 5 arguments"));
    }
    let [priority, fd, offset, length, target_offset] = argv;
    // SAFETY: (all) live values of the current call; a value of the wrong type fails with
    // a status.
    let (priority, fd, offset, length, target_offset) = unsafe {
        (
            int32(env, priority)?,
            int32(env, fd)?,
            position(env, offset)?,
            uint32(env, length)?,
            double(env, target_offset)?,
        )
    };
    let op = Op::Read { fd, offset, buf: crate::bounce::take(length as usize) };
    // JavaScript holds `target` in its read-target array under the returned slot (see
    // `Delivery::ReadInto`). Buffer offsets are safe integers (checked in JS), beyond 4 GiB
    // for large views.
    let delivery = Delivery::ReadInto { offset: target_offset as usize };
    let id = submit(&Env::from_raw(env), priority, op, delivery)?;
    let mut out = ptr::null_mut();
    // SAFETY: a valid out-pointer on the env's JS thread.
    check(unsafe { sys::napi_create_uint32(env, id, &mut out) }, "napi_create_uint32")?;
    Ok(out)
}

/// # Safety
/// `env` and `v` must be live handles of the current call.
unsafe fn int32(env: sys::napi_env, v: sys::napi_value) -> napi::Result<i32> {
    let mut n = 0;
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_get_value_int32(env, v, &mut n) }, "napi_get_value_int32")?;
    Ok(n)
}

/// # Safety
/// `env` and `v` must be live handles of the current call.
unsafe fn uint32(env: sys::napi_env, v: sys::napi_value) -> napi::Result<u32> {
    let mut n = 0;
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_get_value_uint32(env, v, &mut n) }, "napi_get_value_uint32")?;
    Ok(n)
}

/// # Safety
/// `env` and `v` must be live handles of the current call.
unsafe fn double(env: sys::napi_env, v: sys::napi_value) -> napi::Result<f64> {
    let mut n = 0.0;
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_get_value_double(env, v, &mut n) }, "napi_get_value_double")?;
    Ok(n)
}

/// A file position, a number or a bigint; -1 (the JS layer's "the file position") is `None`.
///
/// # Safety
/// `env` and `v` must be live handles of the current call.
unsafe fn position(env: sys::napi_env, v: sys::napi_value) -> napi::Result<Option<i64>> {
    let mut n = 0;
    // SAFETY: guaranteed by the caller; a bigint fails with a status and is read below.
    let n = if unsafe { sys::napi_get_value_int64(env, v, &mut n) } == sys::Status::napi_ok {
        n
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { raw::int64(env, v)? }
    };
    Ok((n >= 0).then_some(n))
}

/// Copies a read's `bytes` into `target` at `offset`; false, writing nothing, when the
/// target was detached or shrank below the range meanwhile (a resizable buffer).
///
/// # Safety
/// On the JS thread of `env`, inside a handle scope; `target` a live typed array or
/// DataView (what the JS layer validated at submit).
pub(crate) unsafe fn copy_out(
    env: sys::napi_env,
    target: sys::napi_value,
    offset: usize,
    bytes: &[u8],
) -> napi::Result<bool> {
    if !bytes.is_empty() {
        // One call where the general one takes three (and a backing-store lookup): a
        // detached view reports length 0 and a shrunk one its current length, so a range
        // that fits means attached and large enough.
        let (mut data, mut len) = (ptr::null_mut(), 0usize);
        // SAFETY: guaranteed by the caller; the out-pointers are valid.
        let status = unsafe { sys::napi_get_buffer_info(env, target, &mut data, &mut len) };
        if status == sys::Status::napi_ok {
            let fits = !data.is_null() && offset.checked_add(bytes.len()).is_some_and(|end| end <= len);
            if fits {
                // SAFETY: Node-API reported `len` bytes at `data`, owned by an attached
                // buffer; nothing else runs on this thread until the copy is done.
                unsafe {
                    ptr::copy_nonoverlapping(bytes.as_ptr(), data.cast::<u8>().add(offset), bytes.len())
                };
            }
            return Ok(fits);
        }
    }
    // A read of nothing, or a view that Node-API does not take as a buffer: the general
    // path, which tells a detached buffer from an empty one.
    // SAFETY: guaranteed by the caller; the slice is used before any JS runs.
    Ok(match unsafe { raw::typed_array_bytes(env, target)? } {
        Some(view) if view.len() >= offset + bytes.len() => {
            view[offset..offset + bytes.len()].copy_from_slice(bytes);
            true
        }
        _ => false,
    })
}

/// Bytes of cached reads one batch may read on the JS thread: about 100 µs of copying.
const INLINE_BYTES: usize = 1 << 20;

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
///
/// # Safety
/// On the JS thread of `ctx.env`, inside a call scope (JavaScript runs `dispatch`).
pub(crate) unsafe fn run_ready(ctx: &EnvCtx) -> napi::Result<()> {
    let (staged, others) = {
        let mut local = ctx.local.borrow_mut();
        let staged = std::mem::take(&mut local.staged);
        let live_staged = staged.iter().filter(|job| !job.is_cancelled()).count();
        (staged, local.slots.live() - live_staged)
    };
    if staged.is_empty() {
        return Ok(());
    }
    let pool = eio_core::Pool::global();
    let may_run = others == 0 && !pool.is_paused();
    let mut targets: sys::napi_value = ptr::null_mut();
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
        if targets.is_null() {
            // SAFETY: guaranteed by the caller.
            targets = unsafe { ctx.read_targets()? };
        }
        // SAFETY: guaranteed by the caller; `targets` is live in the caller's scope.
        match unsafe { read_into_target(ctx, targets, &job) } {
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
    // SAFETY: guaranteed by the caller.
    unsafe { ctx.drain() }
}

/// Runs `job` now if it is a read that the page cache can answer whole (`Op::read_now`),
/// straight into its target: the count read, or `None` when it must go to the pool (its
/// target detached, shrunk or not a buffer Node-API can see into; bytes not cached).
///
/// # Safety
/// On the JS thread of `ctx.env`, inside a handle scope in which `targets` is live.
unsafe fn read_into_target(ctx: &EnvCtx, targets: sys::napi_value, job: &StagedJob) -> Option<usize> {
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
    let mut target = ptr::null_mut();
    // SAFETY: `targets` is a live array; JavaScript set this slot's element right after
    // the read call, and clears it only once the completion is dispatched.
    if unsafe { sys::napi_get_element(ctx.env, targets, slot, &mut target) } != sys::Status::napi_ok {
        return None;
    }
    let (mut data, mut size) = (ptr::null_mut(), 0usize);
    // SAFETY: live handles; a value that is not a view fails with a status. A detached
    // view reports length 0 and a shrunk one its current length (see `copy_out`).
    if unsafe { sys::napi_get_buffer_info(ctx.env, target, &mut data, &mut size) } != sys::Status::napi_ok
        || data.is_null()
        || at.checked_add(len).is_none_or(|end| end > size)
    {
        return None;
    }
    // SAFETY: `len` bytes at `data + at` lie inside an attached buffer (checked above),
    // and no JavaScript runs while the slice lives.
    let dest = unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>().add(at), len) };
    job.op().read_now(dest)
}
