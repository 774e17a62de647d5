//! What the streaming scans do per entry: `fstatat(2)`/`statx(2)` of an entry relative to
//! its directory's fd, for its status or for a type the filesystem did not report, with
//! the name made a C string on the stack (no allocation per entry).

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::fd::RawFd;

use super::cvt::{cvt, Errno, SysResult};
use super::stat;
use crate::value::{DirList, FileStat};

/// `DT_UNKNOWN`: the filesystem did not say what the entry is.
pub const DT_UNKNOWN: u8 = libc::DT_UNKNOWN;

/// Bytes of a name [`with_cstr`] converts on the stack: `NAME_MAX` (255 on Linux, darwin
/// and FreeBSD) plus its NUL.
const NAME_BUF: usize = 256;

/// Calls `f` with `name` as a C string, built on the stack (a heap allocation only for a
/// name longer than `NAME_MAX`, which no directory returns). An interior NUL (which no
/// directory returns either) is `EINVAL`.
pub fn with_cstr<R>(name: &[u8], f: impl FnOnce(&CStr) -> SysResult<R>) -> SysResult<R> {
    if name.len() >= NAME_BUF {
        return with_cstr_heap(name, f);
    }
    let mut buf = [0u8; NAME_BUF];
    buf[..name.len()].copy_from_slice(name);
    match CStr::from_bytes_with_nul(&buf[..=name.len()]) {
        Ok(c) => f(c),
        Err(_) => Err(Errno(libc::EINVAL)),
    }
}

#[cold]
fn with_cstr_heap<R>(name: &[u8], f: impl FnOnce(&CStr) -> SysResult<R>) -> SysResult<R> {
    let c = std::ffi::CString::new(name).map_err(|_| Errno(libc::EINVAL))?;
    f(&c)
}

/// The status of entry `name` of the directory open on `dirfd` (`follow`: of a symlink's
/// target), through [`stat::stat_name`].
pub fn stat_entry(dirfd: RawFd, name: &[u8], follow: bool) -> SysResult<FileStat> {
    with_cstr(name, |c| stat::stat_name(dirfd, c, follow))
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
    with_cstr(name, |c| {
        let mut buf = MaybeUninit::<libc::stat>::uninit();
        // SAFETY: `c` is a valid C string and `buf` is valid for writes of a `struct stat`.
        cvt(unsafe { libc::fstatat(dirfd, c.as_ptr(), buf.as_mut_ptr(), libc::AT_SYMLINK_NOFOLLOW) })?;
        // SAFETY: fstatat succeeded, so it filled the buffer.
        let mode = unsafe { buf.assume_init_ref() }.st_mode;
        Ok(dt_from_mode(mode as u32))
    })
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
    use crate::testutil::{at, TempDir};
    use std::os::fd::AsRawFd;

    fn open(dir: &std::path::Path) -> std::os::fd::OwnedFd {
        open_dir(&at(dir)).unwrap()
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
    fn names_become_c_strings_on_the_stack_or_the_heap() {
        let table: [(&[u8], Result<usize, Errno>); 4] = [
            (b"a", Ok(1)),
            (&[b'x'; 255], Ok(255)),
            // Longer than NAME_MAX: no directory returns it, but it still works.
            (&[b'y'; 300], Ok(300)),
            (b"a\0b", Err(Errno(libc::EINVAL))),
        ];
        for (name, want) in table {
            let got = with_cstr(name, |c| {
                assert_eq!(c.to_bytes(), name);
                Ok(c.to_bytes().len())
            });
            assert_eq!(got, want, "{} bytes", name.len());
        }
    }

    #[test]
    fn stat_entry_is_lstat_or_stat_of_the_entry() {
        let tmp = TempDir::new("stat-entry");
        std::fs::write(tmp.path("file"), b"12345").unwrap();
        std::os::unix::fs::symlink("file", tmp.path("link")).unwrap();
        let fd = open(&tmp.0);
        let file = stat_entry(fd.as_raw_fd(), b"file", false).unwrap();
        assert_eq!((file.size, file.mode & libc::S_IFMT), (5, libc::S_IFREG));
        let link = stat_entry(fd.as_raw_fd(), b"link", false).unwrap();
        assert_eq!((link.size, link.mode & libc::S_IFMT), (4, libc::S_IFLNK));
        let target = stat_entry(fd.as_raw_fd(), b"link", true).unwrap();
        assert_eq!(target, file);
        assert_eq!(stat_entry(fd.as_raw_fd(), b"nope", false), Err(Errno(libc::ENOENT)));
    }

    #[test]
    fn unknown_types_are_filled_and_vanished_entries_dropped() {
        let tmp = TempDir::new("unknown");
        std::fs::write(tmp.path("file"), b"").unwrap();
        std::fs::create_dir(tmp.path("sub")).unwrap();
        std::os::unix::fs::symlink("sub", tmp.path("link")).unwrap();
        let fd = open(&tmp.0);
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
                (b"known", libc::DT_FIFO)
            ]
        );
    }

    #[test]
    fn lstat_type_errors() {
        let tmp = TempDir::new("lstat");
        let fd = open(&tmp.0);
        assert_eq!(lstat_type(fd.as_raw_fd(), b"nope"), Err(Errno(libc::ENOENT)));
        assert_eq!(lstat_type(fd.as_raw_fd(), b"a\0b"), Err(Errno(libc::EINVAL)));
        assert_eq!(lstat_type(-1, b"x"), Err(Errno(libc::EBADF)));
    }
}
