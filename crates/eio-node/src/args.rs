//! Arguments as the request functions take them, already validated by the JS layer
//! (`lib/`): errors here are only a second line of defence.

use eio_core::{At, Target};
use napi::bindgen_prelude::Unknown;
use napi::Env;

use crate::raw::Scope;
use crate::wd::{self, WdHandle};

/// A path argument: its bytes (a string or a `Buffer`) relative to `dir`, or to the cwd.
pub fn path_at(env: &Env, dir: Option<&WdHandle>, path: Unknown<'_>) -> napi::Result<At> {
    let js = Scope::of_call(env);
    let bytes = js.path_bytes(js.arg(&path))?;
    wd::at(dir, bytes).map_err(|e| napi::Error::from_reason(format!("eio: bad path argument: {e}")))
}

/// A path or, when `path` is absent, the descriptor `fd`.
pub fn target(env: &Env, dir: Option<&WdHandle>, path: Option<Unknown<'_>>, fd: i32) -> napi::Result<Target> {
    Ok(match path {
        Some(p) => Target::Path(path_at(env, dir, p)?),
        None => Target::Fd(fd),
    })
}

/// A 64-bit integer argument: a number or a bigint.
pub fn int64(env: &Env, value: Unknown<'_>) -> napi::Result<i64> {
    let js = Scope::of_call(env);
    js.int64(js.arg(&value))
}

/// A file position (a number or a bigint): the JS layer passes -1 for "the current file
/// position".
pub fn position(env: &Env, offset: Unknown<'_>) -> napi::Result<Option<i64>> {
    let n = int64(env, offset)?;
    Ok((n >= 0).then_some(n))
}
