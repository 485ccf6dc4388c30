"""The README stays short and true: its layout names files that exist, and no link in it or in docs/
points at nothing (a file, or a heading of a Markdown file)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.doc_samples import DOCS, REPO, blocks

README = REPO / "README.md"
MAX_LINES = 250
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_the_readme_is_short() -> None:
    lines = README.read_text().count("\n")
    assert lines <= MAX_LINES, f"README.md has {lines} lines; move detail into docs/ and link it"


def layout_paths(text: str) -> list[str]:
    """The paths the README's layout block names: first-column names, indented ones under the last
    top-level directory; placeholders (``<stack>``) and patterns (``k8s_*.py``) are skipped."""
    (block,) = [b for b in blocks(README, text) if b.info == "text" and b.before == "## Layout"]
    found, parent = [], ""
    for line in block.body:
        names = re.split(r"\s{2,}", line.strip())[0].split()
        if not line.startswith(" "):
            parent = names[0] if names[0].endswith("/") else ""
            base = ""
        else:
            base = parent
        found += [base + name for name in names if "<" not in name and "*" not in name]
    return found


def test_the_layout_names_files_that_exist() -> None:
    paths = layout_paths(README.read_text())
    assert len(paths) > 30
    missing = [p for p in paths if not (REPO / p).exists()]
    assert not missing, f"README.md's layout names what is not in the repository: {missing}"


def test_the_layout_check_sees_a_missing_file() -> None:
    text = README.read_text().replace("  network.py cidr.py ", "  network.py cidr.py subnets.py ", 1)
    assert "components/subnets.py" in layout_paths(text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    inside = False
    found = set()
    for line in path.read_text().splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            inside = not inside
        elif not inside and line.startswith("#"):
            found.add(slug(line.lstrip("#")))
    return found


def broken_links(paths: list[Path]) -> list[str]:
    broken = []
    for path in paths:
        inside = False
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.lstrip().startswith(("```", "~~~")):
                inside = not inside
                continue
            if inside:
                continue
            for target in _LINK.findall(line):
                if re.match(r"[a-z]+:", target):
                    continue  # https:, mailto:
                file, _, anchor = target.partition("#")
                resolved = (path.parent / file).resolve() if file else path
                shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
                where = f"{shown}:{number}: {target}"
                if not resolved.exists():
                    broken.append(f"{where} (no such file)")
                elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                    broken.append(f"{where} (no such heading)")
    return broken


def test_links_in_the_readme_and_docs_lead_somewhere() -> None:
    pages = [*DOCS, *sorted((REPO / "docs" / "decisions").glob("*.md"))]
    assert broken_links(pages) == []


def test_a_link_to_a_missing_heading_or_file_is_found(tmp_path: Path) -> None:
    page = REPO / "docs" / "tools.md"
    probe = tmp_path / "probe.md"
    probe.write_text(f"[ok]({page}#how-fast) [bad]({page}#how-slow) [gone](../shared/data/x.md)\n")
    assert [line.split(": ", 1)[1] for line in broken_links([probe])] == [
        f"{page}#how-slow (no such heading)",
        "../shared/data/x.md (no such file)",
    ]
