//! Streaming directory scans: batches for readdirIter, directory reads for walk.
//!
//! Both keep per-entry work small: a directory's entries travel as one
//! [`DirList`](crate::value::DirList) (all names in one buffer), and the caller builds its
//! entry objects from those in one loop.

use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex};

use crate::req::ReqCtx;
use crate::sys::cvt::Errno;
use crate::sys::path::{At, Base};
use crate::sys::{dir, file, scan, stat};
use crate::value::{Outcome, ReqError, TreeOut, TreeStep, Value};

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
    fd: Mutex<StreamFd>,
}

#[derive(Debug)]
enum StreamFd {
    Unopened,
    Open(Arc<scan::BatchDir>),
    /// Closed by its owner, or read to the end.
    Closed,
}

impl DirStream {
    pub fn new(at: At) -> DirStream {
        DirStream { at, fd: Mutex::new(StreamFd::Unopened) }
    }

    /// Releases the stream's directory (a batch being read keeps its hold until it ends);
    /// later batches fail with `EBADF`. Idempotent; never blocks on a syscall.
    pub fn close(&self) {
        *self.lock() = StreamFd::Closed;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StreamFd> {
        self.fd.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The open directory, opening it on first use. The lock is never held during the
    /// open, so that `close` on the JS thread cannot wait for a slow filesystem.
    fn dir(&self) -> Result<Arc<scan::BatchDir>, ReqError> {
        match &*self.lock() {
            StreamFd::Open(fd) => return Ok(fd.clone()),
            StreamFd::Closed => return Err(Errno(libc::EBADF).into()),
            StreamFd::Unopened => {}
        }
        let opened = scan::BatchDir::open(&self.at).map_err(|e| ReqError::os(e).with_syscall("opendir"))?;
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

/// A directory's identity, for detecting loops when a walk follows symlinks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirId {
    pub dev: u64,
    pub ino: u64,
}

impl DirId {
    /// As four numbers, `[dev_hi, dev_lo, ino_hi, ino_lo]` (32-bit halves, so that a
    /// double holds each exactly).
    pub fn to_halves(self) -> [f64; 4] {
        let hi = |n: u64| (n >> 32) as f64;
        let lo = |n: u64| (n & 0xffff_ffff) as f64;
        [hi(self.dev), lo(self.dev), hi(self.ino), lo(self.ino)]
    }

    /// The inverse of [`DirId::to_halves`], for each group of four numbers.
    pub fn from_halves(numbers: &[f64]) -> Vec<DirId> {
        let join = |hi: f64, lo: f64| ((hi as u64) << 32) | (lo as u64 & 0xffff_ffff);
        numbers.chunks_exact(4).map(|c| DirId { dev: join(c[0], c[1]), ino: join(c[2], c[3]) }).collect()
    }
}

/// Where a walk's tree read starts, and how far it goes.
#[derive(Debug)]
pub struct TreeRead {
    /// The directory to start at.
    pub at: At,
    /// Open `at` even if it is a symlink (the walk's root, or any directory when
    /// following symlinks); otherwise `O_NOFOLLOW`.
    pub follow_start: bool,
    /// `at` is a symlink being followed: if it is not a directory, or dangles, the
    /// result is empty rather than an error.
    pub start_is_link: bool,
    /// Descend into symlinks to directories, skipping any that leads back to a directory
    /// it was reached through (by `(dev, ino)`).
    pub follow_symlinks: bool,
    /// The depth of `at`'s own entries.
    pub depth: u32,
    /// Directories whose entries would be deeper than this are not read.
    pub max_depth: u32,
    /// The directories `at` was reached through, outermost first (only with
    /// `follow_symlinks`).
    pub ancestors: Vec<DirId>,
    /// Once this many entries were read, no further directory is opened: the ones still
    /// to read are returned for other requests, so that the tree is read in parallel and
    /// no request holds more than about this many entries (plus one directory's).
    pub budget: usize,
}

/// The requests of this family; see [`crate::Op`].
#[derive(Debug)]
pub enum ScanOp {
    /// The next batch of a [`DirStream`] ([`Value::DirBatch`]): at least
    /// [`BATCH_ENTRIES`] entries unless the directory ends first, `DT_*` types as the
    /// filesystem reports them. At the end the stream closes its fd.
    ReadBatch { stream: Arc<DirStream> },
    /// Part of a walk: a directory and, depth first, the directories below it, until the
    /// budget is spent (see [`TreeRead`] and [`TreeOut`] for the result).
    ReadTree(Box<TreeRead>),
}

impl ScanOp {
    pub fn execute(self, ctx: &ReqCtx<'_>) -> Outcome {
        match self {
            ScanOp::ReadBatch { stream } => read_batch(&stream),
            ScanOp::ReadTree(req) => read_tree(ctx, &req).map(|out| Value::Tree(Box::new(out))),
        }
    }
}

/// The next batch of `stream` (see [`ScanOp::ReadBatch`]); also run directly, on the
/// caller's thread, by synchronous readers (`Dir.readSync()` of io-aio/promises).
pub fn read_batch(stream: &DirStream) -> Outcome {
    let dir = stream.dir()?;
    let (list, end) = dir.read_batch(BATCH_ENTRIES).map_err(|e| ReqError::os(e).with_syscall("readdir"))?;
    if end {
        stream.close();
    }
    Ok(Value::DirBatch { list, end })
}

/// A directory still to read in [`read_tree`].
struct TreeItem {
    rel: Vec<u8>,
    depth: u32,
    link: bool,
    /// Index in the identity arena of the directory it was found in.
    parent: Option<usize>,
}

fn read_tree(ctx: &ReqCtx<'_>, req: &TreeRead) -> Result<TreeOut, ReqError> {
    let mut out = TreeOut::default();
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NONBLOCK;
    let nofollow = |follow: bool| if follow { 0 } else { libc::O_NOFOLLOW };
    let start = match file::open(&req.at, flags | nofollow(req.follow_start), 0) {
        Ok(fd) => Arc::new(fd),
        Err(Errno(libc::ENOTDIR | libc::ENOENT | libc::ELOOP)) if req.start_is_link => return Ok(out),
        Err(e) => return Err(e.into()),
    };
    // Directory identities with their parent's index: the ancestors, then every
    // directory read here. Only kept when following symlinks.
    let mut ids: Vec<(DirId, Option<usize>)> = Vec::new();
    for (i, &id) in req.ancestors.iter().enumerate() {
        ids.push((id, i.checked_sub(1)));
    }
    let mut stack =
        vec![TreeItem { rel: Vec::new(), depth: req.depth, link: false, parent: ids.len().checked_sub(1) }];
    let mut read = 0;
    while let Some(item) = stack.pop() {
        if read >= req.budget {
            stack.push(item);
            break;
        }
        if ctx.aborted() {
            return Err(Errno(libc::ECANCELED).into());
        }
        let is_start = item.rel.is_empty();
        let fd = if is_start {
            start.clone()
        } else {
            let at = At::from_bytes(Base::Dir(start.clone()), item.rel.clone())?;
            match file::open(&at, flags | nofollow(req.follow_symlinks), 0) {
                Ok(fd) => Arc::new(fd),
                Err(Errno(libc::ENOTDIR | libc::ENOENT | libc::ELOOP)) if item.link => continue,
                Err(e) => {
                    out.errors.push((item.rel, e.0, TreeStep::Read));
                    continue;
                }
            }
        };
        let mut this = None;
        if req.follow_symlinks {
            let id = match stat::fstat(fd.as_raw_fd()) {
                Ok(st) => DirId { dev: st.dev, ino: st.ino },
                Err(e) => {
                    dir_failed(&mut out, is_start, item.rel, e, TreeStep::Fstat)?;
                    continue;
                }
            };
            if is_loop(&ids, item.parent, id) {
                continue;
            }
            ids.push((id, item.parent));
            this = Some(ids.len() - 1);
        }
        let list = match dir::read_all(&fd, &|| ctx.aborted())
            .map_err(|e| (e, TreeStep::Read))
            .and_then(|l| scan::fill_unknown_types(fd.as_raw_fd(), l).map_err(|e| (e, TreeStep::Lstat)))
        {
            Ok(list) => list,
            Err((Errno(libc::ECANCELED), _)) if ctx.aborted() => return Err(Errno(libc::ECANCELED).into()),
            Err((e, step)) => {
                dir_failed(&mut out, is_start, item.rel, e, step)?;
                continue;
            }
        };
        drop(fd);
        out.dirs.push(&item.rel, 0, 0);
        out.dir_meta.push(item.depth as f64);
        out.dir_meta.push(list.len() as f64);
        read += list.len();
        let descend = item.depth < req.max_depth;
        for i in 0..list.len() {
            let (name, kind) = (list.name(i), list.types[i]);
            out.names.extend_from_slice(name);
            out.names.push(0);
            out.types.push(kind);
            let link = kind == libc::DT_LNK;
            if descend && (kind == libc::DT_DIR || (link && req.follow_symlinks)) {
                let mut rel = Vec::with_capacity(item.rel.len() + 1 + name.len());
                if !item.rel.is_empty() {
                    rel.extend_from_slice(&item.rel);
                    rel.push(b'/');
                }
                rel.extend_from_slice(name);
                stack.push(TreeItem { rel, depth: item.depth + 1, link, parent: this });
            }
        }
    }
    for item in stack {
        out.pending.push(&item.rel, 0, 0);
        out.pending_meta.push(item.depth as f64);
        out.pending_meta.push(if item.link { 1.0 } else { 0.0 });
        let chain = chain(&ids, item.parent);
        out.pending_meta.push(chain.len() as f64);
        for id in chain {
            out.pending_meta.extend_from_slice(&id.to_halves());
        }
    }
    Ok(out)
}

/// A directory could not be read: the start directory fails the request (the walk then
/// reports it with the path it knows); any other is recorded and the read goes on.
fn dir_failed(
    out: &mut TreeOut,
    is_start: bool,
    rel: Vec<u8>,
    e: Errno,
    step: TreeStep,
) -> Result<(), ReqError> {
    if !is_start {
        out.errors.push((rel, e.0, step));
        return Ok(());
    }
    let err = ReqError::os(e);
    Err(match step {
        TreeStep::Read => err,
        TreeStep::Lstat => err.with_syscall("lstat"),
        TreeStep::Fstat => err.with_syscall("fstat"),
    })
}

/// Whether `id` is one of the directories on the chain that starts at `parent`.
fn is_loop(ids: &[(DirId, Option<usize>)], mut parent: Option<usize>, id: DirId) -> bool {
    while let Some(i) = parent {
        if ids[i].0 == id {
            return true;
        }
        parent = ids[i].1;
    }
    false
}

/// The identities on the chain that ends at `last`, outermost first.
fn chain(ids: &[(DirId, Option<usize>)], mut last: Option<usize>) -> Vec<DirId> {
    let mut out = Vec::new();
    while let Some(i) = last {
        out.push(ids[i].0);
        last = ids[i].1;
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{at, TempDir};

    fn run(op: ScanOp) -> Outcome {
        crate::testutil::with_ctx(false, |ctx| op.execute(ctx))
    }

    fn batch(out: Outcome) -> (crate::value::DirList, bool) {
        match out {
            Ok(Value::DirBatch { list, end }) => (list, end),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn errno(out: Outcome) -> (i32, Option<&'static str>) {
        match out {
            Err(ReqError::Os { errno, syscall, .. }) => (errno.raw(), syscall),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn stream_reads_batches_then_closes() {
        let tmp = TempDir::new("stream");
        let dir = tmp.0.clone();
        let n = BATCH_ENTRIES * 2 + 10;
        for i in 0..n {
            std::fs::write(dir.join(format!("{i}")), b"").unwrap();
        }
        let stream = Arc::new(DirStream::new(at(&dir)));
        let mut total = 0;
        loop {
            let (list, end) = batch(run(ScanOp::ReadBatch { stream: stream.clone() }));
            assert!(list.types.iter().all(|&t| t == libc::DT_REG));
            assert!(list.inos.iter().all(|&ino| ino > 0));
            total += list.len();
            if end {
                break;
            }
        }
        assert_eq!(total, n);
        // Read to the end: the fd is gone, further batches fail.
        assert_eq!(errno(run(ScanOp::ReadBatch { stream })), (libc::EBADF, None));
    }

    #[test]
    fn stream_errors() {
        let tmp = TempDir::new("stream-err");
        let dir = tmp.0.clone();
        std::fs::write(dir.join("file"), b"").unwrap();
        let table = [(dir.join("nope"), libc::ENOENT), (dir.join("file"), libc::ENOTDIR)];
        for (path, expected) in table {
            let stream = Arc::new(DirStream::new(at(&path)));
            assert_eq!(errno(run(ScanOp::ReadBatch { stream })), (expected, Some("opendir")), "{path:?}");
        }
        // Closed before the first batch: nothing is opened.
        let stream = Arc::new(DirStream::new(at(&dir)));
        stream.close();
        assert_eq!(errno(run(ScanOp::ReadBatch { stream })), (libc::EBADF, None));
    }

    fn tree(at: At) -> TreeRead {
        TreeRead {
            at,
            follow_start: true,
            start_is_link: false,
            follow_symlinks: false,
            depth: 0,
            max_depth: u32::MAX,
            ancestors: Vec::new(),
            budget: usize::MAX,
        }
    }

    fn read(req: TreeRead) -> Result<TreeOut, ReqError> {
        crate::testutil::with_ctx(false, |ctx| read_tree(ctx, &req))
    }

    /// A directory read: its path, the depth of its entries, its sorted `(name, type)`s.
    type Listed = (String, u32, Vec<(String, u8)>);

    fn listing(out: &TreeOut) -> Vec<Listed> {
        let mut at = 0;
        let mut dirs = Vec::new();
        let names: Vec<&[u8]> = out.names.split(|&b| b == 0).collect();
        assert_eq!(names.len(), out.types.len() + 1, "each name ends with a NUL");
        for (i, dir) in out.dirs.names().enumerate() {
            let (depth, n) = (out.dir_meta[2 * i] as u32, out.dir_meta[2 * i + 1] as usize);
            let mut entries: Vec<(String, u8)> = (at..at + n)
                .map(|j| {
                    let name = String::from_utf8(names[j].to_vec()).unwrap();
                    (name, out.types[j])
                })
                .collect();
            entries.sort();
            at += n;
            dirs.push((String::from_utf8(dir.to_vec()).unwrap(), depth, entries));
        }
        dirs.sort();
        dirs
    }

    fn pending(out: &TreeOut) -> Vec<(String, u32, bool, Vec<DirId>)> {
        let (mut v, mut at) = (Vec::new(), 0);
        for p in out.pending.names() {
            let m = &out.pending_meta[at..];
            let n = m[2] as usize;
            let ids = DirId::from_halves(&m[3..3 + 4 * n]);
            v.push((String::from_utf8(p.to_vec()).unwrap(), m[0] as u32, m[1] == 1.0, ids));
            at += 3 + 4 * n;
        }
        assert_eq!(at, out.pending_meta.len());
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// d/{f, l -> sub, sub/{g, deep/{h}}}
    fn sample(tag: &str) -> TempDir {
        let tmp = TempDir::new(tag);
        let dir = &tmp.0;
        std::fs::write(dir.join("f"), b"").unwrap();
        std::fs::create_dir_all(dir.join("sub/deep")).unwrap();
        std::fs::write(dir.join("sub/g"), b"").unwrap();
        std::fs::write(dir.join("sub/deep/h"), b"").unwrap();
        std::os::unix::fs::symlink("sub", dir.join("l")).unwrap();
        tmp
    }

    fn id_of(p: &std::path::Path) -> DirId {
        use std::os::unix::fs::MetadataExt;
        let md = std::fs::metadata(p).unwrap();
        DirId { dev: md.dev(), ino: md.ino() }
    }

    const REG: u8 = libc::DT_REG;
    const DIR: u8 = libc::DT_DIR;
    const LNK: u8 = libc::DT_LNK;

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn tree_reads_the_whole_tree_within_budget() {
        let tmp = sample("tree");
        let dir = tmp.0.clone();
        let out = read(tree(at(&dir))).unwrap();
        assert_eq!(
            listing(&out),
            vec![
                (s(""), 0, vec![(s("f"), REG), (s("l"), LNK), (s("sub"), DIR)]),
                (s("sub"), 1, vec![(s("deep"), DIR), (s("g"), REG)]),
                (s("sub/deep"), 2, vec![(s("h"), REG)]),
            ]
        );
        assert!(out.pending.is_empty() && out.errors.is_empty());
    }

    #[test]
    fn tree_budget_and_depth_leave_directories_pending() {
        let tmp = sample("budget");
        let dir = tmp.0.clone();
        // (budget, depth, max_depth, directories read, pending with their depth below the start)
        type Case = (usize, u32, u32, Vec<&'static str>, Vec<(String, u32)>);
        let table: [Case; 4] = [
            // The start is always read; a spent budget returns its subdirectories.
            (1, 0, u32::MAX, vec![""], vec![(s("sub"), 1)]),
            (4, 0, u32::MAX, vec!["", "sub"], vec![(s("sub/deep"), 2)]),
            // Directories beyond max_depth are neither read nor returned.
            (usize::MAX, 0, 0, vec![""], vec![]),
            (usize::MAX, 3, 4, vec!["", "sub"], vec![]),
        ];
        for (budget, depth, max_depth, dirs, pend) in table {
            let out = read(TreeRead { budget, depth, max_depth, ..tree(at(&dir)) }).unwrap();
            let got: Vec<String> = listing(&out).into_iter().map(|d| d.0).collect();
            assert_eq!(got, dirs, "budget {budget}, max_depth {max_depth}");
            let got: Vec<(String, u32)> = pending(&out).into_iter().map(|p| (p.0, p.1 - depth)).collect();
            assert_eq!(got, pend, "budget {budget}");
        }
    }

    #[test]
    fn tree_follows_symlinks_without_looping() {
        let tmp = sample("follow");
        let dir = tmp.0.clone();
        std::os::unix::fs::symlink("..", dir.join("sub/up")).unwrap();
        std::os::unix::fs::symlink("f", dir.join("to-file")).unwrap();
        std::os::unix::fs::symlink("nope", dir.join("dangling")).unwrap();
        let out = read(TreeRead { follow_symlinks: true, ..tree(at(&dir)) }).unwrap();
        let dirs: Vec<String> = listing(&out).into_iter().map(|d| d.0).collect();
        // `l` is read like `sub`; `up` (back to the start) and the non-directories are not.
        assert_eq!(dirs, vec!["", "l", "l/deep", "sub", "sub/deep"]);
        assert!(out.errors.is_empty());

        // Pending directories carry their ancestors' identities, and a later request
        // given them still detects the loop.
        let out = read(TreeRead { follow_symlinks: true, budget: 1, ..tree(at(&dir)) }).unwrap();
        let pend = pending(&out);
        let root = id_of(&dir);
        // Every symlink may lead to a directory: that is only known when it is opened.
        assert_eq!(
            pend,
            vec![
                (s("dangling"), 1, true, vec![root]),
                (s("l"), 1, true, vec![root]),
                (s("sub"), 1, false, vec![root]),
                (s("to-file"), 1, true, vec![root]),
            ]
        );
        let out = read(TreeRead {
            follow_symlinks: true,
            depth: 1,
            ancestors: vec![root],
            ..tree(at(&dir.join("sub")))
        })
        .unwrap();
        let dirs: Vec<String> = listing(&out).into_iter().map(|d| d.0).collect();
        assert_eq!(dirs, vec!["", "deep"], "up leads back to an ancestor");
    }

    #[test]
    fn tree_start_errors() {
        let tmp = sample("start");
        let dir = tmp.0.clone();
        std::os::unix::fs::symlink("nope", dir.join("dangling")).unwrap();
        let err = |p: &str, follow_start, start_is_link| {
            read(TreeRead { follow_start, start_is_link, ..tree(at(&dir.join(p))) })
        };
        // A followed symlink that is not a directory is simply empty.
        for p in ["f", "dangling", "nope"] {
            let out = err(p, true, true).unwrap();
            assert!(out.dirs.is_empty() && out.errors.is_empty(), "{p}");
        }
        let table =
            [("f", true, libc::ENOTDIR), ("nope", true, libc::ENOENT), ("dangling", true, libc::ENOENT)];
        for (p, follow, errno) in table {
            assert!(
                matches!(err(p, follow, false), Err(ReqError::Os { errno: e, syscall: None, .. }) if e.0 == errno),
                "{p}"
            );
        }
        // O_NOFOLLOW on a symlink: ELOOP or ENOTDIR, depending on the kernel.
        match err("l", false, false) {
            Err(ReqError::Os { errno, .. }) => {
                assert!(errno.0 == libc::ELOOP || errno.0 == libc::ENOTDIR)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tree_errors_below_the_start_are_recorded() {
        let mut out = TreeOut::default();
        assert!(dir_failed(&mut out, false, b"a/b".to_vec(), Errno(libc::EACCES), TreeStep::Read).is_ok());
        assert_eq!(out.errors, vec![(b"a/b".to_vec(), libc::EACCES, TreeStep::Read)]);
        let table =
            [(TreeStep::Read, None), (TreeStep::Lstat, Some("lstat")), (TreeStep::Fstat, Some("fstat"))];
        for (step, name) in table {
            match dir_failed(&mut out, true, Vec::new(), Errno(libc::EIO), step) {
                Err(ReqError::Os { errno, syscall, .. }) => {
                    assert_eq!((errno.0, syscall), (libc::EIO, name))
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn tree_aborted_stops() {
        let tmp = sample("abort");
        let dir = tmp.0.clone();
        let out = crate::testutil::with_ctx(true, |ctx| read_tree(ctx, &tree(at(&dir))));
        assert!(matches!(out, Err(ReqError::Os { errno, .. }) if errno.0 == libc::ECANCELED));
    }

    #[test]
    fn dir_ids_survive_doubles() {
        let ids = [
            DirId { dev: 0, ino: 0 },
            DirId { dev: 259 << 20 | 3, ino: (1 << 60) + 12345 },
            DirId { dev: u64::MAX, ino: u64::MAX },
        ];
        let halves: Vec<f64> = ids.iter().flat_map(|id| id.to_halves()).collect();
        assert_eq!(DirId::from_halves(&halves), ids);
    }
}
