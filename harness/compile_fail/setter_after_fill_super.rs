// expect-error: no method named `set_magic`
//! Superblock parameters are only set while `fill_super` sets the superblock up.
use kernel::fs::{filesystem::FileSystem, sb::SuperBlock};

/// Tries to change the magic number of a mounted superblock.
pub fn f<T: FileSystem>(sb: &SuperBlock<T>) {
    sb.set_magic(1);
}
