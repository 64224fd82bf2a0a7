// SPDX-License-Identifier: GPL-2.0

//! A RAM file system: ramfs, in Rust.
//!
//! Files and directories exist only in the page cache and the dcache, exactly as in
//! `fs/ramfs`: directories are dentries pinned with `d_make_persistent()`, file data is page
//! cache that is never written back or evicted. Everything goes through the safe VFS
//! abstractions of `kernel::fs`; the libfs and generic helpers do the work ramfs delegates to
//! them as well.

use kernel::fs::{
    address_space::{
        self,
        AddressSpaceOps,
        LockedFolio,
        ReadWritePages,
        WriteBegin,
        WriteFolio, //
    },
    context::{
        Context,
        UserNamespace, //
    },
    dentry::{
        self,
        Child,
        Dentry,
        LinkSource,
        Negative,
        Opened,
        Removed,
        RenameSource,
        RenameTarget,
        TmpFile, //
    },
    file_operations::FileOps,
    filesystem::{
        self,
        FileSystem, //
    },
    idmap::MntIdmap,
    inode::{
        self,
        AttrChange,
        Dev,
        Ino,
        Inode,
        Kgid,
        Kstat,
        Mode,
        RenameFlags,
        Type, //
    },
    libfs,
    lock::{
        Exclusive,
        Locked, //
    },
    param,
    sb::{
        self,
        SuperBlock, //
    },
    xattr::{
        self,
        SetFlags,
        SimpleXattrs, //
    },
};
use kernel::{
    new_spinlock,
    page::{
        PAGE_SHIFT,
        PAGE_SIZE, //
    },
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        SpinLock, //
    },
    task::Kuid, //
};

kernel::module_fs! {
    type: RamFs,
    name: "rust_ramfs",
    authors: ["rust_ramfs developers"],
    description: "RAM file system written in Rust",
    license: "GPL",
    alias: ["fs-rust_ramfs"],
}

/// Magic number of rust_ramfs: "RRFS". Distinct from ramfs's `RAMFS_MAGIC` (0x858458f6) so that
/// tools can tell the two apart.
const RUST_RAMFS_MAGIC: u64 = 0x5252_4653;

/// The mode of a whiteout, a character device (with device number 0:0, `WHITEOUT_DEV`).
const WHITEOUT: Mode = Mode::new(Type::Chr, 0);

/// Root directory mode when no `mode=` is given.
const DEFAULT_MODE: u16 = 0o755;

/// What an inode or an extra hard link takes of the `nr_inodes=` limit, as in tmpfs (whose
/// `BOGO_INODE_SIZE` also lets extended attributes take a share).
const BOGO_INODE_SIZE: u64 = 1024;

const OPT_MODE: u8 = 0;
const OPT_NR_INODES: u8 = 1;
const OPT_UID: u8 = 2;
const OPT_GID: u8 = 3;
const OPT_INODE32: u8 = 4;
const OPT_INODE64: u8 = 5;
const OPT_SIZE: u8 = 6;
const OPT_NR_BLOCKS: u8 = 7;
const OPT_XATTR: u8 = 8;
const OPT_ACL: u8 = 9;

static PARAMS: param::Table<10> = param::Table::new([
    param::Entry::u32oct(c"mode", OPT_MODE),
    param::Entry::size(c"size", OPT_SIZE),
    param::Entry::count(c"nr_blocks", OPT_NR_BLOCKS),
    param::Entry::count(c"nr_inodes", OPT_NR_INODES),
    param::Entry::uid(c"uid", OPT_UID),
    param::Entry::gid(c"gid", OPT_GID),
    param::Entry::flag(c"inode32", OPT_INODE32),
    param::Entry::flag(c"inode64", OPT_INODE64),
    param::Entry::flag(c"xattr", OPT_XATTR),
    param::Entry::flag(c"acl", OPT_ACL),
]);

/// Mount options of one mount or remount; `None` for options not given.
#[derive(Default)]
struct Options {
    mode: Option<u16>,
    nr_blocks: Option<u64>,
    nr_inodes: Option<u64>,
    uid: Option<Kuid>,
    gid: Option<Kgid>,
    inode64: Option<bool>,
    xattr: bool,
    acl: bool,
}

/// The limits of a superblock and their use, as tmpfs's fields under `stat_lock`; a maximum
/// of zero means no limit.
struct Limits {
    /// In pages.
    max_blocks: u64,
    /// Pages in the page cache of the superblock's inodes.
    used_blocks: u64,
    max_inodes: u64,
    free_ispace: u64,
}

/// Per-superblock data.
#[pin_data]
struct RamFsInfo {
    mode: u16,
    uid: Option<Kuid>,
    gid: Option<Kgid>,
    #[pin]
    limits: SpinLock<Limits>,
    /// Whether the superblock had a size limit when it was mounted: only then is there anything
    /// to count, since a limit cannot be set on remount (as in tmpfs).
    counts_blocks: bool,
    /// Whether it had an inode limit when it was mounted.
    counts_inodes: bool,
    next_ino: Atomic<u64>,
    inode64: Atomic<bool>,
    /// Whether `inode32` or `inode64` was given, so `/proc/mounts` shows it.
    show_inums: Atomic<bool>,
    /// Whether the superblock has extended attributes (`xattr`), as tmpfs always has.
    xattr: bool,
    /// Whether it has POSIX ACLs (`acl`), as tmpfs always has.
    acl: bool,
}

impl RamFsInfo {
    /// Takes `bytes` of the inode limit's space, which inodes, extra hard links and extended
    /// attributes share, as in tmpfs.
    fn reserve_ispace(&self, bytes: u64) -> Result {
        if self.counts_inodes {
            let mut limits = self.limits.lock();
            if limits.max_inodes != 0 {
                if limits.free_ispace < bytes {
                    return Err(ENOSPC);
                }
                limits.free_ispace -= bytes;
            }
        }
        Ok(())
    }

    /// Gives `bytes` of the inode limit's space back.
    fn free_ispace(&self, bytes: u64) {
        if self.counts_inodes {
            let mut limits = self.limits.lock();
            if limits.max_inodes != 0 {
                limits.free_ispace += bytes;
            }
        }
    }

    /// Takes one inode's share of the limit (`shmem_reserve_inode()`).
    fn reserve_inode(&self) -> Result {
        self.reserve_ispace(BOGO_INODE_SIZE)
    }

    /// Gives one inode's share back (`shmem_free_inode()`).
    fn free_inode(&self) {
        self.free_ispace(BOGO_INODE_SIZE)
    }

    /// Takes `pages` of the size limit, for pages new to the page cache
    /// (`shmem_inode_acct_blocks()`).
    fn charge_blocks(&self, pages: usize) -> Result {
        let mut limits = self.limits.lock();
        let used = limits.used_blocks + pages as u64;
        if limits.max_blocks != 0 && used > limits.max_blocks {
            return Err(ENOSPC);
        }
        limits.used_blocks = used;
        Ok(())
    }

    /// Gives back `pages` of the size limit, for pages that left the page cache.
    fn uncharge_blocks(&self, pages: usize) {
        let mut limits = self.limits.lock();
        let used = limits.used_blocks.checked_sub(pages as u64);
        // More given back than taken would be an accounting bug: say so, and stay at zero.
        kernel::warn_on!(used.is_none());
        limits.used_blocks = used.unwrap_or(0);
    }

    /// Applies the limits and the inode number width of a remount, as `shmem_reconfigure()`
    /// does: all or nothing, failing with tmpfs's message.
    fn reconfigure(&self, opts: &Options) -> core::result::Result<(), &'static str> {
        if opts.xattr && !self.xattr {
            return Err("Cannot enable xattr on remount");
        }
        if opts.acl && !self.acl {
            return Err("Cannot enable acl on remount");
        }
        let mut limits = self.limits.lock();
        let used = (limits.max_inodes * BOGO_INODE_SIZE).saturating_sub(limits.free_ispace);
        if let Some(n) = opts.nr_blocks.filter(|&n| n != 0) {
            if limits.max_blocks == 0 {
                return Err("Cannot retroactively limit size");
            }
            if limits.used_blocks > n {
                return Err("Too small a size for current use");
            }
        }
        if let Some(n) = opts.nr_inodes.filter(|&n| n != 0) {
            if limits.max_inodes == 0 {
                return Err("Cannot retroactively limit inodes");
            }
            if n * BOGO_INODE_SIZE < used {
                return Err("Too few inodes for current use");
            }
        }
        if opts.inode64 == Some(false) && self.next_ino.load(Relaxed) > u64::from(u32::MAX) {
            return Err("Current inum too high to switch to 32-bit inums");
        }
        if let Some(inode64) = opts.inode64 {
            self.inode64.store(inode64, Relaxed);
            self.show_inums.store(true, Relaxed);
        }
        if let Some(n) = opts.nr_blocks {
            limits.max_blocks = n;
        }
        if let Some(n) = opts.nr_inodes {
            limits.max_inodes = n;
            limits.free_ispace = (n * BOGO_INODE_SIZE).saturating_sub(used);
        }
        Ok(())
    }

    /// Returns a new inode number, unique in the superblock: 64-bit, or with `inode32`, wrapping
    /// around to 1 after 2^32 - 1, as in tmpfs.
    fn next_ino(&self) -> Ino {
        loop {
            // One atomic operation on the path of every new inode; `inode64` only matters past
            // 2^32 - 1.
            let ino = self.next_ino.fetch_add(1, Relaxed);
            if ino <= u64::from(u32::MAX) || self.inode64.load(Relaxed) {
                return Ino(ino);
            }
            // Wrap around: whoever took the last number beyond the limit restarts the count at
            // 1; the others, who took numbers beyond it too, take new ones.
            if self
                .next_ino
                .cmpxchg(ino.wrapping_add(1), 2, Relaxed)
                .is_ok()
            {
                return Ino(1);
            }
        }
    }
}

struct RamFs;

#[vtable]
impl FileSystem for RamFs {
    const NAME: &'static CStr = c"rust_ramfs";
    // As tmpfs: mountable in user namespaces, and mounts may be idmapped.
    const FLAGS: filesystem::Flags =
        filesystem::Flags::USERNS_MOUNT.union(filesystem::Flags::ALLOW_IDMAP);
    const PARAMS: Option<param::Spec> = Some(PARAMS.spec());
    // Like ramfs, which stands in for tmpfs without CONFIG_SHMEM: ignore other options.
    const IGNORE_UNKNOWN_PARAMS: bool = true;
    // As tmpfs parses the values of its options in mount data; `mode` as ramfs does.
    const NUMBER_LIST_PARAMS: &'static [&'static CStr] =
        &[c"size", c"nr_blocks", c"nr_inodes", c"uid", c"gid"];

    type Options = Options;
    // Like ramfs, the tree is the dcache.
    type Dentries = dentry::Persistent;
    type Data = Pin<KBox<RamFsInfo>>;
    type InodeData = ();

    fn parse_param(fc: &Context, opts: &mut Options, param: param::Param<'_>) -> Result {
        match (param.opt(), param.value()) {
            // Keep the permission, set-id and sticky bits only (`S_IALLUGO`).
            (OPT_MODE, param::Value::U32(mode)) => {
                opts.mode = Some(Mode::new(Type::Dir, mode as u16).permissions())
            }
            // As tmpfs's `DIV_ROUND_UP()`, which wraps: a size within a page of 2^64 bytes
            // is 0 blocks, no limit.
            (OPT_SIZE, param::Value::Size(bytes)) => {
                opts.nr_blocks = Some(bytes.wrapping_add(PAGE_SIZE as u64 - 1) / PAGE_SIZE as u64)
            }
            (OPT_NR_BLOCKS, param::Value::Count(n)) => {
                if n > i64::MAX as u64 {
                    return Err(fc.invalf(fmt!("Bad value for '{}'", "nr_blocks")));
                }
                opts.nr_blocks = Some(n);
            }
            (OPT_NR_INODES, param::Value::Count(n)) => {
                if n > u64::MAX / BOGO_INODE_SIZE {
                    return Err(fc.invalf(fmt!("Bad value for '{}'", "nr_inodes")));
                }
                opts.nr_inodes = Some(n);
            }
            (OPT_UID, param::Value::Uid(uid)) => opts.uid = Some(uid),
            (OPT_GID, param::Value::Gid(gid)) => opts.gid = Some(gid),
            (OPT_INODE32, _) => opts.inode64 = Some(false),
            (OPT_INODE64, _) => opts.inode64 = Some(true),
            (OPT_XATTR, _) => opts.xattr = true,
            (OPT_ACL, _) => {
                if !cfg!(CONFIG_FS_POSIX_ACL) {
                    return Err(fc.invalf(fmt!("POSIX ACLs need CONFIG_FS_POSIX_ACL")));
                }
                opts.acl = true;
            }
            _ => {}
        }
        Ok(())
    }

    fn init_data(_fc: &Context, opts: &Options) -> Result<Self::Data> {
        let max_blocks = opts.nr_blocks.unwrap_or(0);
        let max_inodes = opts.nr_inodes.unwrap_or(0);
        let info = pin_init!(RamFsInfo {
            mode: opts.mode.unwrap_or(DEFAULT_MODE),
            uid: opts.uid,
            gid: opts.gid,
            limits <- new_spinlock!(Limits {
                max_blocks,
                used_blocks: 0,
                max_inodes,
                free_ispace: max_inodes * BOGO_INODE_SIZE,
            }),
            counts_blocks: max_blocks != 0,
            counts_inodes: max_inodes != 0,
            next_ino: Atomic::new(1),
            inode64: Atomic::new(opts.inode64.unwrap_or(true)),
            show_inums: Atomic::new(opts.inode64.is_some()),
            xattr: opts.xattr,
            acl: opts.acl,
        });
        KBox::pin_init(info, GFP_KERNEL)
    }

    fn fill_super(sb: &SuperBlock<Self, sb::New>, _fc: &Context) -> Result {
        sb.set_maxbytes(sb::MAX_LFS_FILESIZE)?
            .set_blocksize_bits(PAGE_SHIFT as u8)?
            .set_time_gran(1)?
            .set_magic(RUST_RAMFS_MAGIC)
            .set_dentries_dontcache();
        let info = sb.data();
        if info.counts_inodes {
            sb.set_ops::<SuperOps<true>>();
        } else {
            sb.set_ops::<SuperOps<false>>();
        }
        if info.xattr {
            sb.set_xattr_handlers(&XATTR_HANDLERS);
        }
        if info.acl {
            sb.set_posix_acl()?;
        }
        Ok(())
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>> {
        let info = sb.data();
        let mode = Mode::new(Type::Dir, info.mode);
        let mut inode = new_inode(MntIdmap::nop(), sb, None, mode, Dev(0)).map_err(|_| ENOMEM)?;
        if let Some(uid) = info.uid {
            inode = inode.set_uid(uid);
        }
        if let Some(gid) = info.gid {
            inode = inode.set_gid(gid);
        }
        dentry::Root::new(inode)
    }

    // As tmpfs: the limits change, if they can; the root's mode and owner do not.
    fn reconfigure(sb: &SuperBlock<Self>, fc: &Context, opts: &Options) -> Result {
        // The message is logged after the lock is released: logging allocates.
        sb.data()
            .reconfigure(opts)
            .map_err(|msg| fc.invalf(fmt!("{msg}")))
    }
}

/// The super operations; `LIMITED` for a mount with an inode limit (`nr_inodes=`), whose
/// inodes give their share back when evicted.
struct SuperOps<const LIMITED: bool>;

#[vtable]
impl<const LIMITED: bool> sb::Operations for SuperOps<LIMITED> {
    type FileSystem = RamFs;
    // Without an inode limit an evicted inode has nothing to give back: the VFS then evicts it
    // as it evicts ramfs's, without a call into the file system.
    const HAS_EVICT_INODE: bool = LIMITED;
    const DROP_INODE: sb::DropInode = libfs::INODE_JUST_DROP;

    fn show_options(s: &SeqFile, sb: &SuperBlock<RamFs>) -> Result {
        // In tmpfs's order, with ramfs's format of the mode.
        let info = sb.data();
        let (max_blocks, max_inodes) = {
            let limits = info.limits.lock();
            (limits.max_blocks, limits.max_inodes)
        };
        if max_blocks != 0 {
            seq_print!(
                s,
                ",size={}k",
                max_blocks.wrapping_mul(PAGE_SIZE as u64 / 1024)
            );
        }
        if max_inodes != 0 {
            seq_print!(s, ",nr_inodes={}", max_inodes);
        }
        if info.mode != DEFAULT_MODE {
            seq_print!(s, ",mode={:o}", info.mode);
        }
        let init_ns = UserNamespace::init();
        if let Some(uid) = info.uid.and_then(|uid| init_ns.uid_of(uid)) {
            if uid != 0 {
                seq_print!(s, ",uid={}", uid);
            }
        }
        if let Some(gid) = info.gid.and_then(|gid| init_ns.gid_of(gid)) {
            if gid != 0 {
                seq_print!(s, ",gid={}", gid);
            }
        }
        if info.show_inums.load(Relaxed) {
            let bits = if info.inode64.load(Relaxed) { 64 } else { 32 };
            seq_print!(s, ",inode{}", bits);
        }
        if info.xattr {
            seq_print!(s, ",xattr");
        }
        if info.acl {
            seq_print!(s, ",acl");
        }
        Ok(())
    }

    // Like ramfs, with the counts of the limits as tmpfs reports them.
    fn statfs(dentry: &Dentry<RamFs>, buf: &mut sb::Kstatfs) -> Result {
        libfs::simple_statfs(dentry, buf);
        let info = dentry.super_block().data();
        let limits = info.limits.lock();
        if limits.max_blocks != 0 {
            let free = limits.max_blocks.saturating_sub(limits.used_blocks);
            buf.set_blocks(limits.max_blocks, free, free);
        }
        if limits.max_inodes != 0 {
            buf.set_files(limits.max_inodes, limits.free_ispace / BOGO_INODE_SIZE);
        }
        Ok(())
    }

    // As tmpfs: the inode and its extended attributes give their share of the inode limit back.
    fn evict_inode(inode: &inode::Evicting<'_, RamFs>) {
        let info = inode.super_block().data();
        let freed = SimpleXattrs::free(inode);
        info.free_ispace(BOGO_INODE_SIZE + freed as u64);
    }
}

static XATTR_HANDLERS: xattr::Handlers<RamFs, 3> = xattr::Handlers::new([
    xattr::handler::<Xattrs<0>>(),
    xattr::handler::<Xattrs<1>>(),
    xattr::handler::<Xattrs<2>>(),
]);

/// The namespaces of extended attributes, as tmpfs has them.
const XATTR_PREFIXES: [&CStr; 3] = [
    xattr::SECURITY_PREFIX,
    xattr::TRUSTED_PREFIX,
    xattr::USER_PREFIX,
];

/// The extended attributes of the namespace `XATTR_PREFIXES[NS]`, kept in memory and set as
/// tmpfs does (`shmem_xattr_handler_get()`, `shmem_xattr_handler_set()`): with an inode limit,
/// attributes take their share of its space.
struct Xattrs<const NS: usize>;

impl<const NS: usize> xattr::Handler for Xattrs<NS> {
    type FileSystem = RamFs;
    const PREFIX: &'static CStr = XATTR_PREFIXES[NS];

    fn get(inode: &Inode<RamFs>, name: &CStr, buffer: xattr::Buffer<'_>) -> Result<usize> {
        SimpleXattrs::get(inode, name, buffer)
    }

    fn set(
        _idmap: &MntIdmap,
        inode: &Locked<'_, Inode<RamFs>, Exclusive>,
        name: &CStr,
        value: Option<&[u8]>,
        flags: SetFlags,
    ) -> Result {
        let info = inode.super_block().data();
        let space = value.map_or(0, |v| xattr::space(name, v.len()) as u64);
        info.reserve_ispace(space)?;
        match SimpleXattrs::set(inode, name, value, flags) {
            Ok(freed) => {
                info.free_ispace(freed as u64);
                inode.touch_ctime();
                Ok(())
            }
            Err(e) => {
                info.free_ispace(space);
                Err(e)
            }
        }
    }
}

/// Lists the extended attributes and POSIX ACLs of the inode of `dentry`
/// (`shmem_listxattr()`).
fn list_xattrs(dentry: &Dentry<RamFs>, buffer: xattr::Buffer<'_>) -> Result<usize> {
    let inode = dentry.inode().ok_or(EINVAL)?;
    SimpleXattrs::list(inode, buffer)
}

/// The page cache of a superblock with a size limit: each page takes its share when it comes
/// into the page cache, by a write or by reading or faulting in a hole, and gives it back when
/// it leaves, only by truncation or eviction (its data has no other copy).
struct LimitedPages;

#[vtable]
impl address_space::Operations for LimitedPages {
    type FileSystem = RamFs;

    fn read_folio(inode: &Inode<RamFs>, folio: &mut LockedFolio<'_>) -> Result {
        inode.super_block().data().charge_blocks(folio.nr_pages())
    }

    // A folio is charged while it is up to date (ramfs's page cache has single pages): one that
    // is not yet is charged before the write makes it so, and one that cannot be charged leaves
    // the page cache again, so that a refused write leaves nothing behind.
    fn write_begin<'a>(inode: &Inode<RamFs>, begin: WriteBegin<'a>) -> Result<WriteFolio<'a>> {
        let folio = libfs::simple_write_begin(begin)?;
        if !folio.is_uptodate() {
            if let Err(e) = inode.super_block().data().charge_blocks(1) {
                folio.discard();
                return Err(e);
            }
        }
        Ok(folio)
    }

    fn invalidate_folio(
        inode: &inode::Unreferenced<'_, RamFs>,
        folio: &LockedFolio<'_>,
        offset: usize,
        len: usize,
    ) {
        if offset == 0 && len == folio.size() && folio.is_uptodate() {
            inode.super_block().data().uncharge_blocks(folio.nr_pages());
        }
    }

    fn release_folio(_inode: &inode::Unreferenced<'_, RamFs>, _folio: &LockedFolio<'_>) -> bool {
        false
    }
}

struct DirOps<const ACL: bool>;

#[vtable]
impl<const ACL: bool> inode::Operations for DirOps<ACL> {
    type FileSystem = RamFs;
    const LOOKUP: inode::Lookup = libfs::SIMPLE_LOOKUP;
    const RMDIR: inode::Rmdir = libfs::SIMPLE_RMDIR;
    #[cfg(CONFIG_FS_POSIX_ACL)]
    const SET_ACL: inode::SetAcl = if ACL {
        libfs::SIMPLE_SET_ACL
    } else {
        inode::SetAcl::NONE
    };

    fn setattr(idmap: &MntIdmap, change: AttrChange<'_, RamFs>) -> Result {
        libfs::simple_setattr(idmap, &change)?;
        // Without `acl`, as ramfs: no ACL to update, even if the mounter set `MS_POSIXACL`.
        if ACL {
            libfs::posix_acl_chmod(idmap, &change)?;
        }
        Ok(())
    }

    fn listxattr(dentry: &Dentry<RamFs>, buffer: xattr::Buffer<'_>) -> Result<usize> {
        list_xattrs(dentry, buffer)
    }

    // As tmpfs: each name but the first of an O_TMPFILE takes a share of the inode limit.
    fn link(
        old: &LinkSource<'_, RamFs>,
        dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
    ) -> Result {
        if old.inode().nlink() != 0 {
            dir.super_block().data().reserve_inode()?;
        }
        libfs::simple_link(old, dir, dentry);
        Ok(())
    }

    fn unlink<'a>(
        dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        child: Child<'a, RamFs>,
    ) -> Result<Removed<'a>> {
        let info = dir.super_block().data();
        let extra_link = info.counts_inodes && child.inode().nlink() > 1;
        let removed = libfs::simple_unlink(dir, child);
        if extra_link {
            info.free_inode();
        }
        Ok(removed)
    }

    // Inlined into the abstraction's callback: one call less on every rename.
    #[inline]
    fn rename(
        idmap: &MntIdmap,
        old_dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        old: RenameSource<'_, RamFs>,
        new_dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        new: RenameTarget<'_, RamFs>,
        flags: RenameFlags,
    ) -> Result {
        // A replaced target loses a name, as in `unlink`.
        let info = old_dir.super_block().data();
        let extra_link = info.counts_inodes
            && !flags.contains(RenameFlags::EXCHANGE)
            && new.inode().is_some_and(|inode| {
                inode.nlink() > 1 && inode.mode().file_type() != Some(Type::Dir)
            });
        // As tmpfs, for overlayfs: a whiteout (a 0:0 character device) takes the old name.
        if flags.contains(RenameFlags::WHITEOUT) {
            if !new.simple_empty() {
                return Err(ENOTEMPTY);
            }
            let sb = old_dir.super_block();
            let whiteout = new_inode(idmap, sb, Some(old_dir), WHITEOUT, Dev(0))?;
            let whiteout = acl_create(whiteout, old_dir)?.init_security(old_dir, &old)?;
            old.whiteout(whiteout)?;
            old_dir.touch_mtime_ctime();
        }
        let flags = flags.without(RenameFlags::WHITEOUT);
        libfs::simple_rename(idmap, old_dir, &old, new_dir, &new, flags)?;
        if extra_link {
            info.free_inode();
        }
        Ok(())
    }

    fn create(
        idmap: &MntIdmap,
        dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
        mode: Mode,
        _excl: bool,
    ) -> Result {
        mknod(idmap, dir, dentry, mode.with_type(Type::Reg), Dev(0))
    }

    fn mkdir(
        idmap: &MntIdmap,
        dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
        mode: Mode,
    ) -> Result {
        mknod(idmap, dir, dentry, mode.with_type(Type::Dir), Dev(0))?;
        dir.inc_nlink();
        Ok(())
    }

    fn mknod(
        idmap: &MntIdmap,
        dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
        mode: Mode,
        dev: Dev,
    ) -> Result {
        mknod(idmap, dir, dentry, mode, dev)
    }

    fn symlink(
        idmap: &MntIdmap,
        dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
        target: &CStr,
    ) -> Result {
        let inode = new_inode(
            idmap,
            dir.super_block(),
            Some(dir),
            Mode::new(Type::Lnk, 0o777),
            Dev(0),
        )
        .map_err(|_| ENOSPC)?
        .init_security(dir, &dentry)?
        .page_symlink(target)?;
        dentry.make_persistent(inode)?;
        dir.touch_mtime_ctime();
        Ok(())
    }

    fn tmpfile<'a>(
        idmap: &MntIdmap,
        dir: &Inode<RamFs>,
        file: TmpFile<'a, RamFs>,
        mode: Mode,
    ) -> Result<Opened<'a>> {
        let inode =
            new_inode(idmap, dir.super_block(), Some(dir), mode, Dev(0)).map_err(|_| ENOSPC)?;
        let inode = acl_create(inode, dir)?.init_security(dir, &file)?;
        file.open(inode)
    }
}

struct FileIOps<const ACL: bool>;

#[vtable]
impl<const ACL: bool> inode::Operations for FileIOps<ACL> {
    type FileSystem = RamFs;
    #[cfg(CONFIG_FS_POSIX_ACL)]
    const SET_ACL: inode::SetAcl = if ACL {
        libfs::SIMPLE_SET_ACL
    } else {
        inode::SetAcl::NONE
    };

    // As ramfs's `simple_getattr()`, but with the owner seen through the mount's idmap, as tmpfs
    // reports it: blocks are the pages in the page cache.
    fn getattr(
        idmap: &MntIdmap,
        inode: &Inode<RamFs>,
        stat: &mut Kstat<'_>,
        request_mask: u32,
        _query_flags: u32,
    ) -> Result {
        stat.fill(idmap, request_mask, inode);
        stat.set_blocks(inode.nrpages() << (PAGE_SHIFT - 9));
        Ok(())
    }

    // As ramfs, plus what tmpfs and POSIX add: a change of size updates mtime and ctime, also
    // through truncate(2), which asks for no time update.
    fn setattr(idmap: &MntIdmap, change: AttrChange<'_, RamFs>) -> Result {
        let inode = change.inode();
        let resized = change.size().is_some_and(|size| size != inode.size());
        libfs::simple_setattr(idmap, &change)?;
        if resized {
            inode.touch_mtime_ctime();
        }
        // Without `acl`, as ramfs: no ACL to update, even if the mounter set `MS_POSIXACL`.
        if ACL {
            libfs::posix_acl_chmod(idmap, &change)?;
        }
        Ok(())
    }

    fn listxattr(dentry: &Dentry<RamFs>, buffer: xattr::Buffer<'_>) -> Result<usize> {
        list_xattrs(dentry, buffer)
    }
}

/// Inode operations of symlinks: ramfs's, which read the target from the page cache, plus the
/// listing of extended attributes, as tmpfs's symlinks have it.
struct SymlinkIOps;

#[vtable]
impl inode::Operations for SymlinkIOps {
    type FileSystem = RamFs;

    fn listxattr(dentry: &Dentry<RamFs>, buffer: xattr::Buffer<'_>) -> Result<usize> {
        list_xattrs(dentry, buffer)
    }
}

/// Inode operations of FIFOs, sockets and device nodes: as the VFS's defaults, plus extended
/// attributes and POSIX ACLs as tmpfs has them.
struct SpecialIOps<const ACL: bool>;

#[vtable]
impl<const ACL: bool> inode::Operations for SpecialIOps<ACL> {
    type FileSystem = RamFs;
    #[cfg(CONFIG_FS_POSIX_ACL)]
    const SET_ACL: inode::SetAcl = if ACL {
        libfs::SIMPLE_SET_ACL
    } else {
        inode::SetAcl::NONE
    };

    fn setattr(idmap: &MntIdmap, change: AttrChange<'_, RamFs>) -> Result {
        libfs::simple_setattr(idmap, &change)?;
        // Without `acl`, as ramfs: no ACL to update, even if the mounter set `MS_POSIXACL`.
        if ACL {
            libfs::posix_acl_chmod(idmap, &change)?;
        }
        Ok(())
    }

    fn listxattr(dentry: &Dentry<RamFs>, buffer: xattr::Buffer<'_>) -> Result<usize> {
        list_xattrs(dentry, buffer)
    }
}

/// Creates an inode like ramfs's `ramfs_get_inode()`, owned as tmpfs's `shmem_get_inode()` owns
/// it: by the caller's fsuid and fsgid as seen through the mount's `idmap`; `dev` is the device
/// number of device nodes.
///
/// Inlined into its callers, as ramfs's compiler inlines `ramfs_get_inode()`: a call would pass
/// the new inode back through memory (`make bench-profile` showed it).
#[inline(always)]
fn new_inode<'a>(
    idmap: &MntIdmap,
    sb: &'a SuperBlock<RamFs>,
    dir: Option<&Inode<RamFs>>,
    mode: Mode,
    dev: Dev,
) -> Result<inode::New<'a, RamFs, ReadWritePages>> {
    let info = sb.data();
    info.reserve_inode()?;
    // Once the inode exists, `evict_inode` gives its share back.
    let inode = sb
        .new_inode(())
        .inspect_err(|_| info.free_inode())?
        .set_ino(info.next_ino())
        .init_owner(idmap, dir, mode)
        // As tmpfs: no ACL until `set_acl` or `acl_create` gives one, even on the root.
        .cache_no_acl()
        .set_aops(if info.counts_blocks {
            AddressSpaceOps::ram_with::<LimitedPages>()
        } else {
            AddressSpaceOps::ram()
        })
        .set_mapping_unevictable()
        .simple_inode_init_ts();
    Ok(match mode.file_type() {
        Some(Type::Reg) => inode
            .set_iops(if info.acl {
                inode::Ops::of::<FileIOps<true>>()
            } else {
                inode::Ops::of::<FileIOps<false>>()
            })
            .set_fops(FileOps::ram()),
        // Directories start with two links, for their `.` entry.
        Some(Type::Dir) => inode
            .set_iops(if info.acl {
                inode::Ops::of::<DirOps<true>>()
            } else {
                inode::Ops::of::<DirOps<false>>()
            })
            .set_fops(FileOps::simple_dir())
            .inc_nlink(),
        Some(Type::Lnk) => inode
            .set_iops(inode::Ops::page_symlink_with::<SymlinkIOps>())
            .set_nohighmem(),
        // FIFOs, sockets and device nodes.
        Some(_) => inode.init_special_inode(mode, dev).set_iops(if info.acl {
            inode::Ops::of::<SpecialIOps<true>>()
        } else {
            inode::Ops::of::<SpecialIOps<false>>()
        }),
        None => return Err(EINVAL),
    })
}

/// With `acl`, applies `dir`'s default ACL or the umask to the mode of a new inode in it, as
/// tmpfs does; without, leaves the mode as ramfs does: as the VFS passed it, without the umask
/// if the mounter set `MS_POSIXACL`.
#[inline(always)]
fn acl_create<'a>(
    inode: inode::New<'a, RamFs, ReadWritePages>,
    dir: &Inode<RamFs>,
) -> Result<inode::New<'a, RamFs, ReadWritePages>> {
    if dir.super_block().data().acl {
        inode.simple_acl_create(dir)
    } else {
        Ok(inode)
    }
}

/// Creates a new inode for `dentry` in `dir`, like ramfs's `ramfs_mknod()`; inlined into the
/// operations, as `new_inode` is.
#[inline(always)]
fn mknod(
    idmap: &MntIdmap,
    dir: &Locked<'_, Inode<RamFs>, Exclusive>,
    dentry: Negative<'_, RamFs>,
    mode: Mode,
    dev: Dev,
) -> Result {
    // C ramfs reports any failure to get an inode as ENOSPC.
    let inode = new_inode(idmap, dir.super_block(), Some(dir), mode, dev).map_err(|_| ENOSPC)?;
    let inode = acl_create(inode, dir)?.init_security(dir, &dentry)?;
    dentry.make_persistent(inode)?;
    dir.touch_mtime_ctime();
    Ok(())
}

#[cfg(CONFIG_RUST_RAMFS_KUNIT_TEST)]
#[kunit_tests(rust_ramfs)]
mod tests {
    use super::{
        DEFAULT_MODE,
        RUST_RAMFS_MAGIC, //
    };
    use kernel::fs::{
        file::flags::{
            O_CREAT,
            O_EXCL,
            O_RDWR,
            O_TMPFILE, //
        },
        kern_mount::KernMount, //
    };
    use kernel::{
        page::PAGE_SIZE,
        prelude::*, //
    };

    const S_IFMT: u16 = 0o170000;
    const S_IFDIR: u16 = 0o040000;
    const S_IFREG: u16 = 0o100000;
    const S_IFLNK: u16 = 0o120000;
    const S_IFIFO: u16 = 0o010000;
    const S_IFCHR: u16 = 0o020000;
    const RENAME_NOREPLACE: u32 = 1 << 0;
    const RENAME_EXCHANGE: u32 = 1 << 1;
    const RENAME_WHITEOUT: u32 = 1 << 2;

    fn mount() -> Result<KernMount> {
        KernMount::new(c"rust_ramfs")
    }

    #[test]
    fn root_and_statfs() -> Result {
        let m = mount()?;
        let root = m.stat(c"")?;
        assert_eq!(root.mode, S_IFDIR | DEFAULT_MODE);
        assert_eq!(root.nlink, 2);
        assert_eq!(root.size, 0);
        let st = m.statfs()?;
        assert_eq!(st.fs_type, RUST_RAMFS_MAGIC as isize);
        assert_eq!(st.bsize, PAGE_SIZE as isize);
        assert_eq!(st.namelen, 255);
        assert_eq!((st.blocks, st.files), (0, 0));
        Ok(())
    }

    #[test]
    fn create_write_read_back() -> Result {
        let m = mount()?;
        let f = m.open(c"file", O_CREAT | O_EXCL | O_RDWR, 0o640)?;
        let data = [0x5au8; 5000];
        let mut pos = 0;
        assert_eq!(f.kernel_write(&data, &mut pos)?, data.len());
        assert_eq!(pos, 5000);
        let st = m.stat(c"file")?;
        assert_eq!(st.mode & 0o170000, S_IFREG);
        assert_eq!(st.size, 5000);
        assert_eq!(st.nlink, 1);
        // Two pages of page cache, in 512-byte blocks.
        assert_eq!(st.blocks, 2 * (PAGE_SIZE as u64 / 512));

        let mut buf = [0u8; 6000];
        let mut pos = 0;
        assert_eq!(f.kernel_read(&mut buf, &mut pos)?, 5000);
        assert!(buf[..5000].iter().all(|&b| b == 0x5a));
        assert_eq!(f.kernel_read(&mut buf, &mut pos)?, 0);

        // A hole reads back as zeros.
        let mut pos = 3 * PAGE_SIZE as i64;
        f.kernel_write(b"end", &mut pos)?;
        let mut pos = 5000;
        let mut hole = [1u8; 100];
        assert_eq!(f.kernel_read(&mut hole, &mut pos)?, 100);
        assert!(hole.iter().all(|&b| b == 0));

        assert_eq!(
            m.open(c"file", O_CREAT | O_EXCL | O_RDWR, 0o640).err(),
            Some(EEXIST)
        );
        Ok(())
    }

    #[test]
    fn mkdir_rmdir_nlink() -> Result {
        let m = mount()?;
        m.mkdir(c"", c"a", 0o755)?;
        m.mkdir(c"a", c"b", 0o700)?;
        assert_eq!(m.stat(c"")?.nlink, 3);
        assert_eq!(m.stat(c"a")?.nlink, 3);
        assert_eq!(m.stat(c"a/b")?.nlink, 2);
        assert_eq!(m.stat(c"a/b")?.mode, S_IFDIR | 0o700);
        assert_eq!(m.mkdir(c"", c"a", 0o755), Err(EEXIST));
        assert_eq!(m.rmdir(c"", c"a"), Err(ENOTEMPTY));
        m.rmdir(c"a", c"b")?;
        assert_eq!(m.stat(c"a")?.nlink, 2);
        m.rmdir(c"", c"a")?;
        assert_eq!(m.stat(c"")?.nlink, 2);
        assert_eq!(m.stat(c"a").err(), Some(ENOENT));
        Ok(())
    }

    #[test]
    fn unlink_keeps_open_file() -> Result {
        let m = mount()?;
        let f = m.open(c"f", O_CREAT | O_RDWR, 0o600)?;
        let mut pos = 0;
        f.kernel_write(b"data", &mut pos)?;
        m.unlink(c"", c"f")?;
        assert_eq!(m.stat(c"f").err(), Some(ENOENT));
        let mut buf = [0u8; 4];
        let mut pos = 0;
        assert_eq!(f.kernel_read(&mut buf, &mut pos)?, 4);
        assert_eq!(&buf, b"data");
        Ok(())
    }

    #[test]
    fn error_codes() -> Result {
        let m = mount()?;
        assert_eq!(m.unlink(c"", c"missing"), Err(ENOENT));
        assert_eq!(m.rmdir(c"", c"missing"), Err(ENOENT));
        m.open(c"file", O_CREAT | O_RDWR, 0o644)?;
        assert_eq!(m.rmdir(c"", c"file"), Err(ENOTDIR));
        m.mkdir(c"", c"dir", 0o755)?;
        assert_eq!(m.unlink(c"", c"dir"), Err(EISDIR));

        let mut long = [b'n'; 257];
        long[256] = 0;
        let name_256 = CStr::from_bytes_with_nul(&long).map_err(|_| EINVAL)?;
        assert_eq!(
            m.open(name_256, O_CREAT | O_RDWR, 0o644).err(),
            Some(ENAMETOOLONG)
        );
        assert_eq!(m.mkdir(c"", name_256, 0o755), Err(ENAMETOOLONG));
        long[255] = 0;
        let name_255 = CStr::from_bytes_with_nul(&long[..256]).map_err(|_| EINVAL)?;
        m.open(name_255, O_CREAT | O_RDWR, 0o644)?;
        m.unlink(c"", name_255)?;
        Ok(())
    }

    #[test]
    fn mounts_are_independent() -> Result {
        let a = mount()?;
        let b = mount()?;
        a.mkdir(c"", c"only_in_a", 0o755)?;
        assert_eq!(b.stat(c"only_in_a").err(), Some(ENOENT));
        // Each superblock numbers its inodes, from 1 for the root, as tmpfs does.
        assert_eq!((a.stat(c"")?.ino, b.stat(c"")?.ino), (1, 1));
        assert_eq!(a.stat(c"only_in_a")?.ino, 2);
        b.mkdir(c"", c"only_in_b", 0o755)?;
        assert_eq!(b.stat(c"only_in_b")?.ino, 2);
        Ok(())
    }

    #[test]
    fn symlink_target_and_size() -> Result {
        let m = mount()?;
        m.mkdir(c"", c"d", 0o755)?;
        m.symlink(c"d", c"link", c"../some/target")?;
        let st = m.stat(c"d/link")?;
        assert_eq!(st.mode, S_IFLNK | 0o777);
        assert_eq!(st.size, 14);
        assert_eq!(st.nlink, 1);
        assert_eq!(&m.read_link(c"d/link")?[..], b"../some/target");
        assert_eq!(m.symlink(c"d", c"link", c"x"), Err(EEXIST));
        m.unlink(c"d", c"link")?;
        assert_eq!(m.read_link(c"d/link").err(), Some(ENOENT));
        Ok(())
    }

    #[test]
    fn hard_links_share_data() -> Result {
        let m = mount()?;
        let f = m.open(c"a", O_CREAT | O_RDWR, 0o644)?;
        f.kernel_write(b"shared", &mut 0)?;
        m.mkdir(c"", c"d", 0o755)?;
        m.link(c"a", c"d", c"b")?;
        assert_eq!(m.stat(c"a")?.nlink, 2);
        assert_eq!(m.stat(c"a")?.ino, m.stat(c"d/b")?.ino);
        assert_eq!(m.link(c"d", c"", c"dirlink"), Err(EPERM));
        assert_eq!(m.link(c"a", c"d", c"b"), Err(EEXIST));
        m.unlink(c"", c"a")?;
        let st = m.stat(c"d/b")?;
        assert_eq!((st.nlink, st.size), (1, 6));
        Ok(())
    }

    #[test]
    fn rename_flags() -> Result {
        let m = mount()?;
        m.open(c"a", O_CREAT | O_RDWR, 0o644)?;
        m.open(c"b", O_CREAT | O_RDWR, 0o600)?;
        m.mkdir(c"", c"dir", 0o755)?;
        assert_eq!(
            m.rename(c"", c"a", c"", c"b", RENAME_NOREPLACE),
            Err(EEXIST)
        );
        m.rename(c"", c"a", c"", c"b", RENAME_EXCHANGE)?;
        assert_eq!(m.stat(c"a")?.mode, S_IFREG | 0o600);
        assert_eq!(m.stat(c"b")?.mode, S_IFREG | 0o644);
        // Moving a directory into another one moves its `..` link.
        m.mkdir(c"", c"sub", 0o755)?;
        assert_eq!(m.stat(c"")?.nlink, 4);
        m.rename(c"", c"sub", c"dir", c"sub", 0)?;
        assert_eq!(m.stat(c"")?.nlink, 3);
        assert_eq!(m.stat(c"dir")?.nlink, 3);
        assert_eq!(m.rename(c"", c"a", c"", c"dir", 0), Err(EISDIR));
        assert_eq!(
            m.rename(c"", c"a", c"", c"missing", RENAME_EXCHANGE),
            Err(ENOENT)
        );
        m.mkdir(c"", c"empty", 0o755)?;
        assert_eq!(m.rename(c"", c"empty", c"", c"dir", 0), Err(ENOTEMPTY));
        m.rename(c"", c"a", c"", c"b", 0)?;
        assert_eq!(m.stat(c"a").err(), Some(ENOENT));
        assert_eq!(m.stat(c"b")?.mode, S_IFREG | 0o600);
        // As in tmpfs, a whiteout (a 0:0 character device) takes the old name.
        m.rename(c"", c"b", c"", c"c", RENAME_WHITEOUT)?;
        assert_eq!(m.stat(c"b")?.mode, S_IFCHR);
        assert_eq!(m.stat(c"c")?.mode, S_IFREG | 0o600);
        assert_eq!(
            m.rename(c"", c"c", c"", c"b", RENAME_WHITEOUT | RENAME_NOREPLACE),
            Err(EEXIST)
        );
        Ok(())
    }

    #[test]
    fn tmpfile_then_link() -> Result {
        let m = mount()?;
        let f = m.open(c"", O_TMPFILE | O_RDWR, 0o600)?;
        f.kernel_write(b"anonymous", &mut 0)?;
        assert_eq!(m.stat(c"")?.nlink, 2);
        m.link_file(&f, c"", c"named")?;
        let st = m.stat(c"named")?;
        assert_eq!((st.mode, st.nlink, st.size), (S_IFREG | 0o600, 1, 9));
        Ok(())
    }

    #[test]
    fn mknod_special_files() -> Result {
        let m = mount()?;
        m.mknod(c"", c"fifo", S_IFIFO | 0o640, 0)?;
        let st = m.stat(c"fifo")?;
        assert_eq!((st.mode, st.size, st.rdev), (S_IFIFO | 0o640, 0, 0));
        // Character device 1:3 (`/dev/null`), encoded like `MKDEV()`.
        m.mknod(c"", c"null", S_IFCHR | 0o666, (1 << 20) | 3)?;
        let st = m.stat(c"null")?;
        assert_eq!((st.mode & S_IFMT, st.rdev), (S_IFCHR, (1 << 20) | 3));
        assert_eq!(m.mknod(c"", c"fifo", S_IFIFO | 0o640, 0), Err(EEXIST));
        Ok(())
    }

    #[test]
    fn truncate_up_and_down() -> Result {
        let m = mount()?;
        let f = m.open(c"f", O_CREAT | O_RDWR, 0o644)?;
        f.kernel_write(&[0xffu8; 3 * PAGE_SIZE], &mut 0)?;
        m.truncate(c"f", 10)?;
        let st = m.stat(c"f")?;
        assert_eq!((st.size, st.blocks), (10, PAGE_SIZE as u64 / 512));
        m.truncate(c"f", 2 * PAGE_SIZE as i64)?;
        assert_eq!(m.stat(c"f")?.size, 2 * PAGE_SIZE as i64);
        // The bytes cut off do not come back.
        let mut buf = [1u8; 64];
        assert_eq!(f.kernel_read(&mut buf, &mut 8)?, 64);
        assert_eq!(&buf[..2], &[0xff, 0xff]);
        assert!(buf[2..].iter().all(|&b| b == 0));
        assert_eq!(m.truncate(c"", 0), Err(EISDIR));
        Ok(())
    }
}
