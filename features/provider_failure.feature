@integration @INT-002 @allure.label.epic:Runs
Feature: Provider failures are classified and surfaced
  As an evaluation owner
  I want to see why a run failed, and Arena to retry only what retrying can fix
  So that I can act on a provider problem instead of guessing

  Rate limits, server errors, timeouts and unreachable providers are worth retrying; an
  unknown model or a refused request is not. The gateway's model names choose its behaviour:
  "-always-fail-" answers 500, "-hang-" never answers in time, "-refused-" answers 400,
  "-rate-limited-" answers 429 once with a Retry-After; the provider "unreachable" listens nowhere.

  Background:
    Given the beat scheduler is running
    And a dataset of 1 arithmetic question

  @smoke @critical
  Scenario: A provider that always fails surfaces on the run, in its results and in its events
    When I start a run of that dataset on model "gpt-3.5-turbo-always-fail-e" with at most 2 attempts
    Then the run fails within 20 seconds
    And the run's error names the provider, the model and the status 500
    And no result is stored for that run
    And the run's event stream ends with a "failed" event that carries the run's error
    And the events include a "retrying" event whose "retryable" is "true"

  @normal
  Scenario Outline: Only failures that retrying can fix are retried
    When I start a run of that dataset on model "<model>" of the provider "<provider>" with at most 2 attempts
    Then the run fails within 25 seconds
    And the run took <attempts> attempts
    And the provider was called <calls> times for that run
    And the run's error says "<error>"
    And the run's error says "<why>"

    Examples: Worth retrying: the run uses both attempts
      | model                      | provider    | attempts | calls | error                | why                         |
      | gpt-3.5-turbo-always-fail-v | gateway     | 2        | 2     | returned 500         | 2 attempt(s) on this model  |
      | gpt-3.5-turbo-hang-g       | gateway     | 2        | 2     | did not answer       | 2 attempt(s) on this model  |
      | gpt-3.5-turbo              | unreachable | 2        | 0     | could not be reached | 2 attempt(s) on this model  |

    Examples: Not worth retrying: the run fails at the first answer
      | model                      | provider    | attempts | calls | error                | why                         |
      | no-such-model              | gateway     | 1        | 1     | returned 404         | not retryable               |
      | gpt-3.5-turbo-refused-r    | gateway     | 1        | 1     | returned 400         | not retryable               |

  @normal
  Scenario: A rate limit is retried after the delay the provider asked for
    When I start a run of that dataset on model "gpt-3.5-turbo-rate-limited-f"
    Then the run completes within 20 seconds
    And the run took 2 attempts
    And the provider was called 2 times for that run
    And the provider's second call came no sooner than the delay its first answer asked for
