// expect-error: lifetime may not live long enough
//! S11: the token of one child cannot stand for another's (invariant lifetime).
use kernel::fs::dentry::{Child, Removed};
use kernel::fs::filesystem::FileSystem;

/// Tries to return the token of child `a` for child `b`.
pub fn f<'a, 'b, T: FileSystem>(a: Child<'a, T>, _b: Child<'b, T>) -> Removed<'b> {
    a.removed()
}
