"""deploy/: every metric the alert rules and the dashboard use is one /metrics serves, and the
compose file is valid (`docker compose config`, when docker compose is on this machine)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from service.stopping import STOP_SECONDS
from tests.support import Api
from tests.test_observability import scrape

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
RULES = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "otonari.json"
_METRIC = re.compile(r"\botonari_[a-z_]+\b")
SUFFIXES = {"histogram": ("_bucket", "_count", "_sum"), "counter": ("_total",), "gauge": ("",)}


def expressions() -> dict[str, str]:
    """Where each PromQL expression comes from -> the expression."""
    found: dict[str, str] = {}
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            found[f"rule {rule['alert']}"] = rule["expr"]
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel["targets"]:
            found[f"panel {panel['title']} {target['refId']}"] = target["expr"]
    return found


def test_the_rules_cover_what_the_issue_asks() -> None:
    alerts = {name.removeprefix("rule ") for name in expressions() if name.startswith("rule ")}
    assert {"TriageBacklog", "EmergencyNotSeenByStaff", "HighErrorRate"} <= alerts
    emergency = expressions()["rule EmergencyNotSeenByStaff"]
    assert "otonari_emergency_unreviewed_age_seconds" in emergency and "> 120" in emergency


async def test_every_metric_the_rules_and_dashboard_use_is_served(api: Api) -> None:
    served = await scrape(api.base_url)
    samples = {
        family.name + suffix
        for family in served.families.values()
        for suffix in SUFFIXES.get(family.type, ("",))
    }
    used = {name: set(_METRIC.findall(expr)) for name, expr in expressions().items()}
    assert all(used.values()), "an expression without an otonari_ metric"
    missing = {name: sorted(metrics - samples) for name, metrics in used.items() if metrics - samples}
    assert missing == {}


def _compose() -> list[str] | None:
    """The docker compose command on this machine, if any answers."""
    candidates = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for command in candidates:
        try:
            done = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return command
    return None


def test_compose_file_is_valid(tmp_path: Path) -> None:
    command = _compose()
    if command is None:
        pytest.skip(
            "neither `docker compose` nor `docker-compose` is installed here: compose file not validated"
        )
    env = {**os.environ, "POSTGRES_PASSWORD": "test-password", "GRAFANA_ADMIN_PASSWORD": "test-admin"}
    done = subprocess.run(
        [*command, "-f", str(DEPLOY / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load(done.stdout)
    assert {"db", "migrate", "api", "worker", "prometheus", "grafana"} <= set(config["services"])
    assert config["services"]["db"]["image"].startswith("pgvector/pgvector:")
    assert config["services"]["worker"]["environment"]["OTONARI_METRICS_PORT"] == "9464"
    # Without a database password it refuses to run, saying why.
    env.pop("POSTGRES_PASSWORD")
    refused = subprocess.run(
        [*command, "-f", str(DEPLOY / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr


def test_docker_waits_for_a_bounded_stop() -> None:
    """The API and the workers get time for their three bounded stop stages (uvicorn, background
    tasks, database pool; STOP_SECONDS each) before Docker kills them."""
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    for name in ("api", "worker"):
        grace = services[name].get("stop_grace_period", "10s")
        assert re.fullmatch(r"\d+s", grace), f"{name}: stop_grace_period {grace!r} in whole seconds"
        assert int(grace[:-1]) > 3 * STOP_SECONDS, f"{name}: {grace} leaves no time for a bounded stop"
