// expect-error: cannot be shared between threads safely
//! S7: a superblock being set up belongs to the task setting it up.
use kernel::fs::{filesystem::FileSystem, sb::{self, SuperBlock}};

fn share<S: Sync>(_: &S) {}

/// Tries to share it.
pub fn f<T: FileSystem>(sb: &SuperBlock<T, sb::New>) {
    share(sb);
}
