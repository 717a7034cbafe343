"""Tables of the datathon plugin (all named ``datathon_*``)."""

from __future__ import annotations

from .challenge import (
    ALLY_KINDS,
    CHALLENGE_STATES,
    CONTEST_DATES,
    DATASET_ROLES,
    STAGES,
    Ally,
    Challenge,
    ChallengeDataset,
    Prize,
    Stage,
)

__all__ = [
    "ALLY_KINDS",
    "CHALLENGE_STATES",
    "CONTEST_DATES",
    "DATASET_ROLES",
    "STAGES",
    "Ally",
    "Challenge",
    "ChallengeDataset",
    "Prize",
    "Stage",
]
