// expect-error: E0308
//! S10: a shared lock is not an exclusive one.
use kernel::fs::{filesystem::FileSystem, inode::Inode, lock::{Exclusive, Locked, Shared}};

fn write<T: FileSystem>(_dir: &Locked<'_, Inode<T>, Exclusive>) {}

/// Tries to pass a shared lock where the exclusive one is needed.
pub fn f<T: FileSystem>(dir: &Locked<'_, Inode<T>, Shared>) {
    write(dir);
}
