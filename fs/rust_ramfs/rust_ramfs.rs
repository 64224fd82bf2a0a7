// SPDX-License-Identifier: GPL-2.0

//! A RAM file system: ramfs, in Rust.
//!
//! Files and directories exist only in the page cache and the dcache, exactly as in
//! `fs/ramfs`: directories are dentries pinned with `d_make_persistent()`, file data is page
//! cache that is never written back or evicted. Everything goes through the safe VFS
//! abstractions of `kernel::fs`; the libfs and generic helpers do the work ramfs delegates to
//! them as well.

use kernel::fs::{
    address_space::AddressSpaceOps,
    dentry::{self, DEntry, Negative},
    file_operations::FileOps,
    filesystem::{self, FileSystem},
    idmap::MntIdmap,
    inode::{self, INode, Ino, Mode, Type},
    lock::{Exclusive, Locked},
    param,
    sb::{self, SuperBlock},
};
use kernel::{prelude::*, seq_file::SeqFile, seq_print, sync::aref::ARef};

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

/// Root directory mode when no `mode=` is given.
const DEFAULT_MODE: u16 = 0o755;

const OPT_MODE: u8 = 0;

static PARAMS: param::Table<1> = param::Table::new([param::Entry::u32oct(c"mode", OPT_MODE)]);

/// Mount options of one superblock.
struct Options {
    mode: u16,
}

impl Default for Options {
    fn default() -> Self {
        Self { mode: DEFAULT_MODE }
    }
}

struct RamFs;

impl FileSystem for RamFs {
    const NAME: &'static CStr = c"rust_ramfs";
    const FLAGS: filesystem::Flags = filesystem::Flags::USERNS_MOUNT;
    const PARAMS: Option<&'static param::Spec> = Some(PARAMS.spec());
    // Like ramfs, which stands in for tmpfs without CONFIG_SHMEM: ignore other options.
    const IGNORE_UNKNOWN_PARAMS: bool = true;

    type Options = Options;
    type Data = KBox<Options>;

    fn parse_param(opts: &mut Options, value: param::Value<'_>) -> Result {
        if value.opt() == OPT_MODE {
            let mode = value.as_u32().ok_or(EINVAL)?;
            // Keep the permission, set-id and sticky bits only (`S_IALLUGO`).
            opts.mode = Mode::new(Type::Dir, mode as u16).permissions();
        }
        Ok(())
    }

    fn fill_super(sb: &mut SuperBlock<Self, sb::New>, opts: &Options) -> Result<KBox<Options>> {
        sb.set_maxbytes(i64::MAX)
            .set_blocksize_bits(kernel::page::PAGE_SHIFT as u8)
            .set_magic(RUST_RAMFS_MAGIC)
            .set_ops(&SUPER_OPS)
            .set_dentries_dontcache()
            .set_time_gran(1);
        Ok(KBox::new(Options { mode: opts.mode }, GFP_KERNEL)?)
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>> {
        let mode = Mode::new(Type::Dir, sb.data().mode);
        let inode = new_inode(sb, None, mode).map_err(|_| ENOMEM)?;
        dentry::Root::new(inode.into_inode())
    }
}

struct SuperOps;

#[vtable]
impl sb::Operations for SuperOps {
    type FileSystem = RamFs;
    const LIBFS: sb::Libfs = sb::Libfs::STATFS.union(sb::Libfs::DROP_INODE);

    fn show_options(s: &SeqFile, sb: &SuperBlock<RamFs>) -> Result {
        let mode = sb.data().mode;
        if mode != DEFAULT_MODE {
            seq_print!(s, ",mode={:o}", mode);
        }
        Ok(())
    }
}

static SUPER_OPS: sb::Ops<RamFs> = sb::Ops::new::<SuperOps>();

struct DirOps;

#[vtable]
impl inode::Operations for DirOps {
    type FileSystem = RamFs;
    const LIBFS: inode::Libfs = inode::Libfs::DCACHE_DIR;

    fn create(
        _idmap: &MntIdmap,
        dir: &Locked<'_, INode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
        mode: Mode,
        _excl: bool,
    ) -> Result {
        mknod(dir, dentry, mode.with_type(Type::Reg))
    }

    fn mkdir(
        _idmap: &MntIdmap,
        dir: &Locked<'_, INode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
        mode: Mode,
    ) -> Result<Option<ARef<DEntry<RamFs>>>> {
        mknod(dir, dentry, mode.with_type(Type::Dir))?;
        dir.inc_nlink();
        Ok(None)
    }
}

static DIR_IOPS: inode::Ops<RamFs> = inode::Ops::new::<DirOps>();

struct FileIOps;

#[vtable]
impl inode::Operations for FileIOps {
    type FileSystem = RamFs;
    const LIBFS: inode::Libfs = inode::Libfs::SETATTR.union(inode::Libfs::GETATTR);
}

static FILE_IOPS: inode::Ops<RamFs> = inode::Ops::new::<FileIOps>();
static FILE_FOPS: FileOps<RamFs> = FileOps::generic();

/// Creates an inode like ramfs's `ramfs_get_inode()`.
fn new_inode(
    sb: &SuperBlock<RamFs>,
    dir: Option<&INode<RamFs>>,
    mode: Mode,
) -> Result<inode::New<RamFs>> {
    let inode = sb
        .new_inode()?
        .set_ino(Ino::next())
        .init_owner(MntIdmap::nop(), dir, mode)
        .set_aops(AddressSpaceOps::ram())
        .set_mapping_unevictable()
        .init_times_now();
    Ok(match mode.file_type() {
        Some(Type::Reg) => inode.set_iops(&FILE_IOPS).set_fops(&FILE_FOPS),
        // Directories start with two links, for their `.` entry.
        Some(Type::Dir) => inode
            .set_iops(&DIR_IOPS)
            .set_fops(FileOps::simple_dir())
            .inc_nlink(),
        _ => return Err(EINVAL),
    })
}

/// Creates a new inode for `dentry` in `dir`, like ramfs's `ramfs_mknod()`.
fn mknod(
    dir: &Locked<'_, INode<RamFs>, Exclusive>,
    dentry: Negative<'_, RamFs>,
    mode: Mode,
) -> Result {
    // C ramfs reports any failure to get an inode as ENOSPC.
    let inode = new_inode(dir.super_block(), Some(dir), mode)
        .map_err(|_| ENOSPC)?
        .init_security(dir, &dentry)?
        .into_inode();
    dentry.make_persistent(inode);
    dir.touch_mtime_ctime();
    Ok(())
}
