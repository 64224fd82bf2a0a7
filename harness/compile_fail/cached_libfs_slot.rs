// expect-error: libfs lookup, link, unlink, rmdir and rename need persistent dentries
//! A file system with its own lookup (cached dentries) cannot take the libfs `unlink`, which
//! unpins dentries that were never pinned.
use kernel::fs::{
    dentry::{self, Child, Removed},
    inode::{self, Inode},
    libfs,
    lock::{Exclusive, Locked},
};
use kernel::prelude::*;

include!("include/my_fs.rs");

/// Its kind.
pub type Fs = MyFs<dentry::Cached>;

/// Its directories.
pub struct DirOps;

#[vtable]
impl inode::Operations for DirOps {
    type FileSystem = Fs;
    const UNLINK: inode::Unlink = libfs::SIMPLE_UNLINK;
}

/// Builds the table.
pub fn table() -> &'static inode::Ops<Fs> {
    inode::Ops::of::<DirOps>()
}
