"""Upgrade step: a snapshot for results published before snapshots existed.

Migration ``c2d9e4a7b1f3`` adds ``datathon_results_snapshot``; results
published earlier have no snapshot, so readers would get the live ranking.
This step takes one for each such challenge, from the data as it is at the
upgrade, stamped with the upgrade's date (``taken``, ``origin = upgrade``;
``published`` keeps the publication's date).  Challenges that already have a
current snapshot are left alone, so running it again does nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

import ckan.model as model

from ckanext.datathon.lib import timeline
from ckanext.datathon.logic import results as frozen
from ckanext.datathon.model import Challenge, Results, ResultsSnapshot
from ckanext.datathon.upgrade import Step, UpgradeContext


def _missing() -> list[tuple[str, str]]:
    """(id, name) of the challenges whose published results have no current
    snapshot."""
    r = Results.__table__
    c = Challenge.__table__
    s = ResultsSnapshot.__table__
    return [
        (row.id, row.name)
        for row in model.Session.execute(
            sa.select(c.c.id, c.c.name)
            .select_from(r.join(c, c.c.id == r.c.challenge_id))
            .where(
                ~sa.exists().where(s.c.challenge_id == r.c.challenge_id, s.c.retracted.is_(None))
            )
            .order_by(c.c.name)
        )
    ]


def run(context: UpgradeContext) -> list[str]:
    # (imported here: the action module needs the plugin's configuration)
    from ckanext.datathon.logic.action.jury import snapshot_payload

    missing = _missing()
    if not missing:
        return ["every published result has its snapshot"]
    if context.dry_run:
        return [f"would snapshot the published results of {name}" for _id, name in missing]
    lines = []
    taken = timeline.now()
    for challenge_id, name in missing:
        frozen.lock(challenge_id, exclusive=True)
        results = model.Session.get(Results, challenge_id)
        if results is None or frozen.current_snapshot(challenge_id) is not None:
            model.Session.rollback()  # retracted or snapshotted meanwhile
            continue
        model.Session.add(
            ResultsSnapshot(
                challenge_id=challenge_id,
                version=frozen.next_version(challenge_id),
                published=results.published,
                published_by=results.published_by,
                taken=taken,
                origin="upgrade",
                payload=snapshot_payload(challenge_id),
            )
        )
        model.Session.commit()
        lines.append(f"snapshot of the published results of {name}")
    return lines


STEP = Step(
    name="results-snapshot",
    order=30,
    summary="freeze results published before the upgrade (a snapshot per challenge)",
    run=run,
)
