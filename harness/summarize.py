#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise one `make test` guest run.

Reads the guest's dmesg (KUnit KTAP, parsed with tools/testing/kunit/kunit.py
parse) and the TAP files the guest scripts wrote, checks that every expected
suite ran, that the guest finished and that the kernel log is free of
warnings, names every failing test and ends with "N passed, N failed".
"""

import json
import os
import re
import subprocess
import sys
import tempfile

TS = re.compile(r"^\[\s*\d+\.\d+\]\s?")
SPLAT = re.compile(
    r"(WARNING:|BUG:|BUG |Oops|general protection fault|Kernel panic|"
    r"KASAN:|UBSAN:|possible circular locking|possible recursive locking|"
    r"inconsistent lock state|suspicious RCU usage|lockdep|"
    r"unreferenced object|Call Trace:|VFS: Busy inodes|KFENCE:|ODEBUG:|"
    r"list_add corruption|list_del corruption|refcount_t:|RCU detected stall|"
    r"rcu_sched self-detected stall|hung_task|blocked for more than)"
)
# Lines that match SPLAT but are not problems.
SPLAT_OK = re.compile(r"(RCU lockdep checking is enabled|Lock dependency validator|"
                      r"lockdep: |MAX_LOCKDEP|kmemleak: Kernel memory leak detector|"
                      # The VFS's pr_warn_once() for "mand", which hostile_test gives
                      # ramfs and rust_ramfs alike; not a WARN().
                      r"WARNING: The mand mount option has been deprecated)")


def known_flake_lines(lines):
    """Line numbers of known problems that are not caused by the series.

    QEMU's TCG sometimes delivers an interrupt while the boot CPU is still
    in identify_cpu(), within the first second; KASAN then reports a
    wild-memory-access in handle_edge_irq() and lockdep turns itself off.
    Such a boot proves less, so test.sh boots again (exit status 3).
    """
    skip = set()
    delim = [i for i, l in enumerate(lines) if l.rstrip().endswith("=" * 60)]
    for a, b in zip(delim, delim[1:]):
        block = "".join(lines[a:b + 1])
        m = TS.match(lines[a])
        early = m and float(m.group(0).strip("[] ")) < 1.0
        if (early and "BUG: KASAN: wild-memory-access in do_raw_spin_lock" in block
                and "handle_edge_irq" in block and "identify_cpu" in block):
            skip.update(range(a, b + 1))
            for j in range(b + 1, min(b + 3, len(lines))):
                if "Disabling lock debugging due to kernel taint" in lines[j]:
                    skip.add(j)
    return skip


def expected_oom_lines(lines):
    """Line numbers of the OOM reports that exhaust_test's oom case causes.

    Its writer fills memory on purpose (make soak); the OOM killer's report
    includes a stack dump ("Call Trace:").  Its "Call Trace:" line is
    expected when the report ends in killing that writer (an exhaust_test
    process); any other OOM report, and any other problem inside such a
    report, still counts.
    """
    skip = set()
    start = None
    for i, l in enumerate(lines):
        if " invoked oom-killer: " in l:
            start = i
        elif start is not None and re.search(r"Out of memory: Killed process \d+ \(exhaust_test\)", l):
            skip.update(j for j in range(start, i + 1) if "Call Trace:" in lines[j])
            start = None
    return skip


def kunit_chunks(lines):
    """Split a kernel log into top-level KTAP documents."""
    chunks, cur = [], None
    for raw in lines:
        line = TS.sub("", raw.rstrip("\n"))
        if re.match(r"^(KTAP|TAP) version \d+", line):
            cur = [line]
            chunks.append(cur)
        elif cur is not None:
            cur.append(line)
    return chunks


def kunit_leaves(group, path=""):
    name = group.get("name") or ""
    full = f"{path}.{name}" if path and name else (name or path)
    for case in group.get("test_cases", []):
        yield f"{full}.{case['name']}" if full else case["name"], case["status"]
    for sub in group.get("sub_groups", []):
        yield from kunit_leaves(sub, full)


def parse_kunit(tree, dmesg):
    """Return (results, suites) from the KUnit KTAP in dmesg."""
    results, suites = [], set()
    with open(dmesg, errors="replace") as f:
        chunks = kunit_chunks(f)
    for chunk in chunks:
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "ktap.log")
            js = os.path.join(tmp, "ktap.json")
            with open(src, "w") as f:
                f.write("\n".join(chunk) + "\n")
            subprocess.run(
                [sys.executable, os.path.join(tree, "tools/testing/kunit/kunit.py"),
                 "parse", "--json=" + js, src],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            if not os.path.exists(js):
                results.append(("kunit.parse", "FAIL"))
                continue
            with open(js) as f:
                root = json.load(f)
        for sub in root.get("sub_groups", []):
            suites.add(sub["name"])
        for name, status in kunit_leaves(root):
            results.append(("kunit." + name.lstrip(".").removeprefix("KUnit Test Group."), status))
    return results, suites


def parse_tap(path, prefix):
    """Top-level and nested TAP results of one TAP file (kselftest style)."""
    results = []
    plan = None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^1\.\.(\d+)", line)
            if m and plan is None:
                plan = int(m.group(1))
            m = re.match(r"^(not ok|ok)\s+\d+\s+(?:- )?([^#]*?)\s*(#\s*(\w+).*)?$", line)
            if not m:
                continue
            ok, name, directive = m.group(1) == "ok", m.group(2), (m.group(4) or "").upper()
            if directive == "SKIP":
                status = "SKIP"
            elif directive == "XFAIL":
                status = "PASS"
            else:
                status = "PASS" if ok else "FAIL"
            results.append((f"{prefix}.{name}", status))
    if plan is not None and plan != len(results):
        results.append((f"{prefix}.plan({plan} planned, {len(results)} ran)", "FAIL"))
    return results


def main():
    out, tree, repo = sys.argv[1], sys.argv[2], sys.argv[3]
    guest_rc = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    results = []
    dmesg = os.path.join(out, "dmesg.txt")
    console = os.path.join(out, "console.log")
    if not os.path.exists(dmesg) and os.path.exists(console):
        dmesg = console
    suites = set()
    if os.path.exists(dmesg):
        kr, suites = parse_kunit(tree, dmesg)
        results += kr
    tap_suites = set()
    for name in sorted(os.listdir(out)):
        if name.endswith(".tap"):
            base = name[:-4].split("-", 1)[-1]
            r = parse_tap(os.path.join(out, name), base)
            if r:
                tap_suites.add(base)
            results += r

    # Every expected suite must have run; "soak" ones only in make soak's
    # scale run.
    soak_scale = os.environ.get("SOAK_SCALE") == "1"
    with open(os.path.join(repo, "harness/expected-suites")) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) == 3 and line[2] == "soak":
                if not soak_scale:
                    continue
                line = line[:2]
            if len(line) != 2:
                continue
            kind, name = line
            ran = name in (suites if kind == "kunit" else tap_suites)
            results.append((f"harness.suite-ran.{kind}.{name}", "PASS" if ran else "FAIL"))

    finished = os.path.exists(os.path.join(out, "finished"))
    results.append(("harness.guest-finished", "PASS" if finished and guest_rc == 0 else "FAIL"))

    # The test kernel's log, and those of other boots of the same run
    # (dmesg-*.txt: make soak's scale run on the performance kernel).
    splats, flake = [], False
    logs = [dmesg] + [os.path.join(out, n) for n in sorted(os.listdir(out))
                      if n.startswith("dmesg-") and n.endswith(".txt")]
    for log in logs:
        if not os.path.exists(log):
            continue
        with open(log, errors="replace") as f:
            lines = f.readlines()
        skip = known_flake_lines(lines)
        flake = flake or bool(skip)
        skip |= expected_oom_lines(lines)
        for i, line in enumerate(lines):
            if i in skip:
                continue
            if SPLAT.search(line) and not SPLAT_OK.search(line):
                splats.append(line.rstrip())
    if flake:
        print("known issue: early-boot KASAN report in an interrupt during identify_cpu "
              "(QEMU TCG, before any code of the series runs); lockdep is off for this boot")
    results.append(("harness.dmesg-clean", "FAIL" if splats else "PASS"))

    # A suite that ran twice (e.g. a module's KUnit suite, loaded twice)
    # counts once per test; any failure wins.
    merged = {}
    for name, status in results:
        if merged.get(name, "PASS") == "PASS" or status not in ("PASS", "SKIP"):
            merged[name] = status
    results = list(merged.items())
    passed = sum(1 for _, s in results if s == "PASS")
    skipped = [n for n, s in results if s == "SKIP"]
    failed = [n for n, s in results if s not in ("PASS", "SKIP")]
    for name in failed:
        print(f"FAILED: {name}")
    if splats:
        print("kernel log problems (first 10):")
        for line in splats[:10]:
            print("    " + line)
    if not finished:
        last = None
        if os.path.exists(console):
            with open(console, errors="replace") as f:
                for line in f:
                    m = re.search(r"--- (\S+)$", line.rstrip())
                    if m:
                        last = m.group(1)
        where = f" while running harness/guest/test.d/{last}.sh" if last else ""
        print(f"guest did not finish{where} (exit status {guest_rc}); console: {console}")
    if skipped:
        print(f"{len(skipped)} skipped: " + ", ".join(skipped[:10]) +
              (" ..." if len(skipped) > 10 else ""))
    print(f"{passed} passed, {len(failed)} failed")
    if failed:
        return 1
    return 3 if flake else 0


if __name__ == "__main__":
    sys.exit(main())
