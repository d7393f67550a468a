"""The dependency direction of docs/architecture.md: content never imports searchstate or queueing."""

from __future__ import annotations

import ast
from pathlib import Path

import content

FORBIDDEN = ("searchstate", "queueing", "notifications", "analytics")


def test_content_imports_nothing_to_its_right():
    root = Path(content.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(root)}: {name}"
                for name in names
                if name.split(".")[0] in FORBIDDEN
            ]
    assert offenders == []
