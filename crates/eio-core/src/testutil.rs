//! What the unit tests share: scratch directories and request contexts.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::req::{ReqCell, ReqCtx};
use crate::sys::path::At;

/// A fresh, empty directory under the system's temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// `tag` names the test in the directory's name; each call gets a directory of its own.
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("eio-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// `rel` inside the directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    /// `rel` inside the directory, as requests take paths.
    pub fn at(&self, rel: &str) -> At {
        at(&self.path(rel))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `path` as requests take paths (relative to the cwd, or absolute).
pub fn at(path: &Path) -> At {
    At::cwd(CString::new(path.as_os_str().as_bytes()).unwrap())
}

/// Runs `f` with the context of a running request, aborted or not.
pub fn with_ctx<R>(aborted: bool, f: impl FnOnce(&ReqCtx<'_>) -> R) -> R {
    let cell = ReqCell::new_staged();
    if aborted {
        cell.cancel();
    }
    f(&ReqCtx { cell: &cell })
}
