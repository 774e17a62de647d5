//! Streaming directory scans: batches for readdirIter, directory reads for walk.
//!
//! Both keep per-entry work small: a directory's entries travel as one [`DirList`] (all
//! names in one buffer) plus one array of numbers, and the caller builds its entry
//! objects from those in one loop.

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, Mutex};

use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::At;
use crate::sys::{dir, file, scan, stat};
use crate::value::{Data, DirList, Outcome, ReqError, Value};

/// Entries a readdirIter batch reads at least (unless the directory ends first): large
/// enough that the per-request cost vanishes, small enough that a directory of millions
/// of entries is never held whole.
pub const BATCH_ENTRIES: usize = 4096;

/// A directory read in batches by successive requests (readdirIter). The first batch
/// opens it; the fd is shared, so that closing the stream while a batch is being read
/// never pulls the fd from under that batch: the batch keeps its own hold until it ends.
#[derive(Debug)]
pub struct DirStream {
    at: At,
    fd: Mutex<StreamFd>,
}

#[derive(Debug)]
enum StreamFd {
    Unopened,
    Open(Arc<OwnedFd>),
    /// Closed by its owner, or read to the end.
    Closed,
}

impl DirStream {
    pub fn new(at: At) -> DirStream {
        DirStream {
            at,
            fd: Mutex::new(StreamFd::Unopened),
        }
    }

    /// Releases the stream's fd (a batch being read keeps its hold until it ends); later
    /// batches fail with `EBADF`. Idempotent; never blocks on a syscall.
    pub fn close(&self) {
        *self.lock() = StreamFd::Closed;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StreamFd> {
        self.fd.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The open fd, opening the directory on first use. The lock is never held during
    /// the open, so that `close` on the JS thread cannot wait for a slow filesystem.
    fn fd(&self) -> Result<Arc<OwnedFd>, ReqError> {
        match &*self.lock() {
            StreamFd::Open(fd) => return Ok(fd.clone()),
            StreamFd::Closed => return Err(Errno(libc::EBADF).into()),
            StreamFd::Unopened => {}
        }
        let opened =
            dir::open_dir(&self.at).map_err(|e| ReqError::os(e).with_syscall("opendir"))?;
        let mut state = self.lock();
        match &*state {
            StreamFd::Unopened => {
                let fd = Arc::new(opened);
                *state = StreamFd::Open(fd.clone());
                Ok(fd)
            }
            // Another batch opened it meanwhile: ours is closed on return.
            StreamFd::Open(fd) => Ok(fd.clone()),
            StreamFd::Closed => Err(Errno(libc::EBADF).into()),
        }
    }
}

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum ScanOp {
    /// The next batch of a [`DirStream`]: `[names, Float64Array [type, ino, ...], end]`,
    /// `DT_*` types as the filesystem reports them. At the end the stream closes its fd.
    ReadBatch { stream: Arc<DirStream> },
    /// One directory of a walk, read whole: `[names, Float64Array types]`, plus with
    /// `identify` a `Float64Array [dev_hi, dev_lo, ino_hi, ino_lo]` of the directory (32-bit
    /// halves, so that they stay exact). Types are never `DT_UNKNOWN`: where the filesystem
    /// reports it, the entry is `lstat`ed, and one that vanished meanwhile is left out.
    ReadTreeDir {
        at: At,
        /// Follow a symlink as the last component of `at` (else `O_NOFOLLOW`).
        follow: bool,
        /// `at` may not be a directory (it is a symlink that the walk follows): if it is
        /// not one, or dangles, the result is `null` rather than an error.
        may_be_nondir: bool,
        identify: bool,
    },
}

impl ScanOp {
    pub fn execute(self, ctx: &ReqCtx<'_>) -> Outcome {
        match self {
            ScanOp::ReadBatch { stream } => read_batch(&stream),
            ScanOp::ReadTreeDir {
                at,
                follow,
                may_be_nondir,
                identify,
            } => read_tree_dir(ctx, &at, follow, may_be_nondir, identify),
        }
    }
}

fn read_batch(stream: &DirStream) -> Outcome {
    let fd = stream.fd()?;
    let (list, end) = scan::read_batch(fd.as_raw_fd(), BATCH_ENTRIES)
        .map_err(|e| ReqError::os(e).with_syscall("readdir"))?;
    if end {
        stream.close();
    }
    let mut meta = Vec::with_capacity(list.len() * 2);
    for (&kind, &ino) in list.types.iter().zip(&list.inos) {
        meta.push(kind as f64);
        meta.push(ino as f64);
    }
    Ok(Value::Data(Data::Array(vec![
        Data::Names(list),
        Data::Numbers(meta),
        Data::Bool(end),
    ])))
}

fn read_tree_dir(
    ctx: &ReqCtx<'_>,
    at: &At,
    follow: bool,
    may_be_nondir: bool,
    identify: bool,
) -> Outcome {
    let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NONBLOCK | nofollow;
    let fd = match file::open(at, flags, 0) {
        Ok(fd) => fd,
        Err(Errno(libc::ENOTDIR | libc::ENOENT | libc::ELOOP)) if may_be_nondir => {
            return Ok(Value::Data(Data::Null))
        }
        Err(e) => return Err(e.into()),
    };
    let id = if identify {
        let st = stat::stat(stat::StatTarget::Fd(fd.as_raw_fd()))
            .map_err(|e| ReqError::os(e).with_syscall("fstat"))?;
        let halves = |n: u64| [(n >> 32) as f64, (n & 0xffff_ffff) as f64];
        let [dev_hi, dev_lo] = halves(st.dev);
        let [ino_hi, ino_lo] = halves(st.ino);
        Some(Data::Numbers(vec![dev_hi, dev_lo, ino_hi, ino_lo]))
    } else {
        None
    };
    let list = dir::read_all(&fd, &|| ctx.aborted())?;
    let list: DirList = scan::fill_unknown_types(fd.as_raw_fd(), list)
        .map_err(|e| ReqError::os(e).with_syscall("lstat"))?;
    let types = list.types.iter().map(|&t| t as f64).collect();
    let mut out = vec![Data::Names(list), Data::Numbers(types)];
    out.extend(id);
    Ok(Value::Data(Data::Array(out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;

    fn tempdir(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("eio-scanop-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        dir
    }

    fn at(p: &std::path::Path) -> At {
        At::cwd(CString::new(p.as_os_str().as_bytes()).unwrap())
    }

    fn run(op: ScanOp) -> Outcome {
        let cell = crate::req::ReqCell::new();
        op.execute(&ReqCtx { cell: &cell })
    }

    fn parts(out: Outcome) -> Vec<Data> {
        match out {
            Ok(Value::Data(Data::Array(parts))) => parts,
            other => panic!("unexpected {other:?}"),
        }
    }

    fn errno(out: Outcome) -> (i32, Option<&'static str>) {
        match out {
            Err(ReqError::Os { errno, syscall }) => (errno.raw(), syscall),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn stream_reads_batches_then_closes() {
        let dir = tempdir("stream");
        let n = BATCH_ENTRIES * 2 + 10;
        for i in 0..n {
            std::fs::write(dir.join(format!("{i}")), b"").unwrap();
        }
        let stream = Arc::new(DirStream::new(at(&dir)));
        let mut total = 0;
        loop {
            let p = parts(run(ScanOp::ReadBatch {
                stream: stream.clone(),
            }));
            let (Data::Names(list), Data::Numbers(meta), Data::Bool(end)) = (&p[0], &p[1], &p[2])
            else {
                panic!("bad shape {p:?}")
            };
            assert_eq!(meta.len(), list.len() * 2);
            assert!(meta
                .chunks(2)
                .all(|m| m[0] == libc::DT_REG as f64 && m[1] > 0.0));
            total += list.len();
            if *end {
                break;
            }
        }
        assert_eq!(total, n);
        // Read to the end: the fd is gone, further batches fail.
        assert_eq!(
            errno(run(ScanOp::ReadBatch { stream })),
            (libc::EBADF, None)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stream_errors() {
        let dir = tempdir("stream-err");
        std::fs::write(dir.join("file"), b"").unwrap();
        let table = [
            (dir.join("nope"), libc::ENOENT),
            (dir.join("file"), libc::ENOTDIR),
        ];
        for (path, expected) in table {
            let stream = Arc::new(DirStream::new(at(&path)));
            assert_eq!(
                errno(run(ScanOp::ReadBatch { stream })),
                (expected, Some("opendir")),
                "{path:?}"
            );
        }
        // Closed before the first batch: nothing is opened.
        let stream = Arc::new(DirStream::new(at(&dir)));
        stream.close();
        assert_eq!(
            errno(run(ScanOp::ReadBatch { stream })),
            (libc::EBADF, None)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tree_dir_reads_types_and_identity() {
        let dir = tempdir("tree");
        std::fs::write(dir.join("f"), b"").unwrap();
        std::fs::create_dir(dir.join("d")).unwrap();
        std::os::unix::fs::symlink("d", dir.join("l")).unwrap();
        let p = parts(run(ScanOp::ReadTreeDir {
            at: at(&dir),
            follow: false,
            may_be_nondir: false,
            identify: true,
        }));
        let (Data::Names(list), Data::Numbers(types), Data::Numbers(id)) = (&p[0], &p[1], &p[2])
        else {
            panic!("bad shape {p:?}")
        };
        let mut got: Vec<(Vec<u8>, f64)> = list
            .names()
            .map(<[u8]>::to_vec)
            .zip(types.iter().copied())
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            got,
            vec![
                (b"d".to_vec(), libc::DT_DIR as f64),
                (b"f".to_vec(), libc::DT_REG as f64),
                (b"l".to_vec(), libc::DT_LNK as f64),
            ]
        );
        use std::os::unix::fs::MetadataExt;
        let md = std::fs::metadata(&dir).unwrap();
        let join = |hi: f64, lo: f64| ((hi as u64) << 32) | lo as u64;
        assert_eq!(
            (join(id[0], id[1]), join(id[2], id[3])),
            (md.dev(), md.ino())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tree_dir_symlinks_and_errors() {
        let dir = tempdir("tree-err");
        std::fs::write(dir.join("f"), b"").unwrap();
        std::fs::create_dir(dir.join("d")).unwrap();
        std::os::unix::fs::symlink("d", dir.join("to-dir")).unwrap();
        std::os::unix::fs::symlink("f", dir.join("to-file")).unwrap();
        std::os::unix::fs::symlink("nope", dir.join("dangling")).unwrap();
        let read = |name: &str, follow, may_be_nondir| {
            run(ScanOp::ReadTreeDir {
                at: at(&dir.join(name)),
                follow,
                may_be_nondir,
                identify: false,
            })
        };
        // Followed symlinks: a directory is read, anything else is null.
        assert_eq!(parts(read("to-dir", true, true)).len(), 2);
        for name in ["to-file", "dangling", "f", "nope"] {
            assert!(
                matches!(read(name, true, true), Ok(Value::Data(Data::Null))),
                "{name}"
            );
        }
        // Not following: a symlink where a directory was expected is an error.
        let table = [
            ("to-dir", false, libc::ELOOP),
            ("f", false, libc::ENOTDIR),
            ("nope", false, libc::ENOENT),
            ("to-file", true, libc::ENOTDIR),
        ];
        for (name, follow, expected) in table {
            let (got, _) = errno(read(name, follow, false));
            // O_NOFOLLOW|O_DIRECTORY on a symlink: ELOOP or ENOTDIR, depending on the kernel.
            if expected == libc::ELOOP {
                assert!(got == libc::ELOOP || got == libc::ENOTDIR, "{name}: {got}");
            } else {
                assert_eq!(got, expected, "{name}");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tree_dir_aborted_stops() {
        let dir = tempdir("tree-abort");
        let cell = crate::req::ReqCell::new();
        cell.cancel();
        let out = ScanOp::ReadTreeDir {
            at: at(&dir),
            follow: false,
            may_be_nondir: false,
            identify: false,
        }
        .execute(&ReqCtx { cell: &cell });
        assert_eq!(errno(out).0, libc::ECANCELED);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
