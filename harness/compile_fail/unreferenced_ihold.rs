// expect-error: no method named `ihold` found
//! Review fix: an inode whose reference count may be zero (being evicted, or the host of a
//! folio being invalidated or released) is offered as `Unreferenced`, which takes no reference.
use kernel::fs::{filesystem::FileSystem, inode::Unreferenced};

/// Tries to take a reference to an inode being evicted.
pub fn hold<T: FileSystem>(inode: &Unreferenced<'_, T>) {
    let _ = inode.ihold();
}
