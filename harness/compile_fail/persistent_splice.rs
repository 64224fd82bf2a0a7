// expect-error: `<T as FileSystem>::Dentries = kernel::fs::dentry::Cached`
//! Persistent vs cached dentries: a file system whose tree is the dcache cannot splice inodes
//! into lookups.
use kernel::fs::{
    dentry::{Looked, Lookup, Persistent},
    filesystem::FileSystem,
};
use kernel::prelude::*;

/// Tries to complete a lookup.
pub fn f<'a, T: FileSystem<Dentries = Persistent>>(d: Lookup<'a, T>) -> Result<Looked<'a, T>> {
    d.splice(None)
}
