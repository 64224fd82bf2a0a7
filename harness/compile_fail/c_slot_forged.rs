// expect-error: E0423
//! Named C slots: a driver cannot put an arbitrary C function into a table.
use kernel::bindings;
use kernel::fs::inode::Unlink;

/// Tries to make a slot from a function of its own.
pub const MINE: Unlink = Unlink(Some(bindings::simple_unlink));
