#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the Rust VFS abstractions reject what they must forbid.

Usage: compile_fail.py BUILD_DIR SNIPPET_DIR

Each `*.rs` file in SNIPPET_DIR is a small crate written against the
`kernel` crate.  It is compiled with the exact rustc command kbuild used
for `samples/rust/rust_rofs.o` (from its `.cmd` file), only the source and
the outputs changed.  A file whose first line is `// expect-ok` must
compile: it is the positive control that proves the command works and that
the right use of each API is accepted.  Every other file must fail, and
the compiler's output must contain the text after `// expect-error: `
(an error code such as E0599, or a message).  Snippets that need a whole
file system `include!` the one in SNIPPET_DIR/include/.

Prints TAP, one test per snippet; exits 1 if any failed.
"""

import os
import re
import shlex
import subprocess
import sys
import tempfile


def rustc_command(build):
    cmd_file = os.path.join(build, "samples/rust/.rust_rofs.o.cmd")
    with open(cmd_file, encoding="utf-8") as f:
        line = f.readline()
    cmd = line.split(":=", 1)[1].split(";", 1)[0]
    return shlex.split(cmd)


def main(argv):
    build, snippets = argv[1], os.path.abspath(argv[2])
    base = rustc_command(build)
    # kbuild exports it for the unstable options of the kernel build.
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    args = []
    for a in base:
        if "=" in a and re.match(r"^[A-Z_]+=", a) and not args:
            k, v = a.split("=", 1)
            env[k] = v
            continue
        args.append(a)
    files = sorted(f for f in os.listdir(snippets) if f.endswith(".rs"))
    print("TAP version 13")
    print(f"1..{len(files)}")
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, name in enumerate(files, 1):
            path = os.path.join(snippets, name)
            with open(path, encoding="utf-8") as f:
                first = f.readline().strip()
            cmd = []
            for a in args:
                if a.endswith("samples/rust/rust_rofs.rs"):
                    a = path
                elif a.startswith("--emit=") or a.startswith("--out-dir"):
                    continue
                elif a == "samples/rust/":
                    continue
                cmd.append(a)
            crate = "cf_" + name[:-3]
            cmd += ["--crate-name", crate, "--out-dir", tmp,
                    f"--emit=obj={tmp}/{crate}.o", "-Awarnings"]
            r = subprocess.run(cmd, cwd=build, env=env, capture_output=True, text=True)
            out = r.stdout + r.stderr
            test = name[:-3]
            if first == "// expect-ok":
                ok = r.returncode == 0
                why = "does not compile"
            else:
                m = re.match(r"// expect-error: (.+)", first)
                want = m.group(1) if m else None
                ok = want is not None and r.returncode != 0 and want in out
                why = f"expected a failure with '{want}'"
            if ok:
                print(f"ok {n} {test}")
            else:
                failed += 1
                print(f"not ok {n} {test}")
                print(f"#   {why}; rustc exited with {r.returncode}")
                for l in out.splitlines()[:30]:
                    print(f"#   {l}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
