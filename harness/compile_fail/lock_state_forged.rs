// expect-error: Nothing: LockState
//! S10: lock states are sealed: no third state can be made up.
use kernel::fs::{filesystem::FileSystem, inode::Inode, lock::Locked};

/// A made-up lock state.
pub struct Nothing;

/// Tries to use it.
pub fn f<T: FileSystem>(_dir: &Locked<'_, Inode<T>, Nothing>) {}
