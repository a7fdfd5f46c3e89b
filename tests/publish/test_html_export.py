"""`nnsolve export --to html`: one self-contained page of every worked solution (a problem set's solution sheet),
read back as XML: a contents list, an article per problem with its anchor, MathML, nothing fetched."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tests.cli_runner import invoke

ROOT = Path(__file__).resolve().parents[2]


def test_a_folder_becomes_one_page_of_solutions(tmp_path):
    out = tmp_path / "week3.html"
    run = invoke("export", ROOT / "examples" / "recurrent", ROOT / "examples" / "attention", "--to", "html",
                 "-o", out)
    assert run.exit_code == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    root = ET.fromstring(text.split("\n", 1)[1])          # well-formed once the DOCTYPE line is off
    articles = root.findall(".//article")
    problems = sorted(p for folder in ("recurrent", "attention") for p in (ROOT / "examples" / folder).glob("*.yaml"))
    assert len(articles) == len(problems) >= 2
    links = [a.get("href") for a in root.findall(".//nav//a")]
    assert links == [f"#{a.get('id')}" for a in articles]
    assert root.find(".//title").text == "week3"
    assert "<math" in text and "<script" not in text and "src=" not in text
