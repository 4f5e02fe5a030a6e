#!/usr/bin/env python3
"""Adds lockfile entries for platform-specific optional packages that this machine's npm
registry mirror does not serve (darwin, win32, android... builds of next/swc, rollup, tailwind's
oxide, unrs-resolver). npm records a dependency it could not fetch as missing, and `npm ci` then
refuses the lockfile. The entries added here carry the exact version the parent pins plus the
os/cpu/libc its name states, so `npm ci` skips them on other platforms without fetching, and a
laptop on that platform fetches them by version. Run after `npm install` changes the lockfile.
"""
import json, re, sys

path = sys.argv[1] if len(sys.argv) > 1 else "package-lock.json"
lock = json.load(open(path))
pkgs = lock["packages"]

OS = ["darwin", "win32", "linux", "android", "freebsd", "openbsd", "openharmony", "sunos", "aix"]
CPU = {"arm64": "arm64", "x64": "x64", "ia32": "ia32", "arm": "arm", "loong64": "loong64",
       "ppc64": "ppc64", "riscv64": "riscv64", "s390x": "s390x", "wasm32": "wasm32"}

def platform_of(name):
    base = name.split("/")[-1]
    parts = base.split("-")
    entry = {}
    os_ = next((p for p in parts if p in OS), None)
    cpu = next((CPU[p] for p in parts if p in CPU), None)
    if os_: entry["os"] = [os_]
    if cpu: entry["cpu"] = [cpu]
    if os_ == "linux":
        if any(p.startswith("musl") or p == "musleabihf" for p in parts): entry["libc"] = ["musl"]
        elif any(p.startswith("gnu") for p in parts): entry["libc"] = ["glibc"]
    return entry if cpu else None

added = 0
for key, meta in list(pkgs.items()):
    for dep, spec in (meta.get("optionalDependencies") or {}).items():
        where = f"node_modules/{dep}"
        if where in pkgs:
            continue
        if not re.fullmatch(r"\d+\.\d+\.\d+(-[\w.]+)?", spec):
            sys.exit(f"{key}: optional {dep}@{spec} is not an exact version; resolve it by hand")
        plat = platform_of(dep)
        if plat is None:
            sys.exit(f"{key}: cannot tell the platform of {dep}")
        entry = {"version": spec, "optional": True, **plat}
        if meta.get("dev"): entry["dev"] = True
        pkgs[where] = entry
        added += 1

lock["packages"] = dict(sorted(pkgs.items(), key=lambda kv: (kv[0] != "", kv[0])))
json.dump(lock, open(path, "w"), indent=2)
open(path, "a").write("\n")
print(f"added {added} platform entries")
