@integration @INT-001 @allure.label.epic:Runs
Feature: An evaluation run completes end to end
  As an evaluation owner
  I want to run a dataset of questions against a model and get a score
  So that I can tell how well a model answers questions whose answers I know

  The provider is the stack's deterministic test gateway: "gpt-3.5-turbo" answers tersely
  ("5"), "gpt-4o-mini" answers in a sentence ("The answer is 5."), and counts one token a word.

  Background:
    Given a dataset of 3 arithmetic questions

  @smoke @critical
  Scenario: A run on a reliable model completes with a perfect score
    When I start a run of that dataset on model "gpt-3.5-turbo"
    Then the run is accepted as queued
    And the run completes within 30 seconds
    And the run's score is 1.0
    And every question has exactly one stored result
    And every stored result belongs to my tenant
    And every result records the model that served it and its token usage
    And the run's token usage is the sum of its results' usage
    And the provider was called exactly once per question for that run
    And the provider was called 3 times for model "gpt-3.5-turbo" for that run

  @normal
  Scenario Outline: The score reflects how the model answers and how answers are scored
    When I start a run of that dataset on model "<model>" scored by "<scorer>"
    Then the run completes within 30 seconds
    And the run's score is <score>
    And the stored scores of the questions are "<scores>"

    Examples: Terse and verbose models under both scorers
      | model         | scorer      | score | scores        |
      | gpt-3.5-turbo | exact_match | 1.0   | 1.0, 1.0, 1.0 |
      | gpt-3.5-turbo | contains    | 1.0   | 1.0, 1.0, 1.0 |
      | gpt-4o-mini   | exact_match | 0.0   | 0.0, 0.0, 0.0 |
      | gpt-4o-mini   | contains    | 1.0   | 1.0, 1.0, 1.0 |

  @normal
  Scenario: A dataset whose answers are partly wrong scores the share of right answers
    Given a dataset with these questions:
      | input           | expected |
      | What is 2 + 3?  | 5        |
      | What is 7 * 6?  | 41       |
      | What is 10 - 4? | 6        |
      | What is 9 + 9?  | 81       |
    When I start a run of that dataset on model "gpt-3.5-turbo"
    Then the run completes within 30 seconds
    And the run's score is 0.5
    And the stored scores of the questions are "1.0, 0.0, 1.0, 0.0"

  @normal
  Scenario: Questions in any script, emoji included, reach the model character for character
    Given a dataset with these questions:
      | input                             | expected |
      | Combien font deux plus deux ? 🤔   | 4        |
      | 東京は日本の首都ですか？              | はい      |
      | Ｗｈａｔ ｉｓ ２ ＋ ２？              | 4        |
    When I start a run of that dataset on model "gpt-3.5-turbo"
    Then the run completes within 30 seconds
    And the provider was called exactly once per question for that run
    And every question has exactly one stored result

  @normal
  Scenario Outline: Case and spacing do not change a score; a different answer does
    Given a dataset of the question "What is 2 + 3?" expecting "<expected>"
    When I start a run of that dataset on model "gpt-4o-mini" scored by "<scorer>"
    Then the run completes within 30 seconds
    And the run's score is <score>

    Examples: "gpt-4o-mini" answers "The answer is 5."
      | expected             | scorer      | score |
      | the ANSWER is   5.   | exact_match | 1.0   |
      | ANSWER IS 5          | contains    | 1.0   |
      | answer is 6          | contains    | 0.0   |

  @normal
  Scenario: Another tenant cannot see my run
    When I start a run of that dataset on model "gpt-3.5-turbo"
    Then the run completes within 30 seconds
    Given another tenant has completed a run of its own
    When another tenant looks up that run
    Then they are told that it does not exist
    And they cannot list its results
    And they cannot follow its events
    And their usage counts only their own run

  @normal
  Scenario Outline: A request that cannot be evaluated is refused and nothing is stored
    When I try to <request>
    Then it is refused with status <status> and a message naming "<names>"
    And nothing new is stored for my tenant

    Examples: Bad datasets and runs
      | request                                   | status | names    |
      | create a dataset with no questions        | 422    | samples  |
      | start a run with the scorer "telepathy"   | 422    | scorer   |
      | start a run on the provider "nowhere"     | 404    | provider |
      | start a run of a dataset that is not mine | 404    | dataset  |
