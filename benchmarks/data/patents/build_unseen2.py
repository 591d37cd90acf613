"""Build the second unseen part (`unseen2-*.xml.gz`) from seven public repositories' files.

    # one bare clone per repository, named owner+name (the layout the search tool's fetch uses)
    git clone --bare https://github.com/eraserx99/RubyXML /tmp/mirrors/eraserx99+RubyXML
    ...
    PYTHONPATH=src .venv/bin/python benchmarks/data/patents/build_unseen2.py /tmp/mirrors

Why a second unseen part: the first (`unseen`, 51 grants) measures the default's margin over
max(lead, claim1) with a standard error of ~2.6 R-1, larger than the +2 bar. These documents
come from sources no other part drew on (US grants of 2001, 2011, 2013, 2014 and 2022, and
applications of 2001-2025), so they also test the summarizer away from the weekly files the
tune part's grants come from.

Every file is read at a fixed commit (`SOURCES`), zip archives opened in memory (nested ones
too). A document qualifies by `build_split.qualifies` (a utility grant or application with an
abstract of >= 20 words, a claim and >= 1,000 description words) and is dropped when its id or
its abstract (whitespace-normalised) is already in any other part, or earlier in this one
(the same patent kept twice in one repository). Each kept document is written byte for byte as
it was published, one gzipped file per repository, in `SOURCES` order. Nothing here is tuned
on: the part is read once (`benchmarks/summarize.py --part unseen2`).
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from fnmatch import fnmatch
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/, for _patent_data
from _patent_data import PARTS, read_part
from build_split import qualifies, write

from torchworks.recipes.patents.text.readers import patents_from_xml
from torchworks.recipes.patents.text.uspto_xml import split_documents

# (output file, repository, commit, path patterns at that commit)
SOURCES = [
    ("unseen2-rubyxml.xml.gz", "eraserx99/RubyXML", "4b72c7a417735fbc8bd23026de77bb8a3b129513",
     ("grants/xml24/grants_2001_sample.xml",)),
    ("unseen2-ntut.xml.gz", "Ellomorce/USPTO_Patent_Parser",
     "52c2c31f4310d55d33009d6c313caabeeff68c23", ("NTUTDS/patent_documents/US*.txt",)),
    ("unseen2-patentqa.xml.gz", "DeNeutoy/patent-qa", "8a6766e4bbcc3c7228d31e9e43c5a89fcf51bdc4",
     ("data/sample.xml",)),
    ("unseen2-patentdata.xml.gz", "benhoyle/patentdata",
     "339ad645746415ca0bad95b289dc7d5841310a7e",
     ("tests/test_files/Grant/2011/ipg110726_reduced.xml", "tests/test_files/Publication/*.XML")),
    ("unseen2-patentdata.xml.gz", "benhoyle/patentdata",
     "05a036e8309d3c5cef94cf1392cc0d093cd67170", ("tests/test_files/Publication/2006/*.zip",)),
    ("unseen2-teamlab.xml.gz", "TeamLab/introduction_to_python_TEAMLAB_MOOC",
     "e0466d16dc3aed142fc8834f119458b67749a888", ("code/14/xml/US08621662-20140107.XML",)),
    ("unseen2-sax2pats.xml.gz", "cruxmatter/sax2pats", "8c840e16680efe248e2c5e69a034b780e9431f33",
     ("spec/test_44_applications.xml",)),
    ("unseen2-extractor.xml.gz", "spikey979/uspto_patent_extractor",
     "e90337b2868752854ac80c8457f391f00d7462a3", ("I20250626/*/*.ZIP", "temp/peek.zip")),
]


def git_dir(mirrors: Path, repo: str) -> Path:
    """The clone of `repo` under `mirrors` (owner+name, bare or with a work tree)."""
    base = mirrors / repo.replace("/", "+")
    for candidate in (base / "repo" / ".git", base / "repo", base / ".git", base):
        if (candidate / "HEAD").is_file():
            return candidate
    raise SystemExit(f"no clone of {repo} under {mirrors} (expected {base}): clone it there")


def texts(name: str, data: bytes) -> list[tuple[str, str]]:
    """(name, text) of every patent file in `data`: itself, or the .xml members of a zip."""
    if name.lower().endswith(".zip"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        return [found for member in sorted(archive.namelist())
                if member.lower().endswith((".xml", ".zip"))
                for found in texts(f"{name}!{member}", archive.read(member))]
    return [(name, data.decode("utf-8"))]


def files(git: Path, commit: str, patterns: tuple[str, ...]) -> list[tuple[str, str]]:
    """(path, text) of the files at `commit` matching `patterns`, in pattern then path order."""
    listing = subprocess.run(["git", "-C", str(git), "ls-tree", "-r", "--name-only", commit],
                             check=True, capture_output=True, text=True).stdout.split("\n")
    found = []
    for pattern in patterns:
        for path in sorted(p for p in listing if fnmatch(p, pattern)):
            blob = subprocess.run(["git", "-C", str(git), "show", f"{commit}:{path}"],
                                  check=True, capture_output=True).stdout
            found.extend(texts(path, blob))
    return found


def normal(abstract: str) -> str:
    """An abstract as compared across parts: case and spacing do not make a new document."""
    return " ".join(abstract.split()).lower()


def main(mirrors: Path) -> int:
    others = [p for paths in PARTS.values() for path in paths
              if not path.name.startswith("unseen2-") for p in read_part([path])]
    known = {p.id for p in others} | {normal(p.abstract) for p in others}
    chosen: dict[str, list[str]] = {}
    for name, repo, commit, patterns in SOURCES:
        kept = chosen.setdefault(name, [])
        for path, text in files(git_dir(mirrors, repo), commit, patterns):
            for chunk in split_documents(text):
                id_, kind, _ = qualifies(chunk, path)
                if not kind:
                    print(f"  left out {id_ or '?'} ({repo}:{path}): does not qualify")
                    continue
                abstract = normal(patents_from_xml(chunk, path)[0].abstract)
                if id_ in known or abstract in known:
                    print(f"  left out {id_} ({repo}:{path}): already in a part")
                    continue
                kept.append(chunk)
                known |= {id_, abstract}
    for name, kept in chosen.items():
        write(name, kept)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
