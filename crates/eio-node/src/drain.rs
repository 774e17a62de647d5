//! The batched drain: completions go to JavaScript in chunks, one JS call per chunk, as a
//! `Float64Array` of fixed-size records plus an array for values that are not numbers.
//! This is libeio's `poll_cb`, bounded by `max_poll_reqs` and `max_poll_time`.
//!
//! Record layout (`RECORD` numbers per completion): `[slot, tag, value, aux]`, where `aux`
//! indexes `extras` or is -1. Stat results append `STAT_FIELDS` numbers after the records;
//! their `value` is the index of the first one. `lib/engine.ts` decodes the same layout.

use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};
use std::time::{Duration, Instant};

use eio_core::{Data, DirList, FileStat, ReqError, Value};
use napi::sys;

use crate::env::{Delivery, Done, EnvCtx, EnvLocal, Slot};
use crate::raw;

pub const RECORD: usize = 4;
pub const STAT_FIELDS: usize = 18;
/// Completions handed to JavaScript per call when no limit is configured.
const CHUNK: usize = 4096;
/// Above this, integers go to JavaScript as bigints (Number.MAX_SAFE_INTEGER).
const MAX_SAFE: i64 = (1 << 53) - 1;

/// Success: `value` is the number (or 0 for none).
pub const TAG_NUMBER: f64 = 0.0;
/// Failure: `value` is the errno; `aux` indexes the failing syscall's name, if known, or
/// `[syscall | undefined, subpath]` when the error names an entry below the request's path.
pub const TAG_ERRNO: f64 = 1.0;
/// Success: `extras[aux]` is the result.
pub const TAG_EXTRA: f64 = 2.0;
/// Success: the stat fields start at index `value`.
pub const TAG_STAT: f64 = 3.0;
/// The request was aborted; its result (if any) has been freed.
pub const TAG_ABORTED: f64 = 4.0;
/// The request panicked: `extras[aux]` is the message.
pub const TAG_PANIC: f64 = 5.0;
/// The buffer to read into was detached while the request was in flight.
pub const TAG_DETACHED: f64 = 6.0;
/// The result could not be turned into a JS value.
pub const TAG_UNCONVERTIBLE: f64 = 7.0;

/// One chunk being encoded.
struct Batch {
    env: sys::napi_env,
    records: Vec<f64>,
    stats: Vec<f64>,
    extras: sys::napi_value,
    nextras: u32,
    /// The JS array of read targets by slot, fetched for the first read of the batch.
    read_targets: sys::napi_value,
    /// fds sent as numbers: JavaScript owns them only once dispatch has run, so until
    /// then they stay owned here, and close if the batch never reaches JavaScript.
    fds: Vec<OwnedFd>,
}

impl Batch {
    /// # Safety
    /// On the JS thread inside an open handle scope.
    unsafe fn extra(&mut self, value: sys::napi_value) -> napi::Result<f64> {
        if self.extras.is_null() {
            // SAFETY: guaranteed by the caller.
            self.extras = unsafe { raw::array(self.env, 0)? };
        }
        // SAFETY: `extras` is a live array created above.
        unsafe { raw::set_element(self.env, self.extras, self.nextras, value)? };
        self.nextras += 1;
        Ok((self.nextras - 1) as f64)
    }

    fn push(&mut self, slot: u32, tag: f64, value: f64, aux: f64) {
        self.records.extend_from_slice(&[slot as f64, tag, value, aux]);
    }
}

/// Delivers `fresh` (and any backlog) to `dispatch(records, count, extras, more)`.
///
/// # Safety
/// On the JS thread of `ctx.env`, inside a call or callback scope; `dispatch` a live function.
pub unsafe fn deliver(ctx: &EnvCtx, dispatch: sys::napi_value, fresh: Vec<Done>) -> napi::Result<()> {
    let env = ctx.env;
    let started = Instant::now();
    let (limit, time_limit) = {
        let mut local = ctx.local.borrow_mut();
        local.backlog.extend(fresh);
        let limit = if local.max_poll_reqs == 0 { usize::MAX } else { local.max_poll_reqs };
        (limit, local.max_poll_time)
    };
    let mut delivered = 0;
    loop {
        let mut scope = std::ptr::null_mut();
        // SAFETY: on the JS thread of a live env.
        raw::check(unsafe { sys::napi_open_handle_scope(env, &mut scope) }, "napi_open_handle_scope")?;
        // Every path from here closes the scope. Node-API calls fail once an environment
        // is being torn down (a worker's pending wake-up can still arrive then), and an
        // early return with the scope open makes Node abort the whole process on its
        // handle-scope check.
        // SAFETY: inside the handle scope just opened, on the env's JS thread.
        let step = unsafe { deliver_chunk(ctx, dispatch, &mut delivered, limit, time_limit, started) };
        // SAFETY: closes the scope opened above.
        unsafe { sys::napi_close_handle_scope(env, scope) };
        if step? {
            return Ok(());
        }
    }
}

/// Encodes and dispatches one chunk; true when the drain should stop.
///
/// # Safety
/// Inside an open handle scope on the JS thread of `ctx.env`; `dispatch` a live function.
unsafe fn deliver_chunk(
    ctx: &EnvCtx,
    dispatch: sys::napi_value,
    delivered: &mut usize,
    limit: usize,
    time_limit: Duration,
    started: Instant,
) -> napi::Result<bool> {
    let env = ctx.env;
    let (args, stop, fds) = {
        let mut local = ctx.local.borrow_mut();
        let n = local.backlog.len().min(limit - *delivered).min(CHUNK);
        // SAFETY: guaranteed by the caller.
        let mut batch = unsafe { encode(ctx, &mut local, n)? };
        let fds = std::mem::take(&mut batch.fds);
        *delivered += n;
        ctx.update_loop_hold(&mut local);
        let over_time = !time_limit.is_zero() && started.elapsed() >= time_limit;
        let stop = local.backlog.is_empty() || *delivered >= limit || over_time;
        let more = !local.backlog.is_empty() && stop;
        // SAFETY: guaranteed by the caller.
        let args = unsafe { batch_args(batch, n, more)? };
        (args, stop, fds)
    };
    // The borrow of the local state ends before JavaScript runs: dispatch may submit.
    let mut result = std::ptr::null_mut();
    // SAFETY: `dispatch` is a live function and `args` live values of this scope.
    let status = unsafe {
        sys::napi_call_function(env, raw::undefined(env), dispatch, args.len(), args.as_ptr(), &mut result)
    };
    // Dispatch settles every record (lib/engine.ts catches per record), so it fails only
    // when JavaScript cannot run: the environment is going away and nobody will ever see
    // these fds. Returning early drops (closes) them.
    raw::check(status, "dispatch")?;
    for fd in fds {
        let _ = fd.into_raw_fd(); // now owned by JavaScript
    }
    Ok(stop)
}

/// # Safety
/// Inside an open handle scope on the JS thread.
unsafe fn batch_args(mut batch: Batch, n: usize, more: bool) -> napi::Result<[sys::napi_value; 4]> {
    let env = batch.env;
    let header = batch.records.len();
    batch.records.append(&mut batch.stats);
    debug_assert_eq!(header, n * RECORD);
    let mut more_v = std::ptr::null_mut();
    // SAFETY: guaranteed by the caller.
    unsafe { sys::napi_get_boolean(env, more, &mut more_v) };
    Ok([
        // SAFETY: guaranteed by the caller.
        unsafe { raw::float64_array(env, &batch.records)? },
        // SAFETY: guaranteed by the caller.
        unsafe { raw::number(env, n as f64)? },
        // SAFETY: guaranteed by the caller.
        if batch.extras.is_null() { unsafe { raw::undefined(env) } } else { batch.extras },
        more_v,
    ])
}

/// Encodes the first `n` backlog entries, freeing their slots.
///
/// # Safety
/// Inside an open handle scope on the JS thread.
unsafe fn encode(ctx: &EnvCtx, local: &mut EnvLocal, n: usize) -> napi::Result<Batch> {
    let mut batch = Batch {
        env: ctx.env,
        records: Vec::with_capacity(n * RECORD),
        stats: Vec::new(),
        extras: std::ptr::null_mut(),
        nextras: 0,
        read_targets: std::ptr::null_mut(),
        fds: Vec::new(),
    };
    for _ in 0..n {
        let Some(Done { slot: i, outcome }) = local.backlog.pop_front() else {
            break;
        };
        let Some(slot) = local.slots.remove(i) else {
            continue; // cannot happen: a slot is freed only by its completion or a skip
        };
        if slot.cell.is_aborted() {
            drop(outcome); // closes an fd that an aborted open returned, frees buffers
            batch.push(i, TAG_ABORTED, 0.0, -1.0);
        } else {
            // SAFETY: guaranteed by the caller.
            if unsafe { encode_outcome(ctx, &mut batch, i, &slot, outcome) }.is_err() {
                // Node-API refused to build the value (out of memory, say): this request
                // fails, and the rest of the batch is still delivered.
                batch.push(i, TAG_UNCONVERTIBLE, 0.0, -1.0);
            }
        }
    }
    Ok(batch)
}

/// # Safety
/// Inside an open handle scope on the JS thread.
unsafe fn encode_outcome(
    ctx: &EnvCtx,
    batch: &mut Batch,
    i: u32,
    slot: &Slot,
    outcome: Result<Value, ReqError>,
) -> napi::Result<()> {
    let env = batch.env;
    match outcome {
        Ok(Value::Unit) => batch.push(i, TAG_NUMBER, 0.0, -1.0),
        Ok(Value::Int(n)) if (-MAX_SAFE..=MAX_SAFE).contains(&n) => batch.push(i, TAG_NUMBER, n as f64, -1.0),
        Ok(Value::Int(n)) => {
            // SAFETY: guaranteed by the caller.
            let aux = unsafe { batch.extra(raw::bigint(env, n)?)? };
            batch.push(i, TAG_EXTRA, 0.0, aux);
        }
        Ok(Value::Fd(fd)) => {
            batch.push(i, TAG_NUMBER, fd.as_raw_fd() as f64, -1.0);
            batch.fds.push(fd);
        }
        Ok(Value::Stat(st)) => {
            let at = (batch.stats.len()) as f64; // made absolute by JS: header + at
            push_stat(&mut batch.stats, &st);
            batch.push(i, TAG_STAT, at, -1.0);
        }
        Ok(Value::Bytes(bytes)) => match &slot.delivery {
            Delivery::ReadInto { offset } => {
                if batch.read_targets.is_null() {
                    // SAFETY: guaranteed by the caller.
                    batch.read_targets = unsafe { ctx.read_targets()? };
                }
                let mut target = std::ptr::null_mut();
                // SAFETY: a live array; JavaScript set this slot's element when it made the
                // read and clears it only once the completion is dispatched (after this).
                let status = unsafe { sys::napi_get_element(env, batch.read_targets, i, &mut target) };
                raw::check(status, "napi_get_element")?;
                // SAFETY: a live typed array or DataView, inside the caller's handle scope.
                if unsafe { crate::requests::copy_out(env, target, *offset, &bytes)? } {
                    batch.push(i, TAG_NUMBER, bytes.len() as f64, -1.0);
                } else {
                    // Detached, or shrunk by a resizable buffer: nothing is written.
                    batch.push(i, TAG_DETACHED, 0.0, -1.0);
                }
                crate::bounce::give(bytes);
            }
            _ => {
                // SAFETY: guaranteed by the caller.
                let aux = unsafe { batch.extra(raw::buffer_copy(env, &bytes)?)? };
                batch.push(i, TAG_EXTRA, 0.0, aux);
            }
        },
        Ok(Value::Dir(list)) => {
            let buffers = matches!(slot.delivery, Delivery::Names { buffers: true });
            // SAFETY: guaranteed by the caller.
            let aux = unsafe { batch.extra(names(env, &list, buffers)?)? };
            batch.push(i, TAG_EXTRA, 0.0, aux);
        }
        Ok(Value::Wd { fd, path }) => {
            // SAFETY: guaranteed by the caller.
            let aux = unsafe { batch.extra(wd_pair(env, fd, &path)?)? };
            batch.push(i, TAG_EXTRA, 0.0, aux);
        }
        Ok(Value::Data(data)) => {
            let buffers = matches!(slot.delivery, Delivery::Names { buffers: true });
            // SAFETY: guaranteed by the caller.
            let aux = unsafe { batch.extra(to_js(env, &data, buffers)?)? };
            batch.push(i, TAG_EXTRA, 0.0, aux);
        }
        Err(ReqError::Os { errno, syscall, subpath }) => {
            let aux = match (syscall, subpath) {
                (None, None) => -1.0,
                // SAFETY: guaranteed by the caller.
                (Some(name), None) => unsafe { batch.extra(raw::string(env, name.as_bytes())?)? },
                // SAFETY: guaranteed by the caller.
                (name, Some(sub)) => unsafe { batch.extra(error_names(env, name, &sub)?)? },
            };
            batch.push(i, TAG_ERRNO, errno.raw() as f64, aux);
        }
        Err(ReqError::Panic(msg)) => {
            // SAFETY: guaranteed by the caller.
            let aux = unsafe { batch.extra(raw::string(env, msg.as_bytes())?)? };
            batch.push(i, TAG_PANIC, 0.0, aux);
        }
    }
    Ok(())
}

/// `[syscall | undefined, subpath as a Buffer]`, for an error naming an entry below the
/// request's path.
///
/// # Safety
/// Inside an open handle scope on the JS thread.
unsafe fn error_names(
    env: sys::napi_env,
    syscall: Option<&str>,
    subpath: &[u8],
) -> napi::Result<sys::napi_value> {
    // SAFETY: guaranteed by the caller.
    let pair = unsafe { raw::array(env, 2)? };
    let name = match syscall {
        // SAFETY: guaranteed by the caller.
        Some(name) => unsafe { raw::string(env, name.as_bytes())? },
        // SAFETY: guaranteed by the caller.
        None => unsafe { raw::undefined(env) },
    };
    // SAFETY: guaranteed by the caller.
    let sub = unsafe { raw::buffer_copy(env, subpath)? };
    // SAFETY: guaranteed by the caller; `pair` has room for both.
    unsafe {
        raw::set_element(env, pair, 0, name)?;
        raw::set_element(env, pair, 1, sub)?;
    }
    Ok(pair)
}

pub fn push_stat(out: &mut Vec<f64>, s: &FileStat) {
    let fields: [f64; STAT_FIELDS] = [
        s.dev as f64,
        s.mode as f64,
        s.nlink as f64,
        s.uid as f64,
        s.gid as f64,
        s.rdev as f64,
        s.blksize as f64,
        s.ino as f64,
        s.size as f64,
        s.blocks as f64,
        s.atime.0 as f64,
        s.atime.1 as f64,
        s.mtime.0 as f64,
        s.mtime.1 as f64,
        s.ctime.0 as f64,
        s.ctime.1 as f64,
        s.birthtime.0 as f64,
        s.birthtime.1 as f64,
    ];
    out.extend_from_slice(&fields);
}

/// A JS array of the entries' names, as strings or `Buffer`s.
///
/// # Safety
/// Inside an open handle scope on the JS thread.
pub unsafe fn names(env: sys::napi_env, list: &DirList, buffers: bool) -> napi::Result<sys::napi_value> {
    // SAFETY: guaranteed by the caller.
    let arr = unsafe { raw::array(env, list.len())? };
    for (i, name) in list.names().enumerate() {
        // SAFETY: guaranteed by the caller.
        let v = unsafe {
            if buffers {
                raw::buffer_copy(env, name)?
            } else {
                raw::string(env, name)?
            }
        };
        // SAFETY: `arr` is the live array created above.
        unsafe { raw::set_element(env, arr, i as u32, v)? };
    }
    Ok(arr)
}

/// `[WdHandle, path]` for a working directory a request opened.
///
/// # Safety
/// Inside an open handle scope on the JS thread.
unsafe fn wd_pair(
    env: sys::napi_env,
    fd: std::os::fd::OwnedFd,
    path: &[u8],
) -> napi::Result<sys::napi_value> {
    use napi::bindgen_prelude::ToNapiValue;
    // SAFETY: guaranteed by the caller; the handle now owns the fd.
    let handle = unsafe { crate::wd::WdHandle::to_napi_value(env, crate::wd::WdHandle::new(fd))? };
    // SAFETY: guaranteed by the caller.
    unsafe {
        let pair = raw::array(env, 2)?;
        raw::set_element(env, pair, 0, handle)?;
        raw::set_element(env, pair, 1, raw::string(env, path)?)?;
        Ok(pair)
    }
}

/// The JS value of a structured result; names become `Buffer`s when `buffers` is set.
///
/// # Safety
/// Inside an open handle scope on the JS thread.
pub unsafe fn to_js(env: sys::napi_env, data: &Data, buffers: bool) -> napi::Result<sys::napi_value> {
    let mut v = std::ptr::null_mut();
    // SAFETY: (all arms) guaranteed by the caller; every out-pointer is valid.
    unsafe {
        match data {
            Data::Undefined => return Ok(raw::undefined(env)),
            Data::Null => {
                sys::napi_get_null(env, &mut v);
            }
            Data::Bool(b) => {
                sys::napi_get_boolean(env, *b, &mut v);
            }
            Data::Int(n) if (-MAX_SAFE..=MAX_SAFE).contains(n) => return raw::number(env, *n as f64),
            Data::Int(n) => return raw::bigint(env, *n),
            Data::F64(n) => return raw::number(env, *n),
            Data::Name(bytes) if buffers => return raw::buffer_copy(env, bytes),
            Data::Name(bytes) => return raw::string(env, bytes),
            Data::Bytes(bytes) => return raw::buffer_copy(env, bytes),
            Data::Names(list) => return names(env, list, buffers),
            Data::Numbers(values) => return raw::float64_array(env, values),
            Data::Array(items) => {
                let arr = raw::array(env, items.len())?;
                for (i, item) in items.iter().enumerate() {
                    raw::set_element(env, arr, i as u32, to_js(env, item, buffers)?)?;
                }
                return Ok(arr);
            }
            Data::Object(props) => {
                raw::check(sys::napi_create_object(env, &mut v), "napi_create_object")?;
                for (key, value) in props {
                    let key = raw::string(env, key.as_bytes())?;
                    raw::check(
                        sys::napi_set_property(env, v, key, to_js(env, value, buffers)?),
                        "napi_set_property",
                    )?;
                }
            }
        }
    }
    Ok(v)
}
