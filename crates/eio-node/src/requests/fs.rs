//! Bindings of the `eio_core::ops::fs` requests (the calls of Node's `fs` that IO::AIO
//! lacks), used by `io-aio/promises`. Requests on "a path or an fd" take `path` (with
//! `dir`, its working directory) or, when `path` is absent, `fd`.

use eio_core::ops::fs::{Dest, FsOp, Source};
use eio_core::{Op, ReqError, Value};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use super::names_delivery;
use super::scan::DirStreamHandle;
use crate::args::path_at;
use crate::raw::Scope;
use crate::submit::submit;
use crate::wd::WdHandle;
use crate::wire::{self, Delivery};

fn fs(env: &Env, priority: i32, op: FsOp, delivery: Delivery) -> Result<u32> {
    submit(env, priority, Op::Fs(op), delivery)
}

/// `readFile`: a path opened with `flags`, or (`path` absent) `fd` from its position;
/// completes with a `Buffer`.
#[napi]
pub fn read_file(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Option<Unknown<'_>>,
    fd: i32,
    flags: i32,
) -> Result<u32> {
    let src = match path {
        Some(p) => Source::Path { at: path_at(&env, dir, p)?, flags },
        None => Source::Fd(fd),
    };
    fs(&env, priority, FsOp::ReadFile { src }, Delivery::Plain)
}

/// `writeFile`: all of `data` (a string, written as UTF-8, or a typed array: copied now)
/// to a path opened with `flags` and `mode`, or (`path` absent) to `fd` at its position;
/// then, with `flush`, fsync.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn write_file(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Option<Unknown<'_>>,
    fd: i32,
    flags: i32,
    mode: u32,
    data: Unknown<'_>,
    flush: bool,
) -> Result<u32> {
    let dst = match path {
        Some(p) => Dest::Path { at: path_at(&env, dir, p)?, flags, mode },
        None => Dest::Fd(fd),
    };
    let js = Scope::of_call(&env);
    let data = js.path_bytes(js.arg(&data))?;
    fs(&env, priority, FsOp::WriteFile { dst, data, flush }, Delivery::Plain)
}

/// `access(2)` with `mode`.
#[napi]
pub fn access(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>, mode: i32) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    fs(&env, priority, FsOp::Access { at, mode }, Delivery::Plain)
}

/// `statfs(2)`: completes with `[type, bsize, blocks, bfree, bavail, files, ffree]`.
#[napi]
pub fn statfs(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    fs(&env, priority, FsOp::Statfs { at }, Delivery::Plain)
}

/// Node's `copyFile`: contents and permission bits; `flags` the `COPYFILE_*` bits.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn copy_file(
    env: Env,
    priority: i32,
    src_dir: Option<&WdHandle>,
    src: Unknown<'_>,
    dst_dir: Option<&WdHandle>,
    dst: Unknown<'_>,
    flags: u32,
) -> Result<u32> {
    let (src, dst) = (path_at(&env, src_dir, src)?, path_at(&env, dst_dir, dst)?);
    fs(&env, priority, FsOp::CopyFile { src, dst, flags }, Delivery::Plain)
}

/// `lchown(2)`; `uid`/`gid` 0xffffffff leave that id as it is.
#[napi]
pub fn lchown(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    uid: u32,
    gid: u32,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    fs(&env, priority, FsOp::Lchown { at, uid, gid }, Delivery::Plain)
}

/// `mkdtemp`: creates `prefix` + six random characters; completes with the six characters.
#[napi]
pub fn mkdtemp(env: Env, priority: i32, dir: Option<&WdHandle>, prefix: Unknown<'_>) -> Result<u32> {
    let prefix = path_at(&env, dir, prefix)?;
    fs(&env, priority, FsOp::Mkdtemp { prefix }, Delivery::Plain)
}

/// Node's `readdir`: names sorted bytewise, as strings or (`buffers`) `Buffer`s; with
/// `types`, as `readdirx` with `READDIR_DENTS` gives them (no type unknown).
#[napi]
pub fn readdir_sorted(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    types: bool,
    buffers: bool,
) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    fs(&env, priority, FsOp::Readdir { at, types }, names_delivery(buffers))
}

/// `Dir.readSync()`: the next batch of a `readdirIter` stream (`scanOpen`), read now on
/// the JS thread, as a synchronous call must: what `scanReadBatch` completes with, or the
/// negative errno.
#[napi(ts_return_type = "[string | Buffer, Float64Array, boolean] | number")]
pub fn scan_read_batch_sync<'env>(
    env: &'env Env,
    stream: &DirStreamHandle,
    buffers: bool,
) -> Result<Unknown<'env>> {
    let js = Scope::of_call(env);
    let value = match eio_core::ops::scan::read_batch(&stream.stream) {
        Ok(Value::DirBatch { list, end }) => wire::dir_batch(js, &list, end, buffers)?,
        Ok(other) => return Err(Error::from_reason(format!("eio: unexpected batch {other:?}"))),
        Err(ReqError::Os { errno, .. }) => js.number(-f64::from(errno.raw()))?,
        Err(ReqError::Panic(msg)) => {
            return Err(Error::from_reason(format!("eio: the read panicked: {msg}")))
        }
    };
    Ok(js.unknown(value))
}
