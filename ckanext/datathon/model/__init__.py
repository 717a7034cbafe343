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
from .engagement import (
    IMPACT_KINDS,
    ChallengeFollower,
    DataGap,
    Idea,
    IdeaVote,
    Impact,
    ImpactDataset,
    Mentorship,
)
from .federation import HarvestedChallenge
from .jury import Award, Criterion, Juror, Recusal, Results, ResultsSnapshot, Score
from .mail import REMINDER_KINDS, Announcement, Reminder
from .project import PROJECT_TYPE, SUBMISSION_STATUSES, Project, ProjectDataset
from .team import INVITATION_STATES, TeamInvitation

__all__ = [
    "ALLY_KINDS",
    "CHALLENGE_STATES",
    "CONTEST_DATES",
    "DATASET_ROLES",
    "IMPACT_KINDS",
    "INVITATION_STATES",
    "PROJECT_TYPE",
    "REMINDER_KINDS",
    "STAGES",
    "SUBMISSION_STATUSES",
    "Ally",
    "Announcement",
    "Award",
    "Challenge",
    "ChallengeDataset",
    "ChallengeFollower",
    "Criterion",
    "DataGap",
    "HarvestedChallenge",
    "Idea",
    "IdeaVote",
    "Impact",
    "ImpactDataset",
    "Juror",
    "Mentorship",
    "Prize",
    "Project",
    "ProjectDataset",
    "Recusal",
    "Reminder",
    "Results",
    "ResultsSnapshot",
    "Score",
    "Stage",
    "TeamInvitation",
]
