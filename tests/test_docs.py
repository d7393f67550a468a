"""The documentation the code cites exists in the repository and says what is cited.

Comments cite the *arr API facts as "docs/arr-api.md section N"; every such
section must be a heading of docs/arr-api.md, so a renumbered or deleted
section breaks this test instead of leaving comments pointing nowhere. No
tracked file may cite the team's notes outside the repository any more
(their content is docs/arr-api.md and docs/architecture.md).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARR_API = ROOT / "docs" / "arr-api.md"

# Built from pieces so this file never matches its own search (or the merge-time rewrite).
NOTES = "NOTES" + ".md"
SHARED = ".." + "/shared"
DESIGN = "DESIGN" + ".md"  # the team's design notes, now docs/architecture.md

#: "docs/arr-api.md section 5", "... sections 4, 7 and 8", "... section 8.1"; a line
#: break (with a comment's "#" or indentation) may fall anywhere between the words.
CITATION = re.compile(
    r"(?:docs/arr-api\.md|" + re.escape(NOTES) + r")[\s#]+sections?[\s#]+"
    r"(\d+(?:\.\d+)?(?:(?:\s*,\s*|\s+and\s+)\d+(?:\.\d+)?)*)"
)
SECTION_HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)[. ]", re.MULTILINE)
#: Markdown links to files in this repository: [text](path) without a scheme.
RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#)([^)\s#]+)(?:#[^)]*)?\)")


@cache
def tracked_files() -> tuple[Path, ...]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:  # not a git checkout
        pytest.skip(f"needs a git checkout to list tracked files: {exc}")
    return tuple(ROOT / name for name in listed.decode().split("\0") if name)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, IsADirectoryError):  # deleted in the work tree, or a submodule
        return ""


def cited_sections(text: str) -> list[str]:
    """Every section number cited in ``text``, in order, lists split into their numbers."""
    found: list[str] = []
    for match in CITATION.finditer(text):
        found.extend(re.findall(r"\d+(?:\.\d+)?", match.group(1)))
    return found


def arr_api_sections() -> set[str]:
    return set(SECTION_HEADING.findall(ARR_API.read_text(encoding="utf-8")))


def citations_in_repository() -> dict[str, list[str]]:
    """section -> the files citing it (outside docs/, which is what is cited)."""
    cited: dict[str, list[str]] = {}
    for path in tracked_files():
        if path.is_relative_to(ROOT / "docs"):
            continue
        for section in cited_sections(read_text(path)):
            cited.setdefault(section, []).append(str(path.relative_to(ROOT)))
    return cited


def test_the_citation_pattern_reads_every_form_the_comments_use():
    text = (
        "(docs/arr-api.md section 2)\n"
        "docs/arr-api.md sections 4, 7 and 8\n"
        "docs/arr-api.md sections 0 and 8\n"
        "omit null properties (docs/arr-api.md section 0.6), so\n"
        "where the apps send 201 (docs/arr-api.md\n    section 8.8), so\n"
        "# predates /wanted (docs/arr-api.md\n# section 4), so its records\n"
        f"the old form ({NOTES} section 5)\n"
        "docs/arr-api.md says so (no section)\n"
    )
    assert cited_sections(text) == ["2", "4", "7", "8", "0", "8", "0.6", "8.8", "4", "5"]


def test_arr_api_keeps_the_numbering_the_code_cites():
    """Sections 0 to 10 in order, as the comments were written against."""
    top = re.findall(r"^## (\d+)\. ", ARR_API.read_text(encoding="utf-8"), re.MULTILINE)
    assert top == [str(n) for n in range(11)]


def test_every_cited_section_is_a_heading_of_arr_api():
    cited = citations_in_repository()
    # The code cites dozens of sections; finding none means the pattern broke, not the code.
    assert sum(len(files) for files in cited.values()) >= 30, cited
    missing = {
        section: files for section, files in cited.items() if section not in arr_api_sections()
    }
    assert not missing, f"cited sections with no heading in docs/arr-api.md: {missing}"


def test_no_tracked_file_cites_notes_outside_the_repository():
    offenders = [
        str(path.relative_to(ROOT))
        for path in tracked_files()
        if not path.is_relative_to(ROOT / "docs")
        and any(name in read_text(path) for name in (NOTES, SHARED, DESIGN))
    ]
    assert not offenders, (
        f"cite docs/arr-api.md or docs/architecture.md, not {NOTES}, {SHARED} or {DESIGN}: "
        f"{offenders}"
    )


@pytest.mark.parametrize(
    "name", ["README.md", "CONTRIBUTING.md", "docs/arr-api.md", "docs/architecture.md"]
)
def test_relative_links_of_the_documentation_resolve(name):
    page = ROOT / name
    links = RELATIVE_LINK.findall(page.read_text(encoding="utf-8"))
    broken = [link for link in links if not (page.parent / link).exists()]
    assert not broken, f"{name} links to files that do not exist: {broken}"


def test_readme_and_contributing_point_to_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "(docs/architecture.md)" in readme and "(docs/arr-api.md)" in readme
    assert "(docs/architecture.md)" in contributing and "(docs/arr-api.md)" in contributing
    assert DESIGN not in contributing


def test_every_openapi_document_is_the_recorded_copy():
    """Each document in tests/data/openapi has a source row and the SHA-256 SOURCES.md records."""
    folder = ROOT / "tests" / "data" / "openapi"
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    recorded = {
        name: digest for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+\.json)$", sources, re.M)
    }
    documents = {path.name for path in folder.glob("*.json")}
    assert "prowlarr-v1.json" in documents
    assert set(recorded) == documents
    for name in documents:
        assert f"| `{name}` |" in sources, f"{name} has no row in SOURCES.md"
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert digest == recorded[name], f"{name} differs from the copy SOURCES.md records"
