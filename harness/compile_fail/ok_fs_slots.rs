// expect-ok
//! The positive control of the slot checks: a file system whose tree is the dcache takes the
//! libfs `unlink`.
use kernel::fs::{
    dentry::{self, Child, Removed},
    inode::{self, Inode},
    libfs,
    lock::{Exclusive, Locked},
};
use kernel::prelude::*;

include!("include/my_fs.rs");

/// Its kind.
pub type Fs = MyFs<dentry::Persistent>;

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
