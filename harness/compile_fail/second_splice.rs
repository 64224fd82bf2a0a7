// expect-error: use of moved value
//! A lookup completes once: `splice` consumes the dentry being looked up.
use kernel::fs::{dentry::{Cached, Looked, Lookup}, filesystem::FileSystem};
use kernel::prelude::*;

/// Tries to splice twice.
pub fn f<'a, T: FileSystem<Dentries = Cached>>(d: Lookup<'a, T>) -> Result<Looked<'a, T>> {
    let _ = d.splice(None);
    d.splice(None)
}
