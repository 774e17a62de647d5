//! Bindings of the `eio_core::ops::scan` requests: readdirIter's directory stream and
//! walk's directory reads.

use std::sync::Arc;

use eio_core::ops::scan::{DirId, DirStream, ScanOp, TreeRead};
use eio_core::Op;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::wd::WdHandle;

/// The native half of a readdirIter iterator: the directory being read in batches. Its fd
/// closes on `close()`, at the end of the directory, or when the object is
/// garbage-collected, and never while a batch is being read from it.
#[napi]
pub struct DirStreamHandle {
    pub(crate) stream: Arc<DirStream>,
}

#[napi]
impl DirStreamHandle {
    /// Releases the directory fd (a batch in flight keeps it until it ends). Idempotent.
    #[napi]
    pub fn close(&self) {
        self.stream.close();
    }
}

/// A stream over the directory at `path`; nothing is opened until the first batch.
#[napi]
pub fn scan_open(env: Env, dir: Option<&WdHandle>, path: Unknown<'_>) -> Result<DirStreamHandle> {
    let at = crate::args::path_at(&env, dir, path)?;
    Ok(DirStreamHandle { stream: Arc::new(DirStream::new(at)) })
}

/// The next batch of `stream`: `[names, Float64Array [type, ino, ...], end]`.
#[napi]
pub fn scan_read_batch(env: Env, priority: i32, stream: &DirStreamHandle, buffers: bool) -> Result<u32> {
    let op = ScanOp::ReadBatch { stream: stream.stream.clone() };
    crate::submit::submit(&env, priority, Op::Scan(op), super::names_delivery(buffers))
}

/// Part of a walk: the directory at `path` and, depth first, those below it until
/// `budget` entries were read (see `eio_core::ops::scan::TreeOut` for the result).
/// `ancestors` is a `Float64Array` of the `DirId` halves of the directories `path` was
/// reached through (empty unless following symlinks); `max_depth` -1 is no limit.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn scan_read_tree(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    follow_start: bool,
    start_is_link: bool,
    follow_symlinks: bool,
    depth: u32,
    max_depth: i64,
    ancestors: Unknown<'_>,
    budget: u32,
    buffers: bool,
) -> Result<u32> {
    let at = crate::args::path_at(&env, dir, path)?;
    let js = crate::raw::Scope::of_call(&env);
    let halves: Vec<f64> = js
        .with_bytes(js.arg(&ancestors), |bytes| {
            bytes.chunks_exact(8).map(|b| f64::from_ne_bytes(b.try_into().unwrap_or_default())).collect()
        })?
        .ok_or_else(|| Error::from_reason("eio: ancestors buffer is detached"))?;
    let req = TreeRead {
        at,
        follow_start,
        start_is_link,
        follow_symlinks,
        depth,
        max_depth: u32::try_from(max_depth).unwrap_or(u32::MAX),
        ancestors: DirId::from_halves(&halves),
        budget: budget as usize,
    };
    let op = Op::Scan(ScanOp::ReadTree(Box::new(req)));
    crate::submit::submit(&env, priority, op, super::names_delivery(buffers))
}
