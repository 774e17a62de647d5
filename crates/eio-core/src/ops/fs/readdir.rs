//! A directory listing in Node's order: libuv's `scandir` sorts names with `strcmp`, so
//! `fs.promises.readdir` returns them sorted bytewise, and code comes to rely on it.

use std::os::fd::AsRawFd;

use crate::ops::names::readdir_flags::DENTS;
use crate::req::ReqCtx;
use crate::sys::path::At;
use crate::sys::{dir, scan};
use crate::value::{ReqError, Value};

/// The names of the directory at `at` (without `.` and `..`) sorted bytewise; with
/// `types`, as `readdirx` with `READDIR_DENTS` gives them, the `DT_*` types as the
/// filesystem reports them and `lstat`'s where it does not (an entry that vanished
/// meanwhile is left out). Errors carry no step: they are the request's own (`scandir`,
/// as Node names it).
pub fn readdir_sorted(at: &At, types: bool, ctx: &ReqCtx<'_>) -> Result<Value, ReqError> {
    let fd = dir::open_dir(at)?;
    let mut list = dir::read_all(&fd, &|| ctx.aborted())?;
    if types {
        list = scan::fill_unknown_types(fd.as_raw_fd(), list)?;
    }
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_unstable_by(|&a, &b| list.name(a).cmp(list.name(b)));
    let list = list.permuted(&order);
    Ok(if types { Value::Readdirx { list, flags: DENTS, dents: true } } else { Value::Names(list) })
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::super::testutil::{errno_of, with_ctx, TempDir};
    use super::*;

    fn names(value: &Value) -> Vec<Vec<u8>> {
        match value {
            Value::Names(list) | Value::Readdirx { list, .. } => list.names().map(<[u8]>::to_vec).collect(),
            other => panic!("not a listing: {other:?}"),
        }
    }

    #[test]
    fn sorted_bytewise_with_types() {
        let t = TempDir::new("readdir-sorted");
        // Bytewise: upper case before lower case, "é" (0xc3 0xa9) after ASCII.
        for name in ["b", "B", "a", "é", "a0", "_"] {
            fs::write(t.path(name), b"").unwrap();
        }
        fs::create_dir(t.path("dir")).unwrap();
        std::os::unix::fs::symlink("dir", t.path("link")).unwrap();
        let want: Vec<&[u8]> = vec![b"B", b"_", b"a", b"a0", b"b", b"dir", b"link", "é".as_bytes()];
        let plain = with_ctx(false, |ctx| readdir_sorted(&t.at(""), false, ctx)).unwrap();
        assert_eq!(names(&plain), want);
        let typed = with_ctx(false, |ctx| readdir_sorted(&t.at(""), true, ctx)).unwrap();
        assert_eq!(names(&typed), want);
        let Value::Readdirx { list, dents: true, .. } = typed else { panic!("no types") };
        let expect = |i: usize| match want[i] {
            b"dir" => libc::DT_DIR,
            b"link" => libc::DT_LNK,
            _ => libc::DT_REG,
        };
        for (i, &kind) in list.types.iter().enumerate() {
            assert_eq!(kind, expect(i), "type of {:?}", String::from_utf8_lossy(want[i]));
        }
    }

    #[test]
    fn errors_are_the_requests_own() {
        let t = TempDir::new("readdir-errors");
        fs::write(t.path("file"), b"").unwrap();
        for (name, errno) in [("missing", libc::ENOENT), ("file", libc::ENOTDIR)] {
            let err = with_ctx(false, |ctx| readdir_sorted(&t.at(name), true, ctx)).unwrap_err();
            assert_eq!(errno_of(&err), errno, "{name}");
            assert!(matches!(err, ReqError::Os { syscall: None, .. }), "{err:?}");
        }
    }
}
