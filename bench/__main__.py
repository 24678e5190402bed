"""`python -m bench <name> [options]`: the project's benchmarks, one subcommand each.

Every benchmark is a module of this package with ``add_arguments(parser)`` and
``run(args) -> int`` (the exit status: 1 when a target is missed). Add one by listing it in
BENCHES; modules are imported only when their subcommand runs, so a heavy one (the model,
a server) costs nothing to the others.
"""

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

# subcommand -> (module, one-line help)
BENCHES: dict[str, tuple[str, str]] = {
    "triage": ("bench.triage", "triage accuracy on a labelled JSONL file, and latency beside the bare model"),
    "finetune": (
        "bench.triage_finetune",
        "triage: LoRA fine-tuned encoder against the frozen one, on grouped CV of the examples",
    ),
    "cues": (
        "bench.cues",
        "emergency cue recall/precision on the training examples, and speed beside the old cue list",
    ),
    "duplicates": (
        "bench.duplicates",
        "the staff-correction memory: edited copies of training examples found and confirmed by text",
    ),
    "robustness": (
        "bench.robustness",
        'triage: emergencies of the blind candidate batches with "what should I do?" appended',
    ),
    "calls": (
        "bench.calls",
        "this checkout's engine calls every labelled row of the candidate batches (a step's judge, one side)",
    ),
    "judge": (
        "bench.judge",
        "two calls files compared on the rows both hold: emergencies missed, false alarms, accuracy, changes",
    ),
    "match": ("bench.match", "matching latency beside brute-force baselines, and labelled quality"),
    "api": ("bench.api", "API latency and throughput against a real server process"),
    "live": ("bench.live", "from a mutation's commit to the event at a subscriber on another process"),
    "web": ("bench.web", "the staff console in Chromium: first load, live updates, scrolling 1,000 rows"),
    "notify": ("bench.notify", "from an offer's commit to its email's acceptance by an SMTP server"),
    "soak": (
        "bench.soak",
        "minutes of a realistic mix on two API processes and a worker: errors, lost events, p99, RSS drift",
    ),
    "refit": (
        "bench.refit",
        "a stream of staff reviews learned by the worker's engine: time held up per sync, refits, RSS drift",
    ),
    "hostile": (
        "bench.hostile",
        "what hostile documents cost a server (CPU, memory) over HTTP and WebSocket",
    ),
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(BENCHES[name][0])


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="bench", metavar="{" + ",".join(BENCHES) + "}")
    for name, (_, help_text) in BENCHES.items():
        sub.add_parser(name, help=help_text, add_help=False)
    # Parse the subcommand first, then let only that module define (and import) its options.
    known, _ = parser.parse_known_args(args_list[:1])
    if known.bench is None:
        parser.print_help()
        return 2
    module = _module(known.bench)
    bench_parser = argparse.ArgumentParser(
        prog=f"python -m bench {known.bench}", description=(module.__doc__ or "").split("\n")[0]
    )
    module.add_arguments(bench_parser)
    status: int = module.run(bench_parser.parse_args(args_list[1:]))
    return status


if __name__ == "__main__":
    sys.exit(main())
