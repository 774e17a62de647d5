//! Working directories: a directory fd shared by the `Wd` object and the requests that use
//! it, so that closing a `Wd` never pulls the fd from under a request in flight.

use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};

use eio_core::{At, Base};
use napi_derive::napi;

/// What a `WdHandle` stands for: the cwd, an open directory, or nothing any more.
enum WdState {
    /// The process's current directory, whatever it is when a request runs (`AT_FDCWD`):
    /// the handle of `CWD`, which owns no fd and cannot be closed.
    Cwd,
    /// A directory opened by a `wd` request.
    Open(Arc<OwnedFd>),
    Closed,
}

/// The native half of a JS `Wd`. Its fd closes when the object is closed (and no request
/// still uses it) or garbage-collected.
#[napi]
pub struct WdHandle {
    dir: Mutex<WdState>,
}

impl WdHandle {
    pub fn new(fd: OwnedFd) -> WdHandle {
        WdHandle { dir: Mutex::new(WdState::Open(Arc::new(fd))) }
    }

    /// The base for paths relative to this directory; `EBADF` once closed.
    pub fn base(&self) -> Result<Base, eio_core::Errno> {
        match &*self.dir.lock().unwrap_or_else(|e| e.into_inner()) {
            WdState::Cwd => Ok(Base::Cwd),
            WdState::Open(fd) => Ok(Base::Dir(fd.clone())),
            WdState::Closed => Err(eio_core::Errno(libc::EBADF)),
        }
    }
}

#[napi]
impl WdHandle {
    /// The handle of the process's current directory (`AT_FDCWD`): paths relative to it
    /// resolve against the cwd when the request runs, as with IO::AIO's `CWD`.
    #[napi(factory)]
    pub fn cwd() -> WdHandle {
        WdHandle { dir: Mutex::new(WdState::Cwd) }
    }

    /// Releases this handle's hold on the fd (requests in flight keep theirs). The cwd's
    /// handle owns no fd and stays usable.
    #[napi]
    pub fn close(&self) {
        let mut dir = self.dir.lock().unwrap_or_else(|e| e.into_inner());
        if let WdState::Open(_) = *dir {
            *dir = WdState::Closed; // drops this handle's Arc: the fd closes with the last one
        }
    }
}

/// Builds a path argument: `bytes` relative to `dir`, or to the cwd.
pub fn at(dir: Option<&WdHandle>, bytes: Vec<u8>) -> Result<At, eio_core::Errno> {
    let base = match dir {
        Some(wd) => wd.base()?,
        None => Base::Cwd,
    };
    At::from_bytes(base, bytes)
}
