"""Issue 17 §2: every action that writes is classified.

The test enumerates the **registered** action table once the plugins of
test.ini are loaded (CKAN core's, the companions', ours) and requires each
action that is not ``side_effect_free`` to be one of:

* ``own``: an action of this plugin (every one calls ``check_access`` first);
* ``CHAINED``: chained by this plugin (checked: the registered function is our
  chain, a ``functools.partial`` of a function of ``ckanext.datathon``);
* ``GUARDED``: not chained, but its auth goes through an auth function this
  plugin chains (named; checked that we chain it), so the project rules of
  that auth function hold;
* ``IRRELEVANT``: cannot touch a challenge, a project or its team, with the
  reason.

A new CKAN (or companion) action fails this test until someone classifies it.
Whether a rule binds sysadmins: auth functions do not (CKAN lets sysadmins
past every auth function not marked ``auth_sysadmins_check``), so GUARDED
actions are open to sysadmins; the rules in CHAINED actions bind them unless
the action says otherwise (docs/security.md).
"""

from __future__ import annotations

import functools

import pytest

import ckan.logic as logic

pytestmark = pytest.mark.usefixtures("with_plugins")

CHAINED = {
    "bulk_update_delete": "projects refused (sysadmins may delete); citing projects reindexed",
    "bulk_update_private": "projects refused; citing projects reindexed",
    "bulk_update_public": "projects refused; citing projects reindexed",
    "organization_delete": "refused while the organization runs challenges",
    "package_collaborator_create": "team cap and one-team rule, under a lock",
    "package_collaborator_delete": "the leader stays",
    "package_create": "type project only through project_register",
    "package_delete": "lifecycle: drafts only, by the leader or an organizer",
    "package_owner_org_update": "a project stays with its challenge's organization",
    "package_patch": "404 for who may not read the project; then package_update",
    "package_update": "protected fields, lifecycle, datasets_used merge-back",
}

# action -> the auth function (chained by this plugin) its own auth asks
GUARDED = {
    "file_create": "package_update",  # ckan.files.owner.cascade_access: package
    "file_delete": "package_update",
    "file_ownership_transfer": "package_update",
    "file_pin": "package_update",
    "file_register": "package_update",
    "file_rename": "package_update",
    "file_unpin": "package_update",
    "follow_dataset": "package_show",
    "package_create_default_resource_views": "package_update",
    "package_relationship_create": "package_update",
    "package_relationship_delete": "package_update",
    "package_relationship_update": "package_update",
    "package_resource_reorder": "package_update",  # and the chained action
    "package_revise": "package_update",  # and the chained action
    "resource_create": "package_update",  # and the chained action
    "resource_create_default_resource_views": "package_update",
    "resource_delete": "package_update",  # package_delete's auth asks package_update
    "resource_patch": "package_update",
    "resource_update": "package_update",
    "resource_view_create": "package_update",
    "resource_view_delete": "package_update",
    "resource_view_reorder": "package_update",
    "resource_view_update": "package_update",
}

SYSADMIN = "sysadmin only (core's auth)"
IRRELEVANT = {
    "activity_create": SYSADMIN + "; writes an activity, no dataset",
    "activity_delete": SYSADMIN + "; activity rows only",
    "activity_delete_all": SYSADMIN + "; activity rows only",
    "activity_delete_counts": SYSADMIN + "; activity rows only",
    "api_token_create": "the caller's own API tokens",
    "api_token_revoke": "the caller's own API tokens",
    "config_option_update": SYSADMIN + "; site settings",
    "dashboard_mark_activities_old": "the caller's own dashboard",
    "dataset_purge": SYSADMIN + "; sysadmins may purge a project (its rows cascade)",
    "follow_group": "the caller's own follows",
    "follow_user": "the caller's own follows",
    "group_create": "groups are not datathon objects",
    "group_delete": "groups are not datathon objects",
    "group_member_create": "groups are not datathon objects",
    "group_member_delete": "groups are not datathon objects",
    "group_patch": "groups are not datathon objects",
    "group_purge": SYSADMIN + "; groups are not datathon objects",
    "group_update": "groups are not datathon objects",
    "job_cancel": SYSADMIN + "; background jobs",
    "job_clear": SYSADMIN + "; background jobs",
    "member_create": "dataset <-> group links, group-level auth; no project field",
    "member_delete": "dataset <-> group links, group-level auth; no project field",
    "organization_create": "a new organization runs no challenge yet",
    "organization_member_create": "decides who organizes (by design)",
    "organization_member_delete": "decides who organizes (by design)",
    "organization_patch": "organization metadata; challenges keep their owner",
    "organization_purge": SYSADMIN + "; cascades the organization's challenges",
    "organization_update": "organization metadata; challenges keep their owner",
    "resource_view_clear": SYSADMIN + "; views of every resource",
    "send_email_notifications": SYSADMIN + "; activity e-mails",
    "tag_create": SYSADMIN + "; vocabulary tags",
    "tag_delete": SYSADMIN + "; vocabulary tags",
    "task_status_delete": SYSADMIN + "; task status rows",
    "task_status_update": SYSADMIN + "; task status rows",
    "task_status_update_many": SYSADMIN + "; task status rows",
    "term_translation_update": SYSADMIN + "; term translations",
    "term_translation_update_many": SYSADMIN + "; term translations",
    "unfollow_dataset": "the caller's own follows",
    "unfollow_group": "the caller's own follows",
    "unfollow_user": "the caller's own follows",
    "user_create": "user accounts",
    "user_delete": SYSADMIN + "; removes the user's team memberships (documented)",
    "user_invite": "user accounts (organization invitations decide organizers)",
    "user_patch": "user accounts",
    "user_update": "user accounts",
    "vocabulary_create": SYSADMIN + "; vocabularies",
    "vocabulary_delete": SYSADMIN + "; vocabularies",
    "vocabulary_update": SYSADMIN + "; vocabularies",
}

CHAINED_AUTH = {"package_create", "package_show", "package_update"} | {
    "package_collaborator_create",
    "package_collaborator_delete",
}


def _registered() -> dict:
    logic.get_action("package_show")  # fills the table
    return dict(logic._actions)  # type: ignore[attr-defined]


def _unwrap(fn):
    """The registered function under CKAN's audit wrapper: 2.12 marks it with
    ``functools.wraps`` (``__wrapped__``), 2.11 only closes over it."""
    inner = getattr(fn, "__wrapped__", None)
    if inner is not None:
        return inner
    if getattr(fn, "__name__", "") == "wrapped" and fn.__closure__:
        for cell in fn.__closure__:
            content = cell.cell_contents
            if callable(content):
                return content
    return fn


def _ours(fn) -> bool:
    fn = _unwrap(fn)
    return (getattr(fn, "__module__", None) or "").startswith("ckanext.datathon")


def _writes(table: dict) -> dict:
    return {n: fn for n, fn in table.items() if not getattr(fn, "side_effect_free", False)}


def _unclassified(table: dict) -> list[str]:
    tables = (CHAINED, GUARDED, IRRELEVANT)
    return sorted(
        name
        for name, fn in _writes(table).items()
        if not _ours(fn) and not any(name in known for known in tables)
    )


def test_every_write_action_is_classified():
    unclassified = _unclassified(_registered())
    assert not unclassified, (
        "Classify these actions in tests/logic/test_action_classification.py "
        f"(chained, guarded by a chained auth, or irrelevant with a reason): {unclassified}"
    )


def test_a_new_action_is_caught():
    def brand_new_write(context, data_dict):
        return None

    def brand_new_read(context, data_dict):
        return None

    brand_new_read.side_effect_free = True  # type: ignore[attr-defined]
    table = {**_registered(), "brand_new_write": brand_new_write, "brand_new_read": brand_new_read}
    assert _unclassified(table) == ["brand_new_write"]


def test_the_tables_do_not_overlap():
    assert not set(CHAINED) & set(GUARDED)
    assert not set(CHAINED) & set(IRRELEVANT)
    assert not set(GUARDED) & set(IRRELEVANT)


def test_chained_actions_are_our_chains():
    table = _registered()
    for name in CHAINED:
        fn = _unwrap(table[name])  # CKAN's audit wrapper
        assert isinstance(fn, functools.partial), name
        assert fn.func.__module__.startswith("ckanext.datathon."), name


def test_guards_are_auth_functions_we_chain():
    from ckan import authz

    authz.clear_auth_functions_cache()
    assert set(GUARDED.values()) <= CHAINED_AUTH
    for name in CHAINED_AUTH:
        fn = authz._AuthFunctions.get(name)  # type: ignore[attr-defined]
        assert isinstance(fn, functools.partial), name
        assert fn.func.__module__.startswith("ckanext.datathon."), name


def test_own_actions_are_not_listed_as_core():
    """An action of this plugin is classified by its module, never by hand."""
    table = _registered()
    for name in (*CHAINED, *GUARDED, *IRRELEVANT):
        if name in table and name not in CHAINED:
            assert not _ours(table[name]), name
