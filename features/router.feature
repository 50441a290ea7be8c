@integration @INT-014 @allure.label.epic:Routing @needs_router
Feature: A LiteLLM router in front of the provider routes, falls back and keeps a cost ledger
  As a platform engineer who puts a LiteLLM router between Arena and its providers
  I want the router to answer like the provider, fall back when a model fails, and say what each
  tenant spent
  So that routing can be trusted with evaluations and with the bill

  The router is the real LiteLLM proxy (1.110.2) of the routing seed, configured in
  fixtures/router/config.yaml: its model groups are served by the test gateway's deterministic
  models, priced from the same price table as Arena (fixtures/prices.json). Matrix rows:
  INT-014 smoke (health, completion, format, model list, metadata, nothing outside the stack),
  INT-014 fallback (retry, rate limit, fallback, timeout, exhausted chain),
  INT-014 cost (usage, price, per-tenant ledger, accumulation, streaming, edge cases),
  INT-014 arena (an Arena run through the router).
  What reached the provider is checked in the gateway's call log, what the router claims in its
  answers and headers, what it should cost in the price table, and who spent what in the router's
  ledger (a LiteLLM callback writing to the router's logs, hence @needs_stack_control).

  Background:
    Given the router is running

  # --- INT-014 smoke -------------------------------------------------------------------------

  @critical
  Scenario: The router is live, ready and lists its model groups
    Then the router reports itself live and ready
    And the router lists every model group of its configuration

  @critical
  Scenario: A completion through the router is the provider's answer in OpenAI's format
    When I ask the router "What is 2 + 3?" on "router-terse"
    Then the router answers "5"
    And the answer has the shape of an OpenAI chat completion
    And the router says model group "router-terse" answered after 0 retries and 0 fallbacks
    And the gateway received my request exactly once, on "gpt-3.5-turbo", with my user
    And the answer's token usage is the gateway's count of words

  @normal @needs_stack_control
  Scenario: The tenant's metadata travels with the request into the router's ledger
    When I ask the router "What is 9 + 9?" on "router-sentence" with my tenant and run as metadata
    Then the router answers "The answer is 18."
    And the router's ledger records my tenant and run for that request

  @critical @needs_stack_control
  Scenario: The router needs nothing outside the stack
    Then the router cannot resolve a name outside the stack
    And the router resolves the gateway inside the stack
    When I ask the router "What is 2 + 3?" on "router-terse"
    Then the router answers "5"

  # --- INT-014 fallback ----------------------------------------------------------------------

  @critical
  Scenario: A model that fails once is retried by the router and answers
    When I ask the router "What is 2 + 3?" on "router-flaky"
    Then the router answers "5"
    And the gateway saw my request 2 times on "gpt-3.5-turbo-fail-once-router", first failing with 500
    And the router says model group "router-flaky" answered after 1 retry and 0 fallbacks

  @normal
  Scenario: A rate limit is retried no sooner than the provider asked
    When I ask the router "What is 2 + 3?" on "router-rate-limited"
    Then the router answers "5"
    And the gateway saw my request 2 times on "gpt-3.5-turbo-rate-limited-router", first failing with 429
    And the gateway's second call came no sooner than the Retry-After of the first

  @critical
  Scenario: A model that keeps failing falls back to the next model group
    When I ask the router "What is 2 + 3?" on "router-broken"
    Then the router answers "The answer is 5."
    And the gateway saw my request 2 times on "gpt-3.5-turbo-always-fail-router", first failing with 500
    And the gateway then served my request once on "gpt-4o-mini"
    And the router says model group "router-sentence" answered after a fallback

  @normal @known_defect
  Scenario: After a fallback the router still counts the retries it made
    When I ask the router "What is 2 + 3?" on "router-broken"
    Then the gateway saw my request 2 times on "gpt-3.5-turbo-always-fail-router", first failing with 500
    And the router says model group "router-sentence" answered after 1 retry and 1 fallback

  @critical
  Scenario: A model that does not answer in time falls back within a bounded delay
    When I ask the router "What is 2 + 3?" on "router-hanging"
    Then the router answers "5"
    And the router says model group "router-terse" answered after 0 retries and 1 fallback
    And the gateway then served my request once on "gpt-3.5-turbo"
    And the answer took at least 1 second and less than 3 seconds

  @normal @needs_stack_control
  Scenario: When every model of the chain fails, the router says so and charges nothing
    When I ask the router "What is 2 + 3?" on "router-down"
    Then the router refuses with a server error naming "router-down" and "router-down-too"
    And the gateway saw my request 2 times on "gpt-3.5-turbo-always-fail-router-a", first failing with 500
    And the gateway saw my request 2 times on "gpt-3.5-turbo-always-fail-router-b", first failing with 500
    And the router's ledger charges my user nothing

  @normal @known_defect
  Scenario: The tenant's user reaches the provider whatever the model's name
    When I ask the router "What is 2 + 3?" on "router-unlisted"
    Then the router answers "The answer is 5."
    And the gateway received my request exactly once, on "gpt-4o-mini-unlisted-router", with my user

  # --- INT-014 cost --------------------------------------------------------------------------

  @critical @needs_stack_control
  Scenario Outline: The router prices an answer by the price table
    When I ask the router "<question>" on "<group>"
    Then the router's cost of the answer is the price table's for "<model>"
    And the router's input and output costs add up to its cost
    And the router's ledger charges my user that same cost on "<group>"

    Examples: Each priced model, and a prompt the gateway does not know (fewest tokens)
      | question       | group           | model         |
      | What is 7 * 6? | router-terse    | gpt-3.5-turbo |
      | What is 7 * 6? | router-sentence | gpt-4o-mini   |
      | Hi             | router-sentence | gpt-4o-mini   |

  @critical @needs_stack_control
  Scenario: A streamed answer carries its cost in its last chunk
    When I ask the router "What is 7 * 6?" on "router-sentence" as a stream
    Then the streamed chunks join into "The answer is 42."
    And the stream's last chunk carries the usage and the price table's cost for "gpt-4o-mini"
    And the router's ledger charges my user that same cost on "router-sentence"

  @critical @needs_stack_control
  Scenario: Two tenants' spend accumulates in the ledger and never mixes
    When I ask the router "What is 2 + 3?" on "router-terse"
    And I ask the router "What is 7 * 6?" on "router-terse"
    And I ask the router "What is 10 - 4?" on "router-terse"
    And another tenant asks the router "What is 2 + 3?" on "router-sentence"
    Then the router's ledger charges my user the sum of the 3 costs it announced, all on "router-terse"
    And the router's ledger charges the other tenant's user exactly 1 request, on "router-sentence"
    And the same question costs the same each time

  # --- INT-014 arena -------------------------------------------------------------------------

  @critical @needs_stack_control
  Scenario: An Arena run through the router completes, names the model that served and agrees on cost
    Given a dataset of 3 arithmetic questions
    When I start a run of that dataset on model "router-sentence" through the router
    Then the run completes within 60 seconds
    And every result was served by "gpt-4o-mini"
    And the provider was called 3 times for that run
    And every result is priced by the price table for "gpt-4o-mini"
    And the router's ledger charged that run what Arena stored, result by result

  @critical
  Scenario: A fallback inside the router is visible in the run's results
    Given a dataset of 3 arithmetic questions
    When I start a run of that dataset on model "router-failover" through the router
    Then the run completes within 60 seconds
    And the run took 1 attempt
    And every result was served by "gpt-4o-mini"
    And the provider was called 6 times for that run
    And every result is priced by the price table for "gpt-4o-mini"
