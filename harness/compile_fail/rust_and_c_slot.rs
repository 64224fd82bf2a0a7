// expect-error: both a Rust and a C unlink
//! A slot is filled either in Rust or with a named C implementation, not both.
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
    type Dentries = dentry::Persistent;
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

    fn unlink<'a>(
        _dir: &Locked<'_, Inode<MyFs>, Exclusive>,
        child: Child<'a, MyFs>,
    ) -> Result<Removed<'a>> {
        Ok(child.removed())
    }
}

/// Builds the table.
pub fn table() -> &'static inode::Ops<MyFs> {
    inode::Ops::of::<DirOps>()
}
