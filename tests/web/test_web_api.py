"""The JSON API, endpoint by endpoint, in-process (Starlette's TestClient; the jobs run inline, InlinePool): each
answers what the CLI prints for the same input, and refuses what the CLI refuses with the same located message.
The limits that need real worker processes (CPU time, a stuck worker) are in test_web_limits.py."""
from __future__ import annotations

import io
import json
import zipfile
from xml.dom import minidom

import pytest
from fastapi.testclient import TestClient

from nnsolve.web.app import create_app
from nnsolve.web.pool import InlinePool
from nnsolve.web.storage import Storage
from tests.cli_runner import invoke as run_cli
from tests.conftest import EXAMPLES

DEMO = EXAMPLES / "demo-two-layer-tanh.yaml"
KEYED = EXAMPLES / "bits-001" / "es-4a-adam-one-step.yaml"       # a key with wrong answers in it
GRADING = EXAMPLES / "grading"
VARIED = EXAMPLES / "variants" / "conv-relu-maxpool.yaml"
SNIPPET = EXAMPLES / "snippets" / "lenet_pytorch.py"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("web-data")


@pytest.fixture(scope="module")
def client(data_dir):
    with TestClient(create_app(InlinePool(), Storage(data_dir)), raise_server_exceptions=False) as c:
        yield c


def text(path) -> str:
    return path.read_text(encoding="utf-8")


def located(response, status=422) -> dict:
    """An error reply: its status, and the JSON shape every error has."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "kind", "issues"} and body["error"]
    assert "Traceback" not in body["error"]
    return body


# -- solve -----------------------------------------------------------------------------------------------
def test_solve_returns_what_solve_format_json_prints(client):
    response = client.post("/api/solve", content=text(DEMO))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    cli = run_cli("solve", str(DEMO), "--format", "json")
    assert cli.exit_code == 0
    served, printed = response.json(), json.loads(cli.stdout)
    served.pop("source"), printed.pop("source")          # the file's name: problem.yaml on the server
    assert served == printed


@pytest.mark.parametrize("fmt, media, marker", [("markdown", "text/markdown", "$$"), ("latex", "application/x-latex",
                                                                                      r"\begin{document}"),
                                                 ("html", "text/html", "<math"), ("text", "text/plain", "h1")])
def test_solve_in_every_format_as_a_download(client, fmt, media, marker):
    response = client.post(f"/api/solve?format={fmt}&download=true", content=text(DEMO))
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert marker in response.text
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith(
        {"markdown": '.md"', "latex": '.tex"', "html": '.html"', "text": '.txt"'}[fmt])


def test_solve_html_fragment_is_the_page_content_and_a_handout_hides_the_answers(client):
    page = client.post("/api/solve?format=html", content=text(DEMO)).text
    fragment = client.post("/api/solve?format=html&fragment=true", content=text(DEMO)).text
    assert page.startswith("<!DOCTYPE html>") and not fragment.startswith("<!DOCTYPE")
    assert "<math" in fragment and fragment.strip() in page and 'class="answers"' in fragment
    handout = client.post("/api/solve?format=html&fragment=true&handout=true", content=text(DEMO)).text
    assert "<main>" not in handout and 'class="questions"' in handout and 'class="answers"' not in handout


def test_solve_a_json_problem_and_digits(client):
    import yaml
    as_json = json.dumps(yaml.safe_load(text(DEMO)))
    served = client.post("/api/solve?format=text&digits=2", content=as_json,
                         headers={"content-type": "application/json"})
    assert served.status_code == 200
    assert served.text == run_cli("solve", str(DEMO), "--digits", "2").stdout


def test_a_malformed_problem_is_refused_at_its_line_as_the_cli_refuses_it(client, tmp_path):
    broken = text(DEMO).replace("layout: in_out", "layout: sideways")
    body = located(client.post("/api/solve", content=broken))
    line = broken.splitlines().index(next(l for l in broken.splitlines() if "sideways" in l)) + 1
    assert any(issue["line"] == line and issue["path"] == "network.layout" for issue in body["issues"])
    (tmp_path / "problem.yaml").write_text(broken, encoding="utf-8")
    cli = run_cli("solve", str(tmp_path / "problem.yaml"))
    assert cli.exit_code == 2
    assert body["error"].split(":", 1)[1] == cli.stderr.strip().split(":", 1)[1].replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize("body, message", [(b"", "empty"), (b"\xff\xfe", "UTF-8"), (b"p\xff\xfe\x00", "NUL byte"),
                                           (b"problem: [", "YAML"),
                                           (b"problem: no_such_family", "no_such_family")])
def test_bad_bodies_are_422_with_a_message(client, body, message):
    assert message in located(client.post("/api/solve", content=body))["error"]


def test_a_domain_error_is_a_located_422(client):
    problem = """problem: computation_graph
values: {x: 0}
nodes: {y: log(x)}
output: y
"""
    body = located(client.post("/api/solve", content=problem))
    assert "log" in body["error"] or "cannot" in body["error"]


def test_malformed_query_options_are_422_not_500(client):
    for query in ("format=pdf", "digits=99", "digits=two", "round_intermediates=-1"):
        body = located(client.post(f"/api/solve?{query}", content=text(DEMO)))
        assert body["issues"] and body["issues"][0]["path"].startswith("query.")


# -- validate ----------------------------------------------------------------------------------------------
def test_validate_lists_what_is_asked_and_the_issues_at_their_lines(client):
    good = client.post("/api/validate", content=text(DEMO)).json()
    assert good["ok"] and good["family"] == "dense_network" and good["issues"] == []
    asks = {a["id"]: a for a in good["asks"]}
    assert asks["h1"]["shape"] == [3] and asks["h1"]["symbol"] == "h_{1}"
    broken = text(DEMO).replace("problem: dense_network", "problem: dense_network\nnetwerk: 1")
    bad = client.post("/api/validate", content=broken)
    assert bad.status_code == 200 and not bad.json()["ok"]
    issue = next(i for i in bad.json()["issues"] if i["path"] == "netwerk")
    assert issue["line"] == broken.splitlines().index("netwerk: 1") + 1 and "network" in issue["message"]


# -- check -------------------------------------------------------------------------------------------------
def test_check_reports_the_key_as_check_format_json_does(client):
    served = client.post("/api/check", content=text(KEYED))
    assert served.status_code == 200
    cli = run_cli("check", str(KEYED), "--format", "json")
    assert cli.exit_code == 1                     # the key has wrong answers: 200 here, the verdicts say so
    printed, answered = json.loads(cli.stdout), served.json()
    printed.pop("source"), answered.pop("source")
    assert answered == printed and not answered["ok"] and answered["first_divergence"]


def test_check_answers_hides_the_solution_from_a_student(client):
    from nnsolve import solve
    solution = solve(DEMO)
    right = [float(v) for v in solution.value("u1")]
    wrong = [v + 1 for v in (float(v) for v in solution.value("h1"))]
    reply = client.post("/api/check-answers", json={"problem": text(DEMO), "answers": {"u1": right, "h1": wrong},
                                                     "hide_solution": True})
    assert reply.status_code == 200
    results = {r["id"]: r for r in reply.json()["results"]}
    assert results["u1"]["ok"] and not results["h1"]["ok"] and results["h1"]["first_divergence"]
    assert reply.json()["first_divergence"] == "h1"
    for r in results.values():
        assert "computed" not in r and "computed_rounded" not in r and "reason" not in r
    shown = client.post("/api/check-answers", json={"problem": text(DEMO), "answers": {"h1": wrong}}).json()
    assert shown["results"][0]["computed"]          # without hide_solution, the computed value is there


def test_check_answers_refuses_an_unknown_answer_id_and_a_malformed_request(client):
    body = located(client.post("/api/check-answers", json={"problem": text(DEMO), "answers": {"h9": 1}}))
    assert "h9" in body["error"]
    body = located(client.post("/api/check-answers", json={"answers": {}}))
    assert body["issues"][0]["path"] == "problem"


# -- grade -------------------------------------------------------------------------------------------------
def test_grade_marks_the_class_as_the_cli_does_and_keeps_the_run(client, tmp_path):
    problem = text(GRADING / "problem.yaml")
    reply = client.post("/api/grade", data={"problem": problem},
                        files={"submissions": ("class.csv", (GRADING / "class.csv").read_bytes(), "text/csv")})
    assert reply.status_code == 200, reply.text
    result = reply.json()
    out = tmp_path / "book.csv"
    cli = run_cli("grade", str(GRADING / "problem.yaml"), str(GRADING / "class.csv"), "-o", str(out))
    assert cli.exit_code == 0
    assert result["gradebook"] == out.read_text(encoding="utf-8")
    assert result["students"] == 8 and result["summary"].startswith("Graded:")
    assert result["report"].startswith("# Class report")
    assert set(result["charts"]) == {"totals", "facility"} and result["charts"]["totals"].startswith("<svg")
    run = result["run"]
    assert isinstance(run, int) and result["saved"] == ""
    book = client.get(f"/api/runs/{run}/gradebook.csv")
    assert book.status_code == 200 and book.text == result["gradebook"]
    assert book.headers["content-disposition"] == f'attachment; filename="gradebook-{run}.csv"'
    assert client.get(f"/api/runs/{run}/report.md").text == result["report"]
    assert any(r["id"] == run for r in client.get("/api/runs").json())
    assert client.get(f"/api/runs/{run}").json()["problem"] == problem


def test_grade_with_a_problem_file_upload_and_the_moodle_layout(client):
    reply = client.post("/api/grade", data={"layout": "moodle", "save": "false"},
                        files={"submissions": ("class.csv", (GRADING / "class.csv").read_bytes()),
                               "problem_file": ("problem.yaml", (GRADING / "problem.yaml").read_bytes())})
    assert reply.status_code == 200 and reply.json()["layout"] == "moodle" and "run" not in reply.json()
    header = reply.json()["gradebook"].splitlines()[0]
    assert header == run_cli("grade", str(GRADING / "problem.yaml"), str(GRADING / "class.csv"), "--layout",
                             "moodle", "-o", "-").stdout.splitlines()[0]


def test_grade_refusals(client):
    csv = ("class.csv", (GRADING / "class.csv").read_bytes())
    assert "problem" in located(client.post("/api/grade", files={"submissions": csv}))["error"]
    body = located(client.post("/api/grade", data={"problem": text(DEMO).replace("in_out", "sideways")},
                               files={"submissions": csv}))
    assert body["issues"][0]["path"] == "network.layout" and body["issues"][0]["line"]
    body = located(client.post("/api/grade", data={"problem": text(GRADING / "problem.yaml")},
                               files={"submissions": ("class.csv", b"")}))
    assert "empty" in body["error"]
    body = located(client.post("/api/grade", data={"problem": text(GRADING / "problem.yaml"), "columns": "=="},
                               files={"submissions": csv}))
    assert body["issues"][0]["path"] == "columns"
    assert located(client.post("/api/grade", data={"problem": text(GRADING / "problem.yaml")}))["issues"]


# -- summary -------------------------------------------------------------------------------------------------
def test_summary_of_a_snippet_as_the_cli_prints_it(client):
    served = client.post("/api/summary?format=text&input_shape=1x32x32", content=text(SNIPPET))
    assert served.status_code == 200
    assert served.text == run_cli("summary", str(SNIPPET), "--input-shape", "1x32x32").stdout
    data = client.post("/api/summary?input_shape=1x32x32", content=text(SNIPPET)).json()
    assert data == json.loads(run_cli("summary", str(SNIPPET), "--input-shape", "1x32x32", "-f", "json").stdout)


def test_summary_of_a_bundled_architecture_and_of_a_problem_file(client):
    served = client.post("/api/summary?kind=bundled&format=text", content="resnet18")
    assert served.status_code == 200 and served.text == run_cli("summary", "resnet18").stdout
    assert "resnet18" in located(client.post("/api/summary?kind=bundled", content="resnet81"))["error"]
    arch = EXAMPLES / "bits-001" / "es-1a-cnn-output-shapes.yaml"
    served = client.post("/api/summary?kind=architecture&format=text", content=text(arch))
    assert served.status_code == 200 and served.text == run_cli("summary", str(arch)).stdout


def test_summary_refusals_are_located(client):
    body = located(client.post("/api/summary?format=text", content="import torch\nclass Net(torch.nn.Module):\n"
                                                                    "    def __init__(self):\n        super().__init__("
                                                                    ")\n        self.fc = nn.Linear(4, \n"))
    assert "model.py" in body["error"]
    body = located(client.post("/api/summary?input_shape=3xx2", content=text(SNIPPET)))
    assert body["issues"][0]["path"] == "--input-shape"
    assert located(client.post("/api/summary?style=keras&format=json", content=text(SNIPPET)))["issues"]


def test_summary_never_runs_the_snippet(client, tmp_path):
    """The snippet is read, never executed: code with a side effect leaves no trace (and --trace is no option)."""
    marker = tmp_path / "ran"
    snippet = (f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n" + text(SNIPPET))
    client.post("/api/summary?input_shape=1x32x32", content=snippet)
    assert not marker.exists()
    assert client.post("/api/summary?trace=true&input_shape=1x32x32", content=text(SNIPPET)).status_code == 200
    assert not marker.exists()


# -- vary and export -------------------------------------------------------------------------------------------
def test_vary_draws_the_cli_variants(client, tmp_path):
    reply = client.post("/api/vary", json={"problem": text(VARIED), "count": 3, "seed": 5})
    assert reply.status_code == 200
    result = reply.json()
    assert len(result["variants"]) == 3 and "accepted: 3" in result["report"]
    folder = tmp_path / "out"
    assert run_cli("vary", str(VARIED), "-n", "3", "--seed", "5", "-o", str(folder)).exit_code == 0
    written = sorted(folder.glob("*.yaml"))
    assert [p.read_text(encoding="utf-8").split("\n", 2)[2] for p in written] == \
        [v["text"].split("\n", 2)[2] for v in result["variants"]]      # the first line names the source file
    archive = client.post("/api/vary", json={"problem": text(VARIED), "count": 3, "seed": 5, "archive": True,
                                              "solutions": "markdown"})
    assert archive.headers["content-disposition"] == 'attachment; filename="variants.zip"'
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert len([n for n in names if n.endswith(".yaml")]) == 3 and len([n for n in names if n.endswith(".md")]) == 3


def test_vary_refusals(client):
    assert "variants" in located(client.post("/api/vary", json={"problem": text(DEMO)}))["error"]
    assert located(client.post("/api/vary", json={"problem": text(VARIED), "count": 0}))["issues"][0]["path"] == "count"


def test_export_to_every_target(client):
    problems = [{"name": "week1/demo.yaml", "text": text(DEMO)}, {"name": "week1/varied.yaml", "text": text(VARIED)}]
    moodle = client.post("/api/export", json={"problems": problems, "to": "moodle"})
    assert moodle.status_code == 200 and moodle.headers["content-disposition"].endswith('questions.xml"')
    quiz = minidom.parseString(moodle.content)
    assert len([q for q in quiz.getElementsByTagName("question") if q.getAttribute("type") != "category"]) == 2
    assert "numbers asked" in moodle.headers["x-nnsolve-notes"]
    qti = client.post("/api/export", json={"problems": problems, "to": "qti"})
    assert zipfile.ZipFile(io.BytesIO(qti.content)).namelist()
    latex = client.post("/api/export", json={"problems": problems, "to": "latex-exam"})
    assert r"\documentclass" in latex.text and r"\question" in latex.text
    html = client.post("/api/export", json={"problems": problems, "to": "html"})
    assert html.text.count("<article") == 2


@pytest.mark.parametrize("name", ["../x.yaml", "/etc/x.yaml", "x.txt", "a\\b.yaml"])
def test_export_refuses_names_that_are_not_relative_problem_files(client, name):
    body = located(client.post("/api/export", json={"problems": [{"name": name, "text": text(DEMO)}], "to": "moodle"}))
    assert body["issues"][0]["path"] == "problems[0].name"


def test_export_refuses_a_broken_problem_at_its_line(client):
    broken = text(DEMO).replace("layout: in_out", "layout: sideways")
    body = located(client.post("/api/export", json={"problems": [{"name": "q.yaml", "text": broken}], "to": "qti"}))
    assert any(i["path"] == "network.layout" and i["line"] for i in body["issues"])
    assert located(client.post("/api/export", json={"problems": [], "to": "qti"}))["issues"]


# -- examples, storage, health, errors --------------------------------------------------------------------------
def test_examples_and_templates(client):
    catalogue = client.get("/api/examples").json()
    assert len(catalogue["templates"]) == 13
    names = {e["name"] for e in catalogue["examples"]}
    assert "demo-two-layer-tanh.yaml" in names and not any(n.endswith(".expect.yaml") for n in names)
    assert client.get("/api/examples/demo-two-layer-tanh.yaml").text == text(DEMO)
    template = client.get("/api/examples/template/conv_network")
    assert template.status_code == 200 and "problem: conv_network" in template.text
    assert client.post("/api/solve", content=template.text).status_code == 200
    located(client.get("/api/examples/template/nope"), 404)
    located(client.get("/api/examples/..%2F..%2Fsetup.py"), 404)


def test_saved_items_round_trip_and_survive_a_restart(client, data_dir):
    made = client.post("/api/saved", json={"kind": "key", "name": "quiz 3 key", "text": text(KEYED)})
    assert made.status_code == 201
    item = made.json()["id"]
    assert client.get(f"/api/saved/{item}").json()["text"] == text(KEYED)
    changed = client.put(f"/api/saved/{item}", json={"kind": "key", "name": "quiz 3 key v2", "text": "x: 1"})
    assert changed.json()["name"] == "quiz 3 key v2"
    assert any(i["id"] == item for i in client.get("/api/saved?kind=key").json())
    with TestClient(create_app(InlinePool(), Storage(data_dir))) as restarted:       # a new server, the same folder
        assert restarted.get(f"/api/saved/{item}").json()["name"] == "quiz 3 key v2"
    assert client.delete(f"/api/saved/{item}").json() == {"deleted": True}
    located(client.get(f"/api/saved/{item}"), 404)
    located(client.delete(f"/api/saved/{item}"), 404)
    located(client.put(f"/api/saved/{item}", json={"kind": "key", "name": "k", "text": ""}), 404)
    assert located(client.post("/api/saved", json={"kind": "poem", "name": "p", "text": ""}))["error"].startswith("kind")


def test_health(client, data_dir):
    health = client.get("/api/health").json()
    assert health["storage_problem"] is None and health["storage"].startswith(str(data_dir))


def test_unknown_routes_and_methods_are_json_errors(client):
    located(client.get("/api/nothing"), 404)
    located(client.get("/api/solve"), 405)
    for path in ("/api/runs/999999", "/api/runs/999999/gradebook.csv", "/api/runs/999999/report.md"):
        assert located(client.get(path), 404)["error"] == "no grading run 999999"


def test_the_openapi_schema_documents_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/solve", "/api/validate", "/api/check", "/api/check-answers", "/api/grade", "/api/summary",
                 "/api/vary", "/api/export", "/api/saved", "/api/runs/{run}/gradebook.csv"):
        assert path in paths
    body = paths["/api/solve"]["post"]["requestBody"]["content"]
    assert "application/yaml" in body and "application/json" in body
    assert "multipart/form-data" in paths["/api/grade"]["post"]["requestBody"]["content"]


def test_an_internal_error_is_one_line_500_without_a_traceback(data_dir, monkeypatch):
    from nnsolve.web import jobs

    def broken(**_):
        raise ZeroDivisionError("a bug")
    monkeypatch.setitem(jobs.JOBS, "solve", broken)
    with TestClient(create_app(InlinePool(), Storage(data_dir)), raise_server_exceptions=False) as c:
        body = located(c.post("/api/solve", content=text(DEMO)), 500)
    assert body["error"] == "internal error, please report: ZeroDivisionError: a bug" and body["kind"] == "internal"


def test_ids_past_sqlite_integers_and_lone_surrogates_are_422_not_500(client):
    """Found by schemathesis against the OpenAPI schema: an id of 30 digits reached SQLite, and JSON can write a
    lone surrogate ("\\udc80") that no UTF-8 file can hold."""
    for path in ("/api/runs/139770393260044940300121014272", "/api/runs/10000000000000000000/gradebook.csv",
                 "/api/saved/0"):
        assert located(client.get(path))["issues"][0]["path"].startswith("path.")
    body = '{"problem": "problem: dense_network\\n# \\udc80", "answers": {"h1": ["\\udc81"]}}'
    reply = located(client.post("/api/check-answers", content=body, headers={"content-type": "application/json"}))
    assert reply["issues"][0]["path"] == "problem" and "lone surrogate U+DC80" in reply["error"]
    body = '{"problem": %s, "answers": {"h1": ["\\udc81"]}}' % json.dumps(text(DEMO))
    reply = located(client.post("/api/check-answers", content=body, headers={"content-type": "application/json"}))
    assert reply["issues"][0]["path"] == "answers.h1[0]"
    body = '{"problems": [{"name": "q\\udc80.yaml", "text": "x"}], "to": "qti"}'
    reply = located(client.post("/api/export", content=body, headers={"content-type": "application/json"}))
    assert reply["issues"][0]["path"] == "problems[0].name"


def test_validate_gives_the_question_without_its_key_and_comments(client):
    """For a student's page, where the printer has no question to show (an architecture without a statement): the
    file without its answers: block and its comment lines."""
    keyed = EXAMPLES / "bits-001" / "es-1a-cnn-output-shapes.yaml"
    original = text(keyed)
    question = client.post("/api/validate", content=original).json()["question"]
    assert "answers:" in original and "answers:" not in question and "#" not in question.split("\n")[0]
    kept = [line for line in original.splitlines(keepends=True) if not line.lstrip().startswith("#")]
    start = next(i for i, line in enumerate(kept) if line.startswith("answers:"))
    assert question == "".join(kept[:start])                    # answers: is the last key of this file
    assert client.post("/api/solve?handout=true&format=html&fragment=true", content=original).status_code == 422
    flow = "problem: architecture\ninput: {shape: [8]}\nlayers: [{kind: dense, units: 2}]\nanswers: {total.params: 18}\n"
    reply = client.post("/api/validate", content=flow).json()
    assert reply["ok"] and reply["question"] == "problem: architecture\ninput: {shape: [8]}\nlayers: [{kind: dense, units: 2}]\n"
    minified = '{"problem": "architecture", "input": {"shape": [8]}, "answers": {"total.params": 18}, "layers": [{"kind": "dense", "units": 2}]}'
    assert client.post("/api/validate", content=minified).json()["question"] is None


def test_every_response_forbids_scripts_from_anywhere_but_the_app(client):
    """A worked solution or a chart is placed in the page as HTML: the policy lets no inline script or handler in
    it run, and nothing load from another origin."""
    for response in (client.get("/"), client.post("/api/solve?format=html", content=text(DEMO)),
                     client.get("/api/nothing")):
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "default-src 'self'" in policy and "object-src 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"


def test_the_default_limits_are_2_mb_for_a_body_and_50_mb_for_an_upload(client):
    body = located(client.post("/api/solve", content=b"#" * (2 * 1024 * 1024 + 1)), 413)
    assert body["kind"] == "size" and "at most 2,097,152 bytes" in body["error"]
    upload = b"s,h1\n" + b"x" * (50 * 1024 * 1024)
    body = located(client.post("/api/grade", data={"problem": text(GRADING / "problem.yaml")},
                               files={"submissions": ("class.csv", upload)}), 413)
    assert body["error"].startswith("the upload is") and "at most 52,428,800 bytes" in body["error"]
    # under the upload limit, a class larger than a problem file may be (5 MB) is read and marked: here the class of
    # examples/grading with 125,000 spaces after each of its cells (a CSV field may hold 131,072 characters)
    import csv
    padded = io.StringIO()
    rows = list(csv.reader(io.StringIO(text(GRADING / "class.csv"))))
    csv.writer(padded).writerows([rows[0]] + [[cell + " " * 125_000 for cell in row] for row in rows[1:]])
    large = padded.getvalue().encode()
    assert len(large) > 5 * 1024 * 1024
    reply = client.post("/api/grade", data={"problem": text(GRADING / "problem.yaml"), "save": "false"},
                        files={"submissions": ("class.csv", large)})
    assert reply.status_code == 200, reply.text[:300]
    marked = client.post("/api/grade", data={"problem": text(GRADING / "problem.yaml"), "save": "false"},
                         files={"submissions": ("class.csv", (GRADING / "class.csv").read_bytes())})
    assert reply.json()["gradebook"] == marked.json()["gradebook"]


def test_a_kept_run_gives_each_students_feedback_as_grade_feedback_writes_it(client, tmp_path):
    reply = client.post("/api/grade", data={"problem": text(GRADING / "problem.yaml")},
                        files={"submissions": ("class.csv", (GRADING / "class.csv").read_bytes())})
    run = reply.json()["run"]
    folder = tmp_path / "feedback"
    for fmt, suffix in (("html", ".html"), ("markdown", ".md")):
        served = client.get(f"/api/runs/{run}/feedback.zip?format={fmt}")
        assert served.status_code == 200 and served.headers["content-disposition"].endswith(f'feedback-{run}.zip"')
        assert "x-nnsolve-notes" not in served.headers              # marked again, the same gradebook
        cli = run_cli("grade", str(GRADING / "problem.yaml"), str(GRADING / "class.csv"), "--feedback",
                      str(folder / fmt), "--feedback-format", fmt)
        assert cli.exit_code == 0
        archive = zipfile.ZipFile(io.BytesIO(served.content))
        written = {p.name: p.read_bytes() for p in (folder / fmt).iterdir()}
        assert len(written) == 8 and all(name.endswith(suffix) for name in written)
        assert {name: archive.read(name) for name in archive.namelist()} == written
    located(client.get("/api/runs/999999/feedback.zip"), 404)
    located(client.get(f"/api/runs/{run}/feedback.zip?format=pdf"))
