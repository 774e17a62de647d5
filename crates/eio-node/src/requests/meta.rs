//! Bindings of the `eio_core::ops::meta` requests. Requests on "a path or an fd" take
//! `path` (with `dir`, its working directory) or, when `path` is absent, `fd`. 64-bit
//! offsets and lengths arrive as a number or a bigint (the JS layer checked their range).

use eio_core::ops::meta::MetaOp;
use eio_core::Op;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::args::int64;
use crate::args::{path_at, target};
use crate::submit::submit;
use crate::wd::WdHandle;
use crate::wire::Delivery;

fn meta(env: &Env, priority: i32, op: MetaOp) -> Result<u32> {
    submit(env, priority, Op::Meta(op), Delivery::Plain)
}

/// `sendfile`: `length` bytes of `in_fd` from `in_offset` to `out_fd` at its position.
#[napi]
pub fn sendfile(
    env: Env,
    priority: i32,
    out_fd: i32,
    in_fd: i32,
    in_offset: Unknown<'_>,
    length: Unknown<'_>,
) -> Result<u32> {
    let op =
        MetaOp::Sendfile { out_fd, in_fd, offset: int64(&env, in_offset)?, len: int64(&env, length)? as u64 };
    meta(&env, priority, op)
}

#[napi]
pub fn readahead(env: Env, priority: i32, fd: i32, offset: Unknown<'_>, length: Unknown<'_>) -> Result<u32> {
    let op = MetaOp::Readahead { fd, offset: int64(&env, offset)?, len: int64(&env, length)? as u64 };
    meta(&env, priority, op)
}

#[napi]
pub fn statvfs(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Option<Unknown<'_>>,
    fd: i32,
) -> Result<u32> {
    let target = target(&env, dir, path, fd)?;
    meta(&env, priority, MetaOp::Statvfs { target })
}

/// Sets the times to `(atime_sec, atime_nsec)` and `(mtime_sec, mtime_nsec)`, or with
/// `now`, both to the current time.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn utime(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Option<Unknown<'_>>,
    fd: i32,
    follow: bool,
    now: bool,
    atime_sec: i64,
    atime_nsec: u32,
    mtime_sec: i64,
    mtime_nsec: u32,
) -> Result<u32> {
    let target = target(&env, dir, path, fd)?;
    let times = (!now).then_some([(atime_sec, atime_nsec), (mtime_sec, mtime_nsec)]);
    meta(&env, priority, MetaOp::Utime { target, times, follow })
}

/// `uid`/`gid` 0xffffffff (-1) leave that id unchanged.
#[napi]
pub fn chown(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Option<Unknown<'_>>,
    fd: i32,
    uid: u32,
    gid: u32,
) -> Result<u32> {
    let target = target(&env, dir, path, fd)?;
    meta(&env, priority, MetaOp::Chown { target, uid, gid })
}

#[napi]
pub fn chmod(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Option<Unknown<'_>>,
    fd: i32,
    mode: u32,
) -> Result<u32> {
    let target = target(&env, dir, path, fd)?;
    meta(&env, priority, MetaOp::Chmod { target, mode })
}

#[napi]
pub fn truncate(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Option<Unknown<'_>>,
    fd: i32,
    length: Unknown<'_>,
) -> Result<u32> {
    let target = target(&env, dir, path, fd)?;
    let length = int64(&env, length)?;
    meta(&env, priority, MetaOp::Truncate { target, length })
}

/// `fallocate` with `mode` a combination of `FALLOC_FL_*`.
#[napi]
pub fn allocate(
    env: Env,
    priority: i32,
    fd: i32,
    mode: i32,
    offset: Unknown<'_>,
    length: Unknown<'_>,
) -> Result<u32> {
    let op = MetaOp::Allocate { fd, mode, offset: int64(&env, offset)?, len: int64(&env, length)? };
    meta(&env, priority, op)
}

#[napi]
pub fn fsync(env: Env, priority: i32, fd: i32) -> Result<u32> {
    meta(&env, priority, MetaOp::Fsync { fd })
}

#[napi]
pub fn fdatasync(env: Env, priority: i32, fd: i32) -> Result<u32> {
    meta(&env, priority, MetaOp::Fdatasync { fd })
}

#[napi]
pub fn syncfs(env: Env, priority: i32, fd: i32) -> Result<u32> {
    meta(&env, priority, MetaOp::Syncfs { fd })
}

#[napi]
pub fn sync(env: Env, priority: i32) -> Result<u32> {
    meta(&env, priority, MetaOp::Sync)
}

#[napi]
pub fn sync_file_range(
    env: Env,
    priority: i32,
    fd: i32,
    offset: Unknown<'_>,
    nbytes: Unknown<'_>,
    flags: u32,
) -> Result<u32> {
    let op = MetaOp::SyncFileRange { fd, offset: int64(&env, offset)?, nbytes: int64(&env, nbytes)?, flags };
    meta(&env, priority, op)
}

#[napi]
pub fn pathsync(env: Env, priority: i32, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<u32> {
    let at = path_at(&env, dir, path)?;
    meta(&env, priority, MetaOp::Pathsync { at })
}

/// `length` -1: to the end of the file; `count` -1: every extent, 0: only their number.
#[napi]
pub fn fiemap(
    env: Env,
    priority: i32,
    fd: i32,
    start: Unknown<'_>,
    length: Unknown<'_>,
    flags: u32,
    count: i64,
) -> Result<u32> {
    let length = int64(&env, length)?;
    let op = MetaOp::Fiemap {
        fd,
        start: int64(&env, start)? as u64,
        length: (length >= 0).then_some(length as u64),
        flags,
        count: (count >= 0).then_some(count.min(u32::MAX as i64) as u32),
    };
    meta(&env, priority, op)
}
