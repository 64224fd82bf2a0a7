// expect-error: libfs lookup, link, unlink, rmdir and rename need persistent dentries
//! A file system with its own lookup (cached dentries) cannot take the libfs `unlink`, which
//! unpins dentries that were never pinned.
use kernel::fs::{
    context::Context,
    dentry::{self, Child, Removed},
    filesystem::FileSystem,
    inode::{self, Inode},
    libfs,
    lock::{Exclusive, Locked},
    sb::{self, SuperBlock},
};
use kernel::prelude::*;

/// A file system.
pub struct MyFs;

#[vtable]
impl FileSystem for MyFs {
    const NAME: &'static CStr = c"myfs";
    type Options = ();
    type Dentries = dentry::Cached;
    type Data = ();
    type InodeData = ();

    fn init_data(_fc: &Context, _opts: &()) -> Result {
        Ok(())
    }

    fn fill_super(_sb: &SuperBlock<Self, sb::New>, _fc: &Context) -> Result {
        Ok(())
    }

    fn init_root(_sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>> {
        Err(EINVAL)
    }
}

/// Its directories.
pub struct DirOps;

#[vtable]
impl inode::Operations for DirOps {
    type FileSystem = MyFs;
    const UNLINK: inode::Unlink = libfs::SIMPLE_UNLINK;
}

/// Builds the table.
pub fn table() -> &'static inode::Ops<MyFs> {
    inode::Ops::of::<DirOps>()
}
