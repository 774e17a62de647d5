//! eio-node: the Node-API binding of eio-core. It only converts: each exported function
//! turns already-validated arguments (see `lib/` in TypeScript) into one core request, and
//! completions flow back through the per-environment batched drain (`env`, `drain`).

#![deny(clippy::undocumented_unsafe_blocks)]

mod bounce;
mod constants;
mod drain;
mod env;
mod mappings;
mod pool;
mod raw;
mod requests;
mod sync_helpers;
mod wd;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::env::EnvCtx;

/// Sets up eio in this environment. `dispatch(records, count, extras, more)` receives
/// batches of completions; see `drain.rs` for the layout. `readTargets[slot]` is the
/// buffer of each read in flight, which JavaScript holds until its completion.
#[napi]
pub fn init(env: Env, dispatch: Unknown<'_>, read_targets: Unknown<'_>) -> Result<()> {
    // SAFETY: the handles belong to the current call on this env's JS thread.
    unsafe { EnvCtx::install(env.raw(), dispatch.raw(), read_targets.raw()) }
}

/// Delivers queued completions now (used when a drain stopped at `maxPollReqs`/`maxPollTime`).
#[napi]
pub fn poll(env: Env) -> Result<()> {
    // SAFETY: the env of the current call, on its JS thread, inside the call's scope.
    unsafe { EnvCtx::get(env.raw())?.drain() }
}

/// Stops all deliveries in this environment (called when the process exits).
#[napi]
pub fn shutdown(env: Env) -> Result<()> {
    // SAFETY: the env of the current call, on its JS thread.
    unsafe { EnvCtx::get(env.raw())? }.shut_down();
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
    // SAFETY: `view` is a live handle of the current call; the slice is not kept.
    Ok(unsafe { raw::typed_array_bytes(env.raw(), view.raw())? }.is_none())
}
