//! Bindings of the `eio_core::ops::scan` requests: readdirIter's directory stream and
//! walk's directory reads.

use std::sync::Arc;

use eio_core::ops::scan::{DirStream, ScanOp};
use eio_core::Op;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::env::Delivery;
use crate::wd::WdHandle;

/// The native half of a readdirIter iterator: the directory being read in batches. Its fd
/// closes on `close()`, at the end of the directory, or when the object is
/// garbage-collected, and never while a batch is being read from it.
#[napi]
pub struct DirStreamHandle {
    stream: Arc<DirStream>,
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
    let at = super::path_at(&env, dir, path)?;
    Ok(DirStreamHandle {
        stream: Arc::new(DirStream::new(at)),
    })
}

/// The next batch of `stream`: `[names, Float64Array [type, ino, ...], end]`.
#[napi]
pub fn scan_read_batch(
    env: Env,
    priority: i32,
    stream: &DirStreamHandle,
    buffers: bool,
) -> Result<u32> {
    let op = ScanOp::ReadBatch {
        stream: stream.stream.clone(),
    };
    super::submit(&env, priority, Op::Scan(op), Delivery::Names { buffers })
}

/// One directory of a walk: `[names, Float64Array types]` plus, with `identify`, the
/// directory's `[dev_hi, dev_lo, ino_hi, ino_lo]`; `null` when `may_be_nondir` and it
/// is not a directory.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn scan_read_dir(
    env: Env,
    priority: i32,
    dir: Option<&WdHandle>,
    path: Unknown<'_>,
    follow: bool,
    may_be_nondir: bool,
    identify: bool,
    buffers: bool,
) -> Result<u32> {
    let at = super::path_at(&env, dir, path)?;
    let op = ScanOp::ReadTreeDir {
        at,
        follow,
        may_be_nondir,
        identify,
    };
    super::submit(&env, priority, Op::Scan(op), Delivery::Names { buffers })
}
