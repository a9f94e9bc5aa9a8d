"""Replacing a file the commands write whole (``radrules fmt``'s rule files, ``eval --summary-json``): never left
cut short by a full disk or a stop."""

from __future__ import annotations

import os
import stat
import tempfile


def replace_file(target: str, text: str, *, newline: str | None = None) -> None:
    """Make ``text`` the content of the file ``target`` (a path with its links resolved): written to a new file
    beside it and moved into place, so that it is the old content or the new, never part of it, with the file's
    permissions, owner and group. A file that is no plain file of its own (other hard links see it, another user
    owns it, or it is no regular file: a pipe, a device) or in a folder that takes no new file is written in
    place instead."""
    try:
        info = os.stat(target)
    except FileNotFoundError:  # (deleted meanwhile: written anew)
        info = None
    name = None
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and _may_keep_owner(info):
        try:
            handle, name = tempfile.mkstemp(dir=os.path.dirname(target),
                                            prefix=f".{os.path.basename(target)[:100]}.", suffix=".tmp")
        except OSError:  # a folder radrules may not write in: the file itself may be written
            name = None
    if name is None:
        with open(target, "w", encoding="utf-8", newline=newline) as out:
            out.write(text)
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline=newline) as out:
            out.write(text)
        os.chmod(name, stat.S_IMODE(info.st_mode))
        written = os.stat(name)
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (written.st_uid, written.st_gid):
            os.chown(name, info.st_uid, info.st_gid)  # (allowed: _may_keep_owner)
        os.replace(name, target)
    except BaseException:
        try:
            os.unlink(name)
        except OSError:
            pass
        raise


def _may_keep_owner(info) -> bool:
    """Whether a new file can be given the owner and group of the file ``info`` describes: the writer is root, or
    owns it and is in its group (else the new file would change hands, and the group could lose its access)."""
    if not hasattr(os, "geteuid"):  # (Windows: no owners to keep)
        return True
    user = os.geteuid()
    return user == 0 or (user == info.st_uid and (info.st_gid == os.getegid() or info.st_gid in os.getgroups()))
