@integration @INT-012 @fault @allure.label.epic:Platform
Feature: The platform survives faults without losing or duplicating anything
  As a platform engineer
  I want crashes and outages of single services to cost time, never data
  So that an incident does not leave evaluations half-done or double-counted

  Each fault is undone at the end of its scenario, and the stack is healthy again before the
  next one starts. These scenarios need a stack the suite controls (not external mode).

  Background:
    Given the beat scheduler is running

  @critical
  Scenario: A worker killed in the middle of a run loses nothing and duplicates nothing
    Given a dataset of 5 arithmetic questions
    When I start a run of that dataset on model "gpt-3.5-turbo-slow-k"
    And the run has answered at least 1 question within 10 seconds
    And the worker is killed
    And the worker is started again
    Then the run completes within 60 seconds
    And every question has exactly one stored result
    And the provider was asked every question once, and again at most the one in flight when the worker died
    And the run's token usage is the sum of its results' usage

  @critical
  Scenario: While PostgreSQL is down the API says so, and afterwards carries on with nothing lost
    Given a dataset of 3 arithmetic questions
    When I start a run of that dataset on model "gpt-3.5-turbo"
    And the run completes within 30 seconds
    And PostgreSQL is stopped
    Then the health report answers 503 and names "postgres" as down
    And reading the run answers 503 with the error code "database_unavailable"
    When PostgreSQL is started again
    Then the platform reports itself healthy within 30 seconds
    And the run is still completed, with every question's result

  @critical
  Scenario: Runs waiting in the queue survive a Redis restart, and a client following one misses no event
    Given a dataset of 3 arithmetic questions
    And the worker is stopped
    When I start a run of that dataset on model "gpt-3.5-turbo-slow-q"
    And I start 2 runs of that dataset on model "gpt-3.5-turbo"
    And I follow the run's events but disconnect after 1 events, while the run is still going
    And Redis is restarted
    And the worker is started again
    And I reconnect with the id of the last event I received and read until the server closes the stream
    Then the events are "queued, started, progress, progress, progress, completed" in that order
    And together the two connections received every stored event of the run exactly once
    And the provider was called exactly once per question for that run
    And all those runs complete within 60 seconds
    And every one of those runs has exactly one stored result per question
    And the provider was called exactly once per question for each of those runs

  @normal
  Scenario: A run started while Redis is down waits in the queue, and runs once Redis is back
    Given a dataset of 3 arithmetic questions
    And Redis is stopped
    When I start a run of that dataset on model "gpt-3.5-turbo"
    Then the run is accepted as queued
    And the health report answers 503 and names "redis" as down
    When Redis is started again
    Then the run completes within 30 seconds
    And every question has exactly one stored result
    And the provider was called exactly once per question for that run

  @normal
  Scenario: Uploads and battles accepted while Redis is down are carried out once it is back
    Given Redis is stopped
    When I upload the dataset file "arithmetic.jsonl"
    Then the upload is accepted for processing
    When I upload the document "handbook.pdf"
    And I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini"
    And Redis is started again
    Then the dataset is ready within 30 seconds with 3 questions and the file's checksum
    And the stored questions are exactly the file's rows, characters intact
    And the document is ready within 30 seconds with 3 pages
    And the battle completes within 30 seconds
    And "gpt-4o-mini" won and "gpt-3.5-turbo" lost
    And the provider was called 3 times for that battle

  @normal
  Scenario: While MongoDB is down the health report names it, and battles go on once it is back
    Given MongoDB is stopped
    Then the health report answers 503 and names "mongo" as down
    When MongoDB is started again
    Then the platform reports itself healthy within 30 seconds
    When I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini"
    Then the battle completes within 30 seconds

  @normal
  Scenario: Runs wait while the provider is unreachable, and complete when it is back
    Given a dataset of 3 arithmetic questions
    And the gateway is cut off from the network
    When I start a run of that dataset on model "gpt-3.5-turbo" with at most 10 attempts
    Then the run is retrying within 20 seconds
    And the run's error says "could not be reached"
    When the gateway is connected again
    Then the run completes within 30 seconds
    And every question has exactly one stored result
