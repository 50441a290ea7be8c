"""Scenario-matrix id tags become Allure links with the configured pattern."""

from __future__ import annotations

from harness import report
from harness.settings import Settings


def test_matrix_id_tags_become_links_with_the_pattern(monkeypatch):
    made = []
    monkeypatch.setattr(report.allure.dynamic, "link", lambda url, link_type, name: made.append((url, link_type, name)))
    ids = report.link_matrix_ids(["integration", "INT-001", "smoke", "INT-001", "SEC-012", "allure.label.epic:Runs"],
                                 "https://example.test/matrix#{}")
    assert ids == ["INT-001", "SEC-012"]
    assert made == [("https://example.test/matrix#INT-001", "tms", "INT-001"),
                    ("https://example.test/matrix#SEC-012", "tms", "SEC-012")]


def test_the_default_pattern_is_the_docs_matrix_on_github_in_ci_and_served_locally():
    ci = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/arena", "GITHUB_SHA": "abc123"}
    assert Settings.load({}, environ=ci).matrix_url == "https://github.com/acme/arena/blob/abc123/docs/MATRIX.md#{}"
    assert Settings.load({}, environ={}).matrix_url == "http://127.0.0.1:4040/docs/MATRIX.md#{}"
    assert Settings.load({}, environ={"ARENA_MATRIX_URL": "https://tms.test/{}"}).matrix_url == "https://tms.test/{}"


def test_outline_rows_share_their_outline_as_story(monkeypatch):
    stories = []
    monkeypatch.setattr(report.allure.dynamic, "story", stories.append)
    assert report.label_story("Scorers score each model -- @1.2 models") == "Scorers score each model"
    assert report.label_story("A plain scenario") is None
    assert stories == ["Scorers score each model"]
