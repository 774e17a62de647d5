//! Bindings of the `eio_core::ops::names` requests.

use std::ffi::CString;

use eio_core::ops::names::NamesOp;
use eio_core::Op;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::int64;
use crate::args::path_at;
use crate::raw::Scope;
use crate::submit::submit;
use crate::wd::WdHandle;
use crate::wire::Delivery;

fn names(op: NamesOp) -> Op {
    Op::Names(op)
}

/// `mknod`: `mode` with its `S_IF*` type bits; `dev` a number or bigint.
#[napi]
pub fn mknod(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    mode: u32,
    dev: Unknown<'_>,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    let dev = int64(&env, dev)? as u64;
    let op = names(NamesOp::Mknod { at, mode, dev });
    submit(&env, priority, op, Delivery::Plain)
}

#[napi]
pub fn link(
    env: Env,
    priority: i32,
    from_dir: Option<&WdHandle>,
    from: Unknown<'_>,
    to_dir: Option<&WdHandle>,
    to: Unknown<'_>,
) -> Result<u32> {
    let from = path_at(&env, from_dir, from)?;
    let to = path_at(&env, to_dir, to)?;
    submit(&env, priority, names(NamesOp::Link { from, to }), Delivery::Plain)
}

/// `symlink`: `target` (a string or bytes) is stored as given, never resolved.
#[napi]
pub fn symlink(
    env: Env,
    priority: i32,
    target: Unknown<'_>,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
) -> Result<u32> {
    let js = Scope::of_call(&env);
    let target = js.path_bytes(js.arg(&target))?;
    let target =
        CString::new(target).map_err(|_| Error::from_reason("eio: symlink target contains a NUL byte"))?;
    let at = path_at(&env, dir, path)?;
    submit(&env, priority, names(NamesOp::Symlink { target, at }), Delivery::Plain)
}

/// `readlink`: the contents as a string, or (`buffers`) a `Buffer`.
#[napi]
pub fn readlink(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    buffers: bool,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    submit(&env, priority, names(NamesOp::Readlink { at }), super::names_delivery(buffers))
}

/// `realpath`: the canonical path as a string, or (`buffers`) a `Buffer`.
#[napi]
pub fn realpath(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    buffers: bool,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    submit(&env, priority, names(NamesOp::Realpath { at }), super::names_delivery(buffers))
}

/// `wd`: completes with `[WdHandle, path]`.
#[napi]
pub fn wd(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    submit(&env, priority, names(NamesOp::Wd { at }), Delivery::Plain)
}

/// `readdirx`: completes with `{ names, types?, inos?, flags }` (see the core request).
#[napi]
pub fn readdirx(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    flags: u32,
    buffers: bool,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    let op = names(NamesOp::Readdirx { at, flags });
    submit(&env, priority, op, super::names_delivery(buffers))
}
