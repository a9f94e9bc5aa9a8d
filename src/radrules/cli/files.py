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
    info = os.stat(target)
    mine = not hasattr(os, "geteuid") or os.geteuid() in (0, info.st_uid)  # (root may give it back to its owner)
    name = None
    if stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and mine:
        try:
            handle, name = tempfile.mkstemp(dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.",
                                            suffix=".tmp")
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
            try:
                os.chown(name, info.st_uid, info.st_gid)
            except OSError:  # a group its owner is not in: it keeps the writer's
                pass
        os.replace(name, target)
    except BaseException:
        try:
            os.unlink(name)
        except OSError:
            pass
        raise
