//! `mkdir -p`, as Node's `fs.mkdir(path, { recursive: true })` does it (its `MKDirpSync`):
//! try the path; where its parent is missing, make the parent first, and so on up. An
//! existing directory anywhere is fine; an existing non-directory is `EEXIST` at the end
//! of the path and `ENOTDIR` above it.

use std::ffi::CString;

use crate::sys::cvt::Errno;
use crate::sys::name;
use crate::sys::path::At;
use crate::sys::stat::{self, mode};
use crate::value::ReqError;

/// Creates `at` and the directories above it that are missing, each with `mode` (less the
/// umask). The outcome is the first directory created, as a prefix of `at`'s path (Node's
/// rule), or `None` when they all existed.
pub fn mkdirp(at: &At, mode: u32) -> Result<Option<Vec<u8>>, ReqError> {
    let fail = |e: Errno| ReqError::os(e).with_syscall("mkdir");
    let path = at.c_path().to_bytes();
    let mut stack: Vec<&[u8]> = vec![path];
    let mut first: Option<&[u8]> = None;
    while let Some(&next) = stack.last() {
        let here = at.sibling(CString::new(next).expect("a part of a C string"));
        match name::mkdir(&here, mode) {
            Ok(()) => {
                stack.pop();
                first.get_or_insert(next);
            }
            // The parent is missing: make it first (the path up to the last slash).
            Err(e @ Errno(libc::ENOENT)) => match next.iter().rposition(|&b| b == b'/') {
                Some(slash) if slash > 0 || next.len() > 1 => stack.push(&next[..slash]),
                _ => return Err(fail(e)),
            },
            Err(e @ Errno(libc::EACCES | libc::ENOSPC | libc::ENOTDIR | libc::EPERM)) => return Err(fail(e)),
            // It exists (or cannot be made for another reason): fine if it is a directory.
            Err(e) => {
                stack.pop();
                match stat::stat_at(&here, true) {
                    Ok(st) if st.mode & mode::S_IFMT == mode::S_IFDIR => {}
                    Ok(_) => {
                        return Err(fail(Errno(if stack.is_empty() { libc::EEXIST } else { libc::ENOTDIR })))
                    }
                    Err(Errno(libc::ENOENT)) if e == Errno(libc::EEXIST) => {
                        return Err(fail(Errno(libc::ENOENT)))
                    }
                    Err(_) => return Err(fail(e)),
                }
            }
        }
    }
    Ok(first.map(<[u8]>::to_vec))
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::testutil::TempDir;

    #[test]
    fn as_node_does_it() {
        let t = TempDir::new("mkdirp");
        fs::write(t.path("file"), b"x").unwrap();
        std::os::unix::fs::symlink("nowhere", t.path("dangling")).unwrap();
        std::os::unix::fs::symlink("a", t.path("to-a")).unwrap();
        let base = t.0.to_str().unwrap().len() + 1;
        // (path below t, expected first directory created below t, or errno); in order.
        let rows: [(&str, Result<Option<&str>, i32>); 9] = [
            ("a/b/c", Ok(Some("a"))),
            ("a/b/c", Ok(None)),               // all there: no error, nothing made
            ("a/./x//y/", Ok(Some("a/./x/"))), // Node's answer for this spelling
            ("to-a/q", Ok(Some("to-a/q"))),    // through a symlink to a directory
            ("file", Err(libc::EEXIST)),
            ("file/g/h", Err(libc::ENOTDIR)),
            ("dangling", Err(libc::ENOENT)),
            ("dangling/q", Err(libc::ENOENT)),
            ("a", Ok(None)),
        ];
        for (rel, want) in rows {
            let got = mkdirp(&t.at(rel), 0o777);
            let got = match got {
                Ok(made) => Ok(made.map(|p| String::from_utf8(p[base..].to_vec()).unwrap())),
                Err(e) => Err(e.errno().unwrap().raw()),
            };
            assert_eq!(got, want.map(|o| o.map(str::to_owned)), "{rel}");
        }
        assert!(t.path("a/b/c").is_dir() && t.path("a/x/y").is_dir() && t.path("a/q").is_dir());
    }
}
