"""The labels the plugin's forms give the fields of the actions they call.

A form's error summary names each field the way the form labels it ("Projects
due", "Organization"), not by the action's key ("Submission deadline",
"Owner org").  Functions, not constants: ``_()`` translates per request."""

from __future__ import annotations

from typing import Any

from ckan.plugins.toolkit import _


def challenge() -> dict[str, str]:
    return {
        "title": _("Title"),
        "name": _("URL name"),
        "owner_org": _("Organization"),
        "problem_statement": _("Problem statement"),
        "description": _("Description"),
        "image_url": _("Image URL"),
        "tags": _("Tags"),
        "timezone": _("Time zone"),
        "registration_opens": _("Registration opens"),
        "registration_closes": _("Registration closes"),
        "submission_deadline": _("Projects due"),
        "judging_closes": _("Jury deliberation ends"),
        "results_date": _("Winners announced"),
        "timeline": _("The datathon, stage by stage"),
        "max_team_size": _("Largest team"),
        "min_team_size": _("Smallest team"),
        "allowed_licences": _("Accepted code licences"),
        "require_open_data": _("Projects must use public data of this portal"),
        "require_rules_acceptance": _("Teams must accept the rules to register"),
        "eligibility": _("Who can take part"),
        "rules_text": _("Full rules"),
        "prizes": _("Prizes"),
    }


def mentorship() -> dict[str, str]:
    return {
        "title": _("Title"),
        "starts": _("Starts"),
        "ends": _("Ends"),
        "location": _("Place"),
        "url": _("Meeting URL"),
        "mentors": _("Mentors (one name per line)"),
        "description": _("Description"),
    }


def impact() -> dict[str, str]:
    return {
        "title": _("Title"),
        "kind": _("Kind of impact"),
        "date": _("Date"),
        "url": _("Link (news item, policy, deployment)"),
        "description": _("Description"),
        "project": _("Project (optional)"),
        "datasets": _("Datasets that informed it (names or ids, separated by commas)"),
    }


def error_summary(errors: dict[str, Any], labels: dict[str, str]) -> dict[str, str]:
    """``{label: message}`` for CKAN's ``form.errors`` macro; a field the form
    does not label keeps a readable form of its key."""
    summary = {}
    for field, messages in errors.items():
        label = labels.get(field) or field.replace("_", " ").capitalize()
        if isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
            summary[label] = "; ".join(messages)
        elif messages:
            summary[label] = _("Please check the rows below")
    return summary
