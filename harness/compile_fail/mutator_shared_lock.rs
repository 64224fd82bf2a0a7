// expect-error: no method named `inc_nlink`
//! S10: link counts change only under the exclusive lock.
use kernel::fs::{filesystem::FileSystem, inode::Inode, lock::{Locked, Shared}};

/// Tries to change a link count with the lock held shared.
pub fn f<T: FileSystem>(dir: &Locked<'_, Inode<T>, Shared>) {
    dir.inc_nlink();
}
