// expect-error: E0423
//! S11: the `Removed` token of `unlink`/`rmdir` only comes from `Child::removed`.
use core::marker::PhantomData;
use kernel::fs::dentry::Removed;

/// Tries to make one up.
pub fn f<'a>() -> Removed<'a> {
    Removed(PhantomData)
}
