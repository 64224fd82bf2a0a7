// expect-error: the trait bound `u32: Lockable` is not satisfied
//! S10: `Locked` stands for the VFS's `i_rwsem`, so it only wraps inodes.
use kernel::fs::lock::{Locked, Shared};

/// Tries to claim a lock on something that has none.
pub fn f(_x: &Locked<'_, u32, Shared>) {}
