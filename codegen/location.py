"""Where in the spec the generator is: JSON pointers, and the one-line error that names them.

Anything the generator cannot handle ends as `GenerationError("#/paths/~1v1~1x/post: ...")`,
which the command line prints as one line (`error: ...`), never a traceback. `at(pointer)` wraps
a step of the generation so that an unexpected exception inside it names the schema or operation
being processed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from codegen.spec import SpecError


class GenerationError(SpecError):
    """A spec construct the generator cannot handle, named by its JSON pointer."""


def pointer(*parts: str | int) -> str:
    """`pointer("paths", "/v1/files", "post")` -> `#/paths/~1v1~1files/post` (RFC 6901)."""
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@contextmanager
def at(where: str) -> Iterator[None]:
    """Run a step of the generation; an unexpected error in it becomes a `GenerationError`
    naming `where` (an error that already names its location passes unchanged)."""
    try:
        yield
    except SpecError:
        raise
    except Exception as exc:  # any failure is reported with its location
        raise GenerationError(f"{where}: cannot generate this ({type(exc).__name__}: {exc})") from exc
