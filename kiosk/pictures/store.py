"""The media folder: pictures kept as files named by their content's hash, written whole.

A picture is a file `<aa>/<sha256>.<png|jpg>` under the folder (aa: the hash's first two
characters, so no folder grows too large). The same picture given twice is one file; a file
is written to a temporary name, synced and renamed, so a crash leaves it whole or absent,
never half. Names are checked before any path is made of them: nothing outside the folder
can be read, written or removed through a key.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from kiosk.pictures.checked import Picture

_KEY = re.compile(r"(?P<hash>[0-9a-f]{64})\.(?:png|jpg)")


class MediaKeyError(ValueError):
    """A name that is no key of the media store (a path, a traversal, a typo)."""


class MediaStore:
    """The pictures under one folder (the instance's media folder, or a node's)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """Where the picture with this key lies (whether or not it is there)."""
        found = _KEY.fullmatch(key)
        if found is None:
            raise MediaKeyError(key[:80])
        return self.root / found["hash"][:2] / key

    def put(self, picture: Picture) -> str:
        """Keep the picture; its key. Giving it again writes nothing and gives the same key."""
        key = f"{picture.sha256}.{picture.extension}"
        target = self.path(key)
        if target.exists():
            return key
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(picture.data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)  # whole, or not at all
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)
        return key

    def read(self, key: str) -> bytes:
        """The picture's bytes (FileNotFoundError when it is not kept)."""
        return self.path(key).read_bytes()

    def has(self, key: str) -> bool:
        """Whether the picture with this key is kept."""
        return self.path(key).exists()

    def remove(self, key: str) -> bool:
        """Forget the picture (retention, a rejected upload); False when it was not kept."""
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        return True

    def keys(self) -> list[str]:
        """Every key kept, sorted (for backups, retention and checks)."""
        return sorted(
            path.name
            for path in self.root.glob("??/*")
            if _KEY.fullmatch(path.name) and path.parent.name == path.name[:2]
        )
