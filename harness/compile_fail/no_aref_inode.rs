// expect-error: Inode<T>: AlwaysRefCounted
//! S1: there is no unbounded, `Send` owned inode reference (`ARef<Inode>`) anymore.
use kernel::fs::{filesystem::FileSystem, inode::Inode};
use kernel::sync::aref::ARef;

/// Tries to make one.
pub fn keep<T: FileSystem>(dir: &Inode<T>) -> ARef<Inode<T>> {
    ARef::from(dir)
}
