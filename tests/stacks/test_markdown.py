"""``scaffold plan --format markdown``: the summary a pull-request comment shows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.spec import load_blueprint
from stacks import markdown
from stacks.markdown import COMMENT_LIMIT, DASH, render_markdown
from stacks.plan import plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shop.yaml"
SNAPSHOTS = Path(__file__).with_name("snapshots")
NOW = {"SCAFFOLD_NOW": "2026-01-01T00:00:00Z"}
runner = CliRunner()


def _markdown(*argv: str) -> str:
    result = runner.invoke(app, ["plan", *argv, "--format", "markdown"], env=NOW)
    assert result.exit_code == 0, result.output
    return result.stdout


def _cells(line: str) -> list[str]:
    """The cells of a table row: split on the pipes that are not escaped."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def _table(text: str) -> dict[str, list[str]]:
    """Component -> its row's cells (kind, resources, key settings, alarms)."""
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]  # without the header
    return {_cells(row)[0]: _cells(row)[1:] for row in rows}


def _mermaid(text: str) -> list[str]:
    match = re.search(r"^```mermaid\n(.*?)^```$", text, re.S | re.M)
    assert match, "no ```mermaid block"
    return [line.strip() for line in match.group(1).splitlines()]


@pytest.fixture(scope="module")
def prod() -> str:
    return _markdown("-f", str(EXAMPLE), "-e", "prod")


@pytest.fixture(scope="module")
def shop_prod_plan() -> tuple[Any, Any]:
    bp = load_blueprint(EXAMPLE, "prod")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCAFFOLD_NOW", NOW["SCAFFOLD_NOW"])
        return plan(bp), bp


def test_title_names_project_environment_profile_and_region(prod: str) -> None:
    assert prod.splitlines()[0] == "### Plan of shop/prod: profile production, region eu-west-1"
    assert "Alarms: on, sent to **alerts**." in prod


def test_production_rows_show_the_key_settings(prod: str) -> None:
    table = _table(prod)
    db = table["orders-db"][2]
    assert "Aurora PostgreSQL `16.4`" in db and "instance `db.r6g.large`" in db
    assert "readers 1" in db and "Multi-AZ yes (automatic failover)" in db and "proxy yes" in db
    cache = table["sessions"][2]
    assert "replicas 1" in cache and "Multi-AZ yes" in cache and "node `cache.r7g.large`" in cache
    api = table["api"][2]
    assert "public" in api and "HTTPS api.example.com" in api and "WAF on" in api and f"scaling 2{DASH}40" in api
    worker = table["mailer"][2]
    assert f"scaling 2{DASH}20" in worker and "backlog 100 per task" in worker and "consumes jobs" in worker
    job = table["nightly-report"][2]
    assert "schedule `cron(0 3 * * ? *)` in Europe/Berlin" in job
    assert "next runs 2026-01-01T03:00:00+01:00, 2026-01-02T03:00:00+01:00" in job
    assert "timeout 30m" in job and "retries 2" in job
    bucket = table["uploads"][2]
    assert "versioning on" in bucket and "retain on destroy yes" in bucket and "expire after 365d" in bucket
    assert "DLQ after 5 receives" in table["jobs"][2] and "standard" in table["jobs"][2]
    assert table["network"][2].startswith("VPC `10.20.0.0/16`; 3 AZs; a NAT gateway per AZ")


def test_subscribers_are_counted_not_listed(prod: str) -> None:
    assert "subscribers: 1 email, 1 https" in _table(prod)["alerts"][2]
    assert "oncall@example.com" not in prod and "hooks.example.com" not in prod
    assert "delivers to jobs" in _table(prod)["order-events"][2]


def test_resources_and_alarms_per_component_match_the_plan_json(prod: str) -> None:
    document = json.loads((SNAPSHOTS / "shop.prod.json").read_text())
    table = _table(prod)
    assert {name: int(cells[1]) for name, cells in table.items()} == document["summary"]["by_component"]
    alarms: dict[str, int] = {}
    for r in document["resources"]:
        if r["type"] == "aws:cloudwatch/metricAlarm:MetricAlarm":
            alarms[r["component"]] = alarms.get(r["component"], 0) + 1
    for name, cells in table.items():
        assert cells[3] == (f"{alarms[name]} → alerts" if name in alarms else "—"), name
    assert f"**{document['summary']['total']}** AWS resources in 9 components" in prod


def test_every_table_row_has_five_cells(prod: str) -> None:
    rows = [line for line in prod.splitlines() if line.startswith("|")]
    assert len(rows) == 2 + 11  # header, separator, network, services and 9 components
    assert all(len(_cells(row)) == 5 for row in rows)


def test_mermaid_block_has_every_component_and_link(prod: str) -> None:
    lines = _mermaid(prod)
    assert lines[0] == "flowchart LR"
    assert '''c_orders_db[("orders-db (database)")]''' in lines and '''c_api("api (api)")''' in lines
    edges = {line for line in lines if "->" in line}
    uses = {f"c_{a} -->|uses| c_{b}" for a, b in [
        ("api", "orders_db"), ("api", "sessions"), ("api", "jobs"), ("api", "order_events"), ("api", "uploads"),
        ("mailer", "orders_db"), ("mailer", "uploads"), ("nightly_report", "orders_db"), ("nightly_report", "uploads")]}
    alarms = {f"c_{a} -.->|alarms| c_alerts" for a in ("orders_db", "sessions", "jobs", "api", "mailer",
                                                        "nightly_report")}
    assert edges == uses | alarms | {"c_jobs -->|consumes| c_mailer", "c_order_events -->|subscription| c_jobs"}


def test_dev_shows_what_production_adds(tmp_path: Path) -> None:
    text = _markdown("-f", str(EXAMPLE), "-e", "dev")
    table = _table(text)
    assert "readers 0" in table["orders-db"][2] and "Multi-AZ no" in table["orders-db"][2]
    assert "plain HTTP" in table["api"][2] and "WAF off" in table["api"][2]
    assert table["orders-db"][3] == "off" and table["uploads"][3] == "—"
    assert "Alarms: off." in text
    assert "-.->" not in text  # no alarm links when alarms are off


def test_against_lists_the_data_loss(tmp_path: Path) -> None:
    spec = ("scaffold: 1\nname: shop\nregion: us-east-1\nenvironments:\n  dev: {profile: dev}\n"
            "components:\n  orders-db: {kind: database, database: %s}\n")
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(spec % "orders")
    new.write_text(spec % "sales")
    text = _markdown("-f", str(new), "--against", str(old))
    assert "**Data loss** (1 change against the deployed spec):" in text
    assert "- **Replaces** `aws:rds/cluster:Cluster orders-db-cluster`: " in text
    assert "its data is lost" in text


def test_a_spec_without_links_has_nodes_and_no_edges(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text("scaffold: 1\nname: shop\nregion: us-east-1\nenvironments:\n  dev: {profile: dev}\n"
                    "components:\n  work-items: {kind: queue, fifo: true}\n")
    text = _markdown("-f", str(spec))
    assert _mermaid(text) == ["flowchart LR", 'c_work_items("work-items (queue)")']
    assert "FIFO" in _table(text)["work-items"][2]


def test_stays_under_the_comment_limit_leaving_out_the_diagram_then_rows(shop_prod_plan) -> None:
    result, bp = shop_prod_plan
    full = render_markdown(result, bp)
    assert len(full) < COMMENT_LIMIT and "```mermaid" in full
    no_diagram = render_markdown(result, bp, limit=len(full) - 1)
    assert len(no_diagram) <= len(full) - 1 and "```mermaid" not in no_diagram
    assert "Diagram left out to stay under GitHub's" in no_diagram and len(_table(no_diagram)) == 11
    short = render_markdown(result, bp, limit=1500)
    assert len(short) <= 1500
    kept = _table(short)
    note = next(name for name in kept if name.startswith("…"))
    assert re.fullmatch(r"… \d+ more components left out to stay under GitHub's 1500-character comment limit; "
                        r"see `scaffold plan -e prod --json`", note)
    assert len(kept) - 1 + int(note.split()[1]) == 11  # every component is either shown or counted
    assert all(len(_cells(line)) == 5 for line in short.splitlines() if line.startswith("|"))


def test_a_kind_without_an_entry_shows_its_fields(shop_prod_plan, monkeypatch) -> None:
    result, bp = shop_prod_plan
    monkeypatch.delitem(markdown.KEY_SETTINGS, "queue")  # as a new kind would be
    row = _table(render_markdown(result, bp))["jobs"]
    assert row[2].startswith("fifo no; content\\_based\\_deduplication no; visibility\\_timeout 300")


def test_format_json_is_the_json_document() -> None:
    result = runner.invoke(app, ["plan", "-f", str(EXAMPLE), "-e", "dev", "--format", "json"], env=NOW)
    assert result.exit_code == 0, result.output
    assert result.stdout == (SNAPSHOTS / "shop.dev.json").read_text()


@pytest.mark.parametrize(("argv", "message"), [
    (["--format", "md"], "error: unknown format 'md'"),
    (["--json", "--format", "markdown"], "error: --json and --format markdown ask for two formats"),
])
def test_bad_formats_are_usage_errors(argv: list[str], message: str) -> None:
    result = runner.invoke(app, ["plan", "-f", str(EXAMPLE), "-e", "dev", *argv])
    assert result.exit_code == 2
    assert message in result.stderr and "hint: " in result.stderr and "Traceback" not in result.output


def test_plan_help_shows_the_markdown_example() -> None:
    result = runner.invoke(app, ["plan", "--help"])
    assert result.exit_code == 0 and "scaffold plan -e prod --format markdown" in result.output


def test_github_flavoured_markdown_reads_one_table_and_one_mermaid_block(prod: str) -> None:
    from markdown_it import MarkdownIt  # rich's Markdown parser; with tables as GitHub has them

    tokens = MarkdownIt("commonmark").enable("table").parse(prod)
    rows = [t for t in tokens if t.type == "tr_open"]
    cells = [t for t in tokens if t.type in ("th_open", "td_open")]
    assert (len(rows), len(cells)) == (12, 60)
    assert [t.info for t in tokens if t.type == "fence"] == ["mermaid"]


def test_markup_in_values_is_escaped() -> None:
    from markdown_it import MarkdownIt

    row = "| " + " | ".join([markdown._text("a|b *c* <d>"), markdown._code("x|y"), "z"]) + " |"
    html = MarkdownIt("commonmark").enable("table").render(f"| 1 | 2 | 3 |\n|---|---|---|\n{row}\n")
    assert "<td>a|b *c* &lt;d&gt;</td>" in html and "<td><code>x|y</code></td>" in html


@pytest.mark.parametrize("limit", [COMMENT_LIMIT, 6000, 1500])
def test_a_saved_plan_renders_as_the_plan_it_was_saved_from(shop_prod_plan, limit: int) -> None:
    """plan --from: the JSON document read back gives the same Markdown, whatever is left out."""
    result, bp = shop_prod_plan
    saved = markdown.SavedPlan(json.loads(json.dumps(result.to_json())))
    assert render_markdown(saved, bp, limit=limit) == render_markdown(result, bp, limit=limit)
