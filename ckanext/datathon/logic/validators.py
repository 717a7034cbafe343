"""Validators of the datathon schemas (registered through the validators blanket)."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from babel.numbers import list_currencies

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.datathon import config
from ckanext.datathon.lib import licences
from ckanext.datathon.logic import datasets_used, lookup
from ckanext.datathon.model import (
    ALLY_KINDS,
    CONTEST_DATES,
    DATASET_ROLES,
    STAGES,
    Challenge,
    ProjectDataset,
)

__all__ = [
    "datathon_ally_kind",
    "datathon_aware_datetime",
    "datathon_bool",
    "datathon_challenge_name",
    "datathon_challenge_state",
    "datathon_contest_dates_in_order",
    "datathon_currency",
    "datathon_dataset_ids",
    "datathon_dataset_role",
    "datathon_http_url",
    "datathon_int_range",
    "datathon_licence_list",
    "datathon_limit",
    "datathon_max_length",
    "datathon_money",
    "datathon_no_nul",
    "datathon_offset",
    "datathon_one_line",
    "datathon_organization_id",
    "datathon_project_challenge",
    "datathon_project_dataset",
    "datathon_project_licence",
    "datathon_project_rules",
    "datathon_resource_ids",
    "datathon_score_value",
    "datathon_stage",
    "datathon_string",
    "datathon_tag_list",
    "datathon_text",
    "datathon_timezone",
    "datathon_weight",
]

_ = tk._
Invalid = tk.Invalid

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Words that collide with the routes under /challenge/.
RESERVED_NAMES = frozenset({"new", "edit", "delete", "search", "api", "feed", "calendar"})
TAG_RE = re.compile(r"^[\w .\-]+$", re.UNICODE)


def datathon_no_nul(value: Any) -> Any:
    """Refuse NUL characters, which PostgreSQL text cannot store."""
    if isinstance(value, str) and "\x00" in value:
        raise Invalid(_("Must not contain NUL characters"))
    return value


def datathon_string(value: Any) -> Any:
    """Text only: a list, an object, a number or a boolean is a field error
    (``unicode_safe`` would store its printed form)."""
    if isinstance(value, (list, dict, int, float, bool)):
        raise Invalid(_("Must be text"))
    return value


# Control characters (C0, DEL, C1) but TAB, LF and CR, which long text may hold.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Lone UTF-16 surrogates: JSON can spell them ("\\ud800"), UTF-8 cannot encode them.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Bidirectional controls: they make a title or a team name read as another
# one (and reorder what follows it on the page).
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def datathon_text(value: Any) -> Any:
    """Free text as it can be stored, indexed and shown: no lone surrogate,
    no NUL nor other control character (TAB, LF and CR allowed); line ends
    normalised to LF.  Used in the schemas, so the API, the forms, the CLI
    and imports are covered alike."""
    if not isinstance(value, str):
        return value
    if _SURROGATE.search(value):
        raise Invalid(_("Must be valid text (a lone surrogate is not a character)"))
    if "\x00" in value:
        raise Invalid(_("Must not contain NUL characters"))
    if _CONTROL.search(value):
        raise Invalid(_("Must not contain control characters"))
    return value.replace("\r\n", "\n").replace("\r", "\n")


def datathon_one_line(value: Any) -> Any:
    """A title, a name, a team name: one line (no TAB, LF, CR or other control
    character) and no bidirectional control characters."""
    if not isinstance(value, str):
        return value
    if _LINE_CONTROL.search(value) or _SURROGATE.search(value):
        raise Invalid(_("Must be a single line without control characters"))
    if _BIDI.search(value):
        raise Invalid(_("Must not contain bidirectional control characters"))
    return value


def datathon_max_length(length: int):
    length = int(length)

    def validator(value: Any) -> Any:
        if isinstance(value, str) and len(value) > length:
            raise Invalid(_("Must be at most {n} characters long").format(n=length))
        return value

    return validator


# A whole number as text: digits only (not "1_000", Arabic-Indic digits, "1e3", nor 4,300 digits,
# which int() refuses with a ValueError of its own).
_WHOLE = re.compile(r"\s*[+-]?[0-9]{1,30}\s*")


def datathon_int_range(low: int, high: int):
    low, high = int(low), int(high)

    def validator(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _WHOLE.fullmatch(value):
            number = int(value)
        else:
            raise Invalid(_("Must be a whole number"))
        if not low <= number <= high:
            raise Invalid(_("Must be between {low} and {high}").format(low=low, high=high))
        return number

    return validator


OFFSET_MAX = 10**9

_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})


def datathon_bool(value: Any) -> bool:
    """A yes/no value: a JSON boolean, 0 or 1, or the strings CKAN's GET API
    and HTML forms send (``"true"``, ``"1"``, ``"on"``...).  Anything else
    (a list, a dict, 2, 0.5, a NUL...) is a field error, not a silent
    ``False`` nor a server error (core's ``boolean_validator`` calls
    ``.lower()`` on what it is given on CKAN 2.11)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise Invalid(_("Must be true or false"))


def datathon_limit(maximum_option: str, maximum_default: int):
    """A page size: a whole number from 0 to 10^9 (a JSON number or a decimal
    string, never a boolean, a float or a list), clamped to the configured
    maximum.  Core's ``natural_number_validator`` followed by
    ``limit_to_configured_maximum`` is a server error on a list: navl runs the
    second one on the raw value after the first one failed."""
    check = datathon_int_range(0, OFFSET_MAX)

    def validator(value: Any) -> int:
        number = check(value)
        maximum = tk.asint(tk.config.get(maximum_option) or maximum_default)
        return min(number, maximum)

    return validator


def datathon_offset(value: Any) -> int:
    """A paging offset: a whole number from 0 to 10^9 (PostgreSQL's OFFSET is
    a bigint: a larger one would be a database error, not a validation one)."""
    return datathon_int_range(0, OFFSET_MAX)(value)


def datathon_challenge_name(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A URL slug that no other challenge uses."""
    value = data.get(key)
    if not isinstance(value, str):
        errors[key].append(_("Must be a text value"))
        return
    if not 2 <= len(value) <= 100:
        errors[key].append(_("Must be between 2 and 100 characters long"))
        return
    if not NAME_RE.match(value):
        errors[key].append(
            _("Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_")
        )
        return
    if value in RESERVED_NAMES:
        errors[key].append(_("This name is reserved"))
        return
    query = sa.select(Challenge.id).where(Challenge.name == value)
    # challenge_update: the challenge being changed may keep its own name
    current = lookup.challenge(context, data.get(("id",)))
    if current is not None:
        query = query.where(Challenge.id != current.id)
    if model.Session.execute(query).first() is not None:
        errors[key].append(_("That URL is already in use."))


def datathon_organization_id(value: Any, context: Context) -> Any:
    """An active organization, given by id or name; returns its id."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(_("Missing value"))
    group = lookup.organization(value)  # refuses a NUL, which PostgreSQL would not take
    if group is None:
        raise Invalid(_("Organization does not exist"))
    return group.id


def datathon_http_url(value: Any) -> Any:
    """An absolute http(s) URL; anything else (javascript:, data:, ...) is refused."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise Invalid(_("Must be a text value"))
    value = value.strip()
    if len(value) > 2000:
        raise Invalid(_("Must be at most {n} characters long").format(n=2000))
    try:
        parts = urlsplit(value)
    except ValueError:
        raise Invalid(_("Please provide a valid URL")) from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(ch.isspace() or ord(ch) < 32 for ch in value)
    ):
        raise Invalid(_("Please provide a valid http or https URL"))
    return value


def _parse_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        raise Invalid(_("Must be a date and time with a time zone, e.g. 2024-08-25T09:00:00-06:00"))
    if not isinstance(value, str):
        raise Invalid(_("Must be a date and time with a time zone, e.g. 2024-08-25T09:00:00-06:00"))
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            _("Must be a date and time with a time zone, e.g. 2024-08-25T09:00:00-06:00")
        ) from None


def datathon_aware_datetime(value: Any) -> Any:
    """An ISO 8601 date-time with an explicit offset, converted to UTC."""
    if value is None or value == "":
        return None
    parsed = _parse_datetime(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Invalid(_("Must include a time zone (e.g. Z or -06:00)"))
    if not 1900 <= parsed.year <= 2200:
        raise Invalid(_("Must be a date between the years 1900 and 2200"))
    return parsed.astimezone(dt.timezone.utc)


def datathon_timezone(value: Any) -> Any:
    """An IANA time zone name (e.g. America/Mexico_City)."""
    if value in (None, ""):
        return "UTC"
    if not isinstance(value, str) or len(value) > 64 or "\x00" in value:
        raise Invalid(_("Must be a time zone name such as America/Mexico_City"))
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(_("Must be a time zone name such as America/Mexico_City")) from None
    return value.strip()


def datathon_challenge_state(value: Any) -> Any:
    if value not in ("draft", "active"):
        raise Invalid(_("Must be one of: {values}").format(values="draft, active"))
    return value


def datathon_stage(value: Any) -> Any:
    if value not in STAGES:
        raise Invalid(_("Must be one of: {values}").format(values=", ".join(STAGES)))
    return value


def datathon_dataset_role(value: Any) -> Any:
    if value in (None, ""):
        return "primary"
    if value not in DATASET_ROLES:
        raise Invalid(_("Must be one of: {values}").format(values=", ".join(DATASET_ROLES)))
    return value


def datathon_ally_kind(value: Any) -> Any:
    if value not in ALLY_KINDS:
        raise Invalid(_("Must be one of: {values}").format(values=", ".join(ALLY_KINDS)))
    return value


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [v for v in re.split(r"[,\s]+", value) if v]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise Invalid(_("Must be a list"))


def datathon_licence_list(value: Any) -> Any:
    """SPDX licence ids (a list, or a comma/space separated string)."""
    ids = _as_list(value)
    if not ids:
        raise Invalid(_("Choose at least one licence"))
    result: list[str] = []
    unknown: list[str] = []
    for item in ids:
        canonical = licences.canonical(item) if isinstance(item, str) else None
        if canonical is None:
            unknown.append(str(item)[:50])
        elif canonical not in result:
            result.append(canonical)
    if unknown:
        raise Invalid(
            _("Unknown SPDX licence identifier: {ids}").format(ids=", ".join(unknown[:5]))
        )
    return result


def datathon_tag_list(value: Any) -> Any:
    """Free-text keywords, as CKAN allows them for datasets."""
    if value is None or value == "":
        return []
    tags = (
        _as_list(value)
        if not isinstance(value, str)
        else [t.strip() for t in value.split(",") if t.strip()]
    )
    if len(tags) > 4 * config.list_limit(config.MAX_TAGS):  # before looking at each
        raise Invalid(_("At most %(n)s entries") % {"n": config.list_limit(config.MAX_TAGS)})
    result: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise Invalid(_("Tags must be text"))
        tag = tag.strip()
        if not 2 <= len(tag) <= 100:
            raise Invalid(_('Tag "{tag}" length must be between 2 and 100').format(tag=tag[:100]))
        if not TAG_RE.match(tag):
            raise Invalid(
                _('Tag "{tag}" must be alphanumeric characters or symbols: -_.').format(tag=tag)
            )
        if tag not in result:
            result.append(tag)
    if len(result) > config.list_limit(config.MAX_TAGS):
        raise Invalid(_("At most %(n)s entries") % {"n": config.list_limit(config.MAX_TAGS)})
    return result


def datathon_currency(value: Any) -> Any:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value.strip().upper() not in list_currencies():
        raise Invalid(_("Must be an ISO 4217 currency code, e.g. USD or MXN"))
    return value.strip().upper()


def datathon_money(value: Any) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise Invalid(_("Must be a non-negative amount"))
    try:
        amount = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        raise Invalid(_("Must be a non-negative amount")) from None
    if not amount.is_finite() or amount < 0 or amount >= decimal.Decimal("1e12"):
        raise Invalid(_("Must be a non-negative amount"))
    return amount.quantize(decimal.Decimal("0.01"))


def datathon_contest_dates_in_order(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """registration_opens <= registration_closes <= ... <= results_date."""
    previous: tuple[str, dt.datetime] | None = None
    for name in CONTEST_DATES:
        value = data.get((name,))
        if not isinstance(value, dt.datetime) or errors.get((name,)):
            continue
        if previous is not None and value < previous[1]:
            errors.setdefault((name,), []).append(
                _("Must not be earlier than {other}").format(other=previous[0])
            )
        previous = (name, value)


# -- project records (scheming dataset type ``project``) ------------------------


def _project_challenge(data: FlattenDataDict) -> Challenge | None:
    value = data.get(("challenge",))
    if not isinstance(value, str) or not value or "\x00" in value:
        return None
    return model.Session.scalars(
        sa.select(Challenge).where(sa.or_(Challenge.id == value, Challenge.name == value))
    ).first()


def datathon_project_challenge(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """The challenge of a project, given by id or name; stored as its id."""
    value = data.get(key)
    if value is tk.missing or value in (None, ""):
        return
    challenge = _project_challenge(data)
    if challenge is None or challenge.state == "deleted":
        errors[key].append(_("Challenge not found"))
        return
    data[key] = challenge.id


def datathon_project_licence(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """An SPDX id the project's challenge allows (stored canonically spelled)."""
    value = data.get(key)
    if value is tk.missing or value in (None, ""):
        data[key] = ""
        return
    canonical = licences.canonical(value) if isinstance(value, str) else None
    if canonical is None:
        errors[key].append(_("Unknown SPDX licence identifier"))
        return
    challenge = _project_challenge(data)
    if challenge is not None and canonical not in (challenge.allowed_licences or []):
        errors[key].append(_("The challenge's rules do not allow this licence"))
        return
    data[key] = canonical


def datathon_project_dataset(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """A portal dataset the editor may read (public when the challenge requires
    open data); stored as its id."""
    value = data.get(key)
    if value is tk.missing or value in (None, ""):
        errors[key].append(_("Missing value"))
        return
    if not isinstance(value, str) or "\x00" in value:
        errors[key].append(_("Dataset not found"))
        return
    if datasets_used.is_kept(context, value):
        return  # stored, and the editor may not read it: kept as it is
    package = model.Package.get(value.strip())
    if package is None or package.state != "active" or package.type == "project":
        errors[key].append(_("Dataset not found"))
        return
    if not context.get("ignore_auth"):
        try:
            tk.check_access(
                "package_show",
                {"user": context.get("user"), "model": model},  # type: ignore[typeddict-item]
                {"id": package.id},
            )
        except (tk.NotAuthorized, tk.ObjectNotFound):
            errors[key].append(_("Dataset not found"))
            return
    challenge = _project_challenge(data)
    if challenge is not None and challenge.require_open_data and package.private:
        errors[key].append(_("The challenge requires open data: this dataset is private"))
        return
    data[key] = package.id


# a page of search results; dataset_challenge_counts takes at most this many ids
DATASET_IDS_MAX = 1000


def _id_list(value: Any, limit: int, invalid: str) -> list[str]:
    """Ids given as a list or a comma/space separated string: at most
    ``limit``, each a non-empty string of at most 100 characters without NUL
    (else ``invalid``); duplicates dropped, order kept."""
    ids = _as_list(value) if value not in (None, "") else []
    if len(ids) > limit:
        raise Invalid(_("At most %(n)s entries") % {"n": limit})
    if not all(isinstance(i, str) and 0 < len(i) <= 100 and "\x00" not in i for i in ids):
        raise Invalid(invalid)
    return list(dict.fromkeys(i.strip() for i in ids))


def datathon_dataset_ids(value: Any) -> Any:
    """Dataset ids (a list, or a comma/space separated string), at most
    ``DATASET_IDS_MAX``; duplicates dropped."""
    return _id_list(value, DATASET_IDS_MAX, _("Must be a list of dataset ids"))


def datathon_resource_ids(value: Any) -> Any:
    """Resource ids (a list, or a comma/space separated string)."""
    return _id_list(
        value, config.list_limit(config.MAX_RESOURCE_IDS), _("Must be a list of resource ids")
    )


def datathon_project_rules(
    key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Whole-record rules of a project: each listed dataset appears once, and
    at most ``max_datasets_used`` are listed.  (Errors go on the offending
    entry: a repeating field cannot also carry an error of its own.)"""
    entries = sorted({k[1] for k in data if len(k) == 3 and k[0] == "datasets_used"})
    limit = config.list_limit(config.MAX_DATASETS_USED)
    if len(entries) > limit:
        errors.setdefault(("datasets_used", entries[limit], "dataset"), []).append(
            _("At most %(n)s entries") % {"n": limit}
        )
    seen: set[Any] = set()
    for k in sorted(
        (k for k in data if len(k) == 3 and k[0] == "datasets_used" and k[2] == "dataset"),
        key=lambda k: k[1],
    ):
        if data[k] in seen:
            errors.setdefault(k, []).append(_("Each dataset appears once"))
        seen.add(data[k])
    _resources_of_their_dataset(data, errors, context)


def _resources_of_their_dataset(
    data: FlattenDataDict, errors: FlattenErrorDict, context: Context
) -> None:
    """Each entry's ``resource_ids`` name active resources of its ``dataset``.
    Ids the project already stored for that dataset and that are no longer
    valid (the resource was deleted) are dropped quietly, so an edit of
    something else never fails on them; a new id must be valid.  Entries the
    editor may not read are kept as stored.  Two queries for the record."""
    cited: dict[FlattenKey, tuple[Any, list[str]]] = {}
    for k, value in data.items():
        if not (len(k) == 3 and k[0] == "datasets_used" and k[2] == "resource_ids"):
            continue
        dataset = data.get(("datasets_used", k[1], "dataset"))
        if (
            isinstance(value, list)
            and value
            and not errors.get(k)
            and isinstance(dataset, str)
            and not datasets_used.is_kept(context, dataset)
        ):
            cited[k] = (dataset, value)
    if not cited:
        return
    wanted = {rid for _dataset, ids in cited.values() for rid in ids}
    r = model.Resource.__table__
    owner = dict(
        model.Session.execute(
            sa.select(r.c.id, r.c.package_id).where(r.c.id.in_(wanted), r.c.state == "active")
        ).all()
    )
    stored: dict[str, set[str]] = {}
    project_id = data.get(("id",))
    if isinstance(project_id, str) and project_id:
        pd = ProjectDataset.__table__
        stored = {
            package_id: set(ids or [])
            for package_id, ids in model.Session.execute(
                sa.select(pd.c.package_id, pd.c.resource_ids).where(pd.c.project_id == project_id)
            ).all()
        }
    for k, (dataset, ids) in cited.items():
        before = stored.get(dataset, set())
        if any(owner.get(rid) != dataset and rid not in before for rid in ids):
            errors.setdefault(k, []).append(_("Only resources of the chosen dataset"))
        else:
            data[k] = [rid for rid in ids if owner.get(rid) == dataset]


# -- jury ------------------------------------------------------------------------


def datathon_score_value(value: Any) -> Any:
    """A score: a JSON integer, nothing else (no bool, float, NaN or text).
    The criterion's ``max_score`` is checked by project_score."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("Must be a whole number (an integer, not text or a decimal)"))
    if value < 0:
        raise Invalid(_("Must not be negative"))
    return value


def datathon_weight(value: Any) -> Any:
    """A criterion weight: a finite number above 0 and at most 1000 (3 decimals)."""
    if isinstance(value, bool) or value is None or value == "":
        raise Invalid(_("Must be a number above 0"))
    try:
        weight = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        raise Invalid(_("Must be a number above 0")) from None
    if not weight.is_finite() or weight <= 0 or weight > 1000:
        raise Invalid(_("Must be a number above 0 and at most 1000"))
    weight = weight.quantize(decimal.Decimal("0.001"))
    if weight <= 0:
        raise Invalid(_("Must be a number above 0 and at most 1000"))
    return weight
