//! `read`, the one request made hundreds of thousands of times a second (random block
//! reads), as a raw Node-API function: napi-rs's generated wrapper costs more per call
//! than the rest of the submission (it opens and closes a borrow scope, an allocation
//! and a lock per call), so this function reads its arguments itself.

use eio_core::Op;
use napi::{sys, Env};
use napi_derive::napi;

use crate::raw::{Js, Scope};
use crate::submit::submit;
use crate::wire::Delivery;

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
pub fn read_function(env: &Env) -> napi::Result<napi::bindgen_prelude::Unknown<'_>> {
    let js = Scope::of_call(env);
    let f = js.function(c"read", Some(read_cb))?;
    Ok(js.unknown(f))
}

unsafe extern "C" fn read_cb(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node calls this on the env's JS thread, inside the call's handle scope.
    let js = unsafe { Scope::assume(env) };
    // SAFETY: `info` is this callback's.
    let args = unsafe { js.callback_args::<ARGS>(info) };
    match args.and_then(|(args, argc)| read_call(js, args, argc)) {
        Ok(v) => v.raw(),
        Err(e) => {
            // The exception reaches the caller, whose `request` turns it into a rejection.
            js.throw_error(&e.reason);
            std::ptr::null_mut()
        }
    }
}

fn read_call<'s>(js: Scope<'s>, args: [Js<'s>; ARGS], argc: usize) -> napi::Result<Js<'s>> {
    if argc < ARGS {
        return Err(napi::Error::from_reason("eio: read takes 5 arguments"));
    }
    let [priority, fd, offset, length, target_offset] = args;
    let offset = js.int64(offset)?;
    let op = Op::Read {
        fd: js.int32(fd)?,
        offset: (offset >= 0).then_some(offset),
        buf: crate::bounce::take(js.uint32_of(length)? as usize),
    };
    // JavaScript holds `target` in its read-target array under the returned slot (see
    // `Delivery::ReadInto`). Buffer offsets are safe integers (checked in JS), beyond 4 GiB
    // for large views.
    let delivery = Delivery::ReadInto { offset: js.double(target_offset)? as usize };
    let id = submit(&Env::from_raw(js.env()), js.int32(priority)?, op, delivery)?;
    js.uint32(id)
}
