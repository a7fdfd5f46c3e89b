"""Canvas QTI 1.2 export, read back by an independent reader written here from the IMS QTI 1.2 ASI structure
(questestinterop > assessment > section > section | item; an item's itemmetadata, presentation, resprocessing,
itemfeedback in that order; a manifest whose resource names the assessment file inside the zip), parsed with
xml.dom.minidom rather than the ElementTree that wrote it. The ranges are worked out here by hand."""
from __future__ import annotations

import zipfile
from fractions import Fraction as F
from pathlib import Path
from xml.dom import minidom

from nnsolve.publish.export import export

ROOT = Path(__file__).resolve().parents[2]
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
ITEM_ORDER = ["itemmetadata", "presentation", "resprocessing", "itemfeedback"]


def _children(node) -> list:
    return [c for c in node.childNodes if c.nodeType == c.ELEMENT_NODE]


def read_package(path: Path) -> list:
    """The items of a QTI 1.2 package, after checking its structure; fails on anything out of place."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        manifest = minidom.parseString(z.read("imsmanifest.xml"))
        resources = manifest.getElementsByTagName("resource")
        assert resources and all(r.getAttribute("type") == "imsqti_xmlv1p2" for r in resources)
        href = resources[0].getAttribute("href")
        assert href in names
        doc = minidom.parseString(z.read(href))
    root = doc.documentElement
    assert root.tagName == "questestinterop" and root.getAttribute("xmlns") == QTI
    (assessment,) = _children(root)
    assert assessment.tagName == "assessment" and assessment.getAttribute("ident")
    items, idents = [], set()

    def walk(section):
        assert section.tagName == "section" and section.getAttribute("ident")
        for child in _children(section):
            if child.tagName == "section":
                walk(child)
            elif child.tagName == "item":
                assert child.getAttribute("ident") not in idents
                idents.add(child.getAttribute("ident"))
                tags = [c.tagName for c in _children(child)]
                assert tags == sorted(tags, key=ITEM_ORDER.index), tags
                assert "presentation" in tags and "resprocessing" in tags
                items.append(child)
            else:
                assert child.tagName in ("selection_ordering", "qtimetadata"), child.tagName
    sections = [c for c in _children(assessment) if c.tagName == "section"]
    assert len(sections) == 1
    walk(sections[0])
    return items


def _field(item, label: str) -> str:
    for field in item.getElementsByTagName("qtimetadatafield"):
        if field.getElementsByTagName("fieldlabel")[0].firstChild.data == label:
            return field.getElementsByTagName("fieldentry")[0].firstChild.data
    raise AssertionError(label)


def _range(item) -> tuple[F, F]:
    low = item.getElementsByTagName("vargte")[0].firstChild.data
    high = item.getElementsByTagName("varlte")[0].firstChild.data
    return F(low), F(high)


def test_the_grading_example_one_item_per_number(tmp_path):
    out = tmp_path / "quiz.zip"
    export([ROOT / "examples" / "grading"], "qti", out)
    items = read_package(out)
    assert len(items) == 2 + 1 + 1 + 2 + 4 + 2       # h1, y, loss, dL/dW2, dL/dW1, W2(1), element by element
    assert all(_field(i, "question_type") == "numerical_question" for i in items)
    h1_0 = F("0.5") * F("1.5") + F("0.2") * F("0.7") + F("0.1")
    assert _range(items[0]) == (h1_0 - F(1, 20000), h1_0 + F(1, 20000))
    # h1 is worth 2 marks: 1 a number; dL/dW1 is worth 1: ¼ a number
    assert F(_field(items[0], "points_possible")) == 1 and F(_field(items[6], "points_possible")) == F(1, 4)
    # the worked solution once, with the last number; the others point to it
    assert "Conventions" in items[-1].getElementsByTagName("itemfeedback")[0].toxml()
    assert all("feedback of the last part" in i.getElementsByTagName("itemfeedback")[0].toxml() for i in items[:-1])


def _one_number(path: Path, title: str, w: str, digits: int) -> None:
    path.write_text(f"problem: dense_network\ntitle: {title}\nnetwork:\n  layout: out_in\n  layers:\n"
                    f"    - {{W: [[{w}]], b: [0], activation: identity}}\n"
                    f"data: {{x: [1]}}\nask: [y]\ndigits: {digits}\n")


def test_canvas_small_numbers_are_asked_in_scaled_units(tmp_path):
    """Canvas reads any number under 10⁻⁴ as 0: y = 0.00003 to 6 decimals has the range [0.0000295, 0.0000305],
    asked in units of 10⁻⁵ as [2.95, 3.05]."""
    _one_number(tmp_path / "tiny.yaml", "tiny", "0.00003", 6)
    out = tmp_path / "q.zip"
    export([tmp_path / "tiny.yaml"], "qti", out)
    (item,) = read_package(out)
    low, high = _range(item)
    assert (low, high) == (F("2.95"), F("3.05"))
    assert "units of 10<sup>−5</sup>" in item.getElementsByTagName("mattext")[0].firstChild.data


def test_variants_of_one_number_are_a_pool_drawing_one(tmp_path):
    folder = tmp_path / "variants"
    folder.mkdir()
    for k, w in enumerate(["0.5", "0.25", "1.5"]):
        _one_number(folder / f"v{k}.yaml", "one weight", w, 2)
    out = tmp_path / "q.zip"
    export([folder], "qti", out)
    items = read_package(out)
    assert len(items) == 3
    pool = items[0].parentNode
    assert pool.getElementsByTagName("selection_number")[0].firstChild.data == "1"
    assert {_range(i) for i in items} == {(F(w) - F(1, 200), F(w) + F(1, 200)) for w in ("0.5", "0.25", "1.5")}


def test_a_folder_of_different_problems_is_no_pool(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    _one_number(folder / "a.yaml", "first", "0.5", 2)
    _one_number(folder / "b.yaml", "second", "0.5", 2)
    out = tmp_path / "q.zip"
    export([folder], "qti", out)
    read_package(out)
    with zipfile.ZipFile(out) as z:
        assert b"selection_number" not in z.read([n for n in z.namelist() if n != "imsmanifest.xml"][0])


def test_the_same_questions_give_the_same_zip(tmp_path):
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        export([ROOT / "examples" / "grading"], "qti", tmp_path / run / "quiz.zip")
    assert (tmp_path / "a" / "quiz.zip").read_bytes() == (tmp_path / "b" / "quiz.zip").read_bytes()


def test_an_answer_of_zero_is_not_scaled_and_the_export_says_canvas_reads_it_exactly(tmp_path):
    _one_number(tmp_path / "zero.yaml", "zero", "0", 4)          # y = 0 · 1 + 0 = 0
    out = tmp_path / "q.zip"
    done = export([tmp_path / "zero.yaml"], "qti", out)
    (item,) = read_package(out)
    assert _range(item) == (F(-1, 20000), F(1, 20000))
    assert "units of" not in item.getElementsByTagName("mattext")[0].firstChild.data
    assert any("1 answer is 0 with a tolerance under 10^-4" in line for line in done.report())
