"""behave hooks: the stack's lifecycle, a fresh tenant per scenario, report attachments on failure.

The mechanics live in harness/; this file only says when each thing happens.
"""

from __future__ import annotations

import sys
import time

import allure
from allure_commons.types import AttachmentType
from behave.model_core import Status

from harness import coverage_map, fixtures, report, suite
from harness.api import ExchangeLog
from harness.console import ClosingReporter
from harness.lifecycle import GuardedTeardown
from harness.settings import REPORTS_DIR, Settings
from harness.stack import LOG_SERVICES, StackError, StackNotUpForAttach, make_stack
from harness.tenants import close_tenant, open_tenant
from harness.timing import PhaseTimer


def before_all(context):
    context.timer = PhaseTimer(REPORTS_DIR / "timings.json")
    # Checked already by harness.runner (a bad value never gets here); -D > ARENA_* > defaults.
    context.settings = Settings.load(context.config.userdata)
    print(f"[config] {context.settings.describe()}", file=sys.stderr, flush=True)
    context.config.reporters.append(ClosingReporter(context.config, lambda: _closing_lines(context)))
    context.stack = make_stack(context.settings)
    # Installed before anything starts, so that an interrupt during the build still tears down.
    context.teardown = GuardedTeardown(lambda: _teardown(context)).install()

    try:
        endpoints = context.stack.start(context.timer)
    except StackNotUpForAttach:
        raise  # its owner (harness/parallel.py) reports it
    except StackError:
        _report_failed_start(context)
        raise
    if not getattr(context.stack, "attached", False):  # else the run that started the stack writes it
        report.write_run_metadata(context.settings, getattr(getattr(context.stack, "project", None), "name", None))
    suite.connect(context, endpoints)
    if context.settings.coverage_map and hasattr(context.stack, "project"):
        context.scenario_contexts = coverage_map.ScenarioContexts(context.stack.project.name)
    with context.timer.phase("seed"):
        for provider in fixtures.providers():
            context.admin.put_provider(provider["name"], provider["base_url"], provider["api_key"])
    print(f"[stack] ready: Arena API at {endpoints.api_url}", file=sys.stderr, flush=True)
    context.features_started = time.monotonic()


def after_all(context):
    if getattr(context, "features_started", None):
        context.timer.record("features", time.monotonic() - context.features_started)
    if hasattr(context, "teardown"):
        context.teardown.run()


def _owns_stack(context) -> bool:
    """Whether this run started the stack (and so saves its logs and takes it down)."""
    return getattr(context.stack, "managed", False) and not getattr(context.stack, "attached", False)


def _teardown(context):
    suite.close(context)
    if _owns_stack(context):
        _save_stack_logs(context)  # in every case: a failed start needs it most
    context.stack.stop(context.timer)


def _closing_lines(context) -> list[str]:
    lines = []
    if hasattr(context, "timer"):
        lines.append(f"[timing] {context.timer.summary()}")
    lines.append(f"[report] results in {REPORTS_DIR / 'allure-results'}; "
                 "the report: scripts/report.sh (built into reports/allure-report/index.html, "
                 "opens from disk; --open serves it)")
    if (REPORTS_DIR / "logs" / "stack.log").exists() and _owns_stack(context):
        lines.append(f"[report] service logs: {REPORTS_DIR / 'logs' / 'stack.log'}")
    return lines


def before_feature(context, feature):
    context.exchanges = ExchangeLog()


def before_scenario(context, scenario):
    context.exchanges.clear()
    report.link_matrix_ids(scenario.effective_tags, context.settings.matrix_url)
    report.label_story(scenario.name)
    tags = set(scenario.effective_tags)
    if {"needs_stack_control", "fault"} & tags and not context.stack.managed:
        scenario.skip("external mode: the suite does not control the stack's services")
        return
    if "known_defect" in tags and "known_defect" not in str(context.config.tag_expression):
        # It states what third-party software should do and does not yet: red by design, so only
        # when asked for (scripts/acceptance.sh runs these apart from the gate).
        scenario.skip("a known defect of third-party software: run with --tags=@known_defect to see it fail")
        return
    if "needs_upload_store" in tags and not context.stack.managed:
        scenario.skip("external mode: the upload store is inside the stack and cannot be inspected")
        return
    if hasattr(context, "scenario_contexts") and "known_defect" not in tags:
        # The coverage map: what the stack runs now is this scenario's. A known defect fails by
        # design: in the map it would be chosen to judge mutants.
        context.scenario_contexts.enter(scenario)
    # A tenant of its own for every scenario: scenarios never see each other's data, so they
    # hold in any order, and "my tenant's usage is ..." means this scenario's usage.
    context.me = open_tenant(context.admin, context.endpoints, context.db,
                             label=scenario.name, log=context.exchanges)
    context.other, context.other_tenants = None, []
    # A cleanup, not after_scenario: cleanups run last-in first-out after after_scenario, so the
    # tenant is deleted after a fault's undo (registered later) has brought the stack back.
    context.add_cleanup(close_tenant, context.admin, context.me)


def after_scenario(context, scenario):
    if hasattr(context, "scenario_contexts") and scenario.status != Status.skipped \
            and "known_defect" not in scenario.effective_tags:
        context.scenario_contexts.record(scenario)
    if scenario.status == Status.failed:
        allure.attach(context.exchanges.render(), name="API exchanges (secrets masked)",
                      attachment_type=AttachmentType.TEXT)
        allure.attach(context.stack.logs(LOG_SERVICES, tail=120), name="Recent service logs",
                      attachment_type=AttachmentType.TEXT)
        report.attach_run_events(context.db, _runs_of(context))


def _runs_of(context) -> list[str]:
    """Ids of the runs the scenario made (context.run, context.runs), for their stored events."""
    runs = [getattr(context, "run", None), *(getattr(context, "runs", None) or [])]
    return list(dict.fromkeys(run["id"] for run in runs if isinstance(run, dict) and run.get("id")))


def _report_failed_start(context):
    stack = context.stack
    report.write_run_metadata(context.settings, stack.project.name if hasattr(stack, "project") else None)
    failing = getattr(stack, "failing_services", [])
    logs = {service: stack.logs([service], tail=200) for service in failing}
    report.report_failed_start(getattr(stack, "failure", None) or "the stack did not start", logs)


def _save_stack_logs(context):
    path = REPORTS_DIR / "logs" / "stack.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(context.stack.logs(tail=2000))


# Stack start-up and teardown print progress and phase timings as they happen; behave would
# otherwise capture hook output and show it only when a hook fails.
before_all.capture = False
after_all.capture = False
