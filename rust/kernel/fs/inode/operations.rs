// SPDX-License-Identifier: GPL-2.0

//! Inode operations (`struct inode_operations`).
//!
//! A file system implements [`Operations`] for each kind of inode that needs its own table
//! (directories, files, ...); [`Ops::of`] is the C table the abstraction builds for it at
//! compile time. Each slot of the table is either a Rust method of the trait or a C
//! implementation named by the slot's associated constant, e.g.
//! `const LOOKUP: Lookup = libfs::SIMPLE_LOOKUP;` for C's `.lookup = simple_lookup` (see
//! [`libfs`](crate::fs::libfs)), or else the VFS default.
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::{
    AttrChange,
    Dev,
    Inode,
    Kstat,
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
        address_space::{
            NoPages,
            PageCache,
            ReadPages, //
        },
        dentry::{
            self,
            Child,
            Dentry,
            LinkSource,
            Looked,
            Negative,
            Opened,
            Removed,
            RenameSource,
            RenameTarget,
            TmpFile, //
        },
        filesystem::FileSystem,
        idmap::MntIdmap,
        lock::{
            Exclusive,
            Locked,
            Shared, //
        },
        xattr,
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

    /// Returns these flags without those of `other`.
    pub const fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

/// Inode operations: each slot is a Rust method of this trait, or a C implementation named by
/// its associated constant, or unset.
///
/// Methods run with the locks the VFS takes for them, expressed in their argument types:
/// namespace operations get the parent directory locked [`Exclusive`].
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// The C implementation of `lookup`, if it is not [`Operations::lookup`], e.g.
    /// [`libfs::SIMPLE_LOOKUP`](crate::fs::libfs::SIMPLE_LOOKUP).
    const LOOKUP: Lookup = Lookup(None);
    /// The C implementation of `link`, if it is not [`Operations::link`], e.g.
    /// [`libfs::SIMPLE_LINK`](crate::fs::libfs::SIMPLE_LINK).
    const LINK: Link = Link(None);
    /// The C implementation of `unlink`, if it is not [`Operations::unlink`].
    const UNLINK: Unlink = Unlink(None);
    /// The C implementation of `rmdir`, if it is not [`Operations::rmdir`].
    const RMDIR: Rmdir = Rmdir(None);
    /// The C implementation of `rename`, if it is not [`Operations::rename`].
    const RENAME: Rename = Rename(None);
    /// The C implementation of `setattr`, e.g.
    /// [`libfs::SIMPLE_SETATTR`](crate::fs::libfs::SIMPLE_SETATTR); without one, the VFS
    /// applies attribute changes itself.
    const SETATTR: Setattr = Setattr(None);
    /// The C implementation of `getattr`, e.g.
    /// [`libfs::SIMPLE_GETATTR`](crate::fs::libfs::SIMPLE_GETATTR).
    const GETATTR: Getattr = Getattr(None);
    /// The C implementation of `set_acl`, which stores the POSIX ACLs of an inode, e.g.
    /// [`libfs::SIMPLE_SET_ACL`](crate::fs::libfs::SIMPLE_SET_ACL), which keeps them in memory
    /// only; without one, the inode has no POSIX ACLs.
    const SET_ACL: SetAcl = SetAcl(None);

    /// Looks up the name of `dentry` in `dir` (`lookup`), with `dir` locked at least shared.
    ///
    /// Ends with [`dentry::Lookup::splice`], with the inode found or `None` for a name that does
    /// not exist, and returns its result.
    fn lookup<'a>(
        _dir: &Locked<'_, Inode<Self::FileSystem>, Shared>,
        _dentry: dentry::Lookup<'a, Self::FileSystem>,
    ) -> Result<Looked<'a, Self::FileSystem>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a regular file for the negative `dentry` in `dir` (`create`).
    fn create(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, Inode<Self::FileSystem>, Exclusive>,
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
        _dir: &Locked<'_, Inode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
        _mode: Mode,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Gives the inode of `old` another name, the negative `dentry` in `dir` (`link`). The VFS
    /// has checked permissions, that `old` is not a directory and that both are on this
    /// superblock; it holds the locks of `dir` and of the inode. A file system that keeps its
    /// tree in the dcache can end with [`libfs::simple_link`](crate::fs::libfs::simple_link).
    fn link(
        _old: &LinkSource<'_, Self::FileSystem>,
        _dir: &Locked<'_, Inode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the name `child` of a non-directory from `dir` (`unlink`), ending with
    /// [`Child::removed`]. The VFS has checked permissions and that it is not a directory; it
    /// holds the locks of `dir` and of the inode.
    fn unlink<'a>(
        _dir: &Locked<'_, Inode<Self::FileSystem>, Exclusive>,
        _child: Child<'a, Self::FileSystem>,
    ) -> Result<Removed<'a>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Removes the directory `child` from `dir` (`rmdir`), ending with [`Child::removed`];
    /// fails with `ENOTEMPTY` unless it is empty. The VFS holds the locks of `dir` and of the
    /// directory being removed.
    fn rmdir<'a>(
        _dir: &Locked<'_, Inode<Self::FileSystem>, Exclusive>,
        _child: Child<'a, Self::FileSystem>,
    ) -> Result<Removed<'a>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Renames `old` in `old_dir` to `new` in `new_dir` (`rename`); the two directories may be
    /// the same. The VFS has checked permissions, `RENAME_NOREPLACE` and the kinds of source and
    /// target, and moves the dentry once this succeeds (`d_move()`); a replaced target loses its
    /// name then (see [`RenameTarget`]).
    fn rename(
        _idmap: &MntIdmap,
        _old_dir: &Locked<'_, Inode<Self::FileSystem>, Exclusive>,
        _old: RenameSource<'_, Self::FileSystem>,
        _new_dir: &Locked<'_, Inode<Self::FileSystem>, Exclusive>,
        _new: RenameTarget<'_, Self::FileSystem>,
        _flags: RenameFlags,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a symbolic link to `target` for the negative `dentry` in `dir` (`symlink`).
    fn symlink(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, Inode<Self::FileSystem>, Exclusive>,
        _dentry: Negative<'_, Self::FileSystem>,
        _target: &CStr,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Creates a FIFO, socket, device node or regular file of `mode` for the negative `dentry`
    /// in `dir` (`mknod`). The VFS has checked the type and, for devices, `CAP_MKNOD`.
    fn mknod(
        _idmap: &MntIdmap,
        _dir: &Locked<'_, Inode<Self::FileSystem>, Exclusive>,
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
        _dir: &Inode<Self::FileSystem>,
        _file: TmpFile<'a, Self::FileSystem>,
        _mode: Mode,
    ) -> Result<Opened<'a>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Applies `change` to the attributes of its inode (`setattr`), in place of
    /// [`Operations::SETATTR`]; the inode is locked exclusively. It can check or add behaviour
    /// and apply the change as libfs does with
    /// [`libfs::simple_setattr`](crate::fs::libfs::simple_setattr), which also checks that the
    /// caller may make it (`setattr_prepare()`).
    fn setattr(_idmap: &MntIdmap, _change: AttrChange<'_, Self::FileSystem>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Reports the attributes of `inode` (`getattr`), in place of [`Operations::GETATTR`]: the
    /// fields of `request_mask` that `stat` must hold, with the `AT_STATX_*` `query_flags`. It
    /// can start from what the VFS reports with [`Kstat::fill`], through the mount's `idmap`,
    /// and add or correct fields. The caller holds a reference to the inode, not its lock.
    fn getattr(
        _idmap: &MntIdmap,
        _inode: &Inode<Self::FileSystem>,
        _stat: &mut Kstat<'_>,
        _request_mask: u32,
        _query_flags: u32,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Lists the names of the extended attributes of the inode of `dentry` into `buffer` and
    /// returns the length of the list (`listxattr`), e.g. with
    /// [`SimpleXattrs::list`](crate::fs::xattr::SimpleXattrs::list). The caller holds a
    /// reference to the inode, not its lock. Without it, only a security module's label is
    /// listed.
    fn listxattr(_dentry: &Dentry<Self::FileSystem>, _buffer: xattr::Buffer<'_>) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// Declares the type of a slot of an operation table that a C implementation can fill.
macro_rules! c_slot {
    ($(#[$m:meta])* $name:ident: $f:ty) => {
        $(#[$m])*
        ///
        /// Values are named C implementations, such as those in [`libfs`](crate::fs::libfs); only
        /// the kernel crate makes them.
        #[derive(Clone, Copy)]
        pub struct $name(pub(crate) Option<$f>);

        impl $name {
            /// No C implementation: the slot is left to the Rust callback, if there is one, or
            /// to the VFS's default. For choosing at compile time, e.g. from a const generic.
            pub const NONE: Self = Self(None);
        }
    };
}
pub(crate) use c_slot;

c_slot!(
    /// A C implementation of `inode_operations::lookup`.
    Lookup: unsafe extern "C" fn(
        *mut bindings::inode,
        *mut bindings::dentry,
        c_uint,
    ) -> *mut bindings::dentry
);
c_slot!(
    /// A C implementation of `inode_operations::link`.
    Link: unsafe extern "C" fn(
        *mut bindings::dentry,
        *mut bindings::inode,
        *mut bindings::dentry,
    ) -> c_int
);
c_slot!(
    /// A C implementation of `inode_operations::unlink`.
    Unlink: unsafe extern "C" fn(*mut bindings::inode, *mut bindings::dentry) -> c_int
);
c_slot!(
    /// A C implementation of `inode_operations::rmdir`.
    Rmdir: unsafe extern "C" fn(*mut bindings::inode, *mut bindings::dentry) -> c_int
);
c_slot!(
    /// A C implementation of `inode_operations::rename`.
    Rename: unsafe extern "C" fn(
        *mut bindings::mnt_idmap,
        *mut bindings::inode,
        *mut bindings::dentry,
        *mut bindings::inode,
        *mut bindings::dentry,
        c_uint,
    ) -> c_int
);
c_slot!(
    /// A C implementation of `inode_operations::setattr`.
    Setattr: unsafe extern "C" fn(
        *mut bindings::mnt_idmap,
        *mut bindings::dentry,
        *mut bindings::iattr,
    ) -> c_int
);
c_slot!(
    /// A C implementation of `inode_operations::set_acl`.
    SetAcl: unsafe extern "C" fn(
        *mut bindings::mnt_idmap,
        *mut bindings::dentry,
        *mut bindings::posix_acl,
        c_int,
    ) -> c_int
);
c_slot!(
    /// A C implementation of `inode_operations::getattr`.
    Getattr: unsafe extern "C" fn(
        *mut bindings::mnt_idmap,
        *const bindings::path,
        *mut bindings::kstat,
        u32,
        c_uint,
    ) -> c_int
);

/// Returns the slot of a table: the Rust callback if the method is implemented, else the C
/// implementation.
macro_rules! slot {
    ($has:expr, $rust:expr, $c:expr, $what:literal) => {{
        const {
            assert!(
                !($has && $c.is_some()),
                concat!("both a Rust and a C ", $what)
            )
        };
        if $has {
            Some($rust)
        } else {
            $c
        }
    }};
}
pub(crate) use slot;

/// A table of inode operations (`struct inode_operations`) for inodes of file system `T`, whose
/// address space must provide `P` ([`PageCache`]).
#[repr(transparent)]
pub struct Ops<T: FileSystem, P: PageCache = NoPages>(
    bindings::inode_operations,
    PhantomData<(T, P)>,
);

// SAFETY: The table is immutable and only holds function pointers.
unsafe impl<T: FileSystem, P: PageCache> Sync for Ops<T, P> {}

/// The table of inode operations `U`, built at compile time.
struct Table<U>(PhantomData<U>);

impl<U: Operations> Table<U> {
    const OPS: Ops<U::FileSystem> = Ops::new::<U>();
}

impl<T: FileSystem> Ops<T> {
    /// Returns the table for operations `U`, built at compile time.
    ///
    /// It is a build error to fill a slot both in Rust and in C, to use the libfs `lookup`,
    /// `link`, `unlink`, `rmdir` or `rename` in a file system whose dentries are not
    /// [`Persistent`](dentry::Persistent) (they pin and unpin every dentry they add and
    /// remove), or a Rust `lookup` in one whose dentries are (its tree is the dcache: there is
    /// nothing to look up).
    pub const fn of<U: Operations<FileSystem = T>>() -> &'static Self {
        &Table::<U>::OPS
    }

    const fn new<U: Operations<FileSystem = T>>() -> Self {
        const {
            let libfs_tree = U::LOOKUP.0.is_some()
                || U::LINK.0.is_some()
                || U::UNLINK.0.is_some()
                || U::RMDIR.0.is_some()
                || U::RENAME.0.is_some();
            let persistent = <T::Dentries as dentry::Kind>::PERSISTENT;
            assert!(
                !libfs_tree || persistent,
                "libfs lookup, link, unlink, rmdir and rename need persistent dentries"
            );
            assert!(
                !(U::HAS_LOOKUP && persistent),
                "a Rust lookup needs cached dentries"
            );
        };
        Self(
            bindings::inode_operations {
                lookup: slot!(U::HAS_LOOKUP, lookup_callback::<U>, U::LOOKUP.0, "lookup"),
                link: slot!(U::HAS_LINK, link_callback::<U>, U::LINK.0, "link"),
                unlink: slot!(U::HAS_UNLINK, unlink_callback::<U>, U::UNLINK.0, "unlink"),
                rmdir: slot!(U::HAS_RMDIR, rmdir_callback::<U>, U::RMDIR.0, "rmdir"),
                rename: slot!(U::HAS_RENAME, rename_callback::<U>, U::RENAME.0, "rename"),
                setattr: slot!(
                    U::HAS_SETATTR,
                    setattr_callback::<U>,
                    U::SETATTR.0,
                    "setattr"
                ),
                getattr: slot!(
                    U::HAS_GETATTR,
                    getattr_callback::<U>,
                    U::GETATTR.0,
                    "getattr"
                ),
                set_acl: U::SET_ACL.0,
                listxattr: if U::HAS_LISTXATTR {
                    Some(listxattr_callback::<U>)
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

impl<T: FileSystem, P: PageCache> Ops<T, P> {
    pub(crate) fn as_raw(&self) -> *const bindings::inode_operations {
        &self.0
    }
}

/// The table of operations `U` of page-cache symlinks, built at compile time.
struct PageSymlinkTable<U>(PhantomData<U>);

impl<U: Operations> PageSymlinkTable<U> {
    const OPS: Ops<U::FileSystem, ReadPages> = Ops::new_page_symlink::<U>();
}

impl<T: FileSystem> Ops<T, ReadPages> {
    /// The inode operations of symlinks whose target is stored in their page cache
    /// (`page_symlink_inode_operations`), see [`New::page_symlink`](super::New::page_symlink):
    /// `get_link` reads the target from the page cache.
    pub fn page_symlink() -> &'static Self {
        // SAFETY: The C table is static and immutable; `Self` is `repr(transparent)` over it.
        unsafe { &*(&raw const bindings::page_symlink_inode_operations).cast::<Self>() }
    }

    /// The inode operations of page-cache symlinks, as [`Ops::page_symlink`], with the
    /// attribute methods of `U` (`setattr`, `getattr`, `listxattr`), as tmpfs's symlinks list
    /// their extended attributes (`shmem_symlink_inode_operations`).
    ///
    /// It is a build error for `U` to have methods of directories: a symlink has no children.
    pub const fn page_symlink_with<U: Operations<FileSystem = T>>() -> &'static Self {
        &PageSymlinkTable::<U>::OPS
    }

    const fn new_page_symlink<U: Operations<FileSystem = T>>() -> Self {
        const {
            assert!(
                !(U::HAS_LOOKUP
                    || U::HAS_CREATE
                    || U::HAS_MKDIR
                    || U::HAS_SYMLINK
                    || U::HAS_MKNOD
                    || U::HAS_TMPFILE
                    || U::HAS_LINK
                    || U::HAS_UNLINK
                    || U::HAS_RMDIR
                    || U::HAS_RENAME
                    || U::LOOKUP.0.is_some()
                    || U::LINK.0.is_some()
                    || U::UNLINK.0.is_some()
                    || U::RMDIR.0.is_some()
                    || U::RENAME.0.is_some()),
                "a symlink has no directory operations"
            );
        };
        let mut ops = Ops::<T>::new::<U>().0;
        ops.get_link = Some(bindings::page_get_link);
        Self(ops, PhantomData)
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
    // SAFETY:
    // - The arguments are valid for the call, `dentry` a child of `dir` being looked up.
    // - `dir` is locked for the call: `lookup_slow()` holds it shared,
    //   `lookup_one_qstr_excl()` exclusively.
    let (dir, dentry) = unsafe {
        (
            Locked::new(Inode::from_raw(dir)),
            dentry::Lookup::from_raw(dentry),
        )
    };
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
        // SAFETY:
        // - The arguments are valid for the call, `dentry` a negative child of `dir`.
        // - `dir` is locked exclusively for the call: `inode_lock()` in
        //   `lookup_open()`/`vfs_create()` holds it.
        let (idmap, dir, dentry) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(Inode::from_raw(dir)),
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
    // SAFETY:
    // - The arguments are valid for the call, `dentry` a negative child of `dir`.
    // - `dir` is locked exclusively for the call: `vfs_mkdir()` holds it.
    let (idmap, dir, dentry) = unsafe {
        (
            MntIdmap::from_raw(idmap),
            Locked::new(Inode::from_raw(dir)),
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
        // SAFETY:
        // - The arguments are valid for the call, `dentry` a negative child of `dir` and
        //   `symname` a NUL-terminated string (safety requirements).
        // - `dir` is locked exclusively for the call: `vfs_symlink()` is called with it locked
        //   by `start_creating()`.
        let (idmap, dir, dentry, target) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(Inode::from_raw(dir)),
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
        // SAFETY:
        // - The arguments are valid for the call, `dentry` a negative child of `dir`.
        // - `dir` is locked exclusively for the call: `vfs_mknod()` is called with it locked by
        //   `start_creating()`.
        let (idmap, dir, dentry) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Locked::new(Inode::from_raw(dir)),
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
                Inode::from_raw(dir),
                TmpFile::from_raw(file),
            )
        };
        // The token proves that the file was opened.
        let _opened: Opened<'_> = U::tmpfile(idmap, dir, file, Mode::from_bits(mode))?;
        Ok(0)
    })
}

/// `inode_operations::link`.
///
/// # Safety
///
/// Called by `vfs_link()` with `dir` locked exclusively, `dentry` a negative child of `dir`, and
/// `old_dentry` a positive dentry of the same superblock whose inode is locked exclusively.
unsafe extern "C" fn link_callback<U: Operations>(
    old_dentry: *mut bindings::dentry,
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
) -> c_int {
    from_result(|| {
        // SAFETY: Valid arguments, locked as the safety requirements say.
        let (old, dir, dentry) = unsafe {
            (
                LinkSource::from_raw(old_dentry),
                Locked::new(Inode::from_raw(dir)),
                Negative::from_raw(dentry),
            )
        };
        U::link(&old, &dir, dentry)?;
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

/// Runs `op`, the `unlink` or `rmdir` of a file system, for its C callback, and unpins the
/// removed dentry if `op` succeeded and it was persistent.
///
/// # Safety
///
/// `dir` and the inode of `dentry`, a positive child of `dir` of type `T`, must both be locked
/// exclusively for the duration of the call.
unsafe fn remove<T: FileSystem>(
    dir: *mut bindings::inode,
    dentry: *mut bindings::dentry,
    op: impl for<'a> FnOnce(&Locked<'_, Inode<T>, Exclusive>, Child<'a, T>) -> Result<Removed<'a>>,
) -> c_int {
    from_result(|| {
        // SAFETY: Valid arguments, locked as the safety requirements say.
        let (dir, child) = unsafe { (Locked::new(Inode::from_raw(dir)), Child::from_raw(dentry)) };
        let _removed = op(&dir, child)?;
        // SAFETY: `dentry` is valid and its parent is locked exclusively (safety requirements).
        unsafe { dentry::make_discardable(dentry) };
        Ok(0)
    })
}

/// `inode_operations::rename`.
///
/// # Safety
///
/// Called by `vfs_rename()` with valid arguments: `old_dir` and `new_dir` locked exclusively
/// (`lock_rename()`), `old_dentry` a positive child of `old_dir` and `new_dentry` a child of
/// `new_dir`, whose inodes are locked as `vfs_rename()` locks them.
unsafe extern "C" fn rename_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    old_dir: *mut bindings::inode,
    old_dentry: *mut bindings::dentry,
    new_dir: *mut bindings::inode,
    new_dentry: *mut bindings::dentry,
    flags: c_uint,
) -> c_int {
    from_result(|| {
        let flags = RenameFlags(flags);
        // SAFETY: Valid arguments for the call, both parents locked and the target's inode
        // locked as `vfs_rename()` does (see the safety requirements).
        let (idmap, old, new) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                RenameSource::from_raw(old_dentry, flags),
                RenameTarget::from_raw(new_dentry, old_dir, new_dir, flags),
            )
        };
        let replaced = new.inode().is_some() && !flags.contains(RenameFlags::EXCHANGE);
        // SAFETY: Both directories are valid and locked exclusively (safety requirements).
        let (old_dir, new_dir) = unsafe {
            (
                Locked::new(Inode::from_raw(old_dir)),
                Locked::new(Inode::from_raw(new_dir)),
            )
        };
        U::rename(idmap, &old_dir, old, &new_dir, new, flags)?;
        if replaced {
            // SAFETY: `new_dentry` is valid and its parent is locked exclusively (safety
            // requirements); a replaced persistent target loses its name, as in `simple_rename()`.
            unsafe { dentry::make_discardable(new_dentry) };
        }
        Ok(0)
    })
}

/// `inode_operations::getattr`.
///
/// # Safety
///
/// Called by `vfs_getattr_nosec()` with a valid idmap, a valid path to a positive dentry of
/// `U::FileSystem`, whose inode it keeps alive, and a valid `kstat` that only this call uses.
unsafe extern "C" fn getattr_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    path: *const bindings::path,
    stat: *mut bindings::kstat,
    request_mask: u32,
    query_flags: c_uint,
) -> c_int {
    from_result(|| {
        // SAFETY:
        // - `idmap` is valid for the call (safety requirements).
        // - The dentry of `path` is positive and its inode of `U::FileSystem` stays alive and
        //   does not change during the call.
        // - `stat` is valid and only used by this call (safety requirements).
        let (idmap, inode, mut stat) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                Inode::from_raw((*(*path).dentry).d_inode),
                Kstat::from_raw(stat),
            )
        };
        U::getattr(idmap, inode, &mut stat, request_mask, query_flags)?;
        Ok(0)
    })
}

/// `inode_operations::setattr`.
///
/// # Safety
///
/// Called by `notify_change()` with a valid idmap, a positive dentry of `U::FileSystem` whose
/// inode is locked exclusively, and a valid `iattr` that only this call uses.
unsafe extern "C" fn setattr_callback<U: Operations>(
    idmap: *mut bindings::mnt_idmap,
    dentry: *mut bindings::dentry,
    attr: *mut bindings::iattr,
) -> c_int {
    from_result(|| {
        // SAFETY: Valid arguments for the call, with the inode of `dentry` locked exclusively
        // (safety requirements).
        let (idmap, change) = unsafe {
            (
                MntIdmap::from_raw(idmap),
                AttrChange::from_raw(dentry, attr),
            )
        };
        U::setattr(idmap, change)?;
        Ok(0)
    })
}

/// `inode_operations::listxattr`.
///
/// # Safety
///
/// Called by `vfs_listxattr()` with a valid positive dentry of `U::FileSystem`, whose inode the
/// caller keeps alive, and `buffer` null or valid for writes of `size` bytes for the call.
unsafe extern "C" fn listxattr_callback<U: Operations>(
    dentry: *mut bindings::dentry,
    buffer: *mut c_char,
    size: usize,
) -> isize {
    from_result(|| {
        // SAFETY: `dentry` is a valid dentry of `U::FileSystem` for the call; `buffer` is null
        // or valid for writes of `size` bytes (safety requirements).
        let (dentry, buffer) = unsafe {
            (
                Dentry::from_raw(dentry),
                xattr::Buffer::from_raw(buffer.cast(), size),
            )
        };
        let len = U::listxattr(dentry, buffer)?;
        isize::try_from(len).map_err(|_| E2BIG)
    })
}
