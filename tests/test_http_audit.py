"""The graphql-http package's server audit (GraphQL-over-HTTP conformance), run by Node against
the real server: every MUST passes; the SHOULD and MAY checks that fail are exactly the ones
docs/api-http.md lists, with the reason.

The audit's npm packages (tests/http_audit/package.json, pinned by its lock file) are installed
once into $OTONARI_DATA_DIR/http_audit with `npm ci --prefer-offline`, again only when the lock
file or the script changes; later runs need no network."""

import asyncio
import contextlib
import fcntl
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import Api

SOURCE = Path(__file__).resolve().parent / "http_audit"
FILES = ("package.json", "package-lock.json", "audit.mjs")
DOCS = Path(__file__).resolve().parents[1] / "docs" / "api-http.md"


def _install(data_dir: Path) -> Path:
    target = data_dir / "http_audit"
    target.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(b"".join((SOURCE / name).read_bytes() for name in FILES)).hexdigest()
    stamp = target / ".install-stamp"
    with (target / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install at a time (parallel sessions, same data dir)
        if stamp.exists() and stamp.read_text() == digest and (target / "node_modules").is_dir():
            return target
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            pytest.fail(
                "Node.js and npm are needed for the GraphQL-over-HTTP audit (apt-get install nodejs npm)"
            )
        for name in FILES:
            shutil.copyfile(SOURCE / name, target / name)
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"], cwd=target, check=True, timeout=600
        )
        stamp.write_text(digest)
    return target


def documented_failures() -> set[str]:
    """Audit ids in the table of docs/api-http.md's section on the audit."""
    text = DOCS.read_text()
    section = text.split("## The graphql-http audit", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w{4})` \|", section, re.MULTILINE))


async def test_graphql_http_audit(api: Api, data_dir: Path) -> None:
    directory = await asyncio.to_thread(_install, data_dir)
    process = await asyncio.create_subprocess_exec(
        "node",
        "audit.mjs",
        api.base_url + "/graphql",
        cwd=directory,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=240)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    assert process.returncode == 0, err.decode()
    results: list[dict[str, Any]] = json.loads(out)
    assert len(results) >= 50, "the audit ran fewer checks than it has"
    failed = [r for r in results if r["status"] != "ok"]
    for result in failed:
        print(f"{result['status']:6} {result['id']} {result['name']}: {result['reason']}")
    musts = [r for r in failed if r["name"].startswith("MUST")]
    assert musts == [], musts
    assert {r["id"] for r in failed} == documented_failures(), "docs/api-http.md lists other failures"
