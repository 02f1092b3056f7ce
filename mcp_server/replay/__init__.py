"""Replay workflow histories against workflow code and explain every failure.

    from mcp_server.replay.engine import replay_files
    report = replay_files(["histories/"], [OrderWorkflow])   # a ReplayReport

`mcp_server.replay.testing.assert_replays` is the same for a user's own pytest suite. The layout:
histories.py reads history files, live.py fetches them from a server, workflows.py imports the
workflow classes, engine.py replays, explain.py explains failures, seeds.py runs --hash-seeds,
report.py renders.
"""
