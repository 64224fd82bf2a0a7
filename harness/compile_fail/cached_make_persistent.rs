// expect-error: `<T as FileSystem>::Dentries = Persistent`
//! Persistent vs cached dentries: a file system with its own lookup cannot pin dentries.
use kernel::fs::{
    dentry::{Cached, Negative},
    filesystem::FileSystem,
    inode::New,
};
use kernel::prelude::*;

/// Tries to pin a new dentry.
pub fn f<T: FileSystem<Dentries = Cached>>(d: Negative<'_, T>, i: New<'_, T>) -> Result {
    d.make_persistent(i)
}
