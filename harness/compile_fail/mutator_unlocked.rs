// expect-error: no method named `drop_nlink`
//! S10: link counts change only under the exclusive lock.
use kernel::fs::{filesystem::FileSystem, inode::Inode};

/// Tries to change a link count without any lock.
pub fn f<T: FileSystem>(inode: &Inode<T>) {
    inode.drop_nlink();
}
