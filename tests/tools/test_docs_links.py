"""Every relative link of the documentation resolves: README.md, docs/*.md and roles/*/README.md.

A link to a file must name a file or directory of the repository; a link with an anchor (`page.md#section`,
`#section`) must name a heading of that page, as GitHub derives anchors from headings. Links inside code
(fenced blocks, inline code) and links to other sites are not checked.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FENCE = re.compile(r"^ {0,3}(```|~~~)")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# [text](target) and ![alt](target), target optionally in <...>, optionally followed by a "title"
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def documentation_files():
    files = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md")) + sorted(ROOT.glob("roles/*/README.md"))
    return [path for path in files if path.is_file()]


def prose_lines(text):
    """The lines of a markdown text outside fenced code blocks, inline code removed."""
    fence = None
    for line in text.splitlines():
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1) == fence:
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        yield INLINE_CODE.sub("", line)


def links(text):
    found = []
    for line in prose_lines(text):
        found.extend(INLINE_LINK.findall(line))
        definition = REFERENCE_DEFINITION.match(line)
        if definition:
            found.append(definition.group(1))
    return found


def slug(heading):
    """The anchor GitHub gives a heading: markup dropped, lower case, punctuation removed, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text):
    seen = {}
    result = set()
    fence = None
    for line in text.splitlines():
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1) == fence:
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        heading = HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            result.add(base if count == 0 else "%s-%d" % (base, count))
    return result


def broken_links(path, root=ROOT):
    problems = []
    for target in links(path.read_text(encoding="utf-8")):
        if not target or SCHEME.match(target) or target.startswith("//"):
            continue
        file_part, _hash, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if root not in resolved.parents and resolved != root:
            problems.append("%s: leaves the repository" % target)
        elif not resolved.exists():
            problems.append("%s: no such file" % target)
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved.read_text(encoding="utf-8")):
            problems.append("%s: no heading with anchor #%s in %s" % (target, anchor, resolved.relative_to(root)))
    return problems


@pytest.mark.parametrize("path", documentation_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_relative_links_resolve(path):
    assert broken_links(path) == []


def test_every_role_and_docs_page_is_checked():
    checked = set(documentation_files())
    roles = [role for role in (ROOT / "roles").iterdir() if (role / "meta" / "argument_specs.yml").is_file()]
    assert roles and all(role / "README.md" in checked for role in roles), "every role needs a README.md"
    assert ROOT / "README.md" in checked and any(path.parent == ROOT / "docs" for path in checked)


def test_the_readme_links_into_docs_and_roles():
    targets = links((ROOT / "README.md").read_text(encoding="utf-8"))
    assert any(target.startswith("docs/") for target in targets)
    assert any(target.startswith("roles/") for target in targets)


def test_slugs_follow_github():
    assert slug("Failover and failback") == "failover-and-failback"
    assert slug("Masked refresh (PostgreSQL)") == "masked-refresh-postgresql"
    assert slug("What `make integration` covers") == "what-make-integration-covers"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}


def test_broken_links_are_found(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text("# Page\n## Known section\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "[ok](docs/page.md) [ok](docs/page.md#known-section) [ok](#top) [web](https://example.com/x.md)\n"
        "[missing](docs/nope.md) [bad anchor](docs/page.md#unknown) `[code](docs/nope.md)`\n"
        "```\n[fenced](docs/nope.md)\n```\n# Top\n[outside](../elsewhere.md)\n"
    )
    assert broken_links(readme, root=tmp_path) == [
        "docs/nope.md: no such file",
        "docs/page.md#unknown: no heading with anchor #unknown in docs/page.md",
        "../elsewhere.md: leaves the repository",
    ]
