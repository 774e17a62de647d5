//! readdirIter's native half: one directory read in batches by successive requests.

use std::sync::{Arc, Mutex};

use crate::sys::cvt::Errno;
use crate::sys::dir::DirReader;
use crate::sys::path::At;
use crate::sys::scan;
use crate::value::{DirList, ReqError, TreeBatch, TreeDir};

/// Entries a readdirIter batch reads at least (unless the directory ends first): large
/// enough that the per-request cost vanishes, small enough that a directory of millions
/// of entries is never held whole.
pub const BATCH_ENTRIES: usize = 4096;

/// A directory read in batches by successive requests (readdirIter). The first batch
/// opens it; the open directory is shared, so that closing the stream while a batch is
/// being read never pulls it from under that batch: the batch keeps its own hold until
/// it ends.
#[derive(Debug)]
pub struct DirStream {
    at: At,
    state: Mutex<StreamState>,
}

#[derive(Debug)]
enum StreamState {
    Unopened,
    Open(Arc<Mutex<DirReader>>),
    /// Closed by its owner, or read to the end.
    Closed,
}

impl DirStream {
    pub fn new(at: At) -> DirStream {
        DirStream { at, state: Mutex::new(StreamState::Unopened) }
    }

    /// Releases the stream's directory (a batch being read keeps its hold until it ends);
    /// later batches fail with `EBADF`. Idempotent; never blocks on a syscall.
    pub fn close(&self) {
        *self.lock() = StreamState::Closed;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StreamState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The open directory, opening it on first use. The lock is never held during the
    /// open, so that `close` on the JS thread cannot wait for a slow filesystem.
    fn reader(&self) -> Result<Arc<Mutex<DirReader>>, ReqError> {
        match &*self.lock() {
            StreamState::Open(reader) => return Ok(reader.clone()),
            StreamState::Closed => return Err(Errno(libc::EBADF).into()),
            StreamState::Unopened => {}
        }
        let opened = DirReader::open(&self.at).map_err(|e| ReqError::os(e).with_syscall("opendir"))?;
        let mut state = self.lock();
        match &*state {
            StreamState::Unopened => {
                let reader = Arc::new(Mutex::new(opened));
                *state = StreamState::Open(reader.clone());
                Ok(reader)
            }
            // Another batch opened it meanwhile: ours is closed on return.
            StreamState::Open(reader) => Ok(reader.clone()),
            StreamState::Closed => Err(Errno(libc::EBADF).into()),
        }
    }

    /// The next batch: at least [`BATCH_ENTRIES`] entries unless the directory ends, with
    /// their `lstat` when `stat` (an entry gone meanwhile is left out). At the end the
    /// stream closes its fd.
    pub fn read_batch(&self, stat: bool) -> Result<TreeBatch, ReqError> {
        let reader = self.reader()?;
        let mut reader = reader.lock().unwrap_or_else(|e| e.into_inner());
        let mut list = DirList::default();
        let end = reader
            .read(&mut list, BATCH_ENTRIES, &|| false)
            .map_err(|e| ReqError::os(e).with_syscall("readdir"))?;
        let mut batch = TreeBatch { end, ..TreeBatch::default() };
        if stat {
            let fd = reader.raw_fd();
            for (i, name) in list.names().enumerate() {
                match scan::stat_entry(fd, name, false) {
                    Ok(st) => {
                        batch.entries.push(name, list.types[i], list.inos[i]);
                        batch.stats.push(st);
                    }
                    Err(Errno(libc::ENOENT)) => {}
                    Err(e) => return Err(ReqError::os(e).with_syscall("lstat").with_subpath(name.to_vec())),
                }
            }
        } else {
            batch.entries = list;
        }
        batch.dirs.push(TreeDir { path: Vec::new(), depth: 0, entries: batch.entries.len() as u32 });
        drop(reader);
        if end {
            self.close();
        }
        Ok(batch)
    }
}
