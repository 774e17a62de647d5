//! Bindings of the `eio_core::ops::mem` requests. The range `[offset, offset + length)` of
//! `buf` (a typed array or `DataView`, already validated by `lib/mem.ts`) becomes a
//! [`MemRange`](eio_core::ops::mem::MemRange) that holds the mapping when the bytes are an
//! eio mapping's; see `mappings.rs` and `eio_core::ops::mem` for why a worker may then act
//! on them.

use eio_core::ops::mem::MemOp;
use eio_core::Op;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::mappings;
use crate::wire::Delivery;

fn submit(env: &Env, priority: i32, op: MemOp) -> Result<u32> {
    crate::submit::submit(env, priority, Op::Mem(op), Delivery::Plain)
}

/// `aio_msync` on `length` bytes of `buf` from `offset`.
#[napi]
pub fn msync(env: Env, priority: i32, buf: Unknown<'_>, offset: f64, length: f64, flags: i32) -> Result<u32> {
    let range = mappings::range(&env, &buf, offset, length)?;
    submit(&env, priority, MemOp::Msync { range, flags })
}

/// `aio_mtouch` on `length` bytes of `buf` from `offset`; `modify` for `MT_MODIFY`.
#[napi]
pub fn mtouch(
    env: Env,
    priority: i32,
    buf: Unknown<'_>,
    offset: f64,
    length: f64,
    modify: bool,
) -> Result<u32> {
    let range = mappings::range(&env, &buf, offset, length)?;
    submit(&env, priority, MemOp::Mtouch { range, modify })
}

/// `aio_mlock` on `length` bytes of `buf` from `offset`.
#[napi]
pub fn mlock(env: Env, priority: i32, buf: Unknown<'_>, offset: f64, length: f64) -> Result<u32> {
    let range = mappings::range(&env, &buf, offset, length)?;
    submit(&env, priority, MemOp::Mlock { range })
}

/// `aio_mlockall` with `MCL_*` flags.
#[napi]
pub fn mlockall(env: Env, priority: i32, flags: i32) -> Result<u32> {
    submit(&env, priority, MemOp::Mlockall { flags })
}
