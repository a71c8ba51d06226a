"""File operations for a privileged process (the hub service runs as root) that never follow a link.

Every path below a configured base folder is opened one component at a time,
relative to its parent's file descriptor, with ``O_NOFOLLOW``; files are read
only when ``fstat`` says they are regular and small enough; writes create new
files (``O_EXCL``) and replace atomically with ``rename`` inside one folder fd.
Names are checked before use, so no ``..``, ``/`` or NUL reaches the kernel.
"""

import os
import re
import stat

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: a file or folder name we accept from the network: printable, no separators, not hidden
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.,:+@ -]{0,199}$")


class UnsafePath(ValueError):
    pass


def check_name(name):
    if not isinstance(name, str) or not NAME.match(name) or name in (".", "..") or ".." in name.split("."):
        raise UnsafePath(f"invalid name: {name!r}")
    return name


def split_relpath(relpath, max_depth=8):
    parts = relpath.split("/") if isinstance(relpath, str) else None
    if not parts or len(parts) > max_depth:
        raise UnsafePath(f"invalid path: {relpath!r}")
    return [check_name(p) for p in parts]


class Dir:
    """An open folder (a file descriptor); use as a context manager."""

    def __init__(self, fd):
        self.fd = fd

    @classmethod
    def open(cls, base, *names):
        """``base`` is trusted configuration (it may contain links); ``names`` are not."""
        fd = os.open(base, DIR_FLAGS)
        d = cls(fd)
        try:
            for name in names:
                d = d.sub(name, close_self=True)
        except BaseException:
            d.close()
            raise
        return d

    def sub(self, name, close_self=False):
        try:
            fd = os.open(check_name(name), DIR_FLAGS, dir_fd=self.fd)
        finally:
            if close_self:
                self.close()
        return Dir(fd)

    def make(self, name, mode=0o700, owner=None):
        """Open the subfolder ``name``, creating it (``mode``, ``owner`` = (uid, gid)) if missing."""
        check_name(name)
        try:
            os.mkdir(name, mode, dir_fd=self.fd)
            created = True
        except FileExistsError:
            created = False
        d = self.sub(name)
        if created:
            os.fchmod(d.fd, mode)
            if owner is not None:
                os.fchown(d.fd, *owner)
        return d

    def exists(self, name):
        try:
            os.stat(check_name(name), dir_fd=self.fd, follow_symlinks=False)
            return True
        except FileNotFoundError:
            return False

    def names(self):
        """Entries that are plain files or folders (links and others are ignored)."""
        out = []
        with os.scandir(self.fd) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False) or e.is_file(follow_symlinks=False):
                    out.append(e.name)
        return sorted(out)

    def dirs(self):
        with os.scandir(self.fd) as it:
            return sorted(e.name for e in it if e.is_dir(follow_symlinks=False) and NAME.match(e.name))

    def read(self, name, max_bytes):
        fd = os.open(check_name(name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=self.fd)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise UnsafePath(f"not a regular file: {name!r}")
            if st.st_size > max_bytes:
                raise UnsafePath(f"file too large: {name!r}")
            chunks, left = [], max_bytes + 1
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            data = b"".join(chunks)
            if len(data) > max_bytes:
                raise UnsafePath(f"file too large: {name!r}")
            return data
        finally:
            os.close(fd)

    def write(self, name, data, mode=0o600, owner=None):
        """Write ``name`` atomically: a new temporary file, then rename over the old one."""
        check_name(name)
        tmp = f".tmp-{os.getpid()}-{os.urandom(6).hex()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=self.fd)
        try:
            os.fchmod(fd, mode)
            if owner is not None:
                os.fchown(fd, *owner)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def walk_files(self, max_files=200, max_bytes=50 * 2**20, max_depth=6, prefix=""):
        """{relative path: bytes} of the regular files below, links skipped; bounded."""
        out, total = {}, 0

        def visit(d, prefix, depth):
            nonlocal total
            with os.scandir(d.fd) as it:
                entries = sorted(
                    (e.name, e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False)) for e in it
                )
            for name, is_dir, is_file in entries:
                if not NAME.match(name):
                    continue
                if is_dir and depth < max_depth:
                    with d.sub(name) as sub:
                        visit(sub, f"{prefix}{name}/", depth + 1)
                elif is_file:
                    if len(out) >= max_files:
                        raise UnsafePath("too many files")
                    data = d.read(name, max_bytes - total)
                    total += len(data)
                    out[prefix + name] = data

        visit(self, prefix, 0)
        return out

    def stat(self):
        return os.fstat(self.fd)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write_tree(parent, name, files, dir_mode=0o750, file_mode=0o640, owner=None):
    """Create the new folder ``name`` in ``parent`` (it must not exist) holding ``files``
    ({relative path: bytes}); every folder and file is new, so nothing pre-existing is followed."""
    check_name(name)
    os.mkdir(name, 0o700, dir_fd=parent.fd)
    with parent.sub(name) as top:
        for relpath, data in files.items():
            *folders, filename = split_relpath(relpath)
            d = top
            opened = []
            try:
                for folder in folders:
                    d = d.make(folder, dir_mode, owner)
                    opened.append(d)
                d.write(filename, data, file_mode, owner)
            finally:
                for o in opened:
                    o.close()
        os.fchmod(top.fd, dir_mode)
        if owner is not None:
            os.fchown(top.fd, *owner)
