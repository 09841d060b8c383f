"""The three-way decision of the two-way field sync (pure)."""

from integration_pipeline.syncs.two_way import Conflict, FieldState, FieldWrite, decide

PAIR = ("companies:1", "C-1")
OWNERS = {"name": "crm"}


def _decide(crm, erp, baseline=("Kavir", "Kavir")):
    state = FieldState(PAIR, "name", crm, erp, baseline)
    return decide([state], OWNERS, lambda a, b: (a or "").casefold() == (b or "").casefold())


def test_a_change_on_one_side_goes_to_the_other():
    crm_changed = _decide("Kavir Group", "Kavir")
    assert crm_changed.writes == [FieldWrite(PAIR, "name", "erp", "Kavir Group")]
    erp_changed = _decide("Kavir", "Kavir Trading")
    assert erp_changed.writes == [FieldWrite(PAIR, "name", "crm", "Kavir Trading")]
    assert erp_changed.baselines == {(PAIR, "name"): ("Kavir Trading", "Kavir Trading")}
    assert crm_changed.conflicts == erp_changed.conflicts == []


def test_both_changed_the_owner_wins_and_the_other_value_is_kept():
    both = _decide("Kavir CRM", "Kavir ERP")
    assert both.writes == [FieldWrite(PAIR, "name", "erp", "Kavir CRM")]
    assert both.conflicts == [Conflict(PAIR, "name", "crm", "Kavir CRM", "Kavir ERP")]
    assert both.baselines == {(PAIR, "name"): ("Kavir CRM", "Kavir CRM")}


def test_agreement_variants_and_first_sight_write_nothing():
    assert _decide("KAVIR", "kavir").writes == []  # the same in standard form
    first = _decide("Kavir Co", "Kavir Ltd", baseline=None)
    assert first.writes == [] and first.conflicts == []
    assert first.baselines == {(PAIR, "name"): ("Kavir Co", "Kavir Ltd")}
    # Both sides changed to the same value: no write, no conflict.
    assert _decide("Kavir Group", "Kavir Group").writes == []


def test_a_difference_older_than_the_last_sync_is_no_change():
    # The sides differed at the last sync; only the CRM moved since: it goes to the ERP.
    moved = _decide("Kavir Group", "Kavir Ltd", baseline=("Kavir Co", "Kavir Ltd"))
    assert moved.writes == [FieldWrite(PAIR, "name", "erp", "Kavir Group")]
    assert moved.conflicts == []
    assert _decide("Kavir Co", "Kavir Ltd", baseline=("Kavir Co", "Kavir Ltd")).writes == []
