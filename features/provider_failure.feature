@integration @INT-002 @allure.label.epic:Runs @allure.label.feature:Provider_failure
Feature: Provider failures are classified and surfaced
  As an evaluation owner
  I want to see why a run failed, and Arena to retry only what retrying can fix
  So that I can act on a provider problem instead of guessing

  Rate limits, server errors, timeouts and unreachable providers are worth retrying; an
  unknown model or a refused request is not.

  Background:
    Given the beat scheduler is running
    And a dataset of 1 arithmetic question

  @critical @allure.tms:INT-002
  Scenario: A provider that always fails surfaces on the run, in its results and in its events
    When I start a run of that dataset on model "gpt-3.5-turbo-always-fail-e" with at most 2 attempts
    Then the run fails within 20 seconds
    And the run's error names the provider, the model and the status 500
    And no result is stored for that run
    And the run's event stream ends with a "failed" event that carries the run's error

  @normal
  Scenario: A model the provider does not know fails at once, without retries
    When I start a run of that dataset on model "no-such-model"
    Then the run fails within 10 seconds
    And the run took 1 attempt
    And the provider was called 1 time for that run
    And the run's error says "returned 404"

  @normal
  Scenario: A rate limit is retried after the delay the provider asked for
    When I start a run of that dataset on model "gpt-3.5-turbo-rate-limited-f"
    Then the run completes within 20 seconds
    And the run took 2 attempts
    And the provider's second call came no sooner than the delay its first answer asked for

  @normal @slow
  Scenario: A provider that does not answer in time is reported as a timeout
    When I start a run of that dataset on model "gpt-3.5-turbo-hang-g" with at most 1 attempt
    Then the run fails within 20 seconds
    And the run's error says "did not answer"
