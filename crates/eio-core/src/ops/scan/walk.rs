//! walk's native half: a tree's frontier (directories found and not yet read) and the pool
//! requests that read it. Each request takes a directory from the frontier and reads it and
//! those below it depth first (so that the frontier stays small) until it has read a
//! budget of entries, and hands back one [`TreeBatch`]; the subdirectories it did not get
//! to join the frontier when the caller has that batch (see [`Walk::read`]), and the other
//! requests in flight take them from there. The caller decides how many requests are in
//! flight and when to stop asking (while its consumer is slow).
//!
//! # Directory fds
//!
//! A directory is opened relative to its parent's fd, never by a path from the root, so
//! that a tree of any depth is read whole. A directory's fd stays open while entries of it
//! wait in the frontier (its [`FdUse`]s); the last one released closes it. At most
//! `max_open` such fds are kept per walk: past that, a directory's fd is closed as soon as
//! it was read, and reopened when a child of it is opened: through `..` of the directory
//! this request read last when that is a few levels below (as GNU fts climbs back), else
//! name by name from the nearest ancestor whose fd is open, checked in both cases to be
//! the same directory (device and inode) as when it was read.
//!
//! # Symlinks
//!
//! Without `follow_symlinks`, directories are opened `O_NOFOLLOW` and symlinks are
//! entries like any other. With it, a symlink entry is reported with its target's type
//! (and status), and descended if that is a directory, unless the directory is the one it
//! is in or one of its ancestors (a loop): then it stays a `DT_LNK` and is not entered. A
//! dangling symlink stays a `DT_LNK`.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::req::ReqCtx;
use crate::sys::cvt::{Errno, SysResult};
use crate::sys::dir::DirReader;
use crate::sys::path::At;
use crate::sys::scan::{self, dt_from_mode, with_cstr, DT_UNKNOWN};
use crate::sys::{file, stat};
use crate::value::{DirList, FileStat, ReqError, TreeBatch, TreeDir, TreeError};

/// Flags every directory of a walk is opened with (plus `O_NOFOLLOW` unless following).
const DIR_FLAGS: i32 = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NONBLOCK;

/// Directory fds a walk keeps open for entries still to be opened, at most (beyond them,
/// the fds that a running request holds while it reads).
pub const MAX_OPEN: usize = 16;

/// Levels a request climbs through `..` to reopen a directory, at most; farther, it goes
/// down from an open ancestor instead.
const MAX_CLIMB: usize = 32;

/// What a walk reads and reports.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Report symlinks as their targets and descend into those that are directories.
    pub follow_symlinks: bool,
    /// Directories whose entries would be deeper than this are not read (0: the root's
    /// entries only).
    pub max_depth: u32,
    /// Give every entry's status (`lstat`, or with `follow_symlinks` the target's).
    pub stat: bool,
    /// Directories with one of these names are reported but not read.
    pub exclude: Vec<Vec<u8>>,
    /// Hold the subdirectories found until the caller's verdict on each ([`Walk::admit`]).
    pub hold: bool,
    /// Directory fds kept open at most (see the module's doc): [`MAX_OPEN`].
    pub max_open: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            follow_symlinks: false,
            max_depth: u32::MAX,
            stat: false,
            exclude: Vec::new(),
            hold: false,
            max_open: MAX_OPEN,
        }
    }
}

/// A directory's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirId {
    pub dev: u64,
    pub ino: u64,
}

impl DirId {
    fn of(st: &FileStat) -> DirId {
        DirId { dev: st.dev, ino: st.ino }
    }

    fn of_fd(fd: RawFd) -> SysResult<DirId> {
        stat::fstat(fd).map(|st| DirId::of(&st))
    }
}

/// A walk: its root, options and frontier, shared by the requests that read it and by
/// its owner (cheap to clone).
#[derive(Debug, Clone)]
pub struct Walk(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    root: At,
    opts: WalkOptions,
    frontier: Mutex<Frontier>,
    /// Directory fds kept in [`Node`]s now.
    open: Arc<AtomicUsize>,
}

#[derive(Debug, Default)]
struct Frontier {
    /// What is left to read, the last pushed read first.
    todo: Vec<Todo>,
    /// Subdirectories waiting for the caller's verdict, by hold number.
    held: Vec<(u64, Vec<Todo>)>,
    last_hold: u64,
    /// Closed by its owner: nothing more is read, and what is pushed is dropped.
    closed: bool,
}

/// Something left to read.
#[derive(Debug)]
enum Todo {
    /// The root, not opened yet.
    Root,
    /// A subdirectory found and not opened yet.
    Dir {
        /// The directory it is in.
        parent: FdUse,
        name: Box<[u8]>,
        /// Reached through a symlink (`follow_symlinks`).
        link: bool,
    },
    /// A directory read in part: the rest of it (`fd` is kept for its entries even if its
    /// node closed its own to stay within the bound).
    Rest {
        reading: FdUse,
        fd: Arc<OwnedFd>,
        reader: DirReader,
        /// The directory was found by the request that read this part, so its own entry
        /// is in that request's batch: the rest is held with that batch's subdirectories
        /// (see [`Walk::read`]).
        found_here: bool,
    },
}

/// A directory read (or being read), for the directories below it.
#[derive(Debug)]
struct Node {
    parent: Option<Arc<Node>>,
    /// Its name in the parent (empty for the root).
    name: Box<[u8]>,
    /// The depth of its entries (0: the root's).
    depth: u32,
    /// Opened through a symlink: reopened by name without `O_NOFOLLOW`.
    link: bool,
    /// Its identity: known for every directory when following symlinks (loops), else
    /// taken when its fd is closed early (to check a reopened one).
    id: OnceLock<DirId>,
    fd: Mutex<Option<KeptFd>>,
    /// Uses of `fd` still to come: one while the directory is being read, one per entry
    /// waiting to be opened. The fd closes when the last one goes.
    waiting: AtomicUsize,
}

impl Drop for Node {
    /// Drops the ancestors this was the last hold on one by one: dropping them recursively
    /// would overflow the stack of a tree thousands of levels deep.
    fn drop(&mut self) {
        let mut parent = self.parent.take();
        while let Some(mut node) = parent.and_then(Arc::into_inner) {
            parent = node.parent.take();
        }
    }
}

/// A directory fd kept in its [`Node`], counted in the walk's `open`.
#[derive(Debug)]
struct KeptFd {
    fd: Arc<OwnedFd>,
    open: Arc<AtomicUsize>,
}

impl KeptFd {
    fn new(fd: Arc<OwnedFd>, open: &Arc<AtomicUsize>) -> KeptFd {
        open.fetch_add(1, Ordering::Relaxed);
        KeptFd { fd, open: open.clone() }
    }
}

impl Drop for KeptFd {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Node {
    fn fd(&self) -> Option<Arc<OwnedFd>> {
        self.fd.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|k| k.fd.clone())
    }

    fn set_fd(&self, fd: Option<KeptFd>) -> Option<KeptFd> {
        std::mem::replace(&mut *self.fd.lock().unwrap_or_else(|e| e.into_inner()), fd)
    }

    /// Its path below the root, from the names of its ancestors.
    fn path(&self) -> Vec<u8> {
        let mut names = Vec::new();
        let mut at = Some(self);
        while let Some(n) = at {
            if n.parent.is_some() {
                names.push(&*n.name);
            }
            at = n.parent.as_deref();
        }
        let mut out = Vec::with_capacity(names.iter().map(|n| n.len() + 1).sum());
        for name in names.iter().rev() {
            if !out.is_empty() {
                out.push(b'/');
            }
            out.extend_from_slice(name);
        }
        out
    }

    /// Whether `id` is this directory or one of its ancestors.
    fn leads_back(&self, id: DirId) -> bool {
        let mut at = Some(self);
        while let Some(n) = at {
            if n.id.get() == Some(&id) {
                return true;
            }
            at = n.parent.as_deref();
        }
        false
    }
}

/// One use to come of a directory's fd (see [`Node::waiting`]); dropping it releases it.
#[derive(Debug)]
struct FdUse(Arc<Node>);

impl FdUse {
    fn new(node: &Arc<Node>) -> FdUse {
        node.waiting.fetch_add(1, Ordering::AcqRel);
        FdUse(node.clone())
    }
}

impl Drop for FdUse {
    fn drop(&mut self) {
        if self.0.waiting.fetch_sub(1, Ordering::AcqRel) == 1 {
            drop(self.0.set_fd(None));
        }
    }
}

/// A request's view of one entry once its type is settled.
enum Resolved {
    /// Gone since the directory was read: left out.
    Gone,
    /// Its status could not be had: reported, left out.
    Failed(Errno, &'static str),
    Entry {
        kind: u8,
        stat: Option<FileStat>,
        link: bool,
    },
}

impl Walk {
    /// A walk of the directory `root` (a symlink as the root is followed); nothing is
    /// opened until the first read.
    pub fn new(root: At, opts: WalkOptions) -> Walk {
        let frontier = Frontier { todo: vec![Todo::Root], ..Frontier::default() };
        Walk(Arc::new(Shared { root, opts, frontier: Mutex::new(frontier), open: Arc::default() }))
    }

    fn frontier(&self) -> std::sync::MutexGuard<'_, Frontier> {
        self.0.frontier.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Directories (or parts of directories) left to read, not counting held ones.
    pub fn pending(&self) -> usize {
        self.frontier().todo.len()
    }

    /// Directory fds the walk keeps open now (beyond those of reads running).
    pub fn open_fds(&self) -> usize {
        self.0.open.load(Ordering::Relaxed)
    }

    /// The caller's verdicts on the subdirectories a batch held (in the order of its
    /// `held`): true reads it, false leaves it unread; `None` reads them all. The rests of
    /// directories the batch held are always read. Returns [`Walk::pending`]. An unknown
    /// hold (answered already, or the walk closed) is ignored.
    pub fn admit(&self, hold: u64, verdicts: Option<&[bool]>) -> usize {
        let mut f = self.frontier();
        let Some(at) = f.held.iter().position(|(h, _)| *h == hold) else {
            return f.todo.len();
        };
        let (_, held) = f.held.swap_remove(at);
        let admitted: Vec<Todo> = match verdicts {
            None => held,
            Some(verdicts) => {
                let mut verdicts = verdicts.iter();
                held.into_iter()
                    .filter(|t| matches!(t, Todo::Rest { .. }) || verdicts.next() == Some(&true))
                    .collect()
            }
        };
        // Pushed in reverse so that they are read in the order found.
        f.todo.extend(admitted.into_iter().rev());
        f.todo.len()
    }

    /// Ends the walk: what is left is dropped (closing its fds) and later reads return
    /// empty batches. Reads running finish their directory and drop what they found.
    pub fn close(&self) {
        let (todo, held) = {
            let mut f = self.frontier();
            f.closed = true;
            (std::mem::take(&mut f.todo), std::mem::take(&mut f.held))
        };
        // Dropped outside the lock: closing fds may take a while on a network filesystem.
        drop((todo, held));
    }

    fn pop(&self) -> Option<Todo> {
        self.frontier().todo.pop()
    }

    /// Adds `rests` (parts of directories left to read), unless the walk is closed.
    fn push(&self, rests: Vec<Todo>) {
        let mut f = self.frontier();
        if f.closed {
            drop(f);
            drop(rests);
            return;
        }
        f.todo.extend(rests);
    }

    fn hold(&self, found: Vec<Todo>) -> u64 {
        let mut f = self.frontier();
        if f.closed {
            return 0;
        }
        f.last_hold += 1;
        let hold = f.last_hold;
        f.held.push((hold, found));
        hold
    }

    /// One request's work: a directory from the frontier and, depth first, those found in
    /// it, then more from the frontier, until `budget` entries were read (or nothing is
    /// left). Errors below the root are reported in the batch; the root failing fails the
    /// request.
    ///
    /// The subdirectories found and not read by this request are held (`hold`) until the
    /// caller has the batch that lists them and admits them ([`Walk::admit`]): another
    /// request reading one of them sooner could deliver its entries before the entry of
    /// the directory itself. The rest of a directory it found and read only in part is held
    /// with them, for the same reason. So a directory always comes before what is in it.
    /// The rest of a directory taken from the frontier (whose entry the caller has) joins
    /// the frontier at once, for the next request to go on with while this batch is
    /// consumed.
    pub fn read(&self, ctx: &ReqCtx<'_>, budget: usize) -> Result<TreeBatch, ReqError> {
        let mut r = Reader {
            walk: self,
            opts: &self.0.opts,
            ctx,
            batch: TreeBatch::default(),
            last: None,
            stack: Vec::new(),
            held: Vec::new(),
        };
        while r.batch.entries.len() < budget {
            if ctx.aborted() {
                return Err(Errno(libc::ECANCELED).into());
            }
            // What this request found itself is on its stack; the frontier has what the
            // caller has seen listed.
            let (todo, here) = match r.stack.pop() {
                Some(todo) => (todo, true),
                None => match self.pop() {
                    Some(todo) => (todo, false),
                    None => break,
                },
            };
            match todo {
                Todo::Root => r.read_root(budget)?,
                Todo::Dir { parent, name, link } => r.read_child(parent, name, link, here, budget)?,
                Todo::Rest { reading, fd, reader, found_here } => {
                    r.read_dir(reading, fd, reader, here && found_here, budget)?
                }
            }
        }
        let (rests, mut held): (Vec<Todo>, Vec<Todo>) = std::mem::take(&mut r.stack)
            .into_iter()
            .partition(|t| matches!(t, Todo::Rest { found_here: false, .. }));
        self.push(rests);
        // Left on the stack: the last found on top; held in the order found (a rest after
        // the subdirectories found in its part, which are read first).
        held.reverse();
        r.held.extend(held);
        if !r.held.is_empty() {
            let held = std::mem::take(&mut r.held);
            r.batch.hold = self.hold(held);
        }
        Ok(r.batch)
    }
}

/// One request reading a walk.
struct Reader<'a> {
    walk: &'a Walk,
    opts: &'a WalkOptions,
    ctx: &'a ReqCtx<'a>,
    batch: TreeBatch,
    /// The directory this request read last, with its fd: its children are opened with it
    /// even when its node no longer keeps it, and reopening climbs from it.
    last: Option<(Arc<Node>, Arc<OwnedFd>)>,
    /// What this request reads next, depth first: subdirectories found (and parts of
    /// large directories), the last found on top.
    stack: Vec<Todo>,
    /// Subdirectories found and not read here (and the rests of those read in part), for
    /// the caller to admit (see [`Walk::read`]); with `hold`, every subdirectory found,
    /// for the caller's verdict.
    held: Vec<Todo>,
}

impl Reader<'_> {
    fn error(&mut self, path: Vec<u8>, errno: Errno, syscall: &'static str) {
        self.batch.errors.push(TreeError { path, errno, syscall });
    }

    fn read_root(&mut self, budget: usize) -> Result<(), ReqError> {
        let fd = Arc::new(file::open(&self.walk.0.root, DIR_FLAGS, 0)?);
        // Always known, to check the root when it is reopened.
        let id = DirId::of_fd(fd.as_raw_fd()).map_err(|e| ReqError::os(e).with_syscall("fstat"))?;
        let node = self.node(None, Box::default(), 0, true, &fd);
        let _ = node.id.set(id);
        let reader = DirReader::new(&fd)?;
        self.read_dir(FdUse(node), fd, reader, false, budget)
    }

    /// A new node for a directory just opened on `fd`, with one use: its reading.
    fn node(
        &self,
        parent: Option<Arc<Node>>,
        name: Box<[u8]>,
        depth: u32,
        link: bool,
        fd: &Arc<OwnedFd>,
    ) -> Arc<Node> {
        Arc::new(Node {
            parent,
            name,
            depth,
            link,
            id: OnceLock::new(),
            fd: Mutex::new(Some(KeptFd::new(fd.clone(), &self.walk.0.open))),
            waiting: AtomicUsize::new(1),
        })
    }

    /// Opens and reads the subdirectory `name` of `parent`'s directory; `found_here`: its
    /// entry is in this request's batch.
    fn read_child(
        &mut self,
        parent: FdUse,
        name: Box<[u8]>,
        link: bool,
        found_here: bool,
        budget: usize,
    ) -> Result<(), ReqError> {
        let dir = parent.0.clone();
        let child_path = || {
            let mut p = dir.path();
            if !p.is_empty() {
                p.push(b'/');
            }
            p.extend_from_slice(&name);
            p
        };
        let parent_fd = match self.dir_fd(&dir) {
            Ok(fd) => fd,
            Err(e) => {
                let path = child_path();
                self.error(path, e, "scandir");
                return Ok(());
            }
        };
        let nofollow = if self.opts.follow_symlinks { 0 } else { libc::O_NOFOLLOW };
        let opened = with_cstr(&name, |c| file::open_c(parent_fd.as_raw_fd(), c, DIR_FLAGS | nofollow, 0));
        drop(parent);
        let fd = match opened {
            Ok(fd) => Arc::new(fd),
            // A symlink's target gone or changed since it was looked at: nothing to read.
            Err(Errno(libc::ENOENT | libc::ENOTDIR | libc::ELOOP)) if link => return Ok(()),
            Err(e) => {
                let path = child_path();
                self.error(path, e, "scandir");
                return Ok(());
            }
        };
        let node = self.node(Some(dir.clone()), name, dir.depth + 1, link, &fd);
        if self.opts.follow_symlinks {
            let id = match DirId::of_fd(fd.as_raw_fd()) {
                Ok(id) => id,
                Err(e) => {
                    self.error(node.path(), e, "fstat");
                    return Ok(());
                }
            };
            // A directory that is its own ancestor (a bind mount, a symlink changed since
            // it was looked at) was reported already; it is not read again.
            if dir.leads_back(id) {
                return Ok(());
            }
            let _ = node.id.set(id);
        }
        let reader = DirReader::new(&fd)?;
        self.read_dir(FdUse(node), fd, reader, found_here, budget)
    }

    /// Reads (more of) the directory of `reading` into the batch; `found_here`: its entry
    /// is in this request's batch.
    fn read_dir(
        &mut self,
        reading: FdUse,
        fd: Arc<OwnedFd>,
        mut reader: DirReader,
        found_here: bool,
        budget: usize,
    ) -> Result<(), ReqError> {
        let node = reading.0.clone();
        let room = budget.saturating_sub(self.batch.entries.len()).max(1);
        let mut list = DirList::default();
        let ctx = self.ctx;
        let ended = match reader.read(&mut list, room, &|| ctx.aborted()) {
            Ok(ended) => ended,
            Err(Errno(libc::ECANCELED)) if ctx.aborted() => return Err(Errno(libc::ECANCELED).into()),
            Err(e) if node.parent.is_none() => return Err(e.into()),
            Err(e) => {
                self.error(node.path(), e, "scandir");
                return Ok(());
            }
        };
        let path = node.path();
        let first = self.batch.entries.len();
        let mut found = Vec::new();
        let descend = node.depth < self.opts.max_depth;
        for i in 0..list.len() {
            let name = list.name(i);
            match self.resolve(fd.as_raw_fd(), &node, name, list.types[i]) {
                Resolved::Gone => {}
                Resolved::Failed(e, syscall) => {
                    let mut p = path.clone();
                    if !p.is_empty() {
                        p.push(b'/');
                    }
                    p.extend_from_slice(name);
                    self.error(p, e, syscall);
                }
                Resolved::Entry { kind, stat, link } => {
                    if descend
                        && kind == libc::DT_DIR
                        && !self.opts.exclude.iter().any(|x| x.as_slice() == name)
                    {
                        if self.opts.hold {
                            self.batch.held.push(self.batch.entries.len() as u32);
                        }
                        found.push(Todo::Dir { parent: FdUse::new(&node), name: name.into(), link });
                    }
                    self.batch.entries.push(name, kind, list.inos[i]);
                    self.batch.stats.extend(stat);
                }
            }
        }
        let entries = (self.batch.entries.len() - first) as u32;
        if entries > 0 {
            self.batch.dirs.push(TreeDir { path, depth: node.depth, entries });
        }
        // The rest of a large directory waits under the subdirectories found in this part,
        // which are read first: the frontier then never holds more than a part's worth of
        // one directory's subdirectories.
        let rest = (!ended).then(|| Todo::Rest { reading, fd: fd.clone(), reader, found_here });
        self.stack.extend(rest);
        if self.opts.hold {
            self.held.extend(found);
        } else {
            // Reversed, so that they are read in the order found.
            self.stack.extend(found.into_iter().rev());
        }
        self.keep_within_bound(&node);
        self.last = Some((node, fd));
        Ok(())
    }

    /// Settles an entry's type (and status, when asked for), as the options say.
    fn resolve(&self, dirfd: RawFd, dir: &Node, name: &[u8], reported: u8) -> Resolved {
        let follow = self.opts.follow_symlinks;
        let (mut kind, mut stat) = (reported, None);
        if (self.opts.stat && !(follow && kind == libc::DT_LNK)) || kind == DT_UNKNOWN {
            match scan::stat_entry(dirfd, name, false) {
                Ok(st) => {
                    kind = dt_from_mode(st.mode);
                    stat = self.opts.stat.then_some(st);
                }
                Err(Errno(libc::ENOENT)) => return Resolved::Gone,
                Err(e) => return Resolved::Failed(e, "lstat"),
            }
        }
        if kind != libc::DT_LNK || !follow {
            return Resolved::Entry { kind, stat, link: false };
        }
        if let Ok(target) = scan::stat_entry(dirfd, name, true) {
            let target_kind = dt_from_mode(target.mode);
            // A link to the directory it is in, or to an ancestor, is a loop: not followed.
            if target_kind != libc::DT_DIR || !dir.leads_back(DirId::of(&target)) {
                return Resolved::Entry {
                    kind: target_kind,
                    stat: self.opts.stat.then_some(target),
                    link: true,
                };
            }
        }
        // Dangling (or unfollowable: ELOOP, EACCES...), or a loop: it stays a link, with its
        // own status, taken after following it (which may have touched its access time).
        if self.opts.stat {
            match scan::stat_entry(dirfd, name, false) {
                Ok(st) => stat = Some(st),
                Err(Errno(libc::ENOENT)) => return Resolved::Gone,
                Err(e) => return Resolved::Failed(e, "lstat"),
            }
        }
        Resolved::Entry { kind: libc::DT_LNK, stat, link: false }
    }

    /// Closes `node`'s fd now if the walk keeps too many open (its children then reopen
    /// it), after taking its identity to check the reopened one against.
    fn keep_within_bound(&self, node: &Arc<Node>) {
        if self.walk.0.open.load(Ordering::Relaxed) <= self.opts.max_open {
            return;
        }
        let Some(fd) = node.fd() else { return };
        if node.id.get().is_none() {
            match DirId::of_fd(fd.as_raw_fd()) {
                Ok(id) => {
                    let _ = node.id.set(id);
                }
                // Without an identity a reopened fd could not be checked: keep this one.
                Err(_) => return,
            }
        }
        drop(node.set_fd(None));
    }

    /// The fd of the directory this request read last, if that is `node`.
    fn last_fd(&self, node: &Arc<Node>) -> Option<Arc<OwnedFd>> {
        match &self.last {
            Some((last, fd)) if Arc::ptr_eq(last, node) => Some(fd.clone()),
            _ => None,
        }
    }

    /// An fd of the directory `node` (which has entries waiting, so it has an identity if
    /// its fd was closed): its own, or a reopened one.
    fn dir_fd(&mut self, node: &Arc<Node>) -> SysResult<Arc<OwnedFd>> {
        if let Some(fd) = node.fd().or_else(|| self.last_fd(node)) {
            return Ok(fd);
        }
        let fd = match self.climb_to(node) {
            Some(fd) => fd,
            None => self.descend_to(node)?,
        };
        if self.walk.0.open.load(Ordering::Relaxed) < self.opts.max_open {
            let kept = KeptFd::new(fd.clone(), &self.walk.0.open);
            // Another request may have reopened it meanwhile: either fd will do.
            drop(node.set_fd(Some(kept)));
        }
        Ok(fd)
    }

    /// Reopens `node` through `..` of the directory read last, if `node` is a few levels
    /// above it and turns out to be the same directory.
    fn climb_to(&self, node: &Arc<Node>) -> Option<Arc<OwnedFd>> {
        let (last, last_fd) = self.last.as_ref()?;
        let want = *node.id.get()?;
        let mut steps = 0;
        let mut at = last.parent.as_ref();
        while let Some(n) = at {
            steps += 1;
            if Arc::ptr_eq(n, node) {
                break;
            }
            if steps == MAX_CLIMB {
                return None;
            }
            at = n.parent.as_ref();
        }
        at?;
        let mut fd = last_fd.clone();
        for _ in 0..steps {
            fd = Arc::new(file::open_c(fd.as_raw_fd(), c"..", DIR_FLAGS, 0).ok()?);
        }
        (DirId::of_fd(fd.as_raw_fd()).ok()? == want).then_some(fd)
    }

    /// Reopens `node` name by name from its nearest ancestor whose fd is open (or from the
    /// root's path), and checks that it is the same directory.
    fn descend_to(&self, node: &Arc<Node>) -> SysResult<Arc<OwnedFd>> {
        let mut below = Vec::new();
        let mut at = node.clone();
        let mut fd = loop {
            if let Some(fd) = at.fd() {
                break fd;
            }
            match at.parent.clone() {
                Some(parent) => {
                    below.push(at);
                    at = parent;
                }
                None => {
                    let fd = file::open(&self.walk.0.root, DIR_FLAGS, 0)?;
                    if Some(&DirId::of_fd(fd.as_raw_fd())?) != at.id.get() {
                        return Err(Errno(libc::ENOENT));
                    }
                    break Arc::new(fd);
                }
            }
        };
        for n in below.iter().rev() {
            let nofollow = if n.link { 0 } else { libc::O_NOFOLLOW };
            fd = Arc::new(with_cstr(&n.name, |c| file::open_c(fd.as_raw_fd(), c, DIR_FLAGS | nofollow, 0))?);
        }
        match node.id.get() {
            Some(id) if *id != DirId::of_fd(fd.as_raw_fd())? => Err(Errno(libc::ENOENT)),
            _ => Ok(fd),
        }
    }
}
