//! Reading directories into a compact [`DirList`]: with `getdents64(2)` on Linux, with
//! `fdopendir(3)`/`readdir(3)` elsewhere (and with `--cfg eio_portable`).

#[cfg(eio_linux)]
use std::{cell::RefCell, os::fd::RawFd};
#[cfg(not(eio_linux))]
use std::{ffi::CStr, os::fd::IntoRawFd, ptr::NonNull};

#[cfg(eio_linux)]
use std::os::fd::AsRawFd;
use std::os::fd::OwnedFd;

#[cfg(eio_linux)]
use super::cvt::cvt;
use super::cvt::SysResult;
#[cfg(not(eio_linux))]
use super::cvt::{cvt_ptr, Errno};
use super::file;
use super::path::At;
use crate::value::DirList;

/// Bytes asked of each `getdents64` call: large enough that a directory of a few thousand
/// entries takes one or two calls.
#[cfg(eio_linux)]
const DENTS_BUF: usize = 64 * 1024;

#[cfg(eio_linux)]
thread_local! {
    static BUF: RefCell<Vec<u8>> = RefCell::new(vec![0; DENTS_BUF]);
}

/// The call [`read_all`] makes, for naming it in errors.
#[cfg(eio_linux)]
pub const READ_CALL: &str = "getdents64";
/// The call [`read_all`] makes, for naming it in errors.
#[cfg(not(eio_linux))]
pub const READ_CALL: &str = "readdir";

/// Opens `at` as a directory for reading.
pub fn open_dir(at: &At) -> SysResult<OwnedFd> {
    file::open(at, libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NONBLOCK, 0)
}

/// `getdents64(2)` — fills `buf` with `struct linux_dirent64` records; 0 at the end.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/getdents.2.html>
#[cfg(eio_linux)]
pub fn getdents(fd: RawFd, buf: &mut [u8]) -> SysResult<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes; the kernel writes at most that.
    let n = cvt(unsafe { libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) })?;
    Ok(n as usize)
}

/// One directory entry, as the kernel or libc reports it.
pub struct RawDirent<'a> {
    pub ino: u64,
    pub kind: u8,
    pub name: &'a [u8],
}

/// Walks the records of a filled getdents64 buffer.
#[cfg(eio_linux)]
pub fn parse_dirents(buf: &[u8]) -> impl Iterator<Item = RawDirent<'_>> {
    // struct linux_dirent64 { u64 d_ino; i64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
    const NAME_AT: usize = 19;
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos + NAME_AT > buf.len() {
            return None;
        }
        let rec = &buf[pos..];
        let ino = u64::from_ne_bytes(rec[0..8].try_into().unwrap());
        let reclen = u16::from_ne_bytes(rec[16..18].try_into().unwrap()) as usize;
        if reclen < NAME_AT || reclen > rec.len() {
            return None;
        }
        let kind = rec[18];
        let name_field = &rec[NAME_AT..reclen];
        let len = name_field.iter().position(|&b| b == 0).unwrap_or(name_field.len());
        pos += reclen;
        Some(RawDirent { ino, kind, name: &name_field[..len] })
    })
}

/// Whether a name is `.` or `..`, which eio never reports.
pub fn is_dot_or_dotdot(name: &[u8]) -> bool {
    name == b"." || name == b".."
}

/// The one directory-reading loop: appends the entries of the directory open on `fd`
/// (without `.` and `..`, in the kernel's order) to `list` until at least `min` were
/// appended or the directory ends, and says whether it ended. The next call continues where
/// this one stopped (the kernel keeps the position in the open file). Stops with
/// `ECANCELED` when `aborted` says so (asked after each `getdents64` call).
#[cfg(eio_linux)]
pub fn read_some(fd: RawFd, list: &mut DirList, min: usize, aborted: &dyn Fn() -> bool) -> SysResult<bool> {
    let start = list.len();
    BUF.with(|cell| {
        let mut buf = cell.borrow_mut();
        loop {
            let n = getdents(fd, &mut buf)?;
            if n == 0 {
                return Ok(true);
            }
            for d in parse_dirents(&buf[..n]) {
                if !is_dot_or_dotdot(d.name) {
                    list.push(d.name, d.kind, d.ino);
                }
            }
            if aborted() {
                return Err(super::cvt::Errno(libc::ECANCELED));
            }
            if list.len() - start >= min {
                return Ok(false);
            }
        }
    })
}

/// Reads the whole directory open on `fd`, without `.` and `..`, in the kernel's order.
/// Stops early with `ECANCELED` when `aborted` says so (checked between batches).
#[cfg(eio_linux)]
pub fn read_all(fd: &OwnedFd, aborted: &dyn Fn() -> bool) -> SysResult<DirList> {
    let mut list = DirList::default();
    read_some(fd.as_raw_fd(), &mut list, usize::MAX, aborted)?;
    Ok(list)
}

/// Reads the whole directory open on `fd`, without `.` and `..`, in the filesystem's
/// order, through a directory stream on a duplicate of `fd` (so that `fd` stays open for
/// the `*at` calls that follow). Stops early with `ECANCELED` when `aborted` says so.
#[cfg(not(eio_linux))]
pub fn read_all(fd: &OwnedFd, aborted: &dyn Fn() -> bool) -> SysResult<DirList> {
    let mut list = DirList::default();
    DirReader::new(fd)?.read(&mut list, usize::MAX, aborted)?;
    Ok(list)
}

/// An open directory read in steps, each continuing where the last stopped: on Linux the
/// fd itself, whose position the kernel keeps; elsewhere a directory stream on a duplicate
/// of it, whose position (and entries read ahead) libc keeps. The fd it was made from stays
/// the caller's, usable for `*at` calls meanwhile.
pub struct DirReader {
    #[cfg(eio_linux)]
    fd: std::sync::Arc<OwnedFd>,
    #[cfg(not(eio_linux))]
    stream: DirStream,
}

impl std::fmt::Debug for DirReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirReader")
    }
}

impl DirReader {
    /// A reader of the directory open on `fd`, from its current position.
    #[cfg(eio_linux)]
    pub fn new(fd: &std::sync::Arc<OwnedFd>) -> SysResult<DirReader> {
        Ok(DirReader { fd: fd.clone() })
    }

    /// A reader of the directory open on `fd`, from its current position.
    #[cfg(not(eio_linux))]
    pub fn new(fd: &OwnedFd) -> SysResult<DirReader> {
        let dup = fd.try_clone().map_err(|e| Errno(e.raw_os_error().unwrap_or(libc::EBADF)))?;
        Ok(DirReader { stream: DirStream::from_fd(dup)? })
    }

    /// Opens `at` as a directory and makes a reader of it.
    pub fn open(at: &At) -> SysResult<DirReader> {
        let fd = open_dir(at)?;
        #[cfg(eio_linux)]
        return DirReader::new(&std::sync::Arc::new(fd));
        #[cfg(not(eio_linux))]
        return Ok(DirReader { stream: DirStream::from_fd(fd)? });
    }

    /// The directory's fd, for `*at` calls on its entries.
    #[cfg(eio_linux)]
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// The directory's fd, for `*at` calls on its entries.
    #[cfg(not(eio_linux))]
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        self.stream.raw_fd()
    }

    /// Appends the next entries (without `.` and `..`) to `list` until at least `min` were
    /// appended or the directory ends; true at the end. See [`read_some`].
    #[cfg(eio_linux)]
    pub fn read(&mut self, list: &mut DirList, min: usize, aborted: &dyn Fn() -> bool) -> SysResult<bool> {
        read_some(self.fd.as_raw_fd(), list, min, aborted)
    }

    /// Appends the next entries (without `.` and `..`) to `list` until at least `min` were
    /// appended or the directory ends; true at the end. Stops with `ECANCELED` when
    /// `aborted` says so (asked every [`ABORT_CHECK_EVERY`] entries).
    #[cfg(not(eio_linux))]
    pub fn read(&mut self, list: &mut DirList, min: usize, aborted: &dyn Fn() -> bool) -> SysResult<bool> {
        let start = list.len();
        let mut seen = 0usize;
        while list.len() - start < min.max(1) {
            match self.stream.read()? {
                Some(d) if is_dot_or_dotdot(d.name) => {}
                Some(d) => list.push(d.name, d.kind, d.ino),
                None => return Ok(true),
            }
            seen += 1;
            if seen.is_multiple_of(ABORT_CHECK_EVERY) && aborted() {
                return Err(Errno(libc::ECANCELED));
            }
        }
        Ok(false)
    }
}

/// Entries [`DirReader::read`] reads between two looks at `aborted` where it reads one at a
/// time.
#[cfg(not(eio_linux))]
const ABORT_CHECK_EVERY: usize = 1024;

/// The absolute path of the directory open on `fd` (any kind of fd, `O_PATH` included),
/// for when `known`, the kernel's own answer, fails with `ENAMETOOLONG` (deeper than
/// `PATH_MAX`): climbs `..` one directory at a time, finding each one's name in its parent
/// by device and inode (as getcwd(3) does past `PATH_MAX`), until an ancestor whose path
/// `known` gives, or `/`. Needs read permission on the ancestors it climbs.
pub fn long_path(fd: &OwnedFd, known: &dyn Fn(&OwnedFd) -> SysResult<Vec<u8>>) -> SysResult<Vec<u8>> {
    use std::os::fd::AsRawFd;
    let id = |fd: &OwnedFd| super::stat::fstat(fd.as_raw_fd()).map(|st| (st.dev, st.ino));
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut here = id(fd)?;
    let mut cur: Option<OwnedFd> = None;
    let prefix = loop {
        let dirfd = cur.as_ref().unwrap_or(fd).as_raw_fd();
        let parent = file::open_c(dirfd, c"..", libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NONBLOCK, 0)?;
        let up = id(&parent)?;
        if up == here {
            break Vec::new(); // `/`
        }
        names.push(name_of(&parent, here)?);
        match known(&parent) {
            Ok(path) => break path,
            Err(super::cvt::Errno(libc::ENAMETOOLONG)) => {}
            Err(e) => return Err(e),
        }
        here = up;
        cur = Some(parent);
    };
    let mut out = prefix;
    if out.last() == Some(&b'/') {
        out.pop();
    }
    for name in names.iter().rev() {
        out.push(b'/');
        out.extend_from_slice(name);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    Ok(out)
}

/// The name in the directory open on `dir` of the entry whose device and inode are `id`
/// (`ENOENT` if none): the entries whose inode matches are checked with `lstat`, and where
/// none does (`id` is a mount point, whose inode the parent does not see), all of them.
fn name_of(dir: &OwnedFd, id: (u64, u64)) -> SysResult<Vec<u8>> {
    use std::os::fd::AsRawFd;
    let list = read_all(dir, &|| false)?;
    let is = |name: &[u8]| {
        super::scan::stat_entry(dir.as_raw_fd(), name, false).is_ok_and(|st| (st.dev, st.ino) == id)
    };
    let by_ino = (0..list.len()).filter(|&i| list.inos[i] == id.1).map(|i| list.name(i)).find(|n| is(n));
    match by_ino.or_else(|| list.names().find(|n| is(n))) {
        Some(name) => Ok(name.to_vec()),
        None => Err(super::cvt::Errno(libc::ENOENT)),
    }
}

/// A directory stream (`DIR *`), which owns its fd and closes it on drop.
#[cfg(not(eio_linux))]
pub struct DirStream(NonNull<libc::DIR>);

// SAFETY: a `DIR` may be used from any thread, one at a time: every use takes `&mut self`.
#[cfg(not(eio_linux))]
unsafe impl Send for DirStream {}

#[cfg(not(eio_linux))]
impl DirStream {
    /// `fdopendir(3)` — a stream reading the directory open on `fd`, from its current
    /// position; the stream owns `fd` from then on (on failure, `fd` is closed).
    ///
    /// # References
    /// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/fdopendir.html>
    pub fn from_fd(fd: OwnedFd) -> SysResult<DirStream> {
        let raw = fd.into_raw_fd();
        // SAFETY: `raw` is an open fd that we own; fdopendir takes it over on success.
        match NonNull::new(unsafe { libc::fdopendir(raw) }) {
            Some(dir) => Ok(DirStream(dir)),
            None => {
                let e = Errno::last();
                // The fd is still ours after a failed fdopendir.
                let _ = file::close(raw);
                Err(e)
            }
        }
    }

    /// `dirfd(3)` — the fd the stream reads.
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        // SAFETY: the stream is open; dirfd only reads it.
        unsafe { libc::dirfd(self.0.as_ptr()) }
    }

    /// `readdir(3)` — the next entry (`.` and `..` included), `None` at the end. The
    /// entry borrows the stream: libc reuses its memory on the next call.
    ///
    /// # References
    /// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/readdir.html>
    // `d_ino`/`d_fileno` is a u64 on some platforms and an alias of one on others.
    #[allow(clippy::unnecessary_cast)]
    pub fn read(&mut self) -> SysResult<Option<RawDirent<'_>>> {
        // SAFETY: the stream is open and used by this thread alone (`&mut self`).
        let Some(ent) = cvt_ptr(|| unsafe { libc::readdir(self.0.as_ptr()) })? else {
            return Ok(None);
        };
        // SAFETY: readdir returned an entry that stays valid until the stream's next call,
        // which the borrow of `self` rules out; `d_name` is NUL-terminated.
        let ent = unsafe { ent.as_ref() };
        // SAFETY: as above.
        let name = unsafe { CStr::from_ptr(ent.d_name.as_ptr()) }.to_bytes();
        #[cfg(target_os = "freebsd")]
        let ino = ent.d_fileno as u64;
        #[cfg(not(target_os = "freebsd"))]
        let ino = ent.d_ino as u64;
        Ok(Some(RawDirent { ino, kind: ent.d_type, name }))
    }
}

#[cfg(not(eio_linux))]
impl Drop for DirStream {
    /// `closedir(3)`, which closes the fd too. Its only failure, `EBADF`, cannot happen.
    fn drop(&mut self) {
        // SAFETY: the stream is open and nothing uses it after this.
        unsafe { libc::closedir(self.0.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::cvt::Errno;
    use std::ffi::CString;

    #[test]
    fn read_all_reads_everything_once_and_stops_when_aborted() {
        let tmp = crate::testutil::TempDir::new("read-all");
        let dir = tmp.0.clone();
        for i in 0..3000 {
            std::fs::write(dir.join(format!("f{i}")), b"").unwrap();
        }
        let open = || open_dir(&At::cwd(CString::new(dir.as_os_str().as_encoded_bytes()).unwrap())).unwrap();
        let fd = open();
        let list = read_all(&fd, &|| false).unwrap();
        let mut names: Vec<_> = list.names().map(|n| n.to_vec()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 3000);
        // The fd stays open for the `*at` calls that follow.
        let base = crate::sys::path::Base::Dir(std::sync::Arc::new(fd));
        let f0 = At::from_bytes(base, b"f0".to_vec()).unwrap();
        crate::sys::stat::stat_at(&f0, false).unwrap();
        assert_eq!(read_all(&open(), &|| true), Err(Errno(libc::ECANCELED)));
    }

    #[test]
    fn a_reader_covers_the_directory_once_in_steps() {
        let tmp = crate::testutil::TempDir::new("steps");
        let dir = tmp.0.clone();
        for i in 0..5000 {
            std::fs::write(dir.join(format!("f{i}")), b"").unwrap();
        }
        let at = At::cwd(CString::new(dir.as_os_str().as_encoded_bytes()).unwrap());
        let mut reader = DirReader::open(&at).unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut steps = 0;
        loop {
            let mut list = DirList::default();
            let end = reader.read(&mut list, 1000, &|| false).unwrap();
            steps += 1;
            for name in list.names() {
                assert!(seen.insert(name.to_vec()), "duplicate {name:?}");
            }
            if end {
                break;
            }
            assert!(list.len() >= 1000, "a step that is not the last reads at least min");
        }
        assert_eq!(seen.len(), 5000);
        assert!(steps > 1);
        // After the end, a further read is an empty last step.
        let mut list = DirList::default();
        assert!(reader.read(&mut list, 1, &|| false).unwrap() && list.is_empty());
        // A reader appends: what the list held stays.
        let mut list = DirList::default();
        list.push(b"kept", libc::DT_REG, 1);
        let mut reader = DirReader::open(&at).unwrap();
        assert!(reader.read(&mut list, usize::MAX, &|| false).unwrap());
        assert_eq!((list.len(), list.name(0)), (5001, &b"kept"[..]));
        let mut reader = DirReader::open(&at).unwrap();
        assert_eq!(reader.read(&mut DirList::default(), usize::MAX, &|| true), Err(Errno(libc::ECANCELED)));
    }

    #[test]
    fn long_path_climbs_past_path_max() {
        let tmp = crate::testutil::TempDir::new("long");
        let root = tmp.0.clone();
        // 40 levels of 200-byte names: 8 KB, twice PATH_MAX; created relative to fds.
        let name = "n".repeat(200);
        let mut fd = open_dir(&At::cwd(CString::new(root.as_os_str().as_encoded_bytes()).unwrap())).unwrap();
        for _ in 0..40 {
            let base = crate::sys::path::Base::Dir(std::sync::Arc::new(fd));
            let at = At::from_bytes(base, name.clone().into_bytes()).unwrap();
            crate::sys::name::mkdir(&at, 0o755).unwrap();
            fd = open_dir(&at).unwrap();
        }
        let want = format!("{}/{}", root.display(), vec![name.as_str(); 40].join("/")).into_bytes();
        // The kernel's answer fails past PATH_MAX...
        assert_eq!(crate::sys::link::fd_path(&fd), Err(Errno(libc::ENAMETOOLONG)));
        // ...so the path is climbed to where it fits.
        let kernel = crate::sys::link::fd_path;
        assert_eq!(long_path(&fd, &kernel).unwrap(), want);
        // Climbing all the way to `/`.
        assert_eq!(long_path(&fd, &|_| Err(Errno(libc::ENAMETOOLONG))).unwrap(), want);
        assert_eq!(long_path(&fd, &|_| Err(Errno(libc::EIO))), Err(Errno(libc::EIO)));
        drop(fd);
    }
}
