//! Bindings of the `eio_core::ops::names` requests.
