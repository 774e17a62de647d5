//! Working directories: a directory fd shared by the `Wd` object and the requests that use
//! it, so that closing a `Wd` never pulls the fd from under a request in flight.

use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};

use eio_core::{At, Base};
use napi_derive::napi;

/// The native half of a JS `Wd`. Its fd closes when the object is closed (and no request
/// still uses it) or garbage-collected.
#[napi]
pub struct WdHandle {
    fd: Mutex<Option<Arc<OwnedFd>>>,
}

impl WdHandle {
    pub fn new(fd: OwnedFd) -> WdHandle {
        WdHandle { fd: Mutex::new(Some(Arc::new(fd))) }
    }

    /// The base for paths relative to this directory; `EBADF` once closed.
    pub fn base(&self) -> Result<Base, eio_core::Errno> {
        match &*self.fd.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(fd) => Ok(Base::Dir(fd.clone())),
            None => Err(eio_core::Errno(libc::EBADF)),
        }
    }
}

#[napi]
impl WdHandle {
    /// Releases this handle's hold on the fd (requests in flight keep theirs).
    #[napi]
    pub fn close(&self) {
        self.fd.lock().unwrap_or_else(|e| e.into_inner()).take();
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
