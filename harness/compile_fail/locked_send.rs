// expect-error: cannot be sent between threads safely
//! S10: a lock held by the current task cannot be handed to another thread.
use kernel::fs::{filesystem::FileSystem, inode::Inode, lock::{Exclusive, Locked}};

fn send<S: Send>(_: S) {}

/// Tries to send a locked reference.
pub fn f<T: FileSystem>(dir: Locked<'_, Inode<T>, Exclusive>) {
    send(dir);
}
