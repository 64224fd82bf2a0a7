// expect-error: no method named `inc_nlink`
//! S10: link counts change only under the exclusive lock.
use kernel::fs::{filesystem::FileSystem, inode::INode, lock::{Locked, Shared}};

/// Tries to change a link count with the lock held shared.
pub fn f<T: FileSystem>(dir: &Locked<'_, INode<T>, Shared>) {
    dir.inc_nlink();
}
