// SPDX-License-Identifier: GPL-2.0

//! The C implementations of operations that file systems share (`fs/libfs.c` and the generic
//! helpers), by the names a C file system puts in its tables.
//!
//! A Rust file system names them in its operation traits, so that its tables read like C ones:
//!
//! ```
//! use kernel::fs::{dentry::Child, filesystem::FileSystem, inode, libfs, sb};
//!
//! // Like `fs/ramfs/inode.c`: `.lookup = simple_lookup, .link = simple_link, ...`.
//! struct DirOps<T>(T);
//!
//! #[vtable]
//! impl<T: FileSystem> inode::Operations for DirOps<T> {
//!     type FileSystem = T;
//!     const LOOKUP: inode::Lookup = libfs::SIMPLE_LOOKUP;
//!     const LINK: inode::Link = libfs::SIMPLE_LINK;
//!     const UNLINK: inode::Unlink = libfs::SIMPLE_UNLINK;
//!     const RMDIR: inode::Rmdir = libfs::SIMPLE_RMDIR;
//!     const RENAME: inode::Rename = libfs::SIMPLE_RENAME;
//! }
//!
//! struct SuperOps<T>(T);
//!
//! #[vtable]
//! impl<T: FileSystem> sb::Operations for SuperOps<T> {
//!     type FileSystem = T;
//!     const STATFS: sb::Statfs = libfs::SIMPLE_STATFS;
//!     const DROP_INODE: sb::DropInode = libfs::INODE_JUST_DROP;
//! }
//! ```
//!
//! A Rust operation that adds behaviour of its own (accounting, say) and then does what libfs
//! does calls the wrappers of this module instead, e.g. [`simple_unlink`].
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::{
    dentry::{
        Child,
        Dentry,
        LinkSource,
        Negative,
        Persistent,
        Removed,
        RenameSource,
        RenameTarget, //
    },
    filesystem::FileSystem,
    idmap::MntIdmap,
    inode::{
        AttrChange,
        AttrMask,
        Getattr,
        Inode,
        Link,
        Lookup,
        Rename,
        RenameFlags,
        Rmdir,
        Setattr,
        Unlink, //
    },
    lock::{
        Exclusive,
        Locked, //
    },
    sb::{
        DropInode,
        Kstatfs,
        Statfs, //
    },
};
use crate::{
    bindings,
    error::{
        code::*,
        to_result,
        Result, //
    },
};

pub use super::address_space::simple_write_begin;

/// `simple_lookup()`: a name that is not in the dcache does not exist (it adds a negative dentry
/// that is dropped once unused). For file systems whose whole tree is in the dcache, made of
/// dentries pinned with [`Negative::make_persistent`](super::dentry::Negative::make_persistent).
pub const SIMPLE_LOOKUP: Lookup = Lookup(Some(bindings::simple_lookup));

/// `simple_link()`: adds a persistent dentry for another name of the inode.
pub const SIMPLE_LINK: Link = Link(Some(bindings::simple_link));

/// `simple_unlink()`: drops the link count and unpins the persistent dentry.
pub const SIMPLE_UNLINK: Unlink = Unlink(Some(bindings::simple_unlink));

/// `simple_rmdir()`: `ENOTEMPTY` unless the directory has no positive children in the dcache,
/// then as [`SIMPLE_UNLINK`], also dropping the parent's link count.
pub const SIMPLE_RMDIR: Rmdir = Rmdir(Some(bindings::simple_rmdir));

/// `simple_rename()`: renames within the dcache, with `RENAME_NOREPLACE` and `RENAME_EXCHANGE`
/// (`EINVAL` for other flags), replacing a target as [`SIMPLE_UNLINK`] does.
pub const SIMPLE_RENAME: Rename = Rename(Some(bindings::simple_rename));

/// `simple_setattr()`: applies attribute changes to the inode, truncating the page cache on a
/// size change (without updating the times, unlike tmpfs).
pub const SIMPLE_SETATTR: Setattr = Setattr(Some(bindings::simple_setattr));

/// `simple_getattr()`: the inode's attributes, with `st_blocks` counted from the page cache.
pub const SIMPLE_GETATTR: Getattr = Getattr(Some(bindings::simple_getattr));

/// `simple_set_acl()`: keeps the POSIX ACLs of an inode in memory only (in `i_acl` and
/// `i_default_acl`), updating its mode to match; for file systems whose inodes live as long as
/// their files, like tmpfs's.
#[cfg(CONFIG_FS_POSIX_ACL)]
pub const SIMPLE_SET_ACL: super::inode::SetAcl =
    super::inode::SetAcl(Some(bindings::simple_set_acl));

/// `simple_statfs()`: the block size and magic number, with block and inode counts of zero.
pub const SIMPLE_STATFS: Statfs = Statfs(Some(bindings::simple_statfs));

/// `inode_just_drop()`: evicts an inode as soon as its last reference is dropped, as in-memory
/// file systems do.
pub const INODE_JUST_DROP: DropInode = DropInode(Some(bindings::inode_just_drop));

/// Does what `simple_unlink()` does for `child`, a name of a non-directory in `dir`, from a Rust
/// `unlink`: drops the inode's link count and updates the times of `dir` and the inode
/// (`__simple_unlink()`). The returned token is what `unlink` returns; a persistent dentry is
/// unpinned once it did.
pub fn simple_unlink<'a, T: FileSystem>(
    dir: &Locked<'_, Inode<T>, Exclusive>,
    child: Child<'a, T>,
) -> Removed<'a> {
    // SAFETY: `dir` and the inode of `child`, its positive child, are locked exclusively
    // (`Locked`, `Child` invariants), as `unlink` holds them.
    unsafe { bindings::__simple_unlink(dir.as_raw(), child.as_raw()) };
    child.removed()
}

/// Does what `simple_link()` does, from a Rust `link`: gives the inode of `old` the name of
/// `dentry` in `dir`, incrementing its link count, updating the times, and pinning the new
/// dentry as [`Negative::make_persistent`] does.
pub fn simple_link<T: FileSystem<Dentries = Persistent>>(
    old: &LinkSource<'_, T>,
    dir: &Locked<'_, Inode<T>, Exclusive>,
    dentry: Negative<'_, T>,
) {
    // SAFETY:
    // - `old` is positive with its inode locked exclusively, `dentry` is a negative child of
    //   `dir`, which is locked exclusively (`LinkSource`, `Negative`, `Locked` invariants), as
    //   `link` holds them; the VFS checked that they share a superblock.
    // - `simple_link()` always succeeds; the new dentry takes the inode reference it adds.
    unsafe { bindings::simple_link(old.as_raw(), dir.as_raw(), dentry.as_raw()) };
}

/// Does what `simple_rmdir()` does for `child`, a directory in `dir`, from a Rust `rmdir`:
/// `ENOTEMPTY` unless it has no positive children in the dcache, otherwise drops the link
/// counts of both and updates the times (`__simple_rmdir()`). The returned token is what
/// `rmdir` returns; a persistent dentry is unpinned once it did.
pub fn simple_rmdir<'a, T: FileSystem>(
    dir: &Locked<'_, Inode<T>, Exclusive>,
    child: Child<'a, T>,
) -> Result<Removed<'a>> {
    if !child.simple_empty() {
        return Err(ENOTEMPTY);
    }
    // SAFETY: `dir` and the inode of `child`, its positive child directory, are locked
    // exclusively (`Locked`, `Child` invariants), as `rmdir` holds them.
    unsafe { bindings::__simple_rmdir(dir.as_raw(), child.as_raw()) };
    Ok(child.removed())
}

/// Does what `simple_statfs()` does, from a Rust `statfs`: reports the file system ID and the
/// magic number of the superblock, a block size of `PAGE_SIZE` and names of up to `NAME_MAX`
/// bytes, leaving the counts of blocks and inodes to the caller.
pub fn simple_statfs<T: FileSystem>(dentry: &Dentry<T>, buf: &mut Kstatfs) {
    // SAFETY: `dentry` is a valid dentry and `buf` valid statistics, only ours during the call;
    // `simple_statfs()` only reads the superblock of the dentry and always succeeds.
    unsafe { bindings::simple_statfs(dentry.as_raw(), buf.as_raw()) };
}

/// Does what `simple_rename()` does, from a Rust `rename` with its arguments: `RENAME_EXCHANGE`
/// swaps the two entries, otherwise a target is replaced (`ENOTEMPTY` for a directory kept in
/// the dcache with positive children) and the link counts and times are updated; other flags
/// than `RENAME_NOREPLACE` fail with `EINVAL`, and `EINVAL` too if `old` or `new` is not in the
/// directory given for it. A replaced persistent target is unpinned by the time `rename`
/// returns.
pub fn simple_rename<T: FileSystem>(
    idmap: &MntIdmap,
    old_dir: &Locked<'_, Inode<T>, Exclusive>,
    old: &RenameSource<'_, T>,
    new_dir: &Locked<'_, Inode<T>, Exclusive>,
    new: &RenameTarget<'_, T>,
    flags: RenameFlags,
) -> Result {
    if !old.is_in(old_dir) || !new.is_in(new_dir) {
        return Err(EINVAL);
    }
    // SAFETY:
    // - `old` and `new` are the entries of a rename in `old_dir` and `new_dir` (checked above),
    //   which are locked exclusively, with the inodes of the entries locked as `vfs_rename()`
    //   locks them (`Locked`, `RenameSource` and `RenameTarget` invariants).
    // - `idmap` is a valid idmap.
    to_result(unsafe {
        bindings::simple_rename(
            idmap.as_raw(),
            old_dir.as_raw(),
            old.as_raw(),
            new_dir.as_raw(),
            new.as_raw(),
            flags.bits(),
        )
    })
}

/// Does what `simple_setattr()` does, from a Rust `setattr`: checks that the caller may make
/// `change` (`setattr_prepare()`), then applies it to the inode, truncating the page cache on a
/// size change (`truncate_setsize()`), without updating the times for it.
pub fn simple_setattr<T: FileSystem>(idmap: &MntIdmap, change: &AttrChange<'_, T>) -> Result {
    let (dentry, attr) = change.as_raw();
    // SAFETY: `dentry` is positive with its inode locked exclusively, and `attr` is the valid
    // `iattr` of the call, only used by this task (`AttrChange` invariants), as `setattr` gets
    // them; `idmap` is a valid idmap.
    to_result(unsafe { bindings::simple_setattr(idmap.as_raw(), dentry, attr) })
}

/// Updates the access ACL of the inode whose mode changes by `change` to the new mode, as
/// `setattr` does after a `chmod()` on a superblock with POSIX ACLs (`posix_acl_chmod()`); does
/// nothing if the mode does not change or the inode has no ACL.
pub fn posix_acl_chmod<T: FileSystem>(idmap: &MntIdmap, change: &AttrChange<'_, T>) -> Result {
    if !change.valid().contains(AttrMask::MODE) {
        return Ok(());
    }
    #[cfg(CONFIG_FS_POSIX_ACL)]
    {
        let (dentry, _) = change.as_raw();
        let inode = change.inode();
        // SAFETY: `dentry` is positive with its inode locked exclusively (`AttrChange`
        // invariants), as `posix_acl_chmod()` requires for the `set_acl` it calls; `idmap` is a
        // valid idmap.
        to_result(unsafe {
            bindings::posix_acl_chmod(idmap.as_raw(), dentry, inode.mode().bits())
        })?;
    }
    #[cfg(not(CONFIG_FS_POSIX_ACL))]
    let _ = idmap;
    Ok(())
}
