"""Generated documents: templates where an unknown variable is an error, Markdown rendered to safe HTML."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader, UndefinedError

from modeling import documents


def test_a_template_naming_an_unknown_figure_fails_instead_of_printing_nothing():
    env = documents.environment(DictLoader({"r.md.j2": "AUC {{ auc }}\n"}))
    assert env.get_template("r.md.j2").render(auc="0.7977") == "AUC 0.7977\n"
    with pytest.raises(UndefinedError, match="auc"):
        env.get_template("r.md.j2").render()


def test_html_templates_escape_their_values_markdown_ones_keep_them():
    env = documents.environment(DictLoader({"p.html.j2": "<p>{{ v }}</p>", "p.md.j2": "{{ v }}"}))
    assert env.get_template("p.html.j2").render(v="<b>&</b>") == "<p>&lt;b&gt;&amp;&lt;/b&gt;</p>"
    assert env.get_template("p.md.j2").render(v="`a` <b>") == "`a` <b>"


def test_markdown_becomes_html_with_tables_figures_and_no_raw_html():
    page = documents.html_page("# T\n\n**0.0885** `x`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                               "![ROC curve](roc.png)\n\n<script>alert(1)</script>\n", "Model <v1>")
    assert "<title>Model &lt;v1&gt;</title>" in page
    assert "<h1>T</h1>" in page and "<strong>0.0885</strong> <code>x</code>" in page
    assert "<th>a</th>" in page and "<td>2</td>" in page
    assert '<figure><img src="roc.png" alt="ROC curve" /><figcaption>ROC curve</figcaption></figure>' in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_image_inside_a_sentence_stays_inline():
    assert documents.html("see ![a](b.png) here\n") == '<p>see <img src="b.png" alt="a" /> here</p>\n'
