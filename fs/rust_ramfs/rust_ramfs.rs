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
        AddressSpaceOps,
        ReadWritePages, //
    },
    context::Context,
    dentry::{
        self,
        Negative,
        Opened,
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
        Dev,
        Ino,
        Inode,
        Mode,
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
};
use kernel::{
    prelude::*,
    seq_file::SeqFile,
    seq_print, //
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

#[vtable]
impl FileSystem for RamFs {
    const NAME: &'static CStr = c"rust_ramfs";
    const FLAGS: filesystem::Flags = filesystem::Flags::USERNS_MOUNT;
    const PARAMS: Option<param::Spec> = Some(PARAMS.spec());
    // Like ramfs, which stands in for tmpfs without CONFIG_SHMEM: ignore other options.
    const IGNORE_UNKNOWN_PARAMS: bool = true;

    type Options = Options;
    // Like ramfs, the tree is the dcache.
    type Dentries = dentry::Persistent;
    type Data = KBox<Options>;
    // Like ramfs, no data beside the VFS's own inodes.
    type InodeData = ();

    fn parse_param(_fc: &Context, opts: &mut Options, param: param::Param<'_>) -> Result {
        if let (OPT_MODE, param::Value::U32(mode)) = (param.opt(), param.value()) {
            // Keep the permission, set-id and sticky bits only (`S_IALLUGO`).
            opts.mode = Mode::new(Type::Dir, mode as u16).permissions();
        }
        Ok(())
    }

    fn init_data(_fc: &Context, opts: &Options) -> Result<KBox<Options>> {
        Ok(KBox::new(Options { mode: opts.mode }, GFP_KERNEL)?)
    }

    fn fill_super(sb: &SuperBlock<Self, sb::New>, _fc: &Context) -> Result {
        sb.set_maxbytes(sb::MAX_LFS_FILESIZE)?
            .set_blocksize_bits(kernel::page::PAGE_SHIFT as u8)?
            .set_time_gran(1)?
            .set_magic(RUST_RAMFS_MAGIC)
            .set_ops::<SuperOps>()
            .set_dentries_dontcache();
        Ok(())
    }

    fn init_root(sb: &SuperBlock<Self>) -> Result<dentry::Root<Self>> {
        let mode = Mode::new(Type::Dir, sb.data().mode);
        let inode = new_inode(sb, None, mode, Dev(0)).map_err(|_| ENOMEM)?;
        dentry::Root::new(inode)
    }

    // Like ramfs, which has no `reconfigure`: a remount parses its options and applies none.
    fn reconfigure(_sb: &SuperBlock<Self>, _fc: &Context, _opts: &Options) -> Result {
        Ok(())
    }
}

struct SuperOps;

#[vtable]
impl sb::Operations for SuperOps {
    type FileSystem = RamFs;
    const STATFS: sb::Statfs = libfs::SIMPLE_STATFS;
    const DROP_INODE: sb::DropInode = libfs::INODE_JUST_DROP;

    fn show_options(s: &SeqFile, sb: &SuperBlock<RamFs>) -> Result {
        let mode = sb.data().mode;
        if mode != DEFAULT_MODE {
            seq_print!(s, ",mode={:o}", mode);
        }
        Ok(())
    }
}

struct DirOps;

#[vtable]
impl inode::Operations for DirOps {
    type FileSystem = RamFs;
    const LOOKUP: inode::Lookup = libfs::SIMPLE_LOOKUP;
    const LINK: inode::Link = libfs::SIMPLE_LINK;
    const UNLINK: inode::Unlink = libfs::SIMPLE_UNLINK;
    const RMDIR: inode::Rmdir = libfs::SIMPLE_RMDIR;
    const RENAME: inode::Rename = libfs::SIMPLE_RENAME;

    fn create(
        _idmap: &MntIdmap,
        dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
        mode: Mode,
        _excl: bool,
    ) -> Result {
        mknod(dir, dentry, mode.with_type(Type::Reg), Dev(0))
    }

    fn mkdir(
        _idmap: &MntIdmap,
        dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
        mode: Mode,
    ) -> Result {
        mknod(dir, dentry, mode.with_type(Type::Dir), Dev(0))?;
        dir.inc_nlink();
        Ok(())
    }

    fn mknod(
        _idmap: &MntIdmap,
        dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
        mode: Mode,
        dev: Dev,
    ) -> Result {
        mknod(dir, dentry, mode, dev)
    }

    fn symlink(
        _idmap: &MntIdmap,
        dir: &Locked<'_, Inode<RamFs>, Exclusive>,
        dentry: Negative<'_, RamFs>,
        target: &CStr,
    ) -> Result {
        let inode = new_inode(
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
        _idmap: &MntIdmap,
        dir: &Inode<RamFs>,
        file: TmpFile<'a, RamFs>,
        mode: Mode,
    ) -> Result<Opened<'a>> {
        let inode = new_inode(dir.super_block(), Some(dir), mode, Dev(0))
            .map_err(|_| ENOSPC)?
            .init_security(dir, &file)?;
        file.open(inode)
    }
}

struct FileIOps;

#[vtable]
impl inode::Operations for FileIOps {
    type FileSystem = RamFs;
    const SETATTR: inode::Setattr = libfs::SIMPLE_SETATTR;
    const GETATTR: inode::Getattr = libfs::SIMPLE_GETATTR;
}

/// Creates an inode like ramfs's `ramfs_get_inode()`; `dev` is the device number of device nodes.
fn new_inode<'a>(
    sb: &'a SuperBlock<RamFs>,
    dir: Option<&Inode<RamFs>>,
    mode: Mode,
    dev: Dev,
) -> Result<inode::New<'a, RamFs, ReadWritePages>> {
    let inode = sb
        .new_inode(())?
        .set_ino(Ino::next())
        .init_owner(MntIdmap::nop(), dir, mode)
        .set_aops(AddressSpaceOps::ram())
        .set_mapping_unevictable()
        .simple_inode_init_ts();
    Ok(match mode.file_type() {
        Some(Type::Reg) => inode
            .set_iops(inode::Ops::of::<FileIOps>())
            .set_fops(FileOps::ram()),
        // Directories start with two links, for their `.` entry.
        Some(Type::Dir) => inode
            .set_iops(inode::Ops::of::<DirOps>())
            .set_fops(FileOps::simple_dir())
            .inc_nlink(),
        Some(Type::Lnk) => inode.set_iops(inode::Ops::page_symlink()).set_nohighmem(),
        // FIFOs, sockets and device nodes.
        Some(_) => inode.init_special_inode(mode, dev),
        None => return Err(EINVAL),
    })
}

/// Creates a new inode for `dentry` in `dir`, like ramfs's `ramfs_mknod()`.
fn mknod(
    dir: &Locked<'_, Inode<RamFs>, Exclusive>,
    dentry: Negative<'_, RamFs>,
    mode: Mode,
    dev: Dev,
) -> Result {
    // C ramfs reports any failure to get an inode as ENOSPC.
    let inode = new_inode(dir.super_block(), Some(dir), mode, dev)
        .map_err(|_| ENOSPC)?
        .init_security(dir, &dentry)?;
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
        assert_ne!(a.stat(c"")?.ino, b.stat(c"")?.ino);
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
        assert_eq!(m.rename(c"", c"a", c"", c"c", RENAME_WHITEOUT), Err(EINVAL));
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
