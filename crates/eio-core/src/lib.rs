//! eio-core: IO::AIO's request engine in Rust.
//!
//! A [`Pool`] runs [`Op`]s — blocking filesystem calls described as plain data — on its own
//! worker threads, highest priority first and first-in first-out within a priority, and
//! hands each outcome to the submitting [`Client`]'s [`CompletionSink`]. Requests can be
//! cancelled ([`Pool::cancel`]); the pool's limits follow IO::AIO's `min_parallel`,
//! `max_parallel`, `max_idle` and `idle_timeout` ([`PoolConfig`]).
//!
//! Nothing here knows about Node.js: eio-node is one client among possible others.

pub mod op;
pub mod ops;
pub mod pool;
pub mod req;
pub mod sys;
#[cfg(test)]
mod testutil;
pub mod value;

pub use op::Op;
pub use ops::stat_many::{PathList, StatList};
pub use pool::{seconds, Client, CompletionSink, Pool, PoolConfig, StagedJob, PRI_DEFAULT, PRI_MAX, PRI_MIN};
pub use req::{CancelOutcome, ReqCell, ReqCtx, ReqState};
pub use sys::cvt::Errno;
pub use sys::path::{At, Base, Target};
pub use value::{
    DirList, Extent, FileStat, Outcome, ReqError, StatFs, StatVfs, TreeBatch, TreeDir, TreeError, Value,
};
