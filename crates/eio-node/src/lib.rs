//! eio-node: the Node-API binding of eio-core. It only converts: each exported function
//! turns already-validated arguments (see `lib/` in TypeScript) into one core request
//! (`requests/`, `args`, `submit`), and results flow back through the per-environment
//! batched drain (`drain`) in the wire format (`wire`, mirrored by `lib/wire.ts`).
//! `env` holds each environment's state; `raw` is the one safe layer over Node-API.

#![deny(clippy::undocumented_unsafe_blocks)]

mod args;
mod bounce;
mod constants;
mod drain;
mod env;
mod mappings;
mod pool;
mod raw;
mod requests;
mod submit;
mod sync_helpers;
mod wd;
mod wire;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::env::EnvCtx;
use crate::raw::Scope;

/// Sets up eio in this environment. `dispatch(view, count, extras, more)` receives
/// batches of completions; see `wire.rs` for the format. `readTargets[slot]` is the
/// buffer of each read in flight, which JavaScript holds until its completion. Returns the
/// wire buffer's `Float64Array`.
#[napi(ts_return_type = "Float64Array")]
pub fn init<'env>(env: &'env Env, dispatch: Unknown<'_>, read_targets: Unknown<'_>) -> Result<Unknown<'env>> {
    let js = Scope::of_call(env);
    let view = EnvCtx::install(js, js.arg(&dispatch), js.arg(&read_targets), drain::on_wake)?;
    Ok(js.unknown(view))
}

/// Delivers queued completions now (used when a drain stopped at `maxPollReqs`/`maxPollTime`).
#[napi]
pub fn poll(env: Env) -> Result<()> {
    let js = Scope::of_call(&env);
    drain::new_turn(EnvCtx::of(js)?, js)
}

/// Stops all deliveries in this environment (called when the process exits).
#[napi]
pub fn shutdown(env: Env) -> Result<()> {
    EnvCtx::of(Scope::of_call(&env))?.shut_down();
    Ok(())
}

/// The C library's description of `errno`, for codes libuv does not know (`EBADR`).
#[napi]
pub fn strerror(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    let text = text.split(" (os error").next().unwrap_or_default();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => format!("unknown error {errno}"),
    }
}

/// Whether the ArrayBuffer behind a typed array or DataView was detached (transferred).
#[napi]
pub fn is_detached(env: Env, view: Unknown<'_>) -> Result<bool> {
    let js = Scope::of_call(&env);
    Ok(js.view(js.arg(&view))?.detached)
}
