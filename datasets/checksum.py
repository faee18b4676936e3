"""Shared helper for the dataset extraction scripts: streaming MD5 of a file."""
import hashlib


def md5(path):
    """Hex MD5 of the file at `path`, read in 1 MiB blocks."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
