// SPDX-License-Identifier: GPL-2.0

//! Inode operations (`struct inode_operations`).
//!
//! A file system implements [`Operations`] for each kind of inode that needs its own table
//! (directories, files, ...) and builds the static C table with [`Ops::new`]. Methods not
//! implemented in Rust fall back to the libfs implementation chosen in [`Operations::LIBFS`],
//! wired directly into the table, or else to the VFS default.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::{
    Dev,
    INode,
    Mode, //
};
use crate::{
    bindings,
    error::{
        from_result,
        Result,
        VTABLE_DEFAULT_ERROR, //
    },
    fs::{
        dentry::{
            Child,
            Looked,
            Lookup,
            Negative,
            Opened,
            RenameEntry,
            TmpFile, //
        },
        filesystem::FileSystem,
        idmap::MntIdmap,
        lock::{
            Exclusive,
            Locked,
            Shared, //
        },
    },
    prelude::*, //
};
use core::{
    marker::PhantomData,
    ptr, //
};

/// Flags of `renameat2(2)` given to `rename`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenameFlags(u32);

impl RenameFlags {
    /// Fail with `EEXIST` instead of replacing the target (`RENAME_NOREPLACE`); the VFS checks
    /// it before calling the file system.
    pub const NOREPLACE: Self = Self(1 << 0);
    /// Exchange source and target, which both exist (`RENAME_EXCHANGE`).
    pub const EXCHANGE: Self = Self(1 << 1);
    /// Leave a whiteout in place of the source, for overlayfs (`RENAME_WHITEOUT`).
    pub const WHITEOUT: Self = Self(1 << 2);

    /// Returns the raw value.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Returns `true` if all flags of `other` are set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

/// Inode operations implemented in Rust, and the libfs implementations chosen for the others.
///
/// Methods run with the locks the VFS takes for them, expressed in their argument types:
/// namespace operations get the parent directory locked [`Exclusive`].
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// Operations taken from libfs instead of Rust.
    const LIBFS: Libfs = Libfs::NONE;

    /// Looks up the name of `dentry` in `dir` (`lookup`), with `dir` locked at least shared.
    ///
    /// Ends with [`Lookup::splice`], with the inode found or `None` for a name that does not
    /// exist, and returns its result.
    fn lookup<'a>(
        _dir: &Locked<'_, INode<Self::FileSystem>, Shared>,
        _dentry: Lookup<'a, Self::FileSystem>,
    ) -> Result<Looked<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a regular file for the negative `dentry` in `dir` (`create`).
    fn create(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
        _mode: Mode,
        _excl: bool,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a directory for the negative `dentry` in `dir` (`mkdir`), instantiating
    /// `dentry` (the C callback then returns `NULL`).
    fn mkdir(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
        _mode: Mode,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the name `child` of a non-directory from `dir` (`unlink`). The VFS has checked
    /// permissions and that it is not a directory; it holds the locks of `dir` and of the inode.
    fn unlink(
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _child: Child<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the directory `child` from `dir` (`rmdir`); fails with `ENOTEMPTY` unless it is
    /// empty. The VFS holds the locks of `dir` and of the directory being removed.
    fn rmdir(
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _child: Child<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Renames `old` in `old_dir` to `new` in `new_dir` (`rename`); the two directories may be
    /// the same. The VFS has checked permissions, `RENAME_NOREPLACE` and the kinds of source and
    /// target, and moves the dentry once this succeeds (`d_move()`).
    fn rename(
        _idmap: &MntIdmap,
        _old_dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _old: RenameEntry<'_, Self::FileSystem>,
        _new_dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _new: RenameEntry<'_, Self::FileSystem>,
        _flags: RenameFlags,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a symbolic link to `target` for the negative `dentry` in `dir` (`symlink`).
    fn symlink(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
        _target: &CStr,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a FIFO, socket, device node or regular file of `mode` for the negative `dentry`
    /// in `dir` (`mknod`). The VFS has checked the type and, for devices, `CAP_MKNOD`.
    fn mknod(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, INode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
        _mode: Mode,
        _dev: Dev,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates an unnamed file of `mode` in `dir` for an `O_TMPFILE` open and opens it
    /// (`tmpfile`) with [`TmpFile::open`], whose token it returns. The VFS does not lock `dir`:
    /// nothing becomes visible in it.
    fn tmpfile<'a>(
        _idmap: &MntIdmap,
        _dir: &INode<Self::FileSystem>,
        _file: TmpFile<'a, Self::FileSystem>,
        _mode: Mode,
    ) -> Result<Opened<'a>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A set of libfs inode operations.
#[derive(Clone, Copy)]
pub struct Libfs(u32);

impl Libfs {
    /// None.
    pub const NONE: Self = Self(0);
    /// `lookup = simple_lookup`: names not in the dcache do not exist.
    pub const LOOKUP: Self = Self(1 << 0);
    /// `link = simple_link`.
    pub const LINK: Self = Self(1 << 1);
    /// `unlink = simple_unlink`.
    pub const UNLINK: Self = Self(1 << 2);
    /// `rmdir = simple_rmdir` (`ENOTEMPTY` unless empty).
    pub const RMDIR: Self = Self(1 << 3);
    /// `rename = simple_rename` (`RENAME_NOREPLACE` and `RENAME_EXCHANGE`).
    pub const RENAME: Self = Self(1 << 4);
    /// `setattr = simple_setattr`.
    pub const SETATTR: Self = Self(1 << 5);
    /// `getattr = simple_getattr` (`st_blocks` from the page cache).
    pub const GETATTR: Self = Self(1 << 6);
    /// The directory operations of an in-memory file system whose tree is the dcache.
    pub const DCACHE_DIR: Self =
        Self(Self::LOOKUP.0 | Self::LINK.0 | Self::UNLINK.0 | Self::RMDIR.0 | Self::RENAME.0);

    /// Returns the union of both sets.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    const fn has(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }
}

/// A table of inode operations (`struct inode_operations`).
#[repr(transparent)]
pub struct Ops<T: FileSystem>(bindings::inode_operations, PhantomData<T>);

// SAFETY: The table is immutable and only holds function pointers.
unsafe impl<T: FileSystem> Sync for Ops<T> {}

impl<T: FileSystem> Ops<T> {
    /// Builds the table for operations `U`.
    ///
    /// A directory with its own `lookup` cannot take `unlink`, `rmdir` or `rename` from libfs:
    /// those unpin dentries that only libfs's `lookup` keeps pinned (a build error).
    pub const fn new<U: Operations<FileSystem = T>>() -> Self {
        let l = U::LIBFS;
        if U::HAS_LOOKUP && l.has(Libfs::UNLINK.union(Libfs::RMDIR).union(Libfs::RENAME)) {
            panic!("libfs unlink, rmdir and rename need libfs lookup");
        }
        Self(
            bindings::inode_operations {
                lookup: if U::HAS_LOOKUP {
                    Some(lookup_callback::<U>)
                } else if l.has(Libfs::LOOKUP) {
                    Some(bindings::simple_lookup)
                } else {
                    None
                },
                link: if l.has(Libfs::LINK) {
                    Some(bindings::simple_link)
                } else {
                    None
                },
                unlink: if U::HAS_UNLINK {
                    Some(unlink_callback::<U>)
                } else if l.has(Libfs::UNLINK) {
                    Some(bindings::simple_unlink)
                } else {
                    None
                },
                rmdir: if U::HAS_RMDIR {
                    Some(rmdir_callback::<U>)
                } else if l.has(Libfs::RMDIR) {
                    Some(bindings::simple_rmdir)
                } else {
                    None
                },
                rename: if U::HAS_RENAME {
                    Some(rename_callback::<U>)
                } else if l.has(Libfs::RENAME) {
                    Some(bindings::simple_rename)
                } else {
                    None
                },
                setattr: if l.has(Libfs::SETATTR) {
                    Some(bindings::simple_setattr)
                } else {
                    None
                },
                getattr: if l.has(Libfs::GETATTR) {
                    Some(bindings::simple_getattr)
                } else {
                    None
                },
                create: if U::HAS_CREATE {
                    Some(create_callback::<U>)
                } else {
                    None
                },
                mkdir: if U::HAS_MKDIR {
                    Some(mkdir_callback::<U>)
                } else {
                    None
                },
                symlink: if U::HAS_SYMLINK {
                    Some(symlink_callback::<U>)
                } else {
                    None
                },
                mknod: if U::HAS_MKNOD {
                    Some(mknod_callback::<U>)
                } else {
                    None
                },
                tmpfile: if U::HAS_TMPFILE {
                    Some(tmpfile_callback::<U>)
                } else {
                    None
                },
                ..pin_init::zeroed()
            },
            PhantomData,
        )
    }
}

impl<T: FileSystem> Ops<T> {
    pub(crate) fn as_raw(&self) -> *const bindings::inode_operations {
        &self.0
    }

    /// The inode operations of symlinks whose target is stored in their page cache
    /// (`page_symlink_inode_operations`), see [`New::page_symlink`](super::New::page_symlink).
    pub fn page_symlink() -> &'static Self {
        // SAFETY: The C table is static and immutable; `Self` is `repr(transparent)` over it.
        unsafe { &*(&raw const bindings::page_symlink_inode_operations).cast::<Self>() }
    }
}

/// `inode_operations::lookup`.
///
/// # Safety
///
/// Called by the VFS with `dir` locked (shared or exclusive) and `dentry` a negative child of
/// `dir` being looked up.
unsafe extern "C" fn lookup_callback<U: Operations>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    _flags: c_uint,
) -> *mut bindings::dentry {
    // `lookup_slow()` holds `dir` shared, `lookup_one_qstr_excl()` exclusively.
    // SAFETY: Valid arguments for the call, `dentry` a child of locked `dir` being looked up.
    let (dir, dentry) = unsafe { (Locked::new(INode::from_raw(dir)), Lookup::from_raw(dentry)) };
    match U::lookup(&dir, dentry) {
        Ok(looked) => looked.into_raw(),
        Err(e) => e.to_ptr(),
    }
}

/// `inode_operations::create`.
///
/// # Safety
///
/// Called by the VFS with valid arguments, `dir` locked exclusively and `dentry` a negative
/// child of `dir`.
unsafe extern "C" fn create_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: bindings::umode_t,
    excl: bool,
) -> c_int {
    from_result(|| {
        // `inode_lock()` in `lookup_open()`/`vfs_create()` holds `dir` exclusively.
        // SAFETY: Valid arguments for the call, `dentry` a negative child of locked `dir`.
        let (idmap, dir, dentry) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(INode::from_raw(dir)),
                Negative::from_raw(dentry),
            )
        };
        U::create(idmap, &dir, dentry, Mode::from_bits(mode), excl)?;
        Ok(0)
    })
}

/// `inode_operations::mkdir`.
///
/// # Safety
///
/// Called by the VFS with valid arguments, `dir` locked exclusively and `dentry` a negative
/// child of `dir`.
unsafe extern "C" fn mkdir_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: bindings::umode_t,
) -> *mut bindings::dentry {
    // `vfs_mkdir()` holds `dir` exclusively.
    // SAFETY: Valid arguments for the call, `dentry` a negative child of locked `dir`.
    let (idmap, dir, dentry) = unsafe {
        (
            MntIdmap::from_raw(idmap),
            Locked::new(INode::from_raw(dir)),
            Negative::from_raw(dentry),
        )
    };
    match U::mkdir(idmap, &dir, dentry, Mode::from_bits(mode)) {
        Ok(()) => ptr::null_mut(),
        Err(e) => e.to_ptr(),
    }
}

/// `inode_operations::symlink`.
///
/// # Safety
///
/// Called by the VFS with valid arguments, `dir` locked exclusively, `dentry` a negative child of
/// `dir` and `symname` a NUL-terminated string.
unsafe extern "C" fn symlink_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    symname: *const c_char,
) -> c_int {
    from_result(|| {
        // `vfs_symlink()` is called with `dir` locked exclusively by `start_creating()`.
        // SAFETY: Valid arguments for the call, `dentry` a negative child of locked `dir`.
        let (idmap, dir, dentry, target) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(INode::from_raw(dir)),
                Negative::from_raw(dentry),
                CStr::from_char_ptr(symname),
            )
        };
        U::symlink(idmap, &dir, dentry, target)?;
        Ok(0)
    })
}

/// `inode_operations::mknod`.
///
/// # Safety
///
/// Called by the VFS with valid arguments, `dir` locked exclusively and `dentry` a negative
/// child of `dir`.
unsafe extern "C" fn mknod_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    mode: bindings::umode_t,
    dev: bindings::dev_t,
) -> c_int {
    from_result(|| {
        // `vfs_mknod()` is called with `dir` locked exclusively by `start_creating()`.
        // SAFETY: Valid arguments for the call, `dentry` a negative child of locked `dir`.
        let (idmap, dir, dentry) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(INode::from_raw(dir)),
                Negative::from_raw(dentry),
            )
        };
        U::mknod(idmap, &dir, dentry, Mode::from_bits(mode), Dev(dev))?;
        Ok(0)
    })
}

/// `inode_operations::tmpfile`.
///
/// # Safety
///
/// Called by `vfs_tmpfile()` with valid arguments and `file` not yet opened, its dentry a new,
/// negative, unhashed child of `dir`.
unsafe extern "C" fn tmpfile_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dir: *mut bindings::inode,
    file: *mut bindings::file,
    mode: bindings::umode_t,
) -> c_int {
    from_result(|| {
        // SAFETY: Valid arguments for the call (see the safety requirements).
        let (idmap, dir, file) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                INode::from_raw(dir),
                TmpFile::from_raw(file),
            )
        };
        // The token proves that the file was opened.
        let _opened: Opened<'_> = U::tmpfile(idmap, dir, file, Mode::from_bits(mode))?;
        Ok(0)
    })
}

/// `inode_operations::unlink`.
///
/// # Safety
///
/// Called by `vfs_unlink()` with `dir` and the inode of `dentry`, a positive child of `dir`, both
/// locked exclusively (`start_removing()`, `inode_lock()`).
unsafe extern "C" fn unlink_callback<U: Operations>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
) -> c_int {
    // SAFETY: The VFS calls `unlink` as `remove` requires.
    unsafe { remove(dir, dentry, U::unlink) }
}

/// `inode_operations::rmdir`.
///
/// # Safety
///
/// Called by `vfs_rmdir()` with `dir` and the inode of `dentry`, a positive child directory of
/// `dir`, both locked exclusively (`start_removing()`, `inode_lock()`).
unsafe extern "C" fn rmdir_callback<U: Operations>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
) -> c_int {
    // SAFETY: The VFS calls `rmdir` as `remove` requires.
    unsafe { remove(dir, dentry, U::rmdir) }
}

/// Runs `op`, the `unlink` or `rmdir` of a file system, for its C callback.
///
/// # Safety
///
/// `dir` and the inode of `dentry`, a positive child of `dir` of type `T`, must both be locked
/// exclusively for the duration of the call.
unsafe fn remove<T: FileSystem>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    op: impl FnOnce(&Locked<'_, INode<T>, Exclusive>, Child<'_, T>) -> Result,
) -> c_int {
    from_result(|| {
        // SAFETY: Valid arguments, locked as the safety requirements say.
        let (dir, child) = unsafe { (Locked::new(INode::from_raw(dir)), Child::from_raw(dentry)) };
        op(&dir, child)?;
        Ok(0)
    })
}

/// `inode_operations::rename`.
///
/// # Safety
///
/// Called by `vfs_rename()` with valid arguments: `old_dir` and `new_dir` locked exclusively
/// (`lock_rename()`), `old_dentry` a positive child of `old_dir` and `new_dentry` a child of
/// `new_dir`.
unsafe extern "C" fn rename_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    old_dir: *mut bindings::inode,
    old_dentry: *mut bindings::dentry,
    new_dir: *mut bindings::inode,
    new_dentry: *mut bindings::dentry,
    flags: c_uint,
) -> c_int {
    from_result(|| {
        // SAFETY: Valid arguments for the call, both parents locked (see the safety reqs).
        let (idmap, old_dir, old, new_dir, new) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(INode::from_raw(old_dir)),
                RenameEntry::from_raw(old_dentry),
                Locked::new(INode::from_raw(new_dir)),
                RenameEntry::from_raw(new_dentry),
            )
        };
        U::rename(idmap, &old_dir, old, &new_dir, new, RenameFlags(flags))?;
        Ok(0)
    })
}
