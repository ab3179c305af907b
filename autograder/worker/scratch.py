"""Remove a scratch folder whatever a student did to it: modes, depth, links or file counts.

shutil.rmtree recurses (a 1,200-level tree raises RecursionError), follows
paths longer than PATH_MAX badly and gives up on folders set to mode 0500.
This walks with directory file descriptors, one level at a time: it makes each
folder writable, moves every subfolder up to the top level (so depth never
grows the stack or the path) and unlinks the rest. Symlinks are removed, never
followed. Used by the zygote (same uid as the student) and by the grader.
"""

import os
import stat


def _open_dir(name, dir_fd):
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)


def _exists(name, dir_fd):
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _split(mounts):
    """{first path component: the rest of each mount path under it ('' for the mount point itself)}."""
    held = {}
    for mount in mounts:
        first, _, rest = mount.strip("/").partition("/")
        held.setdefault(first, []).append(rest)
    return held


def empty(folder, mounts=()):
    """Delete everything inside folder (not folder itself) but the mount points `mounts` (paths relative to folder).

    A folder on the way to a mount point is emptied around it. Returns the number of entries removed.
    """
    held = _split(mounts)
    removed = 0
    for name, rest in held.items():
        if "" not in rest:  # on the way to a mount: clean around it
            removed += empty(os.path.join(folder, name), [r for r in rest if r])
    top = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if not held:
            os.chmod(top, 0o700)
        serial = 0
        while True:
            names = [name for name in os.listdir(top) if name not in held]
            if not names:
                return removed
            progress = removed + serial
            for name in names:
                try:
                    info = os.stat(name, dir_fd=top, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if not stat.S_ISDIR(info.st_mode):
                    os.unlink(name, dir_fd=top)
                    removed += 1
                    continue
                try:
                    os.rmdir(name, dir_fd=top)
                    removed += 1
                    continue
                except OSError:
                    pass
                inner = _open_dir(name, top)
                try:
                    os.chmod(inner, 0o700)
                    for child in os.listdir(inner):
                        info = os.stat(child, dir_fd=inner, follow_symlinks=False)
                        if stat.S_ISDIR(info.st_mode):
                            moved = _open_dir(child, inner)
                            try:
                                os.chmod(moved, 0o700)  # moving a folder rewrites its '..': it must be writable
                            finally:
                                os.close(moved)
                            serial += 1
                            while _exists(f".flat-{serial}", top):
                                serial += 1
                            os.rename(child, f".flat-{serial}", src_dir_fd=inner, dst_dir_fd=top)
                        else:
                            os.unlink(child, dir_fd=inner)
                            removed += 1
                finally:
                    os.close(inner)
            if removed + serial == progress:
                raise OSError(f"cannot empty {folder}: {names[:3]} will not go")
    finally:
        os.close(top)


def remove(folder):
    """Delete folder and everything in it; a folder that is already gone is fine."""
    try:
        empty(folder)
        os.rmdir(folder)
    except FileNotFoundError:
        pass


def overrun(folder, max_entries, max_bytes, max_depth=100, mounts=()):
    """Why folder holds more than the caps allow (entries, bytes on disk, nesting), or None when it is within them.

    Mount points (`mounts`, relative to folder: a Python installation under the host's /tmp) are not counted.
    """
    skip = {os.path.join(folder, mount.strip("/")) for mount in mounts}
    entries, size = 0, 0
    stack = [(folder, 0)]
    while stack:
        path, depth = stack.pop()
        if depth > max_depth:
            return f"folders nested deeper than {max_depth} levels"
        try:
            with os.scandir(path) as listing:
                for entry in listing:
                    entries += 1
                    if entries > max_entries:
                        return f"more than {max_entries} files and folders"
                    info = entry.stat(follow_symlinks=False)
                    size += info.st_blocks * 512
                    if size > max_bytes:
                        return f"more than {max_bytes >> 20} MiB of files"
                    if entry.path in skip:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, depth + 1))
        except FileNotFoundError:
            continue
        except OSError as exc:
            if exc.errno == 36:  # ENAMETOOLONG
                return "paths longer than the system allows"
    return None
