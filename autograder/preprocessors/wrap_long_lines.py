"""``WrapLongLines``: a feedback page reads well at any width. Outputs (a check's message
with its hint), code and text wrap at the page's edge instead of running off it, and
images and tables shrink or scroll inside the page. Runs after nbconvert's
CSSHTMLHeaderPreprocessor: its style comes last, so it wins."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

STYLE = """
/* autograder: long lines wrap at the page's edge */
div.output_area pre, div.output_subarea pre, div.output_text pre, div.output pre,
div.input_area pre, div.highlight pre, div.text_cell_render pre {
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  word-break: break-word;
}
div.output_area, div.output_subarea, div.inner_cell, div.input_area, div.text_cell_render,
div.input, div.output_wrapper, div.output {
  min-width: 0;
  max-width: 100%;
}
div.text_cell_render, div.panel-body, div#toc { overflow-wrap: anywhere; }
div.output_subarea img, div.text_cell_render img { max-width: 100%; height: auto; }
div.output_subarea table, div.text_cell_render table { display: block; max-width: 100%; overflow-x: auto; }
"""


class WrapLongLines(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        inlining = resources.setdefault("inlining", {})
        inlining["css"] = [*inlining.get("css", []), STYLE]
        return nb, resources
