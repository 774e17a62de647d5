//! `mkdtemp(3)` relative to a directory fd: `prefix` followed by six random characters,
//! created with mode 0700, retried on a name that exists.

use std::ffi::CString;

use super::step;
use crate::sys::cvt::Errno;
use crate::sys::path::At;
use crate::sys::{entropy, name};
use crate::value::ReqError;

/// The characters of the random suffix (glibc's set).
const CHARS: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SUFFIX: usize = 6;
/// Names tried before giving up with `EEXIST`: 62^6 names leave a collision rare unless
/// the directory is full of them.
const ATTEMPTS: usize = 100;

/// Creates the directory; returns the six characters that follow `prefix` in its name.
pub fn mkdtemp(prefix: &At) -> Result<Vec<u8>, ReqError> {
    let base = prefix.c_path().to_bytes();
    let mut last = Errno(libc::EEXIST);
    for _ in 0..ATTEMPTS {
        let suffix = random_suffix().map_err(step("getentropy"))?;
        let path =
            CString::new([base, &suffix].concat()).map_err(|_| step("mkdtemp")(Errno(libc::EINVAL)))?;
        match name::mkdir(&prefix.sibling(path), 0o700) {
            Ok(()) => return Ok(suffix.to_vec()),
            Err(e @ Errno(libc::EEXIST)) => last = e,
            Err(e) => return Err(step("mkdtemp")(e)),
        }
    }
    Err(step("mkdtemp")(last))
}

fn random_suffix() -> Result<[u8; SUFFIX], Errno> {
    let mut raw = [0u8; SUFFIX];
    entropy::getentropy(&mut raw)?;
    // 256 is not a multiple of 62: the first 8 characters come up a little more often,
    // which only matters for secrecy, and a temporary name's safety is O_EXCL-like
    // creation (mkdir fails on an existing name), not secrecy.
    Ok(raw.map(|b| CHARS[usize::from(b) % CHARS.len()]))
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    use super::super::testutil::{errno_of, TempDir};
    use super::*;

    #[test]
    fn creates_private_directories_with_distinct_names() {
        let t = TempDir::new("mkdtemp");
        let prefix = t.at("tmp-");
        let a = mkdtemp(&prefix).unwrap();
        let b = mkdtemp(&prefix).unwrap();
        assert_ne!(a, b);
        for suffix in [&a, &b] {
            assert_eq!(suffix.len(), SUFFIX);
            assert!(suffix.iter().all(|c| CHARS.contains(c)), "{suffix:?}");
            let dir = t.path(&format!("tmp-{}", String::from_utf8_lossy(suffix)));
            let meta = fs::metadata(&dir).unwrap();
            assert!(meta.is_dir());
            assert_eq!(meta.permissions().mode() & 0o777, 0o700);
        }
    }

    #[test]
    fn a_missing_parent_fails_naming_mkdtemp() {
        let t = TempDir::new("mkdtemp-missing");
        let err = mkdtemp(&t.at("no/such/dir-")).unwrap_err();
        assert_eq!(errno_of(&err), libc::ENOENT);
        assert!(matches!(err, ReqError::Os { syscall: Some("mkdtemp"), .. }), "{err:?}");
    }
}
