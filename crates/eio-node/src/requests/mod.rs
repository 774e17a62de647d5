//! One exported function per request: convert the validated arguments, submit one core
//! request, return its slot number. The JS layer (`lib/`) validated everything already;
//! errors here are only a second line of defence.

use std::time::Duration;

use eio_core::Op;
use napi::bindgen_prelude::*;
use napi_derive::napi;

mod composite;
mod fs;
mod mem;
mod meta;
mod names;
mod read;
mod scan;

use crate::args::{int64, path_at, position};
use crate::raw::Scope;
use crate::submit::submit;
use crate::wd::WdHandle;
use crate::wire::Delivery;

/// Names as strings, or (`buffers`) as `Buffer`s.
pub(crate) fn names_delivery(buffers: bool) -> Delivery {
    if buffers {
        Delivery::Buffers
    } else {
        Delivery::Plain
    }
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
    let offset = int64(&env, offset)?;
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
    let js = Scope::of_call(&env);
    let start = data_offset as usize; // a safe integer, checked in JS
    let end =
        start.checked_add(length as usize).ok_or_else(|| Error::from_reason("eio: write range overflows"))?;
    let bytes = js
        .with_bytes(js.arg(&data), |view| view.get(start..end).map(<[u8]>::to_vec))?
        .ok_or_else(|| Error::from_reason("eio: write buffer is detached"))?
        .ok_or_else(|| Error::from_reason("eio: write range outside buffer"))?;
    let offset = position(&env, offset)?;
    submit(&env, priority, Op::Write { fd, offset, data: bytes }, Delivery::Plain)
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
    submit(&env, priority, Op::Readdir { at }, names_delivery(buffers))
}

/// `stat` (`follow`) or `lstat` of `count` paths as one request: `paths` holds them, each
/// followed by a NUL, in one string or `Buffer` (one argument to read, not `count`);
/// relative ones resolve against the cwd (the JS layer made them absolute). `bigint`: the
/// results as exact integers.
#[napi]
pub fn stat_many(
    env: Env,
    priority: i32,
    paths: Unknown<'_>,
    count: u32,
    follow: bool,
    bigint: bool,
) -> Result<u32> {
    let js = Scope::of_call(&env);
    let paths = eio_core::PathList::from_nul_terminated(js.path_bytes(js.arg(&paths))?);
    if paths.len() != count as usize {
        return Err(Error::from_reason("eio: statMany: a path holds a NUL byte"));
    }
    let delivery = if bigint { Delivery::BigInt } else { Delivery::Plain };
    submit(&env, priority, Op::StatMany { paths, follow }, delivery)
}

/// A request that panics on its worker thread: for tests that check that a panic fails
/// only its own request. Not part of the public API (index.ts does not export it).
#[napi]
pub fn test_panic(env: Env, priority: i32) -> Result<u32> {
    let op = Op::Custom(Box::new(|_| panic!("eio test: injected panic")));
    submit(&env, priority, op, Delivery::Plain)
}
