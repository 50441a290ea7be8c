@integration @INT-015 @allure.label.epic:Platform
Feature: A tenant lists what it owns, newest first, a page at a time
  As an evaluation owner with many runs and datasets
  I want to list them newest first, page by page, and find the runs in a given state
  So that I can find my work again without keeping every id myself

  GET /runs and GET /datasets answer {"items": [...], "next_cursor": ...}; a page's next_cursor
  fetches the next page, and the last page has none. Pages follow a position, not an offset,
  so nothing is listed twice or skipped. Another tenant's items never appear (security.feature).

  @smoke @critical
  Scenario: My runs are listed newest first, a page at a time, each exactly once
    Given a dataset of 1 arithmetic question
    When I start 5 runs of that dataset on model "gpt-3.5-turbo"
    And I list my runs 2 at a time
    Then the pages hold 2, 2 and 1 runs
    And together they are the runs I created, newest first, each once

  @normal
  Scenario: My datasets are listed newest first, a page at a time
    Given I have created the datasets "first, second, third"
    When I list my datasets 2 at a time
    Then the pages hold 2 and 1 datasets
    And together they are the datasets I created, newest first, each once

  @normal
  Scenario: Runs can be listed by their status
    Given a dataset of 1 arithmetic question
    When I start 2 runs of that dataset on model "gpt-3.5-turbo"
    Then all those runs complete within 30 seconds
    When I start a run of that dataset on model "no-such-model" with at most 1 attempt
    Then the run fails within 20 seconds
    And listing my runs in status "completed" gives exactly those runs
    And listing my runs in status "failed" gives exactly that run
    And listing my runs in status "queued" gives exactly none
