@integration @INT-003 @allure.label.epic:Runs
Feature: A run's live events can be followed, resumed and replayed
  As someone watching an evaluation
  I want a live stream of what happens to my run, that I can resume after a disconnect
  So that a dashboard never shows a gap, a duplicate or a stale end state

  Events are Server-Sent Events numbered 1, 2, 3 ... per run and stored durably; a client
  resumes with the Last-Event-ID header.

  Background:
    Given a dataset of 3 arithmetic questions

  @smoke @critical
  Scenario: The event stream tells the run's story in order, without gaps
    When I start a run of that dataset on model "gpt-3.5-turbo"
    And I follow the run's events until the server closes the stream
    Then the events are numbered 1, 2, 3 ... without a gap
    And the events are "queued, started, progress, progress, progress, completed" in that order
    And the events include a "progress" event whose "done" is "3"
    And the last event agrees with the run as the API reports it

  @critical
  Scenario Outline: A client that reconnects with Last-Event-ID misses nothing and sees nothing twice
    When I start a run of that dataset on model "gpt-3.5-turbo-slow-h"
    And I follow the run's events but disconnect after <count> events, while the run is still going
    And I reconnect with the id of the last event I received and read until the server closes the stream
    Then together the two connections received every stored event of the run exactly once
    And the events are numbered 1, 2, 3 ... without a gap
    And the events are "queued, started, progress, progress, progress, completed" in that order

    Examples: Early and late disconnects
      | count |
      | 1     |
      | 3     |

  @normal
  Scenario: A subscriber who arrives after the end receives the whole history
    When I start a run of that dataset on model "gpt-3.5-turbo"
    And the run completes within 20 seconds
    And I follow the run's events until the server closes the stream
    Then the events are "queued, started, progress, progress, progress, completed" in that order
    And the last event agrees with the run as the API reports it

  @normal
  Scenario: A subscriber who resumes after the last event receives nothing more and is not left waiting
    When I start a run of that dataset on model "gpt-3.5-turbo"
    And the run completes within 20 seconds
    And I follow the run's events until the server closes the stream
    And I reconnect with the id of the last event I received and read until the server closes the stream
    Then the second connection received no event

  @normal
  Scenario: A client resuming from an event id the stream never sent is told so
    When I start a run of that dataset on model "gpt-3.5-turbo"
    And the run completes within 20 seconds
    And I ask for the run's events after the event id 999999
    Then the answer is 409 with the error code "last_event_id_unknown" and a message naming "past the last event"
