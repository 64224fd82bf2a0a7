// expect-error: both a Rust and a C unlink
//! A slot is filled either in Rust or with a named C implementation, not both.
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

    fn unlink<'a>(
        _dir: &Locked<'_, Inode<Fs>, Exclusive>,
        child: Child<'a, Fs>,
    ) -> Result<Removed<'a>> {
        Ok(child.removed())
    }
}

/// Builds the table.
pub fn table() -> &'static inode::Ops<Fs> {
    inode::Ops::of::<DirOps>()
}
