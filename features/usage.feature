@integration @allure.label.epic:Usage @allure.label.feature:Usage_ledger
Feature: Token usage and cost are accounted per question, per run and per tenant
  As a budget owner
  I want every token a run spends recorded, priced and attributed to the tenant that spent it
  So that I can tell what an evaluation cost and who pays for it

  Prices come from the stack's price table (fixtures/prices.json), per 1,000 tokens.

  Background:
    Given a dataset of 3 arithmetic questions

  @critical
  Scenario Outline: A run's tokens and cost add up from its questions
    When I start a run of that dataset on model "<model>"
    Then the run completes within 30 seconds
    And every result is priced by the price table for "<model>"
    And the run's token usage is the sum of its results' usage
    And my tenant's usage equals everything stored for my tenant, model by model

    Examples: Two priced models
      | model         |
      | gpt-3.5-turbo |
      | gpt-4o-mini   |

  @critical
  Scenario: Two tenants' usage never mixes
    When I start a run of that dataset on model "gpt-3.5-turbo"
    And another tenant runs the same questions on model "gpt-4o-mini"
    Then the run completes within 30 seconds
    And my tenant's usage equals everything stored for my tenant, model by model
    And the other tenant's usage counts exactly its one run of 3 questions on "gpt-4o-mini"
