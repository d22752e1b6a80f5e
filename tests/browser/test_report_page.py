"""The grading report opens in a browser from the file alone: no server, no request, no error."""

from __future__ import annotations

from autograder import report
from tests.browser.jupyterlab import ARTIFACTS
from tests.test_report import class_with_known_mistakes


def test_the_report_opens_offline_from_its_file(page, tmp_path):
    path = tmp_path / "report.html"
    report.write(class_with_known_mistakes(), path)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert page.title() == "Grading report"
    assert page.locator("h2#attention").inner_text().startswith("Needs your attention")
    # How points are shared, and the error messages apart from the mistakes to re-teach.
    assert page.locator("h3", has_text="Error messages").is_visible()
    assert page.get_by_text("Each test's points are shared out by what its cases check").is_visible()
    images = page.locator("img")
    assert images.count() == 3
    for index in range(images.count()):  # every figure decoded and drawn, with alt text
        image = images.nth(index)
        assert image.get_attribute("alt")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    page.locator("details").first.evaluate("element => element.open = true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert requested == [path.as_uri()], f"the page asked for more than its own file: {requested}"
    assert page.console_errors == []


def test_the_similar_submissions_section_shows_each_flagged_pair_side_by_side(page, tmp_path):
    from autograder.similarity_report import SimilarSubmissions, submission_url
    from tests.test_similarity import CHAPTER, class_with_copies

    students, comparison = class_with_copies(CHAPTER)
    server = "http://127.0.0.1:9/user/grace"
    links = {(CHAPTER, s.student_id): submission_url(server, f"id-{s.student_id}") for s in students}
    path = tmp_path / "report.html"
    report.write(class_with_known_mistakes(), path, similar=SimilarSubmissions([comparison], links))
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(path.as_uri())
    assert page.locator("h2#similarity").is_visible()  # the section's heading, linked from the page's top
    assert page.locator('nav a[href="#similarity"]').is_visible()
    section = page.locator("body")
    assert "A high score is a reason to look, not a verdict." in " ".join(section.inner_text().split())
    flagged = comparison.flagged()
    assert flagged, "the class has copies: some pair must be flagged"
    for pair in flagged:
        for student in (pair.student_a, pair.student_b):
            assert section.locator(f'a[href="{server}/formgrader/submissions/id-{student}/"]').count() >= 1
    marks = section.locator("mark")
    assert marks.count() > 0 and marks.first.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.locator("details.pair").first.evaluate("element => element.open = true")
    assert page.locator("details.pair mark").first.is_visible()  # the matching parts, side by side
    page.screenshot(path=str(ARTIFACTS / "report-similarity.png"), full_page=True)
    assert requested == [path.as_uri()], f"the page asked for more than its own file: {requested}"
    assert page.console_errors == []
