"""The raw exploratory notebook: it runs from top to bottom on the real sample, its committed outputs are what a
fresh run prints, its figures are written the French way and its text cites only figures its cells compute."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pm.formats import num, typography

pytestmark = pytest.mark.requirement("EXG-GP-02")

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "exploration.ipynb"
ENGLISH_DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")  # 0.07 or 501943.5, not a file name
BARE_PERCENT = re.compile(r"\d ?%")  # French puts a no-break space between the number and its sign
FRENCH_DECIMAL = re.compile(r"\d+,\d+")
PLAIN_SPACED_THOUSANDS = re.compile(r"\d \d{3}\b")  # 1 208 with a breakable space: French groups with U+202F
QUICK_AUC = re.compile(r"AUC sur le jeu de test : (\d+[.,]\d+)")


def _output_text(cell) -> str:
    return "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)


def _code(notebook) -> list:
    return [c for c in notebook.cells if c.cell_type == "code"]


def _markdown(notebook) -> list[str]:
    return [c.source for c in notebook.cells if c.cell_type == "markdown"]


@pytest.fixture(scope="module")
def committed():
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def executed(committed):
    notebook = copy.deepcopy(committed)
    NotebookClient(notebook, kernel_name="python3", timeout=240,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return notebook


@pytest.fixture(scope="module")
def printed(executed) -> str:
    return "\n".join(_output_text(c) for c in _code(executed))


def test_the_committed_notebook_is_executed_with_its_outputs(committed):
    code = _code(committed)
    assert all(c.outputs for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


def test_the_committed_outputs_are_what_a_fresh_run_prints(committed, executed):
    for kept, fresh in zip(_code(committed), _code(executed), strict=True):
        assert _output_text(kept) == _output_text(fresh), kept.source.splitlines()[0]


def test_the_notebook_shows_the_data_problems_and_their_cleaning_on_the_real_rows(printed):
    assert "(['DEFAULTED'], ['TARGET'])" in printed  # the sample's label column has another name
    assert "'\\ufeffSK_ID_BUREAU,MONTHS_BALANCE,STATUS\\r\\n'" in printed  # a byte-order mark, CRLF
    assert "{'DAYS_EMPLOYED': 158}" in printed  # the 365243 sentinel found in the real rows
    assert "DAYS_EMPLOYED encore à 365243 : 0" in printed  # and cleared by the project's feature code
    assert "valeurs infinies : 0" in printed
    assert f"vraies lignes ({num(1000)} clients)" in printed  # the comparison computed on the real rows


def test_every_figure_it_prints_and_its_text_are_written_the_french_way(printed, committed):
    assert not ENGLISH_DECIMAL.findall(printed)
    assert not BARE_PERCENT.findall(printed)
    for text in _markdown(committed):
        assert typography(text) == text and not PLAIN_SPACED_THOUSANDS.search(text), text.splitlines()[0]


def test_its_text_cites_the_quick_model_s_auc_and_only_figures_its_cells_compute(printed, committed):
    auc = QUICK_AUC.search(printed).group(1)
    assert any(f"**{auc}**" in text for text in _markdown(committed)), f"the quick model's AUC {auc} is not discussed"
    cited = {figure for text in _markdown(committed) for figure in FRENCH_DECIMAL.findall(text)}
    assert cited and not {figure for figure in cited if figure not in printed}
