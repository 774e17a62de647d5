//! Paths as the `*at` syscalls take them: a directory fd (or the cwd) and a C string.

use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::Arc;

/// A directory that relative paths resolve against.
#[derive(Clone, Debug)]
pub enum Base {
    /// The process's current directory at the time of the syscall.
    Cwd,
    /// A directory fd kept open by whoever holds the `Arc` (a working-directory object);
    /// a request holding one keeps the directory usable even if its owner closes it.
    Dir(Arc<OwnedFd>),
}

/// What a request acts on: a path (resolved with the `*at` syscalls, following symlinks
/// unless the request says otherwise) or an open descriptor.
#[derive(Debug)]
pub enum Target {
    Path(At),
    Fd(RawFd),
}

/// A path resolved with the `*at` syscalls: `path` relative to `base`, or absolute.
#[derive(Clone, Debug)]
pub struct At {
    pub base: Base,
    pub path: CString,
}

impl At {
    /// A path relative to the current directory (or absolute).
    pub fn cwd(path: CString) -> At {
        At { base: Base::Cwd, path }
    }

    /// Builds from raw bytes; an interior NUL is `EINVAL` (eio-node rejects it earlier,
    /// with Node's error, so this is a second line of defence).
    pub fn from_bytes(base: Base, bytes: Vec<u8>) -> Result<At, crate::Errno> {
        CString::new(bytes).map(|path| At { base, path }).map_err(|_| crate::Errno(libc::EINVAL))
    }

    pub fn dirfd(&self) -> RawFd {
        match &self.base {
            Base::Cwd => libc::AT_FDCWD,
            Base::Dir(fd) => fd.as_raw_fd(),
        }
    }

    pub fn c_path(&self) -> &CStr {
        &self.path
    }

    /// `path` relative to the same base.
    pub fn sibling(&self, path: CString) -> At {
        At { base: self.base.clone(), path }
    }
}

/// `"."`: the directory itself, for requests given a working directory alone.
pub fn dot() -> CString {
    CString::from(c".")
}
