"""Progress bars for management commands: on a terminal only, never in logs or pipes."""

import sys

from tqdm import tqdm


def progress(iterable=None, *, desc: str, total: int | None = None, unit: str = "row") -> tqdm:
    """A tqdm bar on stderr when stderr is a terminal; silent (a plain pass-through) otherwise."""
    return tqdm(iterable, desc=desc, total=total, unit=unit, file=sys.stderr, disable=not sys.stderr.isatty())
