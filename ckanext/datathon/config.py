"""Typed accessors for the options declared in config_declaration.yaml.

CKAN normalises declared options when it loads a config file; the casts keep
the types right for values set at run time (tests, ``config-tool``).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ckan.plugins.toolkit as tk

HEADER_LINK = "ckanext.datathon.header_link"
CHALLENGE_LIST_LIMIT = "ckanext.datathon.challenge_list_limit"
CHALLENGE_LIST_LIMIT_MAX = "ckanext.datathon.challenge_list_limit_max"
DEFAULT_MAX_TEAM_SIZE = "ckanext.datathon.default_max_team_size"
DEFAULT_CURRENCY = "ckanext.datathon.default_currency"
ONE_TEAM_PER_PERSON = "ckanext.datathon.one_team_per_person"
NOTIFICATIONS = "ckanext.datathon.notifications"
MAIL_QUEUE = "ckanext.datathon.mail_queue"
MAIL_ATTEMPTS = "ckanext.datathon.mail_attempts"
REMINDER_HOURS = {
    "registration": "ckanext.datathon.reminder_registration_hours",
    "submission": "ckanext.datathon.reminder_submission_hours",
    "judging": "ckanext.datathon.reminder_judging_hours",
}
ANNOUNCEMENTS_PER_DAY = "ckanext.datathon.announcements_per_day"
MAX_TEAMS_LED = "ckanext.datathon.max_teams_led_per_challenge"
MAX_TEAMS = "ckanext.datathon.max_teams_per_challenge"
MAX_PENDING_INVITATIONS = "ckanext.datathon.max_pending_invitations_per_project"
MAX_INVITATIONS_PER_DAY = "ckanext.datathon.max_invitations_per_day"
PAGE_CACHE_SECONDS = "ckanext.datathon.page_cache_seconds"
CSRF_COOKIE_SESSIONS = "ckanext.datathon.csrf_cookie_sessions"
# list lengths accepted by the actions (option -> default)
MAX_PRIZES = "ckanext.datathon.max_prizes"
MAX_TIMELINE_ENTRIES = "ckanext.datathon.max_timeline_entries"
MAX_TAGS = "ckanext.datathon.max_tags"
MAX_DATASETS_USED = "ckanext.datathon.max_datasets_used"
MAX_RESOURCE_IDS = "ckanext.datathon.max_resource_ids"
MAX_REQUEST_BODY = "ckanext.datathon.max_request_body"
MAX_IDEAS_PER_USER = "ckanext.datathon.max_ideas_per_user"
DATASET_PROJECTS_MAX = "ckanext.datathon.dataset_projects_max"
FEED_ENTRIES = "ckanext.datathon.feed_entries"
HOME_CHALLENGES = "ckanext.datathon.home_challenges"
LIST_LIMITS = {
    MAX_PRIZES: 50,
    MAX_TIMELINE_ENTRIES: 50,
    MAX_TAGS: 50,
    MAX_DATASETS_USED: 100,
    MAX_RESOURCE_IDS: 100,
}


def header_link() -> bool:
    return tk.asbool(tk.config[HEADER_LINK])


def challenge_list_limit() -> int:
    return tk.asint(tk.config[CHALLENGE_LIST_LIMIT])


def challenge_list_limit_max() -> int:
    return tk.asint(tk.config[CHALLENGE_LIST_LIMIT_MAX])


def default_max_team_size() -> int:
    return tk.asint(tk.config[DEFAULT_MAX_TEAM_SIZE])


def default_timezone() -> str:
    """The time zone proposed for a new challenge: the portal's
    ``ckan.display_timezone`` when it names an IANA zone, else UTC."""
    name = str(tk.config.get("ckan.display_timezone") or "")
    if name and name != "server":
        try:
            ZoneInfo(name)
        except (ValueError, ZoneInfoNotFoundError):
            return "UTC"
        return name
    return "UTC"


def default_currency() -> str:
    return tk.config[DEFAULT_CURRENCY]


def one_team_per_person() -> bool:
    return tk.asbool(tk.config.get(ONE_TEAM_PER_PERSON, False))


def max_teams_led() -> int:
    """Teams a person may lead per challenge (0: no limit)."""
    return max(0, tk.asint(tk.config.get(MAX_TEAMS_LED, 3)))


def max_teams() -> int:
    """Teams a person may be on per challenge (0: no limit)."""
    limit = max(0, tk.asint(tk.config.get(MAX_TEAMS, 5)))
    return 1 if one_team_per_person() else limit


def max_pending_invitations() -> int:
    return max(1, tk.asint(tk.config.get(MAX_PENDING_INVITATIONS, 10)))


def max_invitations_per_day() -> int:
    return max(1, tk.asint(tk.config.get(MAX_INVITATIONS_PER_DAY, 20)))


def notifications() -> bool:
    return tk.asbool(tk.config.get(NOTIFICATIONS, True))


def mail_queue() -> str:
    return str(tk.config.get(MAIL_QUEUE) or "datathon")


def mail_attempts() -> int:
    """Attempts to send one mail (at least 1)."""
    return max(1, tk.asint(tk.config.get(MAIL_ATTEMPTS, 3)))


def reminder_hours(kind: str) -> int:
    """Lead time of a reminder kind, in hours (0: not sent)."""
    return max(0, tk.asint(tk.config.get(REMINDER_HOURS[kind], 48)))


def announcements_per_day() -> int:
    """Announcements per challenge in 24 hours (0: none)."""
    return max(0, tk.asint(tk.config.get(ANNOUNCEMENTS_PER_DAY, 3)))


def page_cache_seconds() -> int:
    return max(0, tk.asint(tk.config.get(PAGE_CACHE_SECONDS, 60)))


def csrf_cookie_sessions() -> bool:
    return tk.asbool(tk.config.get(CSRF_COOKIE_SESSIONS, True))


def list_limit(option: str) -> int:
    """The longest list an action accepts for ``option`` (one of ``LIST_LIMITS``)."""
    return tk.asint(tk.config.get(option, LIST_LIMITS[option]))


def max_request_body() -> int:
    """Bytes a request body other than a file upload may have (0: no limit)."""
    return tk.asint(tk.config.get(MAX_REQUEST_BODY, 2_000_000))


def max_ideas_per_user() -> int:
    """Ideas one person may propose per challenge (0: no limit)."""
    return max(0, tk.asint(tk.config.get(MAX_IDEAS_PER_USER, 20)))


def dataset_projects_max() -> int:
    """Projects listed per page on a dataset page (at least 1)."""
    return max(1, tk.asint(tk.config.get(DATASET_PROJECTS_MAX, 20)))


def home_challenges() -> int:
    """Challenges promoted on the home page (0: no block; at most 24)."""
    return min(24, max(0, tk.asint(tk.config.get(HOME_CHALLENGES, 3))))


def feed_entries() -> int:
    """Entries of a page of the Atom feed (at least 1)."""
    return max(1, tk.asint(tk.config.get(FEED_ENTRIES, 50)))


HARVEST_TIMEOUT = "ckanext.datathon.harvest.timeout"
HARVEST_MAX_RESPONSE_BYTES = "ckanext.datathon.harvest.max_response_bytes"
HARVEST_MAX_DELETE_PERCENT = "ckanext.datathon.harvest.max_delete_percent"
HARVEST_MAX_CHALLENGES = "ckanext.datathon.harvest.max_challenges"


def harvest_timeout() -> int:
    return max(1, tk.asint(tk.config.get(HARVEST_TIMEOUT, 20)))


def harvest_max_response_bytes() -> int:
    return max(1000, tk.asint(tk.config.get(HARVEST_MAX_RESPONSE_BYTES, 5000000)))


def harvest_max_delete_percent() -> int:
    return min(100, max(0, tk.asint(tk.config.get(HARVEST_MAX_DELETE_PERCENT, 50))))


def harvest_max_challenges() -> int:
    return max(1, tk.asint(tk.config.get(HARVEST_MAX_CHALLENGES, 5000)))
