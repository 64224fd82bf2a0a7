// expect-error: a Rust lookup needs cached dentries
//! Persistent vs cached dentries: a file system whose tree is the dcache has nothing to look up;
//! a Rust `lookup` there is a build error.
use kernel::fs::{
    dentry,
    inode::{self, Inode},
    lock::{Locked, Shared},
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
    fn lookup<'a>(
        _dir: &Locked<'_, Inode<Fs>, Shared>,
        _dentry: dentry::Lookup<'a, Fs>,
    ) -> Result<dentry::Looked<'a, Fs>> {
        Err(ENOENT)
    }
}

/// Builds the table.
pub fn table() -> &'static inode::Ops<Fs> {
    inode::Ops::of::<DirOps>()
}
