"""Steps about the beat scheduler, which dispatches retries that are due."""

from behave import given, when

BEAT = "beat"


@given("the beat scheduler is running")
def step_beat_running(context):
    if context.stack.managed:
        context.stack.start_service(BEAT)
    # external mode: a shared stack is expected to run its scheduler


@given("the beat scheduler is stopped")
def step_beat_stopped(context):
    context.stack.stop_service(BEAT)


@when("the beat scheduler is started again")
def step_beat_started_again(context):
    context.stack.start_service(BEAT)
