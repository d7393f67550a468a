"""Is the lock file still in step with pyproject.toml?

`make run`/`make test` install from the lock with hashes, never from
pyproject.toml, so a dependency added to pyproject.toml without `make lock`
would simply be missing. This says so in one line before anything runs.

Usage: python scripts/check_lock.py LOCKFILE [EXTRA ...]
Exit 0 when every requirement of the project (and of the named extras) is
pinned in LOCKFILE to a version it accepts; 1 with one line per problem.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a fresh venv, before the lock is installed: pip's own copy
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pinned_versions(lock_text: str) -> dict[str, str]:
    """name -> version for every `name==version` line of a pip-compile output."""
    pins = {}
    for line in lock_text.splitlines():
        match = _PIN.match(line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def problems(pyproject: dict, lock_text: str, extras: list[str]) -> list[str]:
    project = pyproject["project"]
    wanted = list(project.get("dependencies", []))
    for extra in extras:
        wanted += project.get("optional-dependencies", {}).get(extra, [])
    pins = pinned_versions(lock_text)
    found = []
    for line in wanted:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # for another platform or Python
        version = pins.get(canonicalize_name(requirement.name))
        if version is None:
            found.append(f"{requirement.name} is not pinned")
        elif not requirement.specifier.contains(version, prereleases=True):
            found.append(f"{requirement.name}=={version} does not satisfy {line!r}")
    return found


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python scripts/check_lock.py LOCKFILE [EXTRA ...]", file=sys.stderr)
        return 2
    lock = Path(argv[0])
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    found = problems(pyproject, lock.read_text(), argv[1:])
    for problem in found:
        print(f"{lock.name} is out of date with pyproject.toml: {problem}; run `make lock`")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
