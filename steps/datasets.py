"""Steps about datasets: the questions a run evaluates."""

from behave import given, when

from harness import (
    fixtures,
    phrases,  # noqa: F401 - registers the Text type used below
)
from harness.api import expect
from harness.footprint import my_footprint


@given("a dataset of {count:d} arithmetic questions")
@given("a dataset of {count:d} arithmetic question")
def step_arithmetic_dataset(context, count):
    samples = fixtures.dataset_samples("arithmetic", count)
    context.dataset = expect(context.me.api.create_dataset(f"arithmetic-{count}", samples), 201)
    context.dataset_samples = samples


@given("a dataset with these questions:")
def step_dataset_of_table(context):
    samples = [{"input": row["input"], "expected": row["expected"]} for row in context.table]
    context.dataset = expect(context.me.api.create_dataset("from-table", samples), 201)
    context.dataset_samples = samples


@when("I try to create a dataset with no questions")
def step_try_empty_dataset(context):
    context.footprint_before = my_footprint(context)
    context.response = context.me.api.create_dataset("empty", [])


@given('a dataset of the question "{question:Text}" expecting "{expected:Text}"')
def step_one_question_dataset(context, question, expected):
    samples = [{"input": question, "expected": expected}]
    context.dataset = expect(context.me.api.create_dataset("one-question", samples), 201)
    context.dataset_samples = samples
