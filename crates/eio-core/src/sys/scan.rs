//! The syscalls of the streaming scans: directory batches read with `getdents64(2)` (on
//! Linux) or `readdir(3)` (elsewhere, and with `--cfg eio_portable`), and `fstatat(2)`
//! for entries whose type the filesystem does not report.

#[cfg(eio_linux)]
use std::cell::RefCell;
use std::ffi::CString;
use std::mem::MaybeUninit;
use std::os::fd::RawFd;
#[cfg(eio_linux)]
use std::os::fd::{AsRawFd, OwnedFd};
#[cfg(not(eio_linux))]
use std::sync::Mutex;

use super::cvt::{cvt, Errno, SysResult};
use super::dir::{self, is_dot_or_dotdot};
use super::path::At;
use crate::value::DirList;

/// Bytes asked of each `getdents64` call by [`BatchDir::read_batch`]: about 2,000
/// entries of short names per call.
#[cfg(eio_linux)]
const BATCH_BUF: usize = 64 * 1024;

#[cfg(eio_linux)]
thread_local! {
    static BUF: RefCell<Vec<u8>> = RefCell::new(vec![0; BATCH_BUF]);
}

/// `DT_UNKNOWN`: the filesystem did not say what the entry is.
pub const DT_UNKNOWN: u8 = libc::DT_UNKNOWN;

/// A directory read in batches, each continuing where the last one stopped: on Linux the
/// fd itself, whose position the kernel keeps; elsewhere a directory stream, whose
/// position lives in libc (its buffer may hold entries read ahead), behind a lock.
#[cfg(eio_linux)]
#[derive(Debug)]
pub struct BatchDir(OwnedFd);

#[cfg(not(eio_linux))]
pub struct BatchDir(Mutex<dir::Dir>);

#[cfg(not(eio_linux))]
impl std::fmt::Debug for BatchDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BatchDir")
    }
}

impl BatchDir {
    /// Opens `at` as a directory for reading in batches.
    #[cfg(eio_linux)]
    pub fn open(at: &At) -> SysResult<BatchDir> {
        dir::open_dir(at).map(BatchDir)
    }

    /// Opens `at` as a directory for reading in batches.
    #[cfg(not(eio_linux))]
    pub fn open(at: &At) -> SysResult<BatchDir> {
        Ok(BatchDir(Mutex::new(dir::Dir::from_fd(dir::open_dir(at)?)?)))
    }

    /// Reads the next entries (without `.` and `..`), calling `getdents64` until at least
    /// `min_entries` were read or the directory ends. Returns the entries and whether the
    /// directory ended; the next batch starts after them.
    #[cfg(eio_linux)]
    pub fn read_batch(&self, min_entries: usize) -> SysResult<(DirList, bool)> {
        let mut list = DirList::default();
        BUF.with(|cell| {
            let mut buf = cell.borrow_mut();
            loop {
                let n = dir::getdents(self.0.as_raw_fd(), &mut buf)?;
                if n == 0 {
                    return Ok((list, true));
                }
                for d in dir::parse_dirents(&buf[..n]) {
                    if !is_dot_or_dotdot(d.name) {
                        list.push(d.name, d.kind, d.ino);
                    }
                }
                if list.len() >= min_entries {
                    return Ok((list, false));
                }
            }
        })
    }

    /// Reads the next entries (without `.` and `..`) until `min_entries` were read or the
    /// directory ends. Returns the entries and whether the directory ended; the next batch
    /// starts after them.
    #[cfg(not(eio_linux))]
    pub fn read_batch(&self, min_entries: usize) -> SysResult<(DirList, bool)> {
        let mut stream = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut list = DirList::default();
        while list.len() < min_entries.max(1) {
            match stream.read()? {
                Some(d) if is_dot_or_dotdot(d.name) => {}
                Some(d) => list.push(d.name, d.kind, d.ino),
                None => return Ok((list, true)),
            }
        }
        Ok((list, false))
    }
}

/// `fstatat(2)` with `AT_SYMLINK_NOFOLLOW` — the `DT_*` type of `name` in the directory
/// open on `dirfd`, for filesystems whose `getdents64` reports `DT_UNKNOWN` (XFS without
/// ftype, some network and FUSE filesystems).
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/fstatat.2.html>
// `mode_t` is a u32 on Linux, a u16 on darwin and FreeBSD.
#[allow(clippy::unnecessary_cast)]
pub fn lstat_type(dirfd: RawFd, name: &[u8]) -> SysResult<u8> {
    let name = CString::new(name).map_err(|_| Errno(libc::EINVAL))?;
    let mut buf = MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `name` is a valid C string and `buf` is valid for writes of a `struct stat`.
    cvt(unsafe { libc::fstatat(dirfd, name.as_ptr(), buf.as_mut_ptr(), libc::AT_SYMLINK_NOFOLLOW) })?;
    // SAFETY: fstatat succeeded, so it filled the buffer.
    let mode = unsafe { buf.assume_init_ref() }.st_mode;
    Ok(dt_from_mode(mode as u32))
}

/// The `DT_*` value of a `st_mode`: on Linux, darwin and FreeBSD, `DT_x == S_IFx >> 12`
/// for every type.
// `mode_t` is a u32 on Linux, a u16 on darwin and FreeBSD.
#[allow(clippy::unnecessary_cast)]
pub fn dt_from_mode(mode: u32) -> u8 {
    ((mode & libc::S_IFMT as u32) >> 12) as u8
}

/// Replaces every `DT_UNKNOWN` in `list` with the type `lstat` gives; entries that
/// vanished meanwhile (`ENOENT`) are dropped. Lists without unknown types are returned
/// as they are, without a syscall.
pub fn fill_unknown_types(dirfd: RawFd, list: DirList) -> SysResult<DirList> {
    if !list.types.contains(&DT_UNKNOWN) {
        return Ok(list);
    }
    let mut out = DirList::default();
    for i in 0..list.len() {
        let kind = match list.types[i] {
            DT_UNKNOWN => match lstat_type(dirfd, list.name(i)) {
                Ok(kind) => kind,
                Err(Errno(libc::ENOENT)) => continue,
                Err(e) => return Err(e),
            },
            kind => kind,
        };
        out.push(list.name(i), kind, list.inos[i]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::dir::open_dir;
    use crate::sys::path::At;
    use crate::testutil::TempDir;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;

    fn open(dir: &std::path::Path) -> std::os::fd::OwnedFd {
        let c = CString::new(dir.as_os_str().as_bytes()).unwrap();
        open_dir(&At::cwd(c)).unwrap()
    }

    #[test]
    fn dt_from_mode_matches_the_dt_constants() {
        let table = [
            (libc::S_IFREG, libc::DT_REG),
            (libc::S_IFDIR, libc::DT_DIR),
            (libc::S_IFLNK, libc::DT_LNK),
            (libc::S_IFIFO, libc::DT_FIFO),
            (libc::S_IFSOCK, libc::DT_SOCK),
            (libc::S_IFCHR, libc::DT_CHR),
            (libc::S_IFBLK, libc::DT_BLK),
        ];
        for (mode, dt) in table {
            assert_eq!(dt_from_mode(mode | 0o644), dt, "mode {mode:o}");
        }
    }

    #[test]
    fn batches_cover_the_directory_once() {
        let tmp = TempDir::new("batch");
        let dir = tmp.0.clone();
        for i in 0..5000 {
            std::fs::write(dir.join(format!("f{i}")), b"").unwrap();
        }
        let stream = BatchDir::open(&At::cwd(CString::new(dir.as_os_str().as_bytes()).unwrap())).unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut batches = 0;
        loop {
            let (list, end) = stream.read_batch(1000).unwrap();
            batches += 1;
            for name in list.names() {
                assert!(seen.insert(name.to_vec()), "duplicate {name:?}");
            }
            if end {
                break;
            }
            assert!(list.len() >= 1000, "a batch that is not the last is full");
        }
        assert_eq!(seen.len(), 5000);
        assert!(batches > 1);
        // After the end, a further read is an empty last batch.
        let (list, end) = stream.read_batch(1).unwrap();
        assert!(list.is_empty() && end);
    }

    #[test]
    fn unknown_types_are_filled_and_vanished_entries_dropped() {
        let tmp = TempDir::new("unknown");
        let dir = tmp.0.clone();
        std::fs::write(dir.join("file"), b"").unwrap();
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::os::unix::fs::symlink("sub", dir.join("link")).unwrap();
        let fd = open(&dir);
        // As a filesystem without d_type reports them.
        let mut list = DirList::default();
        for (name, kind) in [
            (&b"file"[..], DT_UNKNOWN),
            (b"sub", DT_UNKNOWN),
            (b"link", DT_UNKNOWN),
            (b"gone", DT_UNKNOWN),
            (b"known", libc::DT_FIFO),
        ] {
            list.push(name, kind, 1);
        }
        let filled = fill_unknown_types(fd.as_raw_fd(), list).unwrap();
        let got: Vec<(&[u8], u8)> = filled.names().zip(filled.types.iter().copied()).collect();
        assert_eq!(
            got,
            vec![
                (&b"file"[..], libc::DT_REG),
                (b"sub", libc::DT_DIR),
                (b"link", libc::DT_LNK),
                (b"known", libc::DT_FIFO),
            ]
        );
    }

    #[test]
    fn lstat_type_errors() {
        let tmp = TempDir::new("lstat");
        let dir = tmp.0.clone();
        let fd = open(&dir);
        assert_eq!(lstat_type(fd.as_raw_fd(), b"nope"), Err(Errno(libc::ENOENT)));
        assert_eq!(lstat_type(fd.as_raw_fd(), b"a\0b"), Err(Errno(libc::EINVAL)));
        assert_eq!(lstat_type(-1, b"x"), Err(Errno(libc::EBADF)));
    }
}
