import pytest

from orchestration import approvals, audit

SCHEMES = {"LAN": (2016, 2018)}
ACTOR = audit.Actor("comite", "cli")


def test_approve_locks_until_unlocked_and_every_step_is_audited(tmp_path):
    approvals.record_step(
        tmp_path, "review", scheme="LAN", period="2017", schemes=SCHEMES, actor=ACTOR
    )
    approved = approvals.record_step(
        tmp_path, "approve", scheme="LAN", period="2017", schemes=SCHEMES, actor=ACTOR,
        missing=["CAF40 placements 2017"],
    )  # fmt: skip
    assert approved["missing"] == ["CAF40 placements 2017"]
    assert approvals.state_of(tmp_path, "LAN", "2017") == approvals.APPROVED
    with pytest.raises(approvals.Refused, match="déjà validée"):
        approvals.record_step(
            tmp_path, "approve", scheme="LAN", period="2017", schemes=SCHEMES, actor=ACTOR
        )
    with pytest.raises(approvals.Refused, match="pourquoi"):
        approvals.record_step(
            tmp_path, "unlock", scheme="LAN", period="2017", schemes=SCHEMES, actor=ACTOR
        )
    approvals.record_step(
        tmp_path, "unlock", scheme="LAN", period="2017", schemes=SCHEMES, actor=ACTOR,
        comment="fichier corrigé",
    )  # fmt: skip
    assert approvals.state_of(tmp_path, "LAN", "2017") == approvals.NOT_REVIEWED
    events = [r["event"] for r in audit.read_trail(tmp_path).records]
    assert events == ["period_reviewed", "period_approved", "period_unlocked"]


@pytest.mark.parametrize(
    ("scheme", "period", "step", "message"),
    [
        ("XXX", "2017", "approve", "inconnu"),
        ("LAN", "2030", "approve", "hors du schéma"),
        ("LAN", "bientôt", "approve", "illisible"),
        ("LAN", "2017", "unlock", "n'est pas verrouillée"),
    ],
)
def test_bad_steps_are_refused_in_french_and_write_nothing(tmp_path, scheme, period, step, message):
    with pytest.raises(approvals.Refused, match=message):
        approvals.record_step(
            tmp_path, step, scheme=scheme, period=period, schemes=SCHEMES, actor=ACTOR, comment="x"
        )
    assert approvals.read_steps(tmp_path) == []
    assert audit.read_trail(tmp_path).records == []
