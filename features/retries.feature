@integration @INT-004 @allure.label.epic:Runs
Feature: A run survives a flaky provider
  As an evaluation owner
  I want a run to retry a provider that fails for a moment, and to fall back when it keeps failing
  So that a transient outage does not cost me a whole evaluation

  Retries are not immediate: a failed attempt waits in the database, and the beat scheduler
  hands it back to a worker once it is due.

  Background:
    Given the beat scheduler is running

  @smoke @critical
  Scenario: A provider that fails once is retried by the scheduler
    Given a dataset of 1 arithmetic question
    When I start a run of that dataset on model "gpt-3.5-turbo-fail-once-a"
    Then the run completes within 20 seconds
    And the run took 2 attempts
    And the provider was called 2 times for that run
    And every question has exactly one stored result
    And the events include a "retrying" event whose "attempt" is "1"

  @normal
  Scenario: A provider that keeps failing uses up the attempts and the run fails
    Given a dataset of 1 arithmetic question
    When I start a run of that dataset on model "gpt-3.5-turbo-always-fail-b" with at most 3 attempts
    Then the run fails within 20 seconds
    And the run took 3 attempts
    And the provider was called 3 times for that run
    And the run's error says "returned 500"
    And no result is stored for that run

  @normal @fault
  Scenario: Without the scheduler a retry waits, and runs once the scheduler is back
    Given a dataset of 1 arithmetic question
    When the beat scheduler is stopped
    Then the health report calls the scheduler stopped at once
    When I start a run of that dataset on model "gpt-3.5-turbo-fail-once-c"
    Then the run is retrying within 10 seconds
    And the run is still retrying 2 seconds later
    When the beat scheduler is started again
    Then the run completes within 20 seconds
    And the run took 2 attempts
    And the provider was called 2 times for that run

  @critical
  Scenario: A fallback model serves when the primary keeps failing
    Given a dataset of 3 arithmetic questions
    When I start a run of that dataset on model "gpt-3.5-turbo-always-fail-d" with at most 2 attempts and fallback "gpt-4o-mini"
    Then the run completes within 30 seconds
    And the run took 3 attempts
    And the provider was called 2 times for model "gpt-3.5-turbo-always-fail-d" for that run
    And the provider was called 3 times for model "gpt-4o-mini" for that run
    And every result was served by "gpt-4o-mini"
    And every result is priced by the price table for "gpt-4o-mini"
    And the events include a "fallback" event whose "model" is "gpt-4o-mini"
    And the events include a "fallback" event whose "replaces" is "gpt-3.5-turbo-always-fail-d"
    And the events include a "completed" event whose "attempts" is "3"
    And the run still names "gpt-3.5-turbo-always-fail-d" as its model with fallback "gpt-4o-mini"
    And every question has exactly one stored result

  @normal
  Scenario Outline: Fallbacks take over in the order given, whatever stopped the model before them
    Given a dataset of 3 arithmetic questions
    When I start a run of that dataset on model "<primary>" with at most 1 attempt and fallbacks "<fallbacks>"
    Then the run completes within 30 seconds
    And the run took <attempts> attempts
    And the provider was asked, model by model, in this order: "<calls>"
    And every result was served by "gpt-4o-mini"

    Examples: A final failure, and a chain of two
      | primary                     | fallbacks                                | attempts | calls                                                                           |
      | no-such-model               | gpt-4o-mini                              | 2        | no-such-model, gpt-4o-mini, gpt-4o-mini, gpt-4o-mini                            |
      | gpt-3.5-turbo-always-fail-m | gpt-3.5-turbo-always-fail-n, gpt-4o-mini | 3        | gpt-3.5-turbo-always-fail-m, gpt-3.5-turbo-always-fail-n, gpt-4o-mini, gpt-4o-mini, gpt-4o-mini |
