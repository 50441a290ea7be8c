"""Mutation testing of the services against the live stack, with cosmic-ray (scripts/mutation.py).

cosmic-ray generates the mutants (every operator it has), keeps the session in SQLite, applies
and reverts each mutant and judges the test command (exit 0: survived; a timeout: killed, said
so). What is ours is where a mutant runs and what it runs:

  lane         a work copy of services/ mounted into a stack kept up for the whole session; a
               mutant restarts only the services whose code it changed
  trial        the test command for one mutant: the scenarios the coverage map says run its
               lines (harness/coverage_map.py), against its lane's stack, stopping at the first
               failure; a mutant no scenario runs is "survived (not covered)"
  distributor  cosmic-ray's distributor "arena": the session's mutants over one or more lanes
  session      making a session (all mutants, or a uniform sample with its seed), equivalent
               mutants marked one by one, and the table of results (reports/mutation/)

May import: harness.coverage_map, harness.stack, harness.compose, harness.settings, harness.timing,
harness.waits. Steps never import it.
"""
