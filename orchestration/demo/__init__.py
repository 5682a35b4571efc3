"""Deterministic demo partner files for every shipped scheme, as partners' software writes them
and on the days they sent them.

The demo's shape is data in ``sources/demo/``: one spec per département (``40.yaml``, ...)
naming its partners and their dialects (``dialects.yaml``), its childcare, the people its
actions reach, the pilots' action reports and the story of the receipts. This package turns it
into files: for every partner of the registry (``sources/partners.yaml``), one file per period
the submission calendar expects of it (:mod:`orchestration.calendar`), received on a day the
story gives. :func:`deliver_demo` keeps them in the store as received on those days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from models import CONTRACTS
from models.common import french_names
from orchestration import calendar, territories
from orchestration import schemes as scheme_defs
from orchestration.demo.action_reports import ActionStories, report_rows
from orchestration.demo.beneficiaries import beneficiary_rows, children_by_epci, spoil
from orchestration.demo.childcare import Childcare
from orchestration.demo.dialects import Dialect, load_dialects
from orchestration.demo.receipts import ReceiptsStory
from orchestration.portal.expectations import partner_years
from orchestration.settings import SOURCES_DIR

DEMO_DIR = SOURCES_DIR / "demo"
# How each kind of file is named, by the first childcare role of its sender for placements.
_PLACEMENT_NAMES = {
    "structures": "places",
    "leisure": "accueils_loisirs",
    "childminders": "assistants_maternels",
    "school": "scolarisation_2ans",
}
_NAMES = {
    "attendance": "heures",
    "beneficiaries": "beneficiaires",
    "action_reports": "suivi_actions",
}
_SUFFIX = {"first": "", "faulty": "", "corrected": "_corrige", "revision": "_rectificatif"}


@dataclass(frozen=True)
class DemoFile:
    partner: str
    kind: str
    name: str
    data: bytes
    period: str  # the expected period it answers (canonical code)
    received_at: datetime  # UTC
    version: str = "first"  # first, faulty, corrected or revision (receipts story)


def departement_specs(folder: Path = DEMO_DIR) -> list[dict]:
    """Every département spec of the demo folder, in file order."""
    return [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob("*.yaml"))
        if p.name not in ("dialects.yaml", "action_reports.yaml", "signoff.yaml")
    ]


def generate_demo(folder: Path = DEMO_DIR, cog: dict | None = None) -> list[DemoFile]:
    """All demo files, in the order partners sent them. Same specs, same bytes and days."""
    partners = scheme_defs.load_partners()
    schemes = scheme_defs.load_schemes(partners=partners)
    return generate_files(departement_specs(folder), partners, schemes, folder=folder, cog=cog)


def generate_files(
    specs: list[dict], partners, schemes, folder: Path = DEMO_DIR, cog: dict | None = None
) -> list[DemoFile]:
    """The files of the partners of département ``specs`` (the demo's, or a benchmark's
    generated ones) for a deployment's ``partners`` and ``schemes``, with the dialects and
    default comments of ``folder``; in the order partners sent them."""
    cog = cog or territories.load_cog(territories.ensure_territory_package())
    dialects = load_dialects(folder / "dialects.yaml")
    comments = yaml.safe_load((folder / "action_reports.yaml").read_text(encoding="utf-8"))
    files: list[DemoFile] = []
    sent_by: dict[str, str] = {}
    for spec in specs:
        for code in spec["partners"]:
            if code in sent_by:
                raise ValueError(
                    f"demo: {code} is in the specs of {sent_by[code]} and {spec['departement']}"
                )
            sent_by[code] = spec["departement"]
        files += _Departement(spec, cog, partners, schemes, dialects, comments["comments"]).files()
    owing = {c for c, p in partners.items() if any(partner_years(p, schemes).values())}
    if owing - set(sent_by):
        raise ValueError(f"demo: no spec sends the files of {sorted(owing - set(sent_by))}")
    return sorted(files, key=lambda f: (f.received_at, f.partner, f.name))


def deliver_demo(home: Path, folder: Path = DEMO_DIR) -> list[DemoFile]:
    """Keep the demo files in the store as received on their days; files already kept (same
    partner, kind and content) are left as they are, so delivering again changes nothing."""
    from orchestration.intake.store import SubmissionStore

    store = SubmissionStore(home)
    demo = generate_demo(folder)
    for f in demo:
        store.put(
            f.data, partner=f.partner, kind=f.kind, file_name=f.name, received_at=f.received_at
        )
    return demo


class _Departement:
    """The files of the partners of one département spec."""

    def __init__(self, spec, cog, partners, schemes, dialects, comments):
        self.spec, self.partners, self.schemes = spec, partners, schemes
        self.rng = random.Random(spec["seed"])
        communes = cog["communes"]
        self.communes = communes[
            (communes["departement_code"] == spec["departement"])
            & (communes["commune_type"] == "commune")
            & communes["population"].notna()
        ].sort_values("commune_code")
        self.dialects = {code: dialects[name or "other"] for code, name in spec["partners"].items()}
        self.years = sorted(
            {
                year
                for code in spec["partners"]
                for years in partner_years(partners[code], schemes).values()
                for year in years
            }
        )
        self.childcare = Childcare(self.communes, spec["childcare"], self.years, self.rng)
        self.children = children_by_epci(self.communes)
        self.stories = ActionStories(
            schemes, spec.get("action_reports", {}), comments, spec["seed"]
        )
        self.receipts = ReceiptsStory(spec.get("receipts", {}), spec["seed"])
        self.today = datetime.now(UTC)

    def files(self) -> list[DemoFile]:
        out = []
        for code in self.spec["partners"]:
            partner = self.partners[code]
            years = partner_years(partner, self.schemes)
            for line in partner.submissions:
                owed = years[line.kind]
                for period in calendar.expected_periods(line.cadence, owed, self.today.date()):
                    due = calendar.due_date(period, line.deadline_days)
                    for sending in self.receipts.sendings(
                        code, line.kind, period.code, due, line.deadline_days
                    ):
                        if sending.received_at <= self.today:
                            out.append(self._file(code, line.kind, period, sending))
        self.receipts.check_all_used()
        return out

    def _file(self, code: str, kind: str, period: calendar.Period, sending) -> DemoFile:
        dialect = self.dialects[code]
        rows = self._rows(code, kind, period, dialect)
        if not rows:
            raise ValueError(f"demo: {code} owes {kind} {period.code} but its spec gives no rows")
        if sending.version == "faulty":
            rows = spoil(rows)
        if sending.version == "revision" and kind == "placements":
            rows = [*rows, _forgotten_creche(rows)]
        stem = f"{self._name(code, kind)}_{period.code.replace('-', '_')}"
        name = f"{stem}{_SUFFIX[sending.version]}.csv"
        data = dialect.render(_headers(kind), rows)
        return DemoFile(code, kind, name, data, period.code, sending.received_at, sending.version)

    def _rows(self, code: str, kind: str, period: calendar.Period, dialect: Dialect):
        if kind == "placements":
            return self.childcare.placements(self._roles(code), period.year)
        if kind == "attendance":
            return self.childcare.attendance(period, dialect)
        if kind == "beneficiaries":
            lines = self.spec.get("beneficiaries", {}).get(code, [])
            return beneficiary_rows(lines, period.year, self.children, self.rng)
        if kind == "action_reports":
            reports = [
                self.stories.report(s, a, period.year)
                for s, a in self.stories.piloted(code, period.year)
            ]
            return report_rows(reports, dialect)
        raise ValueError(f"demo: no generator for the kind {kind!r}")

    def _roles(self, code: str) -> list[str]:
        return self.spec["childcare"]["declared_by"].get(code, [])

    def _name(self, code: str, kind: str) -> str:
        if kind == "placements":
            return _PLACEMENT_NAMES[self._roles(code)[0]]
        return _NAMES[kind]


def _headers(kind: str) -> list[str]:
    """The contract's French headers, in its order (the rows are written in that order)."""
    return list(french_names(CONTRACTS[kind]).values())


def _forgotten_creche(rows: list[list[str]]) -> list[str]:
    """The revision's correction: a crèche forgotten in the first version, in the first commune."""
    return [rows[0][0], "EAJE-RECTIF-01", "EAJE_COLLECTIF", rows[0][3], "24", "30", "0", "6", "non"]
