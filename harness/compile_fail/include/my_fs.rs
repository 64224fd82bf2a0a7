// SPDX-License-Identifier: GPL-2.0
// Included by the snippets that need a whole file system: `MyFs<K>` keeps its dentries as `K`
// says (`dentry::Persistent` or `dentry::Cached`) and does nothing else.

/// A file system.
pub struct MyFs<K>(K);

#[vtable]
impl<K: kernel::fs::dentry::Kind + Send + Sync + 'static> kernel::fs::filesystem::FileSystem
    for MyFs<K>
{
    const NAME: &'static CStr = c"myfs";
    type Options = ();
    type Dentries = K;
    type Data = ();
    type InodeData = ();

    fn init_data(_fc: &kernel::fs::context::Context, _opts: &()) -> Result {
        Ok(())
    }

    fn fill_super(
        _sb: &kernel::fs::sb::SuperBlock<Self, kernel::fs::sb::New>,
        _fc: &kernel::fs::context::Context,
    ) -> Result {
        Ok(())
    }

    fn init_root(
        _sb: &kernel::fs::sb::SuperBlock<Self>,
    ) -> Result<kernel::fs::dentry::Root<Self>> {
        Err(EINVAL)
    }
}
