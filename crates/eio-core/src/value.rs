//! What a request produces: a [`Value`] on success, a [`ReqError`] on failure.
//! Values own what they acquired: dropping one closes its fd and frees its memory, which
//! is how a cancelled or orphaned completion releases its resources.

use std::os::fd::OwnedFd;

use crate::sys::cvt::Errno;

pub type Outcome = Result<Value, ReqError>;

#[derive(Debug)]
pub enum Value {
    /// Success with nothing to report (`close`, `unlink`, ...).
    Unit,
    /// A count or an offset.
    Int(i64),
    /// A descriptor the request opened; closed if the value is dropped undelivered.
    Fd(OwnedFd),
    Stat(Box<FileStat>),
    /// Bytes read, for the receiver to copy into the caller's buffer.
    Bytes(Vec<u8>),
    Dir(DirList),
    /// A working directory that the request opened: its fd (closed if undelivered) and
    /// canonical path.
    Wd {
        fd: OwnedFd,
        path: Vec<u8>,
    },
    /// Any other structured result (see [`Data`]).
    Data(Data),
}

/// A structured result as plain data, for requests whose results are more than a
/// number: eio-node turns it into the JS value of the same shape. It never holds a
/// resource (fds go in [`Value::Fd`] or [`Value::Wd`]), so dropping it frees only memory.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    Undefined,
    Null,
    Bool(bool),
    /// A number, or a bigint where a double would lose precision.
    Int(i64),
    F64(f64),
    /// A file name or path: a string, or a `Buffer` when the request asked for
    /// `encoding: 'buffer'`.
    Name(Vec<u8>),
    /// A `Buffer`.
    Bytes(Vec<u8>),
    /// The names of a [`DirList`], as an array of names (see [`Data::Name`]).
    Names(DirList),
    /// A `Float64Array`: many numbers in one value.
    Numbers(Vec<f64>),
    Array(Vec<Data>),
    /// A plain object with these properties, in this order.
    Object(Vec<(&'static str, Data)>),
}

/// A request's failure.
#[derive(Debug)]
pub enum ReqError {
    /// A syscall failed. `syscall` names the step that failed where a request makes
    /// several calls and the step says more than the request's own name.
    Os {
        errno: Errno,
        syscall: Option<&'static str>,
        /// For requests that work inside a tree under their path argument (rmtree): the
        /// failing entry's path relative to that argument, for the error's `path`.
        subpath: Option<Vec<u8>>,
    },
    /// The request panicked; the pool caught it and carried on.
    Panic(String),
}

impl ReqError {
    pub fn os(errno: Errno) -> ReqError {
        ReqError::Os { errno, syscall: None, subpath: None }
    }

    pub fn with_syscall(self, name: &'static str) -> ReqError {
        match self {
            ReqError::Os { errno, subpath, .. } => ReqError::Os { errno, syscall: Some(name), subpath },
            other => other,
        }
    }

    /// Names the failing entry, relative to the request's path (see `Os::subpath`).
    pub fn with_subpath(self, rel: Vec<u8>) -> ReqError {
        match self {
            ReqError::Os { errno, syscall, .. } => ReqError::Os { errno, syscall, subpath: Some(rel) },
            other => other,
        }
    }

    pub fn errno(&self) -> Option<Errno> {
        match self {
            ReqError::Os { errno, .. } => Some(*errno),
            ReqError::Panic(_) => None,
        }
    }
}

impl From<Errno> for ReqError {
    fn from(errno: Errno) -> Self {
        ReqError::os(errno)
    }
}

/// A file's status, as `statx` reports it. Times are `(seconds, nanoseconds)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileStat {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub nlink: u64,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: i64,
    pub blksize: i64,
    pub blocks: i64,
    pub atime: (i64, u32),
    pub mtime: (i64, u32),
    pub ctime: (i64, u32),
    /// `(0, 0)` where the filesystem does not record it.
    pub birthtime: (i64, u32),
}

/// Directory entries, stored compactly: all names in one buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirList {
    names: Vec<u8>,
    /// `names[ends[i-1]..ends[i]]` is entry `i`'s name.
    ends: Vec<usize>,
    /// `DT_*` of each entry, as the filesystem reported it (`DT_UNKNOWN` is 0).
    pub types: Vec<u8>,
    pub inos: Vec<u64>,
}

impl DirList {
    pub fn push(&mut self, name: &[u8], kind: u8, ino: u64) {
        self.names.extend_from_slice(name);
        self.ends.push(self.names.len());
        self.types.push(kind);
        self.inos.push(ino);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn name(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.names[start..self.ends[i]]
    }

    pub fn names(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.name(i))
    }

    /// The entries in the order of `order`, a permutation of `0..len`.
    pub fn permuted(&self, order: &[usize]) -> DirList {
        let mut out = DirList::default();
        for &i in order {
            out.push(self.name(i), self.types[i], self.inos[i]);
        }
        out
    }
}
