//! What a request produces: a [`Value`] on success, a [`ReqError`] on failure.
//! Values own what they acquired: dropping one closes its fd and frees its memory, which
//! is how a cancelled or orphaned completion releases its resources.

use std::os::fd::OwnedFd;

use crate::sys::cvt::Errno;

pub type Outcome = Result<Value, ReqError>;

/// What a request produced, one variant per kind of result. Each is plain Rust data:
/// eio-node's wire module (`crates/eio-node/src/wire.rs`) has one encoder per variant
/// that turns it into JavaScript values, so nothing here knows how JavaScript sees it.
#[derive(Debug)]
pub enum Value {
    /// Success with nothing to report (`close`, `unlink`, ...).
    Unit,
    /// A count or an offset.
    Int(i64),
    /// A descriptor the request opened; closed if the value is dropped undelivered.
    Fd(OwnedFd),
    /// Not boxed: a `FileStat` is smaller than the largest variant, and a box would cost an
    /// allocation on the worker and a free on the thread that receives it, per stat.
    Stat(FileStat),
    /// The status or errno of each path of a stat of many paths, in their order.
    Stats(Box<crate::ops::stat_many::StatList>),
    /// Bytes: those a read returned (its buffer cut to the count), or a whole file (`load`).
    Bytes(Vec<u8>),
    /// One file name or path (`readlink`, `realpath`).
    Name(Vec<u8>),
    /// The names of a directory's entries (`readdir`).
    Names(DirList),
    /// A directory's entries in `readdirx`'s order. `flags` are those IO::AIO returns
    /// (the requested ones plus `READDIR_DENTS`, plus `READDIR_FOUND_UNKNOWN` if a type was
    /// unknown); `dents`: the caller asked for types and inodes, not only names.
    Readdirx {
        list: DirList,
        flags: u32,
        dents: bool,
    },
    /// A directory's entries split by `scandir`: subdirectories and everything else.
    Scandir {
        dirs: DirList,
        nondirs: DirList,
    },
    /// A working directory that the request opened: its fd (closed if undelivered) and
    /// canonical path.
    Wd {
        fd: OwnedFd,
        path: Vec<u8>,
    },
    StatVfs(Box<StatVfs>),
    /// Filesystem statistics with the filesystem's type (`statfs`).
    StatFs(Box<StatFs>),
    /// File extents (`fiemap`).
    Extents(Vec<Extent>),
    /// One batch of a directory stream, names and types only (`Dir` of io-aio/promises);
    /// `end`: the directory is read to its end.
    DirBatch {
        list: DirList,
        end: bool,
    },
    /// Entries of a streamed directory scan (walk, readdirIter).
    Tree(Box<TreeBatch>),
    /// What a tree operation did (`copy`, `move`, `rmtree`): entries copied or removed,
    /// and the bytes of the regular files' data among them.
    Counts {
        entries: u64,
        bytes: u64,
    },
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

/// Filesystem statistics (`statvfs`), as POSIX defines them: the counts are in units of
/// `frsize` blocks or of inodes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatVfs {
    pub bsize: u64,
    pub frsize: u64,
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub files: u64,
    pub ffree: u64,
    pub favail: u64,
    pub fsid: u64,
    pub flag: u64,
    pub namemax: u64,
}

/// Filesystem statistics as `statfs(2)` reports them, the fields Node's `StatFs` has:
/// the filesystem's type (a magic number: `0xef53` for ext4), and counts of `bsize`
/// blocks and of inodes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatFs {
    pub fs_type: u64,
    pub bsize: u64,
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub files: u64,
    pub ffree: u64,
}

/// One extent of a file (`fiemap`): `length` bytes at `logical` in the file lie at
/// `physical` on the device; `flags` are `FIEMAP_EXTENT_*`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extent {
    pub logical: u64,
    pub physical: u64,
    pub length: u64,
    pub flags: u32,
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

/// A batch of a streamed directory scan (`walk`, `readdirIter`): the entries of one or
/// more directories, each directory's entries together, in the order read. Paths are
/// relative to the scan's root.
#[derive(Debug, Default)]
pub struct TreeBatch {
    /// The directories the entries belong to, in order: the first `dirs[0].entries`
    /// entries are in `dirs[0]`, and so on. A large directory may come in several parts,
    /// in successive batches.
    pub dirs: Vec<TreeDir>,
    /// Every entry: its name, `DT_*` type and inode.
    pub entries: DirList,
    /// Each entry's status, when the scan was asked for it (else empty).
    pub stats: Vec<FileStat>,
    /// The entries (indexes into `entries`) that are directories waiting for the caller's
    /// verdict before they are read, when the scan was asked to hold them; `hold` names
    /// them for the answer (0: none held).
    pub held: Vec<u32>,
    pub hold: u64,
    /// What could not be read or stat'ed below the root; the scan went on without it.
    pub errors: Vec<TreeError>,
    /// The scan has nothing more to give (readdirIter: the directory was read to its end).
    pub end: bool,
}

/// One directory of a [`TreeBatch`].
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TreeDir {
    /// Its path relative to the scan's root (empty for the root).
    pub path: Vec<u8>,
    /// The depth of its entries (0: the root's own).
    pub depth: u32,
    /// How many of the batch's entries are its.
    pub entries: u32,
}

/// Something below a scan's root that failed: a directory that could not be opened or
/// read, or an entry that could not be stat'ed.
#[derive(Debug, PartialEq, Eq)]
pub struct TreeError {
    /// Relative to the scan's root.
    pub path: Vec<u8>,
    pub errno: Errno,
    /// The step that failed, as Node names it (`scandir` for reading a directory).
    pub syscall: &'static str,
}
