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

/// Reads the whole directory open on `fd`, without `.` and `..`, in the kernel's order.
/// Stops early with `ECANCELED` when `aborted` says so (checked between batches).
#[cfg(eio_linux)]
pub fn read_all(fd: &OwnedFd, aborted: &dyn Fn() -> bool) -> SysResult<DirList> {
    let mut list = DirList::default();
    BUF.with(|cell| {
        let mut buf = cell.borrow_mut();
        loop {
            let n = getdents(fd.as_raw_fd(), &mut buf)?;
            if n == 0 {
                return Ok(list);
            }
            for d in parse_dirents(&buf[..n]) {
                if !is_dot_or_dotdot(d.name) {
                    list.push(d.name, d.kind, d.ino);
                }
            }
            if aborted() {
                return Err(super::cvt::Errno(libc::ECANCELED));
            }
        }
    })
}

/// Entries [`read_all`] reads between two looks at `aborted` where it reads one at a time.
#[cfg(not(eio_linux))]
const ABORT_CHECK_EVERY: usize = 1024;

/// Reads the whole directory open on `fd`, without `.` and `..`, in the filesystem's
/// order, through a directory stream on a duplicate of `fd` (so that `fd` stays open for
/// the `*at` calls that follow). Stops early with `ECANCELED` when `aborted` says so.
#[cfg(not(eio_linux))]
pub fn read_all(fd: &OwnedFd, aborted: &dyn Fn() -> bool) -> SysResult<DirList> {
    let mut stream =
        Dir::from_fd(fd.try_clone().map_err(|e| Errno(e.raw_os_error().unwrap_or(libc::EBADF)))?)?;
    let mut list = DirList::default();
    let mut seen = 0usize;
    while let Some(d) = stream.read()? {
        if !is_dot_or_dotdot(d.name) {
            list.push(d.name, d.kind, d.ino);
        }
        seen += 1;
        if seen.is_multiple_of(ABORT_CHECK_EVERY) && aborted() {
            return Err(Errno(libc::ECANCELED));
        }
    }
    Ok(list)
}

/// A directory stream (`DIR *`), which owns its fd and closes it on drop.
#[cfg(not(eio_linux))]
pub struct Dir(NonNull<libc::DIR>);

// SAFETY: a `DIR` may be used from any thread, one at a time: every use takes `&mut self`.
#[cfg(not(eio_linux))]
unsafe impl Send for Dir {}

#[cfg(not(eio_linux))]
impl Dir {
    /// `fdopendir(3)` — a stream reading the directory open on `fd`, from its current
    /// position; the stream owns `fd` from then on (on failure, `fd` is closed).
    ///
    /// # References
    /// - <https://pubs.opengroup.org/onlinepubs/9799919799/functions/fdopendir.html>
    pub fn from_fd(fd: OwnedFd) -> SysResult<Dir> {
        let raw = fd.into_raw_fd();
        // SAFETY: `raw` is an open fd that we own; fdopendir takes it over on success.
        match NonNull::new(unsafe { libc::fdopendir(raw) }) {
            Some(dir) => Ok(Dir(dir)),
            None => {
                let e = Errno::last();
                // The fd is still ours after a failed fdopendir.
                let _ = file::close(raw);
                Err(e)
            }
        }
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
impl Drop for Dir {
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
}
