//! The pool's limits, named as IO::AIO names them.

use std::time::Duration;

/// IO::AIO's thread-pool settings.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolConfig {
    /// The most threads that may run requests (libeio's `wanted`). IO::AIO's
    /// `min_parallel` raises it, `max_parallel` sets it; 0 pauses execution.
    pub wanted: usize,
    /// Threads beyond this many idle ones exit after `idle_timeout` without work.
    pub max_idle: usize,
    pub idle_timeout: Duration,
}

impl Default for PoolConfig {
    /// IO::AIO's defaults: `min_parallel 8` at load, `max_idle 4`, `idle_timeout 10`.
    fn default() -> Self {
        PoolConfig { wanted: 8, max_idle: 4, idle_timeout: Duration::from_secs(10) }
    }
}

/// A bound on threads that no machine reaches; keeps a typo from forking thousands.
pub const MAX_THREADS: usize = 1024;

impl PoolConfig {
    /// IO::AIO's `min_parallel`: at least `n` threads may run.
    pub fn set_min_parallel(&mut self, n: usize) {
        self.wanted = self.wanted.max(n);
    }

    /// IO::AIO's `max_parallel`: at most `n` threads may run (unlike IO::AIO, it also
    /// raises the limit, so that `max_parallel 0` can be undone by the same call).
    pub fn set_max_parallel(&mut self, n: usize) {
        self.wanted = n;
    }

    pub(crate) fn normalise(&mut self) {
        self.wanted = self.wanted.min(MAX_THREADS);
    }
}
