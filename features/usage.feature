@integration @INT-005 @allure.label.epic:Usage
Feature: Token usage and cost are accounted per question, per run and per tenant
  As a budget owner
  I want every token a run spends recorded, priced and attributed to the tenant that spent it
  So that I can tell what an evaluation cost and who pays for it

  Prices come from the stack's price table (fixtures/prices.json), per 1,000 tokens:
  "gpt-3.5-turbo" 0.5 prompt / 1.5 completion, "gpt-4o-mini" 0.15 / 0.6. The gateway counts one
  token a word: the three questions are 15 prompt tokens; "gpt-3.5-turbo" answers them in 3
  completion tokens, "gpt-4o-mini" in 12.

  Background:
    Given a dataset of 3 arithmetic questions

  @smoke @critical
  Scenario Outline: A run's tokens and cost add up from its questions
    When I start a run of that dataset on model "<model>"
    Then the run completes within 30 seconds
    And every result is priced by the price table for "<model>"
    And the run's token usage is the sum of its results' usage
    And the run used <prompt> prompt tokens and <completion> completion tokens, costing <cost>
    And my tenant's usage is:
      | model   | results | prompt tokens | completion tokens | cost   |
      | <model> | 3       | <prompt>      | <completion>      | <cost> |
    And my tenant's usage equals everything stored for my tenant, model by model

    Examples: Two priced models
      | model         | prompt | completion | cost     |
      | gpt-3.5-turbo | 15     | 3          | 0.012    |
      | gpt-4o-mini   | 15     | 12         | 0.00945  |

  @critical
  Scenario: Two tenants' usage never mixes
    Given another tenant has a dataset of the same questions
    When I start a run of that dataset on model "gpt-3.5-turbo"
    And another tenant runs its dataset on model "gpt-4o-mini"
    Then the run completes within 30 seconds
    And the other tenant's run completes within 30 seconds
    And my tenant's usage is:
      | model         | results | prompt tokens | completion tokens | cost   |
      | gpt-3.5-turbo | 3       | 15            | 3                 | 0.012  |
    And my tenant's usage counts 1 run
    And the other tenant's usage is:
      | model       | results | prompt tokens | completion tokens | cost    |
      | gpt-4o-mini | 3       | 15            | 12                | 0.00945 |
    And the other tenant's usage counts 1 run
    And my tenant's usage equals everything stored for my tenant, model by model
