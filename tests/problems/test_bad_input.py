"""One test per class of bad input: each names its place (path), says what is wrong in words a person
can act on, and gives the line of the offending value. Expected lines are found from the text itself."""
from __future__ import annotations

from pathlib import Path

import pytest
from bad_input import VALID, at, changed, issues, line_of, the_issue

import nnsolve
from nnsolve.problems.errors import ProblemError


def test_the_valid_problem_solves():
    # the baseline every other test breaks in one place
    assert nnsolve.solve(VALID).has("loss")


# -- the file as a whole -----------------------------------------------------------------------------

def test_not_yaml_names_the_line_and_column():
    text = "problem: dense_network\ntitle: a: b\nnetwork: {}\n"
    issue = the_issue(text)
    assert "not valid YAML/JSON" in issue.message and "column" in issue.message
    assert issue.line == 2


def test_tab_indentation_is_named():
    issue = the_issue("problem: dense_network\n\tnetwork: {}\n")
    # libyaml says "tab character", PyYAML (the fallback) quotes it
    assert ("tab" in issue.message or "'\\t'" in issue.message) and issue.line == 2


def test_empty_file():
    for text in ("", "# only a comment\n", "   \n"):
        issue = the_issue(text)
        assert "empty" in issue.message and "problem: dense_network" in issue.message


def test_top_level_must_be_a_mapping():
    assert "got a list" in the_issue("- 1\n- 2\n").message
    issue = the_issue("just some words")
    assert "mapping" in issue.message and "'just some words'" in issue.message and issue.line == 1


def test_missing_problem_kind():
    issue = the_issue(VALID.replace("problem: dense_network\n", ""))
    assert issue.path == "problem" and "is required" in issue.message and "dense_network" in issue.message


def test_unknown_problem_kind_suggests_the_closest():
    issue = the_issue(changed("problem: dense_network", "problem: dense_netwrok"))
    assert issue.path == "problem" and "did you mean 'dense_network'" in issue.message and issue.line == 1
    issue = the_issue(changed("problem: dense_network", "problem: [1, 2]"))
    assert issue.path == "problem" and "name of a problem kind" in issue.message


def test_duplicate_key_names_both_lines():
    text = changed("title: the problem", "title: first\ntitle: the problem")
    issue = the_issue(text)
    assert issue.path == "title" and "twice" in issue.message
    assert f"first at line {line_of(text, 'title: first')}" in issue.message
    assert issue.line == line_of(text, "title: the problem")


# -- keys --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, path, suggested", [
    ("loss: {type: bce}", "loss: {type: bce}\nnetwrok: 1", "netwrok", "network"),                 # top level
    ("  layout: in_out", "  layout: in_out\n  layerz: []", "network.layerz", "layers"),           # nested model
    ("      b: [0.1, 0.2]", "      bias: [0.1, 0.2]", "network.layers[0].bias", "b"),             # list of models
    ("activation: relu", "activation: {name: leaky_relu, slop: 0.1}",
     "network.layers[0].activation.slop", "slope"),                                               # activation mapping
    ("loss: {type: bce}", "loss: {type: bce, log_bse: 2}", "loss.log_bse", "log_base"),
    ("loss: {type: bce}", "loss: {type: bce}\npenalty: {type: l2, lamda: 1}", "penalty.lamda", "lambda"),  # alias
    ("loss: {type: bce}", "loss: {type: bce}\nconventions: {relu_derivative: 1}",
     "conventions.relu_derivative", "relu_derivative_at_zero"),                                   # a truncated name
    ("loss: {type: bce}", "loss: {type: bce}\nsource: {papr: x}", "source.papr", "paper"),
])
def test_unknown_key_suggests_a_key_of_that_model(old, new, path, suggested):
    text = changed(old, new)
    issue = at(text, path)
    assert f"unknown key {path.rsplit('.', 1)[-1]!r}" in issue.message
    assert f"did you mean {suggested!r}" in issue.message
    assert issue.line == line_of(text, new.strip().splitlines()[-1].strip())


def test_unknown_key_with_nothing_close_lists_the_allowed_keys():
    issue = at(changed("  layout: in_out", "  layout: in_out\n  zzz: 1"), "network.zzz")
    assert "allowed here: layers, layout" in issue.message


def test_missing_required_keys_are_all_reported_with_their_meaning():
    text = changed("  layout: in_out\n", "").replace("  x: [1, 2, 3]\n", "")
    found = {i.path: i for i in issues(text)}
    assert set(found) == {"network.layout", "data.x"}
    assert "is required" in found["network.layout"].message and "in_out" in found["network.layout"].message
    assert found["network.layout"].line == line_of(text, "network:")
    assert found["data.x"].line == line_of(text, "data:")


# -- values ------------------------------------------------------------------------------------------

def test_text_where_a_number_goes_names_the_entry():
    text = changed("b: [0.1, 0.2]", "b: [0.1, abc]")
    issue = the_issue(text)
    assert issue.path == "network.layers[0].b[1]" and "expected a number, got the text 'abc'" in issue.message
    assert issue.line == line_of(text, "abc")


def test_every_bad_entry_of_a_matrix_is_reported_at_its_own_line():
    text = changed("W: [[1, 2], [3, 4], [5, 6]]", "W:\n        - [1, zwei]\n        - [3, 4]\n        - [fünf, 6]")
    found = issues(text)
    assert [(i.path, i.line) for i in found] == [("network.layers[0].W[0][1]", line_of(text, "zwei")),
                                                 ("network.layers[0].W[2][0]", line_of(text, "fünf"))]


def test_a_number_where_a_list_goes():
    issue = the_issue(changed("W: [[1], [2]]", "W: 3"))
    assert issue.path == "network.layers[1].W" and "expected a matrix" in issue.message
    assert "got the number 3" in issue.message
    issue = the_issue(changed("b: [0.1, 0.2]", "b: {first: 1}"))
    assert issue.path == "network.layers[0].b" and "got a mapping" in issue.message


def test_a_whole_number_setting_refuses_text_and_fractions():
    assert "expected a whole number, got the text 'many'" in the_issue(VALID + "digits: many\n").message
    assert "must be at least 0" in the_issue(VALID + "digits: -1\n").message


def test_true_is_not_a_number():
    issue = the_issue(changed("x: [1, 2, 3]", "x: [yes, 2, 3]"))
    assert issue.path == "data.x[0]" and "got true" in issue.message


def test_ragged_matrix_names_the_odd_row():
    text = changed("W: [[1, 2], [3, 4], [5, 6]]", "W:\n        - [1, 2]\n        - [3]\n        - [5, 6]")
    issue = the_issue(text)
    assert issue.path == "network.layers[0].W[1]" and "1 entry" in issue.message and "equal lengths" in issue.message
    assert issue.line == line_of(text, "[3]")


@pytest.mark.parametrize("typed, words", [(".inf", "infinity"), ("-.inf", "infinity"), (".nan", "NaN"),
                                          ("1/0", "division by zero")])
def test_non_finite_numbers_are_refused(typed, words):
    issue = the_issue(changed("b: [0.1, 0.2]", f"b: [0.1, {typed}]"))
    assert issue.path == "network.layers[0].b[1]" and words in issue.message and issue.line == 7


def test_a_non_finite_setting_is_refused():
    issue = the_issue(changed("loss: {type: bce}", "loss: {type: bce, log_zero: -.inf}"))
    assert issue.path == "loss.log_zero" and "finite" in issue.message


def test_empty_lists_are_refused():
    issue = the_issue(changed("x: [1, 2, 3]", "x: []"))
    assert issue.path == "data.x" and "empty list" in issue.message


# -- shapes ------------------------------------------------------------------------------------------

def test_transposed_weights_get_the_layout_hint():
    text = changed("W: [[1, 2], [3, 4], [5, 6]]", "W: [[1, 3, 5], [2, 4, 6]]")
    issue = the_issue(text)     # one mistake, one message: the layers after it are checked as intended
    assert issue.path == "network.layers[0].W"
    assert "expected a 3×2 matrix" in issue.message and "got 2×3" in issue.message
    assert "transpose" in issue.message and "network.layout: out_in" in issue.message
    assert issue.line == line_of(text, "W: [[1, 3, 5]")


def test_a_wrong_matrix_in_block_style_points_at_its_key():
    text = changed("W: [[1], [2]]", "W:\n        - [1]\n        - [2]\n        - [3]")
    issue = the_issue(text)
    assert issue.path == "network.layers[1].W" and "expected a 2×1 matrix" in issue.message
    assert "values of h1" in issue.message and issue.line == line_of(text, "W:\n        - [1]")


def test_bias_length():
    issue = the_issue(changed("b: [0.1, 0.2]", "b: [0.1, 0.2, 0.3]"))
    assert issue.path == "network.layers[0].b" and "expected 2 biases" in issue.message and "got 3" in issue.message
    assert issue.line == 7


def test_target_shape():
    issue = the_issue(changed("target: [1]", "target: [1, 0]"))
    assert issue.path == "data.target" and "expected 1 value" in issue.message and "got 2 values" in issue.message
    assert issue.line == 13


def test_batch_target_written_as_one_list_gets_a_hint():
    text = changed("x: [1, 2, 3]", "x: [[1, 2, 3], [4, 5, 6]]").replace("target: [1]", "target: [1, 0]")
    issue = the_issue(text)
    assert issue.path == "data.target" and "2×1 matrix" in issue.message and "one row per sample" in issue.message


# -- what needs what ---------------------------------------------------------------------------------

def test_loss_without_target():
    issue = the_issue(VALID.replace("  target: [1]\n", ""))
    assert issue.path == "data.target" and "is required" in issue.message and "bce" in issue.message
    assert issue.line == line_of(VALID, "data:")


def test_optimizer_without_loss():
    text = changed("loss: {type: bce}", "optimizer: {type: sgd, lr: 0.1}")
    issue = the_issue(text)
    assert issue.path == "optimizer" and "needs a loss" in issue.message
    assert issue.line == line_of(text, "optimizer:")


def test_bad_activation_name_suggests_the_closest():
    for written in ("activation: sigmod", "activation: {name: sigmod}"):
        text = changed("activation: sigmoid", written)
        issue = the_issue(text)
        assert issue.path == "network.layers[1].activation.name"
        assert "did you mean 'sigmoid'" in issue.message and "got the text 'sigmod'" in issue.message
        assert issue.line == line_of(text, "sigmod")


def test_activation_of_the_wrong_type():
    issue = the_issue(changed("activation: relu", "activation: 3"))
    assert issue.path == "network.layers[0].activation" and "activation name such as relu" in issue.message


@pytest.mark.parametrize("base", ["3", "ten", "[2]"])
def test_bad_log_base(base):
    text = changed("loss: {type: bce}", f"loss: {{type: bce, log_base: {base}}}")
    issue = the_issue(text)
    assert issue.path == "loss.log_base" and "log base must be e, 2 or 10" in issue.message
    assert issue.line == line_of(text, "log_base")


def test_log_of_zero_while_solving_names_the_quantity_and_the_setting():
    # a ReLU output of exactly 0 under unfused BCE: ln(0) with no clamp given
    text = changed("activation: sigmoid", "activation: relu").replace("b: [0.1, 0.2]", "b: [-100, -100]")
    text = changed("target: [1]", "target: [0.5]", text)
    issue = the_issue(text)
    assert issue.path == "loss" and "cannot compute loss" in issue.message and "log_zero" in issue.message
    assert issue.line == line_of(text, "loss:")


# -- sizes: refused before anything is allocated ------------------------------------------------------

def test_huge_widths_are_refused(monkeypatch):
    # the valid problem has 3·2 + 2·1 = 8 weights; with the limit lowered to 7 the same check a
    # 100,001-weight file meets fires without building one
    monkeypatch.setenv("NNSOLVE_MAX_DENSE_WEIGHTS", "7")
    issue = the_issue(VALID)
    assert issue.path == "network.layers" and "8 weights; at most 7" in issue.message
    assert issue.line == line_of(VALID, "  layers:")


def test_huge_batches_are_refused(monkeypatch):
    monkeypatch.setenv("NNSOLVE_MAX_DENSE_BATCH", "2")
    text = changed("x: [1, 2, 3]", "x: [[1, 2, 3], [1, 2, 3], [1, 2, 3]]")
    text = changed("target: [1]", "target: [[1], [1], [1]]", text)
    issue = the_issue(text)
    assert issue.path == "data.x" and "3 samples; at most 2" in issue.message and issue.line == line_of(text, "x:")


def test_many_steps_on_a_big_batch_are_refused_at_steps():
    # 1,000 samples × (3·6 + 4·2 + 3·2 + 4·1 = 36 operations) × 201 passes ≈ 7.2 million > the limit
    text = changed("x: [1, 2, 3]", "x: [" + ", ".join(["[1, 2, 3]"] * 1000) + "]")
    text = changed("target: [1]", "target: [" + ", ".join(["[1]"] * 1000) + "]", text)
    text += "optimizer: {type: sgd, steps: 200}\n"
    issue = the_issue(text)
    assert issue.path == "optimizer.steps" and "too many steps" in issue.message and "floating point" in issue.message


def test_steps_beyond_the_schema_limit():
    text = VALID + "optimizer: {type: sgd, steps: 100000}\n"
    issue = the_issue(text)
    assert issue.path == "optimizer.steps" and "must be at most 1000" in issue.message
    assert "(raise it with NNSOLVE_MAX_OPTIMIZER_STEPS)" in issue.message
    assert issue.line == line_of(text, "steps")


def test_a_number_with_a_huge_exponent_is_refused_before_it_is_built():
    # Fraction("1e999999999") would be a billion-digit integer
    issue = the_issue(changed("x: [1, 2, 3]", "x: [1e999999999, 2, 3]"))
    assert issue.path == "data.x[0]" and "beyond the range" in issue.message


def test_alias_bomb_is_refused_before_it_is_expanded():
    # 12 short lines that would expand to 10⁷ values
    levels = "".join(f"n{k}: &n{k} [" + ", ".join([f"*n{k - 1}"] * 10) + "]\n" for k in range(1, 8))
    text = VALID + "n0: &n0 [1, 1]\n" + levels
    issue = the_issue(text)
    assert "values in the file" in issue.message and "aliases" in issue.message


def test_self_referring_alias_is_refused():
    issue = the_issue(VALID + "loop: &a [1, *a]\n")
    assert issue.path == "loop" and "nested more than" in issue.message


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSOLVE_MAX_FILE_BYTES", "100")
    path = tmp_path / "big.yaml"
    path.write_text(VALID)
    issue = the_issue(path)
    assert "bytes" in issue.message and "limited to 100" in issue.message


# -- ask -----------------------------------------------------------------------------------------------

def test_unknown_ids_in_ask_are_reported_with_a_suggestion():
    text = VALID + "ask: [u1, fowrard, dL/dW3]\n"
    found = issues(text)
    assert [i.path for i in found] == ["ask[1]", "ask[2]"]
    assert "did you mean 'forward'" in found[0].message
    assert "did you mean 'dL/dW1'" in found[1].message or "did you mean 'dL/dW2'" in found[1].message
    assert all(i.line == line_of(text, "ask:") for i in found)


def test_a_single_ask_item_need_not_be_a_list():
    assert nnsolve.solve(VALID + "ask: forward\n").asked[:2] == ["u1", "h1"]


# -- files ---------------------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(ProblemError) as caught:
        nnsolve.solve(tmp_path / "nowhere.yaml")
    assert "file not found" in str(caught.value) and "nowhere.yaml" in str(caught.value)


def test_a_directory_is_not_a_problem_file(tmp_path):
    with pytest.raises(ProblemError) as caught:
        nnsolve.solve(Path(tmp_path))
    assert "is a directory" in str(caught.value)


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(VALID.replace("the problem", "caf\xe9 problem").encode("latin-1"))
    issue = the_issue(path)
    assert "not UTF-8" in issue.message and "0xe9" in issue.message and issue.line == 2


def test_every_issue_is_reported_at_once_in_file_order():
    text = changed("b: [0.1, 0.2]", "bb: [0.1, 0.2]")
    text = changed("activation: sigmoid", "activation: sigmod", text)
    text = changed("loss: {type: bce}", "loss: {type: bce, log_base: 3}", text)
    found = issues(text)
    assert [i.path for i in found] == ["network.layers[0].bb", "network.layers[1].activation.name", "loss.log_base"]
    assert [i.line for i in found] == sorted(i.line for i in found)


@pytest.mark.parametrize("section, key", [("loss: {type: bce, half: true}", "loss.half"),
                                          ("loss: {type: mse, log_base: 2}", "loss.log_base"),
                                          ("loss: {type: sse, log_zero: -1e9}", "loss.log_zero")])
def test_a_setting_the_chosen_form_never_reads_is_refused_not_ignored(section, key):
    text = changed("loss: {type: bce}", section)
    issue = the_issue(text)
    assert issue.path == key and "does not apply to" in issue.message
    assert issue.line == line_of(text, key.split(".")[1] + ":")


def test_negative_penalty_strength():
    text = changed("loss: {type: bce}", "loss: {type: bce}\npenalty: {type: l2, lambda: -0.1}")
    issue = the_issue(text)
    assert issue.path == "penalty.lambda" and "at least 0" in issue.message
