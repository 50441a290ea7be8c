@integration @INT-007 @allure.label.epic:Uploads
Feature: A PDF can be uploaded and asked questions, with the answer streamed back
  As someone who works with long documents
  I want to upload a PDF and ask it a question
  So that I get an answer drawn from the document, as it is being written

  The test gateway answers a question about a document with the document's sentence that
  shares the most words with the question, so the answer is known in advance. The handbook has
  three pages: text, a blank page between sections, and more text.

  @smoke @critical
  Scenario: A PDF is processed and a question about it gets a streamed answer
    When I upload the document "handbook.pdf"
    Then the document is ready within 20 seconds with 3 pages
    When I ask the document "How many vacation days do employees get?"
    Then the answer arrives in several chunks that join into the final answer
    And the final answer is "Employees get 25 vacation days per year."
    And the final event reports the answer's token usage
    And the provider was asked once, with the document's text and the question
    And the upload store holds exactly 1 file for my tenant

  @normal
  Scenario: An answer whose stream breaks off is reported as broken, never as complete
    When I upload the document "handbook.pdf"
    Then the document is ready within 20 seconds with 3 pages
    When I ask the document "How many vacation days do employees get?" using the model "gpt-3.5-turbo-stream-cut-d"
    Then the stream ends with an error that says "ended before it was complete", keeping the partial answer
    And the provider was asked once, with the document's text and the question

  @normal
  Scenario Outline: A PDF that cannot be read is rejected with the reason
    When I upload the document "<file>"
    Then the document is rejected within 20 seconds because "<reason>"
    And asking it a question is refused because it is not ready
    And the provider was not asked about the document

    Examples: Unreadable PDFs
      | file          | reason             |
      | corrupt.pdf   | not a readable PDF |
      | encrypted.pdf | encrypted          |
