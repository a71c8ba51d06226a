"""The privileged service's file operations (autograder/hub/store.py) never follow a link or a bad name."""

import os

import pytest

from autograder.hub import store


def test_a_linked_folder_or_file_is_never_followed(tmp_path):
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "key").write_text("x")
    (tmp_path / "base").mkdir()
    os.symlink(tmp_path / "secret", tmp_path / "base" / "inbound")
    os.symlink(tmp_path / "secret" / "key", tmp_path / "base" / "notes.txt")
    with store.Dir.open(tmp_path / "base") as d:
        with pytest.raises(OSError):
            d.sub("inbound")
        with pytest.raises(OSError):
            d.read("notes.txt", 100)
        assert d.names() == [] and d.walk_files() == {}  # links are not listed, not read


def test_names_from_the_network_are_checked(tmp_path):
    for bad in ("..", ".", "a/b", ".hidden", "", "x\0y"):
        with pytest.raises(store.UnsafePath):
            store.check_name(bad)
    for bad in ("a/../b", "../x", "/etc/passwd", "a//b", "a/.ssh/k", "/".join("a" * 9)):
        with pytest.raises(store.UnsafePath):
            store.split_relpath(bad)
    assert store.split_relpath("sub/data.csv") == ["sub", "data.csv"]


def test_write_tree_makes_only_new_things(tmp_path):
    with store.Dir.open(tmp_path) as d:
        store.write_tree(d, "sub", {"a.ipynb": b"{}", "data/x.csv": b"1"}, dir_mode=0o700, file_mode=0o600)
        with pytest.raises(FileExistsError):  # an existing folder (or a planted link) is never reused
            store.write_tree(d, "sub", {"a.ipynb": b"{}"})
        with pytest.raises((OSError, store.UnsafePath)):  # a folder is not a file
            d.read("sub", 10)
    assert (tmp_path / "sub" / "data" / "x.csv").read_bytes() == b"1"
    assert oct((tmp_path / "sub" / "a.ipynb").stat().st_mode & 0o777) == "0o600"


def test_reads_are_bounded(tmp_path):
    (tmp_path / "big").write_bytes(b"x" * 1000)
    os.mkfifo(tmp_path / "fifo")
    with store.Dir.open(tmp_path) as d:
        with pytest.raises(store.UnsafePath):
            d.read("big", 999)
        with pytest.raises(store.UnsafePath):  # a FIFO would block a reader forever
            d.read("fifo", 10)
        assert d.read("big", 1000) == b"x" * 1000
