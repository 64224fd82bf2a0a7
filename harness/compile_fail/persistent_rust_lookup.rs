// expect-error: a Rust lookup needs cached dentries
//! Persistent vs cached dentries: a file system whose tree is the dcache has nothing to look up;
//! a Rust `lookup` there is a build error.
use kernel::fs::{
    context::Context,
    dentry,
    filesystem::FileSystem,
    inode::{self, Inode},
    lock::{Locked, Shared},
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
    fn lookup<'a>(
        _dir: &Locked<'_, Inode<MyFs>, Shared>,
        _dentry: dentry::Lookup<'a, MyFs>,
    ) -> Result<dentry::Looked<'a, MyFs>> {
        Err(ENOENT)
    }
}

/// Builds the table.
pub fn table() -> &'static inode::Ops<MyFs> {
    inode::Ops::of::<DirOps>()
}
