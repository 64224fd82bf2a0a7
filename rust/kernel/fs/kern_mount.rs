// SPDX-License-Identifier: GPL-2.0

//! In-kernel mounts.
//!
//! A [`KernMount`] is an instance of a file system mounted for the kernel's own use
//! (`kern_mount()`), not attached to any mount namespace. Paths are resolved relative to its root.
//! Besides kernel users of a private file system, this is what KUnit tests use to drive a file
//! system through the VFS entry points (`vfs_mkdir()`, `vfs_unlink()`, `kernel_write()`, ...), so
//! that they see what system calls would. The path operations are meant for such tests; kernel
//! code should not resolve paths on behalf of user space with them.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/namei.h`](srctree/include/linux/namei.h)

use super::{
    file::File,
    idmap::MntIdmap, //
};
use crate::{
    bindings,
    error::{
        code::*,
        from_err_ptr,
        to_result,
        Result, //
    },
    prelude::*,
    str::CStrExt as _,
    sync::aref::ARef, //
};
use core::ptr::{
    self,
    NonNull, //
};

/// A file system instance mounted in the kernel (`kern_mount()`), unmounted on drop.
///
/// # Invariants
///
/// `mnt` is a mount returned by `kern_mount()` and owned by this object.
///
/// # Examples
///
/// ```
/// use kernel::fs::{file::flags, kern_mount::KernMount};
///
/// // ramfs is always built in.
/// let m = KernMount::new(c"ramfs")?;
/// m.mkdir(c"", c"dir", 0o755)?;
/// let f = m.open(c"dir/file", flags::O_CREAT | flags::O_RDWR, 0o644)?;
/// let mut pos = 0;
/// assert_eq!(f.kernel_write(b"hello", &mut pos)?, 5);
/// assert_eq!(m.stat(c"dir/file")?.size, 5);
/// assert_eq!(m.rmdir(c"", c"dir"), Err(ENOTEMPTY));
/// m.unlink(c"dir", c"file")?;
/// m.rmdir(c"", c"dir")?;
/// assert_eq!(m.stat(c"dir").err(), Some(ENOENT));
///
/// m.symlink(c"", c"link", c"target")?;
/// assert_eq!(&m.read_link(c"link")?[..], b"target");
/// m.rename(c"", c"link", c"", c"moved", 0)?;
/// assert_eq!(m.stat(c"link").err(), Some(ENOENT));
/// # Ok::<(), Error>(())
/// ```
pub struct KernMount {
    mnt: NonNull<bindings::vfsmount>,
}

// SAFETY: A `vfsmount` may be used and released from any thread.
unsafe impl Send for KernMount {}
// SAFETY: All methods of `&KernMount` only use the mount through thread-safe VFS calls.
unsafe impl Sync for KernMount {}

/// Attributes of an inode, as returned by [`KernMount::stat`] (a subset of `struct kstat`).
#[derive(Clone, Copy, Debug)]
pub struct Stat {
    /// Inode number.
    pub ino: u64,
    /// Mode (file type and permissions).
    pub mode: u16,
    /// Number of links.
    pub nlink: u32,
    /// Size in bytes.
    pub size: i64,
    /// Allocated space, in 512-byte blocks.
    pub blocks: u64,
    /// Device number of a device node.
    pub rdev: u32,
}

/// File system statistics, as returned by [`KernMount::statfs`] (a subset of `struct kstatfs`).
#[derive(Clone, Copy, Debug)]
pub struct StatFs {
    /// File system magic number.
    pub fs_type: isize,
    /// Block size.
    pub bsize: isize,
    /// Total number of blocks.
    pub blocks: u64,
    /// Total number of inodes.
    pub files: u64,
    /// Maximum length of a name.
    pub namelen: isize,
}

/// A resolved path, released on drop.
struct PathRef(bindings::path);

impl Drop for PathRef {
    fn drop(&mut self) {
        // SAFETY: The path was filled in by a successful lookup, which took the references.
        unsafe { bindings::path_put(&self.0) };
    }
}

impl KernMount {
    /// Mounts a new instance of the file system type called `fs_name`, loading its module if
    /// needed.
    pub fn new(fs_name: &CStr) -> Result<Self> {
        Self::mount(fs_name, |fs| {
            // SAFETY: `fs` is a registered file system type whose module `get_fs_type` pinned.
            unsafe { bindings::kern_mount(fs) }
        })
    }

    /// Mounts a new instance of the file system type called `fs_name` with the mount options
    /// `options` (e.g. `c"mode=700,size=1m"`), as `mount -o` passes them: split at commas and
    /// parsed one by one (`vfs_kern_mount()`, `generic_parse_monolithic()`).
    pub fn with_options(fs_name: &CStr, options: &CStr) -> Result<Self> {
        // The options are split in place: give the VFS a copy.
        let mut buf = KVec::with_capacity(options.to_bytes_with_nul().len(), GFP_KERNEL)?;
        buf.extend_from_slice(options.to_bytes_with_nul(), GFP_KERNEL)?;
        Self::mount(fs_name, |fs| {
            // SAFETY:
            // - `fs` is a registered file system type whose module `get_fs_type` pinned, and its
            //   `name` is a valid string.
            // - `buf` is a NUL-terminated, writable copy of the options that outlives the call.
            unsafe {
                bindings::vfs_kern_mount(
                    fs,
                    bindings::SB_KERNMOUNT as c_int,
                    (*fs).name,
                    buf.as_mut_ptr().cast(),
                )
            }
        })
    }

    /// Finds the file system type called `fs_name` (loading its module if needed) and mounts it
    /// with `mount`, an internal mount (`SB_KERNMOUNT`) that `kern_unmount()` releases.
    fn mount(
        fs_name: &CStr,
        mount: impl FnOnce(*mut bindings::file_system_type) -> *mut bindings::vfsmount,
    ) -> Result<Self> {
        // SAFETY: `fs_name` is a valid NUL-terminated string.
        let fs = unsafe { bindings::get_fs_type(fs_name.as_char_ptr()) };
        if fs.is_null() {
            return Err(ENODEV);
        }
        let mnt = mount(fs);
        // SAFETY:
        // - `fs` is valid, so its `owner` can be read.
        // - This drops the module reference `get_fs_type` took, as `put_filesystem()` does; a
        //   successful mount holds its own module reference.
        unsafe { bindings::module_put((*fs).owner) };
        let mnt = NonNull::new(from_err_ptr(mnt)?).ok_or(EINVAL)?;
        // INVARIANT: The mount succeeded and we own it.
        Ok(Self { mnt })
    }

    fn root(&self) -> bindings::path {
        // SAFETY: By the type invariant the mount is valid; its root does not change.
        let dentry = unsafe { (*self.mnt.as_ptr()).mnt_root };
        bindings::path {
            mnt: self.mnt.as_ptr(),
            dentry,
        }
    }

    fn lookup(&self, name: &CStr, flags: u32) -> Result<PathRef> {
        let root = self.root();
        let mut path = PathRef(bindings::path {
            mnt: ptr::null_mut(),
            dentry: ptr::null_mut(),
        });
        // SAFETY: `root` is valid; on success `path` holds references released by `PathRef`.
        let ret = unsafe {
            bindings::vfs_path_lookup(
                root.dentry,
                root.mnt,
                name.as_char_ptr(),
                flags,
                &mut path.0,
            )
        };
        if ret != 0 {
            core::mem::forget(path);
            return Err(Error::from_errno(ret));
        }
        Ok(path)
    }

    fn lookup_dir(&self, dir: &CStr) -> Result<PathRef> {
        if dir.is_empty() {
            let root = self.root();
            // SAFETY: Take the references `PathRef` releases.
            unsafe { bindings::path_get(&root) };
            return Ok(PathRef(root));
        }
        self.lookup(dir, bindings::LOOKUP_DIRECTORY | bindings::LOOKUP_FOLLOW)
    }

    fn qstr(name: &CStr) -> bindings::qstr {
        let mut q: bindings::qstr = pin_init::zeroed();
        q.__bindgen_anon_1.__bindgen_anon_1.len = name.to_bytes().len() as u32;
        q.name = name.as_char_ptr().cast();
        q
    }

    /// Opens `name` (relative to the root) with `open(2)` flags and creation mode
    /// (`file_open_root()`).
    pub fn open(&self, name: &CStr, flags: u32, mode: u16) -> Result<ARef<File>> {
        let root = self.root();
        // SAFETY: `root` is valid and `name` is NUL-terminated.
        let f = unsafe { bindings::file_open_root(&root, name.as_char_ptr(), flags as i32, mode) };
        let f = NonNull::new(from_err_ptr(f)?).ok_or(EINVAL)?;
        // SAFETY: `file_open_root` returned a new reference to a valid file.
        Ok(unsafe { ARef::from_raw(f.cast()) })
    }

    /// Creates directory `name` in directory `dir` (`""` for the root) with `vfs_mkdir()`.
    pub fn mkdir(&self, dir: &CStr, name: &CStr, mode: u16) -> Result {
        let parent = self.lookup_dir(dir)?;
        let idmap = MntIdmap::nop().as_raw();
        let mut q = Self::qstr(name);
        // SAFETY: `parent` is a valid directory; `q` names a single component.
        let d = from_err_ptr(unsafe { bindings::start_creating(idmap, parent.0.dentry, &mut q) })?;
        // SAFETY: `d` is the locked child from `start_creating`, `parent` its directory.
        let res = unsafe {
            bindings::vfs_mkdir(idmap, (*parent.0.dentry).d_inode, d, mode, ptr::null_mut())
        };
        // SAFETY: `res` is the result of `vfs_mkdir()` on the child from `start_creating`, a
        // dentry or an error, which `end_dirop()` takes as `end_creating()` does; this unlocks
        // the parent and releases the child.
        unsafe { bindings::end_dirop(res) };
        from_err_ptr(res).map(|_| ())
    }

    /// Runs `op` on the new, negative child `name` of directory `dir` with the directory locked
    /// (`start_creating()`/`end_creating()`).
    fn create_with(
        &self,
        dir: &CStr,
        name: &CStr,
        op: impl FnOnce(*mut bindings::inode, *mut bindings::dentry) -> c_int,
    ) -> Result {
        let parent = self.lookup_dir(dir)?;
        let idmap = MntIdmap::nop().as_raw();
        let mut q = Self::qstr(name);
        // SAFETY: `parent` is a valid directory; `q` names a single component.
        let d = from_err_ptr(unsafe { bindings::start_creating(idmap, parent.0.dentry, &mut q) })?;
        // SAFETY: `parent` is a valid, positive directory dentry.
        let ret = op(unsafe { (*parent.0.dentry).d_inode }, d);
        // SAFETY: This unlocks the parent and releases the child from `start_creating`.
        unsafe { bindings::end_dirop(d) };
        to_result(ret)
    }

    /// Creates the regular file `name` in directory `dir` with `vfs_create()`, without opening
    /// it.
    pub fn create(&self, dir: &CStr, name: &CStr, mode: u16) -> Result {
        let idmap = MntIdmap::nop().as_raw();
        self.create_with(dir, name, |_dir, d| {
            // SAFETY: `d` is a negative child of a locked directory.
            unsafe { bindings::vfs_create(idmap, d, mode, ptr::null_mut()) }
        })
    }

    /// Creates a symbolic link `name` to `target` in directory `dir` with `vfs_symlink()`.
    pub fn symlink(&self, dir: &CStr, name: &CStr, target: &CStr) -> Result {
        let idmap = MntIdmap::nop().as_raw();
        self.create_with(dir, name, |dir, d| {
            let target = target.as_char_ptr();
            // SAFETY: `d` is a negative child of the locked directory `dir`.
            unsafe { bindings::vfs_symlink(idmap, dir, d, target, ptr::null_mut()) }
        })
    }

    /// Creates a FIFO, socket, device node or file `name` in directory `dir` with `vfs_mknod()`.
    /// `mode` includes the file type.
    pub fn mknod(&self, dir: &CStr, name: &CStr, mode: u16, dev: u32) -> Result {
        let idmap = MntIdmap::nop().as_raw();
        self.create_with(dir, name, |dir, d| {
            // SAFETY: `d` is a negative child of the locked directory `dir`.
            unsafe { bindings::vfs_mknod(idmap, dir, d, mode, dev, ptr::null_mut()) }
        })
    }

    /// Creates a hard link `name` in directory `dir` to the existing `old` (relative to the
    /// root) with `vfs_link()`.
    pub fn link(&self, old: &CStr, dir: &CStr, name: &CStr) -> Result {
        let old = self.lookup(old, 0)?;
        self.link_dentry(old.0.dentry, dir, name)
    }

    /// Gives the file `file`, e.g. opened with `O_TMPFILE`, the name `name` in directory `dir`
    /// with `vfs_link()`, like `linkat(fd, "", ..., AT_EMPTY_PATH)`.
    pub fn link_file(&self, file: &File, dir: &CStr, name: &CStr) -> Result {
        // SAFETY: `file` is valid and keeps its path alive; `f_path` does not change.
        let dentry = unsafe { (*file.as_ptr()).__bindgen_anon_1.f_path.dentry };
        self.link_dentry(dentry, dir, name)
    }

    fn link_dentry(&self, old: *mut bindings::dentry, dir: &CStr, name: &CStr) -> Result {
        let idmap = MntIdmap::nop().as_raw();
        self.create_with(dir, name, |dir, d| {
            // SAFETY:
            // - `old` is a referenced dentry of this mount.
            // - `d` is a negative child of the locked directory `dir`.
            unsafe { bindings::vfs_link(old, idmap, dir, d, ptr::null_mut()) }
        })
    }

    /// Renames `old_dir/old_name` to `new_dir/new_name` with `vfs_rename()`; `flags` are
    /// `renameat2(2)` flags (`RENAME_NOREPLACE`, `RENAME_EXCHANGE`, ...).
    pub fn rename(
        &self,
        old_dir: &CStr,
        old_name: &CStr,
        new_dir: &CStr,
        new_name: &CStr,
        flags: u32,
    ) -> Result {
        let (old_parent, new_parent) = (self.lookup_dir(old_dir)?, self.lookup_dir(new_dir)?);
        let (mut old_q, mut new_q) = (Self::qstr(old_name), Self::qstr(new_name));
        let mut rd: bindings::renamedata = pin_init::zeroed();
        rd.mnt_idmap = MntIdmap::nop().as_raw();
        rd.old_parent = old_parent.0.dentry;
        rd.new_parent = new_parent.0.dentry;
        rd.flags = flags;
        // SAFETY:
        // - Both parents are valid directories of this mount; the names are components.
        // - On success `end_renaming` below releases what `start_renaming` took.
        to_result(unsafe { bindings::start_renaming(&mut rd, 0, &mut old_q, &mut new_q) })?;
        // SAFETY: `rd` holds the locked parents and looked-up children from `start_renaming`.
        let ret = unsafe { bindings::vfs_rename(&mut rd) };
        // SAFETY: Unlocks the parents and releases the children `start_renaming` looked up.
        unsafe { bindings::end_renaming(&mut rd) };
        to_result(ret)
    }

    /// Returns the target of symbolic link `name` (relative to the root) (`vfs_get_link()`).
    pub fn read_link(&self, name: &CStr) -> Result<KVec<u8>> {
        let path = self.lookup(name, 0)?;
        let mut done = bindings::delayed_call {
            fn_: None,
            arg: ptr::null_mut(),
        };
        // SAFETY: `path` holds a reference to the dentry; `done` receives the release callback.
        let target = unsafe { bindings::vfs_get_link(path.0.dentry, &mut done) };
        let target = from_err_ptr(target.cast_mut());
        let result = target.and_then(|target| {
            // SAFETY: `vfs_get_link` returned a NUL-terminated string valid until `done` runs.
            let target = unsafe { CStr::from_char_ptr(target) };
            let mut v = KVec::new();
            v.extend_from_slice(target.to_bytes(), GFP_KERNEL)?;
            Ok(v)
        });
        if let Some(release) = done.fn_ {
            // SAFETY: `do_delayed_call()`: releases what `vfs_get_link` kept for the string.
            unsafe { release(done.arg) };
        }
        result
    }

    /// Truncates or extends `name` (relative to the root) to `size` bytes (`vfs_truncate()`).
    pub fn truncate(&self, name: &CStr, size: i64) -> Result {
        let path = self.lookup(name, bindings::LOOKUP_FOLLOW)?;
        // SAFETY: `path` is a valid, referenced path.
        to_result(unsafe { bindings::vfs_truncate(&path.0, size) })
    }

    fn remove(&self, dir: &CStr, name: &CStr, rmdir: bool) -> Result {
        let parent = self.lookup_dir(dir)?;
        let idmap = MntIdmap::nop().as_raw();
        let mut q = Self::qstr(name);
        // SAFETY: `parent` is a valid directory; `q` names a single component.
        let d = from_err_ptr(unsafe { bindings::start_removing(idmap, parent.0.dentry, &mut q) })?;
        // SAFETY: `d` is the locked, positive child from `start_removing`.
        let ret = unsafe {
            let dir_inode = (*parent.0.dentry).d_inode;
            if rmdir {
                bindings::vfs_rmdir(idmap, dir_inode, d, ptr::null_mut())
            } else {
                bindings::vfs_unlink(idmap, dir_inode, d, ptr::null_mut())
            }
        };
        // SAFETY: `end_removing()` unlocks the parent and releases `d`.
        unsafe { bindings::end_dirop(d) };
        to_result(ret)
    }

    /// Removes file `name` from directory `dir` (`""` for the root) with `vfs_unlink()`.
    pub fn unlink(&self, dir: &CStr, name: &CStr) -> Result {
        self.remove(dir, name, false)
    }

    /// Removes directory `name` from directory `dir` (`""` for the root) with `vfs_rmdir()`.
    pub fn rmdir(&self, dir: &CStr, name: &CStr) -> Result {
        self.remove(dir, name, true)
    }

    /// Returns the attributes of `name` (relative to the root; `""` for the root itself), as
    /// `stat(2)` would (`vfs_getattr()`).
    pub fn stat(&self, name: &CStr) -> Result<Stat> {
        let path = self.lookup_dir(c"").and_then(|root| {
            if name.is_empty() {
                Ok(root)
            } else {
                self.lookup(name, 0)
            }
        })?;
        let mut st: bindings::kstat = pin_init::zeroed();
        // SAFETY: `path` is valid; `st` is written by `vfs_getattr`.
        to_result(unsafe {
            bindings::vfs_getattr(
                &path.0,
                &mut st,
                bindings::STATX_BASIC_STATS,
                bindings::AT_STATX_SYNC_AS_STAT,
            )
        })?;
        Ok(Stat {
            ino: st.ino,
            mode: st.mode,
            nlink: st.nlink,
            size: st.size,
            blocks: st.blocks,
            rdev: st.rdev,
        })
    }

    /// Returns the file system statistics, as `statfs(2)` would (`vfs_statfs()`).
    pub fn statfs(&self) -> Result<StatFs> {
        let root = self.root();
        let mut st: bindings::kstatfs = pin_init::zeroed();
        // SAFETY: `root` is valid; `st` is written by `vfs_statfs`.
        to_result(unsafe { bindings::vfs_statfs(&root, &mut st) })?;
        Ok(StatFs {
            fs_type: st.f_type,
            bsize: st.f_bsize,
            blocks: st.f_blocks,
            files: st.f_files,
            namelen: st.f_namelen,
        })
    }
}

impl Drop for KernMount {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own the mount.
        unsafe { bindings::kern_unmount(self.mnt.as_ptr()) };
    }
}
