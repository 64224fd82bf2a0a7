// expect-ok
//! The positive control: the right uses of what the other snippets misuse.
use kernel::fs::{
    dentry::{Cached, Child, Looked, Lookup, Removed},
    filesystem::FileSystem,
    inode::{Evicting, Inode, Ref, Unreferenced},
    lock::{Exclusive, Locked, Shared},
    param::{Param, Value},
    xattr::SimpleXattrs,
};
use kernel::prelude::*;

/// Looks at a directory with the lock held at least shared.
pub fn read<T: FileSystem>(_dir: &Locked<'_, Inode<T>, Shared>) {}

/// An exclusively locked directory can be used where a shared one is expected.
pub fn write<T: FileSystem>(dir: &Locked<'_, Inode<T>, Exclusive>) {
    read(dir);
    dir.inc_nlink();
}

/// A reference lives as long as the inode it was taken from.
pub fn keep<'a, T: FileSystem>(dir: &'a Inode<T>) -> Ref<'a, T> {
    dir.ihold()
}

/// A lookup ends with one `splice`.
pub fn lookup<'a, T: FileSystem<Dentries = Cached>>(d: Lookup<'a, T>) -> Result<Looked<'a, T>> {
    d.splice(None)
}

/// `unlink` returns the token of its own child.
pub fn unlink<'a, T: FileSystem>(c: Child<'a, T>) -> Result<Removed<'a>> {
    Ok(c.removed())
}

/// A parameter's value comes with its kind.
pub fn mode(p: &Param<'_>) -> Option<u32> {
    match p.value() {
        Value::U32(v) => Some(v),
        _ => None,
    }
}

/// What an inode being evicted is can still be read, as its superblock's data.
pub fn evicted<T: FileSystem>(inode: &Unreferenced<'_, T>) -> u32 {
    let _ = inode.super_block().data();
    let _ = inode.data();
    inode.nlink()
}

/// The attributes of an inode go when it is evicted.
pub fn evicting<T: FileSystem>(inode: &Evicting<'_, T>) -> usize {
    SimpleXattrs::free(inode)
}
