"""The environments a grader runs in, for tests that run it for real in each of them.

- "root": as root with every capability (a grading server);
- "docker": as root with Docker's default capability set (no CAP_SYS_ADMIN: no namespaces, no
  mounts), what Gradescope's containers give;
- "nonroot": as an unprivileged user (nobody) with no capability at all.

`command(env, argv)` wraps a command to run in that environment. The tests run as root here (as CI
does): without root the two reduced environments cannot be set up, and the tests that need them fail
with the reason, unless AUTOGRADER_TESTS_ALLOW_NONROOT=1 asks to report them as skipped instead.
"""
from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest

ENVIRONMENTS = ("root", "docker", "nonroot")
NOBODY = 65534

# Docker's default capability set (moby's defaults); every other capability is dropped.
DOCKER_CAPS = {"chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid", "setfcap",
               "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write"}


def _all_caps() -> list[str]:
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    import ctypes
    libcap = ctypes.CDLL("libcap.so.2")
    libcap.cap_to_name.restype = ctypes.c_void_p
    names = []
    for n in range(last + 1):
        ptr = libcap.cap_to_name(n)
        names.append(ctypes.string_at(ptr).decode().removeprefix("cap_"))
        libcap.cap_free(ctypes.c_void_p(ptr))
    return names


def require(env: str) -> None:
    """Fail (or, when allowed, skip) unless `env` can be set up here."""
    problem = None
    if env != "root" or os.geteuid() != 0:
        if os.geteuid() != 0:
            problem = f"the {env!r} environment is set up from root; run the tests as root"
        elif env == "docker" and not shutil.which("capsh"):
            problem = "capsh is missing (apt-get install libcap2-bin)"
        elif env == "nonroot" and not (shutil.which("setpriv") and shutil.which("unshare")):
            problem = "setpriv/unshare are missing (util-linux)"
    if problem:
        if os.environ.get("AUTOGRADER_TESTS_ALLOW_NONROOT") == "1":
            pytest.skip(f"NOT CHECKED: {problem}")
        pytest.fail(problem)


def _blocked_ancestor(path: Path) -> Path | None:
    """The first folder above `path` that other users cannot enter (pyenv under /root, say)."""
    for parent in reversed(path.parents):
        if parent != Path("/") and not os.stat(parent).st_mode & 0o001:
            return parent
    return None


def command(env: str, argv: list[str], stash: Path) -> list[str]:
    """argv run in `env`. For "nonroot", in a private mount namespace, a folder above Python's
    installation that others cannot enter (pyenv in /root) is replaced by a world-traversable tmpfs
    holding only that installation (`stash` is an empty folder for the bind mount); all of it ends with
    the command."""
    if env == "root":
        return list(argv)
    if env == "docker":
        drop = ",".join("cap_" + c for c in _all_caps() if c not in DOCKER_CAPS)
        return ["capsh", f"--drop={drop}", "--", "-c", "exec " + shlex.join(argv)]
    script = []
    base = Path(sys.base_prefix).resolve()
    blocked = _blocked_ancestor(base)
    if blocked is not None:
        inner = base.relative_to(blocked).parts[0]
        q = shlex.quote
        script += [f"mount --bind {q(str(blocked / inner))} {q(str(stash))}",
                   f"mount -t tmpfs -o mode=0755,size=64k tmpfs {q(str(blocked))}",
                   f"mkdir {q(str(blocked / inner))}",
                   f"mount --bind {q(str(stash))} {q(str(blocked / inner))}"]
    script.append(f"exec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups --inh-caps=-all "
                  f"--bounding-set=-all -- " + shlex.join(argv))
    return ["unshare", "--mount", "--propagation", "private", "sh", "-ec", "; ".join(script)]
