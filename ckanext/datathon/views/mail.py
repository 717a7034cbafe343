"""Pages of the plugin's mail: the ``datathon_mail`` blueprint.

* ``/challenge/<name>/announce``: the organizers write to the registered teams;
* ``/dashboard/mail``: a user's choice about reminders and announcements;
* ``/datathon/unsubscribe/<token>``: the link of every mail.  No login: the
  token is signed.  GET only shows a confirmation form (a mail client or a
  link scanner that opens the link changes nothing); the POST, with its CSRF
  token, applies it.  A malformed token answers 400, a forged one 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.lib.helpers as h
import ckan.plugins.toolkit as tk

from ckanext.datathon.lib import mail
from ckanext.datathon.views.base import context as _context
from ckanext.datathon.views.base import deny as _deny
from ckanext.datathon.views.base import show_challenge as _show
from ckanext.datathon.views.csrf import csrf_guard

__all__ = ["datathon_mail"]

_ = tk._
datathon_mail = Blueprint("datathon_mail", __name__)
datathon_mail.before_request(csrf_guard)


@datathon_mail.route("/challenge/<name>/announce", methods=["GET", "POST"])
def announce(name: str) -> Any:
    """The organizers' announcement form, and the announcements sent."""
    current = _show(name)
    try:
        tk.check_access("challenge_announcement_create", _context(), {"challenge": current["id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, _("Challenge not found"))
    except tk.NotAuthorized:
        return _deny()
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if tk.request.method == "POST":
        data = {
            "subject": tk.request.form.get("subject", ""),
            "message": tk.request.form.get("message", ""),
        }
        try:
            sent = tk.get_action("challenge_announcement_create")(
                _context(), {"challenge": current["id"], **data}
            )
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            h.flash_success(
                _("Announcement sent to {n} team members.").format(n=sent["recipients"])
            )
            return h.redirect_to("datathon_mail.announce", name=current["name"])
    announcements = tk.get_action("challenge_announcement_list")(_context(), {"id": current["id"]})
    return tk.render(
        "mail/announce.html",
        {
            "challenge": current,
            "announcements": announcements,
            "errors": errors,
            "data": data,
        },
    )


@datathon_mail.route("/dashboard/mail", methods=["GET", "POST"])
def preferences() -> Any:
    """The current user's choice about reminders and announcements."""
    if not tk.current_user.is_authenticated:
        return h.redirect_to("user.login")
    if tk.request.method == "POST":
        wanted = tk.request.form.get("reminders") == "on"
        tk.get_action("datathon_mail_preferences_update")(_context(), {"reminders": wanted})
        h.flash_success(
            _("You will receive reminders and announcements of challenges.")
            if wanted
            else _("You will no longer receive reminders and announcements of challenges.")
        )
        return h.redirect_to("datathon_mail.preferences")
    current = tk.get_action("datathon_mail_preferences_show")(_context(), {})
    return tk.render("mail/preferences.html", {"preferences": current})


@datathon_mail.route("/datathon/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Any:
    """Confirm (GET), then stop (POST) reminders and announcements."""
    if not mail.token_well_formed(token):
        return tk.abort(400, _("This unsubscribe link is not valid"))
    if mail.token_user(token) is None:
        return tk.abort(403, _("This unsubscribe link is not valid"))
    done = False
    if tk.request.method == "POST":
        try:
            tk.get_action("datathon_mail_unsubscribe")(_context(), {"token": token})
        except tk.ObjectNotFound:
            return tk.abort(404, _("User not found"))
        except (tk.NotAuthorized, tk.ValidationError):
            return tk.abort(403, _("This unsubscribe link is not valid"))
        done = True
    return tk.render("mail/unsubscribe.html", {"token": token, "done": done})
