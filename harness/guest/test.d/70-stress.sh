#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Concurrency stress, run inside the guest: for each file system type, mount
# it, let worker processes create, write, truncate, read, mkdir/rmdir and
# unlink random names in a shared tree (with stress-ng's file system
# stressors running next to them), then check that the tree is consistent,
# remove it and unmount.  TAP on stdout.
#
# Parameters (environment):
#   STRESS_FSTYPES     file system types (default "ramfs rust_ramfs")
#   STRESS_WORKERS     worker processes (default 4)
#   STRESS_TIME        seconds the workers and stress-ng run (default 20)
#   STRESS_DIRS        top-level directories of the shared tree (default 4)
#   STRESS_OPS         worker operations (default: all the supported ones,
#                      see DEFAULT_OPS below)
#   STRESS_EXTRA_OPS   operations to add to STRESS_OPS
#   STRESS_NG          stress-ng stressors, "" to skip stress-ng (default:
#                      the file system ones that finish in bounded time)
#   STRESS_NG_ARGS     more stress-ng arguments
#   STRESS_SEED        random seed of the workers (default: time)
#   STRESS_UNEVICT_TOL allowed difference in KiB between the growth of
#                      Unevictable and the pages of the files (default 1024)
set -u
DEFAULT_OPS="create write truncate read mkdir rmdir unlink readdir stat chmod fsync"
DEFAULT_OPS="$DEFAULT_OPS rename link symlink mknod"
FSTYPES=${STRESS_FSTYPES:-ramfs rust_ramfs}
WORKERS=${STRESS_WORKERS:-4}
TIME=${STRESS_TIME:-20}
DIRS=${STRESS_DIRS:-4}
OPS="${STRESS_OPS:-$DEFAULT_OPS} ${STRESS_EXTRA_OPS:-}"
DEFAULT_NG="dentry dir dirmany filename fstat seek hdd chmod utime flock fcntl readahead"
STRESS_NG=${STRESS_NG-$DEFAULT_NG link symlink rename mknod}
SEED=${STRESS_SEED:-$(date +%s)}
UNEVICT_TOL=${STRESS_UNEVICT_TOL:-1024}
. "$(dirname "$0")/../lib.sh"
CHECKS="readdir-stat dir-nlink file-nlink blocks unevictable data cleanup"

nfs=$(echo $FSTYPES | wc -w)
ncheck=$(echo $CHECKS | wc -w)
tap_plan $((nfs * (ncheck + 5)))

tmp=$(mktemp -d /tmp/stress.XXXXXX)
mnt=$tmp/mnt
mkdir -p "$mnt"
trap 'umount "$mnt" 2>/dev/null; rm -rf "$tmp"' EXIT
modprobe rust_ramfs 2>&1 | comment
echo "# workers $WORKERS for $TIME s, seed $SEED, ops:" $OPS
echo "# stress-ng stressors: ${STRESS_NG:-none}"

cat >"$tmp/stress.py" <<'EOF'
"""Workers and consistency checks for 70-stress.sh.

Tree: ROOT/dK (K < dirs, never removed) holding files fN (written
sequentially, never sparse), hN (sparse), lN (symlinks), pN (FIFOs) and
directories sN that hold the same kinds of files.  Every byte of fN/hN at
offset i is PAT[i] (or 0 in a hole of an hN file).  Writers and truncaters
hold flock(LOCK_EX), readers flock(LOCK_SH), so fN files never get holes and
readers never see a half-done truncate.
"""
import errno, fcntl, json, os, random, shutil, stat, sys, time

PAGE = os.sysconf("SC_PAGE_SIZE")
MAXF = 256 << 10   # size cap of fN files
MAXH = 1 << 20     # offsets of sparse writes to hN files
PAT = bytes((i * 7 + i // 4096 + 1) % 251 + 1 for i in range(MAXH + 65536))
EXPECTED = {errno.ENOENT, errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR,
            errno.EISDIR, errno.ELOOP, errno.ENXIO}
NF, NH, NL, NP, NS = 16, 4, 4, 4, 4
WEIGHT = {"create": 3, "write": 2, "read": 2}


class W:
    def __init__(self, root, dirs, rnd):
        self.root, self.dirs, self.r = root, dirs, rnd

    def dir(self):
        d = f"{self.root}/d{self.r.randrange(self.dirs)}"
        if self.r.random() < 0.3:
            d += f"/s{self.r.randrange(NS)}"
        return d

    def name(self, kind):
        n = {"f": NF, "h": NH, "l": NL, "p": NP}[kind]
        return f"{self.dir()}/{kind}{self.r.randrange(n)}"

    def file(self):
        return self.name("f" if self.r.random() < 0.8 else "h")

    def openf(self, path, flags, lock):
        fd = os.open(path, flags | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            return None
        fcntl.flock(fd, lock)
        return fd

    def append(self, fd, path, n):
        size = os.fstat(fd).st_size
        if os.path.basename(path)[0] == "h" and self.r.random() < 0.5:
            off = self.r.randrange(MAXH)
        else:
            off = size
        cap = MAXF if os.path.basename(path)[0] == "f" else MAXH
        if off >= cap:
            os.ftruncate(fd, self.r.randrange(cap))
            return
        if os.pwrite(fd, PAT[off:off + n], off) != n:
            raise AssertionError(f"{path}: short write")

    # Operations.
    def op_create(self):
        path = self.file()
        fd = self.openf(path, os.O_CREAT | os.O_WRONLY, fcntl.LOCK_EX)
        if fd is not None:
            try:
                self.append(fd, path, self.r.randrange(1, 8192))
            finally:
                os.close(fd)

    def op_write(self):
        path = self.file()
        fd = self.openf(path, os.O_WRONLY, fcntl.LOCK_EX)
        if fd is not None:
            try:
                self.append(fd, path, self.r.randrange(1, 16384))
            finally:
                os.close(fd)

    def op_truncate(self):
        path = self.file()
        fd = self.openf(path, os.O_WRONLY, fcntl.LOCK_EX)
        if fd is not None:
            try:
                size = os.fstat(fd).st_size
                top = 2 * size + PAGE if os.path.basename(path)[0] == "h" else size
                os.ftruncate(fd, self.r.randint(0, top))
            finally:
                os.close(fd)

    def op_read(self):
        path = self.file()
        fd = self.openf(path, os.O_RDONLY, fcntl.LOCK_SH)
        if fd is None:
            return
        try:
            size = os.fstat(fd).st_size
            if os.lseek(fd, 0, os.SEEK_END) != size:
                raise AssertionError(f"{path}: SEEK_END != st_size {size}")
            off = self.r.randrange(size + 1) if self.r.random() < 0.5 else 0
            os.lseek(fd, off, os.SEEK_SET)
            data = b""
            while True:
                b = os.read(fd, 65536)
                if not b:
                    break
                data += b
            if off + len(data) != size:
                raise AssertionError(f"{path}: read {len(data)} bytes at {off}, size {size}")
            if not check_data(path, off, data):
                raise AssertionError(f"{path}: wrong data at {off}..{off + len(data)}")
        finally:
            os.close(fd)

    def op_mkdir(self):
        os.mkdir(f"{self.root}/d{self.r.randrange(self.dirs)}/s{self.r.randrange(NS)}", 0o755)

    def op_rmdir(self):
        d = f"{self.root}/d{self.r.randrange(self.dirs)}/s{self.r.randrange(NS)}"
        if self.r.random() < 0.3:
            for name in os.listdir(d):
                try:
                    os.unlink(f"{d}/{name}")
                except OSError as x:
                    if x.errno not in EXPECTED:
                        raise
        os.rmdir(d)

    def op_unlink(self):
        os.unlink(self.name(self.r.choice("ffffhlp")))

    def op_readdir(self):
        with os.scandir(self.dir()) as it:
            for e in it:
                try:
                    st = os.lstat(e.path)
                except FileNotFoundError:
                    continue
                if st.st_ino != e.inode():
                    # Unlinked and recreated between readdir and lstat?
                    continue

    def op_stat(self):
        os.lstat(self.name(self.r.choice("ffffhlp")))

    def op_chmod(self):
        os.chmod(self.file(), 0o600 | self.r.choice([0, 0o44, 0o66]))

    def op_fsync(self):
        fd = self.openf(self.file(), os.O_RDONLY, fcntl.LOCK_SH)
        if fd is not None:
            os.fsync(fd)
            os.close(fd)

    def op_rename(self):
        if self.r.random() < 0.2:
            k = self.r.randrange(self.dirs)
            os.rename(f"{self.root}/d{k}/s{self.r.randrange(NS)}",
                      f"{self.root}/d{k}/s{self.r.randrange(NS)}")
        else:
            kind = self.r.choice("ffffhlp")
            os.rename(self.name(kind), self.name(kind))

    def op_link(self):
        kind = self.r.choice("ffh")
        os.link(self.name(kind), self.name(kind))

    def op_symlink(self):
        os.symlink(self.r.choice(["f0", "../f1", "s0", "missing", "../s1/h0"]), self.name("l"))

    def op_mknod(self):
        os.mknod(self.name("p"), stat.S_IFIFO | 0o644)


def check_data(path, off, data):
    want = PAT[off:off + len(data)]
    if data == want:
        return True
    if os.path.basename(path)[0] != "h":
        return False
    # Holes of sparse files read as zeroes.
    zero = bytes(PAGE)
    for i in range(0, len(data), PAGE):
        a, b = data[i:i + PAGE], want[i:i + PAGE]
        if a != b and a != zero[:len(a)] and \
           not all(x == y or x == 0 for x, y in zip(a, b)):
            return False
    return True


def worker(root, dirs, ops, seconds, seed, wfd):
    r = random.Random(seed)
    w = W(root, dirs, r)
    fns = [(o, getattr(w, "op_" + o)) for o in ops for _ in range(WEIGHT.get(o, 1))]
    counts, errs, unexpected = {}, {}, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        name, fn = r.choice(fns)
        counts[name] = counts.get(name, 0) + 1
        try:
            fn()
        except OSError as e:
            key = f"{name}:{errno.errorcode.get(e.errno, e.errno)}"
            errs[key] = errs.get(key, 0) + 1
            if e.errno not in EXPECTED and len(unexpected) < 20:
                unexpected.append(f"{name}: {e}")
        except AssertionError as e:
            unexpected.append(f"{name}: {e}")
            if len(unexpected) >= 20:
                break
    os.write(wfd, json.dumps({"counts": counts, "errors": errs,
                              "unexpected": unexpected}).encode())


def work(root, dirs, nworkers, seconds, ops, seed):
    for k in range(dirs):
        os.mkdir(f"{root}/d{k}", 0o755)
    pipes = []
    for i in range(nworkers):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            code = 0
            try:
                worker(root, dirs, ops, seconds, seed * 1000 + i, wfd)
            except BaseException as e:
                os.write(wfd, json.dumps({"crash": repr(e)}).encode())
                code = 1
            os._exit(code)
        os.close(wfd)
        pipes.append((pid, rfd))
    good = True
    for i, (pid, rfd) in enumerate(pipes):
        out = b""
        while True:
            b = os.read(rfd, 65536)
            if not b:
                break
            out += b
        _, status = os.waitpid(pid, 0)
        try:
            res = json.loads(out)
        except ValueError:
            res = {"crash": f"no result, wait status {status}"}
        if "crash" in res:
            print(f"worker {i} crashed: {res['crash']}")
            good = False
            continue
        print(f"worker {i}: ops " + " ".join(f"{k}={v}" for k, v in sorted(res["counts"].items())))
        print(f"worker {i}: errors " + " ".join(f"{k}={v}" for k, v in sorted(res["errors"].items())))
        for u in res["unexpected"][:5]:
            print(f"worker {i}: UNEXPECTED {u}")
        if len(res["unexpected"]) > 5:
            print(f"worker {i}: UNEXPECTED ... (see the error counts)")
        good = good and not res["unexpected"]
    return 0 if good else 1


def unevictable_kb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Unevictable:"):
                return int(line.split()[1])


def check(root, unev0, unev_tol):
    results = {c: [] for c in ("readdir-stat", "dir-nlink", "file-nlink", "blocks",
                               "unevictable", "data")}
    to_read = []
    pages = {}   # regular file inode -> st_blocks * 512
    names = {}   # inode -> number of names
    nlink = {}   # inode -> (st_nlink, a path)
    nfiles = ndirs = size_sum = block_sum = 0

    def fail(c, msg):
        if len(results[c]) < 20:
            results[c].append(msg)

    def walk(d):
        nonlocal nfiles, ndirs, size_sum, block_sum
        dst = os.lstat(d)
        subdirs = 0
        seen = set()
        with os.scandir(d) as it:
            entries = list(it)
        for e in entries:
            if e.name in (".", "..") or e.name in seen:
                fail("readdir-stat", f"{d}: readdir returned {e.name!r} twice or '.'/'..'")
            seen.add(e.name)
            try:
                st = os.lstat(e.path)
            except OSError as x:
                fail("readdir-stat", f"{e.path}: listed but lstat fails: {x}")
                continue
            if st.st_ino != e.inode():
                fail("readdir-stat", f"{e.path}: d_ino {e.inode()} != st_ino {st.st_ino}")
            dtype_dir = e.is_dir(follow_symlinks=False)
            if dtype_dir != stat.S_ISDIR(st.st_mode) or \
               e.is_symlink() != stat.S_ISLNK(st.st_mode):
                fail("readdir-stat", f"{e.path}: d_type does not match mode {st.st_mode:o}")
            if stat.S_ISDIR(st.st_mode):
                subdirs += 1
                walk(e.path)
                continue
            names[st.st_ino] = names.get(st.st_ino, 0) + 1
            nlink[st.st_ino] = (st.st_nlink, e.path)
            if not stat.S_ISREG(st.st_mode):
                continue
            nfiles += 1
            if st.st_ino not in pages:   # count hard links once
                pages[st.st_ino] = st.st_blocks * 512
                size_sum += st.st_size
                block_sum += st.st_blocks * 512
            rounded = (st.st_size + PAGE - 1) // PAGE * PAGE
            used = st.st_blocks * 512
            strict = e.name[0] == "f" and e.path.startswith(root + "/d")
            if used % PAGE or used > rounded or (strict and used != rounded):
                fail("blocks", f"{e.path}: size {st.st_size}, st_blocks {st.st_blocks}"
                     f" ({used} bytes, expected {'' if strict else '<= '}{rounded})")
            if e.name[0] in "fh" and e.path.startswith(root + "/d"):
                to_read.append((e.path, st.st_size))
        if dst.st_nlink != 2 + subdirs:
            fail("dir-nlink", f"{d}: st_nlink {dst.st_nlink}, {subdirs} subdirectories")
        ndirs += 1

    walk(root)
    # ramfs page cache is unevictable: the pages of this mount (the only
    # ramfs) are what Unevictable grew by since the mount.  Before reading
    # the files: reading holes of sparse files may add pages.
    unev = unevictable_kb()
    if abs((unev - unev0) - block_sum // 1024) > unev_tol:
        fail("unevictable", f"Unevictable grew by {unev - unev0} kB since the mount, the files"
             f" have {block_sum // 1024} kB of pages (tolerance {unev_tol} kB)")
    for path, size in to_read:
        with open(path, "rb") as f:
            data = f.read()
        if len(data) != size or not check_data(path, 0, data):
            fail("data", f"{path}: {len(data)} bytes read, size {size},"
                 " contents differ from what was written")
    for ino, (nl, path) in nlink.items():
        if nl != names[ino]:
            fail("file-nlink", f"{path}: st_nlink {nl}, {names[ino]} names")
    print(f"# {ndirs} directories, {nfiles} regular file names, {len(pages)} regular files,"
          f" {len(nlink)} non-directory inodes;"
          f" sum of sizes {size_sum}, of st_blocks*512 {block_sum};"
          f" Unevictable {unev0} -> {unev} kB")
    for c, msgs in results.items():
        print(f"check {c} {'fail' if msgs else 'ok'}")
        for m in msgs:
            print(f"# {m}")

    # Remove everything: the root must end up empty, with two links.
    msgs = []
    try:
        for e in os.listdir(root):
            p = f"{root}/{e}"
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)
        left = os.listdir(root)
        st = os.lstat(root)
        if left or st.st_nlink != 2:
            msgs.append(f"after removing everything: entries {left[:10]}, st_nlink {st.st_nlink}")
    except OSError as x:
        msgs.append(f"removing the tree: {x}")
    print(f"check cleanup {'fail' if msgs else 'ok'}")
    for m in msgs:
        print(f"# {m}")


if __name__ == "__main__":
    if sys.argv[1] == "work":
        root, dirs, nw, secs, ops, seed = sys.argv[2:8]
        sys.stdout.reconfigure(line_buffering=True)
        sys.exit(work(root, int(dirs), int(nw), float(secs), ops.split(), int(seed)))
    check(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
EOF

for fs in $FSTYPES; do
	dmesg_start=$(dmesg | wc -l)
	if ! mount -t "$fs" -o mode=755 "$fs" "$mnt" 2>"$tmp/err"; then
		comment <"$tmp/err"
		nok "$fs.mount"
		for t in workers stress-ng $CHECKS umount dmesg; do
			nok "$fs.$t # not mounted"
		done
		continue
	fi
	ok "$fs.mount"
	unev0=$(awk '$1 == "Unevictable:" { print $2 }' /proc/meminfo)

	t0=$(date +%s)
	ngpid=
	if [ -n "$STRESS_NG" ] && command -v stress-ng >/dev/null; then
		mkdir "$mnt/stress-ng"
		set --
		for s in $STRESS_NG; do set -- "$@" "--$s" 1; done
		# (In $tmp: stress-ng wants a writable working directory.)
		(cd "$tmp" && exec timeout -k 10 $((TIME * 3 + 60)) stress-ng "$@" --timeout "${TIME}s" \
			--temp-path "$mnt/stress-ng" --fstat-dir "$mnt" --hdd-bytes 4M \
			--seek-size 1M --verify --metrics-brief ${STRESS_NG_ARGS:-} \
			>"$tmp/stress-ng.out" 2>&1) &
		ngpid=$!
	fi
	timeout -k 10 $((TIME * 3 + 60)) "$PY" "$tmp/stress.py" work "$mnt" "$DIRS" \
		"$WORKERS" "$TIME" "$OPS" "$SEED" >"$tmp/work.out" 2>&1
	wrc=$?
	ngrc=
	if [ -n "$ngpid" ]; then
		wait "$ngpid"
		ngrc=$?
	fi
	echo "# $fs: workers and stress-ng took $(($(date +%s) - t0)) s"
	comment <"$tmp/work.out"
	if [ $wrc = 0 ]; then ok "$fs.workers"; else nok "$fs.workers # exit status $wrc"; fi
	if [ -z "$ngrc" ]; then
		skip "$fs.stress-ng" "stress-ng not run"
	else
		grep -vE '^stress-ng: (info|debug):  \[[0-9]+\] (dispatching|setting to|defaulting to|cache allocate|successful run completed)' \
			"$tmp/stress-ng.out" | tail -n 60 | comment
		if [ "$ngrc" = 0 ]; then ok "$fs.stress-ng"; else nok "$fs.stress-ng # exit status $ngrc"; fi
	fi

	"$PY" "$tmp/stress.py" check "$mnt" "$unev0" "$UNEVICT_TOL" >"$tmp/check.out" 2>&1
	crc=$?
	grep '^#' "$tmp/check.out"
	grep -v '^#' "$tmp/check.out" | grep -v '^check ' | comment
	for c in $CHECKS; do
		case $(grep "^check $c " "$tmp/check.out") in
		"check $c ok") ok "$fs.$c" ;;
		"check $c fail") nok "$fs.$c" ;;
		*) nok "$fs.$c # check did not run (exit status $crc)" ;;
		esac
	done
	if umount "$mnt" 2>"$tmp/err"; then
		ok "$fs.umount"
	else
		comment <"$tmp/err"
		nok "$fs.umount"
		umount -l "$mnt" 2>/dev/null
	fi
	dmesg | tail -n +$((dmesg_start + 1)) | grep -E "$SPLAT" >"$tmp/splat"
	if [ -s "$tmp/splat" ]; then
		dmesg | tail -n +$((dmesg_start + 1)) | head -n 200 | comment
		nok "$fs.dmesg # $(wc -l <"$tmp/splat") new warning lines"
	else
		ok "$fs.dmesg"
	fi
done
