@integration @INT-006 @allure.label.epic:Uploads
Feature: Datasets can be uploaded as files, and bad files are refused
  As an evaluation owner
  I want to upload my questions as a JSONL or CSV file and run them as soon as they are ready
  So that I do not have to hand-craft API calls for every dataset

  The API answers at once; the worker parses and validates the file. A refused upload stores
  nothing: no database row, no MongoDB document and no file in the upload store. Every
  scenario starts with a tenant that has uploaded nothing.

  @critical
  Scenario Outline: An uploaded dataset is processed and can be evaluated
    When I upload the dataset file "<file>"
    Then the upload is accepted for processing
    And the dataset is ready within 20 seconds with <rows> questions and the file's checksum
    And the stored questions are exactly the file's rows, characters intact
    When I start a run of that dataset on model "gpt-3.5-turbo"
    Then the run completes within 30 seconds
    And the run's score is 1.0
    And the upload store holds exactly 1 file for my tenant

    @smoke
    Examples: The usual format
      | file             | rows |
      | arithmetic.jsonl | 3    |

    Examples: Other formats and scripts
      | file             | rows |
      | arithmetic.csv   | 3    |
      | unicode.jsonl    | 3    |
      | bom.csv          | 3    |

  @normal
  Scenario: A file with malformed rows is rejected, with every bad row listed
    When I upload the dataset file "bad_rows.jsonl"
    Then the dataset is rejected within 20 seconds with these rows named:
      | line | reason                            |
      | 2    | not valid JSON                    |
      | 4    | missing "expected"                |
      | 5    | "expected" must be non-empty text |
    And the dataset has no stored questions
    And a run of that dataset is refused because it is not ready
    And nothing new is stored for my tenant

  @normal
  Scenario: A CSV file with malformed rows names them by their line in the file
    When I upload the dataset file "bad_rows.csv"
    Then the dataset is rejected within 20 seconds with these rows named:
      | line | reason                            |
      | 3    | more values than header columns   |
      | 4    | "expected" must be non-empty text |
    And the dataset has no stored questions

  @normal
  Scenario: A file name as long as the limit is accepted
    When I upload the dataset under a name of 255 characters
    Then the upload is accepted for processing
    And the dataset is ready within 20 seconds with 3 questions and the file's checksum

  @normal
  Scenario Outline: A file exactly as large as the limit is accepted, its size announced or not
    When I upload <upload>
    Then the upload is accepted for processing
    And the dataset is ready within 60 seconds with 5000 questions and the file's checksum

    Examples: The limit met exactly (5,000,000 bytes; one line more is refused, below)
      | upload                                                          |
      | a dataset file of exactly 5000000 bytes                         |
      | a dataset file of exactly 5000000 bytes without announcing its size |

  @normal
  Scenario: Uploading the same content twice reuses the first dataset
    When I upload the dataset file "arithmetic.csv"
    Then the upload is accepted for processing
    And the dataset is ready within 20 seconds with 3 questions and the file's checksum
    When I upload the dataset file "arithmetic.csv" again
    Then the second upload returns the first dataset, marked as reused
    And my tenant has exactly 1 dataset with that checksum
    And the upload store holds exactly 1 file for my tenant

  @normal
  Scenario: Another tenant uploading the same file gets a dataset of its own
    When I upload the dataset file "arithmetic.jsonl"
    And the dataset is ready within 20 seconds with 3 questions and the file's checksum
    And another tenant uploads the dataset file "arithmetic.jsonl"
    Then the other tenant's upload is accepted for processing, not reused
    And my tenant has exactly 1 dataset with that checksum
    And the other tenant's dataset is ready within 20 seconds with 3 questions

  @normal @needs_upload_store
  Scenario Outline: A bad upload is refused with a clear error, and nothing is stored
    When I try to upload <upload>
    Then it is refused with status <status> and a message naming "<names>"
    And nothing new is stored for my tenant

    Examples: The bad-input matrix
      | upload                                            | status | names               |
      | a dataset file of 6 MB                            | 413    | the limit is 5.0 MB |
      | a dataset file of 6 MB without announcing its size | 413   | the limit is 5.0 MB |
      | a dataset file of 5000001 bytes                   | 413    | the limit is 5.0 MB |
      | a dataset file of 5000001 bytes without announcing its size | 413 | the limit is 5.0 MB |
      | the file "notes.txt"                              | 415    | .txt                |
      | the file "empty.jsonl"                            | 422    | is empty            |
      | the file "header_only.csv"                        | 422    | has no rows         |
      | a form without a file part                        | 422    | no file part        |
      | the dataset under the name "../../etc/x.jsonl"    | 422    | path separators     |
      | the dataset under a name with a control character | 422    | control characters  |
      | the dataset under an empty file name              | 422    | no file name        |
      | the dataset under a name of 256 characters        | 422    | the limit is 255    |
      | the dataset under a name of 300 characters        | 422    | the limit is 255    |
