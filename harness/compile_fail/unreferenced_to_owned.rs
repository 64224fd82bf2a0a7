// expect-error: no method named `to_owned` found
//! Review fix: nor can such an inode be kept beyond the callback with its superblock.
use kernel::fs::{filesystem::FileSystem, inode::Unreferenced};

/// Tries to keep an inode whose folio is being invalidated.
pub fn keep<T: FileSystem>(inode: &Unreferenced<'_, T>) {
    let _ = inode.to_owned();
}
