//! The raw Node-API calls the binding needs beyond what napi-rs's macros convert: each is
//! one call, checked, with its invariant stated. All of them must run on the JS thread of
//! the environment `env` belongs to.

use std::ffi::c_void;
use std::ptr;

use napi::sys;

/// Turns a Node-API status into a `napi::Result`.
pub fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::from_reason(format!("eio: Node-API call {what} failed ({status})")))
    }
}

/// The bytes of a path argument: a string (as UTF-8) or a `Uint8Array`/`Buffer`.
///
/// # Safety
/// `env` and `value` must be live handles of the current call.
pub unsafe fn path_bytes(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Vec<u8>> {
    let mut ty = 0;
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_typeof(env, value, &mut ty) }, "napi_typeof")?;
    if ty == sys::ValueType::napi_string {
        // SAFETY: guaranteed by the caller.
        unsafe { string_bytes(env, value) }
    } else {
        // SAFETY: guaranteed by the caller; the bytes are copied before returning.
        let bytes = unsafe { typed_array_bytes(env, value)? };
        Ok(bytes.map(|b| b.to_vec()).unwrap_or_default())
    }
}

/// A JS string's UTF-8 bytes.
///
/// # Safety
/// `env` and `value` must be live handles of the current call; `value` a string.
pub unsafe fn string_bytes(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Vec<u8>> {
    let mut len = 0;
    // SAFETY: a null buffer asks for the length only.
    let status = unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len) };
    check(status, "napi_get_value_string_utf8")?;
    let mut buf = vec![0u8; len + 1];
    let mut written = 0;
    // SAFETY: `buf` has room for `len` bytes and the terminating NUL Node-API writes.
    let status = unsafe {
        sys::napi_get_value_string_utf8(env, value, buf.as_mut_ptr().cast(), len + 1, &mut written)
    };
    check(status, "napi_get_value_string_utf8")?;
    buf.truncate(written);
    Ok(buf)
}

/// Where a typed array's or `DataView`'s bytes are, without making a Rust reference to
/// them (they may be unreadable, e.g. a `PROT_NONE` mapping).
pub struct View {
    pub addr: usize,
    pub len: usize,
    pub arraybuffer: sys::napi_value,
    pub detached: bool,
}

/// # Safety
/// `env` and `value` must be live handles of the current call.
pub unsafe fn view(env: sys::napi_env, value: sys::napi_value) -> napi::Result<View> {
    let (mut data, mut len, mut arraybuffer) = (ptr::null_mut::<c_void>(), 0usize, ptr::null_mut());
    let mut is_typed = false;
    // SAFETY: guaranteed by the caller.
    let status = unsafe { sys::napi_is_typedarray(env, value, &mut is_typed) };
    check(status, "napi_is_typedarray")?;
    if is_typed {
        let (mut ty, mut offset) = (0, 0);
        // SAFETY: `value` is a typed array; all out-pointers are valid.
        let status = unsafe {
            sys::napi_get_typedarray_info(
                env,
                value,
                &mut ty,
                &mut len,
                &mut data,
                &mut arraybuffer,
                &mut offset,
            )
        };
        check(status, "napi_get_typedarray_info")?;
        len *= element_size(ty);
    } else {
        let mut offset = 0;
        // SAFETY: a value that is not a DataView fails with a status.
        let status = unsafe {
            sys::napi_get_dataview_info(env, value, &mut len, &mut data, &mut arraybuffer, &mut offset)
        };
        check(status, "napi_get_dataview_info")?;
    }
    let mut detached = false;
    // SAFETY: `arraybuffer` is the live buffer behind `value`.
    let status = unsafe { sys::napi_is_detached_arraybuffer(env, arraybuffer, &mut detached) };
    check(status, "napi_is_detached_arraybuffer")?;
    Ok(View { addr: data as usize, len: if detached { 0 } else { len }, arraybuffer, detached })
}

/// The bytes viewed by a typed array or `DataView`; `None` if its buffer was detached.
/// The slice is valid only until control returns to JavaScript: copy it before then.
///
/// # Safety
/// `env` and `value` must be live handles of the current call.
pub unsafe fn typed_array_bytes<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
) -> napi::Result<Option<&'a mut [u8]>> {
    // SAFETY: guaranteed by the caller.
    let view = unsafe { view(env, value)? };
    if view.detached {
        return Ok(None);
    }
    if view.len == 0 || view.addr == 0 {
        return Ok(Some(&mut []));
    }
    // SAFETY: Node-API reported `len` bytes at `addr`, owned by a buffer that is not
    // detached and that the caller does not let JavaScript touch while the slice lives.
    Ok(Some(unsafe { std::slice::from_raw_parts_mut(view.addr as *mut u8, view.len) }))
}

/// The size in bytes of one element of a typed array of type `ty`.
pub fn element_size(ty: sys::napi_typedarray_type) -> usize {
    use sys::TypedarrayType as T;
    match ty {
        T::int16_array | T::uint16_array => 2,
        T::int32_array | T::uint32_array | T::float32_array => 4,
        T::float64_array | T::bigint64_array | T::biguint64_array => 8,
        _ => 1,
    }
}

/// A strong reference that keeps `value` alive until [`delete_ref`].
///
/// # Safety
/// `env` and `value` must be live handles of the current call.
pub unsafe fn create_ref(env: sys::napi_env, value: sys::napi_value) -> napi::Result<sys::napi_ref> {
    let mut r = ptr::null_mut();
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_create_reference(env, value, 1, &mut r) }, "napi_create_reference")?;
    Ok(r)
}

/// # Safety
/// `r` must come from [`create_ref`] in this `env` and not have been deleted.
pub unsafe fn delete_ref(env: sys::napi_env, r: sys::napi_ref) {
    // SAFETY: guaranteed by the caller. Failure here can only mean a dying env.
    unsafe { sys::napi_delete_reference(env, r) };
}

/// # Safety
/// `r` must be a live reference of this `env`.
pub unsafe fn ref_value(env: sys::napi_env, r: sys::napi_ref) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_get_reference_value(env, r, &mut v) }, "napi_get_reference_value")?;
    Ok(v)
}

/// A new JS string from UTF-8 bytes; invalid sequences become U+FFFD, as in Node.
///
/// # Safety
/// `env` must be live and on its JS thread.
pub unsafe fn string(env: sys::napi_env, bytes: &[u8]) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: `bytes` is valid for `bytes.len()` bytes; Node-API copies them.
    let status =
        unsafe { sys::napi_create_string_utf8(env, bytes.as_ptr().cast(), bytes.len() as isize, &mut v) };
    check(status, "napi_create_string_utf8")?;
    Ok(v)
}

/// A new `Buffer` holding a copy of `bytes`.
///
/// # Safety
/// `env` must be live and on its JS thread.
pub unsafe fn buffer_copy(env: sys::napi_env, bytes: &[u8]) -> napi::Result<sys::napi_value> {
    let (mut v, mut data) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: `bytes` is valid for `bytes.len()` bytes; Node-API copies them.
    let status =
        unsafe { sys::napi_create_buffer_copy(env, bytes.len(), bytes.as_ptr().cast(), &mut data, &mut v) };
    check(status, "napi_create_buffer_copy")?;
    Ok(v)
}

/// A new JS array of `len` holes.
///
/// # Safety
/// `env` must be live and on its JS thread.
pub unsafe fn array(env: sys::napi_env, len: usize) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_create_array_with_length(env, len, &mut v) }, "napi_create_array")?;
    Ok(v)
}

/// # Safety
/// `env`, `array` and `value` must be live handles on the JS thread.
pub unsafe fn set_element(
    env: sys::napi_env,
    array: sys::napi_value,
    i: u32,
    value: sys::napi_value,
) -> napi::Result<()> {
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_set_element(env, array, i, value) }, "napi_set_element")
}

/// A JS number.
///
/// # Safety
/// `env` must be live and on its JS thread.
pub unsafe fn number(env: sys::napi_env, n: f64) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_create_double(env, n, &mut v) }, "napi_create_double")?;
    Ok(v)
}

/// A JS bigint.
///
/// # Safety
/// `env` must be live and on its JS thread.
pub unsafe fn bigint(env: sys::napi_env, n: i64) -> napi::Result<sys::napi_value> {
    let mut v = ptr::null_mut();
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_create_bigint_int64(env, n, &mut v) }, "napi_create_bigint_int64")?;
    Ok(v)
}

/// A `Float64Array` holding a copy of `values`.
///
/// # Safety
/// `env` must be live and on its JS thread.
pub unsafe fn float64_array(env: sys::napi_env, values: &[f64]) -> napi::Result<sys::napi_value> {
    let (mut ab, mut data) = (ptr::null_mut(), ptr::null_mut::<c_void>());
    let bytes = std::mem::size_of_val(values);
    // SAFETY: guaranteed by the caller.
    let status = unsafe { sys::napi_create_arraybuffer(env, bytes, &mut data, &mut ab) };
    check(status, "napi_create_arraybuffer")?;
    if bytes > 0 {
        // SAFETY: the new ArrayBuffer has `bytes` writable bytes at `data`, suitably aligned
        // for any type (V8 allocates backing stores with at least 8-byte alignment).
        unsafe { ptr::copy_nonoverlapping(values.as_ptr().cast::<u8>(), data.cast::<u8>(), bytes) };
    }
    let mut v = ptr::null_mut();
    // SAFETY: `ab` is the live ArrayBuffer just created.
    let status = unsafe {
        sys::napi_create_typedarray(env, sys::TypedarrayType::float64_array, values.len(), ab, 0, &mut v)
    };
    check(status, "napi_create_typedarray")?;
    Ok(v)
}

/// `undefined`.
///
/// # Safety
/// `env` must be live and on its JS thread.
pub unsafe fn undefined(env: sys::napi_env) -> sys::napi_value {
    let mut v = ptr::null_mut();
    // SAFETY: guaranteed by the caller; this call cannot fail on a live env.
    unsafe { sys::napi_get_undefined(env, &mut v) };
    v
}

/// A 64-bit integer from a JS number or bigint (the JS layer checked the range).
///
/// # Safety
/// `env` and `value` must be live handles of the current call.
pub unsafe fn int64(env: sys::napi_env, value: sys::napi_value) -> napi::Result<i64> {
    let mut ty = 0;
    // SAFETY: guaranteed by the caller.
    check(unsafe { sys::napi_typeof(env, value, &mut ty) }, "napi_typeof")?;
    let mut n = 0i64;
    if ty == sys::ValueType::napi_bigint {
        let mut lossless = false;
        // SAFETY: `value` is a bigint; the out-pointers are valid.
        let status = unsafe { sys::napi_get_value_bigint_int64(env, value, &mut n, &mut lossless) };
        check(status, "napi_get_value_bigint_int64")?;
    } else {
        // SAFETY: guaranteed by the caller; a non-number fails with a status.
        check(unsafe { sys::napi_get_value_int64(env, value, &mut n) }, "napi_get_value_int64")?;
    }
    Ok(n)
}
