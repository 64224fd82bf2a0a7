// SPDX-License-Identifier: GPL-2.0

//! File operation tables for inodes.
//!
//! [`FileOps`] is the `struct file_operations` an inode is opened with. File systems whose data
//! lives only in the page cache use the generic implementations ([`FileOps::ram`]); directories
//! kept in the dcache use [`FileOps::simple_dir`]. Directories whose entries the file system
//! lists itself implement [`Operations::read_dir`] and use [`FileOps::of`], the table the
//! abstraction builds at compile time. A table's type says what it needs from the inode's page
//! cache ([`PageCache`]).
//!
//! C header: [`include/linux/fs.h`](srctree/include/linux/fs.h)

use super::{
    address_space::{
        NoPages,
        PageCache,
        ReadPages,
        ReadWritePages, //
    },
    filesystem::FileSystem,
    inode::{
        Ino,
        Inode,
        Type, //
    },
    lock::{
        Locked,
        Shared, //
    },
};
use crate::{
    bindings,
    error::{
        from_result,
        VTABLE_DEFAULT_ERROR, //
    },
    prelude::*,
};
use core::marker::PhantomData;

/// File operations implemented in Rust.
#[vtable]
pub trait Operations {
    /// The file system these operations belong to.
    type FileSystem: FileSystem;

    /// Lists the entries of directory `dir` from the position of `emitter` on
    /// (`iterate_shared`), with `dir` locked shared.
    ///
    /// Positions count entries: [`DirEmitter::emit_dots`] uses 0 and 1 for `.` and `..`, and
    /// each [`DirEmitter::emit`] moves to the next position. Stop when it returns `false`: the
    /// caller's buffer is full.
    fn read_dir(
        _dir: &Locked<'_, Inode<Self::FileSystem>, Shared>,
        _emitter: &mut DirEmitter<'_>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// Where `readdir` puts directory entries (`struct dir_context`).
///
/// # Invariants
///
/// `ctx` is the valid context of an `iterate_shared` call on `file`, for `'a`.
pub struct DirEmitter<'a> {
    file: *mut bindings::file,
    ctx: *mut bindings::dir_context,
    _p: PhantomData<&'a mut bindings::dir_context>,
}

impl DirEmitter<'_> {
    /// Returns the position of the next entry to emit.
    pub fn pos(&self) -> i64 {
        // SAFETY: `ctx` is valid (type invariant).
        unsafe { (*self.ctx).pos }
    }

    /// Emits `.` and `..` unless already past them (`dir_emit_dots()`). Returns `false` if the
    /// buffer is full.
    pub fn emit_dots(&mut self) -> bool {
        // SAFETY: `file` and `ctx` are valid (type invariant).
        unsafe { bindings::dir_emit_dots(self.file, self.ctx) }
    }

    /// Emits the entry `name` for inode `ino` of type `ty` at the current position and moves to
    /// the next position (`dir_emit()`). Returns `false`, without moving, if the buffer is full.
    pub fn emit(&mut self, name: &[u8], ino: Ino, ty: Type) -> bool {
        let Ok(len) = i32::try_from(name.len()) else {
            return false;
        };
        let ty = ty.dirent_type().into();
        // SAFETY: `ctx` is valid (type invariant); `name` is valid for `len` bytes.
        let ok = unsafe { bindings::dir_emit(self.ctx, name.as_ptr().cast(), len, ino.0, ty) };
        if ok {
            // The position cannot pass `i64::MAX` (`lseek()` may put it there): end the listing.
            let Some(next) = self.pos().checked_add(1) else {
                return false;
            };
            // SAFETY: `ctx` is valid (type invariant) and only used by this thread.
            unsafe { (*self.ctx).pos = next };
        }
        ok
    }
}

/// A table of file operations (`struct file_operations`) for inodes of file system `T`, whose
/// address space must provide `P` ([`PageCache`]).
#[repr(transparent)]
pub struct FileOps<T: FileSystem, P: PageCache = NoPages>(
    bindings::file_operations,
    PhantomData<(T, P)>,
);

// SAFETY: The table is immutable and only holds function pointers.
unsafe impl<T: FileSystem, P: PageCache> Sync for FileOps<T, P> {}

/// The table of file operations `U`, built at compile time.
struct Table<U>(PhantomData<U>);

impl<U: Operations> Table<U> {
    const OPS: FileOps<U::FileSystem> = FileOps::new::<U>();
}

impl<T: FileSystem> FileOps<T, ReadWritePages> {
    const RAM: Self = Self(
        bindings::file_operations {
            read_iter: Some(bindings::generic_file_read_iter),
            write_iter: Some(bindings::generic_file_write_iter),
            mmap_prepare: Some(bindings::generic_file_mmap_prepare),
            fsync: Some(bindings::noop_fsync),
            splice_read: Some(bindings::filemap_splice_read),
            splice_write: Some(bindings::iter_file_splice_write),
            llseek: Some(bindings::generic_file_llseek),
            ..pin_init::zeroed()
        },
        PhantomData,
    );

    /// Regular files of a RAM file system, whose only copy of the data is the page cache: the
    /// generic `read_iter`, `write_iter`, `mmap_prepare`, `splice_read`/`splice_write` and
    /// `llseek`, and a no-op `fsync` (`noop_fsync`: there is nothing to write back), as ramfs's
    /// `ramfs_file_operations`. Not for file systems with storage, whose `fsync` must write.
    pub const fn ram() -> &'static Self {
        &Self::RAM
    }
}

impl<T: FileSystem> FileOps<T, ReadPages> {
    /// Read-only regular files served from the page cache (`generic_ro_fops`): `read_iter`,
    /// read-only `mmap`, `splice_read`, `llseek` and leases.
    pub fn generic_read_only() -> &'static Self {
        // SAFETY: `generic_ro_fops` is static and immutable; `Self` is `repr(transparent)`.
        unsafe { &*(&raw const bindings::generic_ro_fops).cast::<Self>() }
    }
}

impl<T: FileSystem> FileOps<T> {
    /// Returns the table for directories whose entries `U` lists ([`Operations::read_dir`]),
    /// built at compile time: `read` fails with `EISDIR` (`generic_read_dir`) and `llseek`
    /// moves between positions (`generic_file_llseek`), as for read-only file systems such as
    /// romfs.
    pub const fn of<U: Operations<FileSystem = T>>() -> &'static Self {
        &Table::<U>::OPS
    }

    const fn new<U: Operations<FileSystem = T>>() -> Self {
        Self(
            bindings::file_operations {
                read: Some(bindings::generic_read_dir),
                iterate_shared: if U::HAS_READ_DIR {
                    Some(read_dir_callback::<U>)
                } else {
                    None
                },
                llseek: Some(bindings::generic_file_llseek),
                // No `FOP_IMMUTABLE`: `iterate_dir()` takes `i_rwsem` around `iterate_shared`,
                // which `read_dir_callback` relies on. This table is the only one that calls it.
                fop_flags: 0,
                ..pin_init::zeroed()
            },
            PhantomData,
        )
    }

    /// Directories whose entries are the dentries in the dcache (`simple_dir_operations`).
    pub fn simple_dir() -> &'static Self {
        // SAFETY: `simple_dir_operations` is static and immutable; `Self` is `repr(transparent)`.
        unsafe { &*(&raw const bindings::simple_dir_operations).cast::<Self>() }
    }
}

impl<T: FileSystem, P: PageCache> FileOps<T, P> {
    pub(crate) fn as_raw(&self) -> *const bindings::file_operations {
        &self.0
    }
}

/// `file_operations::iterate_shared`.
///
/// # Safety
///
/// Called by `iterate_dir()` with a valid directory file of `U::FileSystem`, its inode locked
/// shared, and a valid `dir_context`.
unsafe extern "C" fn read_dir_callback<U: Operations>(
    file: *mut bindings::file,
    ctx: *mut bindings::dir_context,
) -> c_int {
    from_result(|| {
        // SAFETY:
        // - `file` is a valid open directory of `U::FileSystem`, so `f_inode` is a valid inode
        //   of it, which the open file keeps alive for the call.
        // - The inode is locked shared for the call: `iterate_dir()` holds its `i_rwsem` shared
        //   for `iterate_shared` unless the table has `FOP_IMMUTABLE`, and the only table with
        //   this callback (`FileOps::of`) has no flags.
        let dir = unsafe { Locked::new(Inode::from_raw((*file).f_inode)) };
        // INVARIANT: `ctx` is the context of this call on `file`.
        let mut emitter = DirEmitter {
            file,
            ctx,
            _p: PhantomData,
        };
        U::read_dir(&dir, &mut emitter)?;
        Ok(0)
    })
}
