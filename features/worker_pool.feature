@integration @INT-013 @allure.label.epic:Runs
Feature: Runs share a pool of workers without doing any work twice
  As a platform engineer
  I want to add workers when evaluations queue up
  So that runs finish sooner, and no question is ever answered or billed twice

  @normal @fault
  Scenario: Several runs on several workers each answer every question exactly once
    Given the worker pool has 3 workers
    And a dataset of 5 arithmetic questions
    When I start 6 runs of that dataset on model "gpt-3.5-turbo-slow-pool"
    Then all those runs complete within 60 seconds
    And at least 2 of the 3 workers took part
    And every one of those runs has exactly one stored result per question
    And the provider was called exactly once per question for each of those runs

  @normal @needs_stack_control
  Scenario: A second message for a run in progress does not start it again
    Given a dataset of 5 arithmetic questions
    When I start a run of that dataset on model "gpt-3.5-turbo-slow-twice"
    And the run has answered at least 1 question within 10 seconds
    And the run's message is delivered a second time
    Then the run completes within 60 seconds
    And the run took 1 attempt
    And every question has exactly one stored result
    And the provider was called exactly once per question for that run

  @normal
  Scenario: A run that outlasts the stalled-run threshold keeps its worker
    Given the beat scheduler is running
    And a dataset of 5 arithmetic questions
    When I start a run of that dataset on model "gpt-3.5-turbo-lagging-l"
    Then the run completes within 60 seconds
    And the run took 1 attempt
    And the provider was called exactly once per question for that run

  @critical
  Scenario: Twenty clients starting runs at the same moment are all served, and nothing is done twice
    Given a dataset of 3 arithmetic questions
    When 20 clients each start a run of that dataset on model "gpt-3.5-turbo" at the same moment
    Then all those runs complete within 90 seconds
    And every one of those runs has exactly one stored result per question
    And the provider was called exactly once per question for each of those runs
