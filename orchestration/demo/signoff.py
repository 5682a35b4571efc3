"""The demo's sign-off: after its run, the years of sources/demo/signoff.yaml are reviewed and
approved as `sdsf review` and `sdsf approve` would do it (same checks, same record, the files
missing then kept), so the site has validated figures beside provisional ones."""

from __future__ import annotations

from pathlib import Path

import yaml

from orchestration import approvals, audit
from orchestration.demo import DEMO_DIR
from orchestration.signoff_commands import warehouse_facts

SIGNOFF_FILE = DEMO_DIR / "signoff.yaml"


def sign_off_demo(home: Path, specs: Path = SIGNOFF_FILE) -> list[dict]:
    """Review then approve each year of ``specs`` not approved yet; returns the approvals."""
    done = []
    for spec in yaml.safe_load(specs.read_text(encoding="utf-8")) or []:
        scheme, period = spec["scheme"], str(spec["period"])
        if approvals.state_of(home, scheme, period) == approvals.APPROVED:
            continue  # a second `sdsf demo` on the same data directory
        years, missing = warehouse_facts(scheme, period)
        for step, who, comment in (
            ("review", spec["reviewed_by"], spec.get("review_comment")),
            ("approve", spec["approved_by"], spec.get("approval_comment")),
        ):
            entry = approvals.record_step(
                home,
                step,
                scheme=scheme,
                period=period,
                schemes=years or {},
                actor=audit.Actor(who, "demo"),
                comment=comment,
                missing=missing,
            )
        done.append(entry)
    return done
