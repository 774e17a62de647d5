//! Reading directories with `getdents64(2)` into a compact [`DirList`].

use std::cell::RefCell;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use super::cvt::{cvt, SysResult};
use super::file;
use super::path::At;
use crate::value::DirList;

/// Bytes asked of each `getdents64` call: large enough that a directory of a few thousand
/// entries takes one or two calls.
const DENTS_BUF: usize = 64 * 1024;

thread_local! {
    static BUF: RefCell<Vec<u8>> = RefCell::new(vec![0; DENTS_BUF]);
}

/// Opens `at` as a directory for reading.
pub fn open_dir(at: &At) -> SysResult<OwnedFd> {
    file::open(at, libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NONBLOCK, 0)
}

/// `getdents64(2)` — fills `buf` with `struct linux_dirent64` records; 0 at the end.
///
/// # References
/// - <https://man7.org/linux/man-pages/man2/getdents.2.html>
pub fn getdents(fd: RawFd, buf: &mut [u8]) -> SysResult<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes; the kernel writes at most that.
    let n = cvt(unsafe { libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) })?;
    Ok(n as usize)
}

/// One record of a getdents64 buffer.
pub struct RawDirent<'a> {
    pub ino: u64,
    pub kind: u8,
    pub name: &'a [u8],
}

/// Walks the records of a filled getdents64 buffer.
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
