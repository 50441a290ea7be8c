"""Deprecated phrases: words the vocabulary offered on main since the first features (2026-11-25)
that today's phrases replaced. Each still works, until harness.deprecation.REMOVABLE_AFTER, and
says what to write instead (harness/deprecation.py); the catalogue lists them apart.

An `alias` runs its replacement: the replacement states the same claim in new words. A function
under `deprecated` keeps the old words' own meaning where today's phrase demands more than they
did (a stricter check gets new words; the old ones keep theirs).
"""

from harness import phrases  # noqa: F401 - registers the Text type used below
from harness.battles import battle_document_problems, records_of_series
from harness.deprecation import alias, cannot_pass, deprecated, gherkin_table
from harness.events import read_events, resume_events
from harness.footprint import my_footprint, upload_store_inspectable
from harness.runs import wait_for_status
from harness.usage import usage_matches_store

# --- runs ------------------------------------------------------------------------------------

alias("then", "they do not see its results", instead="Then they cannot list its results")

# --- events: "until it ends" read to the run's terminal event; since b343e08 the same words also
# demanded that the server close the stream. That stricter check has its own words now.


@deprecated("when", "I follow the run's events until it ends",
            instead="When I follow the run's events until the server closes the stream",
            why="the old words read to the run's terminal event; the new ones also require the server to end the "
                "stream")
def step_follow_events_to_terminal(context):
    context.events = read_events(context.me.api, context.run["id"], timeout=30)
    context.first_connection = context.events


@deprecated("when", "I reconnect with the id of the last event I received",
            instead="When I reconnect with the id of the last event I received and read until the server closes "
                    "the stream",
            why="the old words read to the run's terminal event; the new ones also require the server to end the "
                "stream")
def step_reconnect_to_terminal(context):
    context.second_connection = resume_events(context.me.api, context.run["id"], context.first_connection,
                                              until_closed=False)
    context.events = context.first_connection + context.second_connection


# --- health ----------------------------------------------------------------------------------

@deprecated("then", "each of these dependencies is reported up with a latency",
            instead="Then each of these dependencies is reported up with a latency:  (the same table)")
def step_dependencies_up_without_colon(context):
    if not context.table or not context.table.rows:
        cannot_pass('"each of these dependencies is reported up with a latency" checks the dependencies of a table '
                    "below it, and there is none: write the step with a colon and a table, "
                    "| dependency | then a row for each (postgres, redis, mongo)")
    context.execute_steps("Then each of these dependencies is reported up with a latency:\n"
                          + gherkin_table(context.table))


# --- usage -----------------------------------------------------------------------------------

alias("when", 'another tenant runs the same questions on model "{model:Text}"',
      instead='Given another tenant has a dataset of the same questions\n'
              'When another tenant runs its dataset on model "{model}"')


@deprecated("then", 'the other tenant\'s usage counts exactly its one run of {count:d} questions on "{model:Text}"',
            instead="Then the other tenant's run completes within 30 seconds\n"
                    "And the other tenant's usage counts 1 run\n"
                    "And the other tenant's usage is:  (a table: model, results, prompt tokens, completion tokens, "
                    "cost)",
            why="the usage table also states the tokens and the cost")
def step_other_usage_one_run(context, count, model):
    context.other_run = wait_for_status(context.other.api, context.other_run["id"], "completed", timeout=30)
    usage = usage_matches_store(context.other)
    assert (usage["runs"], usage["results"]) == (1, count), (
        f"expected 1 run and {count} results, saw {usage['runs']} and {usage['results']}: {usage}")
    assert [m["model"] for m in usage["by_model"]] == [model], (
        f"expected usage of only {model!r}, saw {usage['by_model']}")


# --- documents -------------------------------------------------------------------------------

alias("then", "the provider was asked with the document's text and the question",
      instead="Then the provider was asked once, with the document's text and the question")

# --- uploads ---------------------------------------------------------------------------------

alias("then", "my tenant has exactly one dataset with that checksum",
      instead="Then my tenant has exactly 1 dataset with that checksum")


@deprecated("then", "the upload store holds no file for my tenant beyond those of accepted uploads",
            instead="Then nothing new is stored for my tenant",
            why="which compares every store, not only the upload store")
def step_no_stray_files(context):
    if not upload_store_inspectable(context.stack):
        context.scenario.skip("external mode: the upload store is inside the stack and cannot be inspected")
        return
    before = getattr(context, "footprint_before", None)
    if before is None:
        cannot_pass("no upload was tried before this step, so the upload store has nothing to be compared with: "
                    'after "When I try to upload ..." write "Then nothing new is stored for my tenant", or state '
                    'the files with "Then the upload store holds exactly 1 file for my tenant"')
    after = my_footprint(context).files
    assert after == before.files, f"expected the upload store unchanged {list(before.files)}, saw {list(after)}"


# --- battles ---------------------------------------------------------------------------------

alias("then", 'MongoDB holds exactly one battle of my tenant with idempotency key "{key:Text}"',
      instead='Then MongoDB holds exactly 1 battle of my tenant with idempotency key "{key}"')

alias("then", "MongoDB holds no battle of theirs", instead="Then MongoDB holds exactly 0 battles of theirs")

THE_FIRST_BATTLE = {"prompt": "What is 2 + 3?", "contenders": ["gpt-4o-mini", "gpt-3.5-turbo"], "judge": "gpt-4o-mini"}
ITS_ANSWERS = [("gpt-4o-mini", "The answer is 5."), ("gpt-3.5-turbo", "5")]


@deprecated("then", "the battle's document in MongoDB records the prompt, both answers, the verdict, the winner "
                    "and the loser",
            instead="Then the battle's document in MongoDB records the prompt, the judge's verdict \"A\" and its "
                    "usage, the winner, the loser and these answers:\n"
                    "  | model | answer |\n  | gpt-4o-mini | The answer is 5. |\n  | gpt-3.5-turbo | 5 |",
            why="the old words stood for one battle, on \"What is 2 + 3?\"; the new ones state the verdict and the "
                "answers of any")
def step_first_battle_document(context):
    started = getattr(context, "battle_request", None)
    if started != THE_FIRST_BATTLE:
        cannot_pass('"the battle\'s document in MongoDB records the prompt, both answers, ..." describes only the '
                    'battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini"; '
                    f"this one is {started}: write \"Then the battle's document in MongoDB records "
                    "the prompt, the judge's verdict \"<A or B>\" and its usage, the winner, the loser and these "
                    'answers:" with a table of model and answer')
    _check_document(context, "A", ITS_ANSWERS, judge_usage=False)


@deprecated("then", 'the battle\'s document in MongoDB records the prompt, the judge\'s verdict "{verdict:Text}", '
                    "the winner, the loser and these answers:",
            instead="Then the battle's document in MongoDB records the prompt, the judge's verdict \"{verdict}\" and "
                    "its usage, the winner, the loser and these answers:",
            why="the new words also require the judge's token usage")
def step_battle_document_without_judge_usage(context, verdict):
    _check_document(context, verdict, [(row["model"], row["answer"]) for row in context.table], judge_usage=False)


def _check_document(context, verdict, answers, judge_usage):
    problems = battle_document_problems(context.mongo.battle(context.me.id, context.battle["id"]),
                                        context.battle_request, context.battle, verdict, answers,
                                        judge_usage=judge_usage)
    assert not problems, (
        f"expected the battle document to record the battle, saw {len(problems)} difference(s): {'; '.join(problems)}")


@deprecated("then", 'the leaderboard ranks them in the order "{order:Text}"',
            instead="Then the leaderboard is:  (a table: rank, model, rating, wins, losses, draws)",
            why="the table states every row of the leaderboard, not only the order of some models")
def step_leaderboard_order(context, order):
    expected = [name.strip() for name in order.split(",")]
    ranked = [m["model"] for m in context.me.api.leaderboard() if m["model"] in expected]
    assert ranked == expected, f"expected the ranking {expected}, saw {ranked} on the leaderboard"


@deprecated("then", "their wins, losses and draws on the leaderboard are those of these battles",
            instead="Then the leaderboard is:  (a table: rank, model, rating, wins, losses, draws)",
            why="the table states the ratings and the ranks too")
def step_leaderboard_records(context):
    series = getattr(context, "battle_series", None)
    if not series:
        cannot_pass('"their wins, losses and draws on the leaderboard are those of these battles" compares the '
                    'leaderboard with the battles of "these battles are fought on ...:", and none were fought in '
                    'this scenario: write "Then the leaderboard is:" with a table of rank, model, rating, wins, '
                    "losses and draws")
    board = {m["model"]: [m["wins"], m["losses"], m["draws"]] for m in context.me.api.leaderboard()}
    for model, record in records_of_series(series).items():
        assert board.get(model) == record, (
            f"{model}: expected wins/losses/draws {record}, saw {board.get(model)} on the leaderboard")


@deprecated("then", "their leaderboard is empty",
            instead='Then their leaderboard lists only "<the models of their own battles>"',
            why="give the other tenant a battle of its own (\"Given another tenant has fought a battle between ...\"): "
                "an empty leaderboard also passes when the leaderboard is broken")
def step_their_leaderboard_empty(context):
    if context.other is None:
        cannot_pass('"their leaderboard is empty" is about another tenant, and this scenario has none: write '
                    '"Given another tenant has fought a battle between "<a>" and "<b>"" and then "Then their '
                    'leaderboard lists only "<a>, <b>""')
    listed = context.other.api.leaderboard()
    assert listed == [], f"expected another tenant's leaderboard empty, saw {listed}"


# --- workers ---------------------------------------------------------------------------------

@deprecated("then", "more than one worker took part",
            instead="Then at least 2 of the <n> workers took part")
def step_several_workers(context):
    workers = context.me.rows.workers_of_runs([run["id"] for run in context.runs])
    assert len(workers) > 1, f"expected the runs spread over several workers, saw their results stored by {workers}"

