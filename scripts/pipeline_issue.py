#!/usr/bin/env python3
"""Make a failing pipeline loud: open, update or close its GitHub issue (run by the workflows).

    python3 scripts/pipeline_issue.py describe --logs DIR   # in the failed job: what failed
    python3 scripts/pipeline_issue.py report --pipeline import|publish

`describe` reads the job's steps context (env STEPS, `toJSON(steps)`), finds the failed step and
the tail of its log (DIR/<step id>.log) and prints `kind=` and `message=` (base64) lines for
$GITHUB_OUTPUT: `kind` is `stale` when only the health check (step id `health`) failed.

`report` runs in a separate job, the only one with `issues: write`. It reads RESULT (the failed
job's result), KIND, MESSAGE (base64) and RUN_URL from the environment and, through the `gh`
CLI (GH_TOKEN, GH_REPO): on a failure comments on the pipeline's open issue, or opens one titled
e.g. "Nightly import failing since 2026-11-20"; on a success closes it. One open issue per
pipeline, found by its label. Standard library only: the job installs nothing.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

#: Per pipeline: its label, and the title of an issue for each kind of trouble.
PIPELINES = {
    "import": {"label": "pipeline: import", "what": "The nightly import",
               "failing": "Nightly import failing since {day}", "stale": "Nightly import stale since {day}"},
    "publish": {"label": "pipeline: publish", "what": "Publishing the site",
                "failing": "Site publishing failing since {day}", "stale": "Site publishing failing since {day}"},
}
MAX_LINES = 40
MAX_CHARS = 4000
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Log text made safe to quote: no terminal escapes or control characters, at most the last
    MAX_LINES lines and MAX_CHARS characters (the end of a log says what went wrong)."""
    text = _CONTROL.sub("", _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    lines = [line.rstrip() for line in text.strip("\n").split("\n")][-MAX_LINES:]
    text = "\n".join(lines)
    return text if len(text) <= MAX_CHARS else "..." + text[-MAX_CHARS:]


def fenced(text: str) -> str:
    """``text`` in a Markdown code block it cannot break out of (the fence is longer than any
    run of backticks inside), so nothing in a log becomes a link, a mention or markup."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def describe(steps: dict, logs: Path) -> tuple[str, str]:
    """``(kind, message)`` for a failed job from its steps context and step logs."""
    failed = [name for name, step in steps.items() if isinstance(step, dict) and step.get("outcome") == "failure"]
    if not failed:
        return "failing", "The job failed outside its steps (a time-out or the runner); open the run for its log."
    name = failed[0]
    log = logs / f"{name}.log"
    try:
        tail = clean(log.read_text(encoding="utf-8", errors="replace")[-64 * 1024:]) if log.is_file() else ""
    except OSError:
        tail = ""
    kind = "stale" if failed == ["health"] else "failing"
    return kind, f"Step `{name}` failed" + (f":\n\n{fenced(tail)}" if tail else " without output; open the run for its log.")


def body(pipeline: str, kind: str, message: str, run_url: str, day: dt.date, *, first: bool) -> str:
    what = PIPELINES[pipeline]["what"]
    if kind == "stale":
        head = f"{what} ran on {day} but the reading list looks stale: it found nothing new or could not record its run."
    else:
        head = f"{what} failed on {day}."
    lines = [head, "", message or "The job failed before it could say why; open the run for its log.", "", f"Run: {run_url}"]
    if first:
        lines += ["", "This issue is updated by every failing run and closed by the next successful one "
                      "(README, section \"Automation\")."]
    return "\n".join(lines) + "\n"


def gh(*args: str, stdin: str | None = None) -> str:
    result = subprocess.run(["gh", *args], input=stdin, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise SystemExit(f"pipeline_issue: gh {args[0]} {args[1]} failed: {clean(result.stderr)[-500:] or result.returncode}")
    return result.stdout


def report(pipeline: str, result: str, kind: str, message: str, run_url: str, day: dt.date) -> str:
    """Act on the pipeline's issue for this run; returns what was done (one line)."""
    config = PIPELINES[pipeline]
    label = config["label"]
    if result not in ("success", "failure"):
        return f"run {result}: issue left as it is"
    found = json.loads(gh("issue", "list", "--state", "open", "--label", label, "--json", "number,title", "--limit", "20") or "[]")
    numbers = sorted(int(issue["number"]) for issue in found if isinstance(issue, dict) and str(issue.get("number", "")).isdigit())
    if result == "success":
        for number in numbers:
            gh("issue", "close", str(number), "--comment", f"{config['what']} succeeded again on {day}: {run_url}")
        return f"closed #{', #'.join(map(str, numbers))}" if numbers else "nothing to close"
    if numbers:
        gh("issue", "comment", str(numbers[0]), "--body-file", "-", stdin=body(pipeline, kind, message, run_url, day, first=False))
        return f"commented on #{numbers[0]}"
    gh("label", "create", label, "--color", "B60205", "--description", "A failing or stale pipeline (opened by a workflow)", "--force")
    title = config["stale" if kind == "stale" else "failing"].format(day=day.isoformat())
    url = gh("issue", "create", "--title", title, "--label", label, "--body-file", "-",
             stdin=body(pipeline, kind, message, run_url, day, first=True)).strip()
    return f"opened {title!r} {clean(url)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    described = sub.add_parser("describe", help="say which step failed and why (for $GITHUB_OUTPUT)")
    described.add_argument("--logs", type=Path, required=True, metavar="DIR")
    reported = sub.add_parser("report", help="open, comment on or close the pipeline's issue")
    reported.add_argument("--pipeline", choices=sorted(PIPELINES), required=True)
    reported.add_argument("--today", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    args = parser.parse_args(argv)
    if args.command == "describe":
        try:
            steps = json.loads(os.environ.get("STEPS") or "{}")
        except json.JSONDecodeError:
            steps = {}
        kind, message = describe(steps if isinstance(steps, dict) else {}, args.logs)
        print(f"kind={kind}")
        print("message=" + base64.b64encode(message.encode()).decode())
        return 0
    try:
        message = base64.b64decode(os.environ.get("MESSAGE") or "", validate=True).decode("utf-8", errors="replace")[:2 * MAX_CHARS]
    except ValueError:
        message = ""
    kind = os.environ.get("KIND") if os.environ.get("KIND") in ("failing", "stale") else "failing"
    run_url = os.environ.get("RUN_URL", "")
    if not re.fullmatch(r"https://[\w.-]+/[\w.-]+/[\w.-]+/actions/runs/\d+(/attempts/\d+)?", run_url):
        run_url = "(the run's address was not given)"
    day = args.today or dt.datetime.now(dt.UTC).date()
    print(report(args.pipeline, os.environ.get("RESULT", ""), kind, message, run_url, day))
    return 0


if __name__ == "__main__":
    sys.exit(main())
