// expect-error: INode<T>: AlwaysRefCounted
//! S1: there is no unbounded, `Send` owned inode reference (`ARef<INode>`) anymore.
use kernel::fs::{filesystem::FileSystem, inode::INode};
use kernel::sync::aref::ARef;

/// Tries to make one.
pub fn keep<T: FileSystem>(dir: &INode<T>) -> ARef<INode<T>> {
    ARef::from(dir)
}
