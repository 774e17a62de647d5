//! Bindings of the `eio_core::ops::composite` requests.

use eio_core::ops::composite::CompositeOp;
use eio_core::Op;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::path_at;
use crate::submit::submit;
use crate::wd::WdHandle;
use crate::wire::Delivery;

fn composite(env: &Env, priority: i32, op: CompositeOp, delivery: Delivery) -> Result<u32> {
    submit(env, priority, Op::Composite(op), delivery)
}

/// The whole file as a `Buffer`.
#[napi]
pub fn load(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    composite(&env, priority, CompositeOp::Load { at }, Delivery::Plain)
}

#[napi]
pub fn copy(
    env: Env,
    priority: i32,
    src_dir: Option<&WdHandle>,
    src: Unknown<'_>,
    dst_dir: Option<&WdHandle>,
    dst: Unknown<'_>,
) -> Result<u32> {
    let (src, dst) = (path_at(&env, src_dir, src)?, path_at(&env, dst_dir, dst)?);
    composite(&env, priority, CompositeOp::Copy { src, dst }, Delivery::Plain)
}

#[napi(js_name = "move")]
pub fn move_(
    env: Env,
    priority: i32,
    src_dir: Option<&WdHandle>,
    src: Unknown<'_>,
    dst_dir: Option<&WdHandle>,
    dst: Unknown<'_>,
) -> Result<u32> {
    let (src, dst) = (path_at(&env, src_dir, src)?, path_at(&env, dst_dir, dst)?);
    composite(&env, priority, CompositeOp::Move { src, dst }, Delivery::Plain)
}

/// `{ dirs, nondirs }`, names as strings or (`buffers`) as `Buffer`s.
#[napi]
pub fn scandir(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    maxreq: u32,
    buffers: bool,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    let op = CompositeOp::Scandir { at, maxreq };
    composite(&env, priority, op, super::names_delivery(buffers))
}

#[napi]
pub fn rmtree(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    composite(&env, priority, CompositeOp::Rmtree { at }, Delivery::Plain)
}
