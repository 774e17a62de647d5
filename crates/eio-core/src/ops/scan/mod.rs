//! Streaming directory scans: readdirIter's batches of one directory ([`DirStream`]) and
//! walk's reads of a whole tree ([`Walk`]). Both hand back [`TreeBatch`]es: a batch's
//! names travel in one buffer, so that the receiver builds its entries in one loop.
//!
//! [`TreeBatch`]: crate::value::TreeBatch

mod stream;
mod walk;

#[cfg(test)]
mod tests;

pub use stream::{DirStream, BATCH_ENTRIES};
pub use walk::{DirId, Walk, WalkOptions, MAX_OPEN};

use std::sync::Arc;

use crate::req::ReqCtx;
use crate::value::{Outcome, Value};

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum ScanOp {
    /// The next batch of a [`DirStream`], names and types only ([`Value::DirBatch`]); at
    /// the end the stream closes its fd.
    ReadBatch { stream: Arc<DirStream> },
    /// The next batch of a [`DirStream`] as a [`Value::Tree`] (readdirIter), with each
    /// entry's `lstat` when `stat`; at the end the stream closes its fd.
    ReadEntries { stream: Arc<DirStream>, stat: bool },
    /// Part of a walk: directories from its frontier until `budget` entries were read.
    Walk { walk: Walk, budget: usize },
}

impl ScanOp {
    pub fn execute(self, ctx: &ReqCtx<'_>) -> Outcome {
        let batch = match self {
            ScanOp::ReadBatch { stream } => return read_batch(&stream),
            ScanOp::ReadEntries { stream, stat } => stream.read_batch(stat)?,
            ScanOp::Walk { walk, budget } => walk.read(ctx, budget)?,
        };
        Ok(Value::Tree(Box::new(batch)))
    }
}

/// The next batch of `stream` (see [`ScanOp::ReadBatch`]); also run directly, on the
/// caller's thread, by synchronous readers (`Dir.readSync()` of io-aio/promises).
pub fn read_batch(stream: &DirStream) -> Outcome {
    let batch = stream.read_batch(false)?;
    Ok(Value::DirBatch { list: batch.entries, end: batch.end })
}
