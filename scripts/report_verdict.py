#!/usr/bin/env python3
"""Put the verdict (tests and mypy on the regenerated client) at the top of the report.

    python scripts/report_verdict.py --report report.md \\
        --tests success --tests-log pytest.log --mypy failure --mypy-log mypy.log \\
        [--run-url URL]

The regenerate workflow runs it after both checks; the report becomes the pull request body.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regen.verdict import Check, render_verdict

_OUTCOMES = ("success", "failure", "cancelled", "skipped")


def _log(path: Path) -> str:
    # A check that did not run leaves no log: say so rather than fail the step.
    return path.read_text("utf-8", errors="replace") if path.exists() else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--tests", choices=_OUTCOMES, required=True)
    parser.add_argument("--tests-log", type=Path, required=True)
    parser.add_argument("--mypy", choices=_OUTCOMES, required=True)
    parser.add_argument("--mypy-log", type=Path, required=True)
    parser.add_argument("--run-url")
    args = parser.parse_args(argv)
    checks = [
        Check("the test suite", "scripts/with-venv pytest", args.tests, _log(args.tests_log)),
        Check(
            "mypy on the wrapper", "scripts/with-venv mypy wrapper", args.mypy, _log(args.mypy_log)
        ),
    ]
    report = args.report.read_text("utf-8") if args.report.exists() else ""
    title, _, rest = report.partition("\n")
    verdict = render_verdict(checks, args.run_url)
    # The verdict goes under the report's title, above every table.
    text = f"{title}\n\n{verdict}\n{rest.lstrip()}" if title.startswith("# ") else verdict + report
    args.report.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
