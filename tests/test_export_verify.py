"""A shard counts as complete only after its file is verified: valid JSON lines, an id on each,
no id twice, as many objects as the checkpoints counted (`cli.segments.verify`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiostripe.cli.segments import Unverified, load_progress, verify


@pytest.mark.parametrize(
    ("body", "count", "needle"),
    [
        (b'{"id": "a"}\n{"id": "b"}\n', 3, "2 objects, but 3"),
        (b'{"id": "a"}\n{"id": "a"}\n', 2, "twice"),
        (b'{"id": "a"}\n{"id": "b', 2, "not JSON"),
        (b'{"id": "a"}\n[1]\n', 2, "not an object with an id"),
        (b'{"id": "a"}\n{"id": 7}\n', 2, "not an object with an id"),
    ],
)
def test_a_wrong_shard_file_is_never_complete(
    tmp_path: Path, body: bytes, count: int, needle: str
) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(body)
    with pytest.raises(Unverified, match=needle):
        verify(path, count)


def test_a_right_shard_file_verifies(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"id": "a", "x": 1}\n{"id": "b"}\n')
    verify(path, 2)


@pytest.mark.parametrize(
    "raw",
    ["", "nan", "[]", ('{"segments": [[1, -5]], "cursor": null, "objects": 0, "pages": 0, '
     '"complete": false}'), ('{"segments": [], "cursor": 3, "objects": 0, "pages": 0, '
     '"complete": false}')],
)
def test_progress_from_redis_that_is_not_ours_starts_over(raw: str) -> None:
    assert load_progress(raw) == {"segments": [], "cursor": None, "objects": 0, "pages": 0,
                                  "complete": False}
